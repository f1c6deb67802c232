"""Explanations: one account's score, point by point, from a saved run or from files.

Builds plain data (the `explain -f json` shape); render_explain.py turns it into text.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from klout_cli.core import (
    AccountFeatures,
    Model,
    ModelError,
    Scorer,
    StoreError,
    biggest_move,
)
from klout_cli.core.features import COMBINED_SEPARATOR
from klout_cli.rows import plain

Entry = tuple[dict[str, Any], dict[str, Any]]
"""(result row, breakdown) of one account on one platform, as a run keeps it."""


def pick(entries: Sequence[Entry], account: str, platform: str | None, names: Sequence[str], where: str) -> Entry:
    """The entry for `platform` (default: the account's best-ranked platform); a clear error if absent."""
    if not entries:
        raise StoreError(f"no account '{account}' in {where}{suggest(account, names)}")
    if platform is None:
        return entries[0]
    for entry in entries:
        row_platform = entry[0]["platform"]
        if row_platform == platform or platform in row_platform.split(COMBINED_SEPARATOR):
            return entry
    found = ", ".join(entry[0]["platform"] for entry in entries)
    raise StoreError(f"'{account}' has no score on platform '{platform}' in {where} (it has: {found})")


def suggest(account: str, names: Sequence[str]) -> str:
    """' (did you mean: a, b?)' from the closest names, or '' when nothing is close."""
    folded = {name.lower(): name for name in names}
    close = [folded[account.lower()]] if account.lower() in folded else []
    close += [name for name in difflib.get_close_matches(account, names, n=3, cutoff=0.6) if name not in close]
    return f" (did you mean: {', '.join(close[:3])}?)" if close else ""


CONTRIBUTION_KEYS = ("signal", "raw", "normalized", "weight", "points", "detail")
PENALTY_KEYS = ("name", "reason", "points")


def points(score: float, breakdown: Mapping[str, Any]) -> dict[str, Any]:
    """score, base, contributions and penalties of a breakdown: the part of explain that adds up."""
    return {
        "score": score,
        "base": breakdown["base"],
        "contributions": [{key: part[key] for key in CONTRIBUTION_KEYS} for part in breakdown["contributions"]],
        "penalties": [{key: part[key] for key in PENALTY_KEYS} for part in breakdown["penalties"]],
    }


def explanation(
    entry: Entry,
    *,
    source: Mapping[str, Any],
    medians: Mapping[str, Any],
) -> dict[str, Any]:
    """The `explain -f json` shape: score == base + sum(contribution points) + sum(penalty points)."""
    row, breakdown = entry
    return {
        "account": row["account"],
        "platform": row["platform"],
        **points(row["score"], breakdown),
        "source": dict(source),
        "items": row["items"],
        "followers": row["followers"],
        "top_items": breakdown.get("top_items", []),
        "style": breakdown.get("style"),
        "topics": breakdown.get("topics", []),
        "median": dict(medians),
    }


def same_features(run_model: Model, other: Model, *, combined: bool = False) -> str | None:
    """Why features measured under `run_model` cannot be re-scored under `other`, or None if they can.

    The features of a saved run were measured with its model: the window and decay, the action
    weights (which items were engaged), and everything the network trust was computed from.
    Signal weights, the other signals' transforms and caps, flags and the curve may differ.
    """
    checks = [
        ("window_days", run_model.window_days, other.window_days),
        ("half_life_days", run_model.half_life_days, other.half_life_days),
        ("prior_items", run_model.prior_items, other.prior_items),
        ("actions", dict(run_model.actions), dict(other.actions)),
        ("item_cap", run_model.item_cap, other.item_cap),
        (
            "backlash",
            (run_model.max_replies_per_like_or_share, run_model.min_replies),
            (other.max_replies_per_like_or_share, other.min_replies),
        ),
        ("timezone", run_model.timezone, other.timezone),
        ("flags.spam-volume.min_items_per_day", _busy_day(run_model), _busy_day(other)),
        ("network", run_model.network, other.network),
        *(
            # an engager's own trust comes from these two measures' transforms and caps
            (f"signals.{name}.transform or cap", _shape(run_model, name), _shape(other, name))
            for name in ("reach", "engagement")
        ),
    ]
    if combined:
        checks.append(("platforms", dict(run_model.platforms), dict(other.platforms)))
    for name, then, now in checks:
        if then != now:
            return name
    return None


def rescore(breakdown: Mapping[str, Any], other: Model) -> dict[str, Any]:
    """The same account's features scored under another model (absolute), as contributions."""
    score = Scorer(other).score(AccountFeatures(**breakdown["features"]))
    parts = {
        "base": score.base,
        "contributions": [plain(part) for part in score.contributions],
        "penalties": [plain(part) for part in score.penalties],
    }
    return points(score.score, parts)


def _busy_day(model: Model) -> float | None:
    """The items a day that make a busy day (its features count them)."""
    return model.flag("spam-volume").thresholds["min_items_per_day"] if model.has_flag("spam-volume") else None


def _shape(model: Model, signal: str) -> tuple[str, float]:
    spec = model.signal(signal)
    return spec.transform, spec.cap


def check_rescorable(run_model: Model, other: Model, other_name: str, *, combined: bool = False) -> None:
    reason = same_features(run_model, other, combined=combined)
    if reason:
        raise ModelError(
            f"{other_name} changes {reason}, which needs the rows themselves: "
            "pass the input files too (kscore explain ACCOUNT FILE... --model ...)"
        )


def history_rows(found: Sequence[tuple[int, str, dict[str, Any], dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per run and platform: score, change since the previous run, and what moved most."""
    rows = []
    previous: dict[str, tuple[float, tuple[list[dict[str, Any]], list[dict[str, Any]]]]] = {}
    for run_id, as_of, row, breakdown in found:
        platform = row["platform"]
        before = previous.get(platform)
        change = row["score"] - before[0] if before else None
        move = biggest_move(*before[1], breakdown["contributions"], breakdown["penalties"]) if before else None
        rows.append(
            {
                "run": run_id,
                "as_of": as_of[:10],
                "platform": platform,
                "score": row["score"],
                "change": change,
                "moved_most": move.sentence() if move else "",
            }
        )
        previous[platform] = (row["score"], (breakdown["contributions"], breakdown["penalties"]))
    return rows


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(scores: Sequence[float]) -> str:
    """Scores on the absolute 1-100 scale as one character each (not stretched to min-max)."""
    return "".join(SPARKS[min(len(SPARKS) - 1, int((score - 1) / 99 * len(SPARKS)))] for score in scores)


def mover_rows(
    before: Mapping[tuple[str, str], Entry], after: Mapping[tuple[str, str], Entry], top: int
) -> list[dict[str, Any]]:
    """Biggest risers, biggest fallers, then accounts new or gone between two runs (each up to `top`)."""
    changed = []
    for key in before.keys() & after.keys():
        (old_row, old_breakdown), (new_row, new_breakdown) = before[key], after[key]
        change = new_row["score"] - old_row["score"]
        move = biggest_move(
            old_breakdown["contributions"],
            old_breakdown["penalties"],
            new_breakdown["contributions"],
            new_breakdown["penalties"],
        )
        changed.append((change, key, old_row["score"], new_row["score"], move.sentence() if move else ""))
    risers = sorted((item for item in changed if item[0] > 0.005), key=lambda item: (-item[0], item[1]))[:top]
    fallers = sorted((item for item in changed if item[0] < -0.005), key=lambda item: (item[0], item[1]))[:top]
    rows = [
        {"movement": label, "account": key[0], "platform": key[1], "from": old, "to": new, "change": change, "why": why}
        for label, group in (("up", risers), ("down", fallers))
        for change, key, old, new, why in group
    ]
    for label, only, other in (("new", after, before), ("gone", before, after)):
        missing = sorted((key for key in only.keys() - other.keys()), key=lambda key: (-only[key][0]["score"], key))
        for key in missing[:top]:
            score = only[key][0]["score"]
            rows.append(
                {
                    "movement": label,
                    "account": key[0],
                    "platform": key[1],
                    "from": score if label == "gone" else None,
                    "to": score if label == "new" else None,
                    "change": None,
                    "why": "first scored in this run" if label == "new" else "not in the later run",
                }
            )
    return rows
