"""Who is in a demo population: groups, names, platforms, influence, audiences, activity.

demo.py turns these accounts into rows; the truth of who really moves people is drawn here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

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
class Accounts:
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


def draw_accounts(rng: np.random.Generator, accounts: int) -> Accounts:
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

    return Accounts(
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
