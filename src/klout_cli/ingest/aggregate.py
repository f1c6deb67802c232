"""Turn validated rows into per-account features (vectorised pandas; the core never sees rows)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from klout_cli.core import ACTIONS, AccountFeatures, Model
from klout_cli.core.topics import raw_topics
from klout_cli.ingest.schema import AUDIENCE, CONTENT_KINDS, COUNTS, OWN_KINDS

KEYS = ["account", "platform"]
DAY_SECONDS = 86400.0


class TopItem(NamedTuple):
    """One of the items that earned an account the most, as its breakdown shows it.

    A tuple, not a dict: a run keeps up to three for every account until it is saved, and as
    dicts they took about 2 KB an account.
    """

    post_id: str
    timestamp: str
    kind: str
    likes: int
    shares: int
    replies: int
    impressions: int
    clicks: int
    weighted_engagement: float
    counted: float
    """The weighted engagement, decayed by the item's age (in a combined run, also by its platform's weight)."""
    text: str
    platform: str | None = None
    """Set only in a combined run, where an account's items come from several platforms."""

    def plain(self) -> dict[str, Any]:
        """As the breakdown keeps it: `platform` only when set."""
        found = self._asdict()
        if self.platform is None:
            del found["platform"]
        return found


@dataclass
class WindowReport:
    """What happened to the rows between reading and scoring."""

    as_of: datetime
    rows_in: int
    duplicates: int
    before_window: int
    after_as_of: int
    repeated_rows: int = 0
    """Of the duplicates, rows without a post id that repeated another exactly (counted once)."""

    @property
    def rows_kept(self) -> int:
        return self.rows_in - self.duplicates - self.before_window - self.after_as_of


def latest_timestamp(rows: pd.DataFrame, *, earliest: bool = False) -> datetime:
    """The rows' latest timestamp (or earliest)."""
    stamp: pd.Timestamp = rows["timestamp"].min() if earliest else rows["timestamp"].max()
    moment: datetime = stamp.to_pydatetime()
    return moment


#: Rows with a post id are copies of one item when these agree (one post mentioning two people is two rows).
ITEM_KEYS = [*KEYS, "kind", "post_id", "target"]
#: Rows without a post id are copies when everything that says what happened agrees (all but
#: the counts, which grow between exports): the same export read twice, say.
ROW_KEYS = [*KEYS, "timestamp", "kind", "target", "text", "topics"]


def _copies(rows: pd.DataFrame, at: np.ndarray, keys: list[str], candidates: np.ndarray) -> np.ndarray:
    """Of the rows at positions `at`, which are copies of another (equal on `keys`); only rows
    whose `candidates` code repeats are compared on every key (comparing millions of rows on
    several text columns costs more than a cheap code that rules most of them out)."""
    repeated: np.ndarray = np.bincount(candidates)[candidates] > 1 if len(candidates) else np.zeros(0, dtype=bool)
    if repeated.any():
        repeated[repeated] = rows.iloc[at[repeated]].duplicated(keys, keep=False).to_numpy()
    return repeated


def duplicate_positions(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions of rows that are copies of another: (items with a post id, rows without one)."""
    has_id = (rows["post_id"] != "").fillna(True).to_numpy(dtype=bool)  # a missing id (frames made in code) is an id
    with_id, without_id = np.flatnonzero(has_id), np.flatnonzero(~has_id)
    found = []
    if len(with_id):
        ids, _ = pd.factorize(rows["post_id"].iloc[with_id], use_na_sentinel=False)  # a missing id is one value too
        found.append(with_id[_copies(rows, with_id, ITEM_KEYS, ids)])
    else:
        found.append(with_id)
    if len(without_id):
        unnamed = rows.iloc[without_id]
        who, _ = pd.factorize(unnamed["account"], use_na_sentinel=False)
        moments, _ = pd.factorize(unnamed["timestamp"], use_na_sentinel=False)
        code, _ = pd.factorize(who.astype(np.int64) * (int(moments.max()) + 1) + moments)
        found.append(without_id[_copies(rows, without_id, ROW_KEYS, code)])
    else:
        found.append(without_id)
    return found[0], found[1]


def drop_duplicates(rows: pd.DataFrame) -> pd.DataFrame:
    """The same item seen twice (overlapping exports) counts once, with its highest counts; so
    does a row without a post id that repeats exactly (account, platform, timestamp, kind, target
    and text: the same export read twice).

    Counts only grow, so the highest is the latest export's; its topics are all the copies'
    topics and hashtags (one text is kept, so the others' hashtags move to its topics). The
    result does not depend on the order of rows or files, and keeps the rows in the order they
    came, each merged item where its first copy was: so the rows of any set of accounts come out
    in the same order whether they are deduplicated alone or among all the rows.
    """
    items, unnamed = duplicate_positions(rows)
    if not len(items) and not len(unnamed):
        return rows
    merged = []
    for positions, keys in ((items, ITEM_KEYS), (unnamed, ROW_KEYS)):
        if not len(positions):
            continue
        aggregations: dict[str, Any] = {
            "timestamp": "min",
            "post_id": "max",
            **{name: "max" for name in (*COUNTS, *AUDIENCE, "text")},
            "topics": _all_topics,
            "_first": "min",
        }
        for key in keys:
            aggregations.pop(key, None)
        copies = rows.iloc[positions].copy()
        copies["topics"] = [
            ";".join(raw_topics(topics, text))
            for topics, text in zip(copies["topics"].tolist(), copies["text"].tolist())
        ]
        copies["_first"] = positions
        # dropna=False: a missing key (never in rows read from files) is a value, not a row to drop
        merged.append(copies.groupby(keys, sort=False, as_index=False, dropna=False).agg(aggregations))
    joined_copies = pd.concat(merged, ignore_index=True) if len(merged) > 1 else merged[0]
    copied = np.zeros(len(rows), dtype=bool)
    copied[items] = True
    copied[unnamed] = True
    single = np.flatnonzero(~copied)
    order = np.argsort(np.concatenate([single, joined_copies["_first"].to_numpy()]), kind="stable")
    joined = pd.concat([rows.iloc[single], joined_copies[rows.columns]], ignore_index=True)
    return joined.take(order).reset_index(drop=True)


def _all_topics(cells: pd.Series) -> str:
    """The topics cells of one item's copies, merged: `ai;data` and `data` give `ai;data`."""
    return ";".join(sorted({part.strip() for cell in cells for part in cell.split(";") if part.strip()}))


def canonical_order(keys: np.ndarray, age: np.ndarray, *then: np.ndarray) -> np.ndarray:
    """The order `np.lexsort((*reversed(then), age, keys))` gives: by key, then age, then each of
    `then` in turn, then position.

    Sorting by all of them took half of aggregating 10M rows, yet rows of one key rarely share
    an age; so the rows are sorted by key and age, and only rows that tie there are sorted by
    the rest. Each tied run sits where the full sort puts it, so the order is the same.
    """
    order = np.lexsort((age, keys))
    sorted_keys, sorted_age = keys[order], age[order]
    same_age = (sorted_age[1:] == sorted_age[:-1]) | (np.isnan(sorted_age[1:]) & np.isnan(sorted_age[:-1]))
    tie = (sorted_keys[1:] == sorted_keys[:-1]) & same_age
    if not tie.any():
        return order
    tied = np.zeros(len(order), dtype=bool)
    tied[1:] |= tie
    tied[:-1] |= tie
    places = np.flatnonzero(tied)
    rows = np.sort(order[places])  # the tied rows in their input order, as lexsort breaks ties
    order[places] = rows[np.lexsort((*(column[rows] for column in reversed(then)), age[rows], keys[rows]))]
    return order


def group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Positions where a new key begins in an array sorted by key."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def _week_masks(keys: np.ndarray, weeks: np.ndarray, span: int) -> tuple[np.ndarray, list[int]]:
    """(keys, bitmasks): bit k set when week k had an engaged item; `span` weeks in the window."""
    pairs = np.unique(keys * span + weeks)  # one entry per (account, week), sorted by account
    owners, owned_weeks = pairs // span, pairs % span
    starts = group_starts(owners)
    if span <= 62:
        masks = np.add.reduceat(np.left_shift(np.int64(1), owned_weeks), starts) if len(starts) else owners
        return owners[starts], [int(mask) for mask in masks]
    # windows longer than 62 weeks need Python's unbounded ints (one step per account-week)
    result: dict[int, int] = {}
    for owner, week in zip(owners.tolist(), owned_weeks.tolist()):
        result[owner] = result.get(owner, 0) | (1 << week)
    return owners[starts], [result[owner] for owner in owners[starts].tolist()]


def _latest(dense: np.ndarray, size: int, age: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each account's latest known snapshot (ties at one moment: the larger); NaN where none.

    `dense` numbers the accounts 0..size-1. Minimum and maximum do not depend on row order.
    """
    known = ~np.isnan(values)
    dense, age, values = dense[known], age[known], values[known]
    newest = np.full(size, np.inf)
    np.minimum.at(newest, dense, age)
    at_newest = age == newest[dense]
    latest = np.full(size, -np.inf)
    np.maximum.at(latest, dense[at_newest], values[at_newest])
    latest[np.isinf(latest)] = np.nan
    return latest


def _spread(all_keys: np.ndarray, keys: np.ndarray, values: np.ndarray, empty: float) -> np.ndarray:
    """Values per key laid out along `all_keys` (sorted), `empty` where a key has none."""
    out = np.full(len(all_keys), empty, dtype=np.float64)
    out[np.searchsorted(all_keys, keys)] = values
    return out


@dataclass
class ItemMeasures:
    """What each content item received, as the model counts it.

    An item whose replies pass `max_replies_per_like_or_share` times its likes and shares (and
    `min_replies`) has been ratioed: the replies beyond that are pushback, not praise, and count
    nothing (its backlash).
    """

    engagement: np.ndarray
    """Weighted engagement (the model's actions), the backlash left out."""
    people: np.ndarray
    """People it moved, at least: its likes, shares or counted replies, the most."""
    backlash: np.ndarray
    """Replies not counted."""

    @classmethod
    def of(cls, counts: dict[str, np.ndarray], model: Model) -> ItemMeasures:
        approving = counts["likes"] + counts["shares"]
        limit = np.maximum(model.min_replies, model.max_replies_per_like_or_share * approving)
        counted_replies = np.minimum(counts["replies"], limit)
        engagement = sum(
            (counted_replies if name == "replies" else counts[name]) * model.actions[name] for name in ACTIONS
        )
        people = np.maximum(np.maximum(counts["likes"], counts["shares"]), counted_replies)
        return cls(np.asarray(engagement, dtype=np.float64), people, counts["replies"] - counted_replies)


def runner_up(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For each value, the second largest of its group (groups: runs beginning at `starts`), at
    least 1; infinite in a group of one item (nothing to compare it with)."""
    if not len(values):
        return values
    sizes = np.diff(np.r_[starts, len(values)])
    group = np.repeat(np.arange(len(starts)), sizes)
    ordered = values[np.lexsort((values, group))]
    ends = starts + sizes
    second = np.where(sizes > 1, ordered[np.maximum(ends - 2, starts)], np.inf)
    return np.repeat(np.maximum(1.0, second), sizes)


def local_days(stamps: pd.Series, timezone: str) -> np.ndarray:
    """The calendar day of each moment in `timezone`, as days since 1970-01-01 there."""
    moments = pd.DatetimeIndex(stamps)
    if timezone != "UTC":
        moments = moments.tz_convert(timezone).tz_localize(None)
    else:
        moments = moments.tz_convert(None) if moments.tz is not None else moments
    days: np.ndarray = moments.as_unit("s").asi8 // 86400
    return days


@dataclass
class Window:
    """The deduplicated rows inside the model's window, with what it took to get there."""

    rows: pd.DataFrame
    age: np.ndarray
    """Days before as-of, per row."""
    report: WindowReport
    dormant: dict[tuple[str, str], tuple[pd.Timestamp | None, pd.Timestamp | None]] = field(default_factory=dict)
    """Accounts of the input with no row in the window: (latest row before it, earliest after as-of)."""

    @cached_property
    def keys(self) -> tuple[np.ndarray, list[str], list[str]]:
        """`account_keys` of the rows, worked out once for the features and the top items."""
        return account_keys(self.rows)


@dataclass
class Outside:
    """Rows left out before `window_rows` saw them (see `Spill.part_near`): before the window, after
    as-of; and, for each (account, platform) among them, its latest row before the window and its
    earliest after as-of (so an account with nothing in the window still gets its row)."""

    before: int = 0
    after: int = 0
    latest_before: dict[tuple[str, str], pd.Timestamp] = field(default_factory=dict)
    earliest_after: dict[tuple[str, str], pd.Timestamp] = field(default_factory=dict)

    def note(self, rows: pd.DataFrame, before: np.ndarray, after: np.ndarray) -> None:
        """Count `rows` left out (masks `before` and `after`) and when each account was last seen."""
        self.before += int(before.sum())
        self.after += int(after.sum())
        for mask, found, pick in ((before, self.latest_before, max), (after, self.earliest_after, min)):
            if not mask.any():
                continue
            chosen = rows.loc[mask, ["account", "platform", "timestamp"]]
            reduced = chosen.groupby(["account", "platform"], sort=False)["timestamp"].agg(pick.__name__)
            for key, stamp in reduced.items():
                known = found.get(key)
                found[key] = stamp if known is None else pick(known, stamp)


def window_rows(
    rows: pd.DataFrame, model: Model, as_of: datetime | None = None, outside: Outside | None = None
) -> Window:
    """Drop duplicate items, then keep the rows from `window_days` before as-of up to as-of.

    `outside` counts rows of the same input already left out for being outside the window (no
    copy of them among `rows`); the report counts them as if they had been among `rows`, and the
    accounts among them with nothing in the window are the window's `dormant` ones.
    """
    outside = outside or Outside()
    rows_in = len(rows) + outside.before + outside.after
    _, unnamed = duplicate_positions(rows)
    unique = drop_duplicates(rows)
    if as_of is None:
        as_of = latest_timestamp(unique)
    moment = pd.Timestamp(as_of)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    age = (moment - unique["timestamp"]).dt.total_seconds().to_numpy() / DAY_SECONDS
    after = age < 0
    before = age > model.window_days
    keep = ~after & ~before
    inside = unique if keep.all() else unique[keep]  # (no copy when every row is inside)
    left_out = Outside(outside.before, outside.after, dict(outside.latest_before), dict(outside.earliest_after))
    left_out.note(unique, before, after)
    report = WindowReport(
        as_of=moment.to_pydatetime(),
        rows_in=rows_in,
        duplicates=len(rows) - len(unique),
        repeated_rows=len(unnamed) - _groups(rows.iloc[unnamed], ROW_KEYS),
        before_window=left_out.before,
        after_as_of=left_out.after,
    )
    seen = {*left_out.latest_before, *left_out.earliest_after}
    active = set(zip(inside["account"].tolist(), inside["platform"].tolist())) if seen and len(inside) else set()
    dormant = {
        key: (left_out.latest_before.get(key), left_out.earliest_after.get(key)) for key in seen if key not in active
    }
    return Window(inside, age[keep], report, dormant)


def _groups(rows: pd.DataFrame, keys: list[str]) -> int:
    """How many distinct rows `rows` hold on `keys`."""
    return int(rows.groupby(keys, sort=False, dropna=False).ngroups) if len(rows) else 0


def account_keys(rows: pd.DataFrame) -> tuple[np.ndarray, list[str], list[str]]:
    """One integer per (account, platform), numbered in sorted order, and the names behind them."""
    account_codes, account_names = pd.factorize(rows["account"], sort=True)
    platform_codes, platform_names = pd.factorize(rows["platform"], sort=True)
    keys = account_codes.astype(np.int64) * max(1, len(platform_names)) + platform_codes
    return keys, [str(name) for name in account_names], [str(name) for name in platform_names]


def features_of(window: Window, model: Model) -> list[AccountFeatures]:
    """One `AccountFeatures` per (account, platform) in the window, sorted by account, platform.

    Every sum runs over rows in a canonical order (account, age, counts), so the result is
    bit-identical whatever the order of the input rows or files.
    """
    keys, account_list, platform_list = window.keys
    width = max(1, len(platform_list))
    found = [
        features
        for _, features in features_by(
            window.rows, window.age, keys, model, lambda key: (account_list[key // width], platform_list[key % width])
        )
    ]
    if not window.dormant:
        return found
    found += [dormant_features(account, platform, *seen) for (account, platform), seen in window.dormant.items()]
    return sorted(found, key=lambda features: (features.account, features.platform))


def dormant_features(
    account: str, platform: str, latest_before: pd.Timestamp | None, earliest_after: pd.Timestamp | None
) -> AccountFeatures:
    """An account with nothing in the window: no items, no engagement, and when it was last seen
    (its latest row before the window, or, with none, its earliest after as-of)."""
    seen = latest_before if latest_before is not None else earliest_after
    return AccountFeatures(account=account, platform=platform, last_active=seen.isoformat() if seen is not None else "")


def features_by(
    inside: pd.DataFrame,
    age: np.ndarray,
    keys: np.ndarray,
    model: Model,
    label: Callable[[int], tuple[str, str]],
    *,
    audience: bool = True,
) -> list[tuple[int, AccountFeatures]]:
    """(key, features) per distinct key of the rows, sorted by key; `label` names a key's account and platform.

    Without `audience`, followers and following are left unknown (None).
    """
    all_keys, dense = np.unique(keys, return_inverse=True)

    content = inside["kind"].isin(CONTENT_KINDS).to_numpy()
    counts = {name: inside[name].to_numpy(dtype=np.float64)[content] for name in COUNTS}
    content_keys, content_age = keys[content], age[content]
    order = canonical_order(content_keys, content_age, *(counts[name] for name in COUNTS))
    sorted_keys = content_keys[order]
    starts = group_starts(sorted_keys)
    decay = np.power(0.5, content_age[order] / model.half_life_days)
    item = ItemMeasures.of(counts, model)
    sums: dict[str, np.ndarray] = {}

    def per_key(values: np.ndarray, reduce: np.ufunc = np.add) -> np.ndarray:
        """`values` of the content rows (in canonical order) reduced per key, along all the keys."""
        reduced = reduce.reduceat(values, starts) if len(starts) else values
        return _spread(all_keys, sorted_keys[starts], reduced, 0.0)

    for name in COUNTS:
        sums[name] = per_key(counts[name][order] * decay)
    # The per-item signals judge an account by its own items, posts and replies: a share of
    # someone else's post is not its item (in most exports it counts 0, or the original's counts).
    own = inside["kind"].isin(OWN_KINDS).to_numpy()[content][order]
    own_keys = sorted_keys[own]
    own_starts = group_starts(own_keys)
    own_decay = decay[own]

    def per_own_key(values: np.ndarray) -> np.ndarray:
        """`values` of the account's own items (in canonical order) summed per key, along all the keys."""
        reduced = np.add.reduceat(values, own_starts) if len(own_starts) else values
        return _spread(all_keys, own_keys[own_starts], reduced, 0.0)

    sums["weighted_items"] = per_own_key(own_decay)
    # its best item at most item_cap times its next best: one outlier cannot carry an account
    for name, values in (("engagement", item.engagement), ("shares", counts["shares"]), ("people", item.people)):
        mine = values[order][own]
        capped = np.minimum(mine, model.item_cap * runner_up(mine, own_starts))
        sums[f"capped_{name}"] = per_own_key(capped * own_decay)
    sums["engaged_items"] = per_own_key((item.engagement[order][own] > 0) * own_decay)
    sums["backlash_replies"] = per_own_key(item.backlash[order][own] * own_decay)
    sums["ratioed_items"] = per_own_key((item.backlash[order][own] > 0).astype(np.float64))
    for name, kind in (("items", None), ("reply_items", "reply"), ("share_items", "share")):
        chosen = content_keys if kind is None else content_keys[(inside["kind"] == kind).to_numpy()[content]]
        found, per_key_count = np.unique(chosen, return_counts=True)
        sums[name] = _spread(all_keys, found, per_key_count.astype(np.float64), 0.0)
    # the most likes (or shares) one item got: that many distinct people engaged at least
    sums["peak_item"] = per_key(np.maximum(counts["likes"], counts["shares"])[order], np.maximum)
    # items per calendar day (in the model's time zone): the busiest, and the days with as many
    # as spam-volume asks for
    day = local_days(inside["timestamp"], model.timezone)[content]
    day_pairs, per_day = np.unique(np.stack([content_keys, day]), axis=1, return_counts=True)
    at_key = np.searchsorted(all_keys, day_pairs[0])
    busiest = np.zeros(len(all_keys))
    np.maximum.at(busiest, at_key, per_day)
    sums["busiest_day"] = busiest
    spam_day = model.flag("spam-volume").thresholds["min_items_per_day"] if model.has_flag("spam-volume") else math.inf
    sums["busy_days"] = np.bincount(at_key, weights=per_day >= spam_day, minlength=len(all_keys)).astype(np.float64)

    engaged = item.engagement > 0
    weeks = np.minimum(content_age[engaged] // 7, model.window_weeks - 1).astype(np.int64)
    mask_keys, masks = _week_masks(content_keys[engaged], weeks, model.window_weeks)
    mask_of = dict(zip(mask_keys.tolist(), masks))
    unknown = np.full(len(all_keys), np.nan)
    latest = {
        name: _latest(dense, len(all_keys), age, inside[name].to_numpy(dtype=np.float64)) if audience else unknown
        for name in AUDIENCE
    }

    # numbers as Python lists, read a row at a time: indexing numpy arrays element by element
    # cost more than everything above (the same values: tolist gives each float exactly)
    column = {name: values.tolist() for name, values in sums.items()}
    audiences = {name: [None if math.isnan(value) else value for value in latest[name].tolist()] for name in AUDIENCE}
    result = []
    for index, key in enumerate(all_keys.tolist()):
        account, platform = label(key)
        result.append(
            (
                key,
                AccountFeatures(
                    account=account,
                    platform=platform,
                    items=int(column["items"][index]),
                    reply_items=int(column["reply_items"][index]),
                    share_items=int(column["share_items"][index]),
                    weighted_items=column["weighted_items"][index],
                    likes=column["likes"][index],
                    shares=column["shares"][index],
                    replies=column["replies"][index],
                    clicks=column["clicks"][index],
                    impressions=column["impressions"][index],
                    active_weeks=mask_of.get(key, 0),
                    followers=audiences["followers"][index],
                    following=audiences["following"][index],
                    busiest_day=int(column["busiest_day"][index]),
                    peak_item=column["peak_item"][index],
                    capped_engagement=column["capped_engagement"][index],
                    capped_shares=column["capped_shares"][index],
                    capped_people=column["capped_people"][index],
                    engaged_items=column["engaged_items"][index],
                    backlash_replies=column["backlash_replies"][index],
                    ratioed_items=int(column["ratioed_items"][index]),
                    busy_days=int(column["busy_days"][index]),
                ),
            )
        )
    return result


def fill_audience(
    features: list[AccountFeatures], audience: pd.DataFrame, as_of: datetime, model: Model
) -> tuple[list[AccountFeatures], int, int]:
    """Audience numbers from an --accounts file for the accounts whose activity has none.

    An undated row counts as taken at as-of; a dated one counts inside the window up to as-of.
    The latest wins (ties: the larger). Returns the features, how many rows of the file name no
    (account, platform) of the activity, and how many of the others are dated outside the window.
    """
    moment = pd.Timestamp(as_of)
    keys = set(zip(audience["account"], audience["platform"]))
    known = {(item.account, item.platform) for item in features}
    unmatched = int(sum(1 for pair in zip(audience["account"], audience["platform"]) if pair not in known))
    stamps = audience["timestamp"]
    inside = stamps.isna() | ((stamps <= moment) & (stamps >= moment - pd.Timedelta(days=model.window_days)))
    pairs = pd.Series(list(zip(audience["account"], audience["platform"])), index=audience.index)
    outside = int((~inside & pairs.isin(known)).sum())
    usable = audience[inside].assign(timestamp=stamps[inside].fillna(moment))
    latest: dict[tuple[str, str], dict[str, float | None]] = {}
    for name in AUDIENCE:
        known_values = usable[usable[name].notna()].sort_values(["timestamp", name])
        for account, platform, value in zip(known_values["account"], known_values["platform"], known_values[name]):
            latest.setdefault((account, platform), {})[name] = float(value)  # the last is the latest, then largest
    filled = []
    for item in features:
        dormant = item.last_active is not None  # nothing in the window: nothing to fill
        found = (
            latest.get((item.account, item.platform)) if not dormant and (item.account, item.platform) in keys else None
        )
        if found:
            item = replace(
                item,
                followers=item.followers if item.followers is not None else found.get("followers"),
                following=item.following if item.following is not None else found.get("following"),
            )
        filled.append(item)
    return filled, unmatched, outside


def _text_order(values: pd.Series) -> np.ndarray:
    """Keys that sort `values` as their text sorts (by code point): for the strings files give,
    their sorted codes (no Python string for each); for anything else (frames made in code,
    with numbers or missing ids), the text `str()` gives them, as `numpy` compares it."""
    if isinstance(values.dtype, pd.StringDtype) and not values.hasnans:
        codes: np.ndarray = pd.factorize(values, sort=True)[0]
        return codes
    text: np.ndarray = values.to_numpy(dtype=object).astype(str)
    return text


def top_items(window: Window, model: Model, per_account: int = 3) -> dict[tuple[str, str], list[TopItem]]:
    """The account's own items (posts, replies) that earned it the most (weighted engagement,
    decayed), best first.

    Ties go to the newer item, then the post id, so the choice never depends on row order.
    """
    inside, age = window.rows, window.age
    at = np.flatnonzero(inside["kind"].isin(OWN_KINDS).to_numpy())
    if not len(at):
        return {}
    # arrays of the content rows only, and the chosen rows' cells at the end: never a copy of
    # the rows (a part can be large), nor a Python string for each post id
    keys, account_list, platform_list = window.keys
    keys = keys[at]
    weighted = sum(inside[name].to_numpy(dtype=np.float64)[at] * model.actions[name] for name in ACTIONS)
    counted = weighted * np.power(0.5, age[at] / model.half_life_days)
    post_ids = _text_order(inside["post_id"].iloc[at])
    order = np.lexsort((post_ids, age[at], -counted, keys))
    sorted_keys = keys[order]
    starts = group_starts(sorted_keys)
    position = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    chosen = order[(position < per_account) & (counted[order] > 0)]
    width = max(1, len(platform_list))
    picked = inside.iloc[at[chosen]]
    found: dict[tuple[str, str], list[TopItem]] = {}
    records = zip(
        keys[chosen].tolist(),
        picked["post_id"].tolist(),
        picked["timestamp"].tolist(),
        picked["kind"].tolist(),
        zip(*(picked[name].tolist() for name in COUNTS)),
        weighted[chosen].tolist(),
        counted[chosen].tolist(),
        picked["text"].tolist(),
    )
    kinds = {kind: kind for kind in CONTENT_KINDS}  # one string for each kind, not one for each item
    for key, post_id, stamp, kind, (likes, shares, replies, impressions, clicks), value, earned, text in records:
        found.setdefault((account_list[key // width], platform_list[key % width]), []).append(
            TopItem(
                post_id,
                stamp.isoformat(),
                kinds.get(kind, kind),
                int(likes),
                int(shares),
                int(replies),
                int(impressions),
                int(clicks),
                value,
                earned,
                str(text)[:120],
            )
        )
    return found


def build_features(
    rows: pd.DataFrame, model: Model, as_of: datetime | None = None
) -> tuple[list[AccountFeatures], WindowReport]:
    """Aggregate rows to one `AccountFeatures` per (account, platform), in the model's window."""
    window = window_rows(rows, model, as_of)
    return features_of(window, model), window.report
