"""Styles: how an account exerts influence, from ratios in its activity.

The styles are tried in the model's order (celebrity, observer, conversationalist, curator,
specialist, broadcaster); the first whose thresholds the account meets is its style, and one that
meets none is a `contributor`. Each comes with its evidence in numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from klout_cli.core.features import AccountFeatures

CONTRIBUTOR = "contributor"
#: The style of an account with nothing in the window: it scores 1, and says when it was last seen.
DORMANT = "dormant"


@dataclass(slots=True)
class Style:
    name: str
    evidence: str


@dataclass(slots=True)
class TopicShare:
    """One of an account's topics, as its style sees it."""

    topic: str
    items: int
    score: float


@dataclass(slots=True)
class Activity:
    """What a style is decided from."""

    features: AccountFeatures
    engagement_per_item: float
    shares_per_item: float
    topics: Sequence[TopicShare]
    focused_items: int
    """Its items that carry one of its main topics (`main_topics` with the specialist's max_topics)."""
    as_of: str = ""
    """The run's as-of moment (ISO 8601): a dormant account's evidence says when it was seen against it."""


def main_topics(topics: Sequence[TopicShare], count: int) -> list[TopicShare]:
    """An account's `count` main topics: most items first, then the higher score, then the name."""
    return sorted(topics, key=lambda item: (-item.items, -item.score, item.topic))[:count]


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def _observer(activity: Activity, spec: Mapping[str, float]) -> str | None:
    items = activity.features.items
    if items > spec["max_items"]:
        return None
    return f"{items} item{'' if items == 1 else 's'} in the window (at most {spec['max_items']:g})"


def _celebrity(activity: Activity, spec: Mapping[str, float]) -> str | None:
    followers = activity.features.followers or 0.0
    engagement = activity.engagement_per_item
    if followers <= 0 or followers < spec["min_followers"] or engagement < spec["min_engagement_per_item"]:
        return None
    per_1k = 1000 * engagement / followers
    if per_1k > spec["max_engagement_per_1k_followers"]:
        return None
    return (
        f"{followers:,.0f} followers and {engagement:,.1f} weighted engagements per item, "
        f"but {per_1k:.2f} per 1,000 followers"
    )


def _specialist(activity: Activity, spec: Mapping[str, float]) -> str | None:
    top = main_topics(activity.topics, int(spec["max_topics"]))
    items = activity.features.items
    if not top or not items:
        return None
    focus = activity.focused_items / items
    best = max(top, key=lambda item: (item.score, item.topic))
    if focus < spec["min_focus"] or best.score < spec["min_topic_score"]:
        return None
    names = ", ".join(item.topic for item in top)
    return (
        f"{activity.focused_items} of its {items} items ({100 * focus:.0f}%) are on {names}; "
        f"it scores {best.score:.1f} on {best.topic}"
    )


def _conversationalist(activity: Activity, spec: Mapping[str, float]) -> str | None:
    features = activity.features
    if not features.items or features.reply_items / features.items < spec["min_reply_share"]:
        return None
    share = _percent(features.reply_items, features.items)
    return f"{features.reply_items} of its {features.items} items are replies ({share})"


def _curator(activity: Activity, spec: Mapping[str, float]) -> str | None:
    features = activity.features
    if not features.items or features.share_items / features.items < spec["min_share_share"]:
        return None
    return (
        f"{features.share_items} of its {features.items} items are shares of others' content "
        f"({_percent(features.share_items, features.items)})"
    )


def _broadcaster(activity: Activity, spec: Mapping[str, float]) -> str | None:
    features = activity.features
    posts = features.items - features.reply_items - features.share_items
    if not features.items or posts / features.items < spec["min_original_share"]:
        return None
    if activity.shares_per_item < spec["min_shares_per_item"]:
        return None
    return (
        f"{posts} of its {features.items} items are original posts ({_percent(posts, features.items)}), "
        f"shared {activity.shares_per_item:,.1f} times per item"
    )


DECIDERS: dict[str, Callable[[Activity, Mapping[str, float]], str | None]] = {
    "celebrity": _celebrity,
    "observer": _observer,
    "specialist": _specialist,
    "conversationalist": _conversationalist,
    "curator": _curator,
    "broadcaster": _broadcaster,
}


def _dormant(activity: Activity) -> str:
    seen = activity.features.last_active or ""
    if not seen:
        return "no activity in the window"
    if activity.as_of and seen > activity.as_of:
        return f"no activity in the window: its first row is after as-of, on {seen[:10]}"
    return f"no activity in the window; last active {seen[:10]}"


def style_of(activity: Activity, styles: Mapping[str, Mapping[str, float]]) -> Style:
    """The first style (in the model's order) whose thresholds the account meets; an account with
    nothing in the window is `dormant`."""
    if activity.features.last_active is not None:
        return Style(DORMANT, _dormant(activity))
    for name, spec in styles.items():
        evidence = DECIDERS[name](activity, spec)
        if evidence is not None:
            return Style(name, evidence)
    features = activity.features
    posts = features.items - features.reply_items - features.share_items
    return Style(
        CONTRIBUTOR,
        f"no style's thresholds met: {posts} posts, {features.reply_items} replies, {features.share_items} shares, "
        f"shared {activity.shares_per_item:,.1f} times per item, on {len(activity.topics)} topics",
    )
