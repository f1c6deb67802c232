"""Hypothesis strategies and builders for plain core objects."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from klout_cli.core import AccountFeatures

counts = st.floats(min_value=0, max_value=5e6, allow_nan=False, allow_infinity=False)
decays = st.floats(min_value=0.01, max_value=1.0)
#: The default model's backlash limit: replies beyond this many per like or share count nothing.
REPLY_LIMIT = 0.5
MIN_REPLIES = 10.0


def alike(
    account: str = "acct",
    platform: str = "twitter",
    *,
    items: int,
    weighted_items: float | None = None,
    likes: float = 0.0,
    shares: float = 0.0,
    replies: float = 0.0,
    clicks: float = 0.0,
    impressions: float = 0.0,
    **rest: Any,
) -> AccountFeatures:
    """An account whose items all drew alike, as the rows would give it under the default model:
    the counts are decayed sums over its items, and each per-item sum (capped engagement, shares,
    people) is what those items drew (no item passes the item cap when all are alike)."""
    counted_replies = min(replies, max(MIN_REPLIES, REPLY_LIMIT * (likes + shares)))
    return AccountFeatures(
        account=account,
        platform=platform,
        items=items,
        weighted_items=float(items if weighted_items is None else weighted_items),
        likes=likes,
        shares=shares,
        replies=replies,
        clicks=clicks,
        impressions=impressions,
        capped_engagement=likes + 3 * shares + 2 * counted_replies + 0.5 * clicks,
        capped_shares=shares,
        capped_people=max(likes, shares, counted_replies),
        backlash_replies=replies - counted_replies,
        engaged_items=float(items if weighted_items is None else weighted_items)
        if likes + shares + counted_replies + clicks > 0
        else 0.0,
        **rest,
    )


@st.composite
def features(draw: st.DrawFn, account: str = "acct", platform: str = "twitter") -> AccountFeatures:
    items = draw(st.integers(min_value=0, max_value=500))
    weighted = items * draw(decays) if items else 0.0
    return alike(
        account,
        platform,
        items=items,
        weighted_items=weighted,
        likes=draw(counts) if items else 0.0,
        shares=draw(counts) if items else 0.0,
        replies=draw(counts) if items else 0.0,
        clicks=draw(counts) if items else 0.0,
        impressions=draw(counts) if items else 0.0,
        active_weeks=draw(st.integers(min_value=0, max_value=(1 << 13) - 1)) if items else 0,
        followers=draw(st.none() | st.floats(min_value=0, max_value=2e8)),
        following=draw(st.none() | st.floats(min_value=0, max_value=1e6)),
        busiest_day=draw(st.integers(min_value=0, max_value=items)),
        busy_days=draw(st.integers(min_value=0, max_value=30)) if items else 0,
        peak_item=draw(st.floats(min_value=0, max_value=1e6)) if items else 0.0,
        engagers=draw(st.integers(min_value=0, max_value=100_000)),
        incoming=(incoming := draw(st.floats(min_value=0, max_value=1e6))),
        network=incoming * draw(st.floats(min_value=0, max_value=1)),  # each engager's trust is at most 1
        bot_share=draw(st.floats(min_value=0, max_value=1)),
        ring_share=draw(st.floats(min_value=0, max_value=1)),
        ring_size=draw(st.integers(min_value=0, max_value=30)),
        ring_density=draw(st.floats(min_value=0, max_value=1)),
    )


def with_more_items(base: AccountFeatures, extra: int, decay: float) -> AccountFeatures:
    """The same account after `extra` more items that received nothing."""
    return replace(base, items=base.items + extra, weighted_items=base.weighted_items + extra * decay)


def times(base: AccountFeatures, k: int) -> AccountFeatures:
    """The same account posting `k` times as many items, each drawing what its items drew, from
    the same audience (the same engagers, each engaging k times as often: k times the
    interaction rows, the same shares of them from bots and rings): every sum over items and
    interactions k times."""
    return replace(
        base,
        items=base.items * k,
        reply_items=base.reply_items * k,
        share_items=base.share_items * k,
        weighted_items=base.weighted_items * k,
        likes=base.likes * k,
        shares=base.shares * k,
        replies=base.replies * k,
        clicks=base.clicks * k,
        impressions=base.impressions * k,
        capped_engagement=base.capped_engagement * k,
        capped_shares=base.capped_shares * k,
        capped_people=base.capped_people * k,
        backlash_replies=base.backlash_replies * k,
        engaged_items=base.engaged_items * k,
        ratioed_items=base.ratioed_items * k,
        incoming=base.incoming * k,
        network=base.network * k,
    )
