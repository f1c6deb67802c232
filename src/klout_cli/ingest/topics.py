"""Topics from the rows: which items carry which topics, their features, and the endorsements."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from klout_cli.core import AccountFeatures, Model
from klout_cli.core.topics import Endorsement, topics_of
from klout_cli.ingest.aggregate import DAY_SECONDS, Window, account_keys, features_by, local_days
from klout_cli.ingest.schema import COUNTS, OWN_KINDS

TopicKey = tuple[str, str, str]
"""(account, platform, topic)."""


@dataclass
class Tagged:
    """Content rows of the window paired with each topic they carry."""

    positions: np.ndarray
    """Row positions in the window (a row with two topics appears twice)."""
    codes: np.ndarray
    """The topic of each pair, as an index into `names`."""
    names: list[str]
    """Topic names, sorted."""


def _row_topics(rows: pd.DataFrame, chosen: np.ndarray, model: Model) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """(positions, topics) of the rows `chosen` (a mask) that carry any topic (topics column or
    #hashtags in text). Only those rows' cells become Python strings."""
    maybe = ((rows["topics"] != "") | rows["text"].str.contains("#", regex=False)).to_numpy()
    positions = np.flatnonzero(chosen & maybe)
    spec = model.topics
    seen: dict[tuple[str, str], tuple[str, ...]] = {}
    found: list[tuple[str, ...]] = []
    topics_cells, texts = (rows[name].iloc[positions].to_numpy(dtype=object) for name in ("topics", "text"))
    for cell in zip(topics_cells, texts):
        topics = seen.get(cell)
        if topics is None:
            topics = seen[cell] = topics_of(cell[0], cell[1], spec)
        found.append(topics)
    return positions, found


def tag_items(window: Window, model: Model) -> Tagged:
    """Each of the account's own items in the window (posts and replies) with each of its topics."""
    content = window.rows["kind"].isin(OWN_KINDS).to_numpy()
    positions, found = _row_topics(window.rows, content, model)
    lengths = np.fromiter((len(topics) for topics in found), dtype=np.int64, count=len(found))
    flat = [topic for topics in found for topic in topics]
    codes, names = pd.factorize(pd.Series(flat, dtype=object), sort=True)
    return Tagged(np.repeat(positions, lengths), codes.astype(np.int64), [str(name) for name in names])


def focused_items(window: Window, tagged: Tagged, wanted: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Items per (account, platform) that carry one of the topics `wanted` lists for them.

    `wanted` has columns account, platform, topic and group: an item counts once for its
    (account, group) however many wanted topics it carries (group: the platform, or the
    combined label its platform belongs to).
    """
    if not len(tagged.positions) or wanted.empty:
        return {}
    return count_focused(tagged_pairs(window, tagged), wanted)


def tagged_pairs(window: Window, tagged: Tagged) -> pd.DataFrame:
    """Each tagged item's position, account, platform and topic: what `count_focused` counts."""
    rows = window.rows[["account", "platform"]].iloc[tagged.positions]  # only the columns used: a part can be large
    return pd.DataFrame(
        {
            "position": tagged.positions,
            "account": rows["account"].to_numpy(),
            "platform": rows["platform"].to_numpy(),
            "topic": np.asarray(tagged.names, dtype=object)[tagged.codes],
        }
    )


def count_focused(pairs: pd.DataFrame, wanted: pd.DataFrame) -> dict[tuple[str, str], int]:
    """`focused_items` from the `tagged_pairs` of some rows."""
    if pairs.empty or wanted.empty:
        return {}
    matched = pairs.merge(wanted, on=["account", "platform", "topic"])
    counted = matched.drop_duplicates(["account", "group", "position"]).groupby(["account", "group"]).size()
    return {(str(account), str(group)): int(count) for (account, group), count in counted.items()}


def topic_features(window: Window, model: Model, tagged: Tagged) -> dict[TopicKey, AccountFeatures]:
    """The features of each account's items on each topic (audience left out: it is account-wide)."""
    if not len(tagged.positions):
        return {}
    rows = window.rows[["account", "platform", "timestamp", "kind", *COUNTS]].iloc[
        tagged.positions
    ]  # what features_by reads
    keys, account_list, platform_list = account_keys(rows)
    width, topics = max(1, len(platform_list)), max(1, len(tagged.names))
    combined = keys * topics + tagged.codes

    def label(key: int) -> tuple[str, str]:
        pair = key // topics
        return account_list[pair // width], platform_list[pair % width]

    found = features_by(rows, window.age[tagged.positions], combined, model, label, audience=False)
    return {(features.account, features.platform, tagged.names[key % topics]): features for key, features in found}


def endorsements_of(window: Window, model: Model) -> tuple[list[Endorsement], int]:
    """One `Endorsement` per endorse row in the window and topic it names, and how many endorse
    rows name no topic (they can count for none)."""
    rows = window.rows
    chosen = (rows["kind"] == "endorse").to_numpy() & (rows["target"] != "").to_numpy()
    if not chosen.any():
        return [], 0
    picked = rows[chosen]
    age = window.age[chosen]
    weights = np.power(0.5, age / model.half_life_days)
    moments = (picked["timestamp"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy() / DAY_SECONDS
    local = model.timezone != "UTC"
    days = local_days(picked["timestamp"], model.timezone).tolist() if local else [None] * len(picked)
    spec = model.topics
    found, untopical = [], 0
    for giver, platform, target, topics, text, moment, weight, day in zip(
        picked["account"].tolist(),
        picked["platform"].tolist(),
        picked["target"].tolist(),
        picked["topics"].tolist(),
        picked["text"].tolist(),
        moments.tolist(),
        weights.tolist(),
        days,
    ):
        named = topics_of(topics, text, spec)
        untopical += not named
        found += [Endorsement(giver, platform, target, platform, topic, moment, weight, day) for topic in named]
    return found, untopical
