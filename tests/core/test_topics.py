"""Topics, +K endorsements and styles in the pure core: extraction, the caps, topic scores, styles, the model."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klout_cli.core import AccountFeatures, Model, ModelError, Scorer, parse_model
from klout_cli.core.styles import Activity, TopicShare, main_topics, style_of
from klout_cli.core.topics import (
    Endorsement,
    EndorsementTally,
    TopicScorer,
    count_endorsements,
    raw_topics,
    resolve_topic,
    topics_of,
)
from klout_cli.modelfile import load_model
from tests.core.strategies import alike, features
from tests.core.test_flags import WEEKS, honest
from tests.core.test_model import DELETE, edited
from tests.core.test_scoring import breakdown_total as total


def points_of(score, signal: str) -> float:  # type: ignore[no-untyped-def]
    return next(part.points for part in score.contributions if part.signal == signal)


# -- topic extraction ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("topics", "text", "expected"),
    [
        # the topics column: ';'-separated, spaces around parts and empty parts do not matter
        ("ai", "", ("ai",)),
        (" ai ;; data ; ;python", "", ("ai", "data", "python")),
        ("Data   Science; data", "", ("data", "data science")),  # inner spaces collapse to one
        ("#Rust", "", ("rust",)),  # a leading '#' in the column is dropped
        # hashtags in the text: several, unicode letters, trailing punctuation
        ("", "#python and #Rust, then #go!", ("go", "python", "rust")),
        ("", "un #café (#Ünïcode). #日本語?", ("café", "ünïcode", "日本語")),
        ("", "ending on a hashtag: #ai.", ("ai",)),
        ("", "#1st place", ("1st",)),  # digits are fine with at least one letter
        # not hashtags: C#, HTML entities, digits only, '#' inside a word
        ("", "I write C# daily", ()),
        ("", "it&#39;s &#x27;quoted&#x27;", ()),
        ("", "we are #1 in #2024", ()),
        ("", "a#b and x#y", ()),
        ("", "see https://example.com/docs/#section and #docs", ("docs",)),  # a URL's fragment is not a topic
        ("", 'wiki/Python_(lang)#History x-#y page?q=1#top (#paren) "#quoted" a,#comma', ("comma", "paren", "quoted")),
        ("", "ＡＩ #ＡＩ", ("ai",)),  # full-width letters are the plain ones
        # case folding: #AI, ai and Ai are one topic
        ("ai;Ai", "#AI #aI", ("ai",)),
        # aliases: ml, #MachineLearning, ArtificialIntelligence are ai
        ("ml", "", ("ai",)),
        ("", "#MachineLearning", ("ai",)),
        ("ArtificialIntelligence; AI", "#ml", ("ai",)),
        # ignored: ff, #FF, followfriday, tbt, rt
        ("ff;rt", "#FF #FollowFriday #tbt", ()),
        ("ff; data", "#FF #data", ("data",)),
        # de-duplicated across the column and the text, and sorted
        ("zeta;alpha", "#Zeta #beta #alpha", ("alpha", "beta", "zeta")),
        ("", "", ()),
        # HTML entities are what they stand for; text that could not be decoded is no topic
        ("R&amp;D", "Q&amp;A on #data&amp;more", ("data", "r&d")),
        ("", "#USA_\ufffd\ufffd and #caf\ufffd, #ok", ("ok",)),
        ("ai\ufffd;ml", "", ("ai",)),
        ("", "#NationalChampions_\u064f\ufffd", ("nationalchampions",)),  # a trailing _ joins what follows
    ],
)
def test_an_items_topics_come_from_the_column_and_its_hashtags(
    model: Model, topics: str, text: str, expected: tuple[str, ...]
) -> None:
    assert topics_of(topics, text, model.topics) == expected


def test_raw_topics_keep_what_was_written_column_first() -> None:
    assert raw_topics(" AI ;; #ml ", "so #Data, C# and #1") == [" AI ", " #ml ", "Data"]
    assert raw_topics("", "") == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#AI", "ai"),
        ("  Machine   Learning ", "machine learning"),
        ("ML", "ai"),
        ("#FF", None),
        ("#", None),
        ("", None),
    ],
)
def test_resolve_topic_cleans_follows_aliases_and_drops_ignored(model: Model, raw: str, expected: str | None) -> None:
    assert resolve_topic(raw, model.topics) == expected


# -- endorsements: each cap on its own minimal case -----------------------------------------
DAY0 = 19_800  # 2024-03-19, a UTC calendar day (days since 1970-01-01)


def endorse(
    giver: str = "gil",
    target: str = "ana",
    topic: str = "ai",
    moment: float = DAY0 + 0.5,
    *,
    weight: float = 1.0,
    platform: str = "twitter",
) -> Endorsement:
    return Endorsement(giver, platform, target, platform, topic, moment, weight)


def never(giver: str, platform: str) -> bool:
    return False


def tally(
    events: list[Endorsement],
    *,
    max_per_day: int = 5,
    cooldown_days: float = 7,
    ignored: Callable[[str, str], bool] = never,
) -> dict[tuple[str, str, str], EndorsementTally]:
    return count_endorsements(events, max_per_day, cooldown_days, ignored)


def test_a_single_endorsement_counts() -> None:
    found = tally([endorse(weight=0.75)])
    assert found == {("ana", "twitter", "ai"): EndorsementTally(counted=1, weight=0.75, givers=1)}
    assert found[("ana", "twitter", "ai")].detail() == "1 of 1 endorsements counted, from 1 giver"


def test_the_daily_cap_counts_calendar_days_in_the_models_time_zone() -> None:
    """Two endorsements an hour apart across midnight UTC are on one day in New York."""
    late, early = DAY0 + 23.5 / 24, DAY0 + 24.5 / 24
    utc = [
        Endorsement("gil", "twitter", target, "twitter", "ai", moment)
        for target, moment in (("ana", late), ("bob", early))
    ]
    new_york = [replace(event, local_day=int(DAY0)) for event in utc]  # 18:30 and 19:30 there
    assert [event.day for event in utc] == [int(DAY0), int(DAY0) + 1]
    capped = count_endorsements(new_york, 1, 7, lambda giver, platform: False)
    assert sum(tally.counted for tally in capped.values()) == 1
    assert sum(tally.counted for tally in count_endorsements(utc, 1, 7, lambda g, p: False).values()) == 2


def test_the_daily_cap_counts_per_giver_per_utc_calendar_day() -> None:
    # six endorsements late on one UTC day (for six receivers): the sixth is over the cap ...
    late = [endorse(target=f"r{n}", moment=DAY0 + 0.9 + n * 0.01) for n in range(6)]
    # ... and a few hours later, on the next UTC day (not 24 hours later), the giver counts again
    next_day = endorse(target="r6", moment=DAY0 + 1 + 0.05)
    found = tally([*late, next_day])
    assert [found[(f"r{n}", "twitter", "ai")].counted for n in range(7)] == [1, 1, 1, 1, 1, 0, 1]
    assert found[("r5", "twitter", "ai")] == EndorsementTally(over_daily_cap=1)
    # the cap is the giver's: another giver on the same day is not affected
    other = tally([*late, endorse(giver="hal", target="r9", moment=DAY0 + 0.99)])
    assert other[("r9", "twitter", "ai")].counted == 1
    # a giver's platforms are separate givers (the cap counts against (giver, giver_platform))
    elsewhere = tally([*late, endorse(target="r9", moment=DAY0 + 0.99, platform="mastodon")])
    assert elsewhere[("r9", "mastodon", "ai")].counted == 1
    # the cap follows the model: 2 a day
    assert sum(item.counted for item in tally(late, max_per_day=2).values()) == 2
    assert sum(item.counted for item in tally(late, max_per_day=0).values()) == 0


def test_the_cooldown_counts_one_per_giver_receiver_and_topic() -> None:
    first = endorse(moment=DAY0 + 0.5)
    again = endorse(moment=DAY0 + 0.5 + 6.99)
    found = tally([first, again])
    assert found[("ana", "twitter", "ai")] == EndorsementTally(counted=1, weight=1.0, givers=1, repeated=1)
    # exactly cooldown_days after the one that counted, it counts again
    assert tally([first, endorse(moment=DAY0 + 0.5 + 7)])[("ana", "twitter", "ai")].counted == 2
    # the cooldown runs from the endorsement that counted, not from the one left out
    three = tally([first, endorse(moment=DAY0 + 3.5), endorse(moment=DAY0 + 7.5)])
    assert (three[("ana", "twitter", "ai")].counted, three[("ana", "twitter", "ai")].repeated) == (2, 1)
    # another topic or another receiver is not a repeat
    mixed = tally([first, endorse(topic="data", moment=DAY0 + 0.6), endorse(target="bob", moment=DAY0 + 0.7)])
    assert [item.counted for item in mixed.values()] == [1, 1, 1]
    # no cooldown: only the daily cap holds
    assert tally([first, again], cooldown_days=0)[("ana", "twitter", "ai")].counted == 2


def test_self_endorsements_never_count() -> None:
    found = tally([endorse(giver="ana", target="ana"), endorse(giver="ana", target="ana", moment=DAY0 + 10)])
    assert found == {("ana", "twitter", "ai"): EndorsementTally(self_endorsed=2)}
    assert found[("ana", "twitter", "ai")].detail() == "none of 2 endorsements counted; left out 2 self-endorsed"


def test_ignored_givers_never_count_and_the_callback_gets_giver_and_platform() -> None:
    asked: list[tuple[str, str]] = []

    def sock(giver: str, platform: str) -> bool:
        asked.append((giver, platform))
        return giver == "sock"

    found = tally([endorse(giver="sock"), endorse(giver="gil", moment=DAY0 + 0.6)], ignored=sock)
    assert found[("ana", "twitter", "ai")] == EndorsementTally(counted=1, weight=1.0, givers=1, ignored_givers=1)
    assert sorted(asked) == [("gil", "twitter"), ("sock", "twitter")]
    assert found[("ana", "twitter", "ai")].detail() == (
        "1 of 2 endorsements counted, from 1 giver; left out 1 from flagged or low-score givers"
    )


def test_a_flood_of_100_in_a_day_counts_as_one() -> None:
    flood = [endorse(moment=DAY0 + n / 200, weight=1 - n / 1000) for n in range(100)]
    found = tally(flood)
    assert found == {("ana", "twitter", "ai"): EndorsementTally(counted=1, weight=1.0, givers=1, repeated=99)}
    assert found[("ana", "twitter", "ai")].received == 100
    assert found[("ana", "twitter", "ai")].detail() == (
        "1 of 100 endorsements counted, from 1 giver; left out 99 repeated within the cooldown"
    )
    # with no cooldown, the daily cap still stops it at max_per_day
    capped = tally(flood, cooldown_days=0)[("ana", "twitter", "ai")]
    assert (capped.counted, capped.over_daily_cap, capped.weight) == (
        5,
        95,
        pytest.approx(1 + 0.999 + 0.998 + 0.997 + 0.996),
    )


def test_received_adds_up_weight_sums_the_counted_and_detail_names_every_reason() -> None:
    events = [
        endorse(giver="gil", moment=DAY0 + 0.10, weight=0.5),  # counted
        endorse(giver="gil", moment=DAY0 + 0.20, weight=0.9),  # repeated within the cooldown
        endorse(giver="hal", moment=DAY0 + 0.30, weight=0.25),  # counted
        endorse(giver="ana", moment=DAY0 + 0.40),  # self-endorsed
        endorse(giver="sock", moment=DAY0 + 0.50),  # ignored giver
        *[endorse(giver="jim", target=f"x{n}", moment=DAY0 + 0.01 * n) for n in range(5)],  # jim's 5 for today
        endorse(giver="jim", moment=DAY0 + 0.60),  # over jim's daily cap
    ]
    found = tally(events, ignored=lambda giver, platform: giver == "sock")[("ana", "twitter", "ai")]
    assert found == EndorsementTally(
        counted=2, weight=0.75, givers=2, over_daily_cap=1, repeated=1, self_endorsed=1, ignored_givers=1
    )
    assert found.received == 6
    assert found.detail() == (
        "2 of 6 endorsements counted, from 2 givers; left out 1 over a giver's daily cap, "
        "1 repeated within the cooldown, 1 self-endorsed, 1 from flagged or low-score givers"
    )
    assert EndorsementTally().detail() == "no endorsements"
    assert (
        EndorsementTally(over_daily_cap=1).detail()
        == "none of 1 endorsement counted; left out 1 over a giver's daily cap"
    )


@st.composite
def endorsements(draw: st.DrawFn) -> list[Endorsement]:
    """Random endorsements among three accounts on two topics over about ten days; an endorsement's
    weight follows from its moment (its decay by age), as the rows give it."""
    names = st.sampled_from(["ana", "bob", "cy"])
    found = []
    for _ in range(draw(st.integers(0, 30))):
        moment = DAY0 + draw(st.integers(0, 40)) / 4
        found.append(
            Endorsement(
                giver=draw(names),
                giver_platform=draw(st.sampled_from(["twitter", "twitter", "mastodon"])),
                target=draw(names),
                platform="twitter",
                topic=draw(st.sampled_from(["ai", "data"])),
                moment=moment,
                weight=0.5 ** ((DAY0 + 10 - moment) / 30),
            )
        )
    return found


@given(endorsements(), st.randoms(use_true_random=False), st.integers(0, 3), st.sampled_from([0, 1, 2.5, 7]))
def test_the_tally_does_not_depend_on_the_order_of_the_endorsements(
    events: list[Endorsement], random: object, max_per_day: int, cooldown: float
) -> None:
    def cy_is_flagged(giver: str, platform: str) -> bool:
        return giver == "cy" and platform == "mastodon"

    expected = count_endorsements(events, max_per_day, cooldown, cy_is_flagged)
    shuffled = list(events)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert count_endorsements(shuffled, max_per_day, cooldown, cy_is_flagged) == expected
    assert sum(item.received for item in expected.values()) == len(events)
    for item in expected.values():
        assert item.givers <= item.counted and (item.weight > 0) == (item.counted > 0)


def test_the_tally_does_not_depend_on_order_when_only_the_weights_differ() -> None:
    full = Endorsement("gil", "", "ana", "linkedin+twitter", "ai", DAY0 + 0.5, 1.0)
    half = replace(full, weight=0.5)
    assert tally([full, half]) == tally([half, full])


# -- topic scores ------------------------------------------------------------------------------
#: A topic's items that earn nearly everything: saturated but for activity (two weeks missing).
NEAR_TOP = alike(
    "star", "twitter", items=50, weighted_items=40.0, likes=4e8, shares=1e8, replies=1e7,
    active_weeks=WEEKS & ~0b11, peak_item=1e7,
)  # fmt: skip


def test_endorsement_points_stop_at_max_points_and_the_score_at_100(model: Model) -> None:
    scorer = TopicScorer(model)
    nothing = AccountFeatures("ana", "twitter")
    flood = EndorsementTally(counted=10_000, weight=10_000.0, givers=500)
    alone = scorer.score("ai", nothing, [], flood)
    assert points_of(alone, "endorsements") == model.endorsements.max_points == 10
    assert alone.score == 1 + 10
    # at the cap (50 counted endorsements) they earn all of max_points, and on a log scale below it
    assert scorer.endorsement_points(EndorsementTally(counted=50, weight=50.0)) == (1.0, 10.0)
    one = scorer.endorsement_points(EndorsementTally(counted=1, weight=1.0))
    assert one[1] == pytest.approx(10 * math.log(2) / math.log(51))
    # on items that already score near 100, endorsements fill up to 100 and no further
    items_only = scorer.score("ai", NEAR_TOP, [])
    assert 90 < items_only.score < 100
    topped = scorer.score("ai", NEAR_TOP, [], flood)
    assert topped.score == 100.0
    assert points_of(topped, "endorsements") == pytest.approx(100 - items_only.score)
    assert total(topped) == pytest.approx(100.0, abs=1e-9)


@given(features(), st.floats(min_value=0, max_value=1e4), st.integers(0, 60))
def test_a_topic_score_is_in_range_and_its_breakdown_exact(
    model: Model, account: AccountFeatures, weight: float, counted: int
) -> None:
    findings = Scorer(model).findings(account)
    found = TopicScorer(model).score("ai", account, findings, EndorsementTally(counted=counted, weight=weight))
    assert 1.0 <= found.score <= 100.0
    assert math.isclose(total(found), found.score, rel_tol=0, abs_tol=1e-9)
    endorsed = points_of(found, "endorsements")
    assert 0.0 <= endorsed <= model.endorsements.max_points
    # the account-wide signals earn nothing in a topic score, whatever the audience and network
    assert points_of(found, "reach") == points_of(found, "network_impact") == 0.0
    assert found.flags == tuple(item.name for item in findings)


@given(features(), st.floats(min_value=0, max_value=2e8), st.floats(min_value=0, max_value=1e4))
def test_audience_and_network_never_change_a_topic_score(
    model: Model, account: AccountFeatures, followers: float, network: float
) -> None:
    scorer = TopicScorer(model)
    plain = replace(account, followers=None, network=0.0)
    wide = replace(account, followers=followers, network=network)
    assert scorer.score("ai", wide, []).score == scorer.score("ai", plain, []).score


def topic_items(**changes: object) -> AccountFeatures:
    """Ten well-engaged items on one topic, as ingest measures them (no audience, no interactions)."""
    counts = {
        name: changes.pop(name) for name in ("likes", "shares", "replies", "items", "weighted_items") if name in changes
    }
    base = alike(
        "honest", "twitter", items=counts.get("items", 10), weighted_items=counts.get("weighted_items", 8.0),
        likes=counts.get("likes", 60 * 8.0), shares=counts.get("shares", 8 * 8.0),
        replies=counts.get("replies", 3 * 8.0), active_weeks=WEEKS, busiest_day=2, peak_item=240,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("flag", "account", "gamed"),
    [
        ("bot-amplified", honest(bot_share=0.8), 0.8),
        (
            "pod",
            honest(ring_share=0.9, ring_size=6, ring_density=1.0, incoming=2000.0, likes=10 * 30.0, shares=2 * 30.0),
            0.9,
        ),
    ],
)
def test_an_accounts_flags_take_the_same_gamed_share_off_its_topic_scores(
    model: Model, flag: str, account: AccountFeatures, gamed: float
) -> None:
    findings = Scorer(model).findings(account)
    assert [item.name for item in findings] == [flag]
    scorer = TopicScorer(model)
    clean = scorer.score("ai", topic_items(), [])
    flagged = scorer.score("ai", topic_items(), findings)
    (penalty,) = flagged.penalties
    assert penalty.name == flag and penalty.points < -5
    assert flagged.score == pytest.approx(clean.score + penalty.points)
    # what is left is what the items earn without the gamed share of their engagement
    kept = 1 - gamed
    organic = topic_items(likes=kept * 60 * 8.0, shares=kept * 8 * 8.0, replies=kept * 3 * 8.0, peak_item=kept * 240)
    assert flagged.score == pytest.approx(scorer.score("ai", organic, []).score)
    assert math.isclose(total(flagged), flagged.score, abs_tol=1e-9)


def test_topic_scores_take_the_accounts_flags_not_flags_detected_from_the_topics_items(model: Model) -> None:
    # a topic's items alone look like spam volume (many on one day, little engagement) ...
    spammy = topic_items(
        items=200, weighted_items=150.0, likes=15.0, shares=0.0, replies=0.0, busiest_day=120, busy_days=10
    )
    assert "spam-volume" in [item.name for item in Scorer(model).findings(spammy)]
    # ... but the account is not flagged, so its topic score is not either
    assert TopicScorer(model).score("ai", spammy, []).penalties == ()


def test_a_model_weighting_only_account_wide_signals_scores_topics_by_endorsements_alone() -> None:
    model = parse_model(
        edited(
            signals__engagement__weight=0,
            signals__amplification__weight=0,
            signals__activity__weight=0,
            signals__true_reach__weight=0,
        )
    )
    scorer = TopicScorer(model)
    assert scorer.score("ai", NEAR_TOP, []).score == 1.0
    endorsed = EndorsementTally(counted=3, weight=2.5, givers=3)
    found = scorer.score("ai", NEAR_TOP, Scorer(model).findings(honest(bot_share=0.8)), endorsed)
    assert found.score == 1.0 + scorer.endorsement_points(endorsed)[1]
    assert found.score == pytest.approx(1.0 + 10 * math.log1p(2.5) / math.log1p(50), rel=1e-12)
    assert all(part.points == 0 for part in found.contributions if part.signal != "endorsements")


# -- styles ------------------------------------------------------------------------------------
def activity(
    items: int = 10,
    *,
    replies: int = 0,
    shared: int = 0,
    followers: float | None = 2000,
    engagement: float = 20.0,
    shares: float = 2.0,
    topics: tuple[TopicShare, ...] = (),
    focused: int = 0,
) -> Activity:
    """An account's activity: `replies` and `shared` of its `items` are replies and shares, the rest posts;
    `focused` of them carry one of its main topics."""
    return Activity(
        features=AccountFeatures(
            "acct", "twitter", items=items, reply_items=replies, share_items=shared, followers=followers
        ),
        engagement_per_item=engagement,
        shares_per_item=shares,
        topics=topics,
        focused_items=focused,
    )


#: Focused on ai and data: 9 of its 10 items carry one of them, and it scores 45 on ai.
FOCUSED = (TopicShare("ai", 8, 45.0), TopicShare("data", 1, 20.0))

STYLE_CASES = {
    "observer": (activity(3), activity(4)),
    # a huge audience, high engagement in absolute terms, little per follower ...
    "celebrity": (
        activity(followers=1_000_000, engagement=400.0),
        # ... but not with 6 engagements per 1,000 followers (the most is 5)
        activity(followers=100_000, engagement=600.0),
    ),
    "conversationalist": (activity(replies=5), activity(replies=4)),
    "curator": (activity(shared=5), activity(shared=4)),
    "specialist": (
        activity(topics=FOCUSED, focused=9),
        # focused, but its best topic scores below min_topic_score
        activity(topics=(TopicShare("ai", 8, 29.9), TopicShare("data", 1, 20.0)), focused=9),
    ),
    "broadcaster": (activity(replies=2, shared=2, shares=25.0), activity(replies=2, shared=2, shares=24.9)),
    "contributor": (activity(replies=3, shared=3), activity(replies=5, shared=3)),
}


@pytest.mark.parametrize("style", list(STYLE_CASES))
def test_each_style_on_a_minimal_case_and_a_near_miss(model: Model, style: str) -> None:
    fits, near_miss = STYLE_CASES[style]
    assert style_of(fits, model.styles).name == style
    assert style_of(near_miss, model.styles).name != style


def test_more_specialist_near_misses(model: Model) -> None:
    # items on no main topic dilute the focus: 9 of 14 items (64%) is below min_focus (70%)
    assert style_of(activity(14, topics=FOCUSED, focused=9), model.styles).name == "contributor"
    # items only on topics beyond max_topics (2) count against the focus: 7 of 12 items (58%)
    spread = (
        TopicShare("ai", 4, 45.0),
        TopicShare("data", 3, 40.0),
        TopicShare("rust", 3, 35.0),
        TopicShare("go", 2, 30.0),
    )
    assert style_of(activity(12, topics=spread, focused=7), model.styles).name == "contributor"
    # the best score is taken among its main topics by items, not from a topic it barely touched
    narrow = (TopicShare("ai", 5, 10.0), TopicShare("data", 4, 12.0), TopicShare("rust", 1, 90.0))
    assert style_of(activity(10, topics=narrow, focused=9), model.styles).name == "contributor"
    # an account with no topics is never a specialist
    assert style_of(activity(10, topics=()), model.styles).name == "contributor"
    # max_topics follows the model: with 3, the spread account above is focused
    wider = replace(model, styles={**model.styles, "specialist": {**model.styles["specialist"], "max_topics": 3.0}})
    assert style_of(activity(12, topics=spread, focused=10), wider.styles).name == "specialist"
    assert [item.topic for item in main_topics(spread, 3)] == ["ai", "data", "rust"]


@pytest.mark.parametrize(
    ("both", "first"),
    [
        # a conversationalist that is also focused is a conversationalist
        (activity(replies=6, topics=FOCUSED, focused=9), "conversationalist"),
        # a curator that is also focused is a curator
        (activity(shared=6, topics=FOCUSED, focused=9), "curator"),
        # a focused broadcaster is a specialist
        (activity(shares=80.0, topics=FOCUSED, focused=9), "specialist"),
        # a celebrity with hardly any items is a celebrity; one who mostly replies too
        (activity(2, followers=1_000_000, engagement=400.0), "celebrity"),
        (activity(replies=8, followers=1_000_000, engagement=400.0), "celebrity"),
    ],
)
def test_styles_are_tried_in_the_models_order(model: Model, both: Activity, first: str) -> None:
    assert list(model.styles) == ["celebrity", "observer", "conversationalist", "curator", "specialist", "broadcaster"]
    assert style_of(both, model.styles).name == first


@pytest.mark.parametrize(
    ("case", "evidence"),
    [
        (activity(2), "2 items in the window (at most 3)"),
        (activity(1), "1 item in the window (at most 3)"),
        (
            activity(followers=1_000_000, engagement=400.0),
            "1,000,000 followers and 400.0 weighted engagements per item, but 0.40 per 1,000 followers",
        ),
        (activity(replies=6), "6 of its 10 items are replies (60%)"),
        (activity(shared=7), "7 of its 10 items are shares of others' content (70%)"),
        (activity(topics=FOCUSED, focused=9), "9 of its 10 items (90%) are on ai, data; it scores 45.0 on ai"),
        (
            activity(replies=1, shared=2, shares=31.25),
            "7 of its 10 items are original posts (70%), shared 31.2 times per item",
        ),
        (
            activity(replies=3, shared=3, shares=4.5),
            "no style's thresholds met: 4 posts, 3 replies, 3 shares, shared 4.5 times per item, on 0 topics",
        ),
    ],
)
def test_style_evidence_gives_the_numbers(model: Model, case: Activity, evidence: str) -> None:
    assert style_of(case, model.styles).evidence == evidence


# -- the model's topics, endorsements and styles sections -------------------------------------
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"topics__aliases": {"a": "b", "b": "a"}}, "topics.aliases.a: a loop of aliases (a -> b -> a)"),
        ({"topics__ignore": "ff"}, "topics.ignore: must be a list of topics, got 'ff'"),
        ({"topics__ignore": ["ff", " # "]}, "topics.ignore[1]: an empty topic name"),
        ({"topics__aliases": {"x": ""}}, "topics.aliases.x: an empty topic name"),
        ({"topics__aliases": {"#": "ai"}}, "topics.aliases.'#': an empty topic name"),
        ({"topics__aliases": {"x": ["ai"]}}, "topics.aliases.x: must be a topic name, got a list"),
        ({"topics__aliases": ["ml"]}, "topics.aliases: must be a mapping of keys to values, got a list"),
        (
            {"topics__aliases": {"ml": "ai", "ML": "ai"}},
            "topics.aliases.ML: given twice (topics match case-insensitively)",
        ),
        ({"topics__alias": {}}, "topics.alias: unknown key (did you mean 'aliases'?)"),
        ({"endorsements__max_per_day": 1.5}, "endorsements.max_per_day: must be a whole number >= 0, got 1.5"),
        ({"endorsements__max_per_day": "5"}, "endorsements.max_per_day: must be a whole number >= 0, got '5'"),
        ({"endorsements__max_per_day": True}, "endorsements.max_per_day: must be a whole number >= 0, got True"),
        ({"endorsements__max_per_day": -1}, "endorsements.max_per_day: must be a whole number >= 0, got -1"),
        (
            {"endorsements__max_points": 100},
            "endorsements.max_points: 100 is more than the 99 points a score has above 1",
        ),
        ({"endorsements__min_giver_score": 101}, "endorsements.min_giver_score: scores go up to 100, got 101"),
        ({"endorsements__cooldown_days": -1}, "endorsements.cooldown_days: must not be negative, got -1"),
        ({"endorsements__cap": 0}, "endorsements.cap: must be greater than 0"),
        ({"endorsements__max_per_dya": 5}, "endorsements.max_per_dya: unknown key (did you mean 'max_per_day'?)"),
        ({"endorsements__cap": DELETE}, "endorsements.cap: missing"),
        (
            {"styles__conversationalist__min_reply_share": 1.5},
            "styles.conversationalist.min_reply_share: must be between 0 and 1, got 1.5",
        ),
        ({"styles__specialist__min_focus": 2}, "styles.specialist.min_focus: must be between 0 and 1, got 2"),
        ({"styles__specialist__max_topics": 0}, "styles.specialist.max_topics: must be a whole number from 1, got 0"),
        (
            {"styles__specialist__max_topics": 1.5},
            "styles.specialist.max_topics: must be a whole number from 1, got 1.5",
        ),
        ({"styles__celebrty": {}}, "styles.celebrty: unknown key (did you mean 'celebrity'?)"),
        (
            {"styles__celebrity__min_folowers": 1},
            "styles.celebrity.min_folowers: unknown key (did you mean 'min_followers'?)",
        ),
        ({"styles__observer__max_items": "few"}, "styles.observer.max_items: must be a number, got 'few'"),
    ],
)
def test_topic_endorsement_and_style_mistakes_name_the_key_path(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ModelError) as caught:
        parse_model(edited(**changes))
    assert str(caught.value) == message


def test_an_ignored_topic_is_dropped_as_written_and_as_aliased() -> None:
    model = parse_model(edited(topics__ignore=["ml", "rust"], topics__aliases={"ml": "ai", "rs": "rust"}))
    assert topics_of("ml;rs;ai", "#ML #RS #AI", model.topics) == ("ai",)  # ai stays: only `ml` as written is ignored


def test_alias_names_are_folded_where_the_model_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("topics:\n  aliases:\n    ML: ml\n    '#Py': python\n", encoding="utf-8")
    spec = load_model(str(path)).model.topics
    assert resolve_topic("#ml", spec) == "ml" and resolve_topic("py", spec) == "python"
    path.write_text("topics:\n  aliases:\n    ML: ml\n    ml: ai\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"topics\.aliases: a topic is given twice"):
        load_model(str(path))


def test_a_celebrity_threshold_of_0_followers_never_divides_by_0(model: Model) -> None:
    styles = {**model.styles, "celebrity": {**model.styles["celebrity"], "min_followers": 0.0}}
    assert style_of(activity(followers=None, engagement=400.0), styles).name != "celebrity"
    assert style_of(activity(followers=0, engagement=400.0), styles).name != "celebrity"


def test_alias_chains_are_followed_to_their_end() -> None:
    model = parse_model(edited(topics__aliases={"ml": "ai", "ai": "artificial", "a": "b", "b": "c", "c": "c"}))
    assert model.topics.aliases["ml"] == "artificial"
    assert model.topics.aliases["a"] == "c"
    assert resolve_topic("#ML", model.topics) == resolve_topic("AI", model.topics) == "artificial"


def test_a_self_alias_undoes_a_default_alias_and_others_join_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("topics:\n  aliases:\n    ml: ml\n    py: python\n", encoding="utf-8")
    spec = load_model(str(path)).model.topics
    assert resolve_topic("ml", spec) == "ml"
    assert resolve_topic("#MachineLearning", spec) == "ai"  # the other defaults stay
    assert resolve_topic("#Py", spec) == "python"
    assert topics_of("ml;py", "#ArtificialIntelligence", spec) == ("ai", "ml", "python")


def test_an_ignore_list_replaces_the_default_one(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("topics:\n  ignore: [News]\n", encoding="utf-8")
    spec = load_model(str(path)).model.topics
    assert spec.ignore == frozenset({"news"})
    assert topics_of("ff;news", "#NEWS #tbt", spec) == ("ff", "tbt")


def test_model_file_errors_name_the_file_and_the_key_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("endorsements:\n  max_points: 120\n", encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load_model(str(path))
    assert str(caught.value) == f"{path}: endorsements.max_points: 120 is more than the 99 points a score has above 1"


@given(
    st.lists(
        st.tuples(features(), st.sampled_from(["ai", "cooking"]), st.none() | st.floats(min_value=0, max_value=500)),
        min_size=1,
        max_size=6,
    )
)
def test_topic_scores_made_all_at_once_are_each_made_alone(
    model: Model, drawn: list[tuple[AccountFeatures, str, float | None]]
) -> None:
    """A run scores every (account, topic) at once; each is the topic score it would get alone."""
    scorer, accounts = TopicScorer(model), Scorer(model)
    topics = [topic for _, topic, _ in drawn]
    items = [replace(item, account=f"acct{at}") for at, (item, _, _) in enumerate(drawn)]
    findings = [accounts.findings(item) for item in items]
    tallies = [None if weight is None else EndorsementTally(counted=1, weight=weight, givers=1) for *_, weight in drawn]
    together = scorer.score_all(topics, items, findings, tallies)
    alone = [scorer.score(*entry) for entry in zip(topics, items, findings, tallies)]
    shown = [(score.account, score.topic, repr(score.score), score.parts, score.flags) for score in together]
    assert shown == [(score.account, score.topic, repr(score.score), score.parts, score.flags) for score in alone]
