"""The canonical activity schema: one row per activity (no pandas here, `kscore schema` uses it)."""

from __future__ import annotations

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
