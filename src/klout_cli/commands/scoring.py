"""compute and rank: score inputs, or rank a saved run."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from klout_cli.commands.topics import resolve, topic_option
from klout_cli.options import (
    check_inputs,
    cluster_of,
    db_option,
    emit,
    filter_options,
    from_command_line,
    jobs_of,
    load_model_option,
    note,
    open_store,
    output_options,
    plural,
    reading_notes,
    reading_of,
    scoring_options,
    stdin_bytes,
    windowed_model,
)
from klout_cli.progress import Reporter, reporting
from klout_cli.rows import Row, columns_for, select, topic_columns

if TYPE_CHECKING:
    from klout_cli.compute import RunResult  # imports pandas: only for type checking here


def _skipped_note(result: RunResult) -> None:
    reading_notes(result.read)
    if result.unmatched_audience:
        note(
            f"--accounts: {plural(result.unmatched_audience, 'row')} naming no account and platform of the activity "
            "left out"
        )
    if result.outside_audience:
        note(f"--accounts: {plural(result.outside_audience, 'row')} dated outside the window up to as-of (left out)")
    if result.read.rows_skipped:
        note(f"skipped {plural(result.read.rows_skipped, 'bad row')}: {result.read.skipped_reasons()}")
    for warning in window_warnings(result):
        note(f"warning: {warning}")


def window_warnings(result: RunResult) -> list[str]:
    """What a user should know about what the window and the duplicates left out."""
    window, warnings = result.window, []
    if window.repeated_rows:
        warnings.append(
            f"{plural(window.repeated_rows, 'row')} without a post id "
            + ("repeats another" if window.repeated_rows == 1 else "repeat others")
            + " exactly (the same export given twice?): each counted once"
        )
    days = result.model.model.window_days
    start = window.as_of - timedelta(days=days)
    hint = "pass --window all (or a longer --window) or an earlier --as-of to score them"
    outside = [item.name for item in result.read.files if item.last is not None and item.last < start]
    if outside:
        named = ", ".join(outside[:3]) + (f" and {len(outside) - 3:,} more" if len(outside) > 3 else "")
        warnings.append(
            f"{named}: every row is older than the {days:g}-day window up to as-of {window.as_of:%Y-%m-%d}; {hint}"
        )
    elif window.rows_in and window.before_window > window.rows_in / 2:
        warnings.append(
            f"{window.before_window:,} of {window.rows_in:,} rows are older than the {days:g}-day window up to "
            f"as-of {window.as_of:%Y-%m-%d}; {hint}"
        )
    dormant = sum(1 for style in result.styles.values() if style.name == "dormant")
    if dormant:
        warnings.append(
            f"{plural(dormant, 'account')} had nothing in the window: each scores 1, style dormant, "
            "with when it was last active"
        )
    return warnings


def _summary(result: RunResult) -> str:
    window = result.window
    parts = [f"{plural(result.read.rows_read, 'row')} from {plural(len(result.read.files), 'file')}"]
    left_out = []
    if window.before_window:
        left_out.append(f"{window.before_window:,} before the window")
    if window.after_as_of:
        left_out.append(f"{window.after_as_of:,} after as-of")
    if left_out:
        parts.append("left out " + " and ".join(left_out))
    if window.duplicates:
        parts.append(f"{window.duplicates:,} duplicate items counted once")
    if result.untopical_endorsements:
        parts.append(f"{plural(result.untopical_endorsements, 'endorsement')} naming no topic counted for none")
    accounts = len({score.account for _, score in result.ranked})
    parts.append(
        f"{plural(len(result.ranked), 'score')} for {plural(accounts, 'account')} "
        f"as of {window.as_of:%Y-%m-%d %H:%M} UTC"
    )
    return "; ".join(parts)


def _run_scoring(
    inputs: Sequence[str], model_path: str | None, as_of: datetime | None, progress: Reporter, **flags: Any
) -> RunResult:
    from klout_cli.compute import compute_run
    from klout_cli.pipeline.workers import default_jobs

    check_inputs(inputs)
    jobs = jobs_of(flags["jobs"], default_jobs)
    loaded = load_model_option(model_path, inputs)
    window = flags["window"]
    if window is not None and window != "all":
        loaded, window = windowed_model(loaded, window), None
    return compute_run(
        inputs,
        loaded,
        as_of=as_of,
        relative=flags["relative"],
        combine=flags["combine"],
        skip_bad_rows=flags["on_error"] == "skip",
        stdin=stdin_bytes(*inputs, flags.get("accounts_path")),
        reading=reading_of(flags, loaded, inputs),
        progress=progress,
        jobs=jobs,
        window=window,
        cluster=cluster_of(flags["engine"], flags["scheduler"], jobs),
    )


def _title(count: int, as_of: str, model: str, topic: str | None = None) -> str:
    about = f" on {topic}" if topic else ""
    return f"kscore · {plural(count, 'score')}{about} · as of {as_of} · model: {model}"


def _show(
    result: RunResult,
    shown: tuple[str | None, list[Row], list[str]],
    fmt: str | None,
    *,
    top: int | None,
    min_score: float | None,
    platform: str | None,
) -> None:
    """Print a scored input's rows (from `_result_rows`), filtered and titled."""
    topic, all_rows, columns = shown
    chosen = select(all_rows, platform=platform, min_score=min_score, top=top, combined=result.combine)
    emit(chosen, columns, fmt, _title(len(all_rows), f"{result.window.as_of:%Y-%m-%d}", result.model.model.name, topic))


def _result_rows(result: RunResult, topic: str | None) -> tuple[str | None, list[Row], list[str]]:
    """(topic, rows, columns) to show: the overall scores, or the scores on one topic."""
    signals = [spec.name for spec in result.model.model.signals]
    if topic is None:
        return None, result.rows(), columns_for(signals)
    known = sorted({score.topic for score in result.topics})
    topic = resolve(topic, result.model.model, known, "the files")
    return topic, result.topic_rows(topic), topic_columns(signals)


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@scoring_options
@filter_options
@topic_option()
@output_options
@db_option
@click.option("--no-save", is_flag=True, help="Do not save this run in the store.")
@click.option("-v", "--verbose", is_flag=True, help="List ignored columns and more detail on stderr.")
def compute(
    inputs: tuple[str, ...],
    model_path: str | None,
    as_of: datetime | None,
    top: int | None,
    min_score: float | None,
    platform: str | None,
    topic: str | None,
    fmt: str | None,
    db_path: Path | None,
    no_save: bool,
    verbose: bool,
    progress: bool | None,
    **flags: Any,
) -> None:
    """Score every account in activity CSVs, print the ranking and save the run.

    FILE is a CSV in kscore's schema (see `kscore schema`) or an export a preset reads (found by
    its header; see `kscore presets`), or any CSV with --map; `-` reads standard input and .gz
    files are read transparently. Several files, of any formats, are scored as one input.

    \b
    Examples:
      kscore compute examples/activity.csv
      kscore compute exports/*.csv --model my-weights.yaml --as-of 2024-03-31
      kscore compute exports/*.csv --topic ai --top 10
      cat activity.csv | kscore compute - --no-save --format json
    """
    run_id = None
    store = open_store(db_path)
    try:
        with reporting(inputs, progress) as bar:
            result = _run_scoring(inputs, model_path, as_of, bar, **flags)
            _skipped_note(result)  # shown above the bar, and before a bad --topic stops the run
            if verbose:
                for item in result.read.files:
                    if item.unknown_columns:
                        note(f"{item.name}: ignored columns: {', '.join(item.unknown_columns)}")
            shown = _result_rows(result, topic)  # a bad --topic fails before anything is saved
            if not no_save:
                bar.stage("saving the run")
                run_id = store.save_run(result.saved(result.rows()))
        note(_summary(result))
        if run_id is not None:
            note(f"saved run {run_id} to {store.path}")
        _show(result, shown, fmt, top=top, min_score=min_score, platform=platform)
    except (KeyboardInterrupt, SystemExit):
        # Ctrl-C, SIGTERM or SIGHUP: before the commit, nothing was saved and the run stops as
        # it always did; after it, the run is in the store, and saying "Aborted!" would be false
        if store.saved is None:
            raise
        with suppress(OSError):  # after SIGHUP, the terminal may be gone
            note(f"saved run {store.saved} to {store.path} (interrupted after saving: the run is kept)")


@click.command()
@click.argument("inputs", nargs=-1, metavar="[FILE...]")
@click.option("--run", "run_id", type=int, default=None, metavar="ID", help="Rank this saved run. Default: the latest.")
@filter_options
@topic_option()
@output_options
@db_option
@scoring_options
def rank(
    inputs: tuple[str, ...],
    run_id: int | None,
    top: int | None,
    min_score: float | None,
    platform: str | None,
    topic: str | None,
    fmt: str | None,
    db_path: Path | None,
    model_path: str | None,
    as_of: datetime | None,
    progress: bool | None,
    **flags: Any,
) -> None:
    """Rank accounts from the latest saved run (or --run ID), or score FILEs without saving.

    \b
    Examples:
      kscore rank --top 50
      kscore rank --top 50 --min-score 60 --platform twitter --format csv | cut -d, -f2
      kscore rank --topic ai --top 10
      kscore rank --run 3 --format json
      kscore rank exports/*.csv --top 10
    """
    if inputs:
        if run_id is not None:
            raise click.UsageError("give either FILEs to score or --run ID, not both")
        with reporting(inputs, progress) as bar:
            result = _run_scoring(inputs, model_path, as_of, bar, **flags)
        _skipped_note(result)
        _show(result, _result_rows(result, topic), fmt, top=top, min_score=min_score, platform=platform)
        return
    scoring_flags = [name for name, value in flags.items() if value not in (False, "fail", None)]
    # $KSCORE_JOBS and $KSCORE_SCHEDULER are for runs that score: set for every run, they must not stop this one
    scoring_flags = [name for name in scoring_flags if name not in ("jobs", "scheduler") or from_command_line(name)]
    if model_path or as_of or scoring_flags or progress:
        raise click.UsageError(
            "--model, --as-of, --window, --relative, --combine, --on-error, --progress, --jobs, --engine, --scheduler "
            "and the reading options (--preset, --map, --account, --accounts, --strict) apply only with FILEs"
        )
    store = open_store(db_path)
    record = store.run(run_id)
    if topic is not None:
        from klout_cli.modelfile import run_model

        model = run_model(store.model_json(record), f"the model of run {record.id}")
        topic = resolve(topic, model, store.topic_names(record), f"run {record.id}")
        rows = store.topic_scores(record, topic, platform=platform, min_score=min_score, top=top)
        shown = select(rows, platform=None, min_score=None, top=None)
        count = store.topic_count(record, topic)
        title = _title(count, record.as_of[:10], record.model_name, topic) + f" · run {record.id}"
        emit(shown, topic_columns(record.signals), fmt, title)
        return
    rows = store.scores(record, platform=platform, min_score=min_score, top=top)
    shown = select(rows, platform=None, min_score=None, top=None)
    title = _title(record.accounts, record.as_of[:10], record.model_name) + f" · run {record.id}"
    emit(shown, columns_for(record.signals), fmt, title)
