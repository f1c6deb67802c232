"""Breakdowns: a score's numbers and words, as `explain`, `history`, `movers` and `topics` show them.

A run makes them from its scores (`breakdown_of`, `topic_breakdown`); a saved run keeps only
the numbers they are made from (see packing.py), and `Rebuilder` has the core score those
again under the run's model, which gives the same breakdown to the bit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from klout_cli.core.errors import StoreError
from klout_cli.core.features import AccountFeatures
from klout_cli.core.model import Model
from klout_cli.core.scoring import Score, Scorer, relative_score
from klout_cli.core.styles import Activity, Style, TopicShare, style_of
from klout_cli.core.topics import EndorsementTally, TopicScore, TopicScorer
from klout_cli.packing import PackedScore, unpack_score, unpack_topic
from klout_cli.rows import FLAG_SEPARATOR

#: Topics an account's breakdown (and explain) names: its best ones.
TOP_TOPICS = 3

Plain = dict[str, Any]
"""A breakdown as plain data, as JSON gives it back."""
TopicRow = tuple[str, float, int, str]
"""One of an account's topic scores as its breakdown and style need it: (topic, score, items, flags)."""


def topics_named(topics: Sequence[TopicRow]) -> list[dict[str, Any]]:
    """An account's best topics as its breakdown names them: best first, then more items, then by name."""
    best = sorted(topics, key=lambda topic: (-topic[1], -topic[2], topic[0]))[:TOP_TOPICS]
    return [
        {"topic": topic, "score": score, "items": items, "flags": flags.split(FLAG_SEPARATOR) if flags else []}
        for topic, score, items, flags in best
    ]


def breakdown_of(
    score: Score, items: Sequence[Mapping[str, Any]], style: Style, topics: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """A score's full breakdown, ready for JSON: `items` its best items and `topics` its best
    topics, each as plain data (`TopItem.plain`, `topics_named`).

    Its records (contributions, penalties, features, style) are the dataclasses themselves:
    orjson writes each as the object of its fields, the bytes `plain` would give, without
    making the dicts. `as_plain` gives it as plain data.
    """
    contributions, penalties = score.worded()  # not kept on the score: a run words many
    return {
        "base": score.base,
        "absolute": score.absolute,
        "contributions": contributions,
        "penalties": penalties,
        "features": score.features,
        "top_items": list(items),
        "style": style,
        "topics": list(topics),
    }


def topic_breakdown(score: TopicScore) -> dict[str, Any]:
    """A topic score's breakdown, ready for JSON (see `breakdown_of`)."""
    contributions, penalties = score.worded()
    return {
        "base": score.base,
        "contributions": contributions,
        "penalties": penalties,
        "features": score.features,
        "endorsements": score.endorsements,
    }


def as_plain(breakdown: dict[str, Any]) -> dict[str, Any]:
    """A breakdown as plain data (dicts, lists, text and numbers), as JSON would give it back:
    what a saved run's breakdown always was. (orjson reads back what orjson wrote: it wrote no
    integer over 64 bits, which orjson would read as a float.)"""
    import orjson

    plain_data: dict[str, Any]
    try:
        plain_data = orjson.loads(orjson.dumps(breakdown))
    except orjson.JSONEncodeError:
        plain_data = json.loads(to_json(breakdown))
    return plain_data


def json_writer() -> Callable[[Any], str]:
    """`to_json`, with orjson imported once: for writing many."""
    import orjson

    encode, cannot = orjson.dumps, orjson.JSONEncodeError

    def write(value: Any) -> str:
        try:
            return encode(value).decode()
        except cannot:
            return json.dumps(value, default=_fields, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    return write


def to_json(value: Any) -> str:
    """JSON of plain data and dataclasses (each written as the object of its fields), by orjson.

    What orjson cannot write, the standard library does: an integer over 64 bits, which an
    account's `active_weeks` becomes (a bit a week) under a model whose window is over 64
    weeks. (Read back with `json.loads`, not orjson's, which makes such an integer a float.)
    """
    return json_writer()(value)


def _fields(value: Any) -> dict[str, Any]:
    """A dataclass as the dict of its fields, for `json.dumps` (as orjson writes it)."""
    from dataclasses import is_dataclass

    from klout_cli.rows import plain

    if is_dataclass(value) and not isinstance(value, type):
        return plain(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class Rebuilder:
    """The breakdowns of one saved run, scored again by the core from the numbers it kept."""

    def __init__(self, model: Model, *, run_id: int, relative: bool, as_of: str) -> None:
        self.model = model
        self.run_id = run_id
        self.relative = relative
        self.as_of = as_of
        self.scorer = Scorer(model)
        self._topic_scorer: TopicScorer | None = None

    def scores(self, rows: Sequence[Mapping[str, Any]], packed: Sequence[PackedScore]) -> list[Score]:
        """The accounts' scores, as the run made them (relative when the run was), scored together."""
        features = [
            AccountFeatures(account=row["account"], platform=row["platform"], items=row["items"], **numbers.features)
            for row, numbers in zip(rows, packed, strict=True)
        ]
        scores = self.scorer.score_all(features)
        if self.relative:
            scores = [relative_score(score, row["score"]) for score, row in zip(scores, rows)]
        for score, row in zip(scores, rows):
            if score.score != row["score"]:
                raise StoreError(
                    f"run {self.run_id}: the score of {row['account']} ({row['platform']}) is not what its saved "
                    "numbers give (a damaged store?)"
                )
        return scores

    def breakdowns(self, entries: Sequence[tuple[Mapping[str, Any], bytes, Sequence[TopicRow]]]) -> list[Plain]:
        """Accounts' breakdowns, each from its row, its packed numbers and its topic scores."""
        packed = [unpack_score(blob) for _, blob, _ in entries]
        scores = self.scores([row for row, _, _ in entries], packed)
        return [
            self._breakdown(score, numbers, topics)
            for score, numbers, (_, _, topics) in zip(scores, packed, entries, strict=True)
        ]

    def _breakdown(self, score: Score, packed: PackedScore, topics: Sequence[TopicRow]) -> dict[str, Any]:
        activity = Activity(  # as the run decided its style: from the absolute score's measures
            features=score.features,
            engagement_per_item=score.raw("engagement"),
            shares_per_item=score.raw("amplification"),
            topics=[TopicShare(topic, items, points) for topic, points, items, _ in topics],
            focused_items=packed.focused_items,
            as_of=self.as_of,
        )
        style = style_of(activity, self.model.styles)
        return as_plain(breakdown_of(score, packed.items, style, topics_named(topics)))

    def topic_breakdown(
        self, row: Mapping[str, Any], blob: bytes, account_row: Mapping[str, Any], account_blob: bytes
    ) -> dict[str, Any]:
        """A topic score's breakdown from its row and packed numbers; the account's own row and
        numbers give the flags it takes."""
        if self._topic_scorer is None:
            self._topic_scorer = TopicScorer(self.model)
        fields, tally = unpack_topic(blob)
        features = AccountFeatures(account=row["account"], platform=row["platform"], items=row["items"], **fields)
        findings = self.scores([account_row], [unpack_score(account_blob)])[0].findings
        score = self._topic_scorer.score(row["topic"], features, findings, EndorsementTally(**tally))
        if score.score != row["score"]:
            raise StoreError(
                f"run {self.run_id}: the score of {row['account']} on {row['topic']} is not what its saved "
                "numbers give (a damaged store?)"
            )
        return as_plain(topic_breakdown(score))
