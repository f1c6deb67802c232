"""Hypothesis strategies for plain core objects."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from klout_cli.core import AccountFeatures

counts = st.floats(min_value=0, max_value=5e6, allow_nan=False, allow_infinity=False)
decays = st.floats(min_value=0.01, max_value=1.0)


@st.composite
def features(draw: st.DrawFn, account: str = "acct", platform: str = "twitter") -> AccountFeatures:
    items = draw(st.integers(min_value=0, max_value=500))
    weighted = items * draw(decays) if items else 0.0
    return AccountFeatures(
        account=account,
        platform=platform,
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
        peak_item=draw(st.floats(min_value=0, max_value=1e6)) if items else 0.0,
        engagers=draw(st.integers(min_value=0, max_value=100_000)),
        incoming=draw(st.floats(min_value=0, max_value=1e6)),
        network=draw(st.floats(min_value=0, max_value=1e4)),
        bot_share=draw(st.floats(min_value=0, max_value=1)),
        ring_share=draw(st.floats(min_value=0, max_value=1)),
        ring_size=draw(st.integers(min_value=0, max_value=30)),
    )


def with_more_items(base: AccountFeatures, extra: int, decay: float) -> AccountFeatures:
    """The same account after `extra` more items that received nothing."""
    return replace(base, items=base.items + extra, weighted_items=base.weighted_items + extra * decay)
