"""Who engaged whom: distinct engagers, trust that flows through engagement, bots and pods.

Trust is a PageRank-like recursion, vectorised over the distinct (engager, engaged) pairs:

    trust = (1 - damping) * base + damping * sum over engagers j of trust_j * flow_j

where `base` is what an account earns on its own (its engagement and, a little, its audience),
and flow_j is the share of j's engagement that went to this account (so an engager who engages
everyone passes little to each), times `reciprocal_discount` when the two engage each other.
An account's trust depends only on the accounts upstream of it, and the recursion runs a fixed
number of rounds, so accounts that never reach it cannot change it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from operator import attrgetter

import numpy as np
import pandas as pd

from klout_cli.core import AccountFeatures, Model, Scorer
from klout_cli.ingest.aggregate import Window, group_starts


def base_trust(scorer: Scorer, accounts: Sequence[AccountFeatures]) -> list[float]:
    """What each engager earns on its own: its engagement per item, plus a little for its audience."""
    model = scorer.model
    engagement = scorer.normalize_all(scorer.engagement_all(accounts), model.signal("engagement"))
    audience = scorer.normalize_all([features.followers or 0.0 for features in accounts], model.signal("reach"))
    audience_trust = model.network.audience_trust
    return [min(1.0, engaged + audience_trust * known) for engaged, known in zip(engagement, audience)]


def _codes(*columns: pd.Series) -> tuple[np.ndarray, list[str]]:
    """The columns' values, one after another, as numbers into their distinct values (first seen first)."""
    joined = pd.concat(columns, ignore_index=True) if len(columns) > 1 else columns[0]
    codes, distinct = pd.factorize(joined)
    return codes, [str(value) for value in distinct]


@dataclass
class Edges:
    """Engagement summed per distinct (engager, engaged, platform): what the trust network is
    built on. Names and platforms are numbers into `names` and `platforms` (first seen first)."""

    names: list[str]
    platforms: list[str]
    source: np.ndarray
    target: np.ndarray
    platform: np.ndarray
    weight: np.ndarray
    """Each pair's interaction weights (decayed), summed in the order of the window's rows."""


def edges_of(window: Window, model: Model) -> Edges:
    """The window's interactions, summed per (engager, engaged, platform).

    An engager's rows all sit in one place, so edges found in parts of the rows, each holding
    whole engagers, add up to the same sums as edges found in all of them at once.
    """
    rows = window.rows
    spec = model.network
    # compared column to column by pandas, never turned into Python strings row by row
    aimed = (rows["target"] != "").to_numpy(dtype=bool)
    counted = [kind for kind, weight in spec.interactions.items() if weight > 0]
    interaction = aimed & rows["kind"].isin(counted).to_numpy(dtype=bool)  # a kind weighted 0 is no engagement
    interaction &= (rows["account"] != rows["target"]).to_numpy(dtype=bool)  # self
    edges = rows[interaction]
    if edges.empty:
        empty = np.zeros(0, dtype=np.int64)
        return Edges([], [], empty, empty, empty, np.zeros(0))
    # each column's names are turned into numbers once, by hashing (each name is then looked up once)
    named, names = _codes(edges["account"], edges["target"])
    on_platform, platforms = _codes(edges["platform"])
    kind, kinds = _codes(edges["kind"])
    weight = np.array([spec.interactions[name] for name in kinds], dtype=np.float64)[kind]
    weight = weight * np.power(0.5, window.age[interaction] / model.half_life_days)
    count, width = len(edges), len(platforms)
    local = (named[:count].astype(np.int64) * len(names) + named[count:]) * width + on_platform
    pairs, pair_of = np.unique(local, return_inverse=True)
    pair_names, platform = pairs // width, pairs % width
    return Edges(
        names,
        platforms,
        pair_names // len(names),
        pair_names % len(names),
        platform,
        np.bincount(pair_of, weights=weight),
    )


def trust_network(parts: Sequence[Edges], features: list[AccountFeatures], model: Model) -> list[AccountFeatures]:
    """`features` with the network measures filled in (same order), from the edges of the rows
    in `parts`, which hold disjoint sets of engagers."""
    spec = model.network
    if not any(len(part.weight) for part in parts):
        return features
    # nodes: every (name, platform) that engages or is engaged, numbered in sorted order
    names = pd.Index(sorted({*(name for part in parts for name in part.names), *(item.account for item in features)}))
    platforms = pd.Index(
        sorted({*(name for part in parts for name in part.platforms), *(item.platform for item in features)})
    )
    width = len(platforms)
    nodes = len(names) * width
    found, weights = [], []
    for part in parts:
        at_name, on = names.get_indexer(part.names), platforms.get_indexer(part.platforms)
        platform = on[part.platform]
        found.append((at_name[part.source] * width + platform) * nodes + at_name[part.target] * width + platform)
        weights.append(part.weight)
    joined = np.concatenate(found)
    order = np.argsort(joined, kind="stable")
    pairs, pair_weight = joined[order], np.concatenate(weights)[order]
    src, dst = pairs // nodes, pairs % nodes
    reciprocal = np.isin(dst * nodes + src, pairs)

    out_weight = np.bincount(src, weights=pair_weight, minlength=nodes)
    flow = pair_weight / out_weight[src] * np.where(reciprocal, spec.reciprocal_discount, 1.0)

    scorer = Scorer(model)
    keys = names.get_indexer([item.account for item in features]) * width + platforms.get_indexer(
        [item.platform for item in features]
    )
    base = np.zeros(nodes)
    base[keys] = base_trust(scorer, features)
    # a bot has no audience: one whose audience the input never gave is unknown, not a bot
    known_audience = np.zeros(nodes, dtype=bool)
    known_audience[keys] = [item.followers is not None for item in features]
    trust = (1 - spec.damping) * base
    for _ in range(spec.iterations):  # a fixed count: no early stop that other accounts could move
        trust = (1 - spec.damping) * base + spec.damping * np.bincount(dst, weights=trust[src] * flow, minlength=nodes)

    # each engagement counted by its giver's trust (at most 1), engagement traded back and forth
    # by `reciprocal_discount`: credibility = impact / incoming
    discount = np.where(reciprocal, spec.reciprocal_discount, 1.0)
    impact = np.bincount(dst, weights=pair_weight * np.minimum(trust[src], 1.0) * discount, minlength=nodes)
    engagers = np.bincount(dst, minlength=nodes)
    incoming = np.bincount(dst, weights=pair_weight, minlength=nodes)
    bots = (trust[src] < spec.bot_trust) & known_audience[src]
    from_bots = np.bincount(dst, weights=pair_weight * bots, minlength=nodes)
    from_ring = np.bincount(dst, weights=pair_weight * reciprocal, minlength=nodes)
    ring_size = np.bincount(dst, weights=reciprocal.astype(np.float64), minlength=nodes)
    density = ring_density(src[reciprocal], dst[reciprocal], pair_weight[reciprocal], nodes)

    result = []
    chosen = zip(
        engagers[keys].tolist(),
        incoming[keys].tolist(),
        impact[keys].tolist(),
        from_bots[keys].tolist(),
        from_ring[keys].tolist(),
        ring_size[keys].tolist(),
        density[keys].tolist(),
    )
    for item, (engaged_by, received, network, bots_part, ring_part, ring, dense) in zip(features, chosen):
        copy = AccountFeatures(*_FIELDS(item))  # dataclasses.replace, without its cost per field
        copy.engagers = int(engaged_by)
        copy.incoming = received
        copy.network = network
        copy.bot_share = bots_part / received if received else 0.0
        copy.ring_share = ring_part / received if received else 0.0
        copy.ring_size = int(ring)
        copy.ring_density = dense
        result.append(copy)
    return result


#: How many of an account's reciprocal partners its ring density looks at: its most engaged ones.
RING_PARTNERS = 64
#: Pairs of partners ring_density compares at once.
PAIRS_AT_ONCE = 1 << 20


def ring_density(source: np.ndarray, target: np.ndarray, weight: np.ndarray, nodes: int) -> np.ndarray:
    """For each node, the share of pairs of its reciprocal partners that engage each other both
    ways (0 with fewer than two partners): near 1 in an engagement pod, where everyone engages
    everyone, and low among friends who each have their own circles.

    `source`, `target` and `weight` are the reciprocal pairs, each way (a -> b and b -> a). A
    node with more than RING_PARTNERS partners is judged by its most engaged ones (by the
    weight of their engagement, then by number), so the cost stays bounded for any hub.
    """
    density = np.zeros(nodes)
    if not len(source):
        return density
    # each node's partners (the pairs come both ways: who engaged it), heaviest first, at most RING_PARTNERS
    order = np.lexsort((source, -weight, target))
    node, partner = target[order], source[order]
    starts = group_starts(node)
    degree = np.diff(np.r_[starts, len(node)])
    kept = np.arange(len(node)) - np.repeat(starts, degree) < RING_PARTNERS
    node, partner = node[kept], partner[kept]
    starts, degree = group_starts(node), np.minimum(degree, RING_PARTNERS)
    linked = np.unique(np.minimum(source, target) * nodes + np.maximum(source, target))
    for size in np.unique(degree[degree >= 2]).tolist():
        one, other = np.triu_indices(size, 1)
        # nodes of this degree a few thousand pairs' worth at a time: memory stays bounded for any hub count
        for first in np.array_split(starts[degree == size], max(1, len(one) * np.sum(degree == size) // PAIRS_AT_ONCE)):
            partners = partner[first[:, None] + np.arange(size)]  # a row of partners for each node
            low, high = (
                np.minimum(partners[:, one], partners[:, other]),
                np.maximum(partners[:, one], partners[:, other]),
            )
            pairs = low * nodes + high
            found = np.minimum(np.searchsorted(linked, pairs), len(linked) - 1)
            density[node[first]] = (linked[found] == pairs).sum(axis=1) / len(one)
    return density


_FIELDS = attrgetter(*(field.name for field in fields(AccountFeatures)))
