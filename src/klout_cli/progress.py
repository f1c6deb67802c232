"""A progress bar on stderr for long runs: bytes and rows read (MB/s, ETA), then each stage.

Shown when stderr is a terminal and the input is large (or when asked with --progress); never
on stdout, so a pipe's data is untouched. ingest and compute only call the plain callbacks of
`Reporter`; rich is imported here, and only when a bar is shown.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

#: Inputs at least this large (bytes, all files) get a bar on a terminal: about 250,000 rows.
LARGE = 20_000_000


class Reporter:
    """Receives what a run has done so far; this one shows nothing."""

    def read(self, size: int, rows: int) -> None:
        """`size` more bytes of the inputs (as stored on disk) were read, holding `rows` rows."""

    def stage(self, name: str) -> None:
        """Reading is done; the run is now at `name` (aggregating, scoring, ...)."""

    def parts(self, done: int, count: int) -> None:
        """`done` of the input's `count` parts have been aggregated (by whichever worker)."""

    def sized(self, total: int) -> None:
        """The inputs' size in bytes, learnt once reading has begun (a cluster's workers tell it)."""


class _Bar(Reporter):
    def __init__(self, total: int | None, force_terminal: bool) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        console = Console(stderr=True, force_terminal=force_terminal or None)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),  # stage names only, never data
            BarColumn(),
            DownloadColumn(binary_units=False),
            TextColumn("{task.fields[rows]:>12,} rows"),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            redirect_stdout=False,  # stdout is the data: nothing of the bar's ever goes there
        )
        self.task = self.progress.add_task("reading", total=total, rows=0)
        self.stage_name = "reading"
        self.rows = 0

    def read(self, size: int, rows: int) -> None:
        self.rows += rows
        self.progress.update(self.task, advance=size, rows=self.rows)

    def stage(self, name: str) -> None:
        self.stage_name = name
        self.progress.update(self.task, description=name)

    def parts(self, done: int, count: int) -> None:
        self.progress.update(self.task, description=f"{self.stage_name} {done}/{count} parts")

    def sized(self, total: int) -> None:
        self.progress.update(self.task, total=total)


def input_size(names: Sequence[str]) -> int | None:
    """The inputs' size in bytes; None when one is standard input, a pipe, or not a file here
    (a glob or URL a cluster's workers read, or a missing file, which the reader reports)."""
    total = 0
    for name in names:
        if name == "-":
            return None
        try:
            size = os.stat(name).st_size
        except OSError:
            return None
        if not size:
            return None  # a pipe, such as <(zcat big.csv.gz), or an empty file
        total += size
    return total


@contextmanager
def reporting(names: Sequence[str], wanted: bool | None) -> Iterator[Reporter]:
    """A reporter for reading `names`: a bar when `wanted` (True: always; None: when stderr is a
    terminal and the input is large), else one that shows nothing."""
    total = input_size(names)
    if wanted is None:
        wanted = sys.stderr.isatty() and total is not None and total >= LARGE
    if not wanted:
        yield Reporter()
        return
    bar = _Bar(total, force_terminal=True)
    with bar.progress:
        yield bar
