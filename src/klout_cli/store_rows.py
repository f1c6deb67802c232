"""Rows of the run store as the commands print them: columns, sub-scores, topic rows by account."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from klout_cli.core.basics import ENDORSEMENTS
from klout_cli.core.errors import StoreError
from klout_cli.packing import unpack

if TYPE_CHECKING:
    from klout_cli.breakdowns import TopicRow


ROW_COLUMNS = "account, platform, score, items, followers, subscores, flags, style"
TOPIC_COLUMNS = "account, platform, topic, score, items, subscores, flags"


def topic_subscores(signals: Sequence[str]) -> list[str]:
    """The sub-scores a topic row keeps, in order: every signal's (the account-wide ones too,
    weighted 0 there), then the endorsements'."""
    return [*signals, ENDORSEMENTS]


def subscores_of(keys: Sequence[str], saved: str | bytes) -> dict[str, float]:
    """A row's sub-scores: JSON text (runs saved before version 5) or packed numbers."""
    if isinstance(saved, str):
        found: dict[str, float] = json.loads(saved)
        return found
    values = unpack(saved)
    if len(values) != len(keys):
        raise StoreError(f"a row keeps {len(values)} sub-scores for {len(keys)} signals (a damaged store?)")
    return dict(zip(keys, values))


def topic_rows_by_account(
    connection: sqlite3.Connection, run_id: int, account: str | None
) -> dict[tuple[str, str], list[TopicRow]]:
    """Each (account, platform)'s topic scores in a run, by topic (of one account, or all)."""
    query = "SELECT account, platform, topic, score, items, flags FROM topic_scores WHERE run_id = ?"
    params: list[Any] = [run_id]
    if account is not None:
        query += " AND account = ?"
        params.append(account)
    found: dict[tuple[str, str], list[TopicRow]] = {}
    for name, platform, topic, score, items, flags in connection.execute(query + " ORDER BY topic", params):
        found.setdefault((name, platform), []).append((topic, score, items, flags))
    return found


def positions_in_topic(
    rows: Iterable[tuple[dict[str, Any], bytes]],
) -> Iterator[tuple[int, tuple[dict[str, Any], bytes]]]:
    """Number rows already ordered by topic, then best first: 0, 1, 2 ... within each topic."""
    position, topic = 0, None
    for entry in rows:
        position = position + 1 if entry[0]["topic"] == topic else 0
        topic = entry[0]["topic"]
        yield position, entry


def row_of(
    signals: Sequence[str],
    account: str,
    platform: str,
    score: float,
    items: int,
    followers: float | None,
    subscores: str | bytes,
    flags: str,
    style: str,
) -> dict[str, Any]:
    """A result row as compute prints it (rank numbers are left to the caller)."""
    row: dict[str, Any] = {"account": account, "platform": platform, "score": score}
    row.update(subscores_of(signals, subscores))
    row["items"] = items
    row["followers"] = followers
    row["style"] = style
    row["flags"] = flags
    return row


def topic_row_of(
    keys: Sequence[str],
    account: str,
    platform: str,
    topic: str,
    score: float,
    items: int,
    subscores: str | bytes,
    flags: str,
) -> dict[str, Any]:
    row: dict[str, Any] = {"account": account, "platform": platform, "topic": topic, "score": score}
    row.update(subscores_of(keys, subscores))
    row["items"] = items
    row["flags"] = flags
    return row
