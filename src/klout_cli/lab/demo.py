"""A synthetic population in the canonical schema, with the truth of who really moves people.

Genuine accounts have a latent ability to move others (`influence`); what their content
receives follows it, while their follower count is only a noisy proxy of it. Celebrities move
millions but post rarely; some genuine accounts went quiet weeks ago; bots only engage; and
five kinds of gamers buy audience, volume or engagement. A scorer that measures influence, not
activity or audience, ranks the genuine movers above every gamer. Vectorised numpy: one seed
gives the same rows, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from klout_cli.ingest.schema import COUNTS, NAMES
from klout_cli.lab.population import (  # the groups are part of this module's API
    BOT,
    CELEBRITY,
    DAY,
    DELAY_HOURS,
    END,
    FOLLOW,
    FOLLOW_BACK,
    GAMER_GROUPS,
    GENUINE,
    GROUPS,
    ITEM_ROWS_CAP,
    KIND_NAMES,
    LIKE,
    LIKES_PER_INFLUENCE,
    MENTION,
    MIN_ACCOUNTS,
    PHRASES,
    PLATFORMS,
    POOL,
    POST,
    POST_PREFIX,
    QUIET,
    REPLY,
    ROW_SCALE,
    SHARE,
    SPAM,
    SPAN_DAYS,
    TOPICS,
    UTC,
    Accounts,
    draw_accounts,
)

__all__ = ["END", "GAMER_GROUPS", "GROUPS", "generate_population", "truth_path", "write_population"]


@dataclass
class _Rows:
    """Rows as numbers: who, when, what, at whom; counts -1 when the row has none."""

    actor: np.ndarray
    time: np.ndarray
    kind: np.ndarray
    target: np.ndarray
    counts: np.ndarray  # (n, 5) in COUNTS order

    @classmethod
    def interactions(cls, actor: np.ndarray, time: np.ndarray, kind: np.ndarray, target: np.ndarray) -> _Rows:
        return cls(actor, time, kind, target, np.full((len(actor), len(COUNTS)), -1, dtype=np.int64))

    @classmethod
    def join(cls, parts: list[_Rows]) -> _Rows:
        return cls(
            np.concatenate([part.actor for part in parts]),
            np.concatenate([part.time for part in parts]),
            np.concatenate([part.kind for part in parts]),
            np.concatenate([part.target for part in parts]),
            np.concatenate([part.counts for part in parts]),
        )


def _pick(
    rng: np.random.Generator, acc: Accounts, platform: np.ndarray, weight: np.ndarray, avoid: np.ndarray
) -> np.ndarray:
    """One account per entry, on the entry's platform, with chance ∝ weight, never `avoid`; -1 if none."""
    chosen = np.full(len(platform), -1)
    todo = np.arange(len(platform))
    for _ in range(10):  # redraw the few that drew themselves
        for code in range(len(PLATFORMS)):
            members = np.flatnonzero((acc.platform == code) & (weight > 0))
            rows = todo[platform[todo] == code]
            if not len(members) or not len(rows):
                continue
            cumulative = np.cumsum(weight[members])
            found = np.searchsorted(cumulative, rng.random(len(rows)) * cumulative[-1], side="right")
            chosen[rows] = members[np.minimum(found, len(members) - 1)]
        clash = chosen[todo] == avoid[todo]
        chosen[todo[clash]] = -1
        todo = todo[clash]
        if not len(todo):
            break
    return chosen


def _later(rng: np.random.Generator, time: np.ndarray) -> np.ndarray:
    """Reaction times: a few hours after `time`, never after the end."""
    delay = rng.exponential(DELAY_HOURS * 3600, len(time))
    late = time + delay > 0
    delay[late] = rng.random(late.sum()) * -time[late]
    return time + delay


def _own_items(rng: np.random.Generator, acc: Accounts) -> _Rows:
    """Each account's own content: posts, and some replies and shares aimed at someone who moves people."""
    author = np.repeat(np.arange(len(acc.group)), acc.items)
    time = acc.first[author] + rng.random(len(author)) * (acc.last - acc.first)[author]
    aimed = np.select(
        [np.isin(acc.group, (GENUINE, QUIET)), acc.group == CELEBRITY, acc.group == SPAM], [0.2, 0.1, 0.0], 0.15
    )[author]
    draw = rng.random(len(author))
    kind = np.select([draw < aimed / 2, draw < aimed], [REPLY, SHARE], POST)
    target = np.full(len(author), -1)
    aiming = np.flatnonzero(kind != POST)
    appeal = np.where(np.isin(acc.group, POOL), acc.influence**0.75, 0.0)
    target[aiming] = _pick(rng, acc, acc.platform[author[aiming]], appeal, author[aiming])
    kind[target == -1] = POST
    # a quiet account's latest item is the day it stopped
    latest = np.cumsum(acc.items)[acc.items > 0] - 1
    quiet = acc.group[author[latest]] == QUIET
    time[latest[quiet]] = acc.last[author[latest[quiet]]] - rng.random(quiet.sum()) * 3600
    return _Rows(author, time, kind, target, np.zeros((len(author), len(COUNTS)), dtype=np.int64))


def _ring_engagement(rng: np.random.Generator, acc: Accounts, own: _Rows) -> tuple[_Rows, _Rows, np.ndarray]:
    """Pod members like nearly every item of every other member, and share or reply to many.

    Returns the likes (interactions), the shares and replies (items of the members) and, per own
    item, how many ring rows it got. Every member likes every other member's first item.
    """
    pod_items = np.flatnonzero(acc.ring[own.actor] >= 0)
    _, first_index = np.unique(own.actor[pod_items], return_index=True)
    firsts = np.zeros(len(own.actor), dtype=bool)
    firsts[pod_items[first_index]] = True
    item_parts, member_parts = [], []
    for code in range(acc.ring.max() + 1):
        members = np.flatnonzero(acc.ring == code)
        items = pod_items[acc.ring[own.actor[pod_items]] == code]
        item = np.repeat(items, len(members))
        member = np.tile(members, len(items))
        other = member != own.actor[item]
        item_parts.append(item[other])
        member_parts.append(member[other])
    item, member = np.concatenate(item_parts), np.concatenate(member_parts)
    draw = rng.random((len(item), 3))
    like = (draw[:, 0] < 0.9) | firsts[item]
    share, reply = draw[:, 1] < 0.3, draw[:, 2] < 0.1
    author = own.actor[item]
    likes = _Rows.interactions(member[like], _later(rng, own.time[item[like]]), np.full(like.sum(), LIKE), author[like])
    made = share | reply
    made_kind = np.where(share[made], SHARE, REPLY)
    made_items = _Rows(
        member[made],
        _later(rng, own.time[item[made]]),
        made_kind,
        author[made],
        np.zeros((made.sum(), len(COUNTS)), dtype=np.int64),
    )
    per_item = np.bincount(item[like], minlength=len(own.actor)) + np.bincount(item[made], minlength=len(own.actor))
    return likes, made_items, per_item


def _received(rng: np.random.Generator, acc: Accounts, items: _Rows) -> np.ndarray:
    """What each item received organically: Poisson around the author's influence × per-item noise."""
    author = items.actor
    appeal = np.where(acc.group[author] == SPAM, 0.03, 1.0) * np.where(items.kind == POST, 1.0, 0.4)
    mean = LIKES_PER_INFLUENCE * acc.influence[author] * appeal * rng.lognormal(-0.18, 0.6, len(author))
    seen = 0.03 * acc.organic_followers[author] + mean * acc.view_ratio[author]
    impressions = rng.poisson(seen)
    return np.column_stack(
        [
            rng.poisson(mean),
            rng.poisson(mean * acc.share_ratio[author]),
            rng.poisson(mean * acc.reply_ratio[author]),
            impressions,
            rng.poisson(impressions * acc.click_rate[author]),
        ]
    )


def _sampled(
    rng: np.random.Generator, acc: Accounts, items: _Rows, engagements: np.ndarray, weight: np.ndarray
) -> _Rows:
    """Like and mention rows for the items, one per ROW_SCALE engagements, from accounts drawn ∝ weight."""
    rows = np.minimum(ITEM_ROWS_CAP, rng.poisson(engagements / ROW_SCALE))
    item = np.repeat(np.arange(len(items.actor)), rows)
    author = items.actor[item]
    engager = _pick(rng, acc, acc.platform[author], weight, author)
    time = _later(rng, items.time[item])
    kind = np.where(rng.random(len(item)) < 0.85, LIKE, MENTION)
    kept = (engager >= 0) & (time <= acc.last[np.maximum(engager, 0)])  # quiet people stop engaging too
    return _Rows.interactions(engager[kept], time[kept], kind[kept], author[kept])


def _bot_camouflage(rng: np.random.Generator, acc: Accounts, items: _Rows) -> _Rows:
    """Each bot also likes 10-40 items of anyone on its platform, indiscriminately."""
    bots = np.flatnonzero(acc.group == BOT)
    bot = np.repeat(bots, rng.integers(10, 41, len(bots)))
    item = np.full(len(bot), -1)
    for code in range(len(PLATFORMS)):
        candidates = np.flatnonzero(acc.platform[items.actor] == code)
        here = np.flatnonzero(acc.platform[bot] == code)
        if len(candidates) and len(here):
            item[here] = candidates[rng.integers(0, len(candidates), len(here))]
    bot, item = bot[item >= 0], item[item >= 0]
    return _Rows.interactions(bot, _later(rng, items.time[item]), np.full(len(bot), LIKE), items.actor[item])


def _follows(rng: np.random.Generator, acc: Accounts) -> _Rows:
    """Follow-back accounts follow each other (both ways); real people follow a few who move them."""
    farm = np.flatnonzero(acc.group == FOLLOW_BACK)
    pairs = []
    for account in farm:
        peers = farm[(acc.platform[farm] == acc.platform[account]) & (farm != account)]
        chosen = rng.choice(peers, min(len(peers), int(rng.integers(5, 21))), replace=False)
        pairs.append(np.column_stack([np.full(len(chosen), account), chosen]))
        pairs.append(np.column_stack([chosen, np.full(len(chosen), account)]))
    farmed = np.unique(np.concatenate(pairs), axis=0)
    people = np.flatnonzero(np.isin(acc.group, (GENUINE, QUIET)))
    follower = np.repeat(people, rng.poisson(0.5, len(people)))
    appeal = np.where(np.isin(acc.group, POOL), acc.influence**0.75, 0.0)
    followed = _pick(rng, acc, acc.platform[follower], appeal, follower)
    keep = followed >= 0
    actor = np.concatenate([farmed[:, 0], follower[keep]])
    target = np.concatenate([farmed[:, 1], followed[keep]])
    time = acc.first[actor] + rng.random(len(actor)) * (acc.last - acc.first)[actor]
    return _Rows.interactions(actor, time, np.full(len(actor), FOLLOW), target)


def _generate(rng: np.random.Generator, acc: Accounts) -> _Rows:
    own = _own_items(rng, acc)
    # an audience is bought before the account's latest item, so its latest snapshot shows it
    newest = np.full(len(acc.group), -np.inf)
    np.maximum.at(newest, own.actor, own.time)
    acc.purchased = np.minimum(acc.purchased, newest - 3600)
    ring_likes, ring_items, ring_rows = _ring_engagement(rng, acc, own)
    content = _Rows.join([own, ring_items])
    organic = _received(rng, acc, content)
    counts = organic.copy()
    own_count = len(own.actor)

    # pods: every ring row stands for several counted engagements, as everywhere
    boost = acc.ring_boost[np.maximum(acc.ring[own.actor], 0)] * (ring_rows > 0)
    ring_counts = rng.poisson(np.column_stack([ring_rows * boost * share for share in (0.6, 0.3, 0.1)]))
    counts[:own_count, :3] += ring_counts
    # bot-amplified: bought likes and shares on their own posts
    bought = acc.bot_boost[own.actor] * rng.lognormal(-0.125, 0.5, own_count)
    bot_likes = rng.poisson(bought)
    bot_shares = rng.poisson(bought * rng.uniform(0.3, 0.6, own_count))
    counts[:own_count, 0] += bot_likes
    counts[:own_count, 1] += bot_shares
    # bought and ring engagement comes with a few views of its own, far fewer than real reach brings
    extra = ring_counts.sum(axis=1) + bot_likes + bot_shares
    counts[:own_count, 3] += rng.poisson(extra * rng.uniform(3, 10, own_count))
    content.counts = counts

    bot_weight = (acc.group == BOT).astype(float)
    return _Rows.join(
        [
            content,
            ring_likes,
            _sampled(rng, acc, content, organic[:, :3].sum(axis=1), acc.engager_weight),
            _sampled(rng, acc, own, (bot_likes + bot_shares).astype(float), bot_weight),
            _bot_camouflage(rng, acc, content),
            _follows(rng, acc),
        ]
    )


def _audience(acc: Accounts, actor: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Followers and following at `time`: grown linearly over the span; a bought audience jumps."""
    factor = 1 - acc.growth[actor] * np.minimum(1.0, -time / (SPAN_DAYS * DAY))
    base = np.where(time < acc.purchased[actor], acc.organic_followers[actor], acc.followers[actor])
    return np.round(base * factor).astype(np.int64), np.round(acc.following[actor] * factor).astype(np.int64)


def _frame(rng: np.random.Generator, acc: Accounts, rows: _Rows, end: datetime) -> pd.DataFrame:
    """The rows in the canonical schema, in time order."""
    seconds = np.floor(rows.time).astype(np.int64)
    order = np.lexsort((rows.counts[:, 0], rows.target, rows.kind, rows.actor, seconds))
    actor, kind, target, counts = rows.actor[order], rows.kind[order], rows.target[order], rows.counts[order]
    seconds = seconds[order]
    content = counts[:, 0] >= 0
    size = len(actor)

    moment = np.int64(int(end.timestamp())) + seconds
    stamps = np.datetime_as_string(moment.astype("datetime64[s]"), unit="s").astype(object) + "Z"
    platform = acc.platform[actor]
    blank = np.full(size, "", dtype=object)
    post_id = blank.copy()
    numbers = pd.Series(np.arange(1, content.sum() + 1)).astype(str).str.zfill(7).to_numpy(dtype=object)
    post_id[content] = POST_PREFIX[platform[content]] + numbers
    topic_names = np.array(TOPICS, dtype=object)
    hashtag = topic_names[acc.topic_codes[actor[content], rng.integers(0, 2, content.sum())]]
    text = blank.copy()
    text[content] = np.array(PHRASES, dtype=object)[rng.integers(0, len(PHRASES), content.sum())] + " " + hashtag
    text[content] = text[content] + " #" + hashtag
    followers, following = _audience(acc, actor, rows.time[order])

    frame = pd.DataFrame(
        {
            "account": acc.name[actor],
            "timestamp": stamps,
            "platform": np.array(PLATFORMS, dtype=object)[platform],
            "kind": KIND_NAMES[kind],
            "post_id": post_id,
            "target": np.where(target >= 0, acc.name[np.maximum(target, 0)], ""),
            **{
                name: pd.arrays.IntegerArray(np.maximum(counts[:, index], 0), ~content)
                for index, name in enumerate(COUNTS)
            },
            "followers": pd.array(followers, dtype="Int64"),
            "following": pd.array(following, dtype="Int64"),
            "topics": np.where(content, acc.topics[actor], ""),
            "text": text,
        }
    )
    return frame[list(NAMES)]


def generate_population(accounts: int = 3000, seed: int = 7, end: datetime = END) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows in the canonical schema, truth: account, platform, group, gamer, influence).

    The same seed gives the same frames. Rows span the 100 days up to `end`.
    """
    if accounts < MIN_ACCOUNTS:
        raise ValueError(f"a population needs at least {MIN_ACCOUNTS} accounts, not {accounts}")
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    rng = np.random.default_rng(seed)
    acc = draw_accounts(rng, accounts)
    rows = _frame(rng, acc, _generate(rng, acc), end)
    order = np.argsort(acc.name, kind="stable")
    truth = pd.DataFrame(
        {
            "account": acc.name[order],
            "platform": np.array(PLATFORMS, dtype=object)[acc.platform[order]],
            "group": np.array(GROUPS, dtype=object)[acc.group[order]],
            "gamer": acc.group[order] >= FOLLOW_BACK,
            "influence": np.round(acc.influence[order], 4),
        }
    )
    return rows, truth


def truth_path(path: Path) -> Path:
    """Where the truth of a population written to `path` goes: demo.csv -> demo.truth.csv."""
    stem = path.name.removesuffix(".gz").removesuffix(".csv")
    return path.with_name(f"{stem}.truth.csv")


def write_population(accounts: int, seed: int, path: Path) -> Path:
    """Write the rows to `path` (gzip when it ends in .gz) and the truth beside it; returns the truth's path.

    The same seed writes the same bytes.
    """
    path = Path(path)
    rows, truth = generate_population(accounts, seed)
    compression = {"method": "gzip", "mtime": 0} if path.suffix == ".gz" else None
    rows.to_csv(path, index=False, lineterminator="\n", compression=compression)
    truth_file = truth_path(path)
    truth.to_csv(truth_file, index=False, lineterminator="\n")
    return truth_file
