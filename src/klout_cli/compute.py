"""One scoring run: read inputs, build features, score, rank. No printing; cli.py shows it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import BinaryIO

from klout_cli.core import InputError, Score, Scorer, combine_platforms, rank_scores, relative_scores
from klout_cli.ingest.aggregate import WindowReport, build_features
from klout_cli.ingest.read import ReadReport, read_sources
from klout_cli.modelfile import LoadedModel
from klout_cli.rows import Row
from klout_cli.store import NewRun


@dataclass
class RunResult:
    """Everything a run produced, ranked."""

    ranked: list[tuple[int, Score]]
    model: LoadedModel
    read: ReadReport
    window: WindowReport
    relative: bool
    combine: bool

    def saved(self, rows: Sequence[Row]) -> NewRun:
        """The run as the store keeps it: metadata, and each ranked row with its full breakdown."""
        window = self.window
        left_out = {
            "before_window": window.before_window,
            "after_as_of": window.after_as_of,
            "duplicates": window.duplicates,
            "skipped": self.read.rows_skipped,
        }
        scores = [
            (
                row,
                {
                    "base": score.base,
                    "absolute": score.absolute,
                    "contributions": [asdict(part) for part in score.contributions],
                    "penalties": [asdict(part) for part in score.penalties],
                    "features": asdict(score.features),
                },
            )
            for row, (_, score) in zip(rows, self.ranked)
        ]
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
            scores=scores,
        )


def compute_run(
    inputs: Sequence[str],
    loaded: LoadedModel,
    *,
    as_of: datetime | None = None,
    relative: bool = False,
    combine: bool = False,
    skip_bad_rows: bool = False,
    stdin: BinaryIO | None = None,
) -> RunResult:
    rows, read = read_sources(inputs, skip=skip_bad_rows, stdin=stdin)
    if rows.empty:
        raise InputError(f"no valid rows to score: all {read.rows_read:,} were skipped ({read.skipped_reasons()})")
    features, window = build_features(rows, loaded.model, as_of)
    if not features:
        raise InputError(
            f"no rows inside the window: {window.before_window:,} are older than "
            f"{loaded.model.window_days:g} days before as-of {window.as_of:%Y-%m-%d %H:%M}, "
            f"{window.after_as_of:,} are after it"
        )
    if combine:
        by_account = defaultdict(list)
        for item in features:
            by_account[item.account].append(item)
        features = [combine_platforms(parts, loaded.model) for parts in by_account.values()]
    scorer = Scorer(loaded.model)
    scores = [scorer.score(item) for item in features]
    if relative:
        scores = relative_scores(scores)
    return RunResult(rank_scores(scores), loaded, read, window, relative, combine)
