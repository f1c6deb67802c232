"""The core's promises, stated as examples and hypothesis properties."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from unittest.mock import patch

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from klout_cli.core import (
    ACTIONS,
    AccountFeatures,
    Model,
    Scorer,
    combine_platforms,
    competition_ranks,
    rank_scores,
    relative_scores,
    score_account,
    scoring,
)
from tests.core.strategies import alike, counts, decays, features, times, with_more_items


def breakdown_total(score) -> float:  # type: ignore[no-untyped-def]
    return (
        score.base
        + math.fsum(part.points for part in score.contributions)
        + math.fsum(part.points for part in score.penalties)
    )


# -- promise 1 and 5: range and exact breakdown ---------------------------------------------
@given(features())
def test_score_is_between_1_and_100_and_the_breakdown_is_exact(model: Model, account: AccountFeatures) -> None:
    score = Scorer(model).score(account)
    assert 1.0 <= score.score <= 100.0
    assert abs(breakdown_total(score) - score.score) < 0.01
    for part in score.contributions:
        assert 0.0 <= part.normalized <= 1.0
        assert part.points >= 0.0


def test_nothing_scores_exactly_one(model: Model) -> None:
    score = Scorer(model).score(AccountFeatures("ghost", "twitter"))
    assert score.score == 1.0
    assert all(part.points == 0 for part in score.contributions)


def test_saturating_every_signal_scores_exactly_100(model: Model) -> None:
    star = alike(
        "star", "twitter", items=50, weighted_items=50, likes=1e12, shares=1e12, replies=1e12,
        active_weeks=(1 << model.window_weeks) - 1, followers=1e9, peak_item=1e8, engagers=10**7,
        network=1e7, incoming=1e7, busiest_day=5,
    )  # fmt: skip
    assert Scorer(model).score(star).score == pytest.approx(100.0)


# -- promise 2: more received never lowers the score ----------------------------------------
@given(features(), st.sampled_from(ACTIONS), counts)
def test_raising_a_received_count_never_lowers_the_score(
    model: Model, account: AccountFeatures, action: str, extra: float
) -> None:
    assume(account.items > 0)
    scorer = Scorer(model)
    raised = replace(account, **{action: account.received(action) + extra})
    assert scorer.score(raised).score >= scorer.score(account).score - 1e-9


@given(features(), st.integers(min_value=0, max_value=(1 << 13) - 1))
def test_more_engaged_weeks_never_lower_the_score(model: Model, account: AccountFeatures, weeks: int) -> None:
    scorer = Scorer(model)
    busier = replace(account, active_weeks=account.active_weeks | weeks)
    assert scorer.score(busier).score >= scorer.score(account).score - 1e-9


@given(features(), st.floats(min_value=0, max_value=1e8))
def test_a_larger_audience_never_lowers_the_score_but_through_a_flag(
    model: Model, account: AccountFeatures, extra: float
) -> None:
    # follow-back and bought-audience may fire on a larger audience: that is their point, and so
    # may implausible-counts on a smaller one. A flag with penalty 0 still takes off what the
    # gaming earned (a bought audience counts as none), so leave the flags out altogether.
    # An audience the input never gave is not measured (its weight goes to the other signals):
    # it is compared with no audience only below.
    assume(account.followers is not None)
    scorer = Scorer(replace(model, flags=()))
    bigger = replace(account, followers=(account.followers or 0.0) + extra)
    assert scorer.score(bigger).score >= scorer.score(account).score - 1e-9


@given(features())
def test_an_unknown_audience_weighs_nothing_and_an_empty_one_counts_as_none(
    model: Model, account: AccountFeatures
) -> None:
    """Without a followers column, reach is not measured and the other signals share its weight:
    the score is what the other signals earn on their own. A known audience of 0 is measured: 0."""
    scorer = Scorer(replace(model, flags=()))
    unknown = scorer.score(replace(account, followers=None, following=None))
    without_reach = Scorer(replace(model, flags=(), signals=tuple(s for s in model.signals if s.name != "reach")))
    assert unknown.score == pytest.approx(without_reach.score(account).score, abs=1e-9)
    empty = scorer.score(replace(account, followers=0.0, following=None))
    assert empty.score <= unknown.score + 1e-9


# -- promise 3: volume is not influence -----------------------------------------------------
@given(features(), st.integers(min_value=1, max_value=1000), decays)
def test_items_that_received_nothing_never_raise_the_score(
    model: Model, account: AccountFeatures, extra: int, decay: float
) -> None:
    scorer = Scorer(model)
    assert scorer.score(with_more_items(account, extra, decay)).score <= scorer.score(account).score + 1e-9


# -- promise 4: followers are not influence -------------------------------------------------
def test_a_million_silent_followers_lose_to_two_thousand_who_share(model: Model) -> None:
    weeks = (1 << model.window_weeks) - 1
    silent = alike("megaphone", "twitter", items=40, weighted_items=25, followers=1_000_000, active_weeks=0)
    loved = alike("loved", "twitter", items=40, weighted_items=25, shares=50 * 25, followers=2_000, active_weeks=weeks)
    # even with no regular weeks, the sharing alone is enough
    loved_irregular = replace(loved, active_weeks=0)
    scorer = Scorer(model)
    assert scorer.score(silent).score < scorer.score(loved_irregular).score <= scorer.score(loved).score


@pytest.mark.parametrize("items", [1, 3, 40])
def test_a_million_followers_and_no_engagement_score_at_most_5(model: Model, items: int) -> None:
    """Followers alone are not influence: however few or many items, an audience of a million
    that never reacts is worth at most 5 (bought-audience takes even that once it has evidence)."""
    silent = alike("megaphone", "twitter", items=items, followers=1_000_000, following=300)
    score = Scorer(model).score(silent)
    assert score.score <= 5.0
    assert Scorer(replace(model, flags=())).score(silent).score <= 5.0


# -- volume is not influence (new in #16): posting more of the same buys nothing ----------------
@given(features(), st.sampled_from([2, 5, 10]))
def test_posting_k_times_as_many_items_that_draw_alike_moves_a_score_less_than_a_point(
    model: Model, account: AccountFeatures, k: int
) -> None:
    """An account posting k times as many items, each drawing the same engagement from the same
    audience (k times the interaction rows), scores within 1 point of the
    original, once it has two items' worth of evidence (decayed): below that, the prior items
    hold a score down on purpose, so that one or two items cannot carry it. The same holds for
    who engaged: with no interaction rows, or with enough (50 weighted) that the credibility
    prior has faded; with fewer, more rows of the same kind still move credibility from the
    prior toward what they show. (An audience of bots alone is the exception: more of it is
    more evidence that no one credible engages, and the score falls with it.)"""
    assume(account.weighted_items >= 2)
    assume(account.incoming == 0 or (account.incoming >= 50 and account.network >= 0.05 * account.incoming))
    scorer = Scorer(model)
    assert abs(scorer.score(times(account, k)).score - scorer.score(account).score) < 1.0


@given(
    st.floats(min_value=1.0, max_value=1e7),
    st.floats(min_value=2.0, max_value=500.0),
    st.none() | st.floats(min_value=10, max_value=1e8),
)
def test_twice_the_engagement_per_item_never_ties(model: Model, per_item: float, items: float, followers) -> None:  # type: ignore[no-untyped-def]
    """Headroom: the caps are far beyond any account's typical item, so an account whose items
    draw twice as much is half a point or more ahead, up to 10 million engagements per item."""
    scorer = Scorer(replace(model, flags=()))

    def account(engagement: float) -> AccountFeatures:
        return alike(items=round(items), weighted_items=items, likes=engagement * items, followers=followers)

    assert scorer.score(account(2 * per_item)).score - scorer.score(account(per_item)).score >= 0.5


# -- promise 6: absolute scale ---------------------------------------------------------------
def _numbers(score) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    """Everything a score measured, to the bit (NaN included)."""
    return (
        score.account,
        repr(score.score),
        score.numbers.tobytes(),
        [(finding.name, repr(finding.share), repr(gamed), repr(points)) for finding, gamed, points in score.charges],
    )


def _other_transforms(model: Model) -> Model:
    """The model with each signal's transform moved along (log, sqrt, linear) and a steeper curve."""
    moved = {"log": "sqrt", "sqrt": "linear", "linear": "log"}
    signals = tuple(replace(spec, transform=moved[spec.transform]) for spec in model.signals)
    return replace(model, signals=signals, curve=2.5)


@given(st.lists(features(), min_size=1, max_size=8), st.booleans(), st.booleans())
def test_a_score_depends_only_on_the_account_itself(
    model: Model, population: list[AccountFeatures], transformed: bool, given_findings: bool
) -> None:
    """Scored all at once (as a run does, a column per signal) or one at a time, each account
    gets the same numbers to the bit: nothing of one account leaks into another's."""
    population = [replace(item, account=f"acct{at}") for at, item in enumerate(population)]
    scorer = Scorer(_other_transforms(model) if transformed else model)
    findings = [scorer.findings(replace(item, bot_share=1.0)) for item in population] if given_findings else None
    together = scorer.score_all(population, findings)
    with patch.object(scoring, "BATCH", 3):  # a run's accounts come BATCH at a time
        in_batches = scorer.score_all(population, findings)
    alone = [scorer.score(item, None if findings is None else findings[at]) for at, item in enumerate(population)]
    assert [_numbers(score) for score in together] == [_numbers(score) for score in alone]
    assert [_numbers(score) for score in in_batches] == [_numbers(score) for score in alone]
    assert [score.features for score in together] == [score.features for score in in_batches] == population


def test_a_model_made_in_code_without_signals_scores_the_base(model: Model) -> None:
    scores = Scorer(replace(model, signals=())).score_all(
        [AccountFeatures(account=name, platform="x") for name in "ab"]
    )
    assert [(score.account, score.score, len(score.numbers)) for score in scores] == [("a", 1.0, 0), ("b", 1.0, 0)]


def test_scoring_all_at_once_needs_findings_for_each_account(model: Model) -> None:
    with pytest.raises(ValueError, match="2 findings for 1 accounts"):
        Scorer(model).score_all([AccountFeatures(account="a", platform="x")], [[], []])


# -- relative mode ---------------------------------------------------------------------------
@given(st.lists(features(), min_size=2, max_size=12))
def test_relative_scores_are_percentiles_with_exact_breakdowns(model: Model, population: list[AccountFeatures]) -> None:
    scorer = Scorer(model)
    absolute = [scorer.score(replace(item, account=f"a{index}")) for index, item in enumerate(population)]
    relative = relative_scores(absolute)
    for before, after in zip(absolute, relative):
        assert 1.0 <= after.score <= 100.0
        assert abs(breakdown_total(after) - after.score) < 0.01
        assert after.absolute == before.score
    # order is kept: a higher absolute score never gets a lower relative one
    pairs = sorted(zip((item.score for item in absolute), (item.score for item in relative)))
    assert all(low[1] <= high[1] + 1e-9 for low, high in itertools.pairwise(pairs))
    best = max(absolute, key=lambda item: item.score)
    if best.score > 1.0:
        assert max(item.score for item in relative) == pytest.approx(100.0)
    lowest = min(item.score for item in absolute)
    if lowest == 1.0 or [item.score for item in absolute].count(lowest) == 1:
        assert min(item.score for item in relative) == 1.0
    # accounts that tie keep tying
    for one, other in zip(absolute, relative):
        twins = [r.score for a, r in zip(absolute, relative) if a.score == one.score]
        assert all(value == other.score for value in twins)


def test_relative_with_one_account(model: Model) -> None:
    scorer = Scorer(model)
    only = scorer.score(alike("solo", "x", items=3, weighted_items=3, likes=30))
    assert relative_scores([only])[0].score == 100.0
    nobody = scorer.score(AccountFeatures("ghost", "x"))
    assert relative_scores([nobody])[0].score == 1.0


# -- ranking and combining -------------------------------------------------------------------
def test_ranks_are_competition_ranks() -> None:
    assert competition_ranks([90.0, 80.0, 80.0, 70.0]) == [1, 2, 2, 4]
    assert competition_ranks([]) == []


def test_rank_orders_by_score_then_name(model: Model) -> None:
    scorer = Scorer(model)
    same = AccountFeatures("b", "x", items=2, weighted_items=2, likes=10)
    ranked = rank_scores([scorer.score(replace(same, account="b")), scorer.score(replace(same, account="a"))])
    assert [(rank, item.account) for rank, item in ranked] == [(1, "a"), (1, "b")]


def test_combining_one_platform_changes_nothing_but_the_label(model: Model) -> None:
    part = AccountFeatures("ana", "twitter", items=9, weighted_items=7.5, likes=80, shares=9, followers=5000)
    combined = combine_platforms([part], model)
    assert replace(combined, platform="twitter") == part
    assert score_account(combined, model).score == score_account(part, model).score


def test_combining_platforms_that_all_weigh_nothing_gives_float_zeros(model: Model) -> None:
    """Nothing counted: the sums are 0.0, as when something is, so a breakdown's raw measures
    and features keep their types (a score keeps its numbers as doubles)."""
    silent = replace(model, platforms={**model.platforms, "twitter": 0.0, "linkedin": 0.0})
    twitter = AccountFeatures("ana", "twitter", items=10, weighted_items=10, likes=100, network=3.0, incoming=4.0)
    combined = combine_platforms([twitter, replace(twitter, platform="linkedin")], silent)
    names = ("weighted_items", "likes", "shares", "replies", "clicks", "impressions", "incoming", "network")
    assert [type(getattr(combined, name)) for name in names] == [float] * len(names)
    assert combined.items == 0 and type(combined.items) is int
    score = score_account(combined, silent)
    assert [type(raw) for _, raw, _, _, _ in score.parts] == [float] * len(score.parts)
    assert score.score == 1.0


def test_combining_weights_platforms(model: Model) -> None:
    weighted = replace(model, platforms={**model.platforms, "linkedin": 0.0})
    twitter = AccountFeatures("ana", "twitter", items=10, weighted_items=10, likes=100, followers=4000, active_weeks=1)
    linkedin = AccountFeatures("ana", "linkedin", items=50, weighted_items=50, followers=9000, active_weeks=6)
    ignored = combine_platforms([twitter, linkedin], weighted)
    assert ignored.platform == "linkedin+twitter"
    assert (ignored.items, ignored.likes, ignored.followers, ignored.active_weeks) == (10, 100, 4000, 1)
    pooled = combine_platforms([twitter, linkedin], model)
    assert (pooled.items, pooled.followers, pooled.active_weeks) == (60, 13000, 7)
    # weights count relative to the heaviest platform: a lone platform is never inflated
    heavy = replace(model, platforms={**model.platforms, "twitter": 10.0, "linkedin": 5.0})
    assert replace(combine_platforms([twitter], heavy), platform="twitter") == twitter
    half = combine_platforms([twitter, linkedin], heavy)
    assert (half.followers, half.weighted_items) == (4000 + 9000 / 2, 10 + 50 / 2)
    with pytest.raises(ValueError):
        combine_platforms([twitter, replace(linkedin, account="bob")], model)


def test_scores_equal_as_shown_share_a_rank_and_are_listed_by_name(model: Model) -> None:
    scorer = Scorer(model)
    base = scorer.score(AccountFeatures("x", "t", items=5, weighted_items=5, likes=40))
    nearly = [replace(base, account="zed", score=55.551), replace(base, account="amy", score=55.549)]
    ranked = rank_scores([*nearly, replace(base, account="low", score=40.0)])
    assert [(rank, item.account) for rank, item in ranked] == [(1, "amy"), (1, "zed"), (3, "low")]
