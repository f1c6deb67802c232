"""Options the commands share, and the one place results are printed.

Shared options are decorator bundles (like sqlite-utils' `output_options`), so every command
spells them the same way.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import click

from klout_cli.render import FORMATS
from klout_cli.rows import Row
from klout_cli.store import Store, default_path

if TYPE_CHECKING:
    from klout_cli.pipeline.cluster import Cluster

F = TypeVar("F", bound=Callable[..., Any])


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


class WindowType(click.ParamType):  # type: ignore[type-arg]
    """How far back activity counts: days (`90d`, `365d`, or a plain number), weeks (`12w`), or `all`."""

    name = "WINDOW"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float | str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        text = str(value).strip().lower()
        if text == "all":
            return "all"
        unit = {"d": 1.0, "w": 7.0}.get(text[-1:], 1.0)
        number = text[:-1] if text[-1:] in ("d", "w") else text
        try:
            days = float(number) * unit
        except ValueError:
            days = math.nan
        if not math.isfinite(days) or days <= 0:
            self.fail(f"'{value}' is not a window: give days (90d, 365d), weeks (12w) or all", param, ctx)
        return days


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that refuses nan and inf (a range check lets nan through: nan < 1 is false)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"'{value}' is not a finite number", param, ctx)
        return super().convert(number, param, ctx)


def combine_decorators(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


def _folded(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Platform names are case-insensitive: fold them where they are parsed."""
    return value.strip().lower() if value else None


def platform_option(help: str) -> Callable[[F], F]:
    return click.option("--platform", default=None, metavar="NAME", callback=_folded, help=help)


output_options = combine_decorators(
    click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=None,
        help="Output format. Default: table on a terminal, csv when piped.",
    ),
)
filter_options = combine_decorators(
    click.option("--top", type=click.IntRange(min=1), default=None, metavar="N", help="Show only the best N."),
    click.option(
        "--min-score", type=FiniteFloatRange(1, 100), default=None, metavar="SCORE", help="Hide scores below this."
    ),
    platform_option("Show only this platform."),
)
model_option = click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Weighting model (YAML). Default: the built-in weights.yaml.",
)
as_of_option = click.option(
    "--as-of",
    type=AsOfType(),
    default=None,
    help="Score as of this moment (a date means its end; no zone means UTC). Default: the latest timestamp read.",
)
reading_options = combine_decorators(
    click.option(
        "--preset",
        default=None,
        metavar="NAME",
        help="Read every FILE with this preset (default: by its header; see `kscore presets`).",
    ),
    click.option(
        "--map",
        "map_path",
        type=click.Path(dir_okay=False),
        default=None,
        metavar="FILE",
        help="Read every FILE with this column map (YAML, as `kscore presets NAME` prints).",
    ),
    click.option(
        "--account",
        "row_account",
        default=None,
        metavar="NAME",
        help="The account of every row (single-account exports).",
    ),
    click.option(
        "--accounts",
        "accounts_path",
        type=click.Path(dir_okay=False, allow_dash=True),
        default=None,
        metavar="FILE",
        help="Audience numbers exports lack: a CSV of account, platform, followers, following[, timestamp].",
    ),
    click.option(
        "--strict",
        is_flag=True,
        help="Make a reading warning an error (exit 1): a quoted field that holds rows, a stray quote?",
    ),
)
window_option = click.option(
    "--window",
    type=WindowType(),
    default=None,
    help="How far back activity counts: 90d, 365d, all (every row up to as-of). Default: the model's window_days.",
)
scoring_options = combine_decorators(
    model_option,
    as_of_option,
    window_option,
    click.option("--relative", is_flag=True, help="Percentile-style 1-100 within this input."),
    click.option("--combine", is_flag=True, help="One score per account across its platforms."),
    click.option(
        "--on-error",
        type=click.Choice(["fail", "skip"]),
        default="fail",
        show_default=True,
        help="On a bad row: stop with an error, or skip it and count it.",
    ),
    reading_options,
    click.option(
        "--progress/--no-progress",
        default=None,
        help="A progress bar on stderr. Default: when stderr is a terminal and the FILEs are over 20 MB.",
    ),
    click.option(
        "--jobs",
        envvar="KSCORE_JOBS",
        callback=lambda ctx, param, value: _jobs(ctx, param, value),
        default=None,
        metavar="N",
        help="Parts of a large input aggregated at once (1 or more), each in a worker process. "
        "Default: $KSCORE_JOBS, else every core this process may use.",
    ),
    click.option(
        "--engine",
        type=click.Choice(["local", "dask"]),
        default=None,
        help="Where the parts are made: local (worker processes here; the default), or dask (a Dask "
        "cluster: --scheduler's, else one started here with --jobs workers; pip install 'kscore[dask]').",
    ),
    click.option(
        "--scheduler",
        envvar="KSCORE_SCHEDULER",
        default=None,
        metavar="ADDRESS",
        help="With --engine dask: the Dask scheduler, such as tcp://10.0.0.5:8786. Default: $KSCORE_SCHEDULER.",
    ),
)


class BadJobs(str):
    """$KSCORE_JOBS set to what is no count of jobs: an error only for a run that scores FILEs
    (set for every run, it must not stop `rank` reading a saved one)."""


def _jobs(ctx: click.Context, param: click.Parameter, value: str | None) -> int | BadJobs | None:
    if value is None:
        return None
    try:
        return int(click.IntRange(min=1).convert(value, param, ctx))  # type: ignore[arg-type]
    except click.BadParameter as error:
        if ctx.get_parameter_source(param.name or "") == click.core.ParameterSource.ENVIRONMENT:
            return BadJobs(f"Invalid value for '--jobs': {error.message}")
        raise


def jobs_of(value: int | BadJobs | None, default: Callable[[], int]) -> int:
    """The count of jobs a run that scores FILEs uses."""
    if isinstance(value, BadJobs):
        raise click.UsageError(str(value))
    return value or default()


def cluster_of(engine: str | None, scheduler: str | None, jobs: int) -> Cluster | None:
    """The Dask cluster a run that scores FILEs uses (--engine dask), or None (the local engine)."""
    from klout_cli.pipeline.cluster import Cluster

    if engine != "dask":
        if scheduler is not None and from_command_line("scheduler"):  # $KSCORE_SCHEDULER is for --engine dask
            raise click.UsageError("--scheduler applies only with --engine dask")
        return None
    return Cluster(scheduler=scheduler or None, workers=jobs)


def from_command_line(name: str) -> bool:
    """Whether the option `name` was given on the command line (not by its environment variable)."""
    return click.get_current_context().get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="KSCORE_DB",
    default=None,
    help="Run store (SQLite). Default: $KSCORE_DB, else ~/.local/share/kscore/kscore.db.",
)


# -- output ---------------------------------------------------------------------------------
def plural(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def choose_format(fmt: str | None) -> str:
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "csv"


def emit(rows: Sequence[Row], columns: Sequence[str], fmt: str | None, title: str | None = None) -> None:
    """The one place results are printed (stdout)."""
    from klout_cli import render

    chosen = choose_format(fmt)
    if chosen == "table":
        from rich.console import Console

        console = Console(soft_wrap=False)
        console.print(render.table(rows, columns, title, width=console.width))
        return
    batch: list[str] = []
    for line in render.lines(rows, columns, chosen):  # written in blocks: one write per line is slow
        batch.append(line)
        if len(batch) == 10_000:
            click.echo("\n".join(batch))
            batch.clear()
    if batch:
        click.echo("\n".join(batch))


def emit_document(data: dict[str, Any], fmt: str) -> None:
    """Print one document as JSON (`json`: indented; `jsonl`: one line), the data kept exactly."""
    import json

    from klout_cli.visible import json_line

    click.echo(json_line(json.dumps(data, indent=2 if fmt == "json" else None, ensure_ascii=False)))


def emit_explanation(data: dict[str, Any], fmt: str | None) -> None:
    """Print one explanation: a rich layout on a terminal, else json (or markdown when asked)."""
    import json

    from klout_cli import render_explain

    chosen = fmt or ("table" if sys.stdout.isatty() else "json")
    if chosen == "json":
        from klout_cli.visible import json_line

        click.echo(json_line(json.dumps(data, indent=2, ensure_ascii=False)))
    elif chosen == "markdown":
        for line in render_explain.explain_markdown(data):
            click.echo(line)
    else:
        from rich.console import Console

        Console(soft_wrap=False).print(render_explain.explain_renderable(data))


def note(message: str) -> None:
    """Progress, summaries and warnings go to stderr, never into a pipe's data; what they quote
    of the data is shown escaped (see visible.py)."""
    from klout_cli.visible import visible

    click.echo(visible(message, lines=True), err=True)


STDIN_CLOSED = "standard input is closed; give a FILE or pipe data in"


def stdin_bytes(*sources: str | None) -> BinaryIO | None:
    """Standard input as bytes (CSV bytes are decoded by ingest, which knows about BOMs).

    `sources` are the names the command reads (FILEs, `--accounts`, `--model`): when one is `-`
    and standard input is closed (`kscore compute - <&-`), that is a usage error; when none is,
    a closed standard input does not matter (None).
    """
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None or stream.closed:
        if "-" in sources:
            raise click.UsageError(STDIN_CLOSED)
        return None
    found: BinaryIO = stream
    return found


def load_model_option(path: str | None, inputs: Sequence[str] = ()) -> Any:
    from klout_cli.modelfile import load_model

    if path == "-":
        if "-" in inputs:
            raise click.UsageError("standard input can feed the model or a FILE, not both")
        stream = stdin_bytes(path)
        assert stream is not None  # stdin_bytes refuses a closed one that is needed
        return load_model(path, stream.read().decode("utf-8-sig", errors="replace"))
    return load_model(path)


def windowed_model(loaded: Any, days: float) -> Any:
    """The model with `--window` days: a window the model cannot take is a usage error."""
    from klout_cli.core import ModelError

    try:
        return loaded.with_window(days)
    except ModelError as error:
        raise click.UsageError(str(error)) from None


def reading_of(flags: dict[str, Any], loaded: Any = None, inputs: Sequence[str] = ()) -> Any:
    """How to read the FILEs, from the reading options (and the model's `columns:` section)."""
    from klout_cli.ingest.read import Reading

    if flags.get("accounts_path") == "-" and "-" in inputs:
        raise click.UsageError("standard input can feed --accounts or a FILE, not both")
    preset = flags.get("preset")
    map_path = flags.get("map_path")
    if preset is not None and map_path:
        raise click.UsageError("give --preset or --map, not both")
    if preset is not None:
        from klout_cli.ingest.presets import presets

        known = presets()
        preset = preset.strip().lower()
        if preset not in known:
            raise click.BadParameter(f"'{preset}' is not a preset ({', '.join(known)})", param_hint="--preset")
    from klout_cli.ingest.schema import clean_name

    account = flags.get("row_account")
    if account is not None and not clean_name(account):
        raise click.BadParameter("an account name cannot be empty", param_hint="--account")
    return Reading(
        preset=preset,
        column_map=load_map(map_path) if map_path else None,
        model_map=getattr(loaded, "columns", None),
        account=clean_name(account) if account else None,
        accounts=flags.get("accounts_path"),
        strict=bool(flags.get("strict")),
    )


def reading_notes(read: Any) -> None:
    """On stderr: files read through a preset or map (and not as UTF-8), rows left out as empty."""
    formats: dict[str, int] = {}
    for item in read.files:
        if item.format != "kscore":
            how = item.format + ("" if item.encoding == "utf-8" else f", decoded as {item.encoding}")
            formats[how] = formats.get(how, 0) + 1
    if formats:
        note("read " + "; ".join(f"{plural(count, 'file')} as {how}" for how, count in formats.items()))
    for item in read.files:
        if item.undecodable:
            note(
                f"{item.name}: {plural(item.undecodable, 'character')} of text were not UTF-8 (shown as \ufffd); "
                "no topic is taken from a hashtag next to them"
            )
    for item in read.files:
        if item.absent:
            note(f"{item.name}: no column for {', '.join(item.absent)}: counts read 0, audience unknown (see --map)")
    for item in read.files:
        for warning in item.warnings:
            note(f"warning: {warning}")
    empty = sum(item.empty_rows for item in read.files)
    if empty:
        note(f"left out {plural(empty, 'row')} with nothing in any mapped column (all NA or -)")


def load_map(path: str) -> Any:
    from klout_cli.ingest.mapping import MapError, parse_map
    from klout_cli.modelfile import read_yaml

    data = read_yaml(path, "map")
    try:
        return parse_map(data, Path(path).stem)
    except MapError as error:
        raise MapError(f"{path}: {error}") from None


def open_store(db_path: Path | None) -> Store:
    store = Store(db_path or default_path(), timeout=store_timeout())
    store.on_wait = note  # a save, or an update of an older store, waiting for another kscore
    return store


def store_timeout() -> float:
    """$KSCORE_STORE_TIMEOUT: how many seconds a save waits for another kscore saving into the
    same store (default: 10 minutes)."""
    from klout_cli.store_access import DEFAULT_TIMEOUT

    text = os.environ.get("KSCORE_STORE_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise click.UsageError(
            f"KSCORE_STORE_TIMEOUT={text!r} is not a number of seconds (e.g. 600 to wait up to 10 minutes)"
        )
    return seconds


def check_inputs(inputs: Sequence[str]) -> None:
    if list(inputs).count("-") > 1:
        raise click.UsageError("'-' (standard input) can be given only once")
