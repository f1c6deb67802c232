"""An independent synthetic population of social-media activity with a ground truth of influence.

Built only on its own generative assumptions (`independent_accounts.py` says who the accounts
are). Each seed also picks a design: one to three platforms, a 100-150 day span, a dominant count
model (negative binomial with account-specific dispersion, zero-inflated, or Pareto-tailed
viral), the share of counts-only accounts (0%, 40%, 100%, 15%, 70% for seed % 5 = 0..4), the
sampling rate of like/mention/follow rows, and whether followers, impressions and topics appear.

How engagement arises. Every content item p of account a has a latent appeal g_p drawn from a's
count model; reach_p = base_reach_a * g_p * maturity_p is the expected number of distinct
*outside* people (not in the population) it moves by the end of the data, with maturity_p =
1 - exp(-age/8h); a reply/share reaches 0.3/0.5 of its maker's base reach. Its counts are
Poisson(reach_p * ratio_a) for likes, shares and replies with account-specific ratios
(controversial accounts draw replies > likes), plus engagement from population members: organic
likes/shares/replies of non-bot accounts (each has a budget of actions and picks items with
probability ~ reach^gamma, high-standing engagers favouring accounts with a high-standing
audience), pod-ring exchange, bought engagement (bot-amplified: all of it is added to the
counts, the part delivered by in-population bots also shows as bot rows) and bots' camouflage
likes on genuine items.

Truth. standing_j = 1 + log10(1 + base_reach_j) for a population member j; a's outside audience
has mean standing kappa_a = 1 + log10(1 + r_a), log10 r_a = 0.1 + 0.55 log10 base_reach_a +
N(0, 0.5) (influential people are followed by influential people, with noise). For an organic
content item p (own posts, organic replies and shares; not pod-exchange replies/shares, not bot
shares):
    moved_p = kappa_a * reach_p + sum of standing_j over distinct organic non-bot engagers j of p
and `influence_a` = mean of moved_p over a's organic items in the last 90 days (end - 90 days,
end], 0 without any. It is the standing-weighted number of people an item moves: not the
number of posts, not followers. Bought likes/shares, pod exchange and bot likes (camouflage)
are excluded, so gamers get what they would have without what they bought; bots get 0.
`posts` counts every content item (post, reply, share) the account made in the window.

Export. Each account is on one platform; when there are several, a few handles are reused by a
different account on another platform (the truth is keyed by account and platform). Share and
reply rows are always the maker's content; their target cell is empty when the target is
counts-only. Like/mention/follow rows are a sample (rate per seed) and are absent when aimed at
a counts-only account.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from klout_cli.ingest.schema import AUDIENCE, COUNTS, NAMES
from klout_cli.lab.independent_accounts import (
    DAY,
    GAMER_GROUPS,
    TOPICS,
    WINDOW_DAYS,
    Accounts,
    Design,
    audience_at,
    choose_design,
    draw_appeal,
    make_accounts,
    own_post_times,
    post_topics,
    profile_rows,
)

END = datetime(2024, 7, 1, tzinfo=timezone.utc)
#: Where an engagement event comes from.
ORGANIC, RING, BOUGHT, CAMOUFLAGE, SOCIAL = range(5)
MATURITY_HOURS = 8.0
POST_TEMPLATES = (
    ("Some thoughts on ", " this morning"),
    ("Why ", " matters more than people think"),
    ("What I learned about ", " this week"),
    ("Hot take on ", ", change my mind"),
    ("Reading about ", " again tonight"),
    ("A short thread on ", ""),
    ("Anyone else following ", " lately?"),
    ("Weekend notes on ", ""),
    ("Big news in ", " today"),
    ("Quick question about ", " for you all"),
)
REPLY_TEMPLATES = ("Great point", "I disagree, honestly", "Thanks for sharing", "So true", "Source?", "Well said")
_ID_MULTIPLIER = 0x9E3779B1  # odd, so index -> id is a bijection modulo 2**40
_EVENT_COLUMNS = ("engager", "item", "target", "kind", "time", "source")


def _maturity(times: np.ndarray, end_s: int) -> np.ndarray:
    """Share of an item's eventual engagement it has received by the end of the data."""
    return 1.0 - np.exp(-(end_s - times) / 3600.0 / MATURITY_HOURS)


def _delay(size: int, median_hours: float, rng: np.random.Generator) -> np.ndarray:
    return (median_hours * 3600.0 * rng.lognormal(0.0, 1.1, size)).astype(np.int64)


def _events(*columns: np.ndarray | int | str) -> pd.DataFrame:
    """An events frame from columns in _EVENT_COLUMNS order: engager engaged item (-1: none) of target."""
    return pd.DataFrame(dict(zip(_EVENT_COLUMNS, columns)))


def _no_events() -> pd.DataFrame:
    empty = np.zeros(0, dtype=np.int64)
    return _events(empty, empty, empty, np.zeros(0, dtype=object), empty, empty)


def _own_items(accounts: Accounts, design: Design, end_s: int, rng: np.random.Generator) -> pd.DataFrame:
    """Every account's own posts with reach (expected outside people moved), 1-3 topics and a template."""
    owner, times = own_post_times(accounts, design, end_s, rng)
    size = len(owner)
    reach = accounts.base_reach[owner] * draw_appeal(owner, accounts, rng) * _maturity(times, end_s)
    topics = post_topics(owner, accounts, rng)
    return pd.DataFrame(
        {
            "owner": owner,
            "time": times,
            "reach": reach,
            "kind": "post",
            "target": -1,
            "parent": np.arange(size),
            "source": ORGANIC,
            "topic1": topics[:, 0],
            "topic2": topics[:, 1],
            "topic3": topics[:, 2],
            "template": rng.integers(0, len(POST_TEMPLATES), size),
        }
    )


def _organic_events(
    accounts: Accounts, items: pd.DataFrame, design: Design, end_s: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Non-bot members spend a budget of likes/shares/replies on posts of their platform.

    A post is picked with probability ~ (reach + 0.05)^gamma * kappa_owner^(tilt * (tier - 1.5)):
    popular posts attract more, and engagers in a higher standing quartile favour accounts whose
    audience has a high standing. The kind follows the target's own like/share/reply ratios.
    """
    owner = items["owner"].to_numpy()
    engagers, chosen = [], []
    for platform in design.platforms:
        eligible = np.flatnonzero((accounts.platform[owner] == platform) & ~accounts.is_group("bot")[owner])
        members = np.flatnonzero((accounts.platform == platform) & (accounts.capacity > 0))
        if len(eligible) == 0 or len(members) == 0:
            continue
        actions = rng.poisson(accounts.capacity[members])
        quartiles = np.quantile(accounts.standing[members], [0.25, 0.5, 0.75])
        tier = np.searchsorted(quartiles, accounts.standing[members])
        popularity = (items["reach"].to_numpy()[eligible] + 0.05) ** design.popularity_exponent
        kappa = accounts.audience_standing[owner[eligible]]
        for level in range(4):
            in_tier = tier == level
            weight = popularity * kappa ** (design.standing_tilt * (level - 1.5))
            engagers.append(np.repeat(members[in_tier], actions[in_tier]))
            chosen.append(rng.choice(eligible, int(actions[in_tier].sum()), p=weight / weight.sum()))
    engager = np.concatenate(engagers).astype(np.int64) if engagers else np.zeros(0, dtype=np.int64)
    item = np.concatenate(chosen).astype(np.int64) if chosen else np.zeros(0, dtype=np.int64)
    target = owner[item]
    ratios = np.stack([accounts.like_ratio, accounts.share_ratio, accounts.reply_ratio])[:, target]
    cumulative = np.cumsum(ratios / ratios.sum(axis=0), axis=0)
    draw = rng.random(len(item))
    kind = np.where(draw < cumulative[0], "like", np.where(draw < cumulative[1], "share", "reply"))
    time = items["time"].to_numpy()[item] + _delay(len(item), 3.0, rng)
    keep = (engager != target) & (time <= np.minimum(end_s, accounts.stop[engager]))
    frame = _events(engager[keep], item[keep], target[keep], kind[keep], time[keep], ORGANIC)
    return frame.drop_duplicates(["engager", "item", "kind"], ignore_index=True)


def _ring_events(accounts: Accounts, items: pd.DataFrame, end_s: int, rng: np.random.Generator) -> pd.DataFrame:
    """Pod members like nearly every post of their ring-mates, and sometimes share or reply."""
    owner = items["owner"].to_numpy()
    frames = []
    for ring_id in np.unique(accounts.ring[accounts.ring >= 0]):
        members = np.flatnonzero(accounts.ring == ring_id)
        ring_items = np.flatnonzero(np.isin(owner, members))
        others = owner[ring_items][:, None] != members[None, :]
        rates = {"like": rng.uniform(0.85, 0.98), "share": rng.uniform(0.05, 0.2), "reply": rng.uniform(0.03, 0.15)}
        for kind, rate in rates.items():
            row, column = np.nonzero(others & (rng.random(others.shape) < rate))
            item = ring_items[row]
            time = items["time"].to_numpy()[item] + _delay(len(item), 0.7, rng)
            frames.append(_events(members[column], item, owner[item], kind, time, RING)[time <= end_s])
    return pd.concat(frames, ignore_index=True) if frames else _no_events()


def _bot_events(
    accounts: Accounts, items: pd.DataFrame, design: Design, end_s: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events, bought): bot likes/shares and the bought totals per bot-amplified post.

    Each bot-amplified post gets Poisson bought likes (shares a few % of them); a share of that
    (bot_delivery) comes from the gamer's farm of in-population bots, distinct bots per post, the
    rest from bots outside the population. Bots also like random genuine items (camouflage).
    """
    owner = items["owner"].to_numpy()
    times = items["time"].to_numpy()
    amplified = np.flatnonzero(accounts.is_group("bot-amplified")[owner])
    buyer = owner[amplified]
    likes = rng.poisson(accounts.bought_level[buyer] * rng.uniform(0.5, 1.5, len(amplified)))
    bought = pd.DataFrame(
        {"item": amplified, "likes": likes, "shares": rng.poisson(likes * accounts.bought_share_ratio[buyer])}
    )
    n = len(accounts)
    frames = []
    for platform in design.platforms:
        bots = rng.permutation(np.flatnonzero(accounts.is_group("bot") & (accounts.platform == platform)))
        if len(bots) == 0:
            continue
        farm_size = np.maximum(1, np.round(rng.uniform(0.3, 1.0, n) * len(bots))).astype(np.int64)
        farm_offset = rng.integers(0, len(bots), n)
        here = accounts.platform[buyer] == platform
        for kind in ("like", "share"):
            rows = np.flatnonzero(here)
            gamer = buyer[rows]
            delivered = np.minimum(
                rng.binomial(bought[f"{kind}s"].to_numpy()[rows], accounts.bot_delivery[gamer]), farm_size[gamer]
            )
            repeat = np.repeat(np.arange(len(rows)), delivered)
            within = np.arange(len(repeat)) - np.repeat(np.cumsum(delivered) - delivered, delivered)
            start = rng.integers(0, farm_size[gamer])[repeat]
            slot = (start + within) % farm_size[gamer][repeat]
            bot = bots[(farm_offset[gamer][repeat] + slot) % len(bots)]
            item = amplified[rows][repeat]
            time = times[item] + _delay(len(item), 1.0, rng)
            frames.append(_events(bot, item, owner[item], kind, time, BOUGHT)[time <= end_s])
        genuine = np.flatnonzero(
            accounts.is_group("genuine", "quiet", "celebrity")[owner] & (accounts.platform[owner] == platform)
        )
        if len(genuine):
            camouflage = rng.poisson(rng.uniform(50, 300, len(bots)) * design.span_days / WINDOW_DAYS)
            weight = (items["reach"].to_numpy()[genuine] + 1.0) ** 0.5
            item = rng.choice(genuine, int(camouflage.sum()), p=weight / weight.sum())
            time = times[item] + _delay(len(item), 6.0, rng)
            frames.append(
                _events(np.repeat(bots, camouflage), item, owner[item], "like", time, CAMOUFLAGE)[time <= end_s]
            )
    return (pd.concat(frames, ignore_index=True) if frames else _no_events()), bought


def _social_events(
    accounts: Accounts, items: pd.DataFrame, design: Design, end_s: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Follow rows (follow-back farms follow each other and others; bots follow audience gamers) and
    mentions in 15% of spam-volume posts."""
    span_start = end_s - design.span_days * DAY
    owner, times = items["owner"].to_numpy(), items["time"].to_numpy()
    frames = []
    for platform in design.platforms:
        on_platform = accounts.platform == platform
        people = np.flatnonzero(on_platform & ~accounts.is_group("bot"))
        farmers = np.flatnonzero(on_platform & accounts.is_group("follow-back"))
        bots = np.flatnonzero(on_platform & accounts.is_group("bot"))
        audience = np.flatnonzero(on_platform & accounts.is_group("follow-back", "bought-audience"))
        follower = np.repeat(farmers, rng.poisson(40.0, len(farmers)))
        among_farmers = rng.random(len(follower)) < 0.5
        followed = np.where(among_farmers, rng.choice(farmers, len(follower)), rng.choice(people, len(follower)))
        bot_row, gamer_column = np.nonzero(rng.random((len(bots), len(audience))) < 0.3)
        follower = np.concatenate([follower, bots[bot_row]])
        followed = np.concatenate([followed, audience[gamer_column]])
        time = span_start + (rng.random(len(follower)) * design.span_days * DAY).astype(np.int64)
        frames.append(_events(follower, -1, followed, "follow", time, SOCIAL))
        spam_posts = np.flatnonzero(accounts.is_group("spam-volume")[owner] & (accounts.platform[owner] == platform))
        mentioning = spam_posts[rng.random(len(spam_posts)) < 0.15]
        mentioned = rng.choice(people, len(mentioning))
        frames.append(_events(owner[mentioning], -1, mentioned, "mention", times[mentioning], SOCIAL))
    events = pd.concat(frames, ignore_index=True)
    return events[events["engager"] != events["target"]]


def _derived_items(
    events: pd.DataFrame, items: pd.DataFrame, accounts: Accounts, end_s: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Share and reply events are content of the engager too, reaching 30% (reply) / 50% (share) of a post."""
    made = events[events["kind"].isin(["share", "reply"])]
    engager = made["engager"].to_numpy()
    times = made["time"].to_numpy()
    factor = np.where(made["kind"].to_numpy() == "reply", 0.3, 0.5)
    parent = made["item"].to_numpy()
    reach = accounts.base_reach[engager] * factor * draw_appeal(engager, accounts, rng) * _maturity(times, end_s)
    columns = {
        "owner": engager,
        "time": times,
        "reach": reach,
        "kind": made["kind"].to_numpy(),
        "target": made["target"].to_numpy(),
        "parent": parent,
        "source": made["source"].to_numpy(),
    }
    columns |= {name: items[name].to_numpy()[parent] for name in ("topic1", "topic2", "topic3")}
    columns["template"] = rng.integers(0, len(REPLY_TEMPLATES), len(made))
    return pd.DataFrame(columns)


def _item_counts(
    items: pd.DataFrame, events: pd.DataFrame, bought: pd.DataFrame, accounts: Accounts, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Likes, shares, replies (outside draws + member events + bought totals), impressions, clicks."""
    owner = items["owner"].to_numpy()
    reach = items["reach"].to_numpy()
    size = len(items)
    member = events[(events["item"] >= 0) & (events["source"] != BOUGHT)]
    ratios = {"likes": accounts.like_ratio, "shares": accounts.share_ratio, "replies": accounts.reply_ratio}
    counts: dict[str, np.ndarray] = {}
    for (name, ratio), kind in zip(ratios.items(), ("like", "share", "reply")):
        hits = member.loc[member["kind"] == kind, "item"].to_numpy(dtype=np.int64)
        counts[name] = rng.poisson(reach * ratio[owner]) + np.bincount(hits, minlength=size)
        if name in bought:
            counts[name] += np.bincount(bought["item"], weights=bought[name], minlength=size).astype(np.int64)
    engagements = counts["likes"] + counts["shares"] + counts["replies"]
    seen = np.round(engagements / accounts.engagement_rate[owner] * rng.lognormal(0.0, 0.3, size)).astype(np.int64)
    counts["impressions"] = np.where(accounts.impressions_known[owner], seen + rng.poisson(2.0, size), 0)
    counts["clicks"] = rng.binomial(counts["impressions"], accounts.click_rate[owner])
    return counts


def _topics_and_text(items: pd.DataFrame, accounts: Accounts, design: Design) -> tuple[np.ndarray, np.ndarray]:
    """The topics cell and text of each content item; shares repeat the shared post's text."""
    names = np.array([*TOPICS, ""], dtype=object)
    first, second, third = (names[items[column].to_numpy()] for column in ("topic1", "topic2", "topic3"))
    joined = first + np.where(second != "", ";" + second, "") + np.where(third != "", ";" + third, "")
    tags = " #" + first + np.where(second != "", " #" + second, "") + np.where(third != "", " #" + third, "")
    template = items["template"].to_numpy()
    prefix, suffix = (np.array(part, dtype=object)[template % len(POST_TEMPLATES)] for part in zip(*POST_TEMPLATES))
    post_text = prefix + first + suffix
    target = np.maximum(items["target"].to_numpy(), 0)
    shown = (items["target"].to_numpy() >= 0) & ~accounts.counts_only[target]
    reply_text = np.array(REPLY_TEMPLATES, dtype=object)[template % len(REPLY_TEMPLATES)]
    reply_text = np.where(shown, "@" + accounts.handle[target] + " " + reply_text, reply_text)
    text = np.where(items["kind"].to_numpy() == "reply", reply_text, post_text[items["parent"].to_numpy()])
    if design.topic_style != "column":
        text = text + tags
    topics = joined if design.topic_style != "hashtags" else np.full(len(items), "", dtype=object)
    return topics, text


def _export(
    items: pd.DataFrame,
    events: pd.DataFrame,
    bought: pd.DataFrame,
    accounts: Accounts,
    design: Design,
    end_s: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The canonical rows: all content, a sample of like/mention/follow rows, audience snapshots.

    Interaction rows aimed at a counts-only account are absent; share/reply content aimed at one
    keeps its counts but loses its target. Rows are ordered by time.
    """
    counts = _item_counts(items, events, bought, accounts, rng)
    topics, text = _topics_and_text(items, accounts, design)
    owner = items["owner"].to_numpy()
    target = items["target"].to_numpy()
    target = np.where((target >= 0) & accounts.counts_only[np.maximum(target, 0)], -1, target)
    post_number = (np.arange(len(items), dtype=np.int64) * _ID_MULTIPLIER + rng.integers(0, 2**40)) % 2**40
    followers, following, known = audience_at(owner, items["time"].to_numpy(), accounts, design.span_days, end_s)
    with_audience = known & design.audience_on_content
    content = {
        "owner": owner,
        "time": items["time"].to_numpy(),
        "kind": items["kind"].to_numpy(),
        "target": target,
        "post_id": np.char.add("p", np.char.mod("%010x", post_number)).astype(object),
        "followers": pd.arrays.IntegerArray(followers, ~with_audience),
        "following": pd.arrays.IntegerArray(following, ~with_audience),
        "topics": topics,
        "text": text,
    }
    content |= {name: pd.array(counts[name], dtype="Int64") for name in COUNTS}

    logged = events[events["kind"].isin(["like", "mention", "follow"])]
    sampled = rng.random(len(logged)) < design.like_sample_rate
    logged = logged[sampled & ~accounts.counts_only[logged["target"].to_numpy()]]
    interactions = logged.rename(columns={"engager": "owner"})[["owner", "time", "kind", "target"]]
    profiles = pd.DataFrame(profile_rows(accounts, design.span_days, end_s, rng))
    merged = pd.concat([pd.DataFrame(content), interactions, profiles], ignore_index=True)
    merged = merged.sort_values(["time", "owner", "kind"], kind="stable", ignore_index=True)
    owner = merged["owner"].to_numpy()
    target = merged["target"].to_numpy()
    times = np.minimum(merged["time"].to_numpy(), end_s).astype("datetime64[s]")
    rows = pd.DataFrame(
        {
            "account": accounts.handle[owner],
            "timestamp": np.char.add(np.datetime_as_string(times, unit="s"), "Z").astype(object),
            "platform": accounts.platform[owner],
            "kind": merged["kind"].to_numpy(dtype=object),
            "post_id": merged["post_id"].fillna("").to_numpy(dtype=object),
            "target": np.where(target >= 0, accounts.handle[np.maximum(target, 0)], "").astype(object),
        }
    )
    for column in (*COUNTS, *AUDIENCE):
        rows[column] = pd.array(merged[column], dtype="Int64")
    for column in ("topics", "text"):
        rows[column] = merged[column].fillna("").to_numpy(dtype=object)
    return rows[list(NAMES)]


def _truth(items: pd.DataFrame, events: pd.DataFrame, accounts: Accounts, end_s: int) -> pd.DataFrame:
    """One row per (account, platform): influence as defined in the module docstring."""
    n = len(accounts)
    owner = items["owner"].to_numpy()
    in_window = items["time"].to_numpy() > end_s - WINDOW_DAYS * DAY
    bot = accounts.is_group("bot")
    organic = (items["source"].to_numpy() == ORGANIC) & ~bot[owner] & in_window
    engaged = events[(events["source"] == ORGANIC) & (events["item"] >= 0)].drop_duplicates(["engager", "item"])
    engager_standing = accounts.standing[engaged["engager"].to_numpy()]
    members_moved = np.bincount(
        engaged["item"].to_numpy(dtype=np.int64), weights=engager_standing, minlength=len(items)
    )
    moved = accounts.audience_standing[owner] * items["reach"].to_numpy() + members_moved
    total = np.bincount(owner[organic], weights=moved[organic], minlength=n)
    organic_items = np.bincount(owner[organic], minlength=n)
    influence = np.where((organic_items > 0) & ~bot, total / np.maximum(organic_items, 1), 0.0)
    truth = pd.DataFrame(
        {
            "account": accounts.handle,
            "platform": accounts.platform,
            "group": accounts.group,
            "gamer": accounts.is_group(*GAMER_GROUPS),
            "influence": influence.astype(float),
            "posts": np.bincount(owner[in_window], minlength=n).astype(np.int64),
        }
    )
    return truth.sort_values(["platform", "account"], ignore_index=True)


def draw_population(
    accounts: int = 3000, seed: int = 7, end: datetime = END
) -> tuple[np.random.Generator, Design, Accounts]:
    """The first step of `generate`: the seeded generator (advanced), the seed's design and its accounts."""
    rng = np.random.default_rng(seed)
    design = choose_design(seed, rng)
    return rng, design, make_accounts(accounts, design, int(end.timestamp()), rng)


def generate(accounts: int = 3000, seed: int = 7, end: datetime = END) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, truth) for `accounts` accounts; the same (accounts, seed, end) gives identical frames.

    rows: the canonical columns in schema order; counts and audience are Int64, text columns str
    ("" when empty). truth: account, platform, group, gamer, influence, posts.
    """
    rng, design, population = draw_population(accounts, seed, end)
    end_s = int(end.timestamp())
    items = _own_items(population, design, end_s, rng)
    bot_frame, bought = _bot_events(population, items, design, end_s, rng)
    events = pd.concat(
        [
            _organic_events(population, items, design, end_s, rng),
            _ring_events(population, items, end_s, rng),
            bot_frame,
            _social_events(population, items, design, end_s, rng),
        ],
        ignore_index=True,
    )
    items = pd.concat([items, _derived_items(events, items, population, end_s, rng)], ignore_index=True)
    rows = _export(items, events, bought, population, design, end_s, rng)
    return rows, _truth(items, events, population, end_s)


def write(accounts: int, seed: int, path: str | Path) -> Path:
    """Write the rows to `path` as CSV and the truth beside it as NAME.truth.csv; return the truth's path."""
    rows, truth = generate(accounts, seed)
    path = Path(path)
    rows.to_csv(path, index=False, lineterminator="\n")
    truth_path = path.with_name(f"{path.stem}.truth.csv")
    truth.to_csv(truth_path, index=False, lineterminator="\n")
    return truth_path
