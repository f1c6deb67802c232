"""Account names, vectorised: the readers' version of `schema.clean_name` and `schema.name_key`.

A name is trimmed, put in Unicode NFC and loses one leading `@` (`" @Ana "` is `Ana`). On
platforms whose handles are case-insensitive, spellings that differ only in case are one
account, shown in the spelling the input uses most (ties: the first in sorted order). Other
characters (bidi or control characters included) stay: the renderer escapes them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pandas as pd

from klout_cli.ingest.schema import CASE_INSENSITIVE

Spellings = Counter[tuple[str, str, str]]
"""How often each spelling was read: (platform, key, spelling) -> rows."""


def clean_names(names: pd.Series) -> pd.Series:
    """`clean_name` of every cell, vectorised (the readers' version; a test keeps them equal)."""
    cleaned = names.str.strip().str.normalize("NFC")
    at = cleaned.str.startswith("@").fillna(False).astype(bool)
    if at.any():
        cleaned = cleaned.where(~at, cleaned.str[1:].str.strip())
    return cleaned


def name_keys(names: pd.Series, platforms: pd.Series) -> pd.Series:
    """`name_key` of every (clean name, lower-case platform) pair, vectorised."""
    cleaned = clean_names(names)
    insensitive = platforms.isin(CASE_INSENSITIVE)
    if not insensitive.any():
        return cleaned
    folded = cleaned[insensitive].str.casefold().str.normalize("NFC")
    return cleaned.where(~insensitive, folded)


def count_spellings(frame: pd.DataFrame) -> Spellings:
    """How often each spelling of an account (and of a target) appears on a case-insensitive
    platform, in validated rows."""
    found: Spellings = Counter()
    insensitive = frame["platform"].isin(CASE_INSENSITIVE)
    if not insensitive.any():
        return found
    rows = frame[insensitive]
    for column in ("account", "target"):
        names = rows[column]
        names = names[names != ""]
        if names.empty:
            continue
        pairs = pd.DataFrame(
            {"platform": rows.loc[names.index, "platform"], "key": name_keys(names, rows.loc[names.index, "platform"])}
        )
        pairs["spelling"] = names
        for (platform, key, spelling), size in pairs.value_counts(sort=False).items():
            found[(platform, key, spelling)] += int(size)
    return found


def display_names(spellings: Spellings) -> dict[tuple[str, str], str]:
    """(platform, key) -> the spelling shown: the most frequent, ties to the first sorted."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for (platform, key, spelling), rows in spellings.items():
        known = best.get((platform, key))
        if known is None or (-rows, spelling) < (-known[0], known[1]):
            best[(platform, key)] = (rows, spelling)
    return {where: spelling for where, (_, spelling) in best.items()}


def apply_display(frame: pd.DataFrame, display: Mapping[tuple[str, str], str]) -> pd.DataFrame:
    """`frame` with every account and target on a case-insensitive platform in its shown spelling."""
    if not display or frame.empty:
        return frame
    insensitive = frame["platform"].isin(CASE_INSENSITIVE)
    if not insensitive.any():
        return frame
    frame = frame.copy()
    rows = frame[insensitive]
    lookup = {f"{platform}\x00{key}": spelling for (platform, key), spelling in display.items()}
    for column in ("account", "target"):
        if column not in frame:
            continue
        names = rows[column]
        joined = rows["platform"] + "\x00" + name_keys(names, rows["platform"])
        frame.loc[insensitive, column] = joined.map(lookup).fillna(names)
    return frame
