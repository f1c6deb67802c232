"""Time off barely moves a score: the signals are per item, so silence is not a loss of influence;
only when nothing is left in the window is an account dormant (default model, default as-of)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.ingest.helpers import scores_of

END = datetime(2024, 6, 30, 18, 0, tzinfo=timezone.utc)
WINDOW_DAYS = 90


def steady(account: str, silent_days: int, likes: int, shares: int) -> list[dict[str, object]]:
    """One post a day for the whole window, then nothing for the last `silent_days`."""
    return [
        {
            "account": account,
            "timestamp": (END - timedelta(days=day, hours=2)).isoformat(),
            "platform": "twitter",
            "post_id": f"{account}-{day}",
            "likes": likes,
            "shares": shares,
            "replies": 1,
            "followers": 5000,
        }
        for day in range(silent_days, WINDOW_DAYS + 10)
    ]


# someone else posts up to the end of the export, so the default as-of is END for everyone
OTHERS = [{"account": "newsroom", "timestamp": END.isoformat(), "platform": "twitter", "likes": 3}]


def loss(silent_days: int, likes: int, shares: int) -> float:
    active = scores_of([steady("steady", 0, likes, shares) + OTHERS])[("steady", "twitter")]
    quiet = scores_of([steady("steady", silent_days, likes, shares) + OTHERS])[("steady", "twitter")]
    return active - quiet


@pytest.mark.parametrize(("likes", "shares"), [(2, 0), (20, 3), (200, 30), (2000, 300)])
def test_a_week_of_silence_costs_next_to_nothing_and_a_month_little(likes: int, shares: int) -> None:
    week, month = loss(7, likes, shares), loss(30, likes, shares)
    assert 0 <= week <= 0.5
    assert week <= month <= 2.0


def test_an_account_silent_for_the_whole_window_is_dormant() -> None:
    quiet = scores_of([steady("steady", WINDOW_DAYS + 1, 200, 30) + OTHERS])[("steady", "twitter")]
    assert quiet == 1.0
