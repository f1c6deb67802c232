"""One scoring run: read inputs, build features, score, rank. No printing; the commands show it."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, BinaryIO

import pandas as pd

from klout_cli.breakdowns import as_plain, breakdown_of, topic_breakdown, topics_named
from klout_cli.core import (
    InputError,
    Score,
    Scorer,
    combine_platforms,
    medians,
    rank_scores,
    relative_scores,
)
from klout_cli.core.features import COMBINED_SEPARATOR, AccountFeatures
from klout_cli.core.model import MAX_WINDOW_DAYS
from klout_cli.core.styles import Style
from klout_cli.core.topics import TopicScore
from klout_cli.ingest.aggregate import (
    DAY_SECONDS,
    TopItem,
    WindowReport,
    drop_duplicates,
    fill_audience,
    latest_timestamp,
)
from klout_cli.ingest.network import Edges, trust_network
from klout_cli.ingest.read import STDIN, Reading, ReadReport, read_sources
from klout_cli.ingest.spill import Spill, parts_for, spill_sources, spooled
from klout_cli.modelfile import LoadedModel
from klout_cli.packing import pack_score, pack_topic
from klout_cli.pipeline.part import TOP_ITEMS, Items, PartFeatures, PartJob
from klout_cli.pipeline.workers import Workers, run_parts
from klout_cli.progress import Reporter
from klout_cli.rows import FLAG_SEPARATOR, Row, score_row, topic_row
from klout_cli.store import NewRun
from klout_cli.topics import TopicRows, styles_from, topic_scores

if TYPE_CHECKING:
    from klout_cli.pipeline.cluster import Cluster

QUIET = Reporter()


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
    focused: dict[tuple[str, str], int] = field(default_factory=dict)
    """How many of each (account, platform)'s items are on its main topics (its style says)."""

    def _key(self, score: Score) -> tuple[str, str]:
        return score.account, score.platform

    def account_topics(self, account: str | None = None) -> dict[tuple[str, str], list[TopicScore]]:
        """Each (account, platform)'s topic scores, best first (only `account`'s, if given)."""
        found: dict[tuple[str, str], list[TopicScore]] = defaultdict(list)
        for topic in self.topics:
            if account is None or topic.account == account:
                found[(topic.account, topic.platform)].append(topic)
        for scores in found.values():
            scores.sort(key=lambda item: (-item.score, -item.features.items, item.topic))
        return found

    def rows(self) -> list[Row]:
        return [score_row(score, self.styles[self._key(score)].name) for _, score in self.ranked]

    def topic_rows(self, topic: str | None = None) -> list[Row]:
        return [topic_row(score) for score in self.topics if topic is None or score.topic == topic]

    def breakdowns(self) -> Iterator[dict[str, Any]]:
        """Each ranked score's breakdown as plain data, as a saved run gives it back."""
        return map(as_plain, self._breakdowns())

    def entries(self, account: str) -> list[tuple[Row, dict[str, Any]]]:
        """(row, breakdown as plain data) of each of an account's platforms, best first, as the
        store's `entries` gives them: only that account's breakdowns are made."""
        scores = [score for _, score in self.ranked if score.account == account]
        breakdowns = map(as_plain, self._breakdowns(scores, self.account_topics(account)))
        return [(score_row(score, self.styles[self._key(score)].name), next(breakdowns)) for score in scores]

    def accounts(self) -> list[str]:
        """The accounts scored, each once, in rank order."""
        return list(dict.fromkeys(score.account for _, score in self.ranked))

    def _breakdowns(
        self, scores: Iterable[Score] | None = None, topics: dict[tuple[str, str], list[TopicScore]] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Each ranked score's breakdown (or these scores'), ready for JSON, made as it is asked
        for (a run's are many and large)."""
        topics = self.account_topics() if topics is None else topics
        for score in (score for _, score in self.ranked) if scores is None else scores:
            key = self._key(score)
            items = [item.plain() for item in self.items.get(key, [])]
            named = topics_named(
                [
                    (topic.topic, topic.score, topic.features.items, FLAG_SEPARATOR.join(topic.flags))
                    for topic in topics[key]
                ]
            )
            yield breakdown_of(score, items, self.styles[key], named)

    def topic_breakdowns(self) -> Iterator[dict[str, Any]]:
        """Each topic score's breakdown as plain data, in the order of `topics`."""
        return (as_plain(topic_breakdown(score)) for score in self.topics)

    def _packed(self, score: Score) -> bytes:
        """The numbers the store keeps for a score, which its breakdown is rebuilt from."""
        key = self._key(score)
        items = [item.plain() for item in self.items.get(key, [])]
        return pack_score(score.features, self.focused.get(key, 0), items)

    def medians(self) -> dict[str, Any]:
        return medians([score for _, score in self.ranked])

    def saved(self, rows: Sequence[Row]) -> NewRun:
        """The run as the store keeps it: metadata, and each ranked row (`rows`: `self.rows()`, or
        some of them as it) with the numbers its breakdown is rebuilt from."""
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
            scores=((row, self._packed(score)) for row, (_, score) in zip(rows, self.ranked, strict=True)),
            medians=self.medians(),
            topics=((topic_row(score), pack_topic(score.features, score.endorsements)) for score in self.topics),
        )


def _combined_items(items: Items, parts: Sequence[tuple[str, str]], loaded: LoadedModel) -> list[TopItem]:
    """An account's best items across its platforms, each counted by its relative platform weight."""
    weights = {platform: loaded.model.platform_weight(platform) for _, platform in parts}
    heaviest = max(weights.values()) or 1.0
    pooled = [
        item._replace(platform=platform, counted=item.counted * weights[platform] / heaviest)
        for account, platform in parts
        if weights[platform] > 0
        for item in items.get((account, platform), [])
    ]
    pooled.sort(key=lambda item: (-item.counted, item.timestamp, item.post_id))
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
    parts: int | None = None,
    jobs: int = 1,
    window: Window_ = None,
    cluster: Cluster | None = None,
) -> RunResult:
    """Read the inputs and score them. Large inputs are split by account into `parts` on disk
    (by default, as many as their size asks for: see `ingest.spill`), which gives the same
    result to the bit in memory that grows with the largest part rather than the input; up to
    `jobs` parts are turned into features at once, each in a worker process (the same result
    to the bit again). With a `cluster`, the parts are made there (see `pipeline.cluster`)."""
    progress = progress or QUIET
    reading = reading or Reading()
    if cluster is not None:
        from klout_cli.pipeline.cluster import compute_on_cluster

        return compute_on_cluster(
            inputs,
            loaded,
            cluster,
            as_of=as_of,
            relative=relative,
            combine=combine,
            skip_bad_rows=skip_bad_rows,
            reading=reading,
            progress=progress,
            window=window,
        )
    with ExitStack() as stack:
        if list(inputs).count(STDIN) > 1:
            raise InputError("standard input ('-') can be read only once")
        copied = None
        if STDIN in inputs and stdin is not None and parts != 1:
            # a large standard input is copied to a file first, so it is split like a large file
            kept = stack.enter_context(spooled(stdin))
            if isinstance(kept, str):
                copied = kept
            else:
                stdin = kept
        count = parts_for(inputs, copied) if parts is None else parts
        if count > 1:
            spill = stack.enter_context(Spill(count))
            # started now, so they are ready when the input is read; stopped before the parts are removed
            workers = stack.enter_context(Workers(min(jobs, count))) if jobs > 1 else None
            read = spill_sources(
                inputs,
                spill,
                skip=skip_bad_rows,
                stdin=stdin,
                stdin_file=copied,
                reading=reading,
                on_read=progress.read,
            )
            return score_spill(
                spill,
                read,
                loaded,
                as_of=as_of,
                relative=relative,
                combine=combine,
                progress=progress,
                window=window,
                workers=workers,
            )
        if copied is not None:
            stdin = stack.enter_context(open(copied, "rb"))
        rows, read = read_sources(inputs, skip=skip_bad_rows, stdin=stdin, reading=reading, on_read=progress.read)
    return score_rows(
        rows, read, loaded, as_of=as_of, relative=relative, combine=combine, stage=progress.stage, window=window
    )


@dataclass
class RunFeatures:
    """What a run takes from its parts, joined, before scoring."""

    features: list[AccountFeatures]
    edges: list[Edges]
    items: Items
    topics: TopicRows
    report: WindowReport
    focused: Callable[[pd.DataFrame], dict[tuple[str, str], int]]
    """Counts each account's items on the topics asked for (see `styles_from`)."""

    @classmethod
    def joined(cls, parts: Sequence[PartFeatures]) -> RunFeatures:
        """The parts' features as one, in the order of the parts (each holds whole accounts)."""
        features = [item for part in parts for item in part.features]
        features.sort(key=lambda item: (item.account, item.platform))  # as one part sorts them
        items: Items = {}
        for part in parts:
            items.update(part.items)
        reports = [part.report for part in parts]
        report = WindowReport(
            as_of=reports[0].as_of,
            rows_in=sum(item.rows_in for item in reports),
            duplicates=sum(item.duplicates for item in reports),
            repeated_rows=sum(item.repeated_rows for item in reports),
            before_window=sum(item.before_window for item in reports),
            after_as_of=sum(item.after_as_of for item in reports),
        )

        def focused(wanted: pd.DataFrame) -> dict[tuple[str, str], int]:
            counted: dict[tuple[str, str], int] = {}
            for part in parts:
                counted.update(part.focused(wanted))
            return counted

        edges = [part.edges for part in parts]
        return cls(features, edges, items, TopicRows.joined([part.topics for part in parts]), report, focused)


Window_ = float | str | None
"""A window in days, "all" (every row up to as-of), or None (the model's own)."""


def windowed(loaded: LoadedModel, window: float | str, as_of: datetime, earliest: datetime) -> LoadedModel:
    """The model with `window` as its window_days: "all" reaches back to the earliest row
    (at least the model's half-life, at most MAX_WINDOW_DAYS)."""
    if window != "all":
        return loaded.with_window(float(window))
    moment, first = pd.Timestamp(as_of), pd.Timestamp(earliest)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment
    first = first.tz_localize("UTC") if first.tzinfo is None else first
    span = math.ceil(max(0.0, (moment - first).total_seconds()) / DAY_SECONDS) + 1
    return loaded.with_window(float(min(MAX_WINDOW_DAYS, max(span, loaded.model.half_life_days))))


def no_rows(read: ReadReport) -> InputError:
    return InputError(f"no valid rows to score: all {read.rows_read:,} were skipped ({read.skipped_reasons()})")


def score_rows(
    rows: pd.DataFrame,
    read: ReadReport,
    loaded: LoadedModel,
    *,
    as_of: datetime | None = None,
    relative: bool = False,
    combine: bool = False,
    stage: Callable[[str], None] = QUIET.stage,
    window: Window_ = None,
) -> RunResult:
    """Score rows already read, as one part (so one read can be scored under several models);
    `stage` hears of each step as it starts, for a progress bar. `window` replaces the model's
    window_days: days, or "all" (every row up to as-of)."""
    if rows.empty:
        raise no_rows(read)
    stage("aggregating")
    moment = as_of
    if window is not None:
        moment = as_of or latest_timestamp(drop_duplicates(rows))
        loaded = windowed(loaded, window, moment, latest_timestamp(rows, earliest=True))
    found = RunFeatures.joined(run_parts([PartJob(loaded.model, moment, rows=rows)]))
    return score_features(found, read, loaded, relative=relative, combine=combine, stage=stage)


def latest_unique(newest: Mapping[int, datetime], latest_of: Callable[[int], datetime]) -> datetime:
    """The latest timestamp once duplicates are merged (a merged item takes its earliest copy's),
    from each part's latest row before merging (`newest`) and `latest_of(part)`, its latest once
    merged: only the parts whose latest row could be later than the latest found so far are read."""
    found: datetime | None = None
    for index, newest_row in sorted(newest.items(), key=lambda item: item[1], reverse=True):
        if found is not None and newest_row <= found:
            break
        latest = latest_of(index)
        found = latest if found is None or latest > found else found
    assert found is not None, "rows have a latest one"
    return found


def score_spill(
    spill: Spill,
    read: ReadReport,
    loaded: LoadedModel,
    *,
    as_of: datetime | None = None,
    relative: bool = False,
    combine: bool = False,
    progress: Reporter = QUIET,
    window: Window_ = None,
    workers: Workers | None = None,
) -> RunResult:
    """`score_rows` for rows split by account into parts: one part in memory at a time in each
    worker (or here, without `workers`), the same result to the bit."""
    if not spill.rows:
        raise no_rows(read)
    progress.stage("aggregating")
    known = {index: newest for index, newest in enumerate(spill.latest) if newest is not None}
    # (one part in memory at a time)
    moment = as_of or latest_unique(known, lambda index: latest_timestamp(drop_duplicates(spill.part(index))))
    if window is not None:
        assert spill.earliest is not None, "a spill with rows has an earliest one"
        loaded = windowed(loaded, window, moment, spill.earliest)
    jobs = [
        PartJob(
            loaded.model,
            moment,
            files=tuple(str(path) for path in spill.files[index]),
            display=spill.display,
            keep=str(spill.kept_path(index)),  # for styles, which need every account's topic scores first
        )
        for index in range(spill.count)
    ]
    found = RunFeatures.joined(run_parts(jobs, workers, progress.parts))
    return score_features(found, read, loaded, relative=relative, combine=combine, stage=progress.stage)


def score_features(
    found: RunFeatures,
    read: ReadReport,
    loaded: LoadedModel,
    *,
    relative: bool,
    combine: bool,
    stage: Callable[[str], None],
) -> RunResult:
    model = loaded.model
    features, items, report = found.features, found.items, found.report
    unmatched = outside = 0
    if read.audience is not None:
        features, unmatched, outside = fill_audience(features, read.audience, report.as_of, model)
    stage("trust network")
    features = trust_network(found.edges, features, model)
    if all(item.last_active is not None for item in features):  # every account dormant: say why
        raise InputError(
            f"no rows inside the window: {report.before_window:,} "
            f"{'is' if report.before_window == 1 else 'are'} older than "
            f"{model.window_days:g} days before as-of {report.as_of:%Y-%m-%d %H:%M}, "
            f"{report.after_as_of:,} are after it (pass "
            + (
                "another --as-of"
                if model.window_days >= MAX_WINDOW_DAYS
                else "--window all, a longer --window, or another --as-of"
            )
            + ")"
        )
    if combine:
        by_account = defaultdict(list)
        for item in features:
            by_account[item.account].append(item)
        for account, parts in by_account.items():  # a platform it was dormant on is not in its label
            active = [part for part in parts if part.last_active is None]
            by_account[account] = active or parts
        features = [combine_platforms(parts, model) for parts in by_account.values()]
        items = {
            (account, COMBINED_SEPARATOR.join(sorted(part.platform for part in parts))): _combined_items(
                items, [(account, part.platform) for part in parts], loaded
            )
            for account, parts in by_account.items()
        }
    stage("scoring")
    scorer = Scorer(model)
    scores = scorer.score_all(features)
    stage("topics")
    topics = topic_scores(found.topics, scores, model, combine=combine)
    styles, focused = styles_from(
        scores, topics, model, combine=combine, focused=found.focused, as_of=report.as_of.isoformat()
    )
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
        topics,
        styles,
        found.topics.untopical,
        unmatched,
        outside,
        focused,
    )
