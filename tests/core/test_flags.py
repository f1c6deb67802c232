"""Each gaming flag on a minimal hand-made case, and on an honest look-alike that must not fire."""

from __future__ import annotations

from dataclasses import replace

import pytest

from klout_cli.core import AccountFeatures, Model, Scorer

WEEKS = (1 << 13) - 1


def honest(**changes: object) -> AccountFeatures:
    """A genuine, well-engaged account: 40 items, 60 likes and 8 shares each, 5,000 followers."""
    base = AccountFeatures(
        "honest", "twitter", items=40, weighted_items=30.0, likes=60 * 30.0, shares=8 * 30.0, replies=3 * 30.0,
        active_weeks=WEEKS, followers=5000, following=800, busiest_day=3, peak_item=240, engagers=300,
        incoming=900.0, network=40.0, bot_share=0.02, ring_share=0.05, ring_size=4,
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
            honest(followers=12_500, following=12_000, likes=5 * 30.0, shares=0.0, replies=0.0),
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
            # two engagers, one of them with no audience: too little to say
            honest(bot_share=0.5, engagers=2),
        ),
        (
            "pod",
            # six partners it engages back give nearly all its engagement on record
            honest(ring_share=0.9, ring_size=6, incoming=2000.0, likes=10 * 30.0, shares=2 * 30.0),
            # friends who engage each other now and then, not on nearly every item
            honest(ring_share=0.9, ring_size=6, incoming=20.0),
        ),
        (
            "spam-volume",
            # 2,000 items on 40 days, nearly nobody reacts
            honest(items=2000, weighted_items=1500.0, likes=300.0, shares=0.0, replies=0.0, busiest_day=120),
            # a prolific account people do react to
            honest(items=2000, weighted_items=1500.0, likes=40 * 1500.0, busiest_day=120),
        ),
    ],
)
def test_each_flag_fires_on_its_gamer_and_not_on_an_honest_look_alike(
    model: Model, flag: str, gamer: AccountFeatures, look_alike: AccountFeatures
) -> None:
    assert flag in flags_of(model, gamer)
    assert flag not in flags_of(model, look_alike)


def test_a_flag_takes_off_what_the_gaming_earned_with_the_evidence(model: Model) -> None:
    scorer = Scorer(model)
    amplified = scorer.score(honest(bot_share=0.8))
    (penalty,) = amplified.penalties
    assert penalty.name == "bot-amplified" and "80% of incoming engagement came from accounts with no" in penalty.reason
    assert "without the gamed 80% of engagement, amplification, true_reach, network_impact" in penalty.reason
    # the same account with only the 20% of its engagement that did not come from bots
    organic = honest(
        likes=0.2 * 60 * 30.0, shares=0.2 * 8 * 30.0, replies=0.2 * 3 * 30.0, peak_item=48, engagers=60,
        network=8.0, bot_share=0.0,
    )  # fmt: skip
    assert amplified.score == pytest.approx(scorer.score(organic).score)
    total = amplified.base + sum(part.points for part in amplified.contributions) + penalty.points
    assert total == pytest.approx(amplified.score)
    # a fixed penalty from the model comes on top
    strict = replace(model, flags=tuple(replace(flag, penalty=7.0) for flag in model.flags))
    assert Scorer(strict).score(honest(bot_share=0.8)).score == pytest.approx(amplified.score - 7.0)


def test_penalties_never_take_a_score_below_1(model: Model) -> None:
    weak = honest(
        likes=1.0, shares=0.0, replies=0.0, followers=400_000, following=390_000, peak_item=1, engagers=11,
        bot_share=0.9, ring_share=0.0, items=2000, weighted_items=1500.0, busiest_day=120, network=0.0,
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
    # items received in all: items nobody reacted to must not dilute it (promise 3). Two items
    # shared 300 times in all; 244 incoming engagements, half of them from a ring of 3.
    pod = AccountFeatures("ring", "twitter", items=2, weighted_items=2.0, shares=300.0, incoming=244.0,
                          ring_share=0.5, ring_size=3)  # fmt: skip
    assert flags_of(model, pod) == ["pod"]
    padded = replace(pod, items=6, weighted_items=6.0)  # four more items nobody reacted to
    assert flags_of(model, padded) == ["pod"]
    assert Scorer(model).score(padded).score <= Scorer(model).score(pod).score


def test_a_measure_that_is_not_a_number_fires_as_it_always_has(model: Model) -> None:
    """The flags compare `not (x > limit)`: a NaN engagement (an infinite count weighted 0)
    fires, as the detectors did before their words were split from their tests."""
    from klout_cli.core import detect

    back = honest(followers=12_500, following=12_000)
    assert "follow-back" in [finding.name for finding in detect(back, model, float("nan"))]
    ring = honest(ring_size=5, ring_share=0.9, incoming=float("inf"))  # its share of all: inf / inf
    assert "pod" in [finding.name for finding in detect(ring, model, 1.0)]


def test_a_score_pickles_with_its_breakdown(model: Model) -> None:
    import pickle

    score = Scorer(model).score(honest(bot_share=0.8))
    again = pickle.loads(pickle.dumps(score))
    assert again.score == score.score and again.flags == score.flags
    assert again.contributions == score.contributions and again.penalties == score.penalties
