"""Every word and number of the breakdowns of 400 varied synthetic accounts, at full precision.

The example's golden file (tests/test_rows.py) sees two of the five flags fire; these accounts
fire every flag, alone and together, under the default model, absolute and relative, and on a
topic with endorsements. The file was made by the core before its words were made lazily, so it
holds the lazy words (and the numbers) to what the eager core said. UPDATE_GOLDEN=1 rewrites it:
review the diff.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from klout_cli.core import AccountFeatures, Model, Scorer, relative_scores
from klout_cli.core.topics import EndorsementTally, TopicScorer
from klout_cli.rows import plain

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "synthetic_breakdowns.jsonl"


def population(count: int) -> list[AccountFeatures]:
    """Deterministic accounts spread over every flag's thresholds."""
    rng = random.Random(11)
    found = []
    for index in range(count):
        items = rng.randint(0, 120)
        weighted = items * rng.uniform(0.2, 1.0)
        followers = rng.choice([None, 0.0, float(rng.randint(50, 5000)), float(rng.randint(5000, 900_000))])
        found.append(
            AccountFeatures(
                account=f"user{index}",
                platform=rng.choice(["twitter", "linkedin"]),
                items=items,
                reply_items=items // 4,
                share_items=items // 6,
                weighted_items=weighted,
                likes=weighted * rng.lognormvariate(0.5, 2),
                shares=weighted * rng.lognormvariate(-1.5, 1.5),
                replies=weighted * rng.lognormvariate(-1, 1),
                clicks=weighted * rng.random(),
                impressions=weighted * rng.lognormvariate(3, 1),
                active_weeks=rng.getrandbits(13),
                followers=followers,
                following=None if followers is None else followers * rng.choice([0.2, 0.97, 1.0, 1.05, 3.0]),
                busiest_day=rng.choice([1, 4, 25, 60]),
                peak_item=float(rng.randint(0, 300)),
                engagers=rng.choice([0, 3, 12, 40, 400]),
                incoming=rng.uniform(0, 400),
                network=rng.uniform(0, 40),
                bot_share=rng.choice([0.0, 0.01, 0.3, 0.8]),
                ring_share=rng.choice([0.0, 0.2, 0.6, 0.95]),
                ring_size=rng.choice([0, 2, 5, 9, 40]),
            )
        )
        features = found[-1]
        # what the items drew, each item at most item_cap times the median (some were capped), and
        # the new measures of #16: evidence, density, backlash
        capped = rng.choice([1.0, 1.0, 0.7])
        counted_replies = min(features.replies, max(10.0, 0.5 * (features.likes + features.shares)))
        features.capped_engagement = capped * (
            features.likes + 3 * features.shares + 2 * counted_replies + 0.5 * features.clicks
        )
        features.capped_shares = capped * features.shares
        features.capped_people = capped * max(features.likes, features.shares, counted_replies)
        features.backlash_replies = features.replies - counted_replies
        features.ratioed_items = items // 10 if features.backlash_replies else 0
        features.engaged_items = weighted * rng.choice([0.0, 0.5, 1.0]) if items else 0.0
        features.busy_days = rng.choice([0, 1, 3, 20]) if items else 0
        features.ring_density = rng.choice([0.0, 0.3, 0.9])
        features.network = min(features.network, features.incoming)
        if index % 40 == 7 and weighted:  # a tiny audience beside hundreds of likes an item: implausible
            features.followers, features.following = 5.0, 5.0
            features.capped_engagement = max(features.capped_engagement, 400 * weighted)
            features.capped_people = max(features.capped_people, 300 * weighted)
    return found


def breakdown(score) -> dict:
    return {
        "account": score.account,
        "score": score.score,
        "absolute": getattr(score, "absolute", None),
        "contributions": [plain(part) for part in score.contributions],
        "penalties": [plain(part) for part in score.penalties],
    }


def test_breakdowns_of_varied_accounts_are_exact_to_the_last_word(model: Model) -> None:
    accounts = population(400)
    scorer = Scorer(model)
    scores = [scorer.score(features) for features in accounts]
    topic_scorer = TopicScorer(model)
    topics = [
        topic_scorer.score(
            "ai", features, score.findings, EndorsementTally(counted=n % 4, weight=0.7 * (n % 4), givers=n % 3)
        )
        for n, (features, score) in enumerate(zip(accounts, scores))
    ]
    lines = [
        *(json.dumps(breakdown(score), sort_keys=True) for score in scores),
        *(json.dumps(breakdown(score), sort_keys=True) for score in relative_scores(scores)),
        *(json.dumps(breakdown(score), sort_keys=True) for score in topics),
    ]
    fired = {penalty.name for score in scores for penalty in score.penalties}
    assert fired == {"follow-back", "bought-audience", "bot-amplified", "pod", "spam-volume", "implausible-counts"}
    text = "\n".join(lines) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run the tests once with UPDATE_GOLDEN=1 and review it"
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_words_made_to_be_saved_are_the_words_shown_and_are_not_kept(model: Model) -> None:
    """`worded()` gives what `contributions` and `penalties` give, without keeping it on the
    score (a run words every score once to save it); once they are kept, it gives those."""
    accounts = population(120)
    scorer, topic_scorer = Scorer(model), TopicScorer(model)
    scores = [scorer.score(features) for features in accounts]
    topics = [
        topic_scorer.score("ai", item.features, item.findings, EndorsementTally(counted=1, weight=0.5))
        for item in scores
    ]
    assert any(score.charges for score in scores)
    for score in [*scores, *relative_scores(scores), *topics]:
        contributions, penalties = score.worded()
        assert score._contributions is None and getattr(score, "_penalties", None) is None  # nothing kept
        assert (contributions, penalties) == (score.contributions, score.penalties)
        kept = score.worded()
        assert kept[0] is score.contributions and kept[1] == score.penalties
