"""Comparing scores: the median account of a run, and what moved between two breakdowns."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from klout_cli.core.scoring import Score

#: What each signal's raw value counts, for sentences like "38.2 → 20.1 shares per item".
UNITS: dict[str, str] = {
    "reach": "followers",
    "engagement": "weighted engagements per item",
    "amplification": "shares per item",
    "activity": "of recent weeks engaged",
    "true_reach": "people moved per item",
    "network_impact": "trust-weighted engagements per item",
}


def format_raw(signal: str, raw: float) -> str:
    """A raw value in its unit's usual form: followers whole, activity in percent, others 0.1."""
    if signal == "reach":
        return f"{raw:,.0f}"
    if signal == "activity":
        return f"{100 * raw:.0f}%"
    return f"{raw:,.1f}"


def medians(scores: Sequence[Score]) -> dict[str, Any]:
    """The median account of a run (dormant accounts, with nothing in the window, left out): median
    score, and per signal the median raw value and points."""
    scores = [score for score in scores if score.features.last_active is None]
    if not scores:
        return {}
    # read from each score's numbers (raws first, points last; see `Score.numbers`), not its
    # `parts`, which makes a tuple for every signal: twelve times for each score of a run
    names = scores[0].scorer.names
    points_at = 2 * len(names)
    by_signal: dict[str, dict[str, float]] = {}
    for index, signal in enumerate(names):
        by_signal[signal] = {
            "raw": statistics.median(score.numbers[index] for score in scores),
            "points": statistics.median(score.numbers[points_at + index] for score in scores),
        }
    return {"score": statistics.median(score.score for score in scores), "signals": by_signal}


@dataclass(frozen=True)
class Move:
    """The signal (or flag) whose points changed most between two breakdowns of one account."""

    signal: str
    points: float
    raw_before: float
    raw_after: float
    flag: bool = False

    def sentence(self) -> str:
        """'engagement -6.2: 38.2 → 20.1 weighted engagements per item', or 'pod flag gone +18.8'."""
        if self.flag:
            state = "raised" if self.raw_before == 0 else "gone" if self.raw_after == 0 else "changed"
            return f"{self.signal} flag {state} {self.points:+.1f}"
        unit = UNITS.get(self.signal, "")
        before, after = format_raw(self.signal, self.raw_before), format_raw(self.signal, self.raw_after)
        return f"{self.signal} {self.points:+.1f}: {before} → {after} {unit}".rstrip()


def biggest_move(
    contributions_before: Sequence[Mapping[str, Any]],
    penalties_before: Sequence[Mapping[str, Any]],
    contributions_after: Sequence[Mapping[str, Any]],
    penalties_after: Sequence[Mapping[str, Any]],
) -> Move | None:
    """The signal or flag whose points moved most between two breakdowns; None if nothing moved.

    Contributions are dicts with signal, raw and points; penalties with name and points. What
    only one side has counts from 0 on the other (a model may add or drop a signal; a flag may
    be raised or gone).
    """
    moves = []
    old = {part["signal"]: part for part in contributions_before}
    new = {part["signal"]: part for part in contributions_after}
    for signal in sorted(old.keys() | new.keys()):
        was, now = old.get(signal, {}), new.get(signal, {})
        change = float(now.get("points", 0.0)) - float(was.get("points", 0.0))
        moves.append(Move(signal, change, float(was.get("raw", 0.0)), float(now.get("raw", 0.0))))
    old_flags = {part["name"]: float(part["points"]) for part in penalties_before}
    new_flags = {part["name"]: float(part["points"]) for part in penalties_after}
    for name in sorted(old_flags.keys() | new_flags.keys()):
        was_points, now_points = old_flags.get(name, 0.0), new_flags.get(name, 0.0)
        present = (1.0 if name in old_flags else 0.0, 1.0 if name in new_flags else 0.0)
        moves.append(Move(name, now_points - was_points, *present, flag=True))
    best = max(moves, key=lambda move: abs(move.points), default=None)
    if best is None or abs(best.points) < 0.005:
        return None
    return best
