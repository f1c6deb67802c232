"""The `kscore` group: dispatches to the commands and turns errors into exit codes.

pandas and yaml are imported inside the commands that need them, so `kscore --help` and
`kscore rank` stay fast.
"""

from __future__ import annotations

import errno
import gc
import importlib
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from klout_cli import __version__


@contextmanager
def collection_paused() -> Iterator[None]:
    """Run without Python's cyclic garbage collector, then turn it back on.

    A run makes millions of small records (features, scores, breakdowns) and almost no reference
    cycles, so the collector's passes free nothing; but each pass walks every live object, so
    they cost more the bigger the run: 40% of the core's time on 100,000 accounts, and 15-20% of
    `compute` on 1M rows. Peak memory is the same with it off (measured: BENCHMARKS.md).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# -- errors -> exit codes ------------------------------------------------------------------
class KscoreGroup(click.Group):
    """Turns the core's exceptions into one-line errors (exit 1) and hides tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with collection_paused():
                return super().invoke(ctx)
        except click.ClickException as error:
            # a usage error may quote a name or a value (click declares `message` final; it is not)
            setattr(error, "message", _visible(error.message))  # noqa: B010
            raise
        except (click.exceptions.Exit, click.Abort):
            raise
        except UnicodeEncodeError as error:  # a name given in bytes that are not UTF-8, looked up or saved
            if ctx.params.get("debug"):
                raise
            part = error.object[error.start : error.end]
            try:  # the bytes the system gave, as \xff
                shown = "".join(f"\\x{byte:02x}" for byte in part.encode("utf-8", "surrogateescape"))
            except UnicodeEncodeError:
                shown = _visible(part)
            raise click.ClickException(
                f"a name given holds {shown}, which is not UTF-8 text: kscore's names and run store are UTF-8"
            ) from None
        except OSError as error:
            if error.errno == errno.EPIPE:
                raise  # click's main() silences a closed pipe
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(_visible(f"{error.strerror or error}")) from None
        except Exception as error:
            from klout_cli.core.errors import KscoreError  # imported here: the core is not needed to start

            if isinstance(error, KscoreError):
                raise click.ClickException(_visible(str(error))) from None
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(
                _visible(f"internal error: {type(error).__name__}: {error} (rerun with --debug and report it)")
            ) from None


def _visible(message: str) -> str:
    """An error as it is printed: what it quotes of the data escaped (see visible.py)."""
    from klout_cli.visible import visible

    return visible(message)  # one line: a newline or tab quoted from the data shows as \\n or \\t


# -- commands -------------------------------------------------------------------------------
#: name -> (module, summary). A command's module is imported only when the command runs, so
#: `kscore --help` imports none and `kscore rank` only its own; the summary is the first line
#: of the command's help, shown by `kscore --help` (a test keeps the two the same).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": (
        "klout_cli.commands.info",
        "Validate activity CSVs without scoring: format, rows, accounts, dates and the first problem.",
    ),
    "compute": (
        "klout_cli.commands.scoring",
        "Score every account in activity CSVs, print the ranking and save the run.",
    ),
    "demo": ("klout_cli.commands.lab", "Generate a realistic population with planted gamers, and its ground truth."),
    "explain": (
        "klout_cli.commands.explain",
        "Explain one account's score point by point: signals, penalties, top items, the median.",
    ),
    "history": (
        "klout_cli.commands.explain",
        "An account's score in every saved run, with the change and what moved it most.",
    ),
    "model": ("klout_cli.commands.model", "Write and check weighting models (weights.yaml)."),
    "movers": (
        "klout_cli.commands.explain",
        "Biggest risers and fallers between two saved runs, and accounts new or gone.",
    ),
    "presets": (
        "klout_cli.commands.info",
        "The exports kscore reads as they are: each preset, the header it is found by, its columns.",
    ),
    "rank": (
        "klout_cli.commands.scoring",
        "Rank accounts from the latest saved run (or --run ID), or score FILEs without saving.",
    ),
    "runs": ("klout_cli.commands.runs", "List saved runs, one line each; show, delete or prune them."),
    "schema": ("klout_cli.commands.info", "Print the canonical activity columns kscore reads."),
    "topics": (
        "klout_cli.commands.topics",
        "Topics of a saved run: every topic with its leaders, or one ACCOUNT's topics and why.",
    ),
}


class LazyGroup(KscoreGroup):
    """The top group: its commands are imported on first use, not when the program starts."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            command = getattr(importlib.import_module(COMMANDS[cmd_name][0]), cmd_name)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """--help's list of commands, from the summaries above (so it imports no command)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (name, self.commands[name].get_short_help_str(limit))
            if name not in COMMANDS
            else (name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


#: Signals that stop a run as Ctrl-C does: `kill`, a container stopping, a CI timeout (SIGTERM),
#: the terminal closed (SIGHUP).
UNWINDING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _terminated(number: int, frame: object) -> None:
    """SIGTERM or SIGHUP unwinds like Ctrl-C: the parts of a large input are removed from TMPDIR
    and an unfinished save is rolled back (a finished one is reported). A second such signal
    while that happens is ignored (SIGKILL still stops it)."""
    for each in UNWINDING:
        signal.signal(each, signal.SIG_IGN)
    sys.exit(128 + number)


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """`_terminated` handles SIGTERM and SIGHUP while kscore runs, then the handlers before it are
    back. Left alone: a handler someone else set, and a `main()` called from another thread (only
    the main thread may set one)."""
    ours = []
    for number in UNWINDING:
        if signal.getsignal(number) != signal.SIG_DFL:
            continue
        try:
            signal.signal(number, _terminated)
        except ValueError:  # outside the main thread, which alone may set one
            break
        ours.append(number)
    try:
        yield
    finally:
        for number in ours:
            signal.signal(number, signal.SIG_DFL)


def main() -> None:
    """Console-script entry point."""
    with _sigterm_unwinds():
        cli(prog_name="kscore")


if __name__ == "__main__":
    main()
