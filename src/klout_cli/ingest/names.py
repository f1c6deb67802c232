"""Account names, vectorised: the readers' version of `schema.clean_name` and `schema.name_key`.

A name is trimmed, put in Unicode NFC and loses one leading `@` (`" @Ana "` is `Ana`). On
platforms whose handles are case-insensitive, spellings that differ only in case are one
account, shown in the spelling the input uses most (ties: the first in sorted order). Other
characters (bidi or control characters included) stay: the renderer escapes them.

A column holds few distinct names however many rows it has, so each distinct name is cleaned
once, by the pure function itself: the readers and the lookups cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from klout_cli.ingest.schema import CASE_INSENSITIVE, clean_name, folded_name

Respellings = Mapping[tuple[str, str], str]
"""(platform, spelling) -> the spelling the account is shown in, for spellings that change."""


def clean_names(names: pd.Series) -> pd.Series:
    """`clean_name` of every cell (a missing cell stays missing)."""
    codes, distinct = pd.factorize(names)
    cleaned = [clean_name(name) for name in distinct]
    if cleaned == list(distinct):
        return names  # already clean: no copy
    found = np.asarray(cleaned, dtype=object)[codes]
    if (codes < 0).any():
        found = np.where(codes < 0, names.to_numpy(dtype=object), found)
    return pd.Series(found, index=names.index, dtype=object)


def name_keys(names: pd.Series, platforms: pd.Series) -> pd.Series:
    """`name_key` of every (name, lower-case platform) pair."""
    insensitive = platforms.isin(CASE_INSENSITIVE).to_numpy()
    codes, distinct = pd.factorize(names)
    cleaned = np.asarray([clean_name(name) for name in distinct], dtype=object)
    folded = np.asarray([folded_name(name) for name in distinct], dtype=object)
    return pd.Series(np.where(insensitive, folded[codes], cleaned[codes]), index=names.index, dtype=object)


def count_spellings(frame: pd.DataFrame) -> pd.DataFrame:
    """How often each spelling of an account (as account or as target) appears on a
    case-insensitive platform, in validated (so already clean) rows: platform, key, spelling, rows."""
    insensitive = frame["platform"].isin(CASE_INSENSITIVE).to_numpy()
    if not insensitive.any():
        return NO_SPELLINGS
    platform_codes, platforms = pd.factorize(frame["platform"].to_numpy()[insensitive])
    found = []
    for column in ("account", "target"):
        name_codes, spellings = pd.factorize(frame[column].to_numpy()[insensitive])
        named = name_codes >= 0
        pairs = np.bincount(name_codes[named].astype(np.int64) * len(platforms) + platform_codes[named])
        present = np.flatnonzero(pairs)
        which = present // len(platforms)
        keys = np.asarray([folded_name(spelling) for spelling in spellings], dtype=object)
        found.append(
            pd.DataFrame(
                {
                    "platform": np.asarray(platforms, dtype=object)[present % len(platforms)],
                    "key": keys[which],
                    "spelling": np.asarray(spellings, dtype=object)[which],
                    "rows": pairs[present],
                }
            )
        )
    counted = pd.concat(found, ignore_index=True)
    return counted[counted["spelling"] != ""]


NO_SPELLINGS = pd.DataFrame({"platform": [], "key": [], "spelling": [], "rows": []})


def merge_spellings(counts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Counts of several inputs (or blocks of one) as one: each spelling once, its rows summed."""
    if not counts:
        return NO_SPELLINGS
    together = pd.concat(counts, ignore_index=True)
    return together.groupby(["platform", "key", "spelling"], sort=False, as_index=False)["rows"].sum()


def display_names(counts: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(platform, key) -> the spelling shown: the most frequent, ties to the first sorted
    (`schema.choose_display`, for counted spellings)."""
    merged = merge_spellings([counts])
    best = merged.sort_values(["rows", "spelling"], ascending=[False, True], kind="stable")
    best = best.drop_duplicates(["platform", "key"])
    return {
        (platform, key): spelling for platform, key, spelling in zip(best["platform"], best["key"], best["spelling"])
    }


def respellings(counts: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(platform, spelling) -> the spelling shown, for the spellings that are not it (usually none)."""
    merged = merge_spellings([counts])
    several = merged.groupby(["platform", "key"], sort=False)["spelling"].transform("size") > 1
    if not several.any():
        return {}
    shown = display_names(merged[several])
    return {
        (platform, spelling): shown[(platform, key)]
        for platform, key, spelling in zip(
            merged["platform"][several], merged["key"][several], merged["spelling"][several]
        )
        if spelling != shown[(platform, key)]
    }


def apply_display(frame: pd.DataFrame, respelt: Respellings) -> pd.DataFrame:
    """`frame` with every account and target on a case-insensitive platform in its shown spelling."""
    if not respelt or frame.empty:
        return frame
    changing = {spelling for _, spelling in respelt}
    copied = False
    for column in ("account", "target"):
        if column not in frame:
            continue
        rows = frame[column].isin(changing)
        if not rows.any():
            continue
        if not copied:
            frame, copied = frame.copy(), True
        pairs = zip(frame.loc[rows, "platform"], frame.loc[rows, column])
        frame.loc[rows, column] = [respelt.get(pair, pair[1]) for pair in pairs]
    return frame
