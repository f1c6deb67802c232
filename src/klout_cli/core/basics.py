"""What the light commands need from the core: names, the precision scores rank at, and ranks.

Plain constants and one function, no dataclasses: `kscore rank` reads a saved run with these
and never imports the rest of the core (building its dataclasses takes longer than ranking).
"""

from __future__ import annotations

from collections.abc import Sequence

#: Counts an item can receive, in the order they appear in the schema.
ACTIONS: tuple[str, ...] = ("likes", "shares", "replies", "clicks", "impressions")

#: Signals this version computes, in display order.
SIGNALS: tuple[str, ...] = ("reach", "engagement", "amplification", "activity", "true_reach", "network_impact")

#: Signals measured account-wide (audience, who engages the account): 0 weight in topic scores.
ACCOUNT_WIDE: tuple[str, ...] = ("reach", "network_impact")

#: The part of a topic score that endorsements earn.
ENDORSEMENTS = "endorsements"

#: Joins an account's platform names in a combined row: `linkedin+twitter`.
COMBINED_SEPARATOR = "+"

#: Scores are shown and ranked at this precision: equal there, equal rank (then by name).
RANK_DECIMALS = 2


def competition_ranks(sorted_scores: Sequence[float]) -> list[int]:
    """Ranks for scores already sorted high to low: 1, 2, 2, 4 ..."""
    ranks: list[int] = []
    for position, value in enumerate(sorted_scores):
        if position and value == sorted_scores[position - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks
