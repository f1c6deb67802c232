"""Gaming flags: each fires on numbers from the account's own features, with the evidence in words.

A flag never hides an account: it is ranked, flagged, and its penalty shown in the breakdown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from klout_cli.core.features import AccountFeatures
from klout_cli.core.model import FlagSpec, Model


@dataclass(slots=True)
class Engagement:
    """The account's engagement as the detectors see it (weighted by the model's actions)."""

    per_item: float
    """Per item, with the model's prior items (the engagement signal's raw measure)."""
    received: float
    """In all: everything its items received."""


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
    features: AccountFeatures = field(repr=False, compare=False)
    spec: FlagSpec = field(repr=False, compare=False)
    engaged: Engagement = field(repr=False, compare=False)
    """What the detector saw: the evidence is worded from it."""
    _evidence: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def evidence(self) -> str:
        """Why it fired, in numbers (worded once: an account's topic scores share its findings)."""
        if self._evidence is None:
            self._evidence = DETECTORS[self.name][1](self.features, self.spec, self.engaged)
        return self._evidence


ENGAGEMENT_SIGNALS = ("engagement", "amplification", "true_reach", "network_impact")

#: What each flag's gaming inflated, and how much of it: those points are not counted.
VOIDS: dict[str, tuple[tuple[str, ...], Callable[[AccountFeatures], float]]] = {
    "follow-back": (("reach",), lambda features: 1.0),
    "bought-audience": (("reach",), lambda features: 1.0),
    "bot-amplified": (ENGAGEMENT_SIGNALS, lambda features: features.bot_share),
    "pod": (ENGAGEMENT_SIGNALS, lambda features: features.ring_share),
    "spam-volume": (("activity",), lambda features: 1.0),
}

# Each flag has a test (does it fire?) and its evidence in words, worded only when shown.


def _follow_back(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> bool:
    followers, following = features.followers or 0.0, features.following or 0.0
    smaller, larger = min(followers, following), max(followers, following)
    if not smaller or smaller < spec.thresholds["min_followers"] or larger > smaller * spec.thresholds["max_ratio"]:
        return False
    # `not (x > limit)`, not `x <= limit`: a NaN measure fires, as it always has
    return not (1000 * engaged.per_item / followers > spec.thresholds["max_engagement_per_1k_followers"])


def _follow_back_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    followers, following = features.followers or 0.0, features.following or 0.0
    ratio = max(followers, following) / min(followers, following)
    return (
        f"follows {following:,.0f} and is followed by {followers:,.0f} (ratio {ratio:.2f}); "
        f"{1000 * engaged.per_item / followers:.2f} weighted engagements per item per 1,000 followers"
    )


def _people(features: AccountFeatures) -> float:
    """At most how many distinct people ever engaged: the engagers, or one item's likes or shares."""
    return max(float(features.engagers), features.peak_item, 1.0)


def _bought_audience(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> bool:
    followers = features.followers or 0.0
    people = _people(features)
    return not (
        followers < spec.thresholds["min_followers"]
        or followers / people < spec.thresholds["min_followers_per_engager"]
        or people > spec.thresholds["max_engagers"]  # thousands engage: a big audience that moves
    )


def _bought_audience_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    followers = features.followers or 0.0
    people = _people(features)
    return (
        f"{followers:,.0f} followers but at most {people:,.0f} distinct people ever engaged "
        f"({followers / people:,.0f} followers per engager)"
    )


def _bot_amplified(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> bool:
    return not (
        features.engagers < spec.thresholds["min_engagers"] or features.bot_share < spec.thresholds["min_share"]
    )


def _bot_amplified_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    return (
        f"{100 * features.bot_share:.0f}% of incoming engagement came from accounts with no audience and "
        f"nobody engaging them (of {features.engagers:,} engagers)"
    )


def _ring_on_record(features: AccountFeatures, engaged: Engagement) -> float:
    """The ring's part of all the engagement on record (interaction rows, or what the items
    received in all if more, so items nobody reacted to never dilute it)."""
    ring = features.ring_share * features.incoming
    return ring / max(features.incoming, engaged.received, 1e-12)


def _pod(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> bool:
    if not spec.thresholds["min_ring"] <= features.ring_size <= spec.thresholds["max_ring"]:
        return False
    if features.ring_share < spec.thresholds["min_share"]:
        return False
    # a few reciprocal likes under thousands are friends, not a pod
    return not (_ring_on_record(features, engaged) < spec.thresholds["min_share_of_all_engagement"])


def _pod_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    return (
        f"{100 * features.ring_share:.0f}% of incoming engagement came from {features.ring_size} accounts it "
        f"engages back ({100 * _ring_on_record(features, engaged):.0f}% of all the engagement on record)"
    )


def _spam_volume(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> bool:
    # the busiest day, not an average: spreading more items over more days never hides volume
    return not (
        features.busiest_day < spec.thresholds["min_items_per_day"]
        or engaged.per_item > spec.thresholds["max_engagement_per_item"]
    )


def _spam_volume_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    return f"{features.busiest_day} items on its busiest day, with {engaged.per_item:.2f} weighted engagements per item"


Test = Callable[[AccountFeatures, FlagSpec, Engagement], bool]
Evidence = Callable[[AccountFeatures, FlagSpec, Engagement], str]
DETECTORS: dict[str, tuple[Test, Evidence]] = {
    "follow-back": (_follow_back, _follow_back_evidence),
    "bought-audience": (_bought_audience, _bought_audience_evidence),
    "bot-amplified": (_bot_amplified, _bot_amplified_evidence),
    "pod": (_pod, _pod_evidence),
    "spam-volume": (_spam_volume, _spam_volume_evidence),
}


class Detectors:
    """A model's flags, looked up once, ready to test accounts against."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._plan = [(spec, DETECTORS[spec.name][0], *VOIDS[spec.name]) for spec in model.flags]

    def __call__(self, features: AccountFeatures, engagement: float, received: float | None = None) -> list[Finding]:
        """The flags that fire for an account; `engagement` is its weighted engagements per item, and
        `received` what its items received in all (`features.weighted(model.actions)`) when known."""
        if received is None:
            received = features.weighted(self.model.actions)
        engaged = Engagement(per_item=engagement, received=received)
        found = []
        for spec, fires, voids, share in self._plan:
            if fires(features, spec, engaged):
                gamed = min(1.0, max(0.0, share(features)))
                found.append(Finding(spec.name, spec.penalty, voids, gamed, features, spec, engaged))
        return found


def detect(features: AccountFeatures, model: Model, engagement: float, received: float | None = None) -> list[Finding]:
    """The flags that fire for an account (for many accounts, build one `Detectors` and reuse it)."""
    return Detectors(model)(features, engagement, received)
