"""runs: list saved runs, show one, delete some or keep the newest N."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from klout_cli.core import StoreError
from klout_cli.options import db_option, emit, emit_document, note, open_store, output_options

if TYPE_CHECKING:
    from klout_cli.store_runs import Removal


@click.group(invoke_without_command=True)
@output_options
@db_option
@click.pass_context
def runs(ctx: click.Context, fmt: str | None, db_path: Path | None) -> None:
    """List saved runs, one line each; show, delete or prune them.

    Each line names the run's inputs (the first two and how many more when there are over
    three; `files` counts them); `kscore runs show ID` lists them all.

    \b
    Examples:
      kscore runs
      kscore runs --format json
      kscore runs show 3
      kscore runs delete 3 4
      kscore runs prune --keep 10
    """
    if ctx.invoked_subcommand is not None:
        return
    from klout_cli.render_runs import LISTING_COLUMNS, listing_row

    store = open_store(db_path)
    records = store.runs()
    if not records:
        raise StoreError(f"no saved runs yet in {store.path}; run `kscore compute FILE` first")
    emit([listing_row(record) for record in records], LISTING_COLUMNS, fmt)


def _given(ctx: click.Context, name: str, value: Any) -> Any:
    """A subcommand's option; or, when only `kscore runs` was given it (`kscore runs --db X
    delete 3`), the group's, so a store named on the command line is the one acted on."""
    parent = ctx.parent
    if (
        ctx.get_parameter_source(name) is not ParameterSource.COMMANDLINE
        and parent is not None
        and parent.get_parameter_source(name) is ParameterSource.COMMANDLINE
    ):
        return parent.params[name]
    return value


@runs.command()
@click.argument("run_id", type=int, metavar="ID")
@output_options
@db_option
@click.pass_context
def show(ctx: click.Context, run_id: int, fmt: str | None, db_path: Path | None) -> None:
    """Everything about one saved run: model, as-of, counts, options and every input.

    Every input is listed with its sha256 and rows. On a terminal (table) or in markdown: the
    run, then its inputs; in json (the default when piped) and jsonl: one document with both;
    in csv and tsv: the inputs, one row each.

    \b
    Examples:
      kscore runs show 3
      kscore runs show 3 --format json
      kscore runs show 3 --format csv | cut -d, -f2
    """
    from klout_cli.render_runs import INPUT_COLUMNS, detail, detail_rows, input_rows

    fmt = _given(ctx, "fmt", fmt)
    record = open_store(_given(ctx, "db_path", db_path)).run(run_id)
    chosen = fmt or ("table" if sys.stdout.isatty() else "json")
    if chosen in ("json", "jsonl"):
        emit_document(detail(record), chosen)
    elif chosen in ("csv", "tsv"):
        emit(input_rows(record), INPUT_COLUMNS, chosen)
    else:
        emit(detail_rows(record), ["field", "value"], chosen, title=f"run {record.id}")
        click.echo()
        files = len(record.inputs)
        emit(input_rows(record), INPUT_COLUMNS, chosen, title=f"inputs · {files:,} file{'' if files == 1 else 's'}")


dry_run_option = click.option("--dry-run", is_flag=True, help="Say which runs would be deleted; delete nothing.")


@runs.command()
@click.argument("run_ids", nargs=-1, required=True, type=int, metavar="ID...")
@dry_run_option
@db_option
@click.pass_context
def delete(ctx: click.Context, run_ids: tuple[int, ...], dry_run: bool, db_path: Path | None) -> None:
    """Delete saved runs and every score of them, then give their space back to the disk.

    All of the runs go in one transaction, or none: an unknown ID deletes nothing (exit 1). A
    `compute` saving a run is waited for, as long as $KSCORE_STORE_TIMEOUT (default 600 s).
    Says on stderr what was deleted and the store's size before and after.

    \b
    Examples:
      kscore runs delete 3
      kscore runs delete 3 4 7
      kscore runs delete 3 --dry-run
    """
    from klout_cli.store_runs import delete_runs

    store = open_store(_given(ctx, "db_path", db_path))
    _removing(lambda told: delete_runs(store, run_ids, dry_run=dry_run, on_commit=told), dry_run, pruning=False)


@runs.command()
@click.option(
    "--keep", type=click.IntRange(min=0), required=True, metavar="N", help="How many of the newest runs to keep."
)
@dry_run_option
@db_option
@click.pass_context
def prune(ctx: click.Context, keep: int, dry_run: bool, db_path: Path | None) -> None:
    """Keep the newest N saved runs, delete the rest, and give their space back to the disk.

    The newest are those with the highest ids. `--keep 0` deletes every run. As `runs
    delete`: one transaction, waiting for a `compute` that is saving; the store's size before
    and after on stderr.

    \b
    Examples:
      kscore runs prune --keep 10
      kscore runs prune --keep 10 --dry-run
    """
    from klout_cli.store_runs import prune_runs

    store = open_store(_given(ctx, "db_path", db_path))
    _removing(lambda told: prune_runs(store, keep, dry_run=dry_run, on_commit=told), dry_run, pruning=True)


def _removing(remove: Callable[[Callable[[Sequence[int]], None]], Removal], dry_run: bool, pruning: bool) -> None:
    """Run a deletion and say what it did. Ctrl-C, SIGTERM or SIGHUP after its commit (while
    the space is given back) still says what was deleted, and is no failure: the runs are gone."""
    from klout_cli.render_runs import id_words, plural, removal_words

    deleted: list[int] = []
    try:
        removal = remove(deleted.extend)
    except (KeyboardInterrupt, SystemExit):
        if not deleted:
            raise
        with suppress(OSError):  # after SIGHUP, the terminal may be gone
            note(
                f"deleted {plural(len(deleted), 'run')} ({id_words(deleted)}) (interrupted while giving the space "
                "back: the runs are deleted; a later delete or prune gives it back)"
            )
        return
    note(removal_words(removal, dry_run=dry_run, pruning=pruning))
