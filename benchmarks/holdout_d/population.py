"""Hold-out population "D": an agent-based ATTENTION MARKET, with a ground truth of influence.

Generative assumptions (independent of any scorer; see README.md beside this file)
-----------------------------------------------------------------------------------
* Exported accounts live on one to four platforms whose NORMS differ (`NORMS`): the share of
  followers who see a post in a feed, how big the platform's ranking algorithm is and how
  superlinear its amplification loop, how moved people act (LinkedIn: many likes, few shares;
  Mastodon: no algorithm, chronological feeds, boosts; TikTok: reach mostly from the algorithm,
  followers matter little), how fast counts accrue, and who the audiences are.
* Every real person has a limited attention budget.  A follower sees a given post with a
  platform-specific probability that falls when the author posts k items that day (each gets
  k^-0.6 of the attention: posting more buys a little more total attention, never k times).
  A small pool of close "mutuals" (the exported community follow graph) sees and engages more.
* The ranking algorithm shows every new post to a test pool of strangers, then amplifies it in
  proportion to (early engagement)^gamma x (early engagement rate / norm)^rho x topic trend:
  recent high-engagement posts are over-promoted.  Early engagement includes everything the
  platform counts: real actions, backlash replies, pod engagement and bought likes/shares, so
  gaming buys real (but not earned) reach.  A share exposes the sharer's own audience once.
* Post quality is lognormal around an account's craft, which drifts (rising, declining, or a
  breakout step) over the data span; real followers grow with strangers moved and churn slowly,
  so follower counts lag true influence.  Some accounts are controversial: their posts draw
  backlash replies (2-8 per genuinely moved person), far above likes + shares.
* Gamers: pods (8-40 members, like nearly every post of each other, sometimes share/reply),
  bots (no audience; they like/share/follow for gamers and as camouflage), follow-back (a farm
  of follow-for-follow followers that barely looks), bought-audience (purchased followers in
  bursts, visible as jumps in profile snapshots), bot-amplified (bought likes/shares, sometimes
  with bought impressions so the like rate looks plausible), spam-volume (dozens of posts a day).
* Exports differ per seed and per platform: interaction rows full / partial (no likes or
  follows) / counts-only (no like, mention or follow rows; replies and shares keep no target);
  impressions and clicks may be missing; audience (followers/following) on every row, only in
  profile snapshots, only one latest snapshot, or nowhere.  Shares of others' content are
  content rows with counts 0 (some seeds give quote shares small counts of their own).

True influence (the `influence` column of the truth)
----------------------------------------------------
For an account a on platform P, let Posts(a) be its ORIGINAL posts (kind post; not replies, not
shares) made in the last 90 days before `end`.  For a post p, M(p) is the expected number of
distinct REAL people genuinely moved by p over its lifetime (liked, shared, replied in praise or
clicked; backlash repliers are not moved) in the counterfactual world where a's bought and
exchanged engagement does not exist: no pod engagement, no bought likes/shares/impressions (so
no algorithmic reach they would have triggered), no bought or follow-back-farm followers, and a
follower history that only grew from that counterfactual reach.  Each moved person u counts
with weight w(u) = 1 + log10(1 + real followers of u) / 2 (exact for exported people, the mean
of the audience segment for the unexported rest: a's own followers, algorithmic strangers,
friends of sharers).  Then

    influence(a) = mean over p in Posts(a) of sum_{u moved by p} w(u),     and 0 if Posts(a) = {}.

It is the per-post standing-weighted reach of genuine effect: not volume (a mean over posts),
not follower count (followers who don't look move nobody).  `posts` is the number of content
items (post, reply, share) of a in the export in the same 90 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

END = datetime(2024, 9, 30, 21, 0, tzinfo=timezone.utc)
WINDOW_DAYS = 90
COLUMNS = (
    "account",
    "timestamp",
    "platform",
    "kind",
    "post_id",
    "target",
    "likes",
    "shares",
    "replies",
    "impressions",
    "clicks",
    "followers",
    "following",
    "topics",
    "text",
)
COUNT_COLUMNS = ("likes", "shares", "replies", "impressions", "clicks", "followers", "following")
GROUPS = (
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
GEN, QUI, CEL, BOT, FB, BA, AMP, POD, SPAM = range(len(GROUPS))
GAMER_GROUPS = (BOT, FB, BA, AMP, POD, SPAM)
BASE_MIX = np.array([0.67, 0.07, 0.015, 0.06, 0.03, 0.03, 0.03, 0.05, 0.015])
KINDS = ("post", "reply", "share", "like", "mention", "follow", "profile")
K_POST, K_REPLY, K_SHARE, K_LIKE, K_MENTION, K_FOLLOW, K_PROFILE = range(len(KINDS))


@dataclass(frozen=True)
class Norms:
    """How attention and engagement work on one platform."""

    view: float  # probability an ordinary follower sees a post (one post that day)
    test: float  # strangers the ranking algorithm shows every new post to
    gain: float  # algorithmic impressions per unit of ranking score (0: no algorithm)
    gamma: float  # superlinearity of the amplification loop in early engagement
    rho: float  # weight of the early engagement RATE in the ranking score
    move: float  # probability a follower who sees a post of quality 1 is moved
    stranger: float  # a stranger is moved this much less than a follower
    like: float  # actions per moved person
    share: float
    reply: float
    click: float
    tau: float  # days for counts to accrue (1 - exp(-age / tau))
    hop: float  # people who see a post through one share
    follow: float  # fraction of moved strangers who follow
    s_follow: float  # mean log10(1 + followers) of an account's ordinary (unexported) followers
    s_algo: float  # the same for strangers reached by the algorithm
    cap: float  # most algorithmic impressions a post can get
    weekend: float  # posting on weekends relative to weekdays
    peak: float  # local hour of peak posting
    topics: str  # twelve topic names, space-separated


NORMS: dict[str, Norms] = {
    # mixed feed: followers plus a strong 'for you' algorithm; retweets common
    "twitter": Norms(
        view=0.12,
        test=25,
        gain=5.0,
        gamma=1.25,
        rho=0.8,
        move=0.05,
        stranger=0.35,
        like=0.85,
        share=0.18,
        reply=0.08,
        click=0.15,
        tau=0.4,
        hop=25,
        follow=0.03,
        s_follow=1.3,
        s_algo=0.8,
        cap=3e6,
        weekend=1.05,
        peak=13,
        topics="ai politics football crypto climate gaming music science startups movies health books",
    ),
    # many likes, few shares, slow accrual, professional audiences, weekday posting
    "linkedin": Norms(
        view=0.10,
        test=15,
        gain=3.5,
        gamma=1.15,
        rho=0.6,
        move=0.07,
        stranger=0.40,
        like=0.92,
        share=0.03,
        reply=0.12,
        click=0.22,
        tau=1.5,
        hop=40,
        follow=0.04,
        s_follow=1.6,
        s_algo=1.2,
        cap=8e5,
        weekend=0.35,
        peak=9,
        topics="leadership hiring ai sales marketing careers fintech sustainability productivity startups data hr",
    ),
    # no algorithm: chronological feeds, boosts carry reach, no impressions in exports
    "mastodon": Norms(
        view=0.30,
        test=4,
        gain=0.0,
        gamma=0.0,
        rho=0.0,
        move=0.05,
        stranger=0.50,
        like=0.70,
        share=0.35,
        reply=0.10,
        click=0.05,
        tau=0.7,
        hop=30,
        follow=0.05,
        s_follow=1.2,
        s_algo=1.0,
        cap=1e5,
        weekend=1.0,
        peak=15,
        topics="opensource linux rust privacy fediverse science photography cycling books climate python art",
    ),
    # reach mostly from the algorithm (big test pool, rate-driven); followers matter little
    "tiktok": Norms(
        view=0.03,
        test=250,
        gain=2.0,
        gamma=1.35,
        rho=2.0,
        move=0.04,
        stranger=0.80,
        like=0.95,
        share=0.06,
        reply=0.04,
        click=0.0,
        tau=2.5,
        hop=15,
        follow=0.01,
        s_follow=0.6,
        s_algo=0.4,
        cap=2e7,
        weekend=1.15,
        peak=19,
        topics="dance comedy food fitness beauty pets diy fashion travel gaming music booktok",
    ),
}
PLATFORMS = tuple(NORMS)
ID_PREFIX = {"twitter": "", "linkedin": "urn:li:activity:", "mastodon": "", "tiktok": ""}


def _vocab(words: str) -> np.ndarray:
    return np.array(words.split())


_SYL = _vocab(
    "ka lo mi ra ne to sa vi du be la ri mo na ze ta po li ju ha ce fi go ku ma no pe ro si te va ya zo el an "
    "or is ul ar en in on us"
)
_WORDS = _vocab(
    "sunny river maker pixel north quiet coffee wild urban studio paper lunar metro cedar amber field "
    "signal harbor maple orbit velvet copper meadow atlas ember frost willow canyon echo nova"
)
_OPEN = np.array(
    [
        "Thoughts on",
        "New post:",
        "Honestly,",
        "Quick take on",
        "Reading about",
        "Just shipped",
        "A thread on",
        "Why I changed my mind on",
        "Lessons from",
        "Hot take:",
        "Photo dump:",
        "Can we talk about",
    ]
)
_REPLY = np.array(["Great point", "Agree", "So true", "Not sure about this", "Thanks for sharing", "Love it", "+1"])
_BACKLASH = np.array(["This is wrong", "Ratio", "Absolutely not", "Delete this", "Terrible take", "Source?"])
_SPAM = np.array(["Free followers", "Giveaway now", "Click the link", "Crypto signals", "DM for promo", "Win big"])


# --------------------------------------------------------------------------- design & accounts
def _design(rng: np.random.Generator) -> dict:
    """Per-seed design choices: platform mix, group mix, export completeness, intensities."""
    k = int(rng.choice([1, 2, 3, 4], p=[0.25, 0.35, 0.28, 0.12]))
    plats = np.sort(rng.choice(len(PLATFORMS), size=k, replace=False, p=[0.35, 0.25, 0.2, 0.2]))
    share = 0.12 + (1 - 0.12 * k) * rng.dirichlet(np.full(k, 2.5))
    mix = rng.dirichlet(BASE_MIX * 400)
    modes = {}
    for i, p in enumerate(plats):
        name = PLATFORMS[p]
        inter = rng.choice(["full", "partial", "counts"], p=[0.5, 0.25, 0.25] if k > 1 else [0.6, 0.25, 0.15])
        imp_p = {"twitter": 0.6, "linkedin": 0.8, "mastodon": 0.0, "tiktok": 1.0}[name]
        clk_p = {"twitter": 0.4, "linkedin": 0.7, "mastodon": 0.0, "tiktok": 0.0}[name]
        modes[int(p)] = {
            "share": float(share[i]),
            "interactions": str(inter),
            "impressions": bool(rng.random() < imp_p),
            "clicks": bool(rng.random() < clk_p),
            "audience": str(rng.choice(["rows", "profile", "latest", "none"], p=[0.4, 0.3, 0.2, 0.1])),
            "algo": float(np.exp(rng.normal(0, 0.25))),
            "topics": float(rng.uniform(0.3, 1.0)),
        }
    return {
        "platforms": [int(p) for p in plats],
        "modes": modes,
        "mix": mix,
        "span": int(rng.integers(100, 131)),
        "controversy": float(rng.uniform(0.03, 0.15)),
        "quote_counts": bool(rng.random() < 0.3),
        "bot_visibility": float(rng.uniform(0.004, 0.02)),
        "external_targets": float(rng.uniform(0.0, 0.25)),
    }


def _handles(rng: np.random.Generator, n: int) -> np.ndarray:
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        m = 2 * (n - got) + 64
        a, b = rng.choice(_SYL, m), rng.choice(_SYL, m)
        w = rng.choice(_WORDS, m)
        num = rng.integers(0, 10000, m).astype(str)
        style = rng.integers(0, 4, m)
        h = np.where(
            style == 0,
            np.char.add(np.char.add(a, b), num),
            np.where(
                style == 1,
                np.char.add(np.char.add(np.char.add(a, b), "_"), w),
                np.where(style == 2, np.char.add(w, np.char.add(a, b)), np.char.add(np.char.add(w, "."), a)),
            ),
        )
        out.append(h.astype(object))
        got = len(pd.unique(np.concatenate(out)))
    return pd.unique(np.concatenate(out))[:n]


def _accounts(rng: np.random.Generator, n: int, dz: dict) -> dict:
    D = dz["span"]
    plats = np.array(dz["platforms"])
    pshare = np.array([dz["modes"][p]["share"] for p in plats])
    plat = plats[rng.choice(len(plats), size=n, p=pshare / pshare.sum())]
    group = rng.choice(len(GROUPS), size=n, p=dz["mix"])

    # pods: groups of 8-40 members on one platform; leftovers become genuine
    pod = np.full(n, -1)
    pod_size: list[int] = []
    for p in plats:
        members = np.flatnonzero((group == POD) & (plat == p))
        pos = 0
        while len(members) - pos >= 8:
            size = int(8 + np.floor(33 * rng.beta(1.1, 2.2)))
            size = min(size, len(members) - pos)
            if len(members) - pos - size < 8 and len(members) - pos <= 40:
                size = len(members) - pos
            pod[members[pos : pos + size]] = len(pod_size)
            pod_size.append(size)
            pos += size
        group[members[pos:]] = GEN

    handle = _handles(rng, n + 400)
    external = handle[n:]
    handle = handle[:n].copy()
    # the same person on two platforms keeps its handle
    if len(plats) > 1:
        human = np.flatnonzero(np.isin(group, (GEN, CEL, QUI)))
        pick = human[rng.random(len(human)) < 0.07]
        src = rng.choice(human, size=len(pick))
        ok = plat[src] != plat[pick]
        handle[pick[ok]] = handle[src[ok]]
        dup = pd.DataFrame({"h": handle, "p": plat}).duplicated(keep="first").to_numpy()
        fresh = _handles(rng, n + 400 + int(dup.sum()) * 3)
        fresh = fresh[~np.isin(fresh, handle) & ~np.isin(fresh, external)]
        handle[dup] = fresh[: int(dup.sum())]

    g = group
    logf = rng.normal(2.2, 0.75, n)
    logf = np.where(g == CEL, rng.uniform(5.2, 7.2, n), logf)
    logf = np.where(g == BOT, rng.uniform(0.0, 1.2, n), logf)
    logf = np.where(np.isin(g, (FB, BA)), rng.normal(1.8, 0.5, n), logf)
    logf = np.where(g == AMP, rng.normal(2.0, 0.6, n), logf)
    logf = np.where(g == POD, rng.normal(2.3, 0.6, n), logf)
    logf = np.where(g == SPAM, rng.normal(1.5, 0.6, n), logf)
    shift = np.array([{"twitter": 0.0, "linkedin": 0.1, "mastodon": -0.4, "tiktok": 0.3}[q] for q in PLATFORMS])
    logf = np.clip(logf + np.where(g == BOT, 0, shift[plat]), 0, 7.5)
    f0 = np.floor(10**logf)

    craft = rng.normal(0, 0.6, n) + 0.25 * (logf - 2.2)
    craft = np.where(g == CEL, rng.normal(0.4, 0.4, n), craft)
    craft = np.where(np.isin(g, (FB, BA, AMP, POD)), rng.normal(-0.35, 0.5, n), craft)
    craft = np.where(g == SPAM, rng.normal(-1.8, 0.4, n), craft)
    craft = np.where(g == BOT, -4.0, craft)
    # non-stationary influence: stable, rising, declining, breakout
    traj = rng.choice(4, size=n, p=[0.55, 0.2, 0.18, 0.07])
    slope = np.select(
        [traj == 1, traj == 2],
        [rng.uniform(0.4, 1.2, n) / D, -rng.uniform(0.4, 1.2, n) / D],
        rng.normal(0, 0.2 / D, n),
    )
    step = np.where(traj == 3, rng.uniform(0.5, 1.3, n), 0.0)
    step_day = rng.uniform(0.3, 0.95, n) * D

    theta = rng.normal(0, 0.7, n) + 0.15 * (logf - 2.2)
    theta = np.where(g == CEL, rng.normal(0.8, 0.5, n), theta)
    theta = np.where(np.isin(g, GAMER_GROUPS), rng.normal(-0.4, 0.5, n), theta)

    # posting: rate per day, occasional posters, quiet stop day, spam/pod start day
    rate = np.exp(rng.normal(np.log(0.45), 0.9, n)).clip(0.03, 6)
    occasional = np.isin(g, (GEN,)) & (rng.random(n) < 0.45)
    rate = np.where(g == FB, np.exp(rng.normal(np.log(0.5), 0.6, n)), rate)
    rate = np.where(g == BA, np.exp(rng.normal(np.log(0.35), 0.6, n)), rate)
    rate = np.where(g == AMP, np.exp(rng.normal(np.log(0.5), 0.6, n)), rate)
    rate = np.where(g == POD, rng.uniform(0.15, 0.6, n), rate)
    rate = np.where(g == SPAM, rng.uniform(10, 36, n), rate)
    rate = np.where(np.isin(g, (BOT, CEL)) | occasional, 0.0, rate)
    stop = np.where(g == QUI, D - rng.uniform(21, 100, n), np.inf)
    start = np.where(g == SPAM, rng.uniform(0.3, 0.85, n) * D, 0.0)
    tz = rng.choice(
        [-8, -5, -3, 0, 1, 2, 3, 5.5, 8, 9], size=n, p=[0.12, 0.2, 0.05, 0.12, 0.18, 0.08, 0.05, 0.1, 0.05, 0.05]
    )
    topics = rng.integers(0, 12, (n, 3))
    ntop = rng.integers(1, 4, n)
    act = np.exp(rng.normal(0, 0.8, n))
    act = np.select(
        [g == CEL, g == SPAM, g == BOT, np.isin(g, (FB, BA)), g == AMP, g == POD],
        [0.05, 0.02, 0.0, 0.3, 0.5, 0.6],
        act,
    )
    kappa = np.where(rng.random(n) < dz["controversy"], rng.uniform(0.2, 0.7, n), 0.01)
    kappa = np.where(np.isin(g, (BOT, SPAM)), 0.0, kappa)

    following = np.floor(10 ** rng.normal(2.4, 0.4, n))
    following = np.where(g == CEL, np.floor(10 ** rng.uniform(1.5, 3.2, n)), following)
    following = np.where(g == BOT, np.floor(10 ** rng.uniform(2.3, 3.5, n)), following)
    following = np.where(g == SPAM, np.floor(10 ** rng.uniform(2.5, 3.7, n)), following)
    following = np.where(g == BA, np.floor(10 ** rng.uniform(1.8, 2.8, n)), following)

    # bought followers (in bursts) and follow-back farm followers, per day
    days = np.arange(D)
    fake = np.zeros((n, D))
    ba = np.flatnonzero(g == BA)
    if len(ba):
        npur = rng.integers(1, 5, len(ba))
        owner = np.repeat(ba, npur)
        local = np.repeat(np.arange(len(ba)), npur)
        total = 10 ** rng.uniform(3.7, 5.8, len(ba))
        part = rng.exponential(1.0, len(owner))
        amount = total[local] * part / np.bincount(local, part)[local]
        pday = rng.integers(-60, D, len(owner))
        inc = np.zeros((n, D))
        np.add.at(inc, (owner, np.clip(pday, 0, D - 1)), amount)
        fake = np.cumsum(inc, axis=1) * (0.9985**days)[None, :]
    else:
        owner = pday = amount = np.zeros(0, int)
    farm = np.zeros((n, D))
    fb = np.flatnonzero(g == FB)
    if len(fb):
        farm0 = 10 ** rng.uniform(3.3, 4.8, len(fb))
        growth = rng.uniform(0.0, 0.8, len(fb))
        farm[fb] = farm0[:, None] * (1 + growth[:, None] * days[None, :] / D)
    amp = g == AMP
    buy = {
        "frac": np.where(amp, rng.uniform(0.5, 1.0, n), 0.0),
        "likes": np.where(amp, 10 ** rng.uniform(1.7, 3.4, n), 0.0),
        "shares": rng.uniform(0.05, 0.3, n),
        "plausible": amp & (rng.random(n) < 0.5),
    }
    pods = {
        "size": np.array(pod_size, int),
        "like": rng.uniform(0.8, 0.98, len(pod_size)),
        "share": rng.uniform(0.02, 0.12, len(pod_size)),
        "reply": rng.uniform(0.03, 0.2, len(pod_size)),
        "start": rng.uniform(0, 0.4, len(pod_size)) * D,
    }
    return {
        "n": n,
        "handle": handle,
        "external": external,
        "plat": plat,
        "group": g,
        "f0": f0,
        "craft": craft,
        "slope": slope,
        "step": step,
        "step_day": step_day,
        "theta": theta,
        "rate": rate,
        "occasional": occasional,
        "stop": stop,
        "start": start,
        "tz": tz,
        "topics": topics,
        "ntop": ntop,
        "act": act,
        "kappa": kappa,
        "following": following,
        "fake": fake,
        "farm": farm,
        "purchases": (owner, pday, amount),
        "buy": buy,
        "pod": pod,
        "pods": pods,
        "weight": 1 + np.log10(1 + f0) / 2,
    }


# --------------------------------------------------------------------------- schedule & graph
def _schedule(rng: np.random.Generator, ac: dict, dz: dict, end: datetime) -> dict:
    n, D = ac["n"], dz["span"]
    g, plat = ac["group"], ac["plat"]
    days = np.arange(D)
    wd = (pd.Timestamp(end).normalize() - pd.to_timedelta(D - days, unit="D")).weekday.to_numpy()
    weekend = np.array([NORMS[p].weekend for p in PLATFORMS])[plat]
    dow = np.where(wd[None, :] >= 5, weekend[:, None], 1.0)
    active = (days[None, :] < ac["stop"][:, None]) & (days[None, :] >= np.floor(ac["start"])[:, None])
    podstart = np.zeros(n)
    inpod = ac["pod"] >= 0
    podstart[inpod] = ac["pods"]["start"][ac["pod"][inpod]]
    active &= days[None, :] >= np.floor(podstart)[:, None]
    counts = rng.poisson(ac["rate"][:, None] * dow * active)
    # occasional people: 1-5 posts over the span; celebrities: 1-7 in the window, a few before
    occ = np.flatnonzero(ac["occasional"])
    k = rng.integers(1, 6, len(occ))
    np.add.at(counts, (np.repeat(occ, k), rng.integers(0, D, k.sum())), 1)
    cel = np.flatnonzero(g == CEL)
    k = rng.integers(1, 8, len(cel))
    np.add.at(counts, (np.repeat(cel, k), rng.integers(D - WINDOW_DAYS, D, k.sum())), 1)
    k = rng.poisson(0.8 * (D - WINDOW_DAYS) / 30, len(cel))
    np.add.at(counts, (np.repeat(cel, k), rng.integers(0, D - WINDOW_DAYS, k.sum())), 1)
    counts[ac["group"] == BOT] = 0
    counts *= active | (g == CEL)[:, None]

    rows, cols = np.nonzero(counts)
    reps = counts[rows, cols]
    a = np.repeat(rows, reps)
    d = np.repeat(cols, reps)
    machine = np.isin(g[a], (SPAM,))
    peak = np.array([NORMS[p].peak for p in PLATFORMS])[plat[a]]
    hour = np.where(machine, rng.uniform(0, 24, len(a)), (rng.normal(peak, 3.5) - ac["tz"][a]) % 24)
    t = d + hour / 24
    order = np.lexsort((t, d))
    a, d, t = a[order], d[order], t[order]
    kday = counts[a, d]
    # post quality: craft + trajectory + noise; controversy; topic and its trend that day
    mu = ac["craft"][a] + ac["slope"][a] * (d - D / 2) + ac["step"][a] * (d >= ac["step_day"][a])
    q = np.exp(mu + rng.normal(0, 0.75, len(a)))
    contro = rng.random(len(a)) < ac["kappa"][a]
    backlash = np.where(contro, rng.uniform(2, 8, len(a)), 0.0)
    slot = (rng.random(len(a)) * ac["ntop"][a]).astype(int)
    topic = ac["topics"][a, slot]
    trend_tab = np.exp(rng.normal(0, 0.35, (len(PLATFORMS), 12, D)))
    trend_tab *= np.where(rng.random(trend_tab.shape) < 0.03, rng.uniform(2, 5, trend_tab.shape), 1.0)
    trend = trend_tab[plat[a], topic, d]
    return {
        "a": a,
        "d": d,
        "t": t,
        "k": kday,
        "q": q,
        "contro": contro,
        "backlash": backlash,
        "topic": topic,
        "trend": trend,
    }


def _community(rng: np.random.Generator, ac: dict) -> dict:
    """Exported follow graph: each account's close followers ("mutuals"), chosen by tier of standing.

    An account with a high `theta` draws followers of higher standing (its audience quality)."""
    n, plat, g = ac["n"], ac["plat"], ac["group"]
    logf = np.log10(1 + ac["f0"])
    followee: list[np.ndarray] = []
    follower: list[np.ndarray] = []
    for p in np.unique(plat):
        mem = np.flatnonzero((plat == p) & (g != BOT))
        if len(mem) < 3:
            continue
        kap = 0.8 if PLATFORMS[p] == "tiktok" else 2.0
        kc = np.clip(
            np.round(kap * ac["f0"][mem] ** 0.45 * np.exp(rng.normal(0, 0.4, len(mem)))), 1, max(1, len(mem) // 2)
        )
        edges = np.quantile(logf[mem], [0.25, 0.5, 0.75])
        tier = np.searchsorted(edges, logf[mem])
        act = ac["act"][mem]
        mass = np.array([act[tier == t].sum() for t in range(4)]) + 1e-9
        logits = ac["theta"][mem][:, None] * (np.arange(4)[None, :] - 1.5) * 0.9
        pv = mass[None, :] * np.exp(logits)
        pv /= pv.sum(axis=1, keepdims=True)
        draws = rng.multinomial(kc.astype(np.int64), pv)
        for t in range(4):
            cand = mem[tier == t]
            if len(cand) == 0 or draws[:, t].sum() == 0:
                continue
            cw = np.cumsum(ac["act"][cand])
            who = np.repeat(mem, draws[:, t])
            pick = np.searchsorted(cw, rng.random(len(who)) * cw[-1], side="right").clip(0, len(cand) - 1)
            followee.append(who)
            follower.append(cand[pick])
    fe = np.concatenate(followee) if followee else np.zeros(0, int)
    fr = np.concatenate(follower) if follower else np.zeros(0, int)
    key = np.unique(fe[fe != fr].astype(np.int64) * n + fr[fe != fr])
    fe, fr = key // n, key % n
    length = np.bincount(fe, minlength=n)
    start = np.concatenate([[0], np.cumsum(length)[:-1]])
    wsum = np.bincount(fe, ac["weight"][fr], minlength=n)
    wbar = np.where(length > 0, wsum / np.maximum(length, 1), 1.0)
    return {"followee": fe, "follower": fr, "len": length, "start": start, "wbar": wbar}


def _seg_sample(rng: np.random.Generator, owner: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    return start[owner] + np.floor(rng.random(len(owner)) * length[owner]).astype(np.int64)


# --------------------------------------------------------------------------- the attention market
def _pods_engage(rng: np.random.Generator, ac: dict, po: dict, D: int) -> dict:
    """Pod members' likes/shares/replies on each other's posts (realized, fast, early)."""
    a = po["a"]
    podof = ac["pod"][a]
    ix = np.flatnonzero(podof >= 0)
    members = np.argsort(ac["pod"], kind="stable")
    members = members[ac["pod"][members] >= 0]
    size = ac["pods"]["size"]
    pstart = np.concatenate([[0], np.cumsum(size)[:-1]]) if len(size) else np.zeros(0, int)
    reps = size[podof[ix]] if len(ix) else np.zeros(0, int)
    post = np.repeat(ix, reps)
    off = np.arange(len(post)) - np.repeat(np.cumsum(reps) - reps, reps)
    who = members[pstart[podof[post]] + off] if len(post) else np.zeros(0, int)
    keep = who != a[post]
    post, who = post[keep], who[keep]
    pid = podof[post]
    lag = rng.exponential(0.06, len(post))
    when = po["t"][post] + lag
    ok = when <= D
    out = {}
    for kind, prob in (("like", "like"), ("share", "share"), ("reply", "reply")):
        hit = ok & (rng.random(len(post)) < ac["pods"][prob][pid])
        out[kind] = (post[hit], who[hit], when[hit])
    return out


def _gain(n: int, x: np.ndarray, new: np.ndarray, F: np.ndarray) -> np.ndarray:
    """New followers from strangers moved today, saturating (a profile visit is needed to follow)."""
    new = np.bincount(x, new, minlength=n)
    return new / (1 + new / (0.2 * F + 500))


def _simulate(rng: np.random.Generator, ac: dict, po: dict, cm: dict, dz: dict) -> dict:
    D, n = dz["span"], ac["n"]
    a, plat = po["a"], ac["plat"]
    pp = plat[a]
    nz = {f: np.array([getattr(NORMS[p], f) for p in PLATFORMS]) for f in Norms.__dataclass_fields__ if f != "topics"}
    algo = np.ones(len(PLATFORMS))
    for p, m in dz["modes"].items():
        algo[p] = m["algo"]
    apm = nz["like"] + nz["share"] + nz["reply"]
    r0 = nz["move"] * apm * 0.6
    eps = 0.35

    pod = _pods_engage(rng, ac, po, D)
    pod_early = sum(np.bincount(v[0], minlength=len(a)) for v in pod.values()).astype(float)
    buy = ac["buy"]
    bought = rng.random(len(a)) < buy["frac"][a]
    b_likes = np.where(bought, rng.poisson(buy["likes"][a] * np.exp(rng.normal(0, 0.3, len(a)))), 0)
    b_shares = rng.binomial(b_likes, buy["shares"][a])
    b_imps = np.where(buy["plausible"][a], b_likes * rng.uniform(12, 40, len(a)), 0.0)

    F = ac["f0"].astype(float).copy()
    Fc = F.copy()
    hist = np.zeros((n, D))
    keys = ("IF", "IT", "IA", "IS", "Ifarm", "MF", "MT", "MA", "MS", "Mfarm", "B", "W", "pm", "vm", "Fr")
    out = {k: np.zeros(len(a)) for k in keys}
    bounds = np.searchsorted(po["d"], np.arange(D + 1))
    churn = np.where(ac["slope"] < -0.2 / D, 0.002, 0.0006)
    for d in range(D):
        hist[:, d] = F
        sl = slice(bounds[d], bounds[d + 1])
        x = a[sl]
        if len(x):
            P = pp[sl]
            q, tr, bl = po["q"][sl], po["trend"][sl], po["backlash"][sl]
            crowd = po["k"][sl] ** -0.6
            vF = nz["view"][P] * crowd
            eF = 0.3 * -np.expm1(-nz["move"][P] * q / 0.3)  # saturating: at most 30% of viewers
            vm = np.minimum(1.0, 3 * nz["view"][P] * np.sqrt(crowd))
            pm = vm * np.minimum(0.9, 2.5 * eF)
            pf = vF * eF
            kc = cm["len"][x]
            farm = ac["farm"][x, d]
            eA = nz["stranger"][P] * eF
            IT = nz["test"][P] * tr
            MT = IT * eA
            Ifarm = farm * vF * 0.15
            Mfarm = Ifarm * eF * 0.3
            res = {}
            for tag, Fx, gamed in (("o", F[x], True), ("c", Fc[x], False)):
                MF = kc * pm + np.maximum(Fx - kc, 0) * pf
                IF = kc * vm + np.maximum(Fx - kc, 0) * vF
                E0 = eps * (MF + MT) * (apm[P] + bl)
                I0 = eps * (IF + IT)
                if gamed:
                    E0 = E0 + eps * Mfarm * apm[P] + pod_early[sl] + b_likes[sl] + b_shares[sl]
                    I0 = I0 + eps * Ifarm + b_imps[sl]
                ratef = np.clip((E0 / (I0 + 10) / r0[P]) ** nz["rho"][P], 0.05, 10)
                IA = nz["gain"][P] * algo[P] * E0 ** nz["gamma"][P] * ratef * tr
                IA = IA / (1 + IA / nz["cap"][P])  # the algorithm's budget for one post
                MA = IA * eA / (1 + IA / 2e5) ** 0.3  # far-out strangers care less
                IS = np.minimum((MF + MT + MA) * nz["share"][P] * nz["hop"][P], 0.5 * (IF + IT + IA))
                MS = IS * eA * 0.8
                res[tag] = (MF, IF, IA, MA, IS, MS)
            MF, IF, IA, MA, IS, MS = res["o"]
            for k, v in zip(keys[:11], (IF, IT, IA, IS, Ifarm, MF, MT, MA, MS, Mfarm, bl * (MF + MT + MA + MS))):
                out[k][sl] = v
            out["pm"][sl], out["vm"][sl], out["Fr"][sl] = pm, vm, F[x]
            cMF, _, _, cMA, _, cMS = res["c"]
            wext = 1 + np.clip(nz["s_follow"][P] + 0.5 * ac["theta"][x], 0, 5) / 2
            mut = np.minimum(kc, Fc[x])
            out["W"][sl] = (
                mut * pm * cm["wbar"][x]
                + (cMF - mut * pm).clip(0) * wext
                + (MT + cMA) * (1 + nz["s_algo"][P] / 2)
                + cMS * (1 + nz["s_follow"][P] / 2)
            )
            F += _gain(n, x, nz["follow"][P] * (MT + MA + MS), F)
            Fc += _gain(n, x, nz["follow"][P] * (MT + cMA + cMS), Fc)
        F *= 1 - churn
        Fc *= 1 - churn
    out.update({"hist": hist, "pod": pod, "b_likes": b_likes, "b_shares": b_shares, "b_imps": b_imps})
    return out


# --------------------------------------------------------------------------- rows
def _frame(parts: list[dict]) -> dict:
    cols: dict[str, list] = {}
    for part in parts:
        m = len(part["acc"])
        for key in (
            "acc",
            "t",
            "kind",
            "target",
            "likes",
            "shares",
            "replies",
            "impressions",
            "clicks",
            "text",
            "topics",
        ):
            if key in part:
                v = part[key]
            elif key in ("likes", "shares", "replies", "impressions", "clicks", "target"):
                v = np.full(m, -1, np.int64)
            else:
                v = np.full(m, "", dtype=object)
            cols.setdefault(key, []).append(np.broadcast_to(v, (m,)) if np.ndim(v) == 0 else v)
    return {k: np.concatenate(v) for k, v in cols.items()}


def _texts(rng: np.random.Generator, m: int, tags: np.ndarray) -> np.ndarray:
    base = np.char.add(np.char.add(rng.choice(_OPEN, m), " "), rng.choice(_WORDS, m))
    hashed = np.char.add(np.char.add(base, " #"), tags.astype(str))
    return np.where(rng.random(m) < 0.5, hashed, base).astype(object) if m else np.zeros(0, object)


def _rows(rng: np.random.Generator, ac: dict, po: dict, cm: dict, sim: dict, dz: dict, end: datetime):
    D, n = dz["span"], ac["n"]
    a, plat, g = po["a"], ac["plat"], ac["group"]
    pp = plat[a]
    nz = {f: np.array([getattr(NORMS[p], f) for p in PLATFORMS]) for f in ("like", "share", "reply", "click", "tau")}
    topic_names = np.array([NORMS[p].topics.split() for p in PLATFORMS])
    age = D - po["t"]
    acc = 1 - np.exp(-age / nz["tau"][pp])
    acc_fast = 1 - np.exp(-age / 0.1)
    parts: list[dict] = []
    alive_until = np.where(np.isfinite(ac["stop"]), ac["stop"], np.inf)

    # ---- community engagement (exported mutuals), realized
    nmov = rng.binomial(cm["len"][a], np.clip(sim["pm"], 0, 1))
    post = np.repeat(np.arange(len(a)), nmov)
    edge = _seg_sample(rng, a[post], cm["start"], cm["len"])
    who = cm["follower"][edge]
    key = np.unique(post.astype(np.int64) * n + who)
    post, who = key // n, key % n
    when = po["t"][post] + rng.exponential(nz["tau"][pp[post]])
    ok = (when <= D) & (when < alive_until[who])
    post, who, when = post[ok], who[ok], when[ok]
    m = len(post)
    like = rng.random(m) < nz["like"][pp[post]]
    share = rng.random(m) < np.minimum(0.9, 1.5 * nz["share"][pp[post]])
    reply = rng.random(m) < np.minimum(0.9, 2.0 * nz["reply"][pp[post]])
    comm = {
        "like": (post[like], who[like], when[like]),
        "share": (post[share], who[share], when[share]),
        "reply": (post[reply], who[reply], when[reply]),
    }
    # backlash repliers among exported strangers of the platform
    nb = rng.poisson(np.minimum(sim["B"] * 0.002, 30) * acc)
    bpost = np.repeat(np.arange(len(a)), nb)
    bwho = np.zeros(len(bpost), np.int64)
    for p in np.unique(plat):
        sel = pp[bpost] == p
        mem = np.flatnonzero((plat == p) & (g != BOT))
        if sel.any() and len(mem):
            cw = np.cumsum(ac["act"][mem])
            bwho[sel] = mem[np.searchsorted(cw, rng.random(sel.sum()) * cw[-1], side="right").clip(0, len(mem) - 1)]
    bwhen = po["t"][bpost] + rng.exponential(nz["tau"][pp[bpost]])
    ok = (bwhen <= D) & (bwho != a[bpost]) & (bwhen < alive_until[bwho])
    bpost, bwho, bwhen = bpost[ok], bwho[ok], bwhen[ok]

    # ---- bots: bought likes/shares partly visible as exported bot rows
    bot_rows: dict[str, list] = {"like": [], "share": [], "camo": []}
    bought_l = rng.binomial(sim["b_likes"], acc_fast)
    bought_s = rng.binomial(sim["b_shares"], acc_fast)
    for p in np.unique(plat):
        bots = np.flatnonzero((plat == p) & (g == BOT))
        if not len(bots):
            continue
        for kind, cnt in (("like", bought_l), ("share", bought_s)):
            vis = np.where(pp == p, rng.binomial(cnt, dz["bot_visibility"] * (3 if kind == "share" else 1)), 0)
            vis = np.minimum(vis, int(0.8 * len(bots)))
            bp = np.repeat(np.arange(len(a)), vis)
            bw = bots[rng.integers(0, len(bots), len(bp))]
            k2 = np.unique(bp.astype(np.int64) * n + bw)
            bp, bw = k2 // n, k2 % n
            bt = np.minimum(po["t"][bp] + rng.exponential(0.05, len(bp)), D)
            bot_rows[kind].append((bp, bw, bt))
        # camouflage: bots like random human posts
        human = np.flatnonzero((pp == p) & np.isin(g[a], (GEN, QUI, CEL)))
        if len(human):
            cam = human[rng.integers(0, len(human), int(len(bots) * D * 0.4))]
            bw = bots[rng.integers(0, len(bots), len(cam))]
            bt = np.minimum(po["t"][cam] + rng.exponential(0.5, len(cam)), D)
            bot_rows["camo"].append((cam, bw, bt))

    def cat(lst):
        if not lst:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return tuple(np.concatenate([x[i] for x in lst]) for i in range(3))

    bot_like, bot_share, camo_like = cat(bot_rows["like"]), cat(bot_rows["share"]), cat(bot_rows["camo"])

    def cnt(trip: tuple) -> np.ndarray:
        return np.bincount(trip[0], minlength=len(a))

    # ---- per-post counts at export time
    Mtot = sim["MF"] + sim["MT"] + sim["MA"] + sim["MS"] + sim["Mfarm"]
    comm_exp = cm["len"][a] * sim["pm"]
    rest = np.maximum(Mtot - comm_exp, 0) * acc
    likes = cnt(comm["like"]) + rng.poisson(rest * nz["like"][pp]) + cnt(sim["pod"]["like"])
    likes += bought_l + cnt(camo_like)
    shares = cnt(comm["share"]) + rng.poisson(rest * nz["share"][pp]) + cnt(sim["pod"]["share"]) + bought_s
    replies = cnt(comm["reply"]) + rng.poisson(rest * nz["reply"][pp] + sim["B"] * acc) + cnt(sim["pod"]["reply"])
    replies += np.bincount(bpost, minlength=len(a))
    imps_mean = (sim["IF"] + sim["IT"] + sim["IA"] + sim["IS"] + sim["Ifarm"]) * acc
    impressions = np.round(imps_mean * np.exp(rng.normal(0, 0.1, len(a)))).astype(np.int64)
    impressions += np.round(sim["b_imps"] * acc_fast).astype(np.int64) + cnt(sim["pod"]["like"])
    clicks = rng.poisson(Mtot * nz["click"][pp] * acc)

    tnames = topic_names[pp, po["topic"]]
    second = topic_names[pp, ac["topics"][a, 0]]
    topics = np.where(second != tnames, np.char.add(np.char.add(tnames, ";"), second), tnames)
    show_topics = rng.random(len(a)) < np.array([dz["modes"].get(p, {"topics": 0})["topics"] for p in range(4)])[pp]
    texts = _texts(rng, len(a), tnames)
    spam = g[a] == SPAM
    if spam.any():
        texts[spam] = np.char.add(np.char.add(rng.choice(_SPAM, spam.sum()), " "), rng.choice(_WORDS, spam.sum()))
    parts.append(
        {
            "acc": a,
            "t": po["t"],
            "kind": np.full(len(a), K_POST),
            "likes": likes,
            "shares": shares,
            "replies": replies,
            "impressions": impressions,
            "clicks": clicks,
            "topics": np.where(show_topics, topics, "").astype(object),
            "text": texts,
        }
    )

    # ---- replies and shares as content (with their own small counts; plain shares carry 0)
    def content(trip, kind, phrases):
        pidx, w, tt = trip
        m = len(pidx)
        part = {"acc": w, "t": tt, "kind": np.full(m, kind), "target": a[pidx]}
        if kind == K_REPLY:
            part["likes"] = rng.poisson(0.4 * ac["weight"][w])
            part["replies"] = rng.poisson(0.15, m)
            part["shares"] = np.zeros(m, np.int64)
            part["impressions"] = rng.poisson(8 + 10 * ac["weight"][w])
            part["clicks"] = np.zeros(m, np.int64)
            at = np.char.add(np.char.add("@", ac["handle"][a[pidx]].astype(str)), " ")
            part["text"] = np.char.add(at, rng.choice(phrases, m)).astype(object)
        else:
            quote = dz["quote_counts"] & (rng.random(m) < 0.2)
            part["likes"] = np.where(quote, rng.poisson(0.8 * ac["weight"][w]), 0)
            part["replies"] = np.where(quote, rng.poisson(0.1, m), 0)
            part["shares"] = np.zeros(m, np.int64)
            part["impressions"] = np.where(quote, rng.poisson(20 * ac["weight"][w]), 0)
            part["clicks"] = np.zeros(m, np.int64)
        return part

    pod = sim["pod"]
    for trip, kind, ph in (
        (comm["reply"], K_REPLY, _REPLY),
        (pod["reply"], K_REPLY, _REPLY),
        ((bpost, bwho, bwhen), K_REPLY, _BACKLASH),
        (comm["share"], K_SHARE, None),
        (pod["share"], K_SHARE, None),
        (bot_share, K_SHARE, None),
    ):
        parts.append(content(trip, kind, ph))
    # shares of content by accounts outside the export (retweets of strangers), by active humans
    humans = np.flatnonzero(np.isin(g, (GEN, QUI, POD, FB, BA, AMP)) & (ac["act"] > 0))
    rate = ac["act"][humans] * 0.09
    k = rng.poisson(rate * D)
    sh_acc = np.repeat(humans, k)
    sh_t = rng.uniform(0, D, len(sh_acc))
    okk = sh_t < alive_until[sh_acc]
    sh_acc, sh_t = sh_acc[okk], sh_t[okk]
    ext_pick = rng.random(len(sh_acc)) < dz["external_targets"]
    zipf = np.minimum(rng.zipf(1.6, len(sh_acc)) - 1, len(ac["external"]) - 1)
    # targets: an exported account of the same platform, weighted by reach, or an outside handle
    tgt = np.full(len(sh_acc), -1, np.int64)
    for p in np.unique(plat):
        sel = plat[sh_acc] == p
        mem = np.flatnonzero((plat == p) & (g != BOT))
        cw = np.cumsum(np.sqrt(1 + ac["f0"][mem]))
        tgt[sel] = mem[np.searchsorted(cw, rng.random(sel.sum()) * cw[-1], side="right").clip(0, len(mem) - 1)]
    ext_target = np.where(ext_pick, n + zipf, tgt)
    ok = ext_target != sh_acc
    m = int(ok.sum())
    zero = np.zeros(m, np.int64)
    parts.append({"acc": sh_acc[ok], "t": sh_t[ok], "kind": np.full(m, K_SHARE), "target": ext_target[ok]})
    parts[-1].update({c: zero for c in ("likes", "shares", "replies", "impressions", "clicks")})

    # ---- interaction-only rows: likes, mentions, follows
    pidx, w, tt = cat([comm["like"], pod["like"], bot_like, camo_like])
    _, first = np.unique(pidx.astype(np.int64) * n + w, return_index=True)  # one like per person and post
    pidx, w, tt = pidx[first], w[first], tt[first]
    parts.append({"acc": w, "t": tt, "kind": np.full(len(w), K_LIKE), "target": a[pidx]})
    men = np.flatnonzero((rng.random(len(a)) < 0.08) & ~spam & (cm["len"][a] > 0))
    men_t = cm["follower"][_seg_sample(rng, a[men], cm["start"], cm["len"])]
    parts.append({"acc": a[men], "t": po["t"][men], "kind": np.full(len(men), K_MENTION), "target": men_t})
    # community follows formed during the span: more for accounts that grew
    growth = np.clip(1 - ac["f0"] / np.maximum(sim["hist"][:, -1], 1), 0.03, 0.7)
    fe, fr = cm["followee"], cm["follower"]
    new = rng.random(len(fe)) < growth[fe]
    ft = D * (1 - rng.random(new.sum()) ** 1.5)
    ok = ft < alive_until[fr[new]]
    parts.append({"acc": fr[new][ok], "t": ft[ok], "kind": np.full(int(ok.sum()), K_FOLLOW), "target": fe[new][ok]})
    # follow-back farms: follow many, and other follow-back accounts follow back
    for p in np.unique(plat):
        fbs = np.flatnonzero((plat == p) & (g == FB))
        mem = np.flatnonzero((plat == p) & (g != BOT))
        if not len(fbs):
            continue
        k = rng.integers(40, 200, len(fbs))
        src = np.repeat(fbs, k)
        dst = mem[rng.integers(0, len(mem), len(src))]
        tt = rng.uniform(0, D, len(src))
        back = np.isin(dst, fbs) & (dst != src)
        keep = dst != src
        parts.append({"acc": src[keep], "t": tt[keep], "kind": np.full(int(keep.sum()), K_FOLLOW), "target": dst[keep]})
        tb = np.minimum(tt[back] + rng.exponential(0.5, back.sum()), D)
        parts.append({"acc": dst[back], "t": tb, "kind": np.full(int(back.sum()), K_FOLLOW), "target": src[back]})
    # bots follow bought-audience accounts when followers are bought
    owner, pday, amount = ac["purchases"]
    for p in np.unique(plat):
        bots = np.flatnonzero((plat == p) & (g == BOT))
        sel = (plat[owner] == p) & (pday >= 0) if len(owner) else np.zeros(0, bool)
        if not len(bots) or not sel.any():
            continue
        k = np.minimum(rng.poisson(np.minimum(amount[sel] * 0.002, 60)), len(bots))
        src = np.repeat(owner[sel], k)
        who = bots[rng.integers(0, len(bots), len(src))]
        tt = np.repeat(pday[sel], k) + rng.uniform(0, 1, len(src))
        k2 = np.unique(src.astype(np.int64) * n + who)
        tt = pd.Series(tt).groupby(src.astype(np.int64) * n + who).first().to_numpy()
        parts.append({"acc": k2 % n, "t": np.minimum(tt, D), "kind": np.full(len(k2), K_FOLLOW), "target": k2 // n})

    # ---- profile snapshots (weekly, aligned to the end)
    snap_days = D - 7 * np.arange(int(D // 7) + 1) - rng.uniform(0, 1)
    snap_days = snap_days[snap_days >= 0]
    pa = np.repeat(np.arange(n), len(snap_days))
    pt = np.tile(snap_days, n)
    parts.append({"acc": pa, "t": pt, "kind": np.full(len(pa), K_PROFILE)})

    return _frame(parts)


def _finish(rng: np.random.Generator, ac: dict, sim: dict, dz: dict, cols: dict, end: datetime) -> pd.DataFrame:
    D, plat = dz["span"], ac["plat"]
    acc, t, kind, target = cols["acc"], cols["t"], cols["kind"], cols["target"]
    t = np.minimum(t, D)
    p = plat[acc]
    modes = [dz["modes"].get(x, {"interactions": "counts", "audience": "none"}) for x in range(len(PLATFORMS))]
    inter = np.array([["full", "partial", "counts"].index(m["interactions"]) for m in modes])[p]
    audience = np.array([m["audience"] for m in modes])[p]
    keep = ~((inter >= 1) & np.isin(kind, (K_LIKE, K_FOLLOW)))
    keep &= ~((inter == 2) & (kind == K_MENTION))
    # audience: latest-only keeps the last profile row; none drops profile rows
    last_profile = (kind == K_PROFILE) & (t > D - 7)
    keep &= ~((kind == K_PROFILE) & (audience == "none"))
    keep &= ~((kind == K_PROFILE) & (audience == "latest") & ~last_profile)
    idx = np.flatnonzero(keep)
    acc, t, kind, target, p, audience = acc[idx], t[idx], kind[idx], target[idx], p[idx], audience[idx]
    inter = inter[idx]
    target = np.where((inter == 2) & np.isin(kind, (K_REPLY, K_SHARE)), -1, target)

    m = len(idx)
    day = np.clip(np.floor(t).astype(int), 0, D - 1)
    real = sim["hist"][acc, day]
    followers = np.round(real + ac["fake"][acc, day] + ac["farm"][acc, day]).astype(np.int64)
    grow = 1 + 0.15 * day / D
    following = np.round(
        ac["following"][acc] * grow + ac["farm"][acc, day] * (0.92 + 0.16 * ((acc * 7919) % 100) / 100)
    )
    following = following.astype(np.int64)
    has_aud = ((audience == "rows") & np.isin(kind, (K_POST, K_REPLY, K_SHARE))) | (kind == K_PROFILE)
    has_aud &= ((acc * 2654435761) % 100) >= 5  # a few accounts never show their audience

    content = np.isin(kind, (K_POST, K_REPLY, K_SHARE))
    masks = {}
    for col in ("likes", "shares", "replies", "impressions", "clicks"):
        v = cols[col][idx]
        na = ~content | (v < 0)
        if col == "impressions":
            na |= ~np.array([dz["modes"].get(x, {}).get("impressions", False) for x in range(4)])[p]
        if col == "clicks":
            na |= ~np.array([dz["modes"].get(x, {}).get("clicks", False) for x in range(4)])[p]
        masks[col] = (np.where(na, 0, v).astype(np.int64), na)
    masks["followers"] = (followers, ~has_aud)
    masks["following"] = (following, ~has_aud)

    # timestamps (seconds before end), post ids in time order, handles
    sec = np.floor((D - t) * 86400).astype(np.int64)
    end64 = np.datetime64(pd.Timestamp(end).tz_convert(None).floor("s").to_datetime64(), "s")
    stamp = np.char.add(np.datetime_as_string(end64 - sec.astype("timedelta64[s]"), unit="s"), "Z")
    pid = np.full(m, "", dtype=object)
    ci = np.flatnonzero(content)
    order = ci[np.argsort(-sec[ci], kind="stable")]
    ids = 1_790_000_000_000_000_000 - 10**17 + np.cumsum(rng.integers(1_000, 5_000_000_000, len(order)))
    prefix = np.array([ID_PREFIX[x] for x in PLATFORMS])[p[order]]
    pid[order] = np.char.add(prefix, ids.astype(str)).astype(object)
    names = np.concatenate([ac["handle"], ac["external"]]).astype(object)
    tgt = np.where(target >= 0, names[np.maximum(target, 0)], "").astype(object)

    def intarr(v, na):
        return pd.arrays.IntegerArray(np.asarray(v, np.int64), np.asarray(na, bool))

    df = pd.DataFrame(
        {
            "account": names[acc],
            "timestamp": stamp.astype(object),
            "platform": np.array(PLATFORMS, dtype=object)[p],
            "kind": np.array(KINDS, dtype=object)[kind],
            "post_id": pid,
            "target": tgt,
            **{c: intarr(*masks[c]) for c in ("likes", "shares", "replies", "impressions", "clicks")},
            "followers": intarr(*masks["followers"]),
            "following": intarr(*masks["following"]),
            "topics": cols["topics"][idx].astype(object),
            "text": cols["text"][idx].astype(object),
        }
    )
    df["_sec"] = -sec
    df = df.sort_values(["_sec", "platform", "account", "kind"], kind="stable").drop(columns="_sec")
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------- API
def generate(accounts: int = 3000, seed: int = 7, end: datetime = END) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, truth): the export in the canonical columns, and one truth row per (account, platform)."""
    if end.tzinfo is None:
        end = end.replace(tzinfo=timezone.utc)
    rng = np.random.default_rng(seed)
    dz = _design(rng)
    ac = _accounts(rng, accounts, dz)
    po = _schedule(rng, ac, dz, end)
    cm = _community(rng, ac)
    sim = _simulate(rng, ac, po, cm, dz)
    cols = _rows(rng, ac, po, cm, sim, dz, end)
    rows = _finish(rng, ac, sim, dz, cols, end)

    D, n = dz["span"], accounts
    inwin = po["t"] > D - WINDOW_DAYS
    npost = np.bincount(po["a"][inwin], minlength=n)
    wsum = np.bincount(po["a"][inwin], sim["W"][inwin], minlength=n)
    influence = np.where(npost > 0, wsum / np.maximum(npost, 1), 0.0)
    cutoff = pd.Timestamp(end) - pd.Timedelta(days=WINDOW_DAYS)
    stamps = pd.to_datetime(rows["timestamp"], utc=True)
    cont = rows[rows["kind"].isin(["post", "reply", "share"]).to_numpy() & (stamps > cutoff).to_numpy()]
    items = cont.groupby(["account", "platform"]).size()
    truth = pd.DataFrame(
        {
            "account": ac["handle"].astype(object),
            "platform": np.array(PLATFORMS, dtype=object)[ac["plat"]],
            "group": np.array(GROUPS, dtype=object)[ac["group"]],
            "gamer": np.isin(ac["group"], GAMER_GROUPS),
            "influence": influence.astype(float),
        }
    )
    key = pd.MultiIndex.from_arrays([truth["account"], truth["platform"]])
    truth["posts"] = items.reindex(key).fillna(0).astype(np.int64).to_numpy()
    return rows, truth


def write(accounts: int, seed: int, path: str | Path) -> Path:
    """Write the rows as CSV at `path` and the truth beside it as NAME.truth.csv; return the truth's path."""
    path = Path(path)
    rows, truth = generate(accounts, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(path, index=False, lineterminator="\n")
    truth_path = path.with_name(path.stem + ".truth.csv")
    truth.to_csv(truth_path, index=False, lineterminator="\n")
    return truth_path
