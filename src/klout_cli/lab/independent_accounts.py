"""Accounts of the independent population: seed-level design, latent traits, pods, handles, posting times.

`independent.py` turns these accounts into activity rows and a ground truth. This module decides
*who* is in the population, *when* they post, what their posts are about and how appealing each
post is (`draw_appeal`), and their audience over time.

Group traits (base reach = organic expected distinct people moved per post, log10 scale):
genuine/quiet N(0.45, 0.85); celebrity U(3.6, 5.6); follow-back/bought-audience N(-0.1, 0.5);
bot-amplified/pod N(0.15, 0.55); spam-volume N(-1.3, 0.4); bots ~0. Posting volume is drawn
independently of reach: 40% of people post 1-5 times in 90 days, the rest lognormal (median 25),
celebrities geometric (mean 4), spam-volume 8-60 a day. Followers of people are
1.7 + 0.45 log10 reach + N(0, 0.75) (log10), a weak proxy; gamers and celebrities have their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DAY = 86_400
WINDOW_DAYS = 90
PLATFORMS = ("twitter", "mastodon", "linkedin", "bluesky")
GAMER_GROUPS = ("follow-back", "bought-audience", "bot-amplified", "pod", "spam-volume")
GROUPS = ("genuine", "quiet", "celebrity", "bot", *GAMER_GROUPS)
COUNT_MODELS = ("negbin", "zero-inflated", "pareto-viral")
TOPIC_STYLES = ("both", "column", "hashtags")
#: Counts-only shares cycled by seed (seed % 5), so seeds 1..5 span 0% to 100%.
COUNTS_ONLY_CYCLE = (0.0, 0.4, 1.0, 0.15, 0.7)
TOPIC_CLUSTERS = (
    ("python", "ai", "opensource", "datascience", "security", "startups"),
    ("football", "running", "cycling", "tennis", "nba", "f1"),
    ("climate", "energy", "science", "space", "health", "biology"),
    ("music", "film", "books", "gaming", "art", "photography"),
    ("economy", "markets", "policy", "elections", "education", "cities"),
    ("food", "travel", "parenting", "gardening", "fashion", "fitness"),
)
SPAM_TOPICS = ("crypto", "giveaway", "deals", "nft")
TOPICS = tuple(topic for cluster in TOPIC_CLUSTERS for topic in cluster) + SPAM_TOPICS
TOPICS_PER_ACCOUNT = 4
MIN_RING, MAX_RING = 8, 40
_ONSETS = ("b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "ch", "sh")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y", "ar", "el")
_PEAK_HOURS = np.array([8.0, 12.5, 18.5, 21.5])


@dataclass(frozen=True)
class Design:
    """Choices made once per seed, so that a family of seeds spans different kinds of export."""

    platforms: tuple[str, ...]
    span_days: int
    group_shares: dict[str, float]
    count_model_weights: np.ndarray
    counts_only_share: float
    like_sample_rate: float
    followers_missing_share: float
    impressions_share: float
    audience_on_content: bool
    topic_style: str
    controversial_share: float
    popularity_exponent: float
    standing_tilt: float
    capacity_median: float
    shared_handle_share: float


def choose_design(seed: int, rng: np.random.Generator) -> Design:
    """Draw the seed-level design; counts-only share and dominant count model cycle with the seed."""
    shares = {kind: float(rng.uniform(0.025, 0.035)) for kind in GAMER_GROUPS}
    shares |= {
        "celebrity": float(rng.uniform(0.008, 0.012)),
        "bot": float(rng.uniform(0.08, 0.10)),
        "quiet": float(rng.uniform(0.04, 0.06)),
    }
    dominant = seed % len(COUNT_MODELS)
    weights = np.full(len(COUNT_MODELS), 0.15)
    weights[dominant] = 0.70
    platform_count = int(rng.choice([1, 1, 2, 3]))
    platforms = tuple(str(name) for name in rng.choice(PLATFORMS, size=platform_count, replace=False))
    return Design(
        platforms=platforms,
        span_days=int(rng.integers(100, 151)),
        group_shares=shares,
        count_model_weights=weights,
        counts_only_share=COUNTS_ONLY_CYCLE[seed % len(COUNTS_ONLY_CYCLE)],
        like_sample_rate=float(rng.choice([0.05, 0.1, 0.2, 0.35])),
        followers_missing_share=float(rng.choice([0.0, 0.0, 0.1, 0.3])),
        impressions_share=float(rng.choice([0.0, 0.5, 1.0])),
        audience_on_content=seed % 2 == 0,  # odd seeds: followers only in profile rows
        topic_style=str(rng.choice(TOPIC_STYLES)),
        controversial_share=float(rng.uniform(0.04, 0.12)),
        popularity_exponent=float(rng.uniform(0.5, 0.85)),
        standing_tilt=float(rng.uniform(0.5, 1.5)),
        capacity_median=float(rng.uniform(10.0, 30.0)),
        shared_handle_share=float(rng.choice([0.0, 0.03])) if platform_count > 1 else 0.0,
    )


@dataclass
class Accounts:
    """Latent traits of every account, one array entry per account (index = account id)."""

    handle: np.ndarray  # str
    platform: np.ndarray  # str
    group: np.ndarray  # str
    base_reach: np.ndarray  # organic expected distinct people moved by an ordinary post
    standing: np.ndarray  # 1 + log10(1 + base_reach): weight of this account as an engager
    audience_standing: np.ndarray  # mean standing of the outside people its posts move
    count_model: np.ndarray  # index into COUNT_MODELS
    dispersion: np.ndarray  # gamma shape of post appeal (negative binomial dispersion)
    zero_share: np.ndarray  # share of posts nobody engages with (zero-inflated model)
    viral_share: np.ndarray  # share of posts that go viral (pareto-viral model)
    viral_alpha: np.ndarray  # Pareto tail index of viral multipliers
    like_ratio: np.ndarray  # expected likes per moved person
    share_ratio: np.ndarray
    reply_ratio: np.ndarray
    window_posts: np.ndarray  # own posts in the last 90 days (before any stop)
    posts_per_day: np.ndarray
    stop: np.ndarray  # epoch seconds after which the account is silent
    tz_hours: np.ndarray
    weekend_boost: np.ndarray  # probability of moving a weekday session to the weekend
    session_size: np.ndarray  # mean posts per session
    session_minutes: np.ndarray
    peak: np.ndarray  # preferred hour-of-day peak index
    followers_end: np.ndarray
    following_end: np.ndarray
    follower_growth: np.ndarray  # relative growth over the span
    followers_known: np.ndarray  # bool
    impressions_known: np.ndarray  # bool
    engagement_rate: np.ndarray  # engagements per impression
    click_rate: np.ndarray
    counts_only: np.ndarray  # bool: no interaction rows aimed at this account
    capacity: np.ndarray  # organic engagements it gives to population members over the span
    topics: np.ndarray  # (n, TOPICS_PER_ACCOUNT) topic indices, first is the main one
    ring: np.ndarray  # pod ring id or -1
    bought_level: np.ndarray  # bought likes per post (bot-amplified)
    bought_share_ratio: np.ndarray
    bot_delivery: np.ndarray  # share of bought engagement delivered by in-population bots

    def __len__(self) -> int:
        return len(self.handle)

    def is_group(self, *groups: str) -> np.ndarray:
        """Boolean mask of accounts in any of `groups`."""
        return np.isin(self.group, groups)


def group_labels(accounts: int, design: Design, rng: np.random.Generator) -> np.ndarray:
    """Shuffled group label per account, following the design's shares (pods get at least one ring)."""
    sizes = {kind: round(share * accounts) for kind, share in design.group_shares.items()}
    sizes["pod"] = max(sizes["pod"], MIN_RING) if accounts >= 60 else 0  # a pod needs a whole ring
    sizes["genuine"] = accounts - sum(sizes.values())
    labels = np.concatenate([np.full(size, kind, dtype=object) for kind, size in sizes.items()])
    return rng.permutation(labels)


def ring_sizes(members: int, rng: np.random.Generator) -> list[int]:
    """Split `members` (0 or at least MIN_RING) pod accounts into rings of MIN_RING..MAX_RING members."""
    sizes: list[int] = []
    remaining = members
    while remaining > 0:
        if remaining <= MAX_RING and (remaining < 2 * MIN_RING or rng.random() < 0.5):
            size = remaining
        else:  # leave at least MIN_RING for the next ring
            size = int(rng.integers(MIN_RING, min(MAX_RING, remaining - MIN_RING) + 1))
        sizes.append(size)
        remaining -= size
    return sizes


def make_handles(accounts: int, rng: np.random.Generator) -> np.ndarray:
    """Unique pronounceable handles that carry no information about the account."""
    candidates = accounts * 3 + 50
    syllables = [np.char.add(rng.choice(_ONSETS, candidates), rng.choice(_VOWELS, candidates)) for _ in range(3)]
    handles = np.char.add(syllables[0], syllables[1])
    handles = np.where(rng.random(candidates) < 0.5, np.char.add(handles, syllables[2]), handles)
    digits = np.char.mod("%d", rng.integers(1, 1000, candidates))
    handles = np.where(rng.random(candidates) < 0.45, np.char.add(handles, digits), handles)
    for word in (*GROUPS, "fake", "spam", "celeb", "gamer"):  # by chance a handle could spell one
        handles = handles[np.char.find(handles, word) < 0]
    unique, first = np.unique(handles, return_index=True)
    ordered = unique[np.argsort(first)]
    if len(ordered) < accounts:
        raise RuntimeError("could not draw enough distinct handles")
    return np.asarray(ordered[:accounts], dtype=object)


def _share_handles(handle: np.ndarray, platform: np.ndarray, share: float, rng: np.random.Generator) -> None:
    """Give a few accounts on other platforms the handle of an account on the first platform."""
    first = np.flatnonzero(platform == platform[0])
    others = np.flatnonzero(platform != platform[0])
    count = min(round(share * len(handle)), len(first), len(others))
    if count:
        handle[rng.choice(others, count, replace=False)] = handle[rng.choice(first, count, replace=False)]


def _log_normal(median: float, sigma: float, size: int, rng: np.random.Generator) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(size))


def make_accounts(accounts: int, design: Design, end_s: int, rng: np.random.Generator) -> Accounts:
    """Draw every account's latent traits. Posting volume is drawn independently of reach."""
    group = group_labels(accounts, design, rng)
    n = accounts

    def where(*groups: str) -> np.ndarray:
        return np.isin(group, groups)

    log_reach = np.clip(rng.normal(0.45, 0.85, n), -1.5, 3.8)
    log_reach = np.where(where("celebrity"), rng.uniform(3.6, 5.6, n), log_reach)
    log_reach = np.where(where("follow-back", "bought-audience"), rng.normal(-0.1, 0.5, n), log_reach)
    log_reach = np.where(where("bot-amplified", "pod"), rng.normal(0.15, 0.55, n), log_reach)
    log_reach = np.where(where("spam-volume"), rng.normal(-1.3, 0.4, n), log_reach)
    log_reach = np.where(where("bot"), -3.0, np.clip(log_reach, -2.0, 5.7))
    base_reach = 10.0**log_reach
    audience_log = 0.1 + 0.55 * log_reach + rng.normal(0.0, 0.5, n)
    audience_standing = 1.0 + np.log10(1.0 + 10.0 ** np.clip(audience_log, -3.0, 4.0))

    controversial = where("genuine", "quiet") & (rng.random(n) < design.controversial_share)
    ordinary_mix = rng.dirichlet([8.0, 1.2, 0.8], n)
    controversial_mix = rng.dirichlet([2.0, 0.8, 4.0], n)
    mix = np.where(controversial[:, None], controversial_mix, ordinary_mix)
    also_likes = rng.uniform(0.1, 0.6, n)

    rare = rng.random(n) < 0.4  # 1-5 posts in 90 days; such people also engage less (lurkers)
    window_posts = np.where(rare, rng.integers(1, 6, n), np.clip(_log_normal(25.0, 1.0, n, rng), 1, 500))
    window_posts = np.where(where("celebrity"), np.minimum(rng.geometric(0.25, n), 30), window_posts)
    window_posts = np.where(where("bot-amplified", "pod"), _log_normal(35.0, 0.6, n, rng), window_posts)
    spam_daily = np.clip(_log_normal(18.0, 0.4, n, rng), 8.0, 60.0)
    window_posts = np.where(where("spam-volume"), spam_daily * WINDOW_DAYS, window_posts)
    window_posts = np.where(where("bot"), 0, np.round(window_posts)).astype(np.int64)
    quiet_weeks = rng.uniform(3.0, 16.0, n)
    stop = np.where(where("quiet"), end_s - quiet_weeks * 7 * DAY, end_s).astype(np.int64)

    session_size = np.where(where("spam-volume"), rng.uniform(6.0, 20.0, n), 1.0 + rng.gamma(1.0, 1.2, n))
    session_minutes = np.where(where("spam-volume"), rng.uniform(60.0, 300.0, n), rng.uniform(5.0, 90.0, n))

    log_followers = np.clip(1.7 + 0.45 * log_reach + rng.normal(0.0, 0.75, n), 0.0, 6.3)
    log_followers = np.where(rng.random(n) < 0.05, log_followers + 1.5, log_followers)
    log_followers = np.where(where("bot-amplified", "pod"), log_followers + 0.2, log_followers)
    log_followers = np.where(where("celebrity"), rng.uniform(6.0, np.log10(5e7), n), log_followers)
    log_followers = np.where(where("follow-back"), rng.uniform(3.7, 5.3, n), log_followers)
    log_followers = np.where(where("bought-audience"), rng.uniform(4.5, 6.3, n), log_followers)
    log_followers = np.where(where("spam-volume"), rng.normal(2.3, 0.6, n), log_followers)
    followers_end = np.round(10.0**log_followers)
    followers_end = np.where(where("bot"), rng.integers(0, 40, n), followers_end).astype(np.int64)
    log_following = rng.normal(2.4, 0.5, n)
    log_following = np.where(where("bought-audience"), rng.uniform(1.5, 3.0, n), log_following)
    log_following = np.where(where("spam-volume", "bot"), rng.uniform(2.0, 3.7, n), log_following)
    following_end = np.round(10.0**log_following)
    mirrored = np.round(followers_end * rng.uniform(0.85, 1.1, n))
    following_end = np.where(where("follow-back"), mirrored, following_end).astype(np.int64)
    growth = np.where(where("follow-back", "bought-audience"), rng.uniform(0.3, 0.8, n), rng.uniform(0.0, 0.25, n))

    capacity = _log_normal(design.capacity_median * design.span_days / WINDOW_DAYS, 1.1, n, rng)
    capacity = np.where(where("celebrity"), 0.2 * capacity, capacity)
    capacity = np.where(where("spam-volume"), 0.1 * capacity, capacity)
    capacity = np.where(where("bot"), 0.0, np.where(rare, 0.25, 1.0) * capacity)

    counts_only = np.zeros(n, dtype=bool)
    counts_only[rng.permutation(n)[: round(design.counts_only_share * n)]] = True

    platform = rng.choice(np.array(design.platforms, dtype=object), n)
    ring = np.full(n, -1, dtype=np.int64)
    pod_members = rng.permutation(np.flatnonzero(where("pod")))
    start = 0
    for ring_id, size in enumerate(ring_sizes(len(pod_members), rng)):
        members = pod_members[start : start + size]
        ring[members] = ring_id
        platform[members] = rng.choice(np.array(design.platforms, dtype=object))
        start += size
    handle = make_handles(n, rng)
    _share_handles(handle, platform, design.shared_handle_share, rng)

    return Accounts(
        handle=handle,
        platform=platform,
        group=group,
        base_reach=base_reach,
        standing=1.0 + np.log10(1.0 + base_reach),
        audience_standing=audience_standing,
        count_model=rng.choice(len(COUNT_MODELS), n, p=design.count_model_weights),
        dispersion=np.clip(_log_normal(1.0, 0.6, n, rng), 0.2, 10.0),
        zero_share=rng.uniform(0.2, 0.8, n) / (1.0 + base_reach / 30.0),  # big accounts rarely get nothing
        viral_share=rng.uniform(0.01, 0.06, n),
        viral_alpha=rng.uniform(1.1, 2.0, n),
        like_ratio=mix[:, 0] + also_likes * (1.0 - mix[:, 0]),
        share_ratio=mix[:, 1],
        reply_ratio=mix[:, 2],
        window_posts=window_posts,
        posts_per_day=window_posts / WINDOW_DAYS,
        stop=stop,
        tz_hours=rng.choice(np.arange(-8, 10), n),
        weekend_boost=np.where(rng.random(n) < 0.3, rng.uniform(0.2, 0.7, n), 0.0),
        session_size=session_size,
        session_minutes=session_minutes,
        peak=rng.integers(0, len(_PEAK_HOURS), n),
        followers_end=followers_end,
        following_end=following_end,
        follower_growth=growth,
        followers_known=rng.random(n) >= design.followers_missing_share,
        impressions_known=rng.random(n) < design.impressions_share,
        engagement_rate=np.clip(_log_normal(0.03, 0.6, n, rng), 0.002, 0.3),
        click_rate=np.clip(_log_normal(0.006, 0.7, n, rng), 0.0005, 0.05),
        counts_only=counts_only,
        capacity=capacity,
        topics=_account_topics(group, rng),
        ring=ring,
        bought_level=np.where(where("bot-amplified"), _log_normal(120.0, 0.8, n, rng), 0.0),
        bought_share_ratio=rng.uniform(0.03, 0.10, n),
        bot_delivery=rng.uniform(0.2, 0.8, n),
    )


def _account_topics(group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A few topics per account, mostly from one home cluster; spam accounts use spam topics."""
    n = len(group)
    cluster_size = len(TOPIC_CLUSTERS[0])
    home = rng.integers(0, len(TOPIC_CLUSTERS), n)
    within = np.argsort(rng.random((n, cluster_size)), axis=1)[:, :TOPICS_PER_ACCOUNT]
    topics = home[:, None] * cluster_size + within
    stray = rng.random(n) < 0.3
    topics[stray, -1] = rng.integers(0, len(TOPIC_CLUSTERS) * cluster_size, int(stray.sum()))
    spam = np.flatnonzero(group == "spam-volume")
    spam_first = len(TOPICS) - len(SPAM_TOPICS)
    topics[spam] = spam_first + np.argsort(rng.random((len(spam), len(SPAM_TOPICS))), axis=1)
    return topics


def posting_times(
    owner: np.ndarray,
    seg_start: np.ndarray,
    seg_end: np.ndarray,
    counts: np.ndarray,
    accounts: Accounts,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Bursty post times: per segment (owner, [start, end], count) posts fall in sessions.

    Sessions land on random days (some accounts move weekday sessions to the weekend) at an hour
    near the account's preferred local peak, shifted by its time zone; posts spread over the
    session's length. Returns (owner per post, epoch seconds per post).
    """
    sessions = np.where(counts > 0, np.maximum(1, np.ceil(counts / accounts.session_size[owner])), 0).astype(int)
    session_segment = np.repeat(np.arange(len(counts)), sessions)
    session_owner = owner[session_segment]
    length = (seg_end - seg_start)[session_segment]
    centre = seg_start[session_segment] + rng.random(len(session_segment)) * length
    tz_seconds = accounts.tz_hours[session_owner] * 3600
    local_day = np.floor((centre + tz_seconds) / DAY)
    weekday = (local_day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    to_weekend = (weekday < 5) & (rng.random(len(local_day)) < accounts.weekend_boost[session_owner])
    local_day = np.where(to_weekend, local_day + 5 - weekday, local_day)
    main_peak = rng.random(len(local_day)) < 0.6
    peak = np.where(main_peak, accounts.peak[session_owner], rng.integers(0, len(_PEAK_HOURS), len(local_day)))
    hour = (_PEAK_HOURS[peak] + rng.normal(0.0, 1.3, len(local_day))) % 24
    session_start = local_day * DAY + hour * 3600 - tz_seconds

    post_segment = np.repeat(np.arange(len(counts)), counts)
    first_session = np.cumsum(sessions) - sessions
    post_session = first_session[post_segment] + np.floor(rng.random(len(post_segment)) * sessions[post_segment])
    post_session = post_session.astype(int)
    post_owner = owner[post_segment]
    offset = rng.random(len(post_segment)) * accounts.session_minutes[post_owner] * 60
    times = session_start[post_session] + offset
    low, high = seg_start[post_segment], seg_end[post_segment]
    outside = (times < low) | (times > high)  # a session pushed past its segment: place it uniformly
    times = np.where(outside, low + rng.random(len(times)) * (high - low), times)
    return post_owner, times.astype(np.int64)


def own_post_times(
    accounts: Accounts, design: Design, end_s: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Times of every account's own posts over the span: a pre-window and a 90-day window segment.

    Non-quiet accounts make exactly `window_posts` posts in the window; quiet accounts post at the
    same rate until their stop, so those who stopped over 90 days ago have none in the window.
    """
    n = len(accounts)
    span_start = end_s - design.span_days * DAY
    window_start = end_s - WINDOW_DAYS * DAY
    quiet = accounts.is_group("quiet")
    window_days = np.maximum(0, accounts.stop - window_start) / DAY
    window_counts = np.where(quiet, rng.poisson(accounts.posts_per_day * window_days), accounts.window_posts)
    pre_days = (np.minimum(accounts.stop, window_start) - span_start) / DAY
    pre_counts = rng.poisson(accounts.posts_per_day * np.maximum(pre_days, 0))
    ids = np.arange(n)
    owner = np.concatenate([ids, ids])
    seg_start = np.concatenate([np.full(n, span_start), np.full(n, window_start + 1)])
    seg_end = np.concatenate([np.minimum(accounts.stop, window_start), accounts.stop])
    counts = np.concatenate([pre_counts, np.where(seg_end[n:] > seg_start[n:], window_counts, 0)])
    return posting_times(owner, seg_start, seg_end, counts, accounts, rng)


def audience_at(
    owner: np.ndarray, times: np.ndarray, accounts: Accounts, span_days: int, end_s: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(followers, following, known) of `owner` at `times`: linear growth towards the end values."""
    before_end = (end_s - times) / (span_days * DAY)
    followers = np.round(accounts.followers_end[owner] * (1.0 - accounts.follower_growth[owner] * before_end))
    following = np.round(accounts.following_end[owner] * (1.0 - 0.2 * before_end))
    return followers.astype(np.int64), following.astype(np.int64), accounts.followers_known[owner]


def profile_rows(accounts: Accounts, span_days: int, end_s: int, rng: np.random.Generator) -> dict[str, object]:
    """Audience snapshots: 1+ per account with known followers, most of them one near its stop."""
    known = np.flatnonzero(accounts.followers_known)
    span_start = end_s - span_days * DAY
    owner = np.repeat(known, 1 + rng.poisson(1.0, len(known)))
    times = span_start + rng.random(len(owner)) * (accounts.stop[owner] - span_start)
    recent = known[rng.random(len(known)) < 0.8]
    recent_times = accounts.stop[recent] - rng.random(len(recent)) * 7 * DAY
    owner = np.concatenate([owner, recent])
    times = np.concatenate([times, recent_times]).astype(np.int64)
    followers, following, _ = audience_at(owner, times, accounts, span_days, end_s)
    return {"owner": owner, "time": times, "kind": "profile", "target": -1,
            "followers": followers, "following": following}  # fmt: skip


def draw_appeal(owner: np.ndarray, accounts: Accounts, rng: np.random.Generator) -> np.ndarray:
    """Latent appeal of each item from its owner's count model (mean about 1; 0 for a dud)."""
    size = len(owner)
    shape = accounts.dispersion[owner]
    gamma = rng.gamma(shape, 1.0 / shape)
    zero_share = accounts.zero_share[owner]
    inflated = np.where(rng.random(size) < zero_share, 0.0, gamma / (1.0 - zero_share))
    viral = rng.random(size) < accounts.viral_share[owner]
    tail = np.minimum(10.0 * rng.random(size) ** (-1.0 / accounts.viral_alpha[owner]), 1e4)
    pareto = rng.lognormal(-0.125, 0.5, size) * np.where(viral, tail, 1.0)
    model = accounts.count_model[owner]
    return np.select([model == 0, model == 1], [gamma, inflated], pareto)


def post_topics(owner: np.ndarray, accounts: Accounts, rng: np.random.Generator) -> np.ndarray:
    """(posts, 3) topic indices, -1 for none: 1-3 distinct topics of the owner, mostly its main one."""
    size = len(owner)
    slots = accounts.topics.shape[1]
    first = rng.choice(slots, size, p=[0.5, 0.25, 0.15, 0.1])
    second_step = rng.integers(1, slots, size)
    third_step = 1 + (second_step + rng.integers(0, slots - 2, size)) % (slots - 1)
    how_many = rng.integers(1, 4, size)
    own = accounts.topics[owner]
    rows = np.arange(size)
    second = np.where(how_many >= 2, own[rows, (first + second_step) % slots], -1)
    third = np.where(how_many >= 3, own[rows, (first + third_step) % slots], -1)
    return np.stack([own[rows, first], second, third], axis=1)
