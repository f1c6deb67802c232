"""Comparing breakdowns: the median account and the signal that moved most."""

from __future__ import annotations

import pytest

from klout_cli.core import AccountFeatures, Model, Scorer, biggest_move, format_raw, medians


def test_medians_are_per_signal_medians_of_raw_values_and_points(model: Model) -> None:
    scorer = Scorer(model)
    scores = [
        scorer.score(
            AccountFeatures(name, "x", items=4, weighted_items=4, likes=likes, peak_item=likes, followers=followers)
        )
        for name, likes, followers in (("a", 0, 100), ("b", 40, 1_000), ("c", 400, 50_000))
    ]
    found = medians(scores)
    assert found["score"] == scores[1].score
    assert found["signals"]["reach"]["raw"] == 1_000
    assert found["signals"]["engagement"]["points"] == scores[1].contributions[1].points
    assert medians([]) == {}


def test_the_biggest_move_names_the_signal_its_points_and_its_raw_values() -> None:
    before = [
        {"signal": "engagement", "raw": 38.2, "points": 20.0},
        {"signal": "amplification", "raw": 9.1, "points": 10.0},
    ]
    after = [
        {"signal": "engagement", "raw": 20.1, "points": 13.8},
        {"signal": "amplification", "raw": 9.0, "points": 9.9},
    ]
    move = biggest_move(before, [], after, [])
    assert move is not None and move.signal == "engagement"
    assert move.points == pytest.approx(-6.2)
    assert move.sentence() == "engagement -6.2: 38.2 → 20.1 weighted engagements per item"
    assert biggest_move(before, [], before, []) is None


def test_a_flag_raised_or_gone_can_be_the_biggest_move() -> None:
    signals = [{"signal": "engagement", "raw": 38.2, "points": 20.0}]
    nudged = [{"signal": "engagement", "raw": 39.0, "points": 20.5}]
    pod = [{"name": "pod", "reason": "...", "points": -18.8}]
    gone = biggest_move(signals, pod, nudged, [])
    assert gone is not None and gone.sentence() == "pod flag gone +18.8"
    raised = biggest_move(nudged, [], signals, pod)
    assert raised is not None and raised.sentence() == "pod flag raised -18.8"


def test_a_signal_only_one_side_has_counts_from_zero() -> None:
    move = biggest_move([], [], [{"signal": "reach", "raw": 5000.0, "points": 9.0}], [])
    assert move is not None and move.sentence() == "reach +9.0: 0 → 5,000 followers"


@pytest.mark.parametrize(
    ("signal", "raw", "shown"),
    [("reach", 12345.6, "12,346"), ("activity", 0.516, "52%"), ("engagement", 3.14159, "3.1")],
)
def test_raw_values_are_shown_in_their_units_usual_form(signal: str, raw: float, shown: str) -> None:
    assert format_raw(signal, raw) == shown
