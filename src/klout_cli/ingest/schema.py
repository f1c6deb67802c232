"""The canonical activity schema: one row per activity (no pandas here, `kscore schema` uses it)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    meaning: str


COLUMNS: tuple[Column, ...] = (
    Column("account", True, "who did this (handle or id)"),
    Column("timestamp", True, "ISO 8601 date or datetime; no zone = UTC"),
    Column("platform", False, "twitter, linkedin, ...; default 'default'"),
    Column("kind", False, "post (default), reply, share, like, mention, follow, endorse, profile"),
    Column("post_id", False, "unique id of the item; the same id seen twice counts once"),
    Column("target", False, "the account this activity is aimed at (replied to, shared, liked, ...)"),
    Column("likes", False, "likes the item received; whole number >= 0; default 0"),
    Column("shares", False, "shares (retweets, reposts) the item received; default 0"),
    Column("replies", False, "replies the item received; default 0"),
    Column("impressions", False, "times the item was seen; default 0"),
    Column("clicks", False, "clicks the item received; default 0"),
    Column("followers", False, "the account's audience at that time; latest snapshot in the window wins"),
    Column("following", False, "accounts it followed at that time; latest snapshot wins"),
    Column("topics", False, "';'-separated topics of an item or endorsement (see kscore topics)"),
    Column("text", False, "the item's text; its #hashtags are topics too"),
)

NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
REQUIRED: tuple[str, ...] = tuple(column.name for column in COLUMNS if column.required)
COUNTS: tuple[str, ...] = ("likes", "shares", "replies", "impressions", "clicks")
AUDIENCE: tuple[str, ...] = ("followers", "following")
TEXT: tuple[str, ...] = ("platform", "kind", "post_id", "target", "topics", "text")

#: Kinds that are content the account made: their counts are what that content received.
CONTENT_KINDS: tuple[str, ...] = ("post", "reply", "share")
#: The account's own items, its own words: a share carries someone else's content.
OWN_KINDS: tuple[str, ...] = ("post", "reply")
#: Kinds that are interactions from `account` to `target` (share and reply are both).
INTERACTION_KINDS: tuple[str, ...] = ("like", "share", "reply", "mention", "follow", "endorse")
KINDS: tuple[str, ...] = ("post", "reply", "share", "like", "mention", "follow", "endorse", "profile")
#: Kinds that only make sense aimed at someone.
NEEDS_TARGET: tuple[str, ...] = ("like", "mention", "follow", "endorse")

SEMANTICS = (
    "Rows of kind post, reply and share are content the account made; their counts are what "
    "that content received. Rows of kind like, share, reply, mention, follow and endorse with "
    "a target are interactions from account to target: they record who engaged with whom and "
    "are never added to the target's counts, which its own rows already carry. A row of kind "
    "profile is an audience snapshot (followers, following at that time) and nothing else."
)

# -- account names: one rule for every reader (vectorised in names.py) and every lookup ------
#: Platforms whose handles match case-insensitively (`@Ana` and `@ana` are one account).
CASE_INSENSITIVE: frozenset[str] = frozenset({"twitter", "x", "instagram", "tiktok", "threads", "bluesky", "mastodon"})


def clean_name(name: str) -> str:
    """A name as kscore keeps it: trimmed, NFC, without one leading `@` (`" @Ana "` is `Ana`).
    Other characters, bidi and control characters included, stay: the renderer escapes them."""
    cleaned = unicodedata.normalize("NFC", name.strip())
    return cleaned[1:].strip() if cleaned.startswith("@") else cleaned


def case_insensitive(platform: str) -> bool:
    """Are handles on `platform` (or on every platform of a combined `a+b`) case-insensitive?"""
    parts = platform.strip().lower().split("+")
    return all(part in CASE_INSENSITIVE for part in parts)


def folded_name(name: str) -> str:
    """The clean name case-folded: what identifies it where handles are case-insensitive."""
    return unicodedata.normalize("NFC", clean_name(name).casefold())


def name_key(name: str, platform: str) -> str:
    """What identifies the account `name` on `platform`: its clean name, case-folded where
    handles are case-insensitive."""
    return folded_name(name) if case_insensitive(platform) else clean_name(name)


def choose_display(spellings: Iterable[str]) -> str:
    """The spelling one account is shown in, from its spellings (one per row read): the most
    frequent, ties to the first in sorted order (the same on every reader)."""
    counts = Counter(spellings)
    return min(counts, key=lambda spelling: (-counts[spelling], spelling))


def resolve_account(query: str, accounts: Iterable[tuple[str, str]], platform: str | None = None) -> str:
    """The account name a lookup (`explain ACCOUNT`, `history`, `topics`) means, among
    (name, platform) pairs: the clean query if it is a name, else the name it matches
    case-insensitively on a platform whose handles are; else the clean query (not found)."""
    wanted = clean_name(query)
    pairs = [(name, where) for name, where in accounts if platform is None or platform in where.split("+")]
    if any(name == wanted for name, _ in pairs):
        return wanted
    matches = sorted(name for name, where in pairs if name_key(name, where) == name_key(wanted, where))
    return matches[0] if matches else wanted
