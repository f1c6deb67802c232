"""Signals, the 1-100 scale and the exact breakdown.

score = base + sum(contribution points) + sum(penalty points), exactly: the points are shares of
the score above the base, split in proportion to each signal's weighted normalised value.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

from klout_cli.core.features import AccountFeatures
from klout_cli.core.flags import Finding, detect
from klout_cli.core.model import Model, SignalSpec

BASE = 1.0
TOP = 100.0
#: Scores are shown and ranked at this precision: equal there, equal rank (then by name).
RANK_DECIMALS = 2


@dataclass(slots=True)
class Contribution:
    """One signal's part of a score."""

    signal: str
    raw: float
    """The measure before normalising, in its own unit (followers, engagements per item, ...)."""
    normalized: float
    """The raw measure mapped into [0, 1] by the signal's transform and cap."""
    weight: float
    points: float
    detail: str
    """The raw measure in plain words."""


@dataclass(slots=True)
class Penalty:
    """Points taken off, with the reason (network and gaming penalties arrive with #4)."""

    name: str
    reason: str
    points: float


@dataclass(slots=True)
class Score:
    """An account's 1-100 score and its exact breakdown."""

    account: str
    platform: str
    score: float
    base: float
    contributions: tuple[Contribution, ...]
    penalties: tuple[Penalty, ...]
    features: AccountFeatures
    absolute: float
    """The absolute score; equal to `score` unless the scores were made relative."""
    findings: tuple[Finding, ...] = ()
    """The gaming flags that fired (the penalties say what each cost)."""

    def raw(self, signal: str) -> float:
        """A signal's raw measure, as the score measured it."""
        return next(part.raw for part in self.contributions if part.signal == signal)

    def subscores(self) -> dict[str, float]:
        """Each signal's normalised value on a 0-100 scale."""
        return {part.signal: 100.0 * part.normalized for part in self.contributions}

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(penalty.name for penalty in self.penalties)


@cache
def _normalizer(spec: SignalSpec) -> Callable[[float], float]:
    """`Scorer.normalize` for one signal, its constants worked out once (the same arithmetic)."""
    cap = spec.cap
    if spec.transform == "log":
        log_cap = math.log1p(cap)
        return lambda raw: 0.0 if raw <= 0 else min(1.0, math.log1p(raw) / log_cap)
    if spec.transform == "sqrt":
        return lambda raw: 0.0 if raw <= 0 else min(1.0, math.sqrt(raw / cap))
    return lambda raw: 0.0 if raw <= 0 else min(1.0, raw / cap)


def _plural(count: float, word: str) -> str:
    return f"{count:,.0f} {word}" + ("" if round(count) == 1 else "s")


class Scorer:
    """Scores accounts under one model; builds the model's constants once."""

    def __init__(self, model: Model) -> None:
        self.model = model
        weeks = model.window_weeks
        self.week_weights = [0.5 ** (7 * week / model.half_life_days) for week in range(weeks)]
        self.all_weeks = math.fsum(self.week_weights)
        self.total_weight = model.total_weight
        self.measures: dict[str, Callable[[AccountFeatures], tuple[float, str]]] = {
            "reach": self._reach,
            "engagement": self._engagement,
            "amplification": self._amplification,
            "activity": self._activity,
            "true_reach": self._true_reach,
            "network_impact": self._network_impact,
        }
        # built once per model, so scoring an account does no lookups by name
        self._plan = [(spec, self.measures[spec.name], _normalizer(spec), spec.weight) for spec in model.signals]

    # -- raw measures: (value, the value in plain words) -------------------------------------
    def _per_item(self, features: AccountFeatures) -> float:
        return features.weighted_items + self.model.prior_items

    def _reach(self, features: AccountFeatures) -> tuple[float, str]:
        if features.followers is None:
            return 0.0, "audience unknown (no followers column)"
        return features.followers, _plural(features.followers, "follower")

    def _engagement(self, features: AccountFeatures) -> tuple[float, str]:
        weighted = features.weighted(self.model.actions)
        denominator = self._per_item(features)
        value = weighted / denominator if denominator > 0 else 0.0
        return value, f"{value:,.1f} weighted engagements per item over {_plural(features.items, 'item')}"

    def _amplification(self, features: AccountFeatures) -> tuple[float, str]:
        denominator = self._per_item(features)
        value = features.shares / denominator if denominator > 0 else 0.0
        return value, f"{value:,.1f} shares per item over {_plural(features.items, 'item')}"

    def _activity(self, features: AccountFeatures) -> tuple[float, str]:
        mask = features.active_weeks
        active = [weight for week, weight in enumerate(self.week_weights) if mask >> week & 1]
        value = math.fsum(active) / self.all_weeks
        return value, (
            f"engaged items in {len(active)} of the last {len(self.week_weights)} weeks (recent weeks count more)"
        )

    def _true_reach(self, features: AccountFeatures) -> tuple[float, str]:
        value = max(float(features.engagers), features.peak_item)
        return value, (
            f"{features.engagers:,} distinct accounts engaged (interaction rows); "
            f"one item reached {features.peak_item:,.0f} people"
        )

    def _network_impact(self, features: AccountFeatures) -> tuple[float, str]:
        return features.network, (
            f"{features.network:,.1f} trust-weighted engagements from {_plural(features.engagers, 'engager')}"
            + (f", {100 * features.bot_share:.0f}% of it from bots" if features.bot_share >= 0.005 else "")
        )

    def engagement_per_item(self, features: AccountFeatures) -> float:
        return self._engagement(features)[0]

    # -- normalising and scoring ----------------------------------------------------------
    @staticmethod
    def normalize(raw: float, spec: SignalSpec) -> float:
        """Map a raw measure into [0, 1]; every transform saturates at the cap."""
        return _normalizer(spec)(raw)

    def _above(self, raws: Mapping[str, float]) -> float:
        """Points above the base that these raw measures earn, before penalties."""
        achieved = math.fsum([weight * normalize(raws[spec.name]) for spec, _, normalize, weight in self._plan])
        return self._scaled(achieved)

    def _scaled(self, achieved: float) -> float:
        """Points above the base for this much weighted normalised value."""
        if not self.total_weight:  # topic scores of a model weighting only account-wide signals
            return 0.0
        return (TOP - BASE) * float(min(1.0, achieved / self.total_weight) ** self.model.curve)

    def findings(self, features: AccountFeatures) -> list[Finding]:
        """The gaming flags that fire for an account."""
        return detect(features, self.model, self.engagement_per_item(features))

    def _penalties(self, raws: Mapping[str, float], above: float, findings: Sequence[Finding]) -> tuple[Penalty, ...]:
        """Each flag takes off what its gaming earned, plus its fixed penalty; never below the base.

        What gaming earned is measured by scoring again with the gamed share of the raw measures
        left out (bots' engagement counts for nothing, a bought audience is no audience); flags
        that void the same measure do not take it twice.
        """
        current = dict(raws)
        remaining = previous = above
        penalties = []
        for finding in findings:
            for signal in finding.voids:
                current[signal] = min(current[signal], raws[signal] * (1 - finding.share))
            after = self._above(current)
            gamed, previous = max(0.0, previous - after), after
            cost = min(finding.penalty + gamed, remaining)
            remaining -= cost
            reason = (
                f"{finding.evidence}; without the gamed {100 * finding.share:.0f}% of "
                f"{', '.join(finding.voids)} it earns {gamed:.1f} points less"
                + (f", and the flag costs {finding.penalty:g} more" if finding.penalty else "")
            )
            penalties.append(Penalty(name=finding.name, reason=reason, points=-cost))
        return tuple(penalties)

    def score(self, features: AccountFeatures, findings: Sequence[Finding] | None = None) -> Score:
        """Score an account; `findings` are its flags when they were found elsewhere (topic scores
        take the account's flags), else they are detected from `features`."""
        measured = []
        parts = []
        for spec, measure, normalize, weight in self._plan:
            raw, detail = measure(features)
            normalized = normalize(raw)
            measured.append((spec.name, raw, normalized, weight, detail))
            parts.append(weight * normalized)
        achieved = math.fsum(parts)
        above = self._scaled(achieved)
        contributions = tuple(
            [
                Contribution(name, raw, normalized, weight, above * part / achieved if achieved > 0 else 0.0, detail)
                for (name, raw, normalized, weight, detail), part in zip(measured, parts)
            ]
        )
        earned = math.fsum([part.points for part in contributions])
        if findings is None:  # the engagement signal's raw measure is the detectors' engagement per item
            per_item = next((raw for name, raw, _, _, _ in measured if name == "engagement"), None)
            findings = detect(features, self.model, per_item) if per_item is not None else self.findings(features)
        if findings:
            penalties = self._penalties({part.signal: part.raw for part in contributions}, earned, findings)
            points_total = earned + math.fsum([p.points for p in penalties])
        else:
            penalties, points_total = (), earned + 0.0
        total = min(TOP, max(BASE, BASE + points_total))
        return Score(
            account=features.account,
            platform=features.platform,
            score=total,
            base=BASE,
            contributions=contributions,
            penalties=penalties,
            features=features,
            absolute=total,
            findings=tuple(findings),
        )


def score_account(features: AccountFeatures, model: Model) -> Score:
    """Score one account (for many accounts, build one `Scorer` and reuse it)."""
    return Scorer(model).score(features)


def relative_scores(scores: Sequence[Score]) -> list[Score]:
    """Re-express absolute scores as a percentile-style 1-100 within this population.

    An account scores 1 + 99 * (share of the other accounts it scores at least as well as), and
    an account with nothing scores 1; its contributions are scaled by the same factor so the
    breakdown stays exact.
    """
    ordered = sorted(item.absolute for item in scores)
    others = len(scores) - 1
    result = []
    for item in scores:
        at_or_below = bisect.bisect_right(ordered, item.absolute) - 1  # every other account <= it
        if item.absolute <= BASE:
            relative = BASE
        elif others:
            relative = BASE + (TOP - BASE) * at_or_below / others
        else:
            relative = TOP
        factor = (relative - BASE) / (item.absolute - BASE) if item.absolute > BASE else 0.0
        contributions = tuple(replace(part, points=part.points * factor) for part in item.contributions)
        penalties = tuple(replace(part, points=part.points * factor) for part in item.penalties)
        # the score is the percentile itself, so equal absolute scores stay exactly equal
        result.append(replace(item, score=relative, contributions=contributions, penalties=penalties))
    return result


def rank_scores(scores: Iterable[Score]) -> list[tuple[int, Score]]:
    """Order by score as shown (then account, platform) and number them; equal scores share a rank."""
    ordered = sorted(scores, key=lambda item: (-round(item.score, RANK_DECIMALS), item.account, item.platform))
    return list(zip(competition_ranks([round(item.score, RANK_DECIMALS) for item in ordered]), ordered))


def competition_ranks(sorted_scores: Sequence[float]) -> list[int]:
    """Ranks for scores already sorted high to low: 1, 2, 2, 4 ..."""
    ranks: list[int] = []
    for position, value in enumerate(sorted_scores):
        if position and value == sorted_scores[position - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks
