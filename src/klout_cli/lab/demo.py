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
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from klout_cli.ingest.schema import COUNTS, NAMES

UTC = timezone.utc
GROUPS: tuple[str, ...] = (
    "genuine",
    "quiet",
    "celebrity",
    "bot",
    "follow-back",
    "bought-audience",
    "bot-amplified",
    "pod",
    "spam-volume",
)
GAMER_GROUPS: tuple[str, ...] = GROUPS[4:]
END = datetime(2024, 6, 30, 18, tzinfo=UTC)
MIN_ACCOUNTS = 50

GENUINE, QUIET, CELEBRITY, BOT, FOLLOW_BACK, BOUGHT, AMPLIFIED, POD, SPAM = range(len(GROUPS))
POOL = (GENUINE, QUIET, CELEBRITY)  # the people whose engagement is real
PLATFORMS = ("twitter", "mastodon", "linkedin")
PLATFORM_SHARES = (0.75, 0.15, 0.10)
POST_PREFIX = np.array(["tw", "md", "li"], dtype=object)
KIND_NAMES = np.array(["post", "reply", "share", "like", "mention", "follow"], dtype=object)
POST, REPLY, SHARE, LIKE, MENTION, FOLLOW = range(len(KIND_NAMES))
TOPICS = ("marketing", "data", "python", "design", "startups", "ai", "community", "climate", "music", "food")
PHRASES = ("notes on", "a thread on", "thoughts about", "new post:", "reading about", "quick take on", "more on")
FIRST_NAMES = (
    "ana", "ben", "cara", "dev", "eli", "fay", "gus", "hana", "ivo", "jo", "kai", "lena", "mo", "nora", "oli", "pia",
    "quinn", "rhea", "sam", "tess", "uma", "vic", "wren", "yara", "zoe", "abe", "bea", "cy", "dot", "ed", "flo", "max",
)  # fmt: skip
NAME_WORDS = (
    "writes", "codes", "grows", "cooks", "builds", "sings", "learns", "runs",
    "reads", "draws", "teaches", "travels", "shoots", "brews", "plays", "thinks",
)  # fmt: skip

DAY = 86400.0
SPAN_DAYS = 100.0  # content reaches this far back, so some of it falls outside a 90-day window
LIKES_PER_INFLUENCE = 8.0  # expected likes of a post by an account of influence 1
ROW_SCALE = 20.0  # counted engagements (likes + shares + replies) one sampled interaction row stands for
ITEM_ROWS_CAP = 20  # at most this many sampled interaction rows per item, from each source
DELAY_HOURS = 6.0  # mean delay between an item and the reactions to it
MIN_POOL = 20  # a platform with fewer real people than this is folded into twitter


@dataclass
class _Accounts:
    """Everything drawn per account; times are seconds relative to `end` (so <= 0)."""

    name: np.ndarray
    group: np.ndarray
    platform: np.ndarray
    influence: np.ndarray
    followers: np.ndarray  # final audience
    following: np.ndarray
    organic_followers: np.ndarray  # audience before a purchase (bought-audience), else `followers`
    purchased: np.ndarray  # when the audience was bought (-inf: never)
    growth: np.ndarray  # share of the audience gained over the span
    first: np.ndarray  # earliest content
    last: np.ndarray  # latest activity (quiet accounts stop early)
    items: np.ndarray  # how many items of its own
    engager_weight: np.ndarray  # how readily a real person engages others (0: never)
    share_ratio: np.ndarray
    reply_ratio: np.ndarray
    view_ratio: np.ndarray
    click_rate: np.ndarray
    bot_boost: np.ndarray  # bot likes per item bought (bot-amplified)
    ring: np.ndarray  # pod ring (-1: none)
    ring_boost: np.ndarray  # counted engagements per ring interaction row, per ring
    topics: np.ndarray  # per account, "a" or "a;b"
    topic_codes: np.ndarray  # (n, 2): the account's topics, the second repeats the first when single


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


def _log_uniform(rng: np.random.Generator, low: float, high: float, size: int) -> np.ndarray:
    return np.exp(rng.uniform(np.log(low), np.log(high), size))


def _group_sizes(accounts: int) -> list[int]:
    celebrity = max(3, round(0.01 * accounts))
    bot = max(1, round(0.10 * accounts))
    gamer = max(5, round(0.03 * accounts))
    quiet = max(1, round(0.05 * accounts))
    genuine = accounts - celebrity - bot - quiet - gamer * len(GAMER_GROUPS)
    return [genuine, quiet, celebrity, bot] + [gamer] * len(GAMER_GROUPS)


def _names(rng: np.random.Generator, accounts: int) -> np.ndarray:
    """Unique handles like `ana_writes42`, drawn without regard to group (a name reveals nothing)."""
    stems = len(FIRST_NAMES) * len(NAME_WORDS)
    numbers = max(100, -(-accounts * 4 // stems))
    picks = rng.choice(stems * numbers, accounts, replace=False)
    first = np.array(FIRST_NAMES, dtype=object)[picks % len(FIRST_NAMES)]
    word = np.array(NAME_WORDS, dtype=object)[(picks // len(FIRST_NAMES)) % len(NAME_WORDS)]
    number = (picks // stems).astype(str).astype(object)
    handles: np.ndarray = first + "_" + word + number
    return handles


def _rings(rng: np.random.Generator, pods: np.ndarray) -> list[np.ndarray]:
    """Split the pod accounts (already in random order) into rings of 4 to 8."""
    count = len(pods)
    rings = min(max(1, round(count / 6)), count // 4)
    rings = max(rings, -(-count // 8))
    sizes = np.full(rings, 4)
    for _ in range(count - 4 * rings):
        open_rings = np.flatnonzero(sizes < 8)
        sizes[open_rings[rng.integers(len(open_rings))]] += 1
    return np.split(pods, np.cumsum(sizes)[:-1])


def _accounts(rng: np.random.Generator, accounts: int) -> _Accounts:
    n = accounts
    group = rng.permutation(np.repeat(np.arange(len(GROUPS)), _group_sizes(n)))
    name = _names(rng, n)
    is_ = {code: group == code for code in range(len(GROUPS))}
    pool = np.isin(group, POOL)
    gamer = group >= FOLLOW_BACK

    platform = rng.choice(len(PLATFORMS), n, p=PLATFORM_SHARES)
    for code in range(1, len(PLATFORMS)):
        if (pool & (platform == code)).sum() < MIN_POOL:
            platform[platform == code] = 0
    bots = np.flatnonzero(is_[BOT])
    # bought bots work where bots are; a ring lives on one platform
    platform[is_[AMPLIFIED]] = platform[bots[rng.integers(0, len(bots), is_[AMPLIFIED].sum())]]
    ring = np.full(n, -1)
    rings = _rings(rng, np.flatnonzero(is_[POD]))
    for code, members in enumerate(rings):
        ring[members] = code
        platform[members] = platform[members[0]]
    ring_boost = rng.uniform(6.0, 14.0, len(rings))

    # influence: genuine lognormal; celebrities far above; gamers like the lower half of genuine
    z = rng.standard_normal(n)
    influence = np.select(
        [pool & ~is_[CELEBRITY], is_[CELEBRITY], gamer], [np.exp(z), 150 * np.exp(0.6 * z), np.exp(-np.abs(z))], 0.0
    )

    # followers: a noisy proxy of influence for real people; bought or farmed for gamers
    organic = np.maximum(3.0, 400 * influence * rng.lognormal(0, 1, n))
    followers = np.select(
        [is_[CELEBRITY], is_[FOLLOW_BACK], is_[BOUGHT], is_[BOT], is_[AMPLIFIED] | is_[POD] | is_[SPAM]],
        [
            _log_uniform(rng, 1e6, 5e7, n),
            _log_uniform(rng, 5e3, 5e4, n),
            _log_uniform(rng, 1e5, 2e6, n),
            rng.integers(0, 6, n).astype(float),
            _log_uniform(rng, 200, 5000, n),
        ],
        organic,
    )
    following = np.select(
        [is_[CELEBRITY], is_[FOLLOW_BACK], is_[BOUGHT], is_[BOT]],
        [
            followers * rng.uniform(1e-4, 1e-3, n),
            followers * rng.uniform(0.9, 1.1, n),
            rng.uniform(100, 2000, n),
            rng.uniform(50, 2000, n),
        ],
        followers * rng.uniform(0.05, 0.9, n) + rng.uniform(20, 300, n),
    )
    purchased = np.where(is_[BOUGHT], -rng.uniform(10, 80, n) * DAY, -np.inf)
    organic_followers = np.where(is_[BOUGHT], organic, followers)

    # activity: posts per week, over the span (quiet accounts stop, spam bursts at the end)
    weekly = np.select(
        [is_[CELEBRITY], is_[SPAM], is_[BOT]],
        [rng.uniform(0.2, 1.0, n), rng.uniform(20, 60, n) * 7, np.zeros(n)],
        _log_uniform(rng, 1, 10, n),
    )
    first = np.select([is_[CELEBRITY], is_[SPAM]], [-90 * DAY, -rng.uniform(3, 14, n) * DAY], -SPAN_DAYS * DAY)
    last = np.where(is_[QUIET], -rng.uniform(21, 40, n) * DAY, 0.0)
    items = np.where(is_[BOT], 0, np.maximum(3, rng.poisson(weekly / 7 * (last - first) / DAY)))

    topic_codes = rng.integers(0, len(TOPICS), (n, 2))
    single = rng.random(n) < 0.5
    topic_codes[single, 1] = topic_codes[single, 0]
    topic_names = np.array(TOPICS, dtype=object)
    first_topic, second_topic = topic_names[topic_codes[:, 0]], topic_names[topic_codes[:, 1]]
    topics = np.where(topic_codes[:, 0] == topic_codes[:, 1], first_topic, first_topic + ";" + second_topic)

    return _Accounts(
        name=name,
        group=group,
        platform=platform,
        influence=influence,
        followers=followers,
        following=following,
        organic_followers=organic_followers,
        purchased=purchased,
        growth=rng.uniform(0.0, 0.15, n),
        first=first,
        last=last,
        items=items,
        engager_weight=np.where(pool, weekly * rng.lognormal(0, 0.5, n), 0.0),
        share_ratio=rng.uniform(0.15, 0.25, n),
        reply_ratio=rng.uniform(0.05, 0.10, n),
        view_ratio=rng.uniform(30, 80, n),
        click_rate=rng.uniform(0.002, 0.01, n),
        bot_boost=np.where(is_[AMPLIFIED], _log_uniform(rng, 30, 200, n), 0.0),
        ring=ring,
        ring_boost=ring_boost,
        topics=topics,
        topic_codes=topic_codes,
    )


def _pick(
    rng: np.random.Generator, acc: _Accounts, platform: np.ndarray, weight: np.ndarray, avoid: np.ndarray
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


def _own_items(rng: np.random.Generator, acc: _Accounts) -> _Rows:
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


def _ring_engagement(rng: np.random.Generator, acc: _Accounts, own: _Rows) -> tuple[_Rows, _Rows, np.ndarray]:
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


def _received(rng: np.random.Generator, acc: _Accounts, items: _Rows) -> np.ndarray:
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
    rng: np.random.Generator, acc: _Accounts, items: _Rows, engagements: np.ndarray, weight: np.ndarray
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


def _bot_camouflage(rng: np.random.Generator, acc: _Accounts, items: _Rows) -> _Rows:
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


def _follows(rng: np.random.Generator, acc: _Accounts) -> _Rows:
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


def _generate(rng: np.random.Generator, acc: _Accounts) -> _Rows:
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


def _audience(acc: _Accounts, actor: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Followers and following at `time`: grown linearly over the span; a bought audience jumps."""
    factor = 1 - acc.growth[actor] * np.minimum(1.0, -time / (SPAN_DAYS * DAY))
    base = np.where(time < acc.purchased[actor], acc.organic_followers[actor], acc.followers[actor])
    return np.round(base * factor).astype(np.int64), np.round(acc.following[actor] * factor).astype(np.int64)


def _frame(rng: np.random.Generator, acc: _Accounts, rows: _Rows, end: datetime) -> pd.DataFrame:
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
    acc = _accounts(rng, accounts)
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
