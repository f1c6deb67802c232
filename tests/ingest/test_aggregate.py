"""From rows to features: duplicates, window, decay, audience snapshots, engaged weeks."""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klout_cli.core import AccountFeatures, Model
from klout_cli.ingest.aggregate import build_features, top_items, window_rows
from klout_cli.ingest.read import read_sources
from klout_cli.modelfile import load_model
from tests.ingest.helpers import csv_text

AS_OF = datetime(2024, 3, 31, 12, 0, tzinfo=timezone.utc)


def features_of(
    tmp_path: Path, model: Model, rows: list[dict], as_of: datetime | None = AS_OF
) -> dict[tuple[str, str], AccountFeatures]:
    path = tmp_path / "rows.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    frame, _ = read_sources([str(path)])
    found, _ = build_features(frame, model, as_of)
    return {(item.account, item.platform): item for item in found}


def post(account: str, when: str, **counts: object) -> dict[str, object]:
    return {"account": account, "timestamp": when, "platform": "twitter", **counts}


def test_overlapping_exports_count_an_item_once_with_its_highest_counts(tmp_path: Path, model: Model) -> None:
    rows = [
        post("ana", "2024-03-30T10:00:00Z", post_id="t1", likes=5, shares=1),
        post("ana", "2024-03-30T10:00:00Z", post_id="t1", likes=9, shares=0),  # a later export
        post("ana", "2024-03-30T11:00:00Z", post_id="t2", likes=1),
        post("ana", "2024-03-30T11:00:00Z", likes=1, text="hi"),  # no id: merged only when it repeats exactly
        post("ana", "2024-03-30T11:00:00Z", likes=2, text="hi"),  # (a later export: its higher counts)
        post("ana", "2024-03-30T11:00:00Z", likes=1, text="another"),
    ]
    ana = features_of(tmp_path, model, rows)[("ana", "twitter")]
    assert ana.items == 4

    def decay(hour: int) -> float:
        age = AS_OF - datetime(2024, 3, 30, hour, tzinfo=timezone.utc)
        return float(0.5 ** (age.total_seconds() / 86400 / model.half_life_days))

    assert ana.likes == pytest.approx(9 * decay(10) + 4 * decay(11), rel=1e-9)
    assert ana.shares == pytest.approx(1 * decay(10), rel=1e-9)
    path = tmp_path / "rows.csv"
    frame, _ = read_sources([str(path)])
    report = window_rows(frame, model, AS_OF).report
    assert (report.duplicates, report.repeated_rows) == (2, 1)


def test_window_and_as_of_leave_rows_out_and_count_them(tmp_path: Path, model: Model) -> None:
    rows = [
        post("ana", "2024-03-31T00:00:00Z", likes=1),
        post("ana", "2023-12-01T00:00:00Z", likes=1),  # 121 days before as-of
        post("ana", "2024-04-02T00:00:00Z", likes=1),  # after as-of
    ]
    path = tmp_path / "rows.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    frame, _ = read_sources([str(path)])
    found, report = build_features(frame, model, AS_OF)
    assert (report.before_window, report.after_as_of, report.rows_kept) == (1, 1, 1)
    assert found[0].items == 1
    _, latest = build_features(frame, model, None)
    assert latest.as_of == datetime(2024, 4, 2, tzinfo=timezone.utc)


def test_an_item_a_half_life_old_counts_half(tmp_path: Path, model: Model) -> None:
    rows = [post("ana", "2024-03-01T12:00:00Z", likes=10), post("bob", "2024-03-31T12:00:00Z", likes=10)]
    found = features_of(tmp_path, model, rows)
    assert found[("ana", "twitter")].weighted_items == pytest.approx(0.5)
    assert found[("ana", "twitter")].likes == pytest.approx(5.0)
    assert found[("bob", "twitter")].likes == pytest.approx(10.0)


def test_the_latest_audience_snapshot_wins_whatever_the_row_order(tmp_path: Path, model: Model) -> None:
    rows = [
        post("ana", "2024-03-20T00:00:00Z", followers=900, following=10),
        post("ana", "2024-03-25T00:00:00Z", followers=1200),
        post("ana", "2024-03-25T00:00:00Z", followers=1100),  # same moment: the larger wins
        post("ana", "2024-03-28T00:00:00Z"),  # no snapshot on this row
    ]
    for order in (rows, rows[::-1]):
        ana = features_of(tmp_path, model, order)[("ana", "twitter")]
        assert (ana.followers, ana.following) == (1200, 10)
    assert features_of(tmp_path, model, [post("bob", "2024-03-20")])[("bob", "twitter")].followers is None


def test_engaged_weeks_are_bits_counted_back_from_as_of(tmp_path: Path, model: Model) -> None:
    rows = [
        post("ana", "2024-03-31T00:00:00Z", likes=1),  # week 0
        post("ana", "2024-03-20T00:00:00Z", likes=0),  # week 1, but nobody reacted
        post("ana", "2024-03-15T00:00:00Z", replies=2),  # week 2
        post("ana", "2024-01-02T00:00:00Z", impressions=500),  # week 12: impressions weigh 0
    ]
    ana = features_of(tmp_path, model, rows)[("ana", "twitter")]
    assert ana.active_weeks == 0b101


def test_interactions_are_not_items_and_never_add_to_the_targets_counts(tmp_path: Path, model: Model) -> None:
    rows = [
        post("ana", "2024-03-30T00:00:00Z", post_id="a1", likes=3),
        {"account": "bob", "timestamp": "2024-03-30T01:00:00Z", "platform": "twitter", "kind": "like", "target": "ana"},
        {
            "account": "bob",
            "timestamp": "2024-03-30T01:00:00Z",
            "platform": "twitter",
            "kind": "share",
            "target": "ana",
            "likes": 2,
        },
    ]
    found = features_of(tmp_path, model, rows)
    ana, bob = found[("ana", "twitter")], found[("bob", "twitter")]
    assert ana.items == 1 and ana.shares == 0  # bob's share of ana is not added to ana's shares
    assert ana.likes == pytest.approx(3 * 0.5 ** ((36 / 24) / 30))
    assert bob.items == 1  # his share is his own item, with what it received
    assert bob.likes > 0


def test_platforms_are_scored_apart(tmp_path: Path, model: Model) -> None:
    rows = [post("ana", "2024-03-30", likes=1), {**post("ana", "2024-03-30", likes=1), "platform": "LinkedIn"}]
    assert set(features_of(tmp_path, model, rows)) == {("ana", "twitter"), ("ana", "linkedin")}


def test_a_frame_with_missing_post_ids_is_deduplicated_as_pandas_would(tmp_path: Path) -> None:
    """Read rows never have a missing id (empty is ""), but a frame made in code may: a missing id
    is one value, as `DataFrame.duplicated` treats it, and never a crash."""
    import pandas as pd

    from klout_cli.ingest.aggregate import drop_duplicates

    path = tmp_path / "a.csv"
    path.write_text(
        csv_text(
            [
                post("ana", "2024-03-01T10:00:00Z", post_id="a1", likes=1),
                post("bo", "2024-03-02T10:00:00Z", post_id="b1", likes=2),
            ]
        ),
        encoding="utf-8",
    )
    rows, _ = read_sources([str(path)])
    rows = pd.concat([rows, rows, rows], ignore_index=True).astype({"post_id": object})
    rows.loc[rows["account"] == "ana", "post_id"] = None  # ana's three copies lose their id
    unique = drop_duplicates(rows)
    assert sorted(unique["account"]) == ["ana", "bo"]  # each item once: none crashes, none is lost
    nullable = rows.astype({"post_id": "string"})  # pandas' nullable strings: a missing id is NA
    assert sorted(drop_duplicates(nullable)["account"]) == ["ana", "bo"]


@st.composite
def tied_items(draw: st.DrawFn) -> list[dict[str, object]]:
    """Content rows of a few accounts whose counts and times often tie, and whose post ids sort
    differently by code point, by case and as numbers."""
    ids = st.text(alphabet="aAzZ09é李_-", min_size=1, max_size=4)
    rows = []
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.sampled_from(["post", "reply", "share", "like"]))
        rows.append(
            {
                "account": draw(st.sampled_from(["ana", "bo", "Ça"])),
                "timestamp": f"2024-03-{draw(st.integers(20, 30))}T12:00:00Z",
                "platform": draw(st.sampled_from(["twitter", "mastodon"])),
                "kind": kind,
                "post_id": draw(ids),
                "target": "bo" if kind == "like" else "",
                "likes": draw(st.integers(0, 3)),
                "shares": draw(st.integers(0, 1)),
            }
        )
    return rows


@settings(max_examples=80, deadline=None)
@given(tied_items())
def test_top_items_are_the_best_three_by_counted_then_newest_then_post_id(rows: list[dict[str, object]]) -> None:
    """Checked against a plain sort of each account's own items (posts and replies: a share is
    someone else's): ties go to the newer item, then the smaller post id (by code point),
    whatever the order of the rows."""
    model = load_model().model
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.csv"
        path.write_text(csv_text(rows), encoding="utf-8")
        frame, _ = read_sources([str(path)])
    window = window_rows(frame, model, AS_OF)
    found = top_items(window, model, 3)
    expected: dict[tuple[str, str], list[tuple[float, str, str]]] = {}
    for row in window.rows.itertuples():
        if row.kind not in ("post", "reply"):
            continue
        weighted = sum(getattr(row, action) * weight for action, weight in model.actions.items())
        counted = weighted * 0.5 ** ((AS_OF - row.timestamp).total_seconds() / 86400 / model.half_life_days)
        if counted > 0:
            ranked = (-counted, -row.timestamp.timestamp(), row.post_id)  # best, newest, smallest id first
            expected.setdefault((row.account, row.platform), []).append(ranked)
    for key in expected:
        expected[key] = sorted(expected[key])[:3]
    assert {key: [(item.timestamp, item.post_id) for item in items] for key, items in found.items()} == {
        key: [(datetime.fromtimestamp(-stamp, timezone.utc).isoformat(), post_id) for _, stamp, post_id in items]
        for key, items in expected.items()
    }


def test_top_items_of_a_frame_made_in_code_tie_by_the_text_of_their_ids() -> None:
    """Ids that are numbers or missing (only in frames made in code) sort as their text, as
    `str()` writes them: 10 before 2, a missing id as 'nan'."""
    model = load_model().model
    stamp = pd.Timestamp("2024-03-30T12:00:00Z")
    ids = [9, 10, 100, 2, float("nan"), "a1", "z1"]
    frame = pd.DataFrame(
        {
            "account": "ana",
            "timestamp": [stamp] * len(ids),
            "platform": "twitter",
            "kind": "post",
            "post_id": pd.Series(ids, dtype=object),
            "target": "",
            **{name: [1.0] * len(ids) for name in ("likes", "shares", "replies", "impressions", "clicks")},
            "followers": float("nan"),
            "following": float("nan"),
            "topics": "",
            "text": "",
        }
    )
    window = window_rows(frame, model, AS_OF)
    chosen = [item.post_id for item in top_items(window, model, 7)[("ana", "twitter")]]
    assert [str(post_id) for post_id in chosen] == sorted(str(post_id) for post_id in ids)
