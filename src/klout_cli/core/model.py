"""The weighting model: a validated, immutable view of weights.yaml.

`parse_model` takes the plain mapping a YAML/JSON loader produced and checks every key, naming
the key path in its errors ("signals.reach.weight: must be a number, got 'high'").
"""

from __future__ import annotations

import difflib
import math
import unicodedata
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from klout_cli.core.basics import ACTIONS as ACTIONS  # re-exported: basics is light enough for `rank`
from klout_cli.core.basics import SIGNALS as SIGNALS
from klout_cli.core.errors import ModelError

#: Interaction kinds that count as engaging with the target (follow and endorse do not).
INTERACTIONS: tuple[str, ...] = ("like", "share", "reply", "mention")

#: Gaming flags and the thresholds each takes from the model.
FLAG_KEYS: dict[str, tuple[str, ...]] = {
    "follow-back": ("penalty", "min_items", "min_followers", "max_ratio", "max_engagement_per_1k_followers"),
    "bought-audience": ("penalty", "min_items", "min_followers", "min_followers_per_engager", "max_engagers"),
    "bot-amplified": ("penalty", "min_items", "min_engagers", "min_share", "min_bot_engagement_per_item"),
    "pod": ("penalty", "min_items", "min_ring", "min_density", "min_share", "min_share_of_all_engagement"),
    "spam-volume": ("penalty", "min_items_per_day", "min_days", "max_engagement_per_item"),
    "implausible-counts": ("penalty", "min_items", "max_engagement_per_follower"),
}
#: Keys an earlier kscore's flags took, and what to do about them now.
RETIRED_FLAG_KEYS: dict[tuple[str, str], str] = {
    ("pod", "max_ring"): "pods of any size are found by how densely the ring engages itself (min_density)",
}
FLAGS: tuple[str, ...] = tuple(FLAG_KEYS)
NETWORK_KEYS: tuple[str, ...] = (
    "damping",
    "iterations",
    "audience_trust",
    "reciprocal_discount",
    "bot_trust",
    "interactions",
    "prior_credibility",
    "prior_engagements",
)

#: How a raw measure becomes a normalised value in [0, 1] (each saturates at the signal's cap).
TRANSFORMS: tuple[str, ...] = ("log", "linear", "sqrt")

TOP_KEYS: tuple[str, ...] = (
    "name",
    "window_days",
    "half_life_days",
    "prior_items",
    "actions",
    "platforms",
    "signals",
    "network",
    "flags",
    "topics",
    "endorsements",
    "styles",
    "scale",
    "timezone",
    "backlash",
    "item_cap",
)
SIGNAL_KEYS: tuple[str, ...] = ("weight", "transform", "cap", "curve")
MAX_WINDOW_DAYS = 3660
SCALE_KEYS: tuple[str, ...] = ("curve",)
BACKLASH_KEYS: tuple[str, ...] = ("max_replies_per_like_or_share", "min_replies")
TOPIC_KEYS: tuple[str, ...] = ("aliases", "ignore")
ENDORSEMENT_KEYS: tuple[str, ...] = ("max_per_day", "cooldown_days", "min_giver_score", "max_points", "cap")
#: Styles in the order they are tried (the first that fits is the account's), and their thresholds.
STYLE_KEYS: dict[str, tuple[str, ...]] = {
    "celebrity": ("min_followers", "min_engagement_per_item", "max_engagement_per_1k_followers"),
    "observer": ("max_items",),
    "conversationalist": ("min_reply_share",),
    "curator": ("min_share_share",),
    "specialist": ("max_topics", "min_focus", "min_topic_score"),
    "broadcaster": ("min_original_share", "min_shares_per_item"),
}
STYLES: tuple[str, ...] = (*STYLE_KEYS, "contributor", "dormant")


@dataclass(frozen=True)
class SignalSpec:
    """One signal's share of the score and how its raw measure is normalised."""

    name: str
    weight: float
    transform: str
    cap: float
    curve: float = 1.0
    """The transformed value is raised to this power: below 1 it lifts the low and middle of the
    range (so ordinary accounts are not crowded near 0), at 1 it is left as it is."""


@dataclass(frozen=True)
class NetworkSpec:
    """How trust flows through who-engaged-whom (a PageRank-like recursion)."""

    damping: float
    iterations: int
    audience_trust: float
    reciprocal_discount: float
    bot_trust: float
    interactions: Mapping[str, float]
    prior_credibility: float = 0.25
    """How credible engagement is taken to be when the input does not say who gave it (0..1)."""
    prior_engagements: float = 5.0
    """How many weighted interactions that prior counts as, beside those the input names."""


@dataclass(frozen=True)
class FlagSpec:
    """A gaming flag: when it fires (thresholds) and the points it takes off."""

    name: str
    penalty: float
    thresholds: Mapping[str, float]


@dataclass(frozen=True)
class TopicSpec:
    """How topic names are cleaned: aliases (`ml` -> `ai`) and topics left out (`ff`)."""

    aliases: Mapping[str, str]
    ignore: frozenset[str]


@dataclass(frozen=True)
class EndorsementSpec:
    """+K endorsements: the caps on counting them and the most points they can add to a topic."""

    max_per_day: int
    """Endorsements a giver can make in one (UTC) day that count."""
    cooldown_days: float
    """One endorsement per giver, receiver and topic counts in this many days."""
    min_giver_score: float
    """Givers scoring below this (no one engages them) count for nothing."""
    max_points: float
    """The most points endorsements can add to a topic score."""
    cap: float
    """Counted (decayed) endorsements that earn all of max_points (log scale)."""


@dataclass(frozen=True)
class Model:
    """A validated weighting model."""

    name: str
    window_days: float
    half_life_days: float
    prior_items: float
    actions: Mapping[str, float]
    platforms: Mapping[str, float]
    signals: tuple[SignalSpec, ...]
    network: NetworkSpec
    flags: tuple[FlagSpec, ...]
    curve: float
    topics: TopicSpec
    endorsements: EndorsementSpec
    styles: Mapping[str, Mapping[str, float]]
    timezone: str = "UTC"
    """Where calendar days begin and end (the busiest day, an endorser's daily cap): an IANA
    name such as Europe/Paris, or UTC."""
    max_replies_per_like_or_share: float = 0.5
    """Backlash: an item's replies beyond this many per like or share it got count nothing..."""
    min_replies: float = 10.0
    """...once they pass this many: a small conversation is never backlash."""
    item_cap: float = 10.0
    """An account's best item counts at most this many times its next best (one outlier cannot carry it)."""
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """Settings that are valid but can never act (`kscore model check` prints them)."""

    @property
    def total_weight(self) -> float:
        return sum(spec.weight for spec in self.signals)

    def signal(self, name: str) -> SignalSpec:
        for spec in self.signals:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def has_flag(self, name: str) -> bool:
        return any(spec.name == name for spec in self.flags)

    def flag(self, name: str) -> FlagSpec:
        for spec in self.flags:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def platform_weight(self, platform: str) -> float:
        """The weight of a platform; platforms the model does not list take `default`'s."""
        return self.platforms.get(platform, self.platforms["default"])

    @property
    def window_weeks(self) -> int:
        """Whole or part weeks the window spans (week 0 is the 7 days ending at as-of)."""
        return max(1, math.ceil(self.window_days / 7))


def _suggest(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (expected one of: {', '.join(allowed)})"


def _check_keys(data: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
    prefix = f"{path}." if path else ""
    for key in data:
        if not isinstance(key, str):
            raise ModelError(f"{prefix}{'null' if key is None else repr(key)}: keys must be text")
        if key not in allowed:
            raise ModelError(f"{prefix}{key}: unknown key{_suggest(key, allowed)}")
    for key in allowed:
        if key not in data:
            raise ModelError(f"{prefix}{key}: missing")


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ModelError(f"{path}: must be a mapping of keys to values, got {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _text_number_hint(value: Any) -> str:
    """YAML 1.1 reads `1e6` as text; say how to write it as a number."""
    if not isinstance(value, str):
        return ""
    try:
        number = float(value)
    except ValueError:
        return ""
    if not math.isfinite(number):
        return " (too large for a number)"
    return f" (YAML reads it as text: write {number:.15g} without quotes or an exponent)"


def _number(value: Any, path: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ModelError(f"{path}: must be a number, got {_shown(value)}{_text_number_hint(value)}")
    if value < 0:
        raise ModelError(f"{path}: must not be negative, got {value}")
    if positive and value == 0:
        raise ModelError(f"{path}: must be greater than 0")
    return float(value)


def parse_model(data: Any) -> Model:
    """Validate a complete model mapping and return the immutable `Model`."""
    data = _mapping(data, "model")
    _check_keys(data, TOP_KEYS, "")

    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise ModelError(f"name: must be non-empty text, got {_shown(name)}")

    window = _number(data["window_days"], "window_days", positive=True)
    if window > MAX_WINDOW_DAYS:
        raise ModelError(f"window_days: {window:g} is more than {MAX_WINDOW_DAYS} days (10 years)")
    half_life = _number(data["half_life_days"], "half_life_days", positive=True)
    if window < half_life:
        raise ModelError(
            f"window_days: {window:g} is shorter than half_life_days ({half_life:g}); "
            "a window shorter than the half-life makes decay meaningless"
        )
    prior = _number(data["prior_items"], "prior_items")

    actions_data = _mapping(data["actions"], "actions")
    _check_keys(actions_data, ACTIONS, "actions")
    actions = {key: _number(actions_data[key], f"actions.{key}") for key in ACTIONS}
    if not any(actions.values()):
        raise ModelError("actions: all weights are 0; at least one action must count")

    platforms_data = _mapping(data["platforms"], "platforms")
    platforms: dict[str, float] = {}
    for key, value in platforms_data.items():
        if not isinstance(key, str) or not key.strip():
            raise ModelError(f"platforms.{key!r}: platform names must be text")
        platform = key.strip().lower()
        if platform in platforms:
            raise ModelError(f"platforms.{key}: given twice (platform names match case-insensitively)")
        platforms[platform] = _number(value, f"platforms.{key}")
    if "default" not in platforms:
        raise ModelError("platforms.default: missing (the weight of platforms not listed)")
    if not any(platforms.values()):
        raise ModelError("platforms: all weights are 0; at least one platform must count")

    signals_data = _mapping(data["signals"], "signals")
    _check_keys(signals_data, SIGNALS, "signals")
    signals = []
    for signal in SIGNALS:
        path = f"signals.{signal}"
        spec = _mapping(signals_data[signal], path)
        _check_keys(spec, SIGNAL_KEYS, path)
        transform = spec["transform"]
        if transform not in TRANSFORMS:
            raise ModelError(
                f"{path}.transform: unknown transform {_shown(transform)}{_suggest(str(transform), TRANSFORMS)}"
            )
        signals.append(
            SignalSpec(
                name=signal,
                weight=_number(spec["weight"], f"{path}.weight"),
                transform=transform,
                cap=_number(spec["cap"], f"{path}.cap", positive=True),
                curve=_number(spec["curve"], f"{path}.curve", positive=True),
            )
        )
    if not any(spec.weight for spec in signals):
        raise ModelError("signals: all weights are 0; at least one signal must count")

    network = _network(_mapping(data["network"], "network"))
    flags_data = _mapping(data["flags"], "flags")
    _check_keys(flags_data, FLAGS, "flags")
    flags = []
    for flag, keys in FLAG_KEYS.items():
        path = f"flags.{flag}"
        spec = _mapping(flags_data[flag], path)
        for key in spec:
            if (flag, key) in RETIRED_FLAG_KEYS:
                raise ModelError(f"{path}.{key}: no longer used: {RETIRED_FLAG_KEYS[flag, key]}; remove it")
        _check_keys(spec, keys, path)
        values = {key: _number(spec[key], f"{path}.{key}") for key in keys}
        penalty = values.pop("penalty")
        if penalty > 99:
            raise ModelError(f"{path}.penalty: {penalty:g} is more than the 99 points a score has above 1")
        flags.append(FlagSpec(flag, penalty, values))

    scale = _mapping(data["scale"], "scale")
    _check_keys(scale, SCALE_KEYS, "scale")
    curve = _number(scale["curve"], "scale.curve", positive=True)

    topics = _topics(_mapping(data["topics"], "topics"))
    endorsements = _endorsements(_mapping(data["endorsements"], "endorsements"))
    styles = _styles(_mapping(data["styles"], "styles"))
    timezone = _timezone(data["timezone"])
    backlash = _mapping(data["backlash"], "backlash")
    _check_keys(backlash, BACKLASH_KEYS, "backlash")
    reply_limit = _number(backlash["max_replies_per_like_or_share"], "backlash.max_replies_per_like_or_share")
    min_replies = _number(backlash["min_replies"], "backlash.min_replies")
    item_cap = _number(data["item_cap"], "item_cap")
    if item_cap < 1:
        raise ModelError(f"item_cap: {item_cap:g} is below 1 (the best item would count less than the next best)")

    model = Model(
        name=name.strip(),
        window_days=window,
        half_life_days=half_life,
        prior_items=prior,
        actions=actions,
        platforms=platforms,
        signals=tuple(signals),
        network=network,
        flags=tuple(flags),
        curve=curve,
        topics=topics,
        endorsements=endorsements,
        styles=styles,
        timezone=timezone,
        max_replies_per_like_or_share=reply_limit,
        min_replies=min_replies,
        item_cap=item_cap,
    )
    return replace(model, warnings=never_acting(model))


#: The most each bounded measure can be: a cap or threshold beyond it can never be reached.
ACTIVITY_MAX = 1.0
"""activity is the (recency-weighted) share of the window's weeks with engaged items."""
#: Flag thresholds that are shares (at most 1), and what each is a share of.
FLAG_SHARES: dict[tuple[str, str], str] = {
    ("bot-amplified", "min_share"): "the share of engagement from bots",
    ("pod", "min_density"): "the share of the ring's pairs that engage each other",
    ("pod", "min_share"): "the share of incoming engagement from the ring",
    ("pod", "min_share_of_all_engagement"): "the ring's share of all the engagement on record",
}


def never_acting(model: Model) -> tuple[str, ...]:
    """Settings that are valid but can never act, in plain words: a cap above what its measure
    can reach, a flag threshold no account can meet, points that can never be earned."""
    found = []
    activity = model.signal("activity")
    if activity.weight and activity.cap > ACTIVITY_MAX:
        reached = _normalized(activity, ACTIVITY_MAX)
        found.append(
            f"signals.activity.cap: {activity.cap:g} is above {ACTIVITY_MAX:g}, the most activity measures (the share "
            f"of recent weeks with engaged items): activity earns at most {100 * reached:.0f}% of its weight"
        )
    for (flag, key), measure in FLAG_SHARES.items():
        threshold = model.flag(flag).thresholds[key]
        if threshold > 1:
            found.append(f"flags.{flag}.{key}: {threshold:g} is above 1, the most {measure} can be: {flag} never fires")
    ratio = model.flag("follow-back").thresholds["max_ratio"]
    if ratio < 1:
        found.append(
            f"flags.follow-back.max_ratio: {ratio:g} is below 1, and the larger of followers and following "
            "is never below 1 times the smaller: follow-back never fires"
        )
    days = model.flag("spam-volume").thresholds["min_days"]
    if days > math.ceil(model.window_days) + 1:
        found.append(
            f"flags.spam-volume.min_days: {days:g} busy days cannot fit in the {model.window_days:g}-day window: "
            "spam-volume never fires"
        )
    endorsements = model.endorsements
    if endorsements.max_points and not endorsements.max_per_day:
        found.append(
            f"endorsements.max_points: {endorsements.max_points:g} points can never be earned: "
            "max_per_day is 0, so no endorsement counts"
        )
    if model.signal("network_impact").weight and not any(model.network.interactions.values()):
        found.append(
            "network.interactions: every weight is 0: no interaction passes trust, so network_impact "
            "rests on the prior credibility alone"
        )
    return tuple(found)


def _normalized(spec: SignalSpec, raw: float) -> float:
    """What `raw` normalises to under the signal's transform, cap and curve (as scoring does)."""
    if spec.transform == "log":
        value = math.log1p(raw) / math.log1p(spec.cap)
    elif spec.transform == "sqrt":
        value = math.sqrt(raw / spec.cap)
    else:
        value = raw / spec.cap
    return float(min(1.0, value) ** spec.curve)


def _timezone(value: Any) -> str:
    """A time zone Python knows by name (`UTC`, `Europe/Paris`), for calendar days."""
    if not isinstance(value, str) or not value.strip():
        raise ModelError(f"timezone: must be a time zone name such as UTC or Europe/Paris, got {_shown(value)}")
    name = value.strip()
    if name.upper() == "UTC":
        return "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ModelError(
            f"timezone: unknown time zone '{name}' (use an IANA name such as Europe/Paris, or UTC)"
        ) from None
    return name


def _share(value: Any, path: str) -> float:
    number = _number(value, path)
    if number > 1:
        raise ModelError(f"{path}: must be between 0 and 1, got {number:g}")
    return number


def _network(data: Mapping[str, Any]) -> NetworkSpec:
    _check_keys(data, NETWORK_KEYS, "network")
    damping = _share(data["damping"], "network.damping")
    if damping >= 1:
        raise ModelError("network.damping: must be below 1 (at 1 trust never settles)")
    iterations = data["iterations"]
    if isinstance(iterations, bool) or not isinstance(iterations, int) or not 1 <= iterations <= 1000:
        raise ModelError(f"network.iterations: must be a whole number from 1 to 1000, got {_shown(iterations)}")
    kinds = _mapping(data["interactions"], "network.interactions")
    _check_keys(kinds, INTERACTIONS, "network.interactions")
    return NetworkSpec(
        damping=damping,
        iterations=iterations,
        audience_trust=_share(data["audience_trust"], "network.audience_trust"),
        reciprocal_discount=_share(data["reciprocal_discount"], "network.reciprocal_discount"),
        bot_trust=_number(data["bot_trust"], "network.bot_trust"),
        interactions={kind: _number(kinds[kind], f"network.interactions.{kind}") for kind in INTERACTIONS},
        prior_credibility=_share(data["prior_credibility"], "network.prior_credibility"),
        prior_engagements=_number(data["prior_engagements"], "network.prior_engagements"),
    )


def clean_topic(text: str) -> str:
    """A topic as kscore keys it: trimmed, without a leading '#', case-folded and NFKC-normalised
    (full-width letters are the plain ones), single-spaced."""
    return " ".join(unicodedata.normalize("NFKC", text).strip().lstrip("#").casefold().split())


def _topic_name(value: Any, path: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ModelError(f"{path}: must be a topic name, got {_shown(value)}")
    topic = clean_topic(str(value))
    if not topic:
        raise ModelError(f"{path}: an empty topic name")
    return topic


def _topics(data: Mapping[str, Any]) -> TopicSpec:
    _check_keys(data, TOPIC_KEYS, "topics")
    aliases_data = data["aliases"] if data["aliases"] is not None else {}
    aliases: dict[str, str] = {}
    for key, value in _mapping(aliases_data, "topics.aliases").items():
        alias = _topic_name(key, f"topics.aliases.{key!r}")
        if alias in aliases:
            raise ModelError(f"topics.aliases.{key}: given twice (topics match case-insensitively)")
        aliases[alias] = _topic_name(value, f"topics.aliases.{key}")
    resolved = {}
    for alias in aliases:  # follow chains (ml -> ai -> artificial), refusing a loop
        seen, topic = [alias], aliases[alias]
        while topic in aliases and aliases[topic] != topic:
            if topic in seen:
                raise ModelError(f"topics.aliases.{alias}: a loop of aliases ({' -> '.join([*seen, topic])})")
            seen.append(topic)
            topic = aliases[topic]
        resolved[alias] = topic
    aliases = resolved
    ignore_data = data["ignore"] if data["ignore"] is not None else []
    if not isinstance(ignore_data, list):
        raise ModelError(f"topics.ignore: must be a list of topics, got {_shown(ignore_data)}")
    ignore = frozenset(_topic_name(value, f"topics.ignore[{index}]") for index, value in enumerate(ignore_data))
    return TopicSpec(aliases=aliases, ignore=ignore)


def _endorsements(data: Mapping[str, Any]) -> EndorsementSpec:
    _check_keys(data, ENDORSEMENT_KEYS, "endorsements")
    per_day = data["max_per_day"]
    if isinstance(per_day, bool) or not isinstance(per_day, int) or per_day < 0:
        raise ModelError(f"endorsements.max_per_day: must be a whole number >= 0, got {_shown(per_day)}")
    max_points = _number(data["max_points"], "endorsements.max_points")
    if max_points > 99:
        raise ModelError(f"endorsements.max_points: {max_points:g} is more than the 99 points a score has above 1")
    score = _number(data["min_giver_score"], "endorsements.min_giver_score")
    if score > 100:
        raise ModelError(f"endorsements.min_giver_score: scores go up to 100, got {score:g}")
    return EndorsementSpec(
        max_per_day=per_day,
        cooldown_days=_number(data["cooldown_days"], "endorsements.cooldown_days"),
        min_giver_score=score,
        max_points=max_points,
        cap=_number(data["cap"], "endorsements.cap", positive=True),
    )


def _styles(data: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    _check_keys(data, tuple(STYLE_KEYS), "styles")
    styles = {}
    for style, keys in STYLE_KEYS.items():
        spec = _mapping(data[style], f"styles.{style}")
        _check_keys(spec, keys, f"styles.{style}")
        styles[style] = {
            key: _share(spec[key], f"styles.{style}.{key}")
            if key.endswith(("_share", "_focus"))
            else _number(spec[key], f"styles.{style}.{key}")
            for key in keys
        }
    topics = styles["specialist"]["max_topics"]
    if not topics.is_integer() or topics < 1:
        raise ModelError(f"styles.specialist.max_topics: must be a whole number from 1, got {topics:g}")
    return styles
