"""Gaming flags: each fires on numbers from the account's own features, with the evidence in words.

A flag never hides an account: it is ranked, flagged, and its penalty shown in the breakdown.
Each flag needs a minimum of evidence before it may fire (`min_items`, and engagers or days where
it judges those), so one or two posts never make a gamer; and each says how strongly it fired:
its `strength` is how many times over the weakest of its conditions is met (1.0: just).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from klout_cli.core.features import AccountFeatures
from klout_cli.core.model import FlagSpec, Model


@dataclass(slots=True)
class Engagement:
    """The account's engagement as the detectors see it (weighted by the model's actions)."""

    per_item: float
    """A typical item's weighted engagement, with the model's prior items (the engagement signal's raw measure)."""
    received: float
    """In all: everything its items received."""
    people: float = 0.0
    """The people an item moved, per item, with the model's prior items (the true_reach signal's raw measure)."""
    impressions: float = 0.0
    """Impressions per item, counted the same way."""


@dataclass(slots=True)
class Finding:
    """A flag that fired, and why in numbers (`evidence`, put in words when first read)."""

    name: str
    penalty: float
    """The fixed fine, in points."""
    voids: tuple[str, ...]
    """Signals whose points were gamed..."""
    share: float
    """...and the share of those points that is not counted."""
    strength: float
    """How many times over its weakest condition is met (1.0: just)."""
    features: AccountFeatures = field(repr=False, compare=False)
    spec: FlagSpec = field(repr=False, compare=False)
    engaged: Engagement = field(repr=False, compare=False)
    """What the detector saw: the evidence is worded from it."""
    limits: dict[str, float] | None = field(default=None, compare=False)
    """Instead of a share: the most each voided signal's raw measure may keep (what is beyond it
    is not counted). Limits, unlike shares, never make a larger count lower a score."""
    _evidence: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def evidence(self) -> str:
        """Why it fired, in numbers (worded once: an account's topic scores share its findings)."""
        if self._evidence is None:
            self._evidence = DETECTORS[self.name].words(self.features, self.spec, self.engaged)
        return self._evidence


ENGAGEMENT_SIGNALS = ("engagement", "amplification", "true_reach", "network_impact")
AUDIENCE_SIGNALS = ("reach",)

Fired = list[tuple[int, float, float]]
"""Where in the accounts a flag fired, in order: (position, share gamed, strength)."""
Limits = Callable[[AccountFeatures, FlagSpec, "Engagement", Model], dict[str, float]]
"""The most each voided signal's raw measure keeps, for a flag that voids by limits."""


def _over(measure: float, threshold: float) -> float:
    """How many times over `measure >= threshold` is met (inf when the threshold is 0)."""
    return measure / threshold if threshold > 0 else math.inf


def _under(measure: float, limit: float) -> float:
    """How many times over `measure <= limit` is met (inf at 0)."""
    return limit / measure if measure > 0 else math.inf


def _strength(*margins: float) -> float:
    """The weakest margin, at most 1,000 (one condition met by far says nothing of the others)."""
    return min(1000.0, *margins)


def _own_items(features: AccountFeatures) -> int:
    """Its own items, posts and replies: shares of others' content are no evidence of its own."""
    return features.items - features.share_items


def _enough_items(features: AccountFeatures, spec: FlagSpec) -> bool:
    return _own_items(features) >= spec.thresholds["min_items"]


def _evidence_items(features: AccountFeatures) -> str:
    own = _own_items(features)
    return f"on {own:,} item" + ("" if own == 1 else "s") + " of its own"


# -- follow-back: a farmed audience -----------------------------------------------------------
def _follow_back(
    accounts: Sequence[AccountFeatures], spec: FlagSpec, engaged: Sequence[Engagement], model: Model
) -> Fired:
    least, ratio, most = _thresholds(spec, "min_followers", "max_ratio", "max_engagement_per_1k_followers")
    fired = []
    for at, features in enumerate(accounts):
        followers, following = features.followers or 0.0, features.following or 0.0
        smaller, larger = min(followers, following), max(followers, following)
        if not smaller or smaller < least or larger > smaller * ratio or not _enough_items(features, spec):
            continue
        per_1k = 1000 * engaged[at].per_item / followers
        if not (per_1k > most):  # (a NaN measure fires, as it always has)
            strength = _strength(_over(smaller, least), _under(larger / smaller, ratio), _under(per_1k, most))
            fired.append((at, 1.0, strength))
    return fired


def _follow_back_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    followers, following = features.followers or 0.0, features.following or 0.0
    ratio = max(followers, following) / min(followers, following)
    return (
        f"follows {following:,.0f} and is followed by {followers:,.0f} (ratio {ratio:.2f}); "
        f"{1000 * engaged.per_item / followers:.2f} weighted engagements per item per 1,000 followers, "
        f"{_evidence_items(features)}"
    )


# -- bought-audience: followers far beyond the people who ever engage ------------------------
def _people(features: AccountFeatures) -> float:
    """At most how many distinct people ever engaged: the engagers, or one item's likes or shares."""
    return max(float(features.engagers), features.peak_item, 1.0)


def _bought_audience(
    accounts: Sequence[AccountFeatures], spec: FlagSpec, engaged: Sequence[Engagement], model: Model
) -> Fired:
    least, per_engager, most = _thresholds(spec, "min_followers", "min_followers_per_engager", "max_engagers")
    fired = []
    for at, features in enumerate(accounts):
        followers = features.followers or 0.0
        if followers < least or not _enough_items(features, spec):
            continue
        people = _people(features)
        # thousands engage: a big audience that moves
        if not (followers / people < per_engager or people > most):
            strength = _strength(_over(followers, least), _over(followers / people, per_engager), _under(people, most))
            fired.append((at, 1.0, strength))
    return fired


def _bought_audience_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    followers = features.followers or 0.0
    people = _people(features)
    return (
        f"{followers:,.0f} followers but at most {people:,.0f} distinct people ever engaged "
        f"({followers / people:,.0f} followers per engager), {_evidence_items(features)}"
    )


# -- bot-amplified: engagement from accounts nobody engages ----------------------------------
def _bots_per_item(features: AccountFeatures) -> float:
    """The bots' engagement (interaction rows, weighted) per engaged item: a few stray bot likes
    on an account few others engage with are camouflage, not bought amplification. (Per item
    that received anything: items nobody reacted to never make a bought account look honest.)"""
    bots = features.bot_share * features.incoming
    return bots / features.engaged_items if features.engaged_items > 0 else bots


def _bot_amplified(
    accounts: Sequence[AccountFeatures], spec: FlagSpec, engaged: Sequence[Engagement], model: Model
) -> Fired:
    engagers, share, per_item = _thresholds(spec, "min_engagers", "min_share", "min_bot_engagement_per_item")
    fired = []
    for at, features in enumerate(accounts):
        if features.engagers < engagers or features.bot_share < share or not _enough_items(features, spec):
            continue
        bots = _bots_per_item(features)
        if not bots < per_item:
            margins = (_over(features.engagers, engagers), _over(features.bot_share, share), _over(bots, per_item))
            fired.append((at, features.bot_share, _strength(*margins)))
    return fired


def _bot_amplified_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    return (
        f"{100 * features.bot_share:.0f}% of incoming engagement came from accounts with no audience and "
        f"nobody engaging them (of {features.engagers:,} engagers; {_bots_per_item(features):,.1f} per engaged item), "
        f"{_evidence_items(features)}"
    )


# -- pod: a ring that engages each other ------------------------------------------------------
def _ring_on_record(features: AccountFeatures, received: float) -> float:
    """The ring's part of all the engagement on record (interaction rows, or what the items
    received in all if more, so items nobody reacted to never dilute it)."""
    ring = features.ring_share * features.incoming
    return ring / max(features.incoming, received, 1e-12)


def _pod(accounts: Sequence[AccountFeatures], spec: FlagSpec, engaged: Sequence[Engagement], model: Model) -> Fired:
    smallest, density, share, of_all = _thresholds(
        spec, "min_ring", "min_density", "min_share", "min_share_of_all_engagement"
    )
    fired = []
    for at, features in enumerate(accounts):
        if features.ring_size < smallest or features.ring_share < share or features.ring_density < density:
            continue
        if not _enough_items(features, spec):
            continue
        on_record = _ring_on_record(features, engaged[at].received)
        # a few reciprocal likes under thousands are friends, not a pod
        if not (on_record < of_all):
            strength = _strength(
                _over(features.ring_size, smallest),
                _over(features.ring_density, density),
                _over(features.ring_share, share),
                _over(on_record, of_all),
            )
            fired.append((at, features.ring_share, strength))
    return fired


def _pod_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    return (
        f"{100 * features.ring_share:.0f}% of incoming engagement came from {features.ring_size} accounts it "
        f"engages back, {100 * features.ring_density:.0f}% of whose pairs engage each other too "
        f"({100 * _ring_on_record(features, engaged.received):.0f}% of all the engagement on record), "
        f"{_evidence_items(features)}"
    )


# -- spam-volume: many items a day that nobody engages with -----------------------------------
def _spam_volume(
    accounts: Sequence[AccountFeatures], spec: FlagSpec, engaged: Sequence[Engagement], model: Model
) -> Fired:
    # busy days, not an average: spreading more items over more days never hides volume
    busiest, days, most = _thresholds(spec, "min_items_per_day", "min_days", "max_engagement_per_item")
    return [
        (
            at,
            1.0,
            _strength(
                _over(features.busiest_day, busiest), _over(features.busy_days, days), _under(found.per_item, most)
            ),
        )
        for at, (features, found) in enumerate(zip(accounts, engaged))
        if not (features.busiest_day < busiest or features.busy_days < days or found.per_item > most)
    ]


def _spam_volume_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    busiest = spec.thresholds["min_items_per_day"]
    return (
        f"{features.busy_days} days with {busiest:g} items or more (the busiest {features.busiest_day}), "
        f"and a typical item drew {engaged.per_item:.2f} weighted engagements"
    )


# -- implausible-counts: counts the audience cannot explain ----------------------------------
def _most_one_person_gives(model: Model) -> float:
    """The most weighted engagement one person can give an item: a like, a share, a reply, a click."""
    return sum(model.actions[action] for action in ("likes", "shares", "replies", "clicks"))


def _plausible(features: AccountFeatures, spec: FlagSpec, engaged: Engagement, model: Model) -> float:
    """The most weighted engagement per item the account's audience can explain:
    max_engagement_per_follower for each follower, or, if more, all that its impressions'
    viewers could give."""
    by_audience = spec.thresholds["max_engagement_per_follower"] * max(features.followers or 0.0, 1.0)
    return max(by_audience, engaged.impressions * _most_one_person_gives(model))


def _implausible_counts(
    accounts: Sequence[AccountFeatures], spec: FlagSpec, engaged: Sequence[Engagement], model: Model
) -> Fired:
    # measured as the signals measure (per item, with the prior items), and what is beyond the
    # limit is not counted (kept up to it): so items nobody reacted to never lift the score past
    # the flag, and a larger count never lowers it
    fired = []
    for at, features in enumerate(accounts):
        if features.followers is None or not _enough_items(features, spec):
            continue
        engagement, limit = engaged[at].per_item, _plausible(features, spec, engaged[at], model)
        if engagement > limit:
            fired.append((at, 1.0 - limit / engagement, _strength(_over(engagement, limit))))
    return fired


def _implausible_counts_limits(
    features: AccountFeatures, spec: FlagSpec, engaged: Engagement, model: Model
) -> dict[str, float]:
    """What the audience explains, per item, in each signal's unit: the plausible engagement, the
    people and shares it takes at the least (one like or share a person), counted by who gave it."""
    engagement = _plausible(features, spec, engaged, model)
    actions = model.actions
    weights = [actions[action] for action in ("likes", "shares", "replies")]
    network = model.network
    credibility = (features.network + network.prior_engagements * network.prior_credibility) / (
        features.incoming + network.prior_engagements
    )
    return {
        "engagement": engagement,
        "amplification": engagement / actions["shares"] if actions["shares"] > 0 else math.inf,
        "true_reach": engagement / min(weights) if min(weights) > 0 else math.inf,
        "network_impact": engagement * credibility,
    }


def _implausible_counts_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    followers, seen = features.followers or 0.0, engaged.impressions
    backing = f"only {seen:,.0f} impressions per item" if seen else "no impressions"
    times = engaged.per_item / max(followers, 1.0)
    return (
        f"its items drew {engaged.per_item:,.0f} weighted engagements each, {times:,.0f} times its "
        f"{followers:,.0f} followers, with {backing} to show who saw them; {_evidence_items(features)}"
    )


def _thresholds(spec: FlagSpec, *names: str) -> list[float]:
    return [spec.thresholds[name] for name in names]


Test = Callable[[Sequence[AccountFeatures], FlagSpec, Sequence[Engagement], Model], Fired]
Words = Callable[[AccountFeatures, FlagSpec, Engagement], str]


@dataclass(frozen=True)
class Detector:
    """A flag's test (which accounts it fires for, among many at once: a loop over them, not a
    call for each; given the model, for flags that measure as the signals do), the signals its
    gaming inflated, and its evidence in words (worded only when shown)."""

    test: Test
    voids: tuple[str, ...]
    words: Words
    limits: Limits | None = None
    """For a flag that keeps what is plausible (a limit per signal) rather than a share."""


DETECTORS: dict[str, Detector] = {
    "follow-back": Detector(_follow_back, AUDIENCE_SIGNALS, _follow_back_evidence),
    "bought-audience": Detector(_bought_audience, AUDIENCE_SIGNALS, _bought_audience_evidence),
    "bot-amplified": Detector(_bot_amplified, ENGAGEMENT_SIGNALS, _bot_amplified_evidence),
    "pod": Detector(_pod, ENGAGEMENT_SIGNALS, _pod_evidence),
    "spam-volume": Detector(_spam_volume, ("activity",), _spam_volume_evidence),
    "implausible-counts": Detector(
        _implausible_counts, ENGAGEMENT_SIGNALS, _implausible_counts_evidence, _implausible_counts_limits
    ),
}


class Detectors:
    """A model's flags, looked up once, ready to test accounts against."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._plan = [(spec, DETECTORS[spec.name]) for spec in model.flags]

    def __call__(self, features: AccountFeatures, engagement: float, received: float | None = None) -> list[Finding]:
        """The flags that fire for an account; `engagement` is a typical item's weighted engagement,
        and `received` what its items received in all (`features.weighted(model.actions)`) when known."""
        if received is None:
            received = features.weighted(self.model.actions)
        return list(self.all([features], [engagement], [received])[0])

    def all(
        self, accounts: Sequence[AccountFeatures], per_item: Sequence[float], received: Sequence[float]
    ) -> list[Sequence[Finding]]:
        """The flags that fire for each account (in the model's order), given each one's typical
        item's weighted engagement and what its items received in all."""
        prior = self.model.prior_items
        engaged = [
            Engagement(
                typical,
                total,
                _per_item(features.capped_people, features.weighted_items + prior),
                _per_item(features.impressions, features.weighted_items + prior),
            )
            for typical, total, features in zip(per_item, received, accounts)
        ]
        found: dict[int, list[Finding]] = {}  # only the flagged accounts
        for spec, detector in self._plan:
            for at, share, strength in detector.test(accounts, spec, engaged, self.model):
                gamed = min(1.0, max(0.0, share))
                limits = (
                    None if detector.limits is None else detector.limits(accounts[at], spec, engaged[at], self.model)
                )
                finding = Finding(
                    spec.name, spec.penalty, detector.voids, gamed, strength, accounts[at], spec, engaged[at], limits
                )
                found.setdefault(at, []).append(finding)
        none: tuple[Finding, ...] = ()
        return [found.get(at, none) for at in range(len(accounts))]


def _per_item(total: float, items: float) -> float:
    return total / items if items > 0 else 0.0


def detect(features: AccountFeatures, model: Model, engagement: float, received: float | None = None) -> list[Finding]:
    """The flags that fire for an account (for many accounts, build one `Detectors` and reuse it)."""
    return Detectors(model)(features, engagement, received)
