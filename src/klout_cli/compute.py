"""One scoring run: read inputs, build features, score, rank. No printing; the commands show it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, BinaryIO

import pandas as pd

from klout_cli.core import (
    InputError,
    Score,
    Scorer,
    combine_platforms,
    medians,
    rank_scores,
    relative_scores,
)
from klout_cli.core.features import COMBINED_SEPARATOR
from klout_cli.core.styles import Style
from klout_cli.core.topics import TopicScore
from klout_cli.ingest.aggregate import WindowReport, features_of, fill_audience, top_items, window_rows
from klout_cli.ingest.network import network_features
from klout_cli.ingest.read import Reading, ReadReport, read_sources
from klout_cli.modelfile import LoadedModel
from klout_cli.progress import Reporter
from klout_cli.rows import Row, plain, score_row, topic_row
from klout_cli.store import NewRun
from klout_cli.topics import score_topics, styles_of

Items = dict[tuple[str, str], list[dict[str, Any]]]
TOP_ITEMS = 3
QUIET = Reporter()


#: Topics an account's breakdown (and explain) names: its best ones.
TOP_TOPICS = 3


def breakdown_of(
    score: Score, items: Sequence[dict[str, Any]], style: Style, topics: Sequence[TopicScore]
) -> dict[str, Any]:
    """A score's full breakdown as plain data: what a run keeps and `explain` shows."""
    return {
        "base": score.base,
        "absolute": score.absolute,
        "contributions": [plain(part) for part in score.contributions],
        "penalties": [plain(part) for part in score.penalties],
        "features": plain(score.features),
        "top_items": list(items),
        "style": plain(style),
        "topics": [
            {"topic": topic.topic, "score": topic.score, "items": topic.features.items, "flags": list(topic.flags)}
            for topic in topics[:TOP_TOPICS]
        ],
    }


def topic_breakdown(score: TopicScore) -> dict[str, Any]:
    """A topic score's breakdown as plain data."""
    return {
        "base": score.base,
        "contributions": [plain(part) for part in score.contributions],
        "penalties": [plain(part) for part in score.penalties],
        "features": plain(score.features),
        "endorsements": plain(score.endorsements),
    }


@dataclass
class RunResult:
    """Everything a run produced, ranked."""

    ranked: list[tuple[int, Score]]
    model: LoadedModel
    read: ReadReport
    window: WindowReport
    relative: bool
    combine: bool
    items: Items
    """The items that earned each (account, platform) the most."""
    topics: list[TopicScore]
    """Every account's score on every topic it touched, best first within each topic (topics sorted)."""
    styles: dict[tuple[str, str], Style]
    untopical_endorsements: int = 0
    """Endorse rows that name no topic (so count for none)."""
    unmatched_audience: int = 0
    """Rows of the --accounts file naming no (account, platform) of the activity."""
    outside_audience: int = 0
    """Rows of the --accounts file dated outside the window (so not used)."""

    def _key(self, score: Score) -> tuple[str, str]:
        return score.account, score.platform

    def account_topics(self) -> dict[tuple[str, str], list[TopicScore]]:
        """Each (account, platform)'s topic scores, best first."""
        found: dict[tuple[str, str], list[TopicScore]] = defaultdict(list)
        for topic in self.topics:
            found[(topic.account, topic.platform)].append(topic)
        for scores in found.values():
            scores.sort(key=lambda item: (-item.score, -item.features.items, item.topic))
        return found

    def rows(self) -> list[Row]:
        return [score_row(score, self.styles[self._key(score)].name) for _, score in self.ranked]

    def topic_rows(self, topic: str | None = None) -> list[Row]:
        return [topic_row(score) for score in self.topics if topic is None or score.topic == topic]

    def breakdowns(self) -> Iterator[dict[str, Any]]:
        """Each ranked score's breakdown, made as it is asked for (a run's are many and large)."""
        topics = self.account_topics()
        for _, score in self.ranked:
            key = self._key(score)
            yield breakdown_of(score, self.items.get(key, []), self.styles[key], topics[key])

    def medians(self) -> dict[str, Any]:
        return medians([score for _, score in self.ranked])

    def saved(self, rows: Sequence[Row]) -> NewRun:
        """The run as the store keeps it: metadata, and each ranked row with its full breakdown."""
        window = self.window
        left_out = {
            "before_window": window.before_window,
            "after_as_of": window.after_as_of,
            "duplicates": window.duplicates,
            "skipped": self.read.rows_skipped,
        }
        loaded = self.model
        return NewRun(
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            as_of=window.as_of.isoformat(),
            model_name=loaded.model.name,
            model_source=loaded.source,
            model_hash=loaded.digest,
            model_text=loaded.text,
            model_json=loaded.effective_json(),
            signals=[spec.name for spec in loaded.model.signals],
            relative=self.relative,
            combine=self.combine,
            rows_read=self.read.rows_read,
            rows_kept=window.rows_kept,
            rows_left_out=left_out,
            inputs=[(item.name, item.sha256, item.rows) for item in self.read.files],
            accounts=len(rows),
            scores=zip(rows, self.breakdowns()),  # breakdowns made as they are written: never all at once
            medians=self.medians(),
            topics=((topic_row(score), topic_breakdown(score)) for score in self.topics),
        )


def _combined_items(items: Items, parts: Sequence[tuple[str, str]], loaded: LoadedModel) -> list[dict[str, Any]]:
    """An account's best items across its platforms, each counted by its relative platform weight."""
    weights = {platform: loaded.model.platform_weight(platform) for _, platform in parts}
    heaviest = max(weights.values()) or 1.0
    pooled = [
        {**item, "platform": platform, "counted": item["counted"] * weights[platform] / heaviest}
        for account, platform in parts
        if weights[platform] > 0
        for item in items.get((account, platform), [])
    ]
    pooled.sort(key=lambda item: (-item["counted"], item["timestamp"], item["post_id"]))
    return pooled[:TOP_ITEMS]


def compute_run(
    inputs: Sequence[str],
    loaded: LoadedModel,
    *,
    as_of: datetime | None = None,
    relative: bool = False,
    combine: bool = False,
    skip_bad_rows: bool = False,
    stdin: BinaryIO | None = None,
    reading: Reading | None = None,
    progress: Reporter | None = None,
) -> RunResult:
    progress = progress or QUIET
    rows, read = read_sources(
        inputs, skip=skip_bad_rows, stdin=stdin, reading=reading or Reading(), on_read=progress.read
    )
    return score_rows(rows, read, loaded, as_of=as_of, relative=relative, combine=combine, stage=progress.stage)


def score_rows(
    rows: pd.DataFrame,
    read: ReadReport,
    loaded: LoadedModel,
    *,
    as_of: datetime | None = None,
    relative: bool = False,
    combine: bool = False,
    stage: Callable[[str], None] = QUIET.stage,
) -> RunResult:
    """Score rows already read (so one read can be scored under several models); `stage` hears
    of each step as it starts, for a progress bar."""
    if rows.empty:
        raise InputError(f"no valid rows to score: all {read.rows_read:,} were skipped ({read.skipped_reasons()})")
    stage("aggregating")
    window = window_rows(rows, loaded.model, as_of)
    features = features_of(window, loaded.model)
    unmatched = outside = 0
    if read.audience is not None:
        features, unmatched, outside = fill_audience(features, read.audience, window.report.as_of, loaded.model)
    stage("trust network")
    features = network_features(window, features, loaded.model)
    report = window.report
    if not features:
        raise InputError(
            f"no rows inside the window: {report.before_window:,} are older than "
            f"{loaded.model.window_days:g} days before as-of {report.as_of:%Y-%m-%d %H:%M}, "
            f"{report.after_as_of:,} are after it"
        )
    items = top_items(window, loaded.model, TOP_ITEMS)
    if combine:
        by_account = defaultdict(list)
        for item in features:
            by_account[item.account].append(item)
        features = [combine_platforms(parts, loaded.model) for parts in by_account.values()]
        items = {
            (account, COMBINED_SEPARATOR.join(sorted(part.platform for part in parts))): _combined_items(
                items, [(account, part.platform) for part in parts], loaded
            )
            for account, parts in by_account.items()
        }
    stage("scoring")
    scorer = Scorer(loaded.model)
    scores = [scorer.score(item) for item in features]
    stage("topics")
    topics = score_topics(window, scores, loaded.model, combine=combine)
    styles = styles_of(scores, topics, loaded.model)
    if relative:
        scores = relative_scores(scores)
    return RunResult(
        rank_scores(scores),
        loaded,
        read,
        report,
        relative,
        combine,
        items,
        topics.scores,
        styles,
        topics.untopical_endorsements,
        unmatched,
        outside,
    )
