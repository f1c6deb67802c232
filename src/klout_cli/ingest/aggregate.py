"""Turn validated rows into per-account features (vectorised pandas; the core never sees rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from klout_cli.core import ACTIONS, AccountFeatures, Model
from klout_cli.ingest.schema import AUDIENCE, CONTENT_KINDS, COUNTS

KEYS = ["account", "platform"]
DAY_SECONDS = 86400.0


@dataclass
class WindowReport:
    """What happened to the rows between reading and scoring."""

    as_of: datetime
    rows_in: int
    duplicates: int
    before_window: int
    after_as_of: int
    content_items: int
    interactions: int

    @property
    def rows_kept(self) -> int:
        return self.rows_in - self.duplicates - self.before_window - self.after_as_of


def latest_timestamp(rows: pd.DataFrame) -> datetime:
    stamp: pd.Timestamp = rows["timestamp"].max()
    moment: datetime = stamp.to_pydatetime()
    return moment


def drop_duplicates(rows: pd.DataFrame) -> pd.DataFrame:
    """The same item seen twice (overlapping exports) counts once, with its highest counts.

    Counts only grow, so the highest is the latest export's; the result does not depend on the
    order of rows or files.
    """
    has_id = rows["post_id"] != ""
    if not has_id.any():
        return rows
    identified = rows[has_id]
    group_keys = [*KEYS, "kind", "post_id"]
    if not identified.duplicated(group_keys).any():
        return rows
    aggregations = {
        "timestamp": "min",
        **{name: "max" for name in (*COUNTS, *AUDIENCE, "target", "topics", "text")},
    }
    merged = identified.groupby(group_keys, sort=False, as_index=False).agg(aggregations)
    return pd.concat([rows[~has_id], merged[rows.columns]], ignore_index=True)


def _week_masks(weeks: pd.DataFrame) -> pd.Series:
    """One bitmask per account: bit k set when week k had an engaged item."""
    distinct = weeks.drop_duplicates()
    if distinct.empty:
        return pd.Series(dtype=object)
    if int(distinct["week"].max()) < 62:
        bits = np.left_shift(np.int64(1), distinct["week"].to_numpy(dtype=np.int64))
        return pd.Series(bits, index=distinct.index).groupby([distinct[key] for key in KEYS]).sum()
    # windows longer than 62 weeks need Python's unbounded ints
    bits = distinct["week"].map(lambda week: 1 << int(week))
    return bits.groupby([distinct[key] for key in KEYS]).agg(lambda values: sum(values))


def _latest(rows: pd.DataFrame, column: str) -> pd.Series:
    """The latest snapshot of an audience column per account (ties: the larger value)."""
    known = rows.loc[rows[column].notna(), [*KEYS, "timestamp", column]]
    ordered = known.sort_values([*KEYS, "timestamp", column], kind="mergesort")
    return ordered.groupby(KEYS, sort=False)[column].last()


def build_features(
    rows: pd.DataFrame, model: Model, as_of: datetime | None = None
) -> tuple[list[AccountFeatures], WindowReport]:
    """Aggregate rows to one `AccountFeatures` per (account, platform), in the model's window."""
    rows_in = len(rows)
    unique = drop_duplicates(rows)
    duplicates = rows_in - len(unique)
    if as_of is None:
        as_of = latest_timestamp(unique)
    moment = pd.Timestamp(as_of)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")

    age = (moment - unique["timestamp"]).dt.total_seconds().to_numpy() / DAY_SECONDS
    after = age < 0
    before = age > model.window_days
    inside = unique[~after & ~before].copy()
    age = age[~after & ~before]
    inside["decay"] = np.power(0.5, age / model.half_life_days)
    inside["week"] = np.minimum(age // 7, model.window_weeks - 1).astype(np.int64)

    content = inside[inside["kind"].isin(CONTENT_KINDS)]
    # a canonical row order makes every float sum bit-identical however the input was ordered
    content = content.sort_values([*KEYS, "timestamp", *COUNTS, "kind", "post_id"], kind="stable")
    decay = content["decay"]
    weighted = pd.DataFrame({name: content[name] * decay for name in COUNTS})
    weighted["weighted_items"] = decay
    weighted["items"] = 1
    grouped = weighted.groupby([content[key] for key in KEYS]).sum()

    engaged_value = sum(content[name] * model.actions[name] for name in ACTIONS)
    engaged = content[engaged_value > 0]
    masks = _week_masks(engaged[[*KEYS, "week"]])
    followers = _latest(inside, "followers")
    following = _latest(inside, "following")

    accounts = inside[KEYS].drop_duplicates().sort_values(KEYS)
    table = accounts.set_index(KEYS)
    if not grouped.empty:
        table = table.join(grouped, how="left")
    for name, series in (("active_weeks", masks), ("followers", followers), ("following", following)):
        if not series.empty:
            table = table.join(series.rename(name), how="left")
    for name in (*COUNTS, "weighted_items", "items", "active_weeks"):
        if name not in table:
            table[name] = 0
    for name in AUDIENCE:
        if name not in table:
            table[name] = np.nan
    counts = table[[*COUNTS, "weighted_items"]].fillna(0.0).astype("float64")
    items = table["items"].fillna(0).astype("int64")
    active = table["active_weeks"].fillna(0)

    features = [
        AccountFeatures(
            account=str(account),
            platform=str(platform),
            items=int(n_items),
            weighted_items=float(weighted_items),
            likes=float(likes),
            shares=float(shares),
            replies=float(replies),
            clicks=float(clicks),
            impressions=float(impressions),
            active_weeks=int(weeks),
            followers=None if pd.isna(audience) else float(audience),
            following=None if pd.isna(follows) else float(follows),
        )
        for (
            (account, platform),
            likes,
            shares,
            replies,
            impressions,
            clicks,
            weighted_items,
            n_items,
            weeks,
            audience,
            follows,
        ) in zip(
            table.index,
            counts["likes"],
            counts["shares"],
            counts["replies"],
            counts["impressions"],
            counts["clicks"],
            counts["weighted_items"],
            items,
            active,
            table["followers"],
            table["following"],
        )
    ]
    report = WindowReport(
        as_of=moment.to_pydatetime(),
        rows_in=rows_in,
        duplicates=duplicates,
        before_window=int(before.sum()),
        after_as_of=int(after.sum()),
        content_items=len(content),
        interactions=int((inside["target"] != "").sum()),
    )
    return features, report
