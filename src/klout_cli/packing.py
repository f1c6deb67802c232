"""How a run keeps each score in the store: the numbers its breakdown is rebuilt from, packed.

A score keeps its account's measured features (the core scores them again to word its
breakdown), its best items and how many of its items are on its main topics (its style); a
topic score keeps its topic features and its endorsements' tally. Each is one small blob of
tagged values: a value keeps its Python type (int, float, str, None, bool), so what is rebuilt
from it is what was measured, to the bit. Sub-scores, which `rank` prints, are packed alike.
Stdlib only; no SQL here (store.py reads and writes the blobs).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `rank` reads sub-scores, and never imports the core's features
    from klout_cli.core.features import AccountFeatures

#: The first byte of a blob: how its values are laid out (a later layout gets another number).
LAYOUT = 1
#: Each value's tag: its type, and for a few common values the value itself. SAME is a float
#: equal to an earlier value of the blob, kept as that value's place (an account's capped
#: engagement is often its engagement, its engaged items its weighted items).
NONE, FALSE, TRUE, ZERO_INT, ZERO_FLOAT, INT, NEGATIVE_INT, WHOLE_FLOAT, FLOAT, TEXT, MOMENT, WORD, SAME = range(13)
#: Whole floats below this are kept as integers (they convert back exactly).
WHOLE_LIMIT = 2**53
#: Texts kept as their place in this list: the kinds of items (each best item has one).
WORDS = ("post", "reply", "share")
_WORD_AT = {word: at for at, word in enumerate(WORDS)}
#: A moment in UTC as the input's timestamps are written back (`2024-03-01T10:00:00+00:00`):
#: kept as its seconds since 1970 when that gives back the same text.
MOMENT_LENGTH, MOMENT_END = 25, "+00:00"
_DOUBLE = struct.Struct("<d")
_TAGGED_DOUBLE = struct.Struct("<Bd")

#: An account's features as a blob keeps them: every field of `AccountFeatures` but account,
#: platform and items, which its row holds (it holds followers too, but its REAL column would make
#: a whole number a float). A field added to the features needs a new LAYOUT (a test checks).
FEATURE_FIELDS = (
    "reply_items",
    "share_items",
    "weighted_items",
    "likes",
    "shares",
    "replies",
    "clicks",
    "impressions",
    "active_weeks",
    "followers",
    "following",
    "busiest_day",
    "peak_item",
    "engagers",
    "incoming",
    "network",
    "bot_share",
    "ring_share",
    "ring_size",
    "capped_engagement",
    "capped_shares",
    "capped_people",
    "engaged_items",
    "backlash_replies",
    "ratioed_items",
    "busy_days",
    "ring_density",
    "last_active",
)
#: A best item's fields, in the order of `TopItem` (its `platform` only in combined runs).
ITEM_FIELDS = (
    "post_id",
    "timestamp",
    "kind",
    "likes",
    "shares",
    "replies",
    "impressions",
    "clicks",
    "weighted_engagement",
    "counted",
    "text",
    "platform",
)
#: An endorsement tally's fields, in the order of `EndorsementTally`.
TALLY_FIELDS = ("counted", "weight", "givers", "over_daily_cap", "repeated", "self_endorsed", "ignored_givers")
_FEATURES, _TALLY = attrgetter(*FEATURE_FIELDS), attrgetter(*TALLY_FIELDS)


class PackingError(ValueError):
    """A blob that is not one this kscore packed (a damaged store, or a later kscore's)."""


def _varint(out: bytearray, number: int) -> None:
    while number > 0x7F:
        out.append(number & 0x7F | 0x80)
        number >>= 7
    out.append(number)


def _put(out: bytearray, value: Any) -> None:
    """Append one value, its tag first. (`pack` runs the common cases inline: a run packs
    millions of values; see BENCHMARKS.md.)"""
    kind = type(value)
    if kind is float or (kind is not bool and isinstance(value, float)):
        if value.is_integer() and -WHOLE_LIMIT < value < WHOLE_LIMIT and (value or math.copysign(1.0, value) > 0):
            if not value:
                out.append(ZERO_FLOAT)
                return
            out.append(WHOLE_FLOAT if value > 0 else WHOLE_FLOAT | 0x80)
            _varint(out, int(abs(value)))
            return
        out += _TAGGED_DOUBLE.pack(FLOAT, value)
    elif kind is int or (kind is not bool and isinstance(value, int)):
        if not value:
            out.append(ZERO_INT)
        else:
            out.append(INT if value > 0 else NEGATIVE_INT)
            _varint(out, abs(int(value)))
    elif value is None:
        out.append(NONE)
    elif kind is bool:
        out.append(TRUE if value else FALSE)
    elif isinstance(value, str):
        _put_text(out, value)
    else:
        raise TypeError(f"cannot pack a {type(value).__name__}")


def _put_text(out: bytearray, value: str) -> None:
    word = _WORD_AT.get(value)
    if word is not None:
        out.append(WORD)
        out.append(word)
        return
    if len(value) == MOMENT_LENGTH and value.endswith(MOMENT_END):
        try:
            seconds = int(datetime.fromisoformat(value).timestamp())
        except ValueError:
            seconds = -1
        if seconds >= 0 and _moment(seconds) == value:
            out.append(MOMENT)
            _varint(out, seconds)
            return
    data = value.encode("utf-8", "surrogatepass")
    out.append(TEXT)
    _varint(out, len(data))
    out += data


def _moment(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()


def pack(values: Iterable[Any]) -> bytes:
    """Values (int, float, str, None, bool) as one blob, each keeping its type."""
    out = bytearray((LAYOUT,))
    append, tagged_double, put = out.append, _TAGGED_DOUBLE.pack, _put
    seen: dict[float, int] = {}
    for at, value in enumerate(values):
        kind = type(value)
        if kind is float and not value.is_integer():  # (NaN and the infinities too)
            earlier = seen.get(value)  # (equal floats that are not whole have the same bits)
            if earlier is None:
                seen[value] = at
                out += tagged_double(FLOAT, value)
            else:
                append(SAME)
                _varint(out, earlier)
        elif kind is int and 0 <= value < 0x80:
            if value:
                append(INT)
                append(value)
            else:
                append(ZERO_INT)
        elif value is None:
            append(NONE)
        else:
            put(out, value)
    return bytes(out)


def unpack(blob: bytes) -> list[Any]:
    """The values `pack` was given, in order."""
    if not blob or blob[0] != LAYOUT:
        raise PackingError("not a blob of packed numbers this kscore knows")
    values: list[Any] = []
    append, double, constants = values.append, _DOUBLE.unpack_from, _CONSTANTS
    at, end = 1, len(blob)
    try:
        while at < end:
            tag = blob[at]
            at += 1
            if tag == FLOAT:  # the commonest first
                append(double(blob, at)[0])
                at += 8
                continue
            if tag in constants:
                append(constants[tag])
                continue
            kind = tag & 0x7F
            if kind == WORD:
                append(WORDS[blob[at]])
                at += 1
                continue
            number = blob[at]
            at += 1
            if number > 0x7F:
                number &= 0x7F
                shift = 7
                while True:
                    byte = blob[at]
                    at += 1
                    number |= (byte & 0x7F) << shift
                    shift += 7
                    if byte < 0x80:
                        break
            if tag == INT:
                append(number)
            elif tag == NEGATIVE_INT:
                append(-number)
            elif kind == WHOLE_FLOAT:
                append(float(-number if tag & 0x80 else number))
            elif tag == MOMENT:
                append(_moment(number))
            elif tag == TEXT:
                append(blob[at : at + number].decode("utf-8", "surrogatepass"))
                at += number
            elif tag == SAME:
                append(values[number])
            else:
                raise KeyError(tag)
    except (IndexError, struct.error, UnicodeDecodeError, KeyError, ValueError, OverflowError, OSError):
        raise PackingError("a blob of packed numbers is cut short or damaged") from None
    if at != end:
        raise PackingError("a blob of packed numbers is cut short or damaged")
    return values


_CONSTANTS: dict[int, Any] = {NONE: None, FALSE: False, TRUE: True, ZERO_INT: 0, ZERO_FLOAT: 0.0}


# -- a score and a topic score --------------------------------------------------------------
def pack_score(features: AccountFeatures, focused_items: int, items: Sequence[Mapping[str, Any]]) -> bytes:
    """An account's score: its features (but those its row holds), how many of its items are on
    its main topics, and its best items (each as `TopItem.plain` gives it)."""
    values = [*_FEATURES(features), focused_items, len(items)]
    for item in items:
        values += [item.get(name) for name in ITEM_FIELDS]
    return pack(values)


@dataclass(frozen=True)
class PackedScore:
    """What `pack_score` kept, unpacked."""

    features: dict[str, Any]
    """The features' fields but account, platform and items (the row has them)."""
    focused_items: int
    items: list[dict[str, Any]]
    """Each best item as `TopItem.plain` gives it (`platform` only when set)."""


def unpack_score(blob: bytes) -> PackedScore:
    values = unpack(blob)
    count = len(FEATURE_FIELDS)
    try:
        focused, items = values[count], values[count + 1]
        width = len(ITEM_FIELDS)
        found = []
        for start in range(count + 2, count + 2 + items * width, width):
            item = dict(zip(ITEM_FIELDS, values[start : start + width], strict=True))
            if item["platform"] is None:
                del item["platform"]
            found.append(item)
    except (IndexError, TypeError, ValueError):
        raise PackingError("a score's packed numbers are cut short") from None
    if len(values) != count + 2 + items * width:
        raise PackingError("a score's packed numbers are not what this kscore packs")
    return PackedScore(dict(zip(FEATURE_FIELDS, values[:count])), focused, found)


def pack_topic(features: AccountFeatures, tally: Any) -> bytes:
    """A topic score: its topic features (but those its row holds) and its endorsements' tally."""
    values = [*_FEATURES(features), *_TALLY(tally)]
    return pack(values)


def unpack_topic(blob: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(topic features but account, platform and items; the endorsements' tally), as fields."""
    values = unpack(blob)
    count = len(FEATURE_FIELDS)
    if len(values) != count + len(TALLY_FIELDS):
        raise PackingError("a topic score's packed numbers are not what this kscore packs")
    return dict(zip(FEATURE_FIELDS, values[:count])), dict(zip(TALLY_FIELDS, values[count:]))
