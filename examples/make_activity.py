"""Make examples/activity.csv: realistic activity for a few dozen accounts over 90 days.

Deterministic (fixed seed), stdlib only, so the example can be re-made exactly:

    python examples/make_activity.py > examples/activity.csv

Accounts differ in audience, how much people react to them (appeal) and how often they post.
A few are planted to show what kscore does not reward: a big audience nobody reacts to, and a
high-volume poster nobody engages with. A second generator (its own seed, so the rows above
never change) adds breadth to what people post about, a few accounts with a distinct style
(a celebrity, a broadcaster, a conversationalist, a curator) and +K endorsements, including a
flood from one giver and endorsements the caps leave out.
"""

from __future__ import annotations

import csv
import math
import random
import sys
from datetime import datetime, timedelta, timezone

SEED = 2011
STYLE_SEED = 2012
END = datetime(2024, 3, 31, 18, 0, tzinfo=timezone.utc)
DAYS = 90
TOPICS = ["marketing", "data", "python", "design", "startups", "ai", "community", "climate", "music", "food"]
COLUMNS = [
    "account", "timestamp", "platform", "kind", "post_id", "target", "likes", "shares", "replies",
    "impressions", "clicks", "followers", "following", "topics", "text",
]  # fmt: skip

# name, platform, followers, appeal (expected engagement per 1,000 followers), posts per week
PEOPLE = [
    ("ana_lytics", "twitter", 5200, 14.0, 6),
    ("ana_lytics", "linkedin", 3100, 10.0, 2),
    ("bytebard", "twitter", 48000, 4.0, 10),
    ("civic_cara", "twitter", 2100, 40.0, 4),
    ("civic_cara", "mastodon", 900, 45.0, 3),
    ("dataduck", "mastodon", 1500, 25.0, 5),
    ("design_dev", "linkedin", 12500, 6.0, 3),
    ("eco_eli", "twitter", 8700, 9.0, 5),
    ("eco_eli", "instagram", 15200, 7.0, 3),
    ("fintech_fay", "linkedin", 22000, 3.0, 4),
    ("gigi_grows", "instagram", 31000, 5.0, 6),
    ("hackerhal", "twitter", 650, 30.0, 7),
    ("hackerhal", "mastodon", 1200, 35.0, 5),
    ("indie_ivo", "twitter", 3300, 11.0, 2),
    ("jo_journalist", "twitter", 96000, 3.5, 12),
    ("jo_journalist", "linkedin", 14000, 4.0, 2),
    ("kite_kai", "bluesky", 2600, 18.0, 5),
    ("lena_learns", "bluesky", 420, 20.0, 3),
    ("maker_mo", "twitter", 7400, 8.0, 4),
    ("nora_nonprofit", "facebook", 18000, 2.5, 3),
    ("nora_nonprofit", "twitter", 4100, 6.0, 3),
    ("oli_opensource", "mastodon", 5600, 16.0, 6),
    ("pia_podcasts", "youtube", 41000, 3.0, 1),
    ("quant_quinn", "twitter", 1900, 12.0, 8),
    ("rhea_research", "twitter", 11000, 7.5, 2),
    ("rhea_research", "linkedin", 6200, 6.0, 1),
    ("sam_speaks", "linkedin", 27000, 2.0, 5),
    ("tess_tutorials", "youtube", 8800, 9.0, 1),
    ("uma_ux", "bluesky", 3900, 13.0, 4),
    ("vic_vintage", "instagram", 5400, 10.0, 5),
    ("wen_writes", "twitter", 760, 9.0, 3),
    ("xav_startups", "twitter", 13500, 5.0, 9),
    ("yara_yoga", "instagram", 21000, 6.0, 7),
    ("zed_zines", "mastodon", 310, 22.0, 2),
    ("quiet_quentin", "twitter", 2500, 10.0, 0.2),
]
# planted: a bought audience nobody reacts to, and a spammer posting all day to no one
PLANTED = [
    ("megaphone_max", "twitter", 480000, 0.004, 20),
    ("spam_stan", "twitter", 900, 0.3, 60),
]


# name, platform, followers, appeal, posts per week, kind weights (post, reply, share)
STYLED = [
    ("star_sol", "twitter", 2_400_000, 0.06, 4, (90, 5, 5)),
    ("bo_broadcasts", "twitter", 38000, 9.0, 5, (95, 3, 2)),
    ("rory_replies", "twitter", 3400, 12.0, 9, (15, 80, 5)),
    ("cura_links", "twitter", 6100, 6.0, 8, (15, 10, 75)),
    ("lou_lurks", "twitter", 700, 8.0, 0.25, (100, 0, 0)),
]
# giver, receiver, platform, topic, how many on one day (the caps count a flood once)
ENDORSEMENTS = [
    ("bytebard", "jo_journalist", "twitter", "music", 1),
    ("ana_lytics", "jo_journalist", "twitter", "music", 1),
    ("xav_startups", "jo_journalist", "twitter", "community", 1),
    ("eco_eli", "ana_lytics", "twitter", "food", 1),
    ("maker_mo", "ana_lytics", "twitter", "food", 1),
    ("bytebard", "ana_lytics", "twitter", "music", 1),
    ("civic_cara", "hackerhal", "twitter", "python", 1),
    ("hackerhal", "civic_cara", "twitter", "climate", 1),
    ("quant_quinn", "xav_startups", "twitter", "startups", 1),
    ("indie_ivo", "xav_startups", "twitter", "startups", 1),
    ("wen_writes", "bytebard", "twitter", "ai", 30),  # a flood: counted once in 7 days
    ("spam_stan", "xav_startups", "twitter", "data", 12),  # a flagged giver: never counted
    ("maker_mo", "maker_mo", "twitter", "design", 1),  # self-endorsement: never counted
]


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth for small means, normal approximation for large)."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_rows(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    names = sorted({person[0] for person in PEOPLE})
    serial = 0
    for name, platform, followers, appeal, per_week in PEOPLE + PLANTED:
        interests = rng.sample(TOPICS, 2)
        posts = poisson(rng, per_week * DAYS / 7)
        growth = rng.uniform(0.0, 0.15)
        for _ in range(posts):
            age = rng.uniform(0, DAYS)
            when = END - timedelta(days=age, minutes=rng.randint(0, 600))
            audience = round(followers * (1 - growth * age / DAYS))
            kind = rng.choices(["post", "reply", "share"], weights=[70, 20, 10])[0]
            hit = rng.lognormvariate(0, 0.9)  # some items land, most do not
            expected = audience / 1000 * appeal * hit * (0.4 if kind == "reply" else 1.0)
            target = rng.choice([other for other in names if other != name]) if kind != "post" else ""
            topic = rng.choice(interests)
            serial += 1
            rows.append(
                {
                    "account": name,
                    "timestamp": stamp(when),
                    "platform": platform,
                    "kind": kind,
                    "post_id": f"{platform[:2]}{serial:06d}",
                    "target": target,
                    "likes": poisson(rng, expected),
                    "shares": poisson(rng, expected * 0.18),
                    "replies": poisson(rng, expected * 0.07),
                    "impressions": poisson(rng, audience * 0.08 * hit) if kind != "share" else 0,
                    "clicks": poisson(rng, expected * 0.05),
                    "followers": audience,
                    "following": round(audience * rng.uniform(0.05, 0.6)),
                    "topics": topic,
                    "text": f"notes on {topic} #{topic}",
                }
            )
        # interactions given: likes and mentions aimed at others (no counts of their own)
        for _ in range(poisson(rng, per_week * 2)):
            when = END - timedelta(days=rng.uniform(0, DAYS))
            rows.append(
                {
                    "account": name,
                    "timestamp": stamp(when),
                    "platform": platform,
                    "kind": rng.choice(["like", "like", "like", "mention"]),
                    "target": rng.choice([other for other in names if other != name]),
                }
            )
    rows.sort(key=lambda row: (str(row["timestamp"]), str(row["account"])))
    return rows


def add_styles(rng: random.Random, rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Breadth of topics for everyone, a few accounts of distinct style, and endorsements."""
    names = sorted({str(row["account"]) for row in rows})
    breadth = {name: rng.choice([0.05, 0.2, 0.5, 0.9]) for name in names}  # share of off-interest posts
    for row in rows:
        if row.get("topics") and rng.random() < breadth[str(row["account"])]:
            topic = rng.choice(TOPICS)
            row["topics"], row["text"] = topic, f"notes on {topic} #{topic}"
    # the two with big audiences answer the two who talk to them (one-to-one, not a ring)
    audience = {"star_sol": ["rory_replies", "cura_links"], "bo_broadcasts": ["rory_replies", "cura_links"]}
    talkers = {"rory_replies": ["star_sol", "bo_broadcasts"], "cura_links": ["star_sol", "bo_broadcasts"]}
    targets = {**audience, **talkers, "lou_lurks": []}
    added: list[dict[str, object]] = []
    serial = 0
    for name, platform, followers, appeal, per_week, kinds in STYLED:
        interests = rng.sample(TOPICS, 6 if name == "bo_broadcasts" else 3)
        for _ in range(poisson(rng, per_week * DAYS / 7)):
            age = rng.uniform(1, DAYS)
            kind = rng.choices(["post", "reply", "share"], weights=kinds)[0]
            hit = rng.lognormvariate(0, 0.9)
            expected = followers / 1000 * appeal * hit * (0.4 if kind == "reply" else 1.0)
            topic = rng.choice(interests)
            serial += 1
            added.append(
                {
                    "account": name,
                    "timestamp": stamp(END - timedelta(days=age)),
                    "platform": platform,
                    "kind": kind,
                    "post_id": f"st{serial:06d}",
                    "target": rng.choice(targets[name]) if kind != "post" else "",
                    "likes": poisson(rng, expected),
                    "shares": poisson(rng, expected * (0.6 if name == "bo_broadcasts" else 0.1)),
                    "replies": poisson(rng, expected * 0.07),
                    "impressions": poisson(rng, followers * 0.05 * hit),
                    "clicks": poisson(rng, expected * 0.05),
                    "followers": followers,
                    "following": round(followers * rng.uniform(0.001, 0.2)),
                    "topics": topic,
                    "text": f"thoughts on #{topic}",
                }
            )
    for _ in range(40):  # an observer: reads and likes, rarely posts
        added.append(
            {
                "account": "lou_lurks",
                "timestamp": stamp(END - timedelta(days=rng.uniform(1, DAYS))),
                "platform": "twitter",
                "kind": "like",
                "target": rng.choice(["star_sol", "bo_broadcasts"]),
            }
        )
    for giver, receiver, platform, topic, count in ENDORSEMENTS:
        when = END - timedelta(days=rng.uniform(1, 40))
        for minute in range(count):
            added.append(
                {
                    "account": giver,
                    "timestamp": stamp(when + timedelta(minutes=minute)),
                    "platform": platform,
                    "kind": "endorse",
                    "target": receiver,
                    "topics": topic,
                }
            )
    rows = rows + added
    rows.sort(key=lambda row: (str(row["timestamp"]), str(row["account"])))
    return rows


def main() -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in add_styles(random.Random(STYLE_SEED), make_rows(random.Random(SEED))):
        writer.writerow(row)


if __name__ == "__main__":
    main()
