"""Make examples/activity.csv: realistic activity for a few dozen accounts over 90 days.

Deterministic (fixed seed), stdlib only, so the example can be re-made exactly:

    python examples/make_activity.py > examples/activity.csv

Accounts differ in audience, how much people react to them (appeal) and how often they post.
A few are planted to show what kscore does not reward: a big audience nobody reacts to, and a
high-volume poster nobody engages with.
"""

from __future__ import annotations

import csv
import math
import random
import sys
from datetime import datetime, timedelta, timezone

SEED = 2011
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


def main() -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in make_rows(random.Random(SEED)):
        writer.writerow(row)


if __name__ == "__main__":
    main()
