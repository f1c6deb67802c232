"""The `kscore` group: dispatches to the commands and turns errors into exit codes.

pandas and yaml are imported inside the commands that need them, so `kscore --help` and
`kscore rank` stay fast.
"""

from __future__ import annotations

import errno
from typing import Any

import click

from klout_cli import __version__
from klout_cli.commands import explain, info, lab, model, scoring, topics
from klout_cli.core import KscoreError


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


for command in (
    scoring.compute,
    scoring.rank,
    explain.explain,
    explain.history,
    explain.movers,
    topics.topics,
    info.check,
    info.schema,
    info.runs,
    info.presets,
    lab.demo,
    model.model,
):
    cli.add_command(command)
model.model.add_command(lab.evaluate)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="kscore")


if __name__ == "__main__":
    main()
