"""Hold-out population: a simulated follower graph whose post counts come from engagement cascades.

Generative assumptions (deliberately not "latent influence times lognormal noise"):

* Each platform has its own directed follower graph, grown by batched preferential attachment with
  topic communities: a newcomer follows distinct accounts with weight (in-degree + 10) x fitness x
  homophily, fitness = quality**beta x noise (beta and homophily vary per seed); about 30% of
  follows are made late, over the final graph. Every account also has an off-export audience (people not in the export):
  about `outside_scale` per organic in-graph follower, millions for celebrities.
* A post (topic from the author's mixture, quality = account quality x mean-one lognormal noise q)
  is shown to the author's followers. A viewer v engages with probability
  p = 1 - exp(-c * q * activity_v * interest_v(topic)); an engagement is a share (fraction sigma),
  a reply (rho) or a like. A share shows the post to the sharer's followers with quality
  hop_decay * q (second hop, no third). Off-export viewers are simulated by binomial counts with the
  same law averaged over a fixed activity distribution (that is how huge audiences are sampled and
  scaled). Engagements arrive after exponential delays, so young posts are incomplete at export.
* Posting volume is independent of quality. Bots (8%) follow many accounts, have almost no followers
  and only like/share. Gamers (3% each): follow-back (follow-for-follow farm plus reciprocated
  in-graph follows, engaging weakly), bought-audience (fake followers that never engage),
  bot-amplified (likes/shares from a pool of bots and bought off-export likes), pod (groups of
  8-40 that engage nearly every post of each other), spam-volume (dozens of posts a day, near-zero
  quality). Interaction rows are a per-seed sample of the in-graph engagements, of all accounts,
  of part of them, or of none (counts-only export).

True influence (column `influence`): the expected standing-weighted number of people engaged by one
original post of the account, made in the 90 days before `end`, in the cascade model with the
bought parts removed:

    influence(a) = E_topic~mix_a E_z [ sum_{v in F(a)} p_v(q) s_v + O_a r(q) s_out
                   + sigma sum_{v in F(a)} p_v(q) R_v(hop_decay q) + O_a r(q) sigma m_out r(hop_decay q) s_out ]

with q = Q_a exp(tau z - tau^2/2), z ~ N(0, 1) (Gauss-Hermite), F(a) the organic non-bot followers
(no follow-back reciprocations, no pod-clique follows), O_a the organic off-export audience, r(q) the
engagement rate of an off-export viewer, R_v(q) = sum_{u in F(v)} p_u(q) s_u + O_v r(q) s_out the
first-hop value of v's audience, s = 1 + log10(1 + organic audience) the standing of an engager
(s_out its mean off-export value), m_out the mean off-export audience. Activity of quiet accounts is
scaled by the share of the window in which they were active. Overlaps between hops are neglected,
delays are ignored (the export cut-off is not part of the truth), pod and bot engagement and farm or
fake followers count zero. An account without an original post in the window has influence 0.
`posts` counts the content rows (post, reply, share) of the account in the window.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import NormalDist

import numpy as np
import pandas as pd

END = datetime(2024, 6, 30, 18, 0, tzinfo=UTC)
WINDOW_DAYS = 90
DAY = 86_400.0
# fmt: off
COLUMNS = ["account", "timestamp", "platform", "kind", "post_id", "target", "likes", "shares", "replies",
           "impressions", "clicks", "followers", "following", "topics", "text"]
GROUPS = ("genuine", "quiet", "celebrity", "bot", "follow-back", "bought-audience", "bot-amplified", "pod",
          "spam-volume")
# fmt: on
GENUINE, QUIET, CELEBRITY, BOT, FOLLOW_BACK, BOUGHT, AMPLIFIED, POD, SPAM = range(len(GROUPS))
GAMERS = (FOLLOW_BACK, BOUGHT, AMPLIFIED, POD, SPAM)
ORGANIC, RECIPROCATED, CLIQUE = 0, 1, 2  # edge kinds
LIKE, REPLY, SHARE = 0, 1, 2  # engagement types
PLATFORMS = ("twitter", "mastodon", "linkedin", "bluesky")
TOPIC_POOL = ("ai", "climate", "football", "cooking", "crypto", "music", "design", "health", "travel", "books")
PHRASES = ("thoughts on", "quick take:", "reading about", "notes on", "why I care about", "a thread on", "update:")
# fmt: off
SYLLABLES = ["ka", "lo", "mi", "ra", "ne", "so", "tu", "vi", "ze", "pa", "do", "re", "fi", "gu", "ha", "ju", "ly",
             "mo", "nu", "pe", "qu", "sa", "ti", "wo", "xa", "yo", "be", "ce", "di", "fa"]
# fmt: on
ACTIVITY_SIGMA = 0.9
OUTSIDE_INTEREST = 0.35
_NODES = np.array([NormalDist().inv_cdf((i + 0.5) / 64) for i in range(64)])
_GH_Z, _GH_W = np.polynomial.hermite_e.hermegauss(7)
_GH_W = _GH_W / _GH_W.sum()
_QGRID = np.geomspace(1e-4, 1e3, 50)


@dataclass(frozen=True)
class Design:
    """Per-seed design choices: seeds differ in these, not only in noise."""

    platforms: tuple[str, ...]
    topics: tuple[str, ...]
    span_days: float
    celebrity_share: float
    posts_median: float
    quality_sigma: float
    post_noise: float
    fitness_power: float
    homophily: float
    outside_scale: float
    celebrity_audience: float
    base_rate: float
    share_frac: float
    reply_frac: float
    hop_decay: float
    pod_rate: float
    reciprocation: float
    delay_hours: float
    seen_rate: float
    click_rate: float
    export: str  # "full", "partial" or "counts-only"
    sample_rate: float
    exported_accounts: float
    follow_rate: float
    mention_rate: float
    profile_days: float
    hidden_audience: float
    has_impressions: bool
    topics_column: bool


def draw_design(rng: np.random.Generator) -> Design:
    """Draw the design of one seed."""
    export = str(rng.choice(["full", "partial", "counts-only"], p=[0.45, 0.35, 0.2]))
    return Design(
        platforms=tuple(str(p) for p in rng.choice(PLATFORMS, size=int(rng.integers(1, 4)), replace=False)),
        topics=tuple(str(t) for t in rng.choice(TOPIC_POOL, size=int(rng.integers(4, 10)), replace=False)),
        span_days=float(rng.uniform(120, 150)),
        celebrity_share=float(rng.uniform(0.01, 0.02)),
        posts_median=float(rng.uniform(30, 60) * (1.8 if export == "counts-only" else 1.0)),
        quality_sigma=float(rng.uniform(0.6, 1.1)),
        post_noise=float(rng.uniform(0.4, 0.9)),
        fitness_power=float(rng.uniform(0.0, 0.8)),
        homophily=float(rng.uniform(2, 10)),
        outside_scale=float(rng.uniform(3, 30)),
        celebrity_audience=float(rng.uniform(5e5, 3e6)),
        base_rate=float(rng.uniform(0.04, 0.09)),
        share_frac=float(rng.uniform(0.05, 0.15)),
        reply_frac=float(rng.uniform(0.05, 0.2)),
        hop_decay=float(rng.uniform(0.3, 0.7)),
        pod_rate=float(rng.uniform(0.85, 0.98)),
        reciprocation=float(rng.uniform(0.2, 0.5)),
        delay_hours=float(rng.uniform(2, 24)),
        seen_rate=float(rng.uniform(0.1, 0.4)),
        click_rate=float(rng.uniform(0.002, 0.02)),
        export=export,
        sample_rate=float(rng.uniform(0.15, 0.7)),
        exported_accounts=float(rng.uniform(0.3, 0.8)),
        follow_rate=float(rng.choice([0.0, rng.uniform(0.03, 0.15)])),
        mention_rate=float(rng.uniform(0.0, 0.15)),
        profile_days=float(rng.choice([0.0, 7.0, 14.0, 30.0])),
        hidden_audience=float(rng.uniform(0.0, 0.2)),
        has_impressions=bool(rng.random() < 0.6),
        topics_column=bool(rng.random() < 0.5),
    )


@dataclass
class Accounts:
    """Account-level latent state (arrays indexed by account)."""

    handle: np.ndarray
    platform: np.ndarray
    group: np.ndarray
    quality: np.ndarray
    activity: np.ndarray
    interest: np.ndarray  # (n, topics), mean 1 over topics
    mix: np.ndarray  # (n, topics) topic mixture of its own posts
    stop: np.ndarray  # seconds before end (<= 0) after which it neither posts nor engages
    start: np.ndarray
    pod: np.ndarray  # pod id or -1
    n_posts: np.ndarray
    out_degree: np.ndarray


@dataclass
class Graph:
    """Follower edges sorted by followee, with audience sizes."""

    src: np.ndarray  # follower
    dst: np.ndarray  # followee
    kind: np.ndarray
    indptr: np.ndarray  # followers of a: src[indptr[a]:indptr[a + 1]]
    outside: np.ndarray  # organic off-export audience
    farm: np.ndarray  # follow-for-follow farm followers
    fakes: np.ndarray  # bought fake followers
    standing: np.ndarray
    followers: np.ndarray  # final follower count
    following: np.ndarray


def _group_counts(n: int, design: Design) -> np.ndarray:
    fractions = np.zeros(len(GROUPS))
    fractions[[QUIET, CELEBRITY, BOT]] = 0.10, design.celebrity_share, 0.08
    fractions[list(GAMERS)] = 0.03
    counts = np.round(n * fractions).astype(int)
    counts[POD] = max(counts[POD], 8) if n >= 60 else 0
    counts[GENUINE] = n - counts.sum()
    return counts


def _pod_sizes(members: int, rng: np.random.Generator) -> np.ndarray:
    k = int(rng.integers(-(-members // 40), max(-(-members // 40), members // 8) + 1))
    sizes = np.full(k, 8)
    while sizes.sum() < members:
        sizes = np.minimum(sizes + rng.multinomial(members - sizes.sum(), np.full(k, 1 / k)), 40)
    return sizes


def make_accounts(n: int, design: Design, rng: np.random.Generator) -> Accounts:
    """Groups, handles, qualities, activities, topics, posting volumes and active periods."""
    n_topics, span = len(design.topics), design.span_days * DAY
    split = rng.multinomial(n - len(design.platforms), rng.dirichlet(np.full(len(design.platforms), 3.0))) + 1
    platform = np.repeat(np.arange(len(design.platforms)), split)
    group = np.concatenate([np.repeat(np.arange(len(GROUPS)), _group_counts(int(m), design)) for m in split])
    order = np.concatenate([rng.permutation(np.flatnonzero(platform == p)) for p in range(len(split))])
    platform, group = platform[order], group[order]
    pod = np.full(n, -1)
    for p in range(len(split)):
        members = rng.permutation(np.flatnonzero((platform == p) & (group == POD)))
        if len(members):
            pods = np.repeat(np.arange(len(sizes := _pod_sizes(len(members), rng))), sizes)
            pod[members] = pods + pod.max() + 1
    digits = max(3, int(np.ceil(np.log10(20 * n / len(SYLLABLES) ** 2))))
    code = rng.choice(len(SYLLABLES) ** 2 * 10**digits, size=n, replace=False)
    syl = np.array(SYLLABLES)
    number = pd.Series(code % 10**digits).astype(str).str.zfill(digits).to_numpy()
    first, second = syl[code // 10**digits // len(syl)], syl[code // 10**digits % len(syl)]
    handle = np.char.add(np.char.add(first.astype(str), second.astype(str)), number.astype(str))
    quality = rng.lognormal(0.0, design.quality_sigma, n)
    quality *= np.select(
        [group == CELEBRITY, group == SPAM, group == BOT, np.isin(group, GAMERS)], [2, 0.03, 0, 0.5], 1
    )
    activity = rng.lognormal(0.0, ACTIVITY_SIGMA, n) * np.select(
        [group == BOT, group == SPAM, group == CELEBRITY, group == FOLLOW_BACK], [0, 0.1, 0.15, 0.4], 1
    )
    mix = rng.dirichlet(np.full(n_topics, 0.3), n)
    interest = 0.15 + 0.85 * n_topics * mix
    volume = np.where(rng.random(n) < 0.35, rng.integers(1, 6, n), rng.lognormal(np.log(design.posts_median), 1.0, n))
    start = np.where(rng.random(n) < 0.85, -span, -rng.uniform(0.3, 1.0, n) * span)
    stop = np.zeros(n)
    stop[group == QUIET] = -rng.uniform(14, 100, (group == QUIET).sum()) * DAY
    start = np.minimum(start, stop - 30 * DAY)
    volume[group == CELEBRITY] = 1 + rng.binomial(6, 0.4, (group == CELEBRITY).sum())
    spam = group == SPAM
    spam_days = rng.uniform(10, 40, spam.sum())
    stop[spam] = -rng.uniform(0, 10, spam.sum()) * DAY
    start[spam] = stop[spam] - spam_days * DAY
    volume[spam] = rng.uniform(12, 60, spam.sum()) * spam_days
    volume[group == BOT] = 0
    out_degree = rng.lognormal(np.log(25), 0.8, n)
    for g, (low, high) in {BOT: (30, 300), FOLLOW_BACK: (150, 500), SPAM: (5, 40), CELEBRITY: (20, 150)}.items():
        out_degree[group == g] = rng.uniform(low, high, (group == g).sum())
    out_degree = np.minimum(out_degree, split[platform] / 2).astype(int)
    return Accounts(handle, platform, group, quality, activity, interest, mix, stop, start, pod,
                    np.maximum(volume, 0).astype(int), out_degree)  # fmt: skip


def _attach(nodes: np.ndarray, acc: Accounts, fitness: np.ndarray, homophily: float, rng: np.random.Generator):
    """Batched preferential attachment with topic homophily on one platform's nodes.

    Nodes arrive in 20 batches; a newcomer makes most of its follows on arrival, among the nodes
    present (at most a fifth of them), the rest at the end over the final graph. Each follower picks
    distinct accounts with weight (in-degree + 10) x fitness x homophily (Gumbel top-k sampling).
    """
    order, indeg = rng.permutation(nodes), np.zeros(len(acc.group))
    community = acc.mix.argmax(axis=1)
    batches = np.linspace(0, len(order), 21).astype(int)
    present = np.zeros(len(acc.group), dtype=int)
    present[order] = np.repeat(batches[1:], np.diff(batches))
    early = np.minimum(rng.binomial(acc.out_degree, 0.7), present // 5)
    log_fitness = np.log(np.maximum(fitness, 1e-300)) + np.where(fitness > 0, 0.0, -np.inf)
    src, dst = [], []

    def draw(who: np.ndarray, pool: np.ndarray, counts: np.ndarray) -> np.ndarray:
        base, picked = np.log(indeg[pool] + 10.0) + log_fitness[pool], []
        for rows in np.array_split(who, -(-len(who) // 400)):
            keys = base + np.log(homophily) * (community[rows, None] == community[pool][None, :])
            keys += rng.gumbel(size=keys.shape)
            keys[rows[:, None] == pool[None, :]] = -np.inf
            k = int(min(max(counts[rows].max(), 1), len(pool)))
            top = np.argpartition(-keys, k - 1, axis=1)[:, :k]
            top = np.take_along_axis(top, np.argsort(-np.take_along_axis(keys, top, 1), axis=1), 1)
            chosen = (np.arange(k)[None, :] < counts[rows, None]) & np.isfinite(np.take_along_axis(keys, top, 1))
            src.append(np.repeat(rows, chosen.sum(axis=1)))
            picked.append(pool[top[chosen]])
        dst.extend(picked)
        return np.concatenate(picked)

    for start, end in itertools.pairwise(batches):
        indeg += np.bincount(draw(order[start:end], order[:end], early), minlength=len(indeg))
    draw(order, order, acc.out_degree - early)
    return np.concatenate(src), np.concatenate(dst)


def make_graph(acc: Accounts, design: Design, rng: np.random.Generator) -> Graph:
    """Follower graph per platform plus follow-back reciprocations, pod cliques and audiences."""
    n, group = len(acc.group), acc.group
    fitness = acc.quality**design.fitness_power * rng.lognormal(0, 0.6, n)
    fitness *= np.select([group == CELEBRITY, group == BOT, group == SPAM, group == FOLLOW_BACK], [10, 0, 0.1, 0.5], 1)
    parts = [
        _attach(np.flatnonzero(acc.platform == p), acc, fitness, design.homophily, rng)
        for p in range(len(design.platforms))
    ]
    src, dst = np.concatenate([s for s, _ in parts]), np.concatenate([d for _, d in parts])
    bots = np.flatnonzero(group == BOT)  # bots follow each other a little, so have a few followers
    bot_src = bots[rng.integers(0, len(bots), 2 * len(bots))] if len(bots) else bots
    bot_dst = np.repeat(bots, 2)
    same = acc.platform[bot_src] == acc.platform[bot_dst]
    src, dst = np.concatenate([src, bot_src[same]]), np.concatenate([dst, bot_dst[same]])
    kind = np.zeros(len(src), dtype=np.int8)
    back = (
        (group[src] == FOLLOW_BACK)
        & ~np.isin(group[dst], (BOT, CELEBRITY))
        & (rng.random(len(src)) < design.reciprocation)
    )
    src, dst = np.concatenate([src, dst[back]]), np.concatenate([dst, src[back]])
    kind = np.concatenate([kind, np.full(back.sum(), RECIPROCATED, dtype=np.int8)])
    for pod_id in np.unique(acc.pod[acc.pod >= 0]):
        members = np.flatnonzero(acc.pod == pod_id)
        a, b = np.meshgrid(members, members)
        src, dst = np.concatenate([src, a.ravel()]), np.concatenate([dst, b.ravel()])
        kind = np.concatenate([kind, np.full(a.size, CLIQUE, dtype=np.int8)])
    key = dst.astype(np.int64) * n + src
    order = np.lexsort((kind, key))
    first = order[np.r_[True, key[order][1:] != key[order][:-1]]]
    first = first[src[first] != dst[first]]
    src, dst, kind = src[first], dst[first], kind[first]
    indptr = np.r_[0, np.cumsum(np.bincount(dst, minlength=n))]
    organic = np.bincount(dst[(kind == ORGANIC) & (group[src] != BOT)], minlength=n)
    outside = np.round(organic * design.outside_scale * rng.lognormal(0, 0.7, n))
    celebrities = group == CELEBRITY
    outside[celebrities] = np.round(rng.lognormal(np.log(design.celebrity_audience), 0.7, celebrities.sum()))
    outside[group == BOT] = rng.poisson(1.0, (group == BOT).sum())
    farm = np.where(group == FOLLOW_BACK, np.round(rng.lognormal(np.log(15_000), 0.8, n)), 0)
    fakes = np.where(group == BOUGHT, np.round(rng.lognormal(np.log(40_000), 1.0, n)), 0)
    out = np.bincount(src, minlength=n)
    following = out + np.round(out * rng.uniform(0.5, 3, n)) + np.round(farm * rng.uniform(0.9, 1.1, n))
    return Graph(src, dst, kind, indptr, outside, farm, fakes, 1 + np.log10(1 + organic + outside),
                 np.diff(indptr) + outside + farm + fakes, following)  # fmt: skip


class OutsideViewers:
    """Off-export people, represented by distributions: activity, audience and standing."""

    def __init__(self, design: Design) -> None:
        activity = np.exp(ACTIVITY_SIGMA * _NODES)
        rate = design.base_rate * OUTSIDE_INTEREST * activity
        self.rate_grid = (1 - np.exp(-np.outer(_QGRID, rate))).mean(axis=1)
        audience = np.exp(np.log(60) + 1.2 * _NODES)
        self.mean_audience = float(audience.mean())
        self.standing = float((1 + np.log10(1 + audience)).mean())

    def rate(self, q: np.ndarray) -> np.ndarray:
        """Probability that an off-export viewer engages with a post of quality q."""
        return np.interp(np.log(np.maximum(q, 1e-12)), np.log(_QGRID), self.rate_grid)


def _interp_rows(table: np.ndarray, rows: np.ndarray, q: np.ndarray) -> np.ndarray:
    """table[rows] interpolated at q on the log-quality grid."""
    x = (np.log(np.maximum(q, 1e-12)) - np.log(_QGRID[0])) / np.log(_QGRID[1] / _QGRID[0])
    i = np.clip(np.floor(x).astype(int), 0, len(_QGRID) - 2)
    f = np.clip(x - i, 0.0, 1.0)
    return table[rows, i] * (1 - f) + table[rows, i + 1] * f


def true_influence(acc: Accounts, graph: Graph, design: Design, outside: OutsideViewers) -> np.ndarray:
    """Expected standing-weighted engaged people per original post (see module docstring)."""
    n, window = len(acc.group), WINDOW_DAYS * DAY
    real = (graph.kind == ORGANIC) & (acc.group[graph.src] != BOT)
    fol, own = graph.src[real], graph.dst[real]
    activity = acc.activity * np.clip((acc.stop + window) / window, 0, 1)
    starts = np.r_[0, np.cumsum(np.bincount(own, minlength=n))]
    q = acc.quality[:, None] * np.exp(design.post_noise * _GH_Z - design.post_noise**2 / 2)[None, :]
    decayed, sigma = design.hop_decay * q, design.share_frac
    rate1, rate2 = outside.rate(q), outside.rate(decayed)
    value = (graph.outside[:, None] * rate1 * (1 + sigma * outside.mean_audience * rate2) * outside.standing) @ _GH_W
    for t in range(len(design.topics)):
        strength = design.base_rate * activity[fol] * acc.interest[fol, t]
        engaged = (1 - np.exp(-np.outer(strength, _QGRID))) * graph.standing[fol, None]
        cumulative = np.vstack([np.zeros(len(_QGRID)), np.cumsum(engaged, axis=0)])
        reach = cumulative[starts[1:]] - cumulative[starts[:-1]]  # R_v(q) on the grid, in-graph part
        reach += graph.outside[:, None] * outside.rate_grid[None, :] * outside.standing
        for k, weight in enumerate(_GH_W):
            hop1 = _interp_rows(reach, np.arange(n), q[:, k])
            p_edge = 1 - np.exp(-strength * q[own, k])
            hop2 = np.bincount(own, p_edge * sigma * _interp_rows(reach, fol, decayed[own, k]), minlength=n)
            value += acc.mix[:, t] * weight * (hop1 + hop2)
    return value


class Cascades:
    """Simulates every post's cascade; keeps in-graph engagements and per-post counts."""

    def __init__(self, acc: Accounts, graph: Graph, design: Design, rng: np.random.Generator) -> None:
        self.acc, self.graph, self.design, self.rng = acc, graph, design, rng
        self.outside = OutsideViewers(design)
        self.tau = design.delay_hours * 3600
        author = np.repeat(np.arange(len(acc.group)), acc.n_posts)
        self.author = author
        self.time = np.floor(acc.start[author] + rng.random(len(author)) * (acc.stop - acc.start)[author])
        cumulative = np.cumsum(acc.mix, axis=1)[author]
        self.topic = np.minimum((rng.random(len(author))[:, None] > cumulative).sum(axis=1), acc.mix.shape[1] - 1)
        noise = rng.normal(0, design.post_noise, len(author))
        self.quality = acc.quality[author] * np.exp(noise - design.post_noise**2 / 2)

    def _spread(self, post: np.ndarray, source: np.ndarray, quality: np.ndarray, t0: np.ndarray, first_hop: bool):
        """Followers of `source` who engage with `post` (seen with `quality` from time t0)."""
        acc, graph, d, rng = self.acc, self.graph, self.design, self.rng
        deg = graph.indptr[source + 1] - graph.indptr[source]
        bounds = np.searchsorted(np.cumsum(deg), np.arange(1, deg.sum() // 2_000_000 + 2) * 2_000_000)
        found = []
        for lo, hi in zip(np.r_[0, bounds[:-1] + 1], np.minimum(bounds + 1, len(post))):
            idx = np.repeat(np.arange(lo, hi), deg[lo:hi])
            edge = np.arange(len(idx)) + np.repeat(
                graph.indptr[source[lo:hi]] - np.cumsum(deg[lo:hi]) + deg[lo:hi], deg[lo:hi]
            )
            viewer, kind = graph.src[edge], graph.kind[edge]
            strength = d.base_rate * quality[idx] * acc.activity[viewer] * acc.interest[viewer, self.topic[post[idx]]]
            p = 1 - np.exp(-strength * np.where(kind == RECIPROCATED, 0.15, 1.0))
            pod = (acc.pod[viewer] >= 0) & (acc.pod[viewer] == acc.pod[source[idx]]) & first_hop
            p[pod] = d.pod_rate
            hit = rng.random(len(p)) < p
            idx, viewer, pod = idx[hit], viewer[hit], pod[hit]
            when = t0[idx] + rng.exponential(self.tau, len(idx))
            ok = (when <= 0) & (when <= acc.stop[viewer]) & (viewer != self.author[post[idx]])
            u = rng.random(ok.sum())
            share, reply = np.where(pod[ok], 0.15, d.share_frac), np.where(pod[ok], 0.2, d.reply_frac)
            etype = np.where(u < share, SHARE, np.where(u < share + reply, REPLY, LIKE))
            found.append(
                pd.DataFrame({"post": post[idx[ok]], "actor": viewer[ok], "time": np.floor(when[ok]), "etype": etype})
            )
        return pd.concat(found, ignore_index=True)

    def _bots(self) -> pd.DataFrame:
        """Bot likes/shares: a pool of bots on every post of bot-amplified accounts, random camouflage likes."""
        acc, rng, frames = self.acc, self.rng, []
        for p in range(len(self.design.platforms)):
            bots = np.flatnonzero((acc.group == BOT) & (acc.platform == p))
            posts = np.flatnonzero((acc.platform[self.author] == p) & (acc.group[self.author] != SPAM))
            if len(bots) == 0 or len(posts) == 0:
                continue
            for owner in np.flatnonzero((acc.group == AMPLIFIED) & (acc.platform == p)):
                pool = bots[rng.random(len(bots)) < rng.uniform(0.05, 0.3)]
                mine = np.flatnonzero(self.author == owner)
                post, actor = np.repeat(mine, len(pool)), np.tile(pool, len(mine))
                keep = rng.random(len(post)) < 0.85
                etype = np.where(rng.random(keep.sum()) < 0.25, SHARE, LIKE)
                frames.append(pd.DataFrame({"post": post[keep], "actor": actor[keep], "etype": etype}))
            likes = rng.integers(3, 30, len(bots))
            frames.append(
                pd.DataFrame({"post": rng.choice(posts, likes.sum()), "actor": np.repeat(bots, likes), "etype": LIKE})
            )
        bot = pd.concat(frames, ignore_index=True).drop_duplicates(["post", "actor"], ignore_index=True)
        bot["time"] = np.floor(self.time[bot["post"]] + rng.exponential(1800, len(bot)))
        return bot[bot["time"] <= 0]

    def run(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(engagements, counts): in-graph engagements (post, actor, time, etype) and per-post counts."""
        acc, graph, d, rng, out = self.acc, self.graph, self.design, self.rng, self.outside
        posts = np.arange(len(self.author))
        first = self._spread(posts, self.author, self.quality, self.time, first_hop=True)
        sharers = first[(first["etype"] == SHARE) & (acc.group[first["actor"]] != BOT)]
        sp, sa = sharers["post"].to_numpy(), sharers["actor"].to_numpy()
        second = self._spread(sp, sa, d.hop_decay * self.quality[sp], sharers["time"].to_numpy(), first_hop=False)
        n = len(acc.group)
        seen = first["post"].to_numpy() * n + first["actor"].to_numpy()
        second = second.sort_values("time", kind="stable")
        key = second["post"].to_numpy() * n + second["actor"].to_numpy()
        second = second[~np.isin(key, seen) & ~pd.Series(key).duplicated().to_numpy()]
        engagements = pd.concat([first, second, self._bots()], ignore_index=True)
        # Off-export viewers: binomial counts with the same engagement law, cut at the export time.
        age = -self.time / self.tau
        elapsed1, elapsed2 = 1 - np.exp(-age), 1 - np.exp(-age) * (1 + age)
        rate1, rate2 = out.rate(self.quality), out.rate(d.hop_decay * self.quality)
        hop1 = rng.binomial(graph.outside[self.author].astype(np.int64), rate1 * elapsed1)
        shares1 = rng.binomial(hop1, d.share_frac)
        views2 = rng.poisson(out.mean_audience * shares1)
        share_elapsed = 1 - np.exp(sharers["time"].to_numpy() / self.tau)
        via_sharers = np.bincount(sp, graph.outside[sa] * share_elapsed, minlength=len(posts))
        hop2 = rng.binomial(views2, rate2 * elapsed2) + rng.poisson(via_sharers * rate2)
        shares2 = rng.binomial(hop2, d.share_frac)
        outside_engaged, outside_shares = hop1 + hop2, shares1 + shares2
        outside_replies = rng.binomial(outside_engaged - outside_shares, d.reply_frac / (1 - d.share_frac))
        farm = rng.binomial(graph.farm[self.author].astype(np.int64), rate1 * 0.02 * elapsed1)
        bought = np.where(
            acc.group[self.author] == AMPLIFIED, rng.lognormal(np.log(80), 0.7, n)[self.author] * elapsed1, 0
        )
        in_graph = [
            np.bincount(engagements["post"][engagements["etype"] == e], minlength=len(posts))
            for e in (LIKE, REPLY, SHARE)
        ]
        likes = in_graph[LIKE] + outside_engaged - outside_shares - outside_replies + farm + rng.poisson(bought)
        shares = in_graph[SHARE] + outside_shares + rng.poisson(bought / 6)
        replies = in_graph[REPLY] + outside_replies
        shown = np.diff(graph.indptr)[self.author] + graph.outside[self.author] + graph.farm[self.author] + views2
        shown += np.bincount(sp, np.diff(graph.indptr)[sa] + graph.outside[sa], minlength=len(posts)).astype(np.int64)
        engaged = likes + shares + replies
        impressions = engaged + rng.binomial(np.maximum(shown - engaged, 0).astype(np.int64), d.seen_rate * elapsed1)
        clicks = rng.binomial(impressions, np.minimum(0.3, d.click_rate * self.quality))
        counts = pd.DataFrame(
            {"likes": likes, "shares": shares, "replies": replies, "impressions": impressions, "clicks": clicks}
        )
        return engagements, counts.astype(np.int64)
