"""Each gaming flag on a minimal hand-made case, and on an honest look-alike that must not fire;
the evidence each flag needs before it may fire, and its strength."""

from __future__ import annotations

from dataclasses import replace

import pytest

from klout_cli.core import AccountFeatures, Model, Scorer
from tests.core.strategies import alike

WEEKS = (1 << 13) - 1


def honest(**changes: object) -> AccountFeatures:
    """A genuine, well-engaged account: 40 items, 60 likes and 8 shares each, 5,000 followers."""
    counts = {
        name: changes.pop(name) for name in ("likes", "shares", "replies", "items", "weighted_items") if name in changes
    }
    base = alike(
        "honest", "twitter", items=counts.get("items", 40), weighted_items=counts.get("weighted_items", 30.0),
        likes=counts.get("likes", 60 * 30.0), shares=counts.get("shares", 8 * 30.0),
        replies=counts.get("replies", 3 * 30.0), active_weeks=WEEKS, followers=5000, following=800, busiest_day=3,
        peak_item=240, engagers=300, incoming=900.0, network=40.0, bot_share=0.02, ring_share=0.05, ring_size=4,
        ring_density=0.2,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def flags_of(model: Model, features: AccountFeatures) -> list[str]:
    return [penalty.name for penalty in Scorer(model).score(features).penalties]


def test_the_honest_account_is_not_flagged(model: Model) -> None:
    assert flags_of(model, honest()) == []


@pytest.mark.parametrize(
    ("flag", "gamer", "look_alike"),
    [
        (
            "follow-back",
            # follows 12,000 back, followed by 12,500, a handful of likes
            honest(followers=12_500, following=12_000, likes=0.5 * 30.0, shares=0.0, replies=0.0),
            # a genuine account that follows many back but is engaged with
            honest(followers=12_500, following=12_000, likes=90 * 30.0),
        ),
        (
            "bought-audience",
            # 400,000 followers, at most 60 people ever engaged
            honest(followers=400_000, peak_item=60, engagers=45),
            # a real celebrity: a huge audience and a huge crowd that engages
            honest(followers=20_000_000, peak_item=250_000, engagers=40_000, likes=150_000 * 30.0),
        ),
        (
            "bot-amplified",
            honest(bot_share=0.8),
            # a handful of stray bot likes on an account few engage through interaction rows
            honest(bot_share=0.8, engagers=12, incoming=20.0),
        ),
        (
            "pod",
            # six partners it engages back, who all engage each other, give most of its engagement
            honest(ring_share=0.9, ring_size=6, ring_density=1.0, incoming=2000.0, likes=10 * 30.0, shares=2 * 30.0),
            # friends it engages back, each with their own circles (they rarely engage each other)
            honest(ring_share=0.9, ring_size=6, ring_density=0.1, incoming=2000.0, likes=10 * 30.0, shares=2 * 30.0),
        ),
        (
            "spam-volume",
            # 2,000 items, 40 busy days, nearly nobody reacts
            honest(
                items=2000, weighted_items=1500.0, likes=300.0, shares=0.0, replies=0.0, busiest_day=120, busy_days=40
            ),
            # a prolific account people do react to
            honest(items=2000, weighted_items=1500.0, likes=40 * 1500.0, busiest_day=120, busy_days=40),
        ),
        (
            "implausible-counts",
            # 150 followers and 5,000 likes on each item, with nothing to show anyone saw them
            honest(followers=150, likes=5000 * 30.0, shares=1000 * 30.0),
            # the same counts, with impressions that show that many people seeing each item
            honest(followers=150, likes=5000 * 30.0, shares=1000 * 30.0, impressions=20_000 * 30.0),
        ),
    ],
)
def test_each_flag_fires_on_its_gamer_and_not_on_an_honest_look_alike(
    model: Model, flag: str, gamer: AccountFeatures, look_alike: AccountFeatures
) -> None:
    assert flag in flags_of(model, gamer)
    assert flag not in flags_of(model, look_alike)


@pytest.mark.parametrize(
    ("flag", "gamer", "thin"),
    [
        # one or two posts never make a gamer: each flag needs its minimum of evidence
        ("follow-back", honest(followers=12_500, following=12_000, likes=0.0, shares=0.0, replies=0.0), {"items": 2}),
        ("bought-audience", honest(followers=400_000, peak_item=60, engagers=45), {"items": 2}),
        ("bot-amplified", honest(bot_share=0.8), {"items": 2}),
        ("bot-amplified", honest(bot_share=0.8), {"engagers": 19}),
        ("pod", honest(ring_share=0.9, ring_size=6, ring_density=1.0, incoming=2000.0, likes=300.0), {"items": 2}),
        (
            "spam-volume",
            honest(
                items=2000, weighted_items=1500.0, likes=300.0, shares=0.0, replies=0.0, busiest_day=120, busy_days=40
            ),
            {"busy_days": 2},
        ),
    ],
)
def test_no_flag_fires_without_its_minimum_evidence(
    model: Model, flag: str, gamer: AccountFeatures, thin: dict[str, int]
) -> None:
    assert flag in flags_of(model, gamer)
    assert flag not in flags_of(model, replace(gamer, **thin))  # type: ignore[arg-type]


def test_shares_of_others_content_are_no_evidence(model: Model) -> None:
    """One post and four retweets are one item of its own: too little to call a bought audience."""
    gamer = honest(followers=400_000, peak_item=60, engagers=45)
    assert "bought-audience" in flags_of(model, replace(gamer, items=5, share_items=0))
    assert "bought-audience" not in flags_of(model, replace(gamer, items=5, share_items=4))


def test_a_pod_is_found_at_any_size_by_its_density(model: Model) -> None:
    """A ring of 30 that engage each other is a pod as much as a ring of 6: no fixed ring size."""
    for size in (3, 8, 30, 400):
        pod = honest(ring_share=0.9, ring_size=size, ring_density=0.95, incoming=2000.0, likes=300.0, shares=60.0)
        assert "pod" in flags_of(model, pod)


def test_a_flag_says_its_evidence_and_strength(model: Model) -> None:
    (penalty,) = Scorer(model).score(honest(bot_share=0.8)).penalties
    assert "of 300 engagers" in penalty.reason and "on 40 items" in penalty.reason
    # strength: the weakest condition, met how many times over (300/20 engagers, 0.8/0.5 share, ...)
    assert "(strength 1.6)" in penalty.reason
    (finding,) = Scorer(model).score(honest(bot_share=0.8)).findings
    assert finding.strength == pytest.approx(0.8 / 0.5)
    spam = Scorer(model).score(
        honest(items=2000, weighted_items=1500.0, likes=300.0, shares=0.0, replies=0.0, busiest_day=120, busy_days=40)
    )
    assert "40 days with 20 items or more (the busiest 120)" in spam.penalties[0].reason


def test_a_flag_takes_off_what_the_gaming_earned_with_the_evidence(model: Model) -> None:
    scorer = Scorer(model)
    amplified = scorer.score(honest(bot_share=0.8))
    (penalty,) = amplified.penalties
    assert penalty.name == "bot-amplified" and "80% of incoming engagement came from accounts with no" in penalty.reason
    assert "without the gamed 80% of engagement, amplification, true_reach, network_impact" in penalty.reason
    # the same account with only the 20% of its engagement that did not come from bots
    expected = Scorer(model).score(
        replace(
            honest(),
            capped_engagement=0.2 * honest().capped_engagement,
            capped_shares=0.2 * honest().capped_shares,
            capped_people=0.2 * honest().capped_people,
            bot_share=0.0,
        )
    )
    # network_impact is engagement per item times credibility: 20% of the engagement, the same credibility
    assert amplified.score == pytest.approx(expected.score)
    total = amplified.base + sum(part.points for part in amplified.contributions) + penalty.points
    assert total == pytest.approx(amplified.score)
    # a fixed penalty from the model comes on top
    strict = replace(model, flags=tuple(replace(flag, penalty=7.0) for flag in model.flags))
    assert Scorer(strict).score(honest(bot_share=0.8)).score == pytest.approx(amplified.score - 7.0)


def test_implausible_counts_keep_only_what_the_audience_explains(model: Model) -> None:
    """150 followers and items that drew 8,000 weighted engagements each (5,000 likes, 1,000
    shares): what is beyond 20 per follower (3,000 per item) is not counted, in each signal's
    unit (3,000 people, at most 1,000 shares), and the evidence says so."""
    bought = honest(followers=150, likes=5000 * 30.0, shares=1000 * 30.0, replies=0.0)
    score = Scorer(model).score(bought)
    (penalty,) = score.penalties
    assert penalty.name == "implausible-counts"
    # 8,000 per item over 40 items (30 decayed) and the prior's quarter of a silent one: 7,934
    assert "its items drew 7,934 weighted engagements each, 53 times its 150 followers, with no impressions" in (
        penalty.reason
    )
    assert "without what is beyond that in engagement, amplification, true_reach, network_impact" in penalty.reason
    counted = bought.weighted_items + model.prior_items
    plausible = replace(
        bought,
        capped_engagement=3000 * counted,
        # shares: 991 per item, within the 1,000 that 3,000 weighted engagements allow (a share weighs 3)
        capped_people=3000 * counted,
    )
    assert score.score == pytest.approx(Scorer(replace(model, flags=())).score(plausible).score)


def test_penalties_never_take_a_score_below_1(model: Model) -> None:
    weak = honest(
        likes=1.0, shares=0.0, replies=0.0, followers=400_000, following=390_000, peak_item=1, engagers=30,
        bot_share=0.9, ring_share=0.0, items=2000, weighted_items=1500.0, busiest_day=120, busy_days=40,
        network=0.0, incoming=3000.0,
    )  # fmt: skip
    harsh = replace(model, flags=tuple(replace(flag, penalty=50.0) for flag in model.flags))
    score = Scorer(harsh).score(weak)
    assert len(score.penalties) >= 3
    assert score.score == pytest.approx(1.0)
    assert score.base + sum(p.points for p in score.contributions) + sum(p.points for p in score.penalties) == (
        pytest.approx(score.score)
    )


def test_items_that_received_nothing_do_not_lift_a_pod_flag(model: Model) -> None:
    # pod compares the ring's engagement with all the engagement on record, which is what the
    # items received in all: items nobody reacted to must not dilute it (promise 3). Three items
    # shared 300 times in all; 244 incoming engagements, half of them from a dense ring of 3.
    pod = alike(
        "ring", "twitter", items=3, weighted_items=3.0, shares=300.0, incoming=244.0, ring_share=0.5, ring_size=3,
        ring_density=1.0,
    )  # fmt: skip
    assert flags_of(model, pod) == ["pod"]
    padded = replace(pod, items=7, weighted_items=7.0)  # four more items nobody reacted to
    assert flags_of(model, padded) == ["pod"]
    assert Scorer(model).score(padded).score <= Scorer(model).score(pod).score


def test_a_measure_that_is_not_a_number_fires_as_it_always_has(model: Model) -> None:
    """The flags compare `not (x > limit)`: a NaN engagement (an infinite count weighted 0)
    fires, as the detectors did before their words were split from their tests."""
    from klout_cli.core import detect

    back = honest(followers=12_500, following=12_000)
    assert "follow-back" in [finding.name for finding in detect(back, model, float("nan"))]
    ring = honest(ring_size=5, ring_share=0.9, ring_density=1.0, incoming=float("inf"))  # its share of all: inf / inf
    assert "pod" in [finding.name for finding in detect(ring, model, 1.0)]


def test_a_score_pickles_with_its_breakdown(model: Model) -> None:
    import pickle

    score = Scorer(model).score(honest(bot_share=0.8))
    again = pickle.loads(pickle.dumps(score))
    assert again.score == score.score and again.flags == score.flags
    assert again.contributions == score.contributions and again.penalties == score.penalties
