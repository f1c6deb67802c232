"""Gaming flags: each fires on numbers from the account's own features, with the evidence in words.

A flag never hides an account: it is ranked, flagged, and its penalty shown in the breakdown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from klout_cli.core.features import AccountFeatures
from klout_cli.core.model import FlagSpec, Model


@dataclass(slots=True)
class Finding:
    """A flag that fired, and why in numbers."""

    name: str
    evidence: str
    penalty: float
    """The fixed fine, in points."""
    voids: tuple[str, ...]
    """Signals whose points were gamed..."""
    share: float
    """...and the share of those points that is not counted."""


ENGAGEMENT_SIGNALS = ("engagement", "amplification", "true_reach", "network_impact")

#: What each flag's gaming inflated, and how much of it: those points are not counted.
VOIDS: dict[str, tuple[tuple[str, ...], Callable[[AccountFeatures], float]]] = {
    "follow-back": (("reach",), lambda features: 1.0),
    "bought-audience": (("reach",), lambda features: 1.0),
    "bot-amplified": (ENGAGEMENT_SIGNALS, lambda features: features.bot_share),
    "pod": (ENGAGEMENT_SIGNALS, lambda features: features.ring_share),
    "spam-volume": (("activity",), lambda features: 1.0),
}


@dataclass(slots=True)
class Engagement:
    """The account's engagement as the detectors see it (weighted by the model's actions)."""

    per_item: float
    """Per item, with the model's prior items (the engagement signal's raw measure)."""
    received: float
    """In all: everything its items received."""


def _follow_back(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str | None:
    engagement = engaged.per_item
    followers, following = features.followers or 0.0, features.following or 0.0
    smaller, larger = min(followers, following), max(followers, following)
    if not smaller or smaller < spec.thresholds["min_followers"] or larger > smaller * spec.thresholds["max_ratio"]:
        return None
    per_1k = 1000 * engagement / followers
    if per_1k > spec.thresholds["max_engagement_per_1k_followers"]:
        return None
    return (
        f"follows {following:,.0f} and is followed by {followers:,.0f} (ratio {larger / smaller:.2f}); "
        f"{per_1k:.2f} weighted engagements per item per 1,000 followers"
    )


def _bought_audience(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str | None:
    followers = features.followers or 0.0
    people = max(float(features.engagers), features.peak_item, 1.0)
    if (
        followers < spec.thresholds["min_followers"]
        or followers / people < spec.thresholds["min_followers_per_engager"]
        or people > spec.thresholds["max_engagers"]  # thousands engage: a big audience that moves
    ):
        return None
    return (
        f"{followers:,.0f} followers but at most {people:,.0f} distinct people ever engaged "
        f"({followers / people:,.0f} followers per engager)"
    )


def _bot_amplified(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str | None:
    if features.engagers < spec.thresholds["min_engagers"] or features.bot_share < spec.thresholds["min_share"]:
        return None
    return (
        f"{100 * features.bot_share:.0f}% of incoming engagement came from accounts with no audience and "
        f"nobody engaging them (of {features.engagers:,} engagers)"
    )


def _pod(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str | None:
    size = features.ring_size
    if not spec.thresholds["min_ring"] <= size <= spec.thresholds["max_ring"]:
        return None
    if features.ring_share < spec.thresholds["min_share"]:
        return None
    # and the ring's part of all the engagement on record (interaction rows, or what the items
    # received in all if more, so items nobody reacted to never dilute it): a few reciprocal
    # likes under thousands are friends, not a pod
    ring = features.ring_share * features.incoming
    on_record = ring / max(features.incoming, engaged.received, 1e-12)
    if on_record < spec.thresholds["min_share_of_all_engagement"]:
        return None
    return (
        f"{100 * features.ring_share:.0f}% of incoming engagement came from {size} accounts it engages back "
        f"({100 * on_record:.0f}% of all the engagement on record)"
    )


def _spam_volume(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str | None:
    engagement = engaged.per_item
    # the busiest day, not an average: spreading more items over more days never hides volume
    busiest = features.busiest_day
    if busiest < spec.thresholds["min_items_per_day"] or engagement > spec.thresholds["max_engagement_per_item"]:
        return None
    return f"{busiest} items on its busiest day, with {engagement:.2f} weighted engagements per item"


DETECTORS: dict[str, Callable[[AccountFeatures, FlagSpec, Engagement], str | None]] = {
    "follow-back": _follow_back,
    "bought-audience": _bought_audience,
    "bot-amplified": _bot_amplified,
    "pod": _pod,
    "spam-volume": _spam_volume,
}


def detect(features: AccountFeatures, model: Model, engagement: float) -> list[Finding]:
    """The flags that fire for an account; `engagement` is its weighted engagements per item."""
    engaged = Engagement(per_item=engagement, received=features.weighted(model.actions))
    found = []
    for spec in model.flags:
        evidence = DETECTORS[spec.name](features, spec, engaged)
        if evidence is not None:
            voids, share = VOIDS[spec.name]
            found.append(Finding(spec.name, evidence, spec.penalty, voids, min(1.0, max(0.0, share(features)))))
    return found
