"""Topics and +K endorsements: what an account is influential about, scored from its tagged items.

A topic score applies the model to the account's items tagged with the topic and nothing else:
the signals measured from items count (engagement, amplification, activity, true_reach by the
best item), the account-wide ones (reach, network_impact) weigh 0, and the account's gaming
flags take off the same gamed share as in its overall score. Endorsements add up to
`endorsements.max_points` on top, never past 100.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from klout_cli.core.basics import ACCOUNT_WIDE as ACCOUNT_WIDE
from klout_cli.core.basics import ENDORSEMENTS as ENDORSEMENTS
from klout_cli.core.features import AccountFeatures
from klout_cli.core.flags import Finding
from klout_cli.core.model import Model, TopicSpec, clean_topic
from klout_cli.core.scoring import TOP, Contribution, Part, Penalty, Score, Scorer

#: A hashtag: '#' at the start, after a space or after opening or separating punctuation (so not
#: in C#, &#39; or a URL's #fragment), with at least one letter; not one that runs into text that
#: could not be decoded (U+FFFD): it would be the start of a word, not the word.
HASHTAG = re.compile(r"(?:^|(?<=[\s(\[{\"'“‘«,;:]))#(\w*[^\W\d_]\w*)(?![\w\ufffd])")
UNDECODABLE = "\ufffd"
TOPIC_SEPARATOR = ";"


def resolve_topic(raw: str, spec: TopicSpec) -> str | None:
    """The topic a raw name stands for (cleaned, alias followed), or None when it is ignored (as
    written or as aliased) or empty."""
    written = clean_topic(raw)
    topic = spec.aliases.get(written, written)
    if not topic or topic in spec.ignore or written in spec.ignore:
        return None
    return topic


def raw_topics(topics: str, text: str) -> list[str]:
    """The topic names an item carries, as written: its `topics` column, then its #hashtags. HTML
    entities are read as what they stand for (`&amp;` is `&`); a topic with text that could not
    be decoded is none."""
    if topics and "&" in topics:
        topics = html.unescape(topics)
    found = (
        [part for part in topics.split(TOPIC_SEPARATOR) if part.strip() and UNDECODABLE not in part] if topics else []
    )
    if text and "#" in text:
        # a trailing underscore joins a hashtag to what follows it (`#NationalChampions_🏈`)
        found += [tag.rstrip("_") for tag in HASHTAG.findall(html.unescape(text) if "&" in text else text)]
    return found


def topics_of(topics: str, text: str, spec: TopicSpec) -> tuple[str, ...]:
    """An item's topics, cleaned and de-duplicated, in sorted order."""
    resolved = {resolve_topic(raw, spec) for raw in raw_topics(topics, text)}
    return tuple(sorted(topic for topic in resolved if topic))


def topic_model(model: Model) -> Model:
    """The model topic scores use: the account-wide signals weigh 0."""
    signals = tuple(replace(spec, weight=0.0) if spec.name in ACCOUNT_WIDE else spec for spec in model.signals)
    return replace(model, signals=signals)


# -- endorsements ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Endorsement:
    """One +K: `giver` endorsed `target` for `topic`."""

    giver: str
    giver_platform: str
    """Whose daily cap it counts against: (giver, giver_platform)."""
    target: str
    platform: str
    """The receiver's platform: the topic score (target, platform, topic) it can add to."""
    topic: str
    moment: float
    """Days since 1970-01-01 UTC (fractional): the cooldown is measured in these."""
    weight: float = 1.0
    """Its decay weight by age (and platform weight when combined)."""
    local_day: int | None = None
    """Its calendar day in the model's time zone (days since 1970-01-01 there), when not UTC."""

    @property
    def day(self) -> int:
        """The calendar day (in the model's time zone; UTC by default): the daily cap counts per day."""
        return math.floor(self.moment) if self.local_day is None else self.local_day


@dataclass(slots=True)
class EndorsementTally:
    """What happened to the endorsements of one account on one topic."""

    counted: int = 0
    weight: float = 0.0
    """The counted endorsements, each by its decay weight."""
    givers: int = 0
    """Distinct givers among the counted."""
    over_daily_cap: int = 0
    repeated: int = 0
    """Left out: the same giver endorsed the same account for the topic less than cooldown_days before."""
    self_endorsed: int = 0
    ignored_givers: int = 0
    """Left out: from flagged givers or givers scoring below min_giver_score."""

    @property
    def received(self) -> int:
        return self.counted + self.over_daily_cap + self.repeated + self.self_endorsed + self.ignored_givers

    def detail(self) -> str:
        if not self.received:
            return "no endorsements"
        if self.counted:
            text = (
                f"{self.counted:,} of {self.received:,} endorsements counted, from "
                f"{self.givers:,} giver{'' if self.givers == 1 else 's'}"
            )
        else:
            text = f"none of {self.received:,} endorsement{'' if self.received == 1 else 's'} counted"
        left_out = [
            (self.over_daily_cap, "over a giver's daily cap"),
            (self.repeated, "repeated within the cooldown"),
            (self.self_endorsed, "self-endorsed"),
            (self.ignored_givers, "from flagged or low-score givers"),
        ]
        shown = [f"{count:,} {why}" for count, why in left_out if count]
        return text + (f"; left out {', '.join(shown)}" if shown else "")


TallyKey = tuple[str, str, str]
"""(target, platform, topic)."""


def count_endorsements(
    endorsements: Iterable[Endorsement],
    max_per_day: int,
    cooldown_days: float,
    ignored: Callable[[str, str], bool],
) -> dict[TallyKey, EndorsementTally]:
    """Apply the caps, oldest first, and tally what counts per (target, platform, topic).

    Self-endorsements and givers for which `ignored(giver, giver_platform)` is true never count;
    a giver's first `max_per_day` endorsements of a calendar day count (`Endorsement.day`: in the
    model's time zone), and one per giver, receiver
    and topic in `cooldown_days`. The result does not depend on the order of the input.
    """
    # ties (one giver's endorsements from two platforms at one moment, when combined) go to the
    # heavier one, so the tally never depends on the order of the rows
    ordered = sorted(
        endorsements,
        key=lambda item: (
            item.moment,
            item.giver,
            item.giver_platform,
            item.target,
            item.platform,
            item.topic,
            -item.weight,
        ),
    )
    per_day: dict[tuple[str, str, int], int] = {}
    last: dict[tuple[str, str, str, str, str], float] = {}
    tallies: dict[TallyKey, dict[str, float]] = {}
    givers: dict[TallyKey, set[tuple[str, str]]] = {}
    for item in ordered:
        key = (item.target, item.platform, item.topic)
        tally = tallies.setdefault(key, dict.fromkeys(_TALLY_FIELDS, 0))
        giver = (item.giver, item.giver_platform)
        pair = (*giver, *key)
        if item.giver == item.target:
            tally["self_endorsed"] += 1
        elif ignored(*giver):
            tally["ignored_givers"] += 1
        elif pair in last and item.moment - last[pair] < cooldown_days:
            tally["repeated"] += 1
        elif per_day.get(day := (*giver, item.day), 0) >= max_per_day:
            tally["over_daily_cap"] += 1
        else:
            per_day[day] = per_day.get(day, 0) + 1
            last[pair] = item.moment
            tally["counted"] += 1
            tally["weight"] += item.weight
            givers.setdefault(key, set()).add(giver)
    return {
        key: EndorsementTally(
            counted=int(values["counted"]),
            weight=values["weight"],
            givers=len(givers.get(key, ())),
            over_daily_cap=int(values["over_daily_cap"]),
            repeated=int(values["repeated"]),
            self_endorsed=int(values["self_endorsed"]),
            ignored_givers=int(values["ignored_givers"]),
        )
        for key, values in tallies.items()
    }


_TALLY_FIELDS = ("counted", "weight", "over_daily_cap", "repeated", "self_endorsed", "ignored_givers")


# -- topic scores ---------------------------------------------------------------------------
@dataclass(slots=True)
class TopicScore:
    """An account's 1-100 score on one topic, with its exact breakdown (its words made when first read)."""

    account: str
    platform: str
    topic: str
    score: float
    base: float
    features: AccountFeatures
    """What the account's items tagged with the topic did."""
    endorsements: EndorsementTally
    items: Score
    """The topic model's score of those items (before endorsements)."""
    endorsed: Part
    """The endorsements' numbers: (signal `endorsements`, raw, normalised, weight, points)."""
    _contributions: tuple[Contribution, ...] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def contributions(self) -> tuple[Contribution, ...]:
        """The item signals, then the endorsements' points (signal `endorsements`); kept once worded."""
        if self._contributions is None:
            self._contributions = (*self.items.contributions, self._endorsed())
        return self._contributions

    def worded(self) -> tuple[tuple[Contribution, ...], tuple[Penalty, ...]]:
        """`contributions` and `penalties`, worded without being kept (see `Score.worded`)."""
        if self._contributions is not None:
            return self._contributions, self.items.penalties
        contributions, penalties = self.items.worded()
        return (*contributions, self._endorsed()), penalties

    def _endorsed(self) -> Contribution:
        signal, raw, normalized, weight, points = self.endorsed
        return Contribution(signal, raw, normalized, weight, points, self.endorsements.detail())

    @property
    def penalties(self) -> tuple[Penalty, ...]:
        return self.items.penalties

    @property
    def flags(self) -> tuple[str, ...]:
        return self.items.flags

    @property
    def parts(self) -> tuple[Part, ...]:
        """Each signal's numbers, the endorsements' last: what `contributions` puts in words."""
        return (*self.items.parts, self.endorsed)

    def normalized(self) -> dict[str, float]:
        """Each signal's normalised value, the endorsements' last, on a 0-100 scale (weighted 0 or not)."""
        return {signal: 100.0 * normalized for signal, _, normalized, _, _ in self.parts}

    def subscores(self) -> dict[str, float]:
        """The weighted signals' normalised values on a 0-100 scale."""
        return {signal: 100.0 * normalized for signal, _, normalized, weight, _ in self.parts if weight}


class TopicScorer:
    """Scores accounts on topics under one model."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.scorer = Scorer(topic_model(model))

    def endorsement_points(self, tally: EndorsementTally) -> tuple[float, float]:
        """(normalised value, points before the 100 ceiling) that counted endorsements earn."""
        spec = self.model.endorsements
        normalized = min(1.0, math.log1p(tally.weight) / math.log1p(spec.cap)) if tally.weight > 0 else 0.0
        return normalized, spec.max_points * normalized

    def score(
        self,
        topic: str,
        features: AccountFeatures,
        findings: Sequence[Finding],
        tally: EndorsementTally | None = None,
    ) -> TopicScore:
        """`features` are the account's items tagged with `topic`; `findings` its account-wide flags."""
        return self.score_all([topic], [features], [findings], [tally])[0]

    def score_all(
        self,
        topics: Sequence[str],
        features: Sequence[AccountFeatures],
        findings: Sequence[Sequence[Finding]],
        tallies: Sequence[EndorsementTally | None],
    ) -> list[TopicScore]:
        """`score` for each (topic, features, findings, tally), in order, scored all at once."""
        scored = []
        for topic, items, tally in zip(topics, self.scorer.score_all(features, findings), tallies, strict=True):
            tally = tally or EndorsementTally()
            normalized, earned = self.endorsement_points(tally)
            points = min(earned, TOP - items.score)
            scored.append(
                TopicScore(
                    account=items.account,
                    platform=items.platform,
                    topic=topic,
                    score=items.score + points,
                    base=items.base,
                    features=items.features,
                    endorsements=tally,
                    items=items,
                    endorsed=(ENDORSEMENTS, tally.weight, normalized, self.model.endorsements.max_points, points),
                )
            )
        return scored
