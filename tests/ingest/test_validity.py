"""#16 from rows: one outlier cannot carry an account, calendar days, pods of any size, the window."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klout_cli.compute import compute_run
from klout_cli.core import AccountFeatures, Model
from klout_cli.modelfile import load_model
from tests.ingest.helpers import csv_text, network_features, scores_of

AS_OF = datetime(2024, 6, 30, 12, tzinfo=timezone.utc)


def at(hours_ago: float) -> str:
    return (AS_OF - timedelta(hours=hours_ago)).isoformat()


def post(account: str, hours_ago: float, likes: int = 0, **more: object) -> dict[str, object]:
    return {"account": account, "timestamp": at(hours_ago), "platform": "twitter", "likes": likes, **more}


def features(tmp_path: Path, model: Model, rows: list[dict[str, object]]) -> dict[str, AccountFeatures]:
    return network_features(tmp_path, model, rows, AS_OF)


# -- one outlier -----------------------------------------------------------------------------
def test_the_best_item_counts_at_most_item_cap_times_the_next_best(tmp_path: Path, model: Model) -> None:
    rows = [post("ana", 24 * day, likes=10) for day in range(1, 10)] + [post("ana", 1, likes=5000)]
    ana = features(tmp_path, model, rows)["ana"]
    plain = features(tmp_path, replace(model, item_cap=1e9), rows)["ana"]
    # the outlier counts as 10 times the next best (10 likes): 100, not 5,000
    assert ana.capped_engagement == pytest.approx(plain.capped_engagement - (5000 - 100) * 0.5 ** (1 / 24 / 30))
    assert ana.likes == plain.likes  # what the items received is kept as it was


@given(st.integers(min_value=1, max_value=10**7))
def test_one_outlier_item_never_lifts_an_account_past_a_tenfold_best_item(outlier: int) -> None:
    """However many likes one item has, the score is at most that of the account whose best item
    drew ten times its next best."""
    base = [post("ana", 24 * day, likes=10, post_id=f"a{day}", followers=1000) for day in range(1, 10)]
    with_outlier = scores_of([[*base, post("ana", 1, likes=outlier, post_id="x", followers=1000)]])
    at_the_cap = scores_of([[*base, post("ana", 1, likes=100, post_id="x", followers=1000)]])
    assert with_outlier[("ana", "twitter")] <= at_the_cap[("ana", "twitter")] + 1e-9


# -- calendar days ----------------------------------------------------------------------------
def test_busy_days_are_calendar_days_in_the_models_time_zone(tmp_path: Path, model: Model) -> None:
    """Two items an hour apart around 15:00 UTC: one calendar day in UTC, two in Tokyo (00:00 there),
    whatever the as-of (a day is no longer 24 hours counted back from it)."""
    rows = [post("ana", 21.5, likes=1), post("ana", 20.5, likes=1)]  # 14:30 and 15:30 UTC on June 29
    assert features(tmp_path, model, rows)["ana"].busiest_day == 2
    tokyo = replace(model, timezone="Asia/Tokyo")
    assert features(tmp_path, tokyo, rows)["ana"].busiest_day == 1
    # an as-of at 15:00 would have split them into two 24-hour blocks counted back from it
    at_three = datetime(2024, 6, 30, 15, tzinfo=timezone.utc)
    assert network_features(tmp_path, model, rows, at_three)["ana"].busiest_day == 2


# -- pods of any size -------------------------------------------------------------------------
@pytest.mark.parametrize("size", [4, 30])
def test_a_ring_that_likes_everything_of_each_other_is_dense_at_any_size(
    tmp_path: Path, model: Model, size: int
) -> None:
    members = [f"m{number:02}" for number in range(size)]
    rows = [post(member, 5 + day, likes=size - 1, post_id=f"{member}-{day}") for member in members for day in range(3)]
    rows += [
        {"account": other, "timestamp": at(4), "platform": "twitter", "kind": "like", "target": member}
        for member in members
        for other in members
        if other != member
    ]
    found = features(tmp_path, model, rows)
    assert {(item.ring_size, item.ring_density) for item in found.values()} == {(size - 1, 1.0)}
    path = tmp_path / "pod.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    result = compute_run([str(path)], load_model(), as_of=AS_OF)
    assert all("pod" in score.flags for _, score in result.ranked)  # every member flagged


def test_friends_with_circles_of_their_own_are_not_dense(tmp_path: Path, model: Model) -> None:
    """ana engages back and forth with six friends who do not engage each other."""
    friends = [f"f{number}" for number in range(6)]
    rows = [post("ana", 5, likes=30, post_id="a1")] + [post(name, 6, likes=3, post_id=name) for name in friends]
    for name in friends:
        rows += [
            {"account": name, "timestamp": at(4), "platform": "twitter", "kind": "like", "target": "ana"},
            {"account": "ana", "timestamp": at(4), "platform": "twitter", "kind": "like", "target": name},
        ]
    ana = features(tmp_path, model, rows)["ana"]
    assert (ana.ring_size, ana.ring_density) == (6, 0.0)


# -- the window -------------------------------------------------------------------------------
def test_an_account_with_nothing_in_the_window_is_listed_with_when_it_was_last_seen(
    tmp_path: Path, model: Model
) -> None:
    rows = [post("ana", 1, likes=5), post("old", 24 * 200, likes=500), post("new", -48, likes=5)]
    found = features(tmp_path, model, rows)
    assert found["ana"].last_active is None
    assert found["old"].last_active == (AS_OF - timedelta(days=200)).isoformat()
    assert found["new"].last_active == (AS_OF + timedelta(days=2)).isoformat()
    assert (found["old"].items, found["old"].weighted_items) == (0, 0.0)
