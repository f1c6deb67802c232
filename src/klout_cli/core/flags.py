"""Gaming flags: each fires on numbers from the account's own features, with the evidence in words.

A flag never hides an account: it is ranked, flagged, and its penalty shown in the breakdown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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

# Each flag has a test, which finds the accounts it fires for among many at once (a loop over
# them, not a call for each: a run tests every account), and its evidence in words, worded only
# when shown. A test is given each account's engagement per item and what its items received.


def _follow_back(accounts: Sequence[AccountFeatures], spec: FlagSpec, per_item: Floats, received: Floats) -> Fired:
    least, ratio, most = _thresholds(spec, "min_followers", "max_ratio", "max_engagement_per_1k_followers")
    fired = []
    for at, features in enumerate(accounts):
        followers, following = features.followers or 0.0, features.following or 0.0
        smaller, larger = min(followers, following), max(followers, following)
        if not smaller or smaller < least or larger > smaller * ratio:
            continue
        # `not (x > limit)`, not `x <= limit`: a NaN measure fires, as it always has
        if not (1000 * per_item[at] / followers > most):
            fired.append(at)
    return fired


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


def _bought_audience(accounts: Sequence[AccountFeatures], spec: FlagSpec, per_item: Floats, received: Floats) -> Fired:
    least, per_engager, most = _thresholds(spec, "min_followers", "min_followers_per_engager", "max_engagers")
    fired = []
    for at, features in enumerate(accounts):
        followers = features.followers or 0.0
        if followers < least:
            continue
        people = _people(features)
        # thousands engage: a big audience that moves
        if not (followers / people < per_engager or people > most):
            fired.append(at)
    return fired


def _bought_audience_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    followers = features.followers or 0.0
    people = _people(features)
    return (
        f"{followers:,.0f} followers but at most {people:,.0f} distinct people ever engaged "
        f"({followers / people:,.0f} followers per engager)"
    )


def _bot_amplified(accounts: Sequence[AccountFeatures], spec: FlagSpec, per_item: Floats, received: Floats) -> Fired:
    engagers, share = _thresholds(spec, "min_engagers", "min_share")
    return [
        at for at, features in enumerate(accounts) if not (features.engagers < engagers or features.bot_share < share)
    ]


def _bot_amplified_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    return (
        f"{100 * features.bot_share:.0f}% of incoming engagement came from accounts with no audience and "
        f"nobody engaging them (of {features.engagers:,} engagers)"
    )


def _ring_on_record(features: AccountFeatures, received: float) -> float:
    """The ring's part of all the engagement on record (interaction rows, or what the items
    received in all if more, so items nobody reacted to never dilute it)."""
    ring = features.ring_share * features.incoming
    return ring / max(features.incoming, received, 1e-12)


def _pod(accounts: Sequence[AccountFeatures], spec: FlagSpec, per_item: Floats, received: Floats) -> Fired:
    smallest, largest, share, of_all = _thresholds(
        spec, "min_ring", "max_ring", "min_share", "min_share_of_all_engagement"
    )
    fired = []
    for at, features in enumerate(accounts):
        if not smallest <= features.ring_size <= largest or features.ring_share < share:
            continue
        # a few reciprocal likes under thousands are friends, not a pod
        if not (_ring_on_record(features, received[at]) < of_all):
            fired.append(at)
    return fired


def _pod_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    return (
        f"{100 * features.ring_share:.0f}% of incoming engagement came from {features.ring_size} accounts it "
        f"engages back ({100 * _ring_on_record(features, engaged.received):.0f}% of all the engagement on record)"
    )


def _spam_volume(accounts: Sequence[AccountFeatures], spec: FlagSpec, per_item: Floats, received: Floats) -> Fired:
    # the busiest day, not an average: spreading more items over more days never hides volume
    busiest, most = _thresholds(spec, "min_items_per_day", "max_engagement_per_item")
    return [
        at
        for at, (features, engagement) in enumerate(zip(accounts, per_item))
        if not (features.busiest_day < busiest or engagement > most)
    ]


def _spam_volume_evidence(features: AccountFeatures, spec: FlagSpec, engaged: Engagement) -> str:
    return f"{features.busiest_day} items on its busiest day, with {engaged.per_item:.2f} weighted engagements per item"


def _thresholds(spec: FlagSpec, *names: str) -> list[float]:
    return [spec.thresholds[name] for name in names]


Floats = Sequence[float]
Fired = list[int]
"""Where in the accounts a flag fired, in order."""
Test = Callable[[Sequence[AccountFeatures], FlagSpec, Floats, Floats], Fired]
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
        return list(self.all([features], [engagement], [received])[0])

    def all(self, accounts: Sequence[AccountFeatures], per_item: Floats, received: Floats) -> list[Sequence[Finding]]:
        """The flags that fire for each account (in the model's order), given each one's weighted
        engagements per item and what its items received in all."""
        found: dict[int, list[Finding]] = {}  # only the flagged accounts
        for spec, fires, voids, share in self._plan:
            for at in fires(accounts, spec, per_item, received):
                features, findings = accounts[at], found.get(at)
                if findings is None:
                    findings = found[at] = []
                    engaged = Engagement(per_item[at], received[at])
                else:
                    engaged = findings[0].engaged  # one for each account, shared by its findings
                gamed = min(1.0, max(0.0, share(features)))
                findings.append(Finding(spec.name, spec.penalty, voids, gamed, features, spec, engaged))
        none: tuple[Finding, ...] = ()
        return [found.get(at, none) for at in range(len(accounts))]


def detect(features: AccountFeatures, model: Model, engagement: float, received: float | None = None) -> list[Finding]:
    """The flags that fire for an account (for many accounts, build one `Detectors` and reuse it)."""
    return Detectors(model)(features, engagement, received)
