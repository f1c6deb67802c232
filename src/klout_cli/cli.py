"""The `kscore` command: parses options, dispatches, and turns errors into exit codes.

pandas and yaml are imported inside the commands that need them, so `kscore --help` and
`kscore rank` stay fast.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import click

from klout_cli import __version__
from klout_cli.core import KscoreError, ModelError, Score, StoreError
from klout_cli.render import FORMATS
from klout_cli.rows import Row, columns_for, score_row, select
from klout_cli.store import Store, default_path

F = TypeVar("F", bound=Callable[..., Any])


# -- errors -> exit codes ------------------------------------------------------------------
class KscoreGroup(click.Group):
    """Turns the core's exceptions into one-line errors (exit 1) and hides tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KscoreError as error:
            raise click.ClickException(str(error)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OSError as error:
            if error.errno == errno.EPIPE:
                raise  # click's main() silences a closed pipe
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(f"{error.strerror or error}") from None
        except Exception as error:
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(
                f"internal error: {type(error).__name__}: {error} (rerun with --debug and report it)"
            ) from None


# -- shared option bundles -----------------------------------------------------------------
class AsOfType(click.ParamType):  # type: ignore[type-arg]
    """An ISO 8601 date or datetime; a date means the end of that day; no zone means UTC."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            moment = datetime.combine(date.fromisoformat(text), time.max)  # any date form: its end
        except ValueError:
            try:
                moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
            except ValueError:
                self.fail(f"'{value}' is not an ISO 8601 date or datetime (e.g. 2024-03-31)", param, ctx)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment


def _combine(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


output_options = _combine(
    click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=None,
        help="Output format. Default: table on a terminal, csv when piped.",
    ),
)
filter_options = _combine(
    click.option("--top", type=click.IntRange(min=1), default=None, metavar="N", help="Show only the best N."),
    click.option(
        "--min-score", type=click.FloatRange(1, 100), default=None, metavar="SCORE", help="Hide scores below this."
    ),
    click.option("--platform", default=None, metavar="NAME", help="Show only this platform."),
)
model_option = click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Weighting model (YAML). Default: the built-in weights.yaml.",
)
scoring_options = _combine(
    model_option,
    click.option(
        "--as-of",
        type=AsOfType(),
        default=None,
        help="Score as of this moment (a date means its end; no zone means UTC). Default: the latest timestamp read.",
    ),
    click.option("--relative", is_flag=True, help="Percentile-style 1-100 within this input."),
    click.option("--combine", is_flag=True, help="One score per account across its platforms."),
    click.option(
        "--on-error",
        type=click.Choice(["fail", "skip"]),
        default="fail",
        show_default=True,
        help="On a bad row: stop with an error, or skip it and count it.",
    ),
)
db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="KSCORE_DB",
    default=None,
    help="Run store (SQLite). Default: $KSCORE_DB, else ~/.local/share/kscore/kscore.db.",
)


# -- output ---------------------------------------------------------------------------------
def _format(fmt: str | None) -> str:
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "csv"


def emit(rows: Sequence[Row], columns: Sequence[str], fmt: str | None, title: str | None = None) -> None:
    """The one place results are printed (stdout)."""
    from klout_cli import render

    chosen = _format(fmt)
    if chosen == "table":
        from rich.console import Console

        console = Console(soft_wrap=False)
        console.print(render.table(rows, columns, title, width=console.width))
        return
    for line in render.lines(rows, columns, chosen):
        click.echo(line)


def note(message: str) -> None:
    """Progress and summaries go to stderr, never into a pipe's data."""
    click.echo(message, err=True)


def _stdin() -> BinaryIO:
    """Standard input as bytes (CSV bytes are decoded by ingest, which knows about BOMs)."""
    stream: BinaryIO = sys.stdin.buffer
    return stream


def _load_model(path: str | None, inputs: Sequence[str] = ()) -> Any:
    from klout_cli.modelfile import load_model

    if path == "-":
        if "-" in inputs:
            raise click.UsageError("standard input can feed the model or a FILE, not both")
        return load_model(path, _stdin().read().decode("utf-8-sig", errors="replace"))
    return load_model(path)


def _store(db_path: Path | None) -> Store:
    return Store(db_path or default_path())


def _inputs(inputs: Sequence[str]) -> None:
    if list(inputs).count("-") > 1:
        raise click.UsageError("'-' (standard input) can be given only once")


def _skipped_note(result: Any) -> None:
    if result.read.rows_skipped:
        note(f"skipped {_count(result.read.rows_skipped, 'bad row')}: {result.read.skipped_reasons()}")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _summary(result: Any) -> str:
    window = result.window
    parts = [f"{_count(result.read.rows_read, 'row')} from {_count(len(result.read.files), 'file')}"]
    left_out = []
    if window.before_window:
        left_out.append(f"{window.before_window:,} before the window")
    if window.after_as_of:
        left_out.append(f"{window.after_as_of:,} after as-of")
    if left_out:
        parts.append("left out " + " and ".join(left_out))
    if window.duplicates:
        parts.append(f"{window.duplicates:,} duplicate items counted once")
    accounts = len({score.account for _, score in result.ranked})
    parts.append(
        f"{_count(len(result.ranked), 'score')} for {_count(accounts, 'account')} "
        f"as of {window.as_of:%Y-%m-%d %H:%M} UTC"
    )
    return "; ".join(parts)


def _run_scoring(inputs: Sequence[str], model_path: str | None, as_of: datetime | None, **flags: Any) -> Any:
    from klout_cli.compute import compute_run

    _inputs(inputs)
    loaded = _load_model(model_path, inputs)
    return compute_run(
        inputs,
        loaded,
        as_of=as_of,
        relative=flags["relative"],
        combine=flags["combine"],
        skip_bad_rows=flags["on_error"] == "skip",
        stdin=_stdin(),
    )


def _result_rows(ranked: Iterable[tuple[int, Score]]) -> list[Row]:
    return [score_row(score) for _, score in ranked]


def _title(count: int, as_of: str, model: str) -> str:
    return f"kscore · {_count(count, 'score')} · as of {as_of} · model: {model}"


# -- commands -------------------------------------------------------------------------------
@click.group(cls=KscoreGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kscore")
@click.option("--debug", is_flag=True, help="Show a traceback on unexpected errors.")
def cli(debug: bool) -> None:
    """kscore: open, explainable 1-100 influence scores from your own activity exports.

    \b
    Examples:
      kscore compute examples/activity.csv
      kscore rank --top 50 --format csv
      kscore model init my-weights.yaml
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@scoring_options
@filter_options
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
    fmt: str | None,
    db_path: Path | None,
    no_save: bool,
    verbose: bool,
    **flags: Any,
) -> None:
    """Score every account in activity CSVs, print the ranking and save the run.

    FILE is a CSV in the canonical schema (see `kscore schema`); `-` reads standard input and
    .gz files are read transparently. Several files are scored as one input.

    \b
    Examples:
      kscore compute examples/activity.csv
      kscore compute exports/*.csv --model my-weights.yaml --as-of 2024-03-31
      cat activity.csv | kscore compute - --no-save --format json
    """
    result = _run_scoring(inputs, model_path, as_of, **flags)
    _skipped_note(result)
    if verbose:
        for item in result.read.files:
            if item.unknown_columns:
                note(f"{item.name}: ignored columns: {', '.join(item.unknown_columns)}")
    all_rows = _result_rows(result.ranked)
    signals = [spec.name for spec in result.model.model.signals]
    note(_summary(result))
    if not no_save:
        run_id = _save(result, all_rows, db_path)
        note(f"saved run {run_id} to {_store(db_path).path}")
    shown = select(all_rows, platform=_lower(platform), min_score=min_score, top=top, combined=result.combine)
    as_of_text = f"{result.window.as_of:%Y-%m-%d}"
    emit(shown, columns_for(signals), fmt, _title(len(all_rows), as_of_text, result.model.model.name))


def _lower(platform: str | None) -> str | None:
    return platform.strip().lower() if platform else None


def _save(result: Any, all_rows: list[Row], db_path: Path | None) -> int:
    from dataclasses import asdict

    from klout_cli.store import NewRun

    window = result.window
    left_out = {
        "before_window": window.before_window,
        "after_as_of": window.after_as_of,
        "duplicates": window.duplicates,
        "skipped": result.read.rows_skipped,
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
        for row, (_, score) in zip(all_rows, result.ranked)
    ]
    loaded = result.model
    return _store(db_path).save_run(
        NewRun(
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            as_of=window.as_of.isoformat(),
            model_name=loaded.model.name,
            model_source=loaded.source,
            model_hash=loaded.digest,
            model_text=loaded.text,
            model_json=loaded.effective_json(),
            signals=[spec.name for spec in loaded.model.signals],
            relative=result.relative,
            combine=result.combine,
            rows_read=result.read.rows_read,
            rows_kept=window.rows_kept,
            rows_left_out=left_out,
            inputs=[(item.name, item.sha256, item.rows) for item in result.read.files],
            scores=scores,
        )
    )


@cli.command()
@click.argument("inputs", nargs=-1, metavar="[FILE...]")
@click.option("--run", "run_id", type=int, default=None, metavar="ID", help="Rank this saved run. Default: the latest.")
@filter_options
@output_options
@db_option
@scoring_options
def rank(
    inputs: tuple[str, ...],
    run_id: int | None,
    top: int | None,
    min_score: float | None,
    platform: str | None,
    fmt: str | None,
    db_path: Path | None,
    model_path: str | None,
    as_of: datetime | None,
    **flags: Any,
) -> None:
    """Rank accounts from the latest saved run (or --run ID), or score FILEs without saving.

    \b
    Examples:
      kscore rank --top 50
      kscore rank --top 50 --min-score 60 --platform twitter --format csv | cut -d, -f2
      kscore rank --run 3 --format json
      kscore rank exports/*.csv --top 10
    """
    if inputs:
        if run_id is not None:
            raise click.UsageError("give either FILEs to score or --run ID, not both")
        result = _run_scoring(inputs, model_path, as_of, **flags)
        _skipped_note(result)
        all_rows = _result_rows(result.ranked)
        shown = select(all_rows, platform=_lower(platform), min_score=min_score, top=top, combined=result.combine)
        signals = [spec.name for spec in result.model.model.signals]
        title = _title(len(all_rows), f"{result.window.as_of:%Y-%m-%d}", result.model.model.name)
        emit(shown, columns_for(signals), fmt, title)
        return
    scoring_flags = [name for name, value in flags.items() if value not in (False, "fail")]
    if model_path or as_of or scoring_flags:
        raise click.UsageError("--model, --as-of, --relative, --combine and --on-error apply only with FILEs")
    store = _store(db_path)
    record = store.run(run_id)
    rows = store.scores(record, platform=_lower(platform), min_score=min_score, top=top)
    shown = select(rows, platform=None, min_score=None, top=None)
    title = _title(record.accounts, record.as_of[:10], record.model_name) + f" · run {record.id}"
    emit(shown, columns_for(record.signals), fmt, title)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@output_options
def check(inputs: tuple[str, ...], fmt: str | None) -> None:
    """Validate activity CSVs without scoring: rows, accounts, dates and the first problem.

    Exits 1 when any file has a problem.

    \b
    Examples:
      kscore check exports/*.csv
      cat activity.csv | kscore check -
    """
    from klout_cli.ingest.read import read_sources

    _inputs(inputs)
    stdin = _stdin()
    rows: list[Row] = []
    failed = 0
    for name in inputs:
        try:
            frame, report = read_sources([name], stdin=stdin)
        except KscoreError as error:
            failed += 1
            rows.append({"file": "<stdin>" if name == "-" else name, "status": "error", "problem": str(error)})
            continue
        rows.append(
            {
                "file": report.files[0].name,
                "status": "ok",
                "rows": len(frame),
                "accounts": int(frame["account"].nunique()),
                "platforms": ", ".join(sorted(frame["platform"].unique())),
                "first": f"{frame['timestamp'].min():%Y-%m-%d}",
                "last": f"{frame['timestamp'].max():%Y-%m-%d}",
                "ignored_columns": ", ".join(report.files[0].unknown_columns),
                "problem": "",
            }
        )
    columns = ["file", "status", "rows", "accounts", "platforms", "first", "last", "ignored_columns", "problem"]
    emit(rows, columns, fmt)
    if failed:
        raise click.ClickException(f"{failed} of {len(inputs)} file(s) have problems (see the problem column)")


@cli.command()
@output_options
def schema(fmt: str | None) -> None:
    """Print the canonical activity columns kscore reads.

    \b
    Examples:
      kscore schema
      kscore schema --format markdown
    """
    from klout_cli.ingest.schema import COLUMNS, SEMANTICS

    rows = [{"column": c.name, "required": c.required, "meaning": c.meaning} for c in COLUMNS]
    emit(rows, ["column", "required", "meaning"], fmt)
    if _format(fmt) in ("table", "markdown"):
        click.echo("\nHeader names match case-insensitively; other columns are ignored (listed with -v).")
        click.echo(SEMANTICS)


@cli.command()
@output_options
@db_option
def runs(fmt: str | None, db_path: Path | None) -> None:
    """List saved runs: id, time, as-of, model, inputs and accounts.

    \b
    Examples:
      kscore runs
      kscore runs --format json
    """
    store = _store(db_path)
    records = store.runs()
    if not records:
        raise StoreError(f"no saved runs yet in {store.path}; run `kscore compute FILE` first")
    rows = [
        {
            "id": record.id,
            "created": record.created_at.replace("T", " ")[:16],
            "as_of": record.as_of[:10],
            "model": f"{record.model_name} ({record.model_hash[:8]})",
            "inputs": ", ".join(name for name, _, _ in record.inputs),
            "accounts": record.accounts,
            "rows": record.rows_kept,
            "options": " ".join(
                name for name, on in (("relative", record.relative), ("combine", record.combine)) if on
            ),
        }
        for record in records
    ]
    emit(rows, ["id", "created", "as_of", "model", "inputs", "accounts", "rows", "options"], fmt)


@cli.group()
def model() -> None:
    """Write and check weighting models (weights.yaml).

    \b
    Examples:
      kscore model init my-weights.yaml
      kscore model check my-weights.yaml
    """


@model.command("init")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def model_init(path: str, force: bool) -> None:
    """Write the documented default model to FILE (`-` for standard output).

    \b
    Examples:
      kscore model init my-weights.yaml
      kscore model init - | less
    """
    from klout_cli.modelfile import default_text

    text = default_text()
    if path == "-":
        click.echo(text, nl=False)
        return
    target = Path(path)
    if target.exists() and not force:
        raise ModelError(f"{path}: already exists (use --force to overwrite)")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ModelError(f"{path}: cannot write: {error.strerror}") from None
    note(f"wrote the default model to {path}; edit it, then `kscore model check {path}`")


@model.command("check")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE")
@output_options
def model_check(path: str, fmt: str | None) -> None:
    """Validate a model file (`-` for standard input) and summarise what it weighs.

    \b
    Examples:
      kscore model check my-weights.yaml
      kscore model init - | kscore model check -
      kscore model check my-weights.yaml --format json
    """
    loaded = _load_model(path)
    current = loaded.model
    total = current.total_weight
    rows = [
        {
            "signal": spec.name,
            "weight": spec.weight,
            "share": f"{100 * spec.weight / total:.0f}%",
            "transform": spec.transform,
            "cap": spec.cap,
        }
        for spec in current.signals
    ]
    note(
        f"{loaded.source}: valid model '{current.name}' · window {current.window_days:g} days · "
        f"half-life {current.half_life_days:g} days · prior {current.prior_items:g} items · curve {current.curve:g}"
    )
    note("actions: " + ", ".join(f"{name} {weight:g}" for name, weight in current.actions.items()))
    note("platforms: " + ", ".join(f"{name} {weight:g}" for name, weight in current.platforms.items()))
    emit(rows, ["signal", "weight", "share", "transform", "cap"], fmt)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="kscore")


if __name__ == "__main__":
    main()
