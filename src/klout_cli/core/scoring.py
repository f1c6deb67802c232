"""Signals, the 1-100 scale and the exact breakdown.

score = base + sum(contribution points) + sum(penalty points), exactly: the points are shares of
the score above the base, split in proportion to each signal's weighted normalised value.
"""

from __future__ import annotations

import bisect
import math
import struct
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from klout_cli.core.basics import RANK_DECIMALS as RANK_DECIMALS
from klout_cli.core.basics import competition_ranks as competition_ranks
from klout_cli.core.features import AccountFeatures, weighted_all
from klout_cli.core.flags import Detectors, Finding
from klout_cli.core.model import Model, SignalSpec

BASE = 1.0
TOP = 100.0
#: How many accounts `Scorer.score_all` measures at once.
BATCH = 4096


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


Part = tuple[str, float, float, float, float]
"""A signal's numbers in a score: (signal, raw, normalised, weight, points)."""
Charge = tuple[Finding, float, float]
"""A flag's numbers in a score: (finding, points its gaming earned, points taken off (negative))."""


@dataclass(slots=True)
class Score:
    """An account's 1-100 score and its exact breakdown.

    The numbers are worked out when it is scored; the words that go with them (each measure in
    plain words, each penalty's reason) only when `contributions` or `penalties` is first read,
    as a run shows or keeps a breakdown: most of the cost of a score was its words.
    """

    account: str
    platform: str
    score: float
    base: float
    features: AccountFeatures
    absolute: float
    """The absolute score; equal to `score` unless the scores were made relative."""
    findings: tuple[Finding, ...]
    """The gaming flags that fired (the penalties say what each cost)."""
    numbers: array[float]
    """Each signal's raw measure, in the model's order, then each one's normalised value, then
    its points: what `parts` names and weighs. One array of doubles, not a tuple for each signal:
    a run keeps every score until it is saved, and the tuples took about 0.9 KB a score."""
    charges: tuple[Charge, ...]
    """Each fired flag's numbers: what `penalties` puts in words."""
    scorer: Scorer = field(repr=False, compare=False)
    """The scorer that measured it: it says what each measure means."""
    _contributions: tuple[Contribution, ...] | None = field(default=None, init=False, repr=False, compare=False)
    _penalties: tuple[Penalty, ...] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def contributions(self) -> tuple[Contribution, ...]:
        """Each signal's part of the score, its measure in plain words (kept once worded)."""
        if self._contributions is None:
            self._contributions = self._worded_contributions()
        return self._contributions

    @property
    def penalties(self) -> tuple[Penalty, ...]:
        """Each flag's points taken off, with the reason (kept once worded)."""
        if self._penalties is None:
            self._penalties = self._worded_penalties()
        return self._penalties

    def worded(self) -> tuple[tuple[Contribution, ...], tuple[Penalty, ...]]:
        """`contributions` and `penalties`, worded without being kept: a run words every score
        once, to save it, and keeping all those words took about 1.5 KB a score."""
        return (
            self._contributions if self._contributions is not None else self._worded_contributions(),
            self._penalties if self._penalties is not None else self._worded_penalties(),
        )

    @property
    def parts(self) -> tuple[Part, ...]:
        """Each signal's numbers, in the model's order: what `contributions` puts in words."""
        names, numbers = self.scorer.names, self.numbers
        count = len(names)
        return tuple(zip(names, numbers[:count], numbers[count : 2 * count], self.scorer.weights, numbers[2 * count :]))

    def _worded_contributions(self) -> tuple[Contribution, ...]:
        describe = self.scorer.describe
        return tuple(
            [
                Contribution(signal, raw, normalized, weight, points, describe(signal, self.features, raw))
                for signal, raw, normalized, weight, points in self.parts
            ]
        )

    def _worded_penalties(self) -> tuple[Penalty, ...]:
        return tuple([Penalty(finding.name, reason(finding, gamed), points) for finding, gamed, points in self.charges])

    def raw(self, signal: str) -> float:
        """A signal's raw measure, as the score measured it."""
        return self.numbers[self.scorer.names.index(signal)]

    def subscores(self) -> dict[str, float]:
        """Each signal's normalised value on a 0-100 scale."""
        names = self.scorer.names
        return {signal: 100.0 * normalized for signal, normalized in zip(names, self.numbers[len(names) :])}

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple([finding.name for finding, _, _ in self.charges])


@cache
def _normalizer(spec: SignalSpec) -> Callable[[Iterable[float]], list[float]]:
    """`Scorer.normalize` for one signal, over many raw measures at once, its constants worked out once."""
    cap, curve = spec.cap, spec.curve
    if spec.transform == "log":
        log_cap, log1p = math.log1p(cap), math.log1p

        def transformed(raw: float) -> float:
            return log1p(raw) / log_cap
    elif spec.transform == "sqrt":
        sqrt = math.sqrt

        def transformed(raw: float) -> float:
            return sqrt(raw / cap)
    else:

        def transformed(raw: float) -> float:
            return raw / cap

    def normalize(raws: Iterable[float]) -> list[float]:
        # (min(1.0, NaN) is 1.0: a NaN measure saturates, as it always has)
        found = [0.0 if raw <= 0 else min(1.0, transformed(raw)) for raw in raws]
        return found if curve == 1 else [value**curve for value in found]

    return normalize


def _plural(count: float, word: str) -> str:
    return f"{count:,.0f} {word}" + ("" if round(count) == 1 else "s")


def reason(finding: Finding, gamed: float) -> str:
    """Why a flag took points off: its evidence, what the gaming earned, and the fixed fine."""
    if finding.limits is None:
        what = f"the gamed {100 * finding.share:.0f}% of {', '.join(finding.voids)}"
    else:
        what = f"what is beyond that in {', '.join(finding.voids)}"
    return f"{finding.evidence} (strength {finding.strength:,.1f}); without {what} it earns {gamed:.1f} points less" + (
        f", and the flag costs {finding.penalty:g} more" if finding.penalty else ""
    )


Accounts = Sequence[AccountFeatures]
Measure = Callable[[Accounts, Sequence[float], Sequence[float]], list[float]]
"""A signal's raw measure of many accounts, given what each one's items received (weighted by
action) and how many items each counts for per item (decayed, with the prior items)."""


class Scorer:
    """Scores accounts under one model; builds the model's constants once."""

    def __init__(self, model: Model) -> None:
        self.model = model
        weeks = model.window_weeks
        self.week_weights = [0.5 ** (7 * week / model.half_life_days) for week in range(weeks)]
        self.all_weeks = math.fsum(self.week_weights)
        self.total_weight = model.total_weight
        self.measures: dict[str, Measure] = {
            "reach": self._reach,
            "engagement": self._engagement,
            "amplification": self._amplification,
            "activity": self._activity,
            "true_reach": self._true_reach,
            "network_impact": self._network_impact,
        }
        self.descriptions: dict[str, Callable[[AccountFeatures, float], str]] = {
            "reach": self._reach_words,
            "engagement": self._engagement_words,
            "amplification": self._amplification_words,
            "activity": self._activity_words,
            "true_reach": self._true_reach_words,
            "network_impact": self._network_impact_words,
        }
        # each signal's measure, normaliser and weight in the model's order, built once per model,
        # so scoring an account does no lookups by name
        specs = model.signals
        self.names = tuple(spec.name for spec in specs)
        """The signals, in the model's order."""
        self._measures = tuple(self.measures[spec.name] for spec in specs)
        self._normalizers = tuple(_normalizer(spec) for spec in specs)
        self.weights = tuple(spec.weight for spec in specs)
        """Each signal's weight, in the model's order."""
        self._detect = Detectors(model)
        self._position = {name: at for at, name in enumerate(self.names)}
        self._voided: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._engagement_at = self.names.index("engagement") if "engagement" in self.names else None
        self._reach_weight = self.weights[self.names.index("reach")] if "reach" in self.names else 0.0
        self._weeks_engaged: dict[int, float] = {}
        # a score's numbers (raws, normalised values, points) as bytes for its array in one call
        self._pack = struct.Struct(f"{3 * len(self.names)}d").pack

    def __reduce__(self) -> tuple[type[Scorer], tuple[Model]]:
        """Pickled as its model (its normalisers are closures): a score pickles with its scorer."""
        return Scorer, (self.model,)

    # -- raw measures, of many accounts at once, and each in plain words ----------------------
    def _per_item(self, accounts: Accounts) -> list[float]:
        prior = self.model.prior_items
        return [features.weighted_items + prior for features in accounts]

    def _reach(self, accounts: Accounts, received: Sequence[float], items: Sequence[float]) -> list[float]:
        return [0.0 if (followers := features.followers) is None else followers for features in accounts]

    def _reach_words(self, features: AccountFeatures, raw: float) -> str:
        if features.last_active is not None:
            return "nothing in the window (dormant)"
        if features.followers is None:
            return "audience unknown (no followers column): its weight goes to the other signals"
        return _plural(features.followers, "follower")

    def _per_item_of(self, totals: Sequence[float], items: Sequence[float]) -> list[float]:
        """A total over the items, per item (the prior's silent items counted)."""
        return [total / counted if counted > 0 else 0.0 for total, counted in zip(totals, items)]

    def _engagement(self, accounts: Accounts, received: Sequence[float], items: Sequence[float]) -> list[float]:
        return self._per_item_of([features.capped_engagement for features in accounts], items)

    def _engagement_words(self, features: AccountFeatures, raw: float) -> str:
        words = f"{raw:,.1f} weighted engagements per item over {_plural(features.items, 'item')}"
        if features.ratioed_items:
            words += (
                f"; {features.backlash_replies:,.0f} replies on {_plural(features.ratioed_items, 'ratioed item')} "
                "not counted (backlash)"
            )
        return words

    def _amplification(self, accounts: Accounts, received: Sequence[float], items: Sequence[float]) -> list[float]:
        return self._per_item_of([features.capped_shares for features in accounts], items)

    def _amplification_words(self, features: AccountFeatures, raw: float) -> str:
        return f"{raw:,.1f} shares per item over {_plural(features.items, 'item')}"

    def _activity(self, accounts: Accounts, received: Sequence[float], items: Sequence[float]) -> list[float]:
        masks = [features.active_weeks for features in accounts]
        known = self._weeks_engaged
        for mask in set(masks).difference(known):  # accounts share a few patterns of weeks: each is summed once
            active = [weight for week, weight in enumerate(self.week_weights) if mask >> week & 1]
            known[mask] = math.fsum(active) / self.all_weeks
        return [known[mask] for mask in masks]

    def _activity_words(self, features: AccountFeatures, raw: float) -> str:
        weeks = len(self.week_weights)
        active = sum(1 for week in range(weeks) if features.active_weeks >> week & 1)
        return f"engaged items in {active} of the last {weeks} weeks (recent weeks count more)"

    def _true_reach(self, accounts: Accounts, received: Sequence[float], items: Sequence[float]) -> list[float]:
        return self._per_item_of([features.capped_people for features in accounts], items)

    def _true_reach_words(self, features: AccountFeatures, raw: float) -> str:
        return f"{raw:,.1f} people moved per item (its likes, shares or replies, the most)"

    def credibility(self, features: AccountFeatures) -> float:
        """How credible the people who engaged are, on average (their trust, at most 1), with the
        model's prior: engagement the input does not say who gave counts at `prior_credibility`."""
        spec = self.model.network
        prior = spec.prior_engagements
        return (features.network + prior * spec.prior_credibility) / (features.incoming + prior)

    def _network_impact(self, accounts: Accounts, received: Sequence[float], items: Sequence[float]) -> list[float]:
        engagement = self._engagement(accounts, received, items)
        return [typical * self.credibility(features) for typical, features in zip(engagement, accounts)]

    def _network_impact_words(self, features: AccountFeatures, raw: float) -> str:
        if not features.incoming:
            return (
                f"{raw:,.1f} trust-weighted engagements per item (no interaction rows name who engaged: "
                f"credibility {self.credibility(features):.2f} assumed)"
            )
        return (
            f"{raw:,.1f} trust-weighted engagements per item: {_plural(features.engagers, 'engager')}, "
            f"credibility {self.credibility(features):.2f}"
        ) + (f", {100 * features.bot_share:.0f}% of it from bots" if features.bot_share >= 0.005 else "")

    def describe(self, signal: str, features: AccountFeatures, raw: float) -> str:
        """A signal's raw measure of an account in plain words."""
        return self.descriptions[signal](features, raw)

    def engagement_per_item(self, features: AccountFeatures) -> float:
        return self.engagement_all([features])[0]

    def engagement_all(self, accounts: Accounts) -> list[float]:
        """Each account's weighted engagements per item (the engagement signal's raw measure)."""
        return self._engagement(accounts, weighted_all(accounts, self.model.actions), self._per_item(accounts))

    # -- normalising and scoring ----------------------------------------------------------
    @staticmethod
    def normalize(raw: float, spec: SignalSpec) -> float:
        """Map a raw measure into [0, 1]; every transform saturates at the cap."""
        return _normalizer(spec)((raw,))[0]

    @staticmethod
    def normalize_all(raws: Iterable[float], spec: SignalSpec) -> list[float]:
        """`normalize` each raw measure."""
        return _normalizer(spec)(raws)

    def _scaled(self, achieved: float, total: float) -> float:
        """Points above the base for this much weighted normalised value, of `total` weight."""
        if not total:  # topic scores of a model weighting only account-wide signals
            return 0.0
        return (TOP - BASE) * float(min(1.0, achieved / total) ** self.model.curve)

    def counted_weight(self, features: AccountFeatures) -> float:
        """The weight of the signals measured for an account: an audience the input never gave
        is not measured, and its weight goes to the other signals (it is not taken as none)."""
        if features.followers is None:
            return self.total_weight - self._reach_weight
        return self.total_weight

    def findings(self, features: AccountFeatures) -> list[Finding]:
        """The gaming flags that fire for an account."""
        received = features.weighted(self.model.actions)
        per_item = self._engagement([features], [received], self._per_item([features]))[0]
        return self._detect(features, per_item, received)

    def _positions(self, signals: tuple[str, ...]) -> tuple[int, ...]:
        """Where these signals are in the model's order (each flag's voided signals, looked up once)."""
        found = self._voided.get(signals)
        if found is None:
            found = self._voided[signals] = tuple(self._position[signal] for signal in signals)
        return found

    def _charges(
        self, raws: Sequence[float], weighted: Sequence[float], above: float, total: float, findings: Sequence[Finding]
    ) -> tuple[Charge, ...]:
        """Each flag takes off what its gaming earned, plus its fixed penalty; never below the base.

        What gaming earned is measured by scoring again with the gamed share of the raw measures
        left out (bots' engagement counts for nothing, a bought audience is no audience); flags
        that void the same measure do not take it twice. `weighted` holds each signal's weighted
        normalised value, in the model's order (only the voided ones are worked out again).
        """
        current, parts = list(raws), list(weighted)
        remaining = previous = above
        charges = []
        for finding in findings:
            kept, limits = 1 - finding.share, finding.limits
            for at, signal in zip(self._positions(finding.voids), finding.voids):
                left = raws[at] * kept if limits is None else min(raws[at], limits[signal])
                if left < current[at]:  # `min(current, left)`, NaN included, without a call
                    current[at] = left
                    parts[at] = self.weights[at] * self._normalizers[at]((left,))[0]
            after = self._scaled(math.fsum(parts), total)
            gamed, previous = max(0.0, previous - after), after
            cost = min(finding.penalty + gamed, remaining)
            remaining -= cost
            charges.append((finding, gamed, -cost))
        return tuple(charges)

    def score(self, features: AccountFeatures, findings: Sequence[Finding] | None = None) -> Score:
        """Score an account; `findings` are its flags when they were found elsewhere (topic scores
        take the account's flags), else they are detected from `features`."""
        return self.score_all([features], None if findings is None else [findings])[0]

    def score_all(self, accounts: Accounts, findings: Sequence[Sequence[Finding]] | None = None) -> list[Score]:
        """Score accounts (`score` for each, in order, the same to the bit): each signal is
        measured and normalised for many of them at once, and each flag tested, in a loop that
        calls nothing for each account; a run scores every account and every topic score so.
        `findings`, when given, are each account's flags, found elsewhere.

        Accounts are taken BATCH at a time: a column of a million floats for each signal's raw,
        normalised and weighted values would have held about 0.6 GB while scoring.
        """
        if findings is not None and len(findings) != len(accounts):
            raise ValueError(f"score_all got {len(findings)} findings for {len(accounts)} accounts")
        scored: list[Score] = []
        for start in range(0, len(accounts), BATCH):
            end = start + BATCH
            scored += self._score_batch(accounts[start:end], None if findings is None else findings[start:end])
        return scored

    def _score_batch(self, accounts: Accounts, findings: Sequence[Sequence[Finding]] | None) -> list[Score]:
        received = weighted_all(accounts, self.model.actions)
        items = self._per_item(accounts)
        raws = [measure(accounts, received, items) for measure in self._measures]  # a column per signal
        normalized = [normalize(column) for normalize, column in zip(self._normalizers, raws)]
        weighted = [[weight * value for value in column] for weight, column in zip(self.weights, normalized)]
        if findings is None:  # the engagement signal's raw measure is the detectors' engagement per item
            at = self._engagement_at
            per_item = raws[at] if at is not None else self._engagement(accounts, received, items)
            findings = self._detect.all(accounts, per_item, received)
        scored, scaled, fsum, pack = [], self._scaled, math.fsum, self._pack
        signals = len(self.names)
        none = [()] * len(accounts)  # each account's measures, when the model has no signals
        for features, raw, normal, parts, found in zip(
            accounts,
            zip(*raws) if signals else none,
            zip(*normalized) if signals else none,
            zip(*weighted) if signals else none,
            findings,
            strict=True,
        ):
            achieved = fsum(parts)
            counted = self.counted_weight(features)
            above = scaled(achieved, counted)
            shares = [above * part / achieved for part in parts] if achieved > 0 else [0.0] * signals
            earned = fsum(shares)
            if found:
                charges = self._charges(raw, parts, earned, counted, found)
                points_total = earned + fsum([points for _, _, points in charges])
            else:
                charges, points_total = (), earned + 0.0
            total = min(TOP, max(BASE, BASE + points_total))
            scored.append(
                # (positional: a call with ten keywords took longer than the rest of this loop)
                Score(
                    features.account,
                    features.platform,
                    total,
                    BASE,
                    features,
                    total,
                    tuple(found),
                    array("d", pack(*raw, *normal, *shares)),
                    charges,
                    self,
                )
            )
        return scored


def score_account(features: AccountFeatures, model: Model) -> Score:
    """Score one account (for many accounts, build one `Scorer` and reuse it)."""
    return Scorer(model).score(features)


def relative_scores(scores: Sequence[Score]) -> list[Score]:
    """Re-express absolute scores as a percentile-style 1-100 within this population.

    An account scores 1 + 99 * (share of the other accounts it scores at least as well as), and
    an account with nothing scores 1; its contributions are scaled by the same factor so the
    breakdown stays exact. Dormant accounts (nothing in the window) are not among the others.
    """
    ordered = sorted(item.absolute for item in scores if item.features.last_active is None)
    others = len(ordered) - 1
    result = []
    for item in scores:
        at_or_below = bisect.bisect_right(ordered, item.absolute) - 1  # every other account <= it
        if item.absolute <= BASE or item.features.last_active is not None:
            relative = BASE
        elif others:
            relative = BASE + (TOP - BASE) * at_or_below / others
        else:
            relative = TOP
        result.append(relative_score(item, relative))
    return result


def relative_score(item: Score, relative: float) -> Score:
    """An absolute score re-expressed as `relative`: its points scaled by one factor, so the
    breakdown stays exact (a saved relative run is worded again so, from its absolute scores)."""
    factor = (relative - BASE) / (item.absolute - BASE) if item.absolute > BASE else 0.0
    numbers, first_points = item.numbers, 2 * len(item.scorer.names)
    scaled = numbers[:first_points] + array("d", [value * factor for value in numbers[first_points:]])
    charges = tuple([(finding, gamed, points * factor) for finding, gamed, points in item.charges])
    # the score is the percentile itself, so equal absolute scores stay exactly equal
    return replace(item, score=relative, numbers=scaled, charges=charges)


def rank_scores(scores: Iterable[Score]) -> list[tuple[int, Score]]:
    """Order by score as shown (then account, platform) and number them; equal scores share a rank."""
    ordered = sorted(scores, key=lambda item: (-round(item.score, RANK_DECIMALS), item.account, item.platform))
    return list(zip(competition_ranks([round(item.score, RANK_DECIMALS) for item in ordered]), ordered))
