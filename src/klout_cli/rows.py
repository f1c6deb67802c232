"""Flat result rows: what compute and rank print and the store keeps (no pandas, no rich)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from klout_cli.core.basics import ACCOUNT_WIDE, COMBINED_SEPARATOR, ENDORSEMENTS, RANK_DECIMALS, competition_ranks

if TYPE_CHECKING:  # `rank` imports this module, and only the light part of the core
    from klout_cli.core.scoring import Score
    from klout_cli.core.topics import TopicScore

Row = dict[str, Any]

FIXED_BEFORE = ("rank", "account", "platform", "score")
FIXED_AFTER = ("items", "followers", "style", "flags")
TOPIC_BEFORE = ("rank", "account", "platform", "topic", "score")
TOPIC_AFTER = (ENDORSEMENTS, "items", "flags")
#: Joins the names of an account's gaming flags in one cell: `pod;spam-volume`.
FLAG_SEPARATOR = ";"


def plain(item: Any) -> dict[str, Any]:
    """A result record (a dataclass whose fields hold numbers and strings) as a dict.

    `dataclasses.asdict` gives the same, but deep-copies every value on the way: for a run of
    thousands of accounts that was most of the time it took to save.
    """
    names = _FIELDS.get(type(item))
    if names is None:
        names = _FIELDS[type(item)] = tuple(field.name for field in fields(item))
        _GETTERS[type(item)] = attrgetter(*names)  # one C call for every field
    if len(names) == 1:
        return {names[0]: getattr(item, names[0])}
    return dict(zip(names, _GETTERS[type(item)](item)))


_FIELDS: dict[type, tuple[str, ...]] = {}
_GETTERS: dict[type, Callable[[Any], Any]] = {}


def columns_for(signals: Sequence[str]) -> list[str]:
    """Output columns: rank, account, platform, score, one 0-100 sub-score per signal, items, followers,
    style, flags."""
    return [*FIXED_BEFORE, *signals, *FIXED_AFTER]


def topic_signals(signals: Sequence[str]) -> list[str]:
    """The signals a topic score is measured by (the account-wide ones weigh 0 there)."""
    return [signal for signal in signals if signal not in ACCOUNT_WIDE]


def topic_columns(signals: Sequence[str]) -> list[str]:
    """Columns of a topic ranking: rank, account, platform, topic, score, the item signals' sub-scores,
    endorsements, items, flags."""
    return [*TOPIC_BEFORE, *topic_signals(signals), *TOPIC_AFTER]


def score_row(score: Score, style: str) -> Row:
    row: Row = {"account": score.account, "platform": score.platform, "score": score.score}
    row.update(score.subscores())
    row["items"] = score.features.items
    row["followers"] = score.features.followers
    row["style"] = style
    row["flags"] = FLAG_SEPARATOR.join(score.flags)
    return row


def topic_row(score: TopicScore) -> Row:
    row: Row = {"account": score.account, "platform": score.platform, "topic": score.topic, "score": score.score}
    row.update(score.normalized())
    row["items"] = score.features.items
    row["flags"] = FLAG_SEPARATOR.join(score.flags)
    return row


def platform_matches(wanted: str, platform: str, *, combined: bool) -> bool:
    """A platform filter; in a combined run, `linkedin+twitter` matches each of its platforms."""
    return wanted == platform or (combined and wanted in platform.split(COMBINED_SEPARATOR))


def select(
    rows: Iterable[Row],
    *,
    platform: str | None,
    min_score: float | None,
    top: int | None,
    combined: bool = False,
) -> list[Row]:
    """Filter rows already sorted best first, keep the top N, and number them.

    Scores equal at the precision shown share a rank.
    """
    chosen = [
        row
        for row in rows
        if (platform is None or platform_matches(platform, row["platform"], combined=combined))
        and (min_score is None or row["score"] >= min_score)
    ]
    if top is not None:
        chosen = chosen[:top]
    for rank, row in zip(competition_ranks([round(row["score"], RANK_DECIMALS) for row in chosen]), chosen):
        row["rank"] = rank
    return chosen
