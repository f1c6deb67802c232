"""Per-account features: what `ingest` measures from the rows and the core scores.

Every sum is already time-decayed (an item `age` days old counts 0.5 ** (age / half_life)),
because decay needs the rows and the core never sees rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter, mul

from klout_cli.core.basics import ACTIONS
from klout_cli.core.basics import COMBINED_SEPARATOR as COMBINED_SEPARATOR
from klout_cli.core.model import Model


@dataclass(slots=True)
class AccountFeatures:
    """What one account did on one platform (or, combined, on all) inside the window."""

    account: str
    platform: str
    items: int = 0
    """Content items (posts, replies, shares) the account made in the window."""
    reply_items: int = 0
    share_items: int = 0
    """How many of those items are replies, and how many shares of others' content (the rest are posts)."""
    weighted_items: float = 0.0
    """Its own items (posts and replies, not shares of others' content), each counted by its decay
    weight: what the per-item signals divide by."""
    likes: float = 0.0
    shares: float = 0.0
    replies: float = 0.0
    clicks: float = 0.0
    impressions: float = 0.0
    """Decayed sums of what the account's items received."""
    active_weeks: int = 0
    """Bit k set: in week k before as-of (week 0 = the last 7 days) an item received engagement."""
    followers: float | None = None
    following: float | None = None
    """The latest audience snapshot in the window; None when the input never said."""
    busiest_day: int = 0
    """The most items the account made on one day."""
    peak_item: float = 0.0
    """The most likes or shares one item received: at least that many distinct people engaged."""
    engagers: int = 0
    """Distinct other accounts whose interaction rows (like, share, reply, mention) target this one."""
    incoming: float = 0.0
    """Those interaction rows, weighted by kind and decayed."""
    network: float = 0.0
    """Incoming engagement counted by the credibility (trust, at most 1) of whoever gave it."""
    bot_share: float = 0.0
    """Share of `incoming` from accounts with (almost) no trust: no audience, nobody engaging them."""
    ring_share: float = 0.0
    """Share of `incoming` from accounts this one engages back (reciprocal partners)."""
    ring_size: int = 0
    """How many reciprocal partners engaged with it."""
    capped_engagement: float = 0.0
    """Each of its own items' weighted engagement (replies beyond the backlash limit left out),
    decayed and summed, its best item at most `item_cap` times its next best: one outlier cannot
    carry an account."""
    capped_shares: float = 0.0
    """The same for each item's shares."""
    capped_people: float = 0.0
    """The same for the people each item moved: its likes, shares or counted replies, the most."""
    engaged_items: float = 0.0
    """The items that received anything (weighted by the model's actions), decayed: a measure per
    engaged item never falls when items nobody reacted to are added."""
    backlash_replies: float = 0.0
    """Replies not counted: beyond the backlash limit of their item's likes and shares (decayed)."""
    ratioed_items: int = 0
    """Items whose replies passed the backlash limit."""
    busy_days: int = 0
    """Calendar days with at least spam-volume's `min_items_per_day` items."""
    ring_density: float = 0.0
    """Of the pairs of its reciprocal partners, the share that engage each other both ways."""
    last_active: str | None = None
    """When the account has no row in the window: the time of its latest row (ISO 8601)."""

    def received(self, action: str) -> float:
        value: float = getattr(self, action)
        return value

    def weighted(self, actions: Mapping[str, float]) -> float:
        """What its items received, each action counted by its weight (exactly rounded)."""
        return weighted_all([self], actions)[0]


_RECEIVED = attrgetter(*ACTIONS)
"""An account's received counts, in the order of ACTIONS, in one call."""


def weighted_all(accounts: Sequence[AccountFeatures], actions: Mapping[str, float]) -> list[float]:
    """`AccountFeatures.weighted` of each account."""
    weights = [actions[action] for action in ACTIONS]
    fsum = math.fsum
    return [fsum(map(mul, weights, received)) for received in map(_RECEIVED, accounts)]


def combine_platforms(parts: Sequence[AccountFeatures], model: Model, heaviest: float | None = None) -> AccountFeatures:
    """Merge one account's platforms into one, each platform counted by its model weight.

    Weights are taken relative to the account's most weighted platform, which counts in full:
    a lone platform is never inflated, and a platform weighted half as much adds half its items,
    received counts and audience (a weight of 0 leaves it out). Active weeks are the union, so
    per-item measures of the result are platform-weighted pooled means. `heaviest` is the weight
    of the account's most weighted platform when `parts` are not all of them (its items on one
    topic): default, the heaviest of `parts`.
    """
    if not parts:
        raise ValueError("combine_platforms needs at least one part")
    accounts = {part.account for part in parts}
    if len(accounts) != 1:
        raise ValueError(f"combine_platforms got several accounts: {sorted(accounts)}")
    weighted = [(part, model.platform_weight(part.platform)) for part in parts]
    heaviest = max(heaviest or 0.0, *(weight for _, weight in weighted))
    counted = [(part, weight / heaviest) for part, weight in weighted if weight > 0]
    sums = {action: float(sum(weight * part.received(action) for part, weight in counted)) for action in ACTIONS}
    audience = [(part.followers, weight) for part, weight in counted if part.followers is not None]
    followings = [(part.following, weight) for part, weight in counted if part.following is not None]
    active = 0
    for part, _ in counted:
        active |= part.active_weeks
    # float(...): with every platform weighted 0 (nothing counted), the sums are 0.0, not the int 0
    incoming = float(sum(weight * part.incoming for part, weight in counted))

    def by_incoming(share: str) -> float:
        if not incoming:
            return 0.0
        return sum(weight * part.incoming * float(getattr(part, share)) for part, weight in counted) / incoming

    return AccountFeatures(
        account=parts[0].account,
        platform=COMBINED_SEPARATOR.join(sorted({part.platform for part in parts})),
        items=sum(part.items for part, _ in counted),
        reply_items=sum(part.reply_items for part, _ in counted),
        share_items=sum(part.share_items for part, _ in counted),
        weighted_items=float(sum(weight * part.weighted_items for part, weight in counted)),
        active_weeks=active,
        followers=sum(value * weight for value, weight in audience) if audience else None,
        following=sum(value * weight for value, weight in followings) if followings else None,
        busiest_day=max((part.busiest_day for part, _ in counted), default=0),
        peak_item=max((part.peak_item for part, _ in counted), default=0.0),
        engagers=round(sum(weight * part.engagers for part, weight in counted)),
        incoming=incoming,
        network=float(sum(weight * part.network for part, weight in counted)),
        bot_share=by_incoming("bot_share"),
        ring_share=by_incoming("ring_share"),
        ring_size=max((part.ring_size for part, _ in counted), default=0),  # the same ring on each platform
        capped_engagement=float(sum(weight * part.capped_engagement for part, weight in counted)),
        capped_shares=float(sum(weight * part.capped_shares for part, weight in counted)),
        capped_people=float(sum(weight * part.capped_people for part, weight in counted)),
        engaged_items=float(sum(weight * part.engaged_items for part, weight in counted)),
        backlash_replies=float(sum(weight * part.backlash_replies for part, weight in counted)),
        ratioed_items=sum(part.ratioed_items for part, _ in counted),
        busy_days=max((part.busy_days for part, _ in counted), default=0),
        ring_density=max((part.ring_density for part, _ in counted), default=0.0),
        last_active=_last_active(parts),
        **sums,
    )


def _last_active(parts: Sequence[AccountFeatures]) -> str | None:
    """Combined, an account is dormant only when it is dormant on every platform."""
    seen = [part.last_active for part in parts]
    if any(item is None for item in seen):
        return None
    return max(item for item in seen if item is not None)
