"""Topics, +K endorsements and styles from the command line: compute/rank --topic, kscore topics, explain."""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from tests.cli.helpers import SCORE_COLUMNS, error_line, header_of, ok, pairs, records, rows_in, usage_error

AS_OF = "2024-03-10T12:00:00Z"
AS_OF_TIME = datetime(2024, 3, 10, 12, tzinfo=timezone.utc)
TOPIC_COLUMNS = [
    "rank", "account", "platform", "topic", "score", "engagement", "amplification", "activity", "true_reach",
    "endorsements", "items", "flags",
]  # fmt: skip

#: Facts the tests rely on, readable from the rows: ana has three items on ai on twitter (a topics
#: cell, a #ML hashtag, an #AI hashtag beside the `data` cell), one on linkedin, and one untagged;
#: bob replied to ana with #ai?; cy posts on data and python; dan and gil tag nothing; eve mostly
#: replies; gil's posts are engaged with far more than anyone's (its score is well above
#: endorsements.min_giver_score). All inside the window, as of AS_OF.
TOPICS_CSV = """\
account,timestamp,platform,kind,post_id,target,likes,shares,replies,followers,topics,text
ana,2024-03-01T10:00:00Z,twitter,post,a1,,40,6,3,2000,ai,
ana,2024-03-03T10:00:00Z,twitter,post,a2,,30,4,2,2000,,loving #ML today
ana,2024-03-05T10:00:00Z,twitter,post,a3,,10,1,0,2000,data,#AI and data
ana,2024-03-06T10:00:00Z,twitter,post,a4,,12,2,1,2000,,no tags
ana,2024-03-09T10:00:00Z,linkedin,post,l1,,15,2,1,700,AI,
bob,2024-03-02T10:00:00Z,twitter,post,b1,,5,0,1,500,python,
bob,2024-03-04T10:00:00Z,twitter,reply,b2,ana,2,0,0,500,,#ai?
cy,2024-03-06T10:00:00Z,linkedin,post,c1,,25,3,1,900,data;python,
dan,2024-03-07T10:00:00Z,twitter,post,d1,,3,0,0,100,,no tags here
eve,2024-03-02T10:00:00Z,mastodon,reply,e1,ana,4,0,1,300,,
eve,2024-03-03T10:00:00Z,mastodon,reply,e2,bob,3,0,0,300,,
eve,2024-03-04T10:00:00Z,mastodon,reply,e3,cy,5,1,0,300,,
eve,2024-03-05T10:00:00Z,mastodon,post,e4,,6,0,0,300,,
gil,2024-03-02T10:00:00Z,twitter,post,g1,,200,40,10,8000,,
gil,2024-03-04T10:00:00Z,twitter,post,g2,,180,35,9,8000,,
gil,2024-03-08T10:00:00Z,twitter,post,g3,,220,50,12,8000,,
"""
#: ana's three twitter items on ai, and nothing else.
ANA_AI_CSV = "\n".join(TOPICS_CSV.splitlines()[:4]) + "\n"
#: The model a topic score applies: the account-wide signals weigh 0.
ITEMS_ONLY_YAML = "name: items only\nsignals:\n  reach: {weight: 0}\n  network_impact: {weight: 0}\n"


def endorse(giver: str, target: str, topics: str, when: str = "2024-03-10T00:00:00Z", platform: str = "twitter") -> str:
    return f"{giver},{when},{platform},endorse,,{target},0,0,0,,{topics},\n"


def endorsement_points(days_old: float) -> float:
    """What one counted endorsement this old earns under the default model (max_points 10, cap 50)."""
    weight = 0.5 ** (days_old / 30)
    return 10 * math.log1p(weight) / math.log1p(50)


def by_pair(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(row["account"], row["platform"]): row for row in rows}


@pytest.fixture
def computed(kscore, write):
    """TOPICS_CSV computed and saved as run 1, as of AS_OF; returns what compute printed (csv)."""
    result = ok(kscore("compute", write("t.csv", TOPICS_CSV), "--as-of", AS_OF, "-f", "csv"))
    assert "saved run 1" in result.stderr
    return records(result.stdout)


# -- compute: style, --topic -------------------------------------------------------------------
@pytest.mark.parametrize("use_stdin", [False, True])
def test_compute_prints_each_accounts_style(kscore, source, use_stdin):
    arg, data, _ = source("t.csv", TOPICS_CSV, use_stdin)
    result = ok(kscore("compute", arg, "--as-of", AS_OF, "--no-save", "-f", "csv", input=data))
    assert header_of(result.stdout) == SCORE_COLUMNS
    styles = {pair: row["style"] for pair, row in by_pair(records(result.stdout)).items()}
    assert styles == {
        ("gil", "twitter"): "observer",  # 3 items: at most styles.observer.max_items
        ("ana", "twitter"): "specialist",  # 4 of its 5 topic tags on ai and data, and it scores over 30 on ai
        ("ana", "linkedin"): "observer",
        ("cy", "linkedin"): "observer",
        ("eve", "mastodon"): "conversationalist",  # 3 of its 4 items are replies
        ("bob", "twitter"): "observer",
        ("dan", "twitter"): "observer",
    }


@pytest.mark.parametrize("use_stdin", [False, True])
def test_compute_topic_ranks_the_accounts_that_touched_it(kscore, source, use_stdin):
    arg, data, _ = source("t.csv", TOPICS_CSV, use_stdin)
    outputs = set()
    for spelling in ("ai", "AI", "#ai", "ml", "#MachineLearning"):
        result = ok(kscore("compute", arg, "--as-of", AS_OF, "--no-save", "--topic", spelling, "-f", "csv", input=data))
        outputs.add(result.stdout)
    (stdout,) = outputs  # every spelling of the topic gives the same ranking
    assert header_of(stdout) == TOPIC_COLUMNS
    rows = records(stdout)
    assert pairs(rows) == [("ana", "twitter"), ("ana", "linkedin"), ("bob", "twitter")]
    assert [(row["rank"], row["topic"], row["items"], row["flags"]) for row in rows] == [
        ("1", "ai", "3", ""),
        ("2", "ai", "1", ""),
        ("3", "ai", "1", ""),
    ]
    scores = [float(row["score"]) for row in rows]
    assert scores == sorted(scores, reverse=True) and all(1 <= value <= 100 for value in scores)
    assert all(float(row["endorsements"]) == 0 for row in rows)


def test_a_topic_score_is_the_model_applied_to_the_topics_items_alone(kscore, write):
    # ana's ai items scored on their own as an account, under a model where reach and network_impact
    # weigh 0, are exactly ana's score on ai: the same signals, the same points
    topic = by_pair(
        records(
            ok(kscore("compute", write("t.csv", TOPICS_CSV), "--as-of", AS_OF, "--no-save", "--topic", "ai")).stdout
        )
    )[("ana", "twitter")]
    model = write("items-only.yaml", ITEMS_ONLY_YAML)
    control = records(
        ok(kscore("compute", write("ana.csv", ANA_AI_CSV), "--as-of", AS_OF, "--no-save", "--model", model)).stdout
    )
    assert [row["account"] for row in control] == ["ana"]
    for column in ("score", "engagement", "amplification", "activity", "true_reach", "items"):
        assert topic[column] == control[0][column], column
    # ... and not the account's overall score, which counts its untagged item and its audience
    overall = by_pair(records(ok(kscore("compute", "t.csv", "--as-of", AS_OF, "--no-save")).stdout))
    assert overall[("ana", "twitter")]["score"] != topic["score"]


# -- rank --topic: from the store, and from files -----------------------------------------------
def test_rank_topic_from_the_store_matches_compute(kscore, computed):
    from_store = ok(kscore("rank", "--topic", "AI", "-f", "csv"))
    from_file = ok(kscore("compute", "t.csv", "--as-of", AS_OF, "--no-save", "--topic", "ai", "-f", "csv"))
    assert from_store.stdout == from_file.stdout
    assert header_of(from_store.stdout) == TOPIC_COLUMNS
    title = ok(kscore("rank", "--topic", "ai", "-f", "table")).stdout.splitlines()[0]
    assert "3 scores on ai" in title and "run 1" in title


def test_rank_topic_filters_and_renumbers(kscore, computed):
    everything = records(ok(kscore("rank", "--topic", "ai", "-f", "csv")).stdout)
    top = records(ok(kscore("rank", "--topic", "ai", "--top", "1", "-f", "csv")).stdout)
    assert pairs(top) == pairs(everything)[:1]
    values = [float(row["score"]) for row in everything]
    threshold = (values[1] + values[2]) / 2
    kept = records(ok(kscore("rank", "--topic", "ai", "--min-score", f"{threshold:.4f}", "-f", "csv")).stdout)
    assert pairs(kept) == pairs(everything)[:2]
    linkedin = records(ok(kscore("rank", "--topic", "ai", "--platform", "LinkedIn", "-f", "csv")).stdout)
    assert [(row["rank"], row["account"], row["platform"]) for row in linkedin] == [("1", "ana", "linkedin")]
    assert linkedin[0]["score"] == everything[1]["score"]
    python = records(ok(kscore("rank", "--topic", "#Python", "-f", "csv")).stdout)
    assert pairs(python) == [("cy", "linkedin"), ("bob", "twitter")]


@pytest.mark.parametrize("use_stdin", [False, True])
def test_rank_file_topic_scores_without_saving(kscore, source, db, use_stdin):
    arg, data, _ = source("t.csv", TOPICS_CSV, use_stdin)
    ranked = ok(kscore("rank", arg, "--as-of", AS_OF, "--topic", "ml", "-f", "csv", input=data))
    computed = ok(kscore("compute", arg, "--as-of", AS_OF, "--no-save", "--topic", "ai", "-f", "csv", input=data))
    assert ranked.stdout == computed.stdout
    assert not db.exists()


def test_an_unknown_topic_is_one_line_naming_it_with_a_suggestion(kscore, computed):
    assert error_line(kscore("rank", "--topic", "pythn")) == (
        "no account has items or endorsements on topic 'pythn' in run 1 (did you mean: python?)"
    )
    assert error_line(kscore("rank", "t.csv", "--topic", "#Pythn")) == (
        "no account has items or endorsements on topic 'pythn' in the files (did you mean: python?)"
    )
    assert error_line(kscore("rank", "--topic", "gardening")) == (
        "no account has items or endorsements on topic 'gardening' in run 1 (3 topics: ai, data, python)"
    )


@pytest.mark.parametrize("spelling", ["ff", "#FF", "FollowFriday", " # "])
def test_an_ignored_or_empty_topic_is_a_usage_error(kscore, computed, spelling):
    stderr = usage_error(kscore("rank", "--topic", spelling))
    assert f"--topic '{spelling}' is an empty or ignored topic (see topics.ignore in the model)" in stderr
    assert f"--topic '{spelling}' is an empty or ignored topic" in usage_error(
        kscore("rank", "t.csv", "--topic", spelling)
    )


def test_an_accounts_flags_carry_over_to_its_topic_scores(kscore, write):
    # sam posts 21 items nobody reacts to on each of three days (untagged), and two weakly engaged
    # ones on ai: spam-volume fires on the account, and takes the activity its ai items earned off
    # its ai score (under a model that weighs activity: the default does not)
    spam = "".join(
        f"sam,2024-03-0{day}T{hour:02}:00:00Z,twitter,post,s{day}{hour},,0,0,0,150,,\n"
        for day in (6, 7, 8)
        for hour in range(21)
    )
    on_ai = "".join(f"sam,2024-03-0{day}T10:00:00Z,twitter,post,sa{day},,5,1,0,150,ai,\n" for day in (1, 5))
    name = write("t.csv", TOPICS_CSV + spam + on_ai)
    active = write("active.yaml", "signals:\n  activity: {weight: 5}\n")
    overall = by_pair(records(ok(kscore("compute", name, "--as-of", AS_OF, "--no-save", "--model", active)).stdout))
    assert overall[("sam", "twitter")]["flags"] == "spam-volume"
    topic = ok(kscore("compute", name, "--as-of", AS_OF, "--no-save", "--topic", "ai", "--model", active))
    sam = by_pair(records(topic.stdout))[("sam", "twitter")]
    assert sam["flags"] == "spam-volume"
    # the same two items alone are not flagged (two items on their busiest day)
    header = TOPICS_CSV.splitlines()[0] + "\n"
    model = write("items-only.yaml", ITEMS_ONLY_YAML + "  activity: {weight: 5}\n")
    (control,) = records(
        ok(kscore("compute", write("sam.csv", header + on_ai), "--as-of", AS_OF, "--no-save", "--model", model)).stdout
    )
    assert control["flags"] == ""
    assert sam["activity"] == control["activity"] and float(sam["activity"]) > 0
    # activity earns 99 x its weight's share (5 of the 75 the item signals weigh) x its normalised value
    activity_points = 99 * 5 / 75 * float(control["activity"]) / 100
    assert float(sam["score"]) == pytest.approx(float(control["score"]) - activity_points, abs=0.02)


def test_topic_names_resolve_under_the_runs_own_model(kscore, write):
    model = write("mine.yaml", "topics:\n  aliases:\n    py: python\n  ignore: [data]\n")
    name = write("t.csv", TOPICS_CSV)
    computed = records(ok(kscore("compute", name, "--as-of", AS_OF, "--model", model, "--topic", "PY")).stdout)
    ranked = records(ok(kscore("rank", "--topic", "#py")).stdout)
    assert computed == ranked
    assert pairs(ranked) == [("cy", "linkedin"), ("bob", "twitter")] and {row["topic"] for row in ranked} == {"python"}
    assert "--topic 'data' is an empty or ignored topic" in usage_error(kscore("rank", "--topic", "data"))
    assert [row["topic"] for row in records(ok(kscore("topics")).stdout)] == ["ai", "python"]
    # the default model has no alias py, and does not ignore data
    ok(kscore("compute", name, "--as-of", AS_OF))
    assert "topic 'py' in run 2" in error_line(kscore("rank", "--topic", "py"))
    assert pairs(records(ok(kscore("rank", "--topic", "data")).stdout)) == [("cy", "linkedin"), ("ana", "twitter")]


def test_compute_with_a_rejected_topic_saves_no_run(kscore, write, db):
    usage_error(kscore("compute", write("t.csv", TOPICS_CSV), "--topic", "ff"))
    assert "no saved runs yet" in error_line(kscore("runs"))


def test_a_platform_name_with_a_plus_filters_topic_scores_the_same_in_compute_and_rank(kscore, write):
    name = write(
        "gp.csv", "account,timestamp,platform,likes,topics\nana,2024-03-01,google+,10,ai\nbob,2024-03-01,google,3,ai\n"
    )
    computed = records(ok(kscore("compute", name, "--topic", "ai", "--platform", "google")).stdout)
    ranked = records(ok(kscore("rank", "--topic", "ai", "--platform", "google")).stdout)
    assert [row["account"] for row in computed] == ["bob"]
    assert [row["account"] for row in ranked] == ["bob"]


# -- kscore topics -----------------------------------------------------------------------------
def leaders(text: str) -> list[tuple[str, str, float]]:
    """'ana (twitter) 34.5, bob (twitter) 6.3' -> [(account, platform, score)]."""
    found = []
    for part in text.split(", "):
        account, rest = part.split(" (", 1)
        platform, score = rest.split(") ")
        found.append((account, platform, float(score)))
    return found


def test_topics_lists_every_topic_with_items_accounts_and_leaders(kscore, computed):
    rows = records(ok(kscore("topics", "-f", "csv")).stdout)
    assert header_of(ok(kscore("topics", "-f", "csv")).stdout) == ["topic", "items", "accounts", "top"]
    # most items first: ai has ana's 3 + 1 and bob's reply; data and python 2 each (then by name)
    assert [(row["topic"], row["items"], row["accounts"]) for row in rows] == [
        ("ai", "5", "3"),
        ("data", "2", "2"),
        ("python", "2", "2"),
    ]
    for row in rows:
        ranked = records(ok(kscore("rank", "--topic", row["topic"], "--top", "3", "-f", "csv")).stdout)
        shown = leaders(row["top"])
        assert [(account, platform) for account, platform, _ in shown] == pairs(ranked)
        for (_, _, score), listed in zip(shown, ranked):
            assert score == pytest.approx(float(listed["score"]), abs=0.051)
    assert [row["topic"] for row in records(ok(kscore("topics", "--top", "1", "-f", "csv")).stdout)] == ["ai"]
    parsed = json.loads(ok(kscore("topics", "-f", "json")).stdout)
    assert [item["topic"] for item in parsed] == ["ai", "data", "python"]
    assert parsed[0]["items"] == 5 and parsed[0]["accounts"] == 3


def test_topics_of_an_account_with_its_place_and_why(kscore, write):
    ok(kscore("compute", write("t.csv", TOPICS_CSV + endorse("gil", "ana", "ai")), "--as-of", AS_OF))
    result = ok(kscore("topics", "ana", "-f", "csv"))
    assert header_of(result.stdout) == [
        "rank", "topic", "platform", "score", "place", "engagement", "amplification", "activity", "true_reach",
        "endorsements", "items", "flags", "why",
    ]  # fmt: skip
    rows = records(result.stdout)
    assert [(row["rank"], row["topic"], row["platform"], row["items"]) for row in rows] == [
        ("1", "ai", "twitter", "3"),
        ("2", "ai", "linkedin", "1"),
        ("3", "data", "twitter", "1"),
    ]
    for row in rows:
        ranked = records(ok(kscore("rank", "--topic", row["topic"], "-f", "csv")).stdout)
        mine = next(item for item in ranked if (item["account"], item["platform"]) == ("ana", row["platform"]))
        assert row["place"] == f"{mine['rank']} of {len(ranked)}"
        assert row["score"] == mine["score"]
    assert rows[0]["why"].endswith("; 1 of 1 endorsements counted, from 1 giver")
    assert "weighted engagements per item over 3 items" in rows[0]["why"]
    assert rows[1]["why"].endswith("; no endorsements")
    assert [row["topic"] for row in records(ok(kscore("topics", "ana", "--platform", "linkedin")).stdout)] == ["ai"]
    parsed = json.loads(ok(kscore("topics", "ana", "-f", "json")).stdout)
    assert [(item["topic"], item["place"]) for item in parsed] == [(row["topic"], row["place"]) for row in rows]


def test_topics_of_an_unknown_account_or_one_without_topics(kscore, computed):
    assert error_line(kscore("topics", "anna")) == "no account 'anna' in run 1 (did you mean: ana?)"
    assert error_line(kscore("topics", "dan")) == "'dan' has no topic scores in run 1: no tagged items or endorsements"
    assert error_line(kscore("topics", "cy", "--platform", "twitter")) == (
        "'cy' has no topic scores on platform 'twitter' in run 1: no tagged items or endorsements"
    )


def test_topics_with_no_saved_run_or_no_topics(kscore, write):
    assert "no saved runs yet" in error_line(kscore("topics"))
    ok(kscore("compute", write("plain.csv", "account,timestamp,likes\nana,2024-03-01,4\n")))
    assert error_line(kscore("topics")) == (
        "no topic scores in run 1: its items carry no topics (or it predates topics)"
    )
    assert error_line(kscore("rank", "--topic", "ai")) == (
        "no topic scores in run 1: its items carry no topics (or it predates topics)"
    )


# -- endorsements end to end -------------------------------------------------------------------
def ai_scores(kscore, write, extra: str = "", topic: str = "ai") -> dict[tuple[str, str], dict]:
    name = write("e.csv", TOPICS_CSV + extra)
    return by_pair(
        rows_in(
            ok(kscore("compute", name, "--as-of", AS_OF, "--no-save", "--topic", topic, "-f", "json")).stdout, "json"
        )
    )


def test_a_flood_of_endorsements_in_a_day_adds_what_one_does(kscore, write):
    overall = by_pair(records(ok(kscore("compute", write("t.csv", TOPICS_CSV), "--as-of", AS_OF, "--no-save")).stdout))
    assert float(overall[("gil", "twitter")]["score"]) > 10  # endorsements.min_giver_score: gil's count
    control = ai_scores(kscore, write)[("ana", "twitter")]
    first = datetime(2024, 3, 10, tzinfo=timezone.utc)
    flood = "".join(
        endorse("gil", "ana", "ai", (first + timedelta(minutes=5 * n)).isoformat().replace("+00:00", "Z"))
        for n in range(100)
    )
    flooded = ai_scores(kscore, write, flood)[("ana", "twitter")]
    single = ai_scores(kscore, write, endorse("gil", "ana", "ai"))[("ana", "twitter")]
    assert flooded == single
    # the one that counts is the first: half a day before as-of
    assert flooded["score"] == pytest.approx(control["score"] + endorsement_points(0.5), abs=0.011)
    assert flooded["endorsements"] == pytest.approx(10 * endorsement_points(0.5), abs=0.051)
    assert {key: value for key, value in flooded.items() if key not in ("score", "endorsements")} == {
        key: value for key, value in control.items() if key not in ("score", "endorsements")
    }


@pytest.mark.parametrize(
    ("giver", "why"),
    [
        ("ana", "none of 1 endorsement counted; left out 1 self-endorsed"),
        # newbie's only row is the endorsement: nobody engages it, it scores 1, below min_giver_score
        ("newbie", "none of 1 endorsement counted; left out 1 from flagged or low-score givers"),
    ],
)
def test_self_endorsements_and_endorsements_from_givers_nobody_engages_add_nothing(kscore, write, giver, why):
    control = ai_scores(kscore, write)
    endorsed = ai_scores(kscore, write, endorse(giver, "ana", "ai"))
    assert endorsed == control
    ok(kscore("compute", "e.csv", "--as-of", AS_OF))
    (row,) = [
        row
        for row in records(ok(kscore("topics", "ana")).stdout)
        if (row["topic"], row["platform"]) == ("ai", "twitter")
    ]
    assert row["why"].endswith(f"; {why}")


def test_an_endorsement_from_a_flagged_giver_adds_nothing_whatever_its_score(kscore, write):
    # thirty accounts with no audience that nobody engages like gil's posts (five of them, two
    # more than the sample's: a flag needs evidence), beside four real ones
    likes = "".join(f"gil,2024-03-0{day}T12:00:00Z,twitter,post,gx{day},,150,30,8,8000,,\n" for day in (5, 6))
    likes += "".join(f"{fan},2024-03-09T10:00:00Z,twitter,like,,gil,0,0,0,,,\n" for fan in ("ana", "bob", "cy", "dan"))
    likes += "".join(f"bot{n},2024-03-09T11:00:00Z,twitter,like,,gil,0,0,0,0,,\n" for n in range(30))
    overall = by_pair(
        records(ok(kscore("compute", write("f.csv", TOPICS_CSV + likes), "--as-of", AS_OF, "--no-save")).stdout)
    )
    assert overall[("gil", "twitter")]["flags"] == "bot-amplified"
    assert float(overall[("gil", "twitter")]["score"]) > 10  # above endorsements.min_giver_score all the same
    assert ai_scores(kscore, write, likes + endorse("gil", "ana", "ai")) == ai_scores(kscore, write, likes)
    # the same endorsement from gil unflagged counts
    assert ai_scores(kscore, write, endorse("gil", "ana", "ai")) != ai_scores(kscore, write)


def test_an_endorsement_alone_puts_an_account_on_a_topic_at_1_plus_its_points(kscore, write):
    rust = ai_scores(kscore, write, endorse("gil", "ana", "Rust"), topic="rust")
    assert list(rust) == [("ana", "twitter")]
    row = rust[("ana", "twitter")]
    assert row["items"] == 0
    assert row["score"] == pytest.approx(1 + endorsement_points(0.5), abs=0.006)
    assert row["engagement"] == row["amplification"] == row["activity"] == row["true_reach"] == 0


# -- explain: style and top topics -------------------------------------------------------------
#: ana is endorsed by gil on python and rust (no items there): four topics, the best three shown.
ENDORSED_CSV = TOPICS_CSV + endorse("gil", "ana", "python") + endorse("gil", "ana", "rust")


def test_explain_shows_the_style_and_the_top_three_topics(kscore, write):
    name = write("t.csv", ENDORSED_CSV)
    computed = by_pair(records(ok(kscore("compute", name, "--as-of", AS_OF, "-f", "csv")).stdout))
    data = json.loads(ok(kscore("explain", "ana", "--platform", "twitter", "-f", "json")).stdout)
    assert data["style"]["name"] == computed[("ana", "twitter")]["style"] == "specialist"
    ai = float(
        next(row for row in records(ok(kscore("rank", "--topic", "ai")).stdout) if row["platform"] == "twitter")[
            "score"
        ]
    )
    assert data["style"]["evidence"] == f"3 of its 4 items (75%) are on ai, data; it scores {ai:.1f} on ai"
    # best first, three of them: python and rust tie (one endorsement each); by name then
    assert [(item["topic"], item["items"], item["flags"]) for item in data["topics"]] == [
        ("ai", 3, []),
        ("data", 1, []),
        ("python", 0, []),
    ]
    assert data["topics"][0]["score"] == pytest.approx(ai, abs=0.006)
    assert data["topics"][2]["score"] == pytest.approx(1 + endorsement_points(0.5))
    rust = records(ok(kscore("rank", "--topic", "rust")).stdout)
    assert float(rust[0]["score"]) == pytest.approx(data["topics"][2]["score"], abs=0.006)
    # the same from the files, not saved
    from_files = json.loads(ok(kscore("explain", "ana", name, "--as-of", AS_OF, "--platform", "twitter")).stdout)
    assert (from_files["style"], from_files["topics"]) == (data["style"], data["topics"])
    assert from_files["source"]["run"] is None


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_explain_text_shows_style_and_top_topics(kscore, write, fmt):
    ok(kscore("compute", write("t.csv", ENDORSED_CSV), "--as-of", AS_OF))
    text = ok(kscore("explain", "ana", "--platform", "twitter", "-f", fmt)).stdout
    prefix = "- " if fmt == "markdown" else ""
    lines = [line.strip() for line in text.splitlines()]
    style = next(line for line in lines if line.startswith(f"{prefix}style:"))
    assert style.startswith(f"{prefix}style: specialist (3 of its 4 items (75%) are on ai, data; it scores ")
    topics = next(line for line in lines if line.startswith(f"{prefix}top topics:"))
    assert topics.startswith(f"{prefix}top topics: ai ") and "(3 items), data " in topics
    assert "(1 item), python " in topics and "rust" not in topics
    assert "(see `kscore topics ana`)" in topics
    dan = ok(kscore("explain", "dan", "-f", fmt)).stdout
    assert "style: observer (1 item in the window (at most 3))" in dan
    assert "top topics: none (no tagged items or endorsements)" in dan


# -- --combine -----------------------------------------------------------------------------------
def test_combined_runs_key_topic_scores_by_the_combined_platform_label(kscore, write):
    name = write("t.csv", TOPICS_CSV + endorse("gil", "ana", "ai"))
    rows = records(ok(kscore("compute", name, "--as-of", AS_OF, "--combine", "--topic", "ai", "-f", "csv")).stdout)
    assert [(row["account"], row["platform"], row["items"]) for row in rows] == [
        ("ana", "linkedin+twitter", "4"),
        ("bob", "twitter", "1"),
    ]
    # gil's endorsement, made on twitter, counts toward ana's combined score
    assert float(rows[0]["endorsements"]) == pytest.approx(10 * endorsement_points(0.5), abs=0.051)
    linkedin = records(ok(kscore("rank", "--topic", "ai", "--platform", "linkedin", "-f", "csv")).stdout)
    assert pairs(linkedin) == [("ana", "linkedin+twitter")] and linkedin[0]["rank"] == "1"
    mine = records(ok(kscore("topics", "ana", "-f", "csv")).stdout)
    assert {row["platform"] for row in mine} == {"linkedin+twitter"}
    assert [row["topic"] for row in mine] == ["ai", "data"]
    summary = records(ok(kscore("topics", "-f", "csv")).stdout)
    assert summary[0]["top"].startswith("ana ") and "(" not in summary[0]["top"].split(",")[0]


def test_a_lighter_platform_weighs_less_in_a_combined_overall_score(kscore, write):
    name = write("w.csv", TOPICS_CSV)
    light = write("light.yaml", "platforms:\n  linkedin: 0.01\n")
    heavy = by_pair(records(ok(kscore("compute", name, "--as-of", AS_OF, "--combine", "--no-save")).stdout))
    lighter = by_pair(
        records(ok(kscore("compute", name, "--as-of", AS_OF, "--combine", "--no-save", "--model", light)).stdout)
    )
    # ana's linkedin item counts 1% beside her twitter items: her combined score comes near her
    # twitter score alone (per-item signals: a lighter platform moves the average less) ...
    alone = by_pair(records(ok(kscore("compute", name, "--as-of", AS_OF, "--no-save")).stdout))[("ana", "twitter")]
    twitter = float(alone["score"])
    assert abs(float(lighter[("ana", "linkedin+twitter")]["score"]) - twitter) < 0.1
    assert abs(float(heavy[("ana", "linkedin+twitter")]["score"]) - twitter) > 0.1
    # ... while cy's lone platform is never scaled
    assert lighter[("cy", "linkedin")] == heavy[("cy", "linkedin")]


#: ana's linkedin item is on golf, a topic she has no twitter items on.
GOLF_CSV = TOPICS_CSV.replace("linkedin,post,l1,,15,2,1,700,AI,", "linkedin,post,l1,,15,2,1,700,golf,")


def test_a_platforms_weight_applies_to_its_topic_items_in_combined_runs(kscore, write):
    name = write("golf.csv", GOLF_CSV)
    light = write("light.yaml", "platforms:\n  linkedin: 0.01\n")
    scored = [
        records(
            ok(kscore("compute", name, "--as-of", AS_OF, "--combine", "--no-save", "--topic", "golf", *model)).stdout
        )
        for model in ([], ["--model", light])
    ]
    assert [pairs(rows) for rows in scored] == [[("ana", "linkedin+twitter")]] * 2
    heavy, lighter = (float(rows[0]["score"]) for rows in scored)
    assert lighter < heavy


# -- a store made before topics ----------------------------------------------------------------
def test_a_version_3_store_is_upgraded_and_its_old_runs_have_no_topic_scores(kscore, write, db, tmp_path):
    from klout_cli.store import SCHEMA, SCHEMA_VERSION, TOPIC_SCHEMA, Store

    version_3 = SCHEMA.replace(",\n    style TEXT NOT NULL DEFAULT ''", "").replace(TOPIC_SCHEMA, "")
    assert "style" not in version_3 and "topic_scores" not in version_3
    # a run saved by this version, copied into a version 3 store as that version kept it
    newer = tmp_path / "newer.db"
    ok(kscore("compute", write("t.csv", TOPICS_CSV), "--as-of", AS_OF, "--db", str(newer)))
    db.parent.mkdir(parents=True, exist_ok=True)
    columns = "run_id, position, account, platform, score, items, followers, subscores, breakdown, flags"
    with sqlite3.connect(db) as connection:
        connection.executescript(version_3)
        connection.execute("PRAGMA user_version = 3")
        connection.execute("ATTACH DATABASE ? AS newer", (str(newer),))
        connection.execute("INSERT INTO runs SELECT * FROM newer.runs")
        connection.execute("INSERT INTO inputs SELECT * FROM newer.inputs")
        # the breakdowns as version 3 kept them, worded: no style, no topics
        saved = Store(newer)
        run = saved.run()
        rows = [
            (
                run.id,
                position,
                *(row[key] for key in ("account", "platform", "score", "items", "followers")),
                json.dumps({signal: row[signal] for signal in run.signals}),
                json.dumps({key: value for key, value in breakdown.items() if key not in ("style", "topics")}),
                row["flags"],
            )
            for position, (row, breakdown) in enumerate(saved.entries(run))
        ]
        connection.executemany(f"INSERT INTO scores ({columns}) VALUES ({', '.join('?' * 10)})", rows)
        connection.commit()
        connection.execute("DETACH DATABASE newer")
    message = error_line(kscore("rank", "--topic", "ai"))
    assert message == "no topic scores in run 1: its items carry no topics (or it predates topics)"
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        assert connection.execute("SELECT count(*) FROM topic_scores").fetchone()[0] == 0
        assert {row[0] for row in connection.execute("SELECT DISTINCT style FROM scores")} == {""}
    assert error_line(kscore("topics")) == "no topic scores in run 1: its items carry no topics (or it predates topics)"
    old = records(ok(kscore("rank", "-f", "csv")).stdout)
    assert header_of(ok(kscore("rank", "-f", "csv")).stdout) == SCORE_COLUMNS
    assert len(old) == 7 and {row["style"] for row in old} == {""}
    explained = ok(kscore("explain", "ana", "--platform", "twitter", "-f", "markdown")).stdout
    assert "style:" not in explained and "top topics:" not in explained
    data = json.loads(ok(kscore("explain", "ana", "--platform", "twitter", "-f", "json")).stdout)
    assert (data["style"], data["topics"]) == (None, [])
    # a new run in the upgraded store has them
    ok(kscore("compute", "t.csv", "--as-of", AS_OF))
    assert pairs(records(ok(kscore("rank", "--topic", "ai", "-f", "csv")).stdout))[0] == ("ana", "twitter")
    assert "no topic scores in run 1" in error_line(kscore("rank", "--run", "1", "--topic", "ai"))


# -- review fixes ------------------------------------------------------------------------------
def test_endorsements_that_do_not_count_never_put_an_account_on_a_topic(kscore, write):
    # a self-endorsement, one from a giver nobody engages (score 1) and a flood's repeats: ana has
    # no item on rodents, so none of them puts her there
    extra = endorse("ana", "ana", "rodents") + endorse("newbie", "ana", "rodents;scams")
    extra += "".join(endorse("gil", "ana", "ai", f"2024-03-10T0{n}:00:00Z") for n in range(5))
    name = write("r.csv", TOPICS_CSV + extra)
    ok(kscore("compute", name, "--as-of", AS_OF))
    for topic in ("rodents", "scams"):
        assert error_line(kscore("rank", "--topic", topic)).startswith(
            f"no account has items or endorsements on topic '{topic}'"
        )
    assert {row["topic"] for row in records(ok(kscore("topics")).stdout)} == {"ai", "data", "python"}
    data = json.loads(ok(kscore("explain", "ana", "--platform", "twitter", "-f", "json")).stdout)
    assert [topic["topic"] for topic in data["topics"]] == ["ai", "data"]


def test_endorsements_of_unscored_accounts_use_up_the_givers_day_with_or_without_combine(kscore, write):
    # gil endorses five accounts that have no rows, then ana: the sixth of the day is over the cap
    ghosts = "".join(endorse("gil", f"ghost{n}", "ai", f"2024-03-09T0{n}:00:00Z") for n in range(5))
    extra = ghosts + endorse("gil", "ana", "ai", "2024-03-09T08:00:00Z")
    name = write("g.csv", TOPICS_CSV + extra)
    control = write("c.csv", TOPICS_CSV)
    for combine in ([], ["--combine"]):
        endorsed = rows_in(
            ok(kscore("compute", name, "--as-of", AS_OF, "--no-save", "--topic", "ai", "-f", "json", *combine)).stdout,
            "json",
        )
        plain = rows_in(
            ok(
                kscore("compute", control, "--as-of", AS_OF, "--no-save", "--topic", "ai", "-f", "json", *combine)
            ).stdout,
            "json",
        )
        assert endorsed == plain, combine


def test_a_bad_topic_hint_from_files_lists_the_topics(kscore, write):
    message = error_line(kscore("compute", write("t.csv", TOPICS_CSV), "--no-save", "--topic", "bacon"))
    assert message == "no account has items or endorsements on topic 'bacon' in the files (3 topics: ai, data, python)"


def test_endorse_rows_naming_no_topic_are_counted_in_the_summary(kscore, write):
    result = ok(
        kscore("compute", write("t.csv", TOPICS_CSV + endorse("gil", "ana", "")), "--as-of", AS_OF, "--no-save")
    )
    assert "1 endorsement naming no topic counted for none" in result.stderr


def test_explain_from_files_does_not_point_at_the_store(kscore, write):
    text = ok(kscore("explain", "ana", write("t.csv", TOPICS_CSV), "--platform", "twitter", "-f", "markdown")).stdout
    assert "top topics: ai" in text and "kscore topics" not in text
