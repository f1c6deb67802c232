"""The promises end to end, over random activity: CSV files -> features -> scores."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.ingest.helpers import scores_of

AS_OF = datetime(2024, 6, 30, 12, tzinfo=timezone.utc)
KINDS = ["post", "post", "reply", "share", "like", "mention"]


@st.composite
def activity_row(
    draw: st.DrawFn,
    accounts: tuple[str, ...] = ("ana", "bob", "cy"),
    targets: tuple[str, ...] = ("ana", "bob", "zoe"),
) -> dict[str, Any]:
    kind = draw(st.sampled_from(KINDS))
    content = kind in ("post", "reply", "share")
    count = st.integers(min_value=0, max_value=400) if content else st.just(0)
    return {
        "account": draw(st.sampled_from(accounts)),
        "timestamp": (AS_OF - timedelta(minutes=draw(st.integers(0, 89 * 24 * 60)))).isoformat(),
        "platform": draw(st.sampled_from(["twitter", "linkedin"])),
        "kind": kind,
        "post_id": draw(st.sampled_from(["", "", "p1", "p2", "p3"])),
        "target": draw(st.sampled_from(targets)) if kind != "post" else "",
        "likes": draw(count),
        "shares": draw(count),
        "replies": draw(count),
        "impressions": draw(count),
        "clicks": draw(count),
        "followers": draw(st.none() | st.integers(0, 5_000_000)),
    }


rows_strategy = st.lists(activity_row(), min_size=1, max_size=25)


@given(rows_strategy, st.randoms(use_true_random=False), st.integers(1, 3))
def test_scores_do_not_depend_on_row_order_or_how_rows_are_split_into_files(
    rows: list[dict[str, Any]], random: Any, files: int
) -> None:
    expected = scores_of([rows], AS_OF)
    shuffled = list(rows)
    random.shuffle(shuffled)
    cuts = sorted(random.randint(0, len(shuffled)) for _ in range(files - 1))
    parts = [shuffled[start:end] for start, end in zip([0, *cuts], [*cuts, len(shuffled)])]
    parts = [part for part in parts if part] or [shuffled]
    assert scores_of(parts, AS_OF) == expected
    assert all(1.0 <= value <= 100.0 for value in expected.values())


@given(rows_strategy, st.data())
def test_raising_what_an_item_received_never_lowers_its_accounts_score(
    rows: list[dict[str, Any]], data: st.DataObject
) -> None:
    content = [index for index, row in enumerate(rows) if row["kind"] in ("post", "reply", "share")]
    if not content:
        return
    index = data.draw(st.sampled_from(content))
    column = data.draw(st.sampled_from(["likes", "shares", "replies", "impressions", "clicks"]))
    raised = [dict(row) for row in rows]
    raised[index][column] += data.draw(st.integers(1, 10_000))
    key = (rows[index]["account"], rows[index]["platform"])
    assert scores_of([raised], AS_OF)[key] >= scores_of([rows], AS_OF)[key] - 1e-9


@given(rows_strategy, st.integers(1, 30), st.integers(0, 89))
def test_items_that_received_nothing_never_raise_a_score(rows: list[dict[str, Any]], extra: int, age: int) -> None:
    before = scores_of([rows], AS_OF)
    account, platform = rows[0]["account"], rows[0]["platform"]
    when = (AS_OF - timedelta(days=age)).isoformat()
    filler = [
        {"account": account, "timestamp": when, "platform": platform, "kind": "post", "post_id": f"filler{n}"}
        for n in range(extra)
    ]
    after = scores_of([rows + filler], AS_OF)
    assert after[(account, platform)] <= before[(account, platform)] + 1e-9


@given(
    rows_strategy,
    st.lists(activity_row(accounts=("newcomer", "other"), targets=("newcomer", "other", "nobody")), max_size=10),
)
def test_accounts_that_never_interact_with_an_account_do_not_change_its_score(
    rows: list[dict[str, Any]], strangers: list[dict[str, Any]]
) -> None:
    before = scores_of([rows], AS_OF)
    after = scores_of([rows + strangers], AS_OF)
    assert {key: value for key, value in after.items() if key in before} == before


def test_spreading_a_spammers_volume_with_empty_items_does_not_lift_its_flag() -> None:
    spam = [
        {"account": "spam", "timestamp": (AS_OF - timedelta(days=day, minutes=n)).isoformat(), "likes": 2}
        for day in range(20)
        for n in range(12)
    ]
    before = scores_of([spam], AS_OF)[("spam", "default")]
    filler = [
        {"account": "spam", "timestamp": (AS_OF - timedelta(days=30 + day)).isoformat(), "likes": 0}
        for day in range(60)
    ]
    after = scores_of([spam + filler], AS_OF)[("spam", "default")]
    assert after <= before
