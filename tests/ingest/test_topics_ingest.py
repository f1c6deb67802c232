"""Topics from the rows: which items carry which topics, their features, and the endorse rows in the window."""

from __future__ import annotations

import io
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pytest

from klout_cli.compute import RunResult, score_rows
from klout_cli.core import AccountFeatures, Model
from klout_cli.core.topics import Endorsement
from klout_cli.ingest.aggregate import Window, window_rows
from klout_cli.ingest.read import read_sources
from klout_cli.ingest.topics import endorsements_of, focused_items, tag_items, topic_features
from klout_cli.modelfile import load_model
from tests.ingest.helpers import csv_text

AS_OF = datetime(2024, 3, 31, 12, 0, tzinfo=timezone.utc)


def row(account: str, days_ago: float, **values: Any) -> dict[str, Any]:
    """A post (unless `kind` says otherwise) made `days_ago` days before AS_OF."""
    return {
        "account": account,
        "timestamp": (AS_OF - timedelta(days=days_ago)).isoformat(),
        "platform": "twitter",
        **values,
    }


def window_of(rows: list[dict[str, Any]], model: Model) -> Window:
    frame, _ = read_sources(["-"], stdin=io.BytesIO(csv_text(rows).encode("utf-8")))
    return window_rows(frame, model, AS_OF)


def topic_features_of(rows: list[dict[str, Any]], model: Model) -> dict[tuple[str, str, str], AccountFeatures]:
    window = window_of(rows, model)
    return topic_features(window, model, tag_items(window, model))


def run_of(rows: list[dict[str, Any]]) -> RunResult:
    frame, read = read_sources(["-"], stdin=io.BytesIO(csv_text(rows).encode("utf-8")))
    return score_rows(frame, read, load_model(), as_of=AS_OF)


def wanting(keys: list[tuple[str, str, str]]) -> pd.DataFrame:
    """The topics wanted per (account, platform), grouped by platform (a run that does not combine)."""
    return pd.DataFrame(
        [(account, platform, platform, topic) for account, platform, topic in keys],
        columns=["account", "platform", "group", "topic"],
    )


def decay(model: Model, days_ago: float) -> float:
    return float(0.5 ** (days_ago / model.half_life_days))


def test_a_topic_in_the_column_and_as_a_hashtag_counts_once_per_item(model: Model) -> None:
    rows = [row("ana", 1, post_id="a1", likes=10, topics="AI", text="all about #ai and #MachineLearning")]
    found = topic_features_of(rows, model)
    assert set(found) == {("ana", "twitter", "ai")}
    ai = found[("ana", "twitter", "ai")]
    assert ai.items == 1
    assert ai.likes == pytest.approx(10 * decay(model, 1), rel=1e-12)
    window = window_of(rows, model)
    assert focused_items(window, tag_items(window, model), wanting([("ana", "twitter", "ai")])) == {
        ("ana", "twitter"): 1
    }


def test_an_item_with_two_topics_counts_in_both_and_once_among_tagged_items(model: Model) -> None:
    rows = [row("ana", 2, likes=8, shares=2, topics="ai", text="#Data"), row("ana", 3, likes=1, topics="rust")]
    found = topic_features_of(rows, model)
    assert sorted(found) == [("ana", "twitter", "ai"), ("ana", "twitter", "data"), ("ana", "twitter", "rust")]
    for topic in ("ai", "data"):
        assert found[("ana", "twitter", topic)].items == 1
        assert found[("ana", "twitter", topic)].likes == pytest.approx(8 * decay(model, 2), rel=1e-12)
        assert found[("ana", "twitter", topic)].shares == pytest.approx(2 * decay(model, 2), rel=1e-12)
    window = window_of(rows, model)
    tagged = tag_items(window, model)
    assert tagged.names == ["ai", "data", "rust"]
    assert len(tagged.positions) == 3  # one (row, topic) pair per topic an item carries
    # an item carrying two wanted topics counts once
    assert focused_items(window, tagged, wanting([("ana", "twitter", "ai"), ("ana", "twitter", "data")])) == {
        ("ana", "twitter"): 1
    }
    assert focused_items(window, tagged, wanting([("ana", "twitter", "data"), ("ana", "twitter", "rust")])) == {
        ("ana", "twitter"): 2
    }


def test_a_topics_features_sum_exactly_its_tagged_items(model: Model) -> None:
    ai_items = [
        row("ana", 1, post_id="a1", likes=40, shares=5, replies=3, clicks=8, topics="ai"),
        row("ana", 17, kind="reply", target="bob", post_id="a2", likes=7, shares=9, text="#ML it is"),
    ]
    rows = [
        *ai_items,
        row("ana", 40, kind="share", target="cy", post_id="a3", likes=2, text="#AI"),  # someone else's words
        row("ana", 2, post_id="a4", likes=500, shares=90, topics="data"),  # another topic
        row("ana", 3, post_id="a5", likes=300, followers=9000, text="nothing tagged"),
        row("ana", 4, post_id="a6", likes=70, topics="ai", platform="mastodon"),  # another platform
        row("ana", 5, kind="like", target="bob", topics="ai"),  # an interaction, not an item
        row("bob", 1, kind="like", target="ana"),  # who engaged is account-wide
        row("ana", 120, post_id="a0", likes=999, topics="ai"),  # before the window
    ]
    found = topic_features_of(rows, model)
    ai = found[("ana", "twitter", "ai")]
    ages = [1, 17]
    assert (ai.items, ai.reply_items, ai.share_items) == (2, 1, 0)
    assert ai.weighted_items == pytest.approx(math.fsum(decay(model, age) for age in ages), rel=1e-12)
    for column in ("likes", "shares", "replies", "clicks", "impressions"):
        expected = math.fsum(item.get(column, 0) * decay(model, age) for item, age in zip(ai_items, ages))
        assert getattr(ai, column) == pytest.approx(expected, rel=1e-12), column
    assert ai.peak_item == 40  # the most likes or shares one of its items got
    # the audience and who engaged belong to the account, not to one of its topics
    assert (ai.followers, ai.following, ai.engagers, ai.network) == (None, None, 0, 0.0)
    assert found[("ana", "mastodon", "ai")].items == 1
    assert found[("ana", "twitter", "data")].likes == pytest.approx(500 * decay(model, 2), rel=1e-12)
    assert ("bob", "twitter", "ai") not in found
    # the same sums, end to end: the ai score's features are these
    run = run_of(rows)
    (scored,) = [
        topic for topic in run.topics if (topic.account, topic.platform, topic.topic) == ("ana", "twitter", "ai")
    ]
    assert scored.features == ai


def test_an_item_seen_twice_counts_once_on_its_topics(model: Model) -> None:
    rows = [row("ana", 1, post_id="a1", likes=5, topics="ai"), row("ana", 1, post_id="a1", likes=9, topics="ai")]
    ai = topic_features_of(rows, model)[("ana", "twitter", "ai")]
    assert ai.items == 1 and ai.likes == pytest.approx(9 * decay(model, 1), rel=1e-12)


def test_an_item_exported_twice_with_different_topics_keeps_all_of_them(model: Model) -> None:
    rows = [
        row("ana", 1, post_id="a1", likes=5, topics="ai;data"),
        row("ana", 1, post_id="a1", likes=9, topics="data"),
        row("ana", 2, post_id="a2", likes=1, topics="rust"),
    ]
    found = topic_features_of(rows, model)
    assert sorted(topic for _, _, topic in found) == ["ai", "data", "rust"]
    assert found[("ana", "twitter", "ai")].items == found[("ana", "twitter", "data")].items == 1
    assert found[("ana", "twitter", "ai")].likes == pytest.approx(9 * decay(model, 1), rel=1e-12)


def test_endorse_rows_become_one_endorsement_per_topic(model: Model) -> None:
    rows = [
        row("gil", 2, kind="endorse", target="ana", topics="AI; #Data; ff"),
        row("gil", 3, kind="endorse", target="bob", platform="mastodon", text="for #rust"),
        row("gil", 1, kind="endorse", target="cy"),  # no topics: nothing
        row("gil", 1, kind="endorse", target="cy", topics="ff;rt", text="#tbt"),  # only ignored ones: nothing
        row("ana", 1, likes=3, topics="ai"),
    ]
    events, untopical = endorsements_of(window_of(rows, model), model)
    assert untopical == 2  # cy's: one names no topic, one only ignored ones
    found = sorted(events, key=lambda item: (item.target, item.topic))
    day = (AS_OF - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds() / 86400
    assert found == [
        Endorsement("gil", "twitter", "ana", "twitter", "ai", pytest.approx(day - 2), pytest.approx(decay(model, 2))),
        Endorsement("gil", "twitter", "ana", "twitter", "data", pytest.approx(day - 2), pytest.approx(decay(model, 2))),
        Endorsement(
            "gil", "mastodon", "bob", "mastodon", "rust", pytest.approx(day - 3), pytest.approx(decay(model, 3))
        ),
    ]


def test_endorse_rows_without_topics_produce_nothing(model: Model) -> None:
    rows = [row("gil", 1, likes=50, shares=9), row("gil", 1, kind="endorse", target="ana"), row("ana", 2, likes=3)]
    assert endorsements_of(window_of(rows, model), model) == ([], 1)
    run = run_of(rows)
    assert run.topics == []


def test_endorse_rows_outside_the_window_are_left_out(model: Model) -> None:
    giver = [row("gil", day, likes=200, shares=40) for day in (1, 2, 3)]
    rows = [
        *giver,
        row("ana", 1, likes=3, topics="ai"),
        row("gil", 91, kind="endorse", target="ana", topics="ai"),  # before the window
        row("gil", -1, kind="endorse", target="ana", topics="ai"),  # after as-of
    ]
    assert endorsements_of(window_of(rows, model), model) == ([], 0)
    (ai,) = run_of(rows).topics
    assert ai.endorsements.received == 0
    # the same endorsement inside the window counts
    inside = run_of([*rows, row("gil", 89, kind="endorse", target="ana", topics="ai")])
    (endorsed,) = inside.topics
    assert (endorsed.endorsements.counted, endorsed.endorsements.weight) == (1, pytest.approx(decay(model, 89)))
    assert endorsed.score == pytest.approx(ai.score + 10 * math.log1p(decay(model, 89)) / math.log1p(50))


def test_focused_items_leave_out_untagged_items_and_interactions(model: Model) -> None:
    rows = [
        row("ana", 1, topics="ai"),
        row("ana", 1, text="#ff only"),  # an ignored topic is no topic
        row("ana", 1, text="plain"),
        row("ana", 1, kind="like", target="bob", topics="ai"),
        row("bob", 1, topics="data", platform="linkedin"),
    ]
    window = window_of(rows, model)
    wanted = wanting([("ana", "twitter", "ai"), ("bob", "linkedin", "data")])
    assert focused_items(window, tag_items(window, model), wanted) == {("ana", "twitter"): 1, ("bob", "linkedin"): 1}


def test_an_account_tagging_every_item_with_one_topic_is_focused_whatever_else_it_tags(model: Model) -> None:
    # all 10 posts say #python, each with a different second tag: 10 of 10 items are on its main topics
    seconds = ["django", "pandas", "numpy", "flask", "pytest", "rust", "go", "sql", "web", "cli"]
    rows = [row("ana", 1 + day, likes=400, shares=60, text=f"#python and #{tag}") for day, tag in enumerate(seconds)]
    run = run_of(rows)
    assert run.styles[("ana", "twitter")].name == "specialist"
    assert run.styles[("ana", "twitter")].evidence.startswith("10 of its 10 items (100%) are on python")
