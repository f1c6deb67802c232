"""A run's parts made on a Dask cluster (`kscore compute --engine dask`).

The client asks every worker whether it can read each input (globs are expanded there), then
hands out one task per input file: kscore's own reader reads it and splits its rows by account
hash into the run's partitions, as Arrow IPC bytes kept in the cluster's memory. Each
partition's pieces meet, in the order of the inputs, in one task that runs `part_features`,
the function the local engine's workers run. The client joins the parts' features and goes on
as a local run does (trust network, scoring, topics), so a run on a cluster gives the local
engine's results, and the store saves it the same way. Dask retries a task whose worker died,
and recomputes whatever that worker held.

Only the client imports dask; the task functions here are plain functions of plain data, which
the workers (with kscore installed) import by name.
"""

from __future__ import annotations

import glob
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from klout_cli import __version__
from klout_cli.core.errors import InputError
from klout_cli.ingest.aggregate import drop_duplicates, latest_timestamp
from klout_cli.ingest.names import Respellings, apply_display, merge_spellings, respellings
from klout_cli.ingest.read import STDIN, Reading, ReadReport, read_audience
from klout_cli.ingest.spill import GZIP_RATIO, MAX_PARTS, PART_BYTES, Spill, part_rows, spill_sources
from klout_cli.modelfile import LoadedModel
from klout_cli.pipeline.part import PartFeatures, PartJob, part_features
from klout_cli.progress import Reporter

if TYPE_CHECKING:
    from distributed import Client, Future

    from klout_cli.compute import RunResult, Window_
    from klout_cli.core import Model

#: What `pip install` needs for this engine.
EXTRA = "pip install 'kscore[dask]'"
#: How long the client waits for a scheduler to answer, and for its first worker.
CONNECT_SECONDS = 10


@dataclass(frozen=True)
class Cluster:
    """Where a run's parts are made: a scheduler's address, or None for a cluster started here."""

    scheduler: str | None = None
    workers: int = 2
    """Worker processes of a cluster started here (one thread each)."""
    partitions: int | None = None
    """Partitions of the rows (by account hash); default: from the inputs' size and the workers."""


# ---------------------------------------------------------------- on the workers


def is_url(name: str) -> bool:
    """An fsspec URL (s3://, gs://, memory://, ...) rather than a path."""
    scheme, found, _ = name.partition("://")
    return bool(found) and scheme.replace("+", "").replace("-", "").isalnum() and len(scheme) > 1


@dataclass
class Seen:
    """What one worker found of the inputs: each input's files and sizes, or why it cannot read it."""

    version: str
    files: dict[str, list[tuple[str, int]] | str]


def _url_files(name: str) -> list[tuple[str, int]] | str:
    try:
        import fsspec
    except ImportError:
        return "fsspec is not installed on this worker (pip install fsspec and the package for the URL's scheme)"
    try:
        filesystem, path = fsspec.core.url_to_fs(name)
    except (ImportError, ValueError) as error:
        return f"no filesystem for this URL ({error})"
    try:
        if glob.has_magic(path):
            found = sorted(filesystem.glob(path))
            if not found:
                return "no file matches"
            return [(filesystem.unstrip_protocol(item), int(filesystem.size(item))) for item in found]
        if not filesystem.isfile(path):
            return "no such file"
        return [(name, int(filesystem.size(path)))]
    except Exception as error:  # whatever the filesystem's package raises: said in one line
        return f"cannot read it ({type(error).__name__}: {error})"


def _path_files(name: str) -> list[tuple[str, int]] | str:
    if glob.has_magic(name):
        found = sorted(path for path in glob.glob(name) if os.path.isfile(path))
        if not found:
            return "no file matches"
        return [(path, os.path.getsize(path)) for path in found]
    if not os.path.exists(name):
        return "no such file"
    if not os.path.isfile(name):
        return "not a file"
    if not os.access(name, os.R_OK):
        return "not readable (permission denied)"
    return [(name, os.path.getsize(name))]


def seen_inputs(names: Sequence[str]) -> Seen:
    """Run on each worker before any work: the files each input names (globs expanded), with
    their sizes, or why this worker cannot read it."""
    return Seen(__version__, {name: _url_files(name) if is_url(name) else _path_files(name) for name in names})


@dataclass
class ReadInput:
    """One input read and split into the run's partitions."""

    report: ReadReport
    pieces: dict[int, list[bytes]]
    """Each partition's rows of this input: Arrow IPC files, in the order they were written."""
    latest: dict[int, datetime]
    earliest: datetime | None
    spellings: pd.DataFrame
    rows: int
    size: int

    def summary(self) -> ReadInput:
        """The same without the rows: what the client gathers."""
        return replace(self, pieces={index: [] for index in self.pieces})


def _copied(name: str, folder: str) -> str:
    """An fsspec URL's bytes in a local file of the same name (which a map's `file` may match)."""
    import fsspec

    local = os.path.join(folder, os.path.basename(name.rstrip("/")) or "input")
    try:
        with fsspec.open(name, "rb") as source, open(local, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
    except Exception as error:  # whatever the filesystem's package raises (gone since it was listed, a timeout)
        raise InputError(f"{name}: cannot read it: {type(error).__name__}: {error}") from None
    return local


def read_input(name: str, count: int, skip: bool, reading: Reading) -> ReadInput:
    """Read one input on a worker with kscore's reader, split by account into `count` partitions."""
    with tempfile.TemporaryDirectory(prefix="kscore-read-") as folder:
        local = _copied(name, folder) if is_url(name) else name
        try:
            with Spill(count) as spill:
                report = spill_sources([local], spill, skip=skip, reading=reading)
                written = enumerate(spill.files)
                pieces = {index: [Path(path).read_bytes() for path in files] for index, files in written if files}
                found = ReadInput(
                    report,
                    pieces,
                    {index: latest for index, latest in enumerate(spill.latest) if latest is not None},
                    spill.earliest,
                    merge_spellings(spill.spellings),
                    spill.rows,
                    os.path.getsize(local),
                )
        except InputError as error:
            if local != name:  # named as the user named it, not as the worker's copy
                raise InputError(str(error).replace(local, name)) from None
            raise
    if local != name:
        for item in found.report.files:
            item.name = name
    return found


def input_summary(found: ReadInput) -> ReadInput:
    return found.summary()


def input_piece(found: ReadInput, index: int) -> list[bytes]:
    return found.pieces[index]


def _written(folder: str, pieces: Sequence[list[bytes]]) -> list[str]:
    files: list[str] = []
    for data in (data for piece in pieces for data in piece):
        path = os.path.join(folder, f"{len(files)}.arrow")
        Path(path).write_bytes(data)
        files.append(path)
    return files


def partition_latest(display: Respellings, *pieces: list[bytes]) -> datetime:
    """The latest timestamp of a partition's rows once duplicates are merged."""
    with tempfile.TemporaryDirectory(prefix="kscore-part-") as folder:
        return latest_timestamp(drop_duplicates(part_rows(_written(folder, pieces), display)))


def partition_features(model: Model, moment: datetime, display: Respellings, *pieces: list[bytes]) -> PartFeatures:
    """One partition's features: the local engine's `part_features` of its rows."""
    with tempfile.TemporaryDirectory(prefix="kscore-part-") as folder:
        return part_features(PartJob(model, moment, files=tuple(_written(folder, pieces)), display=display))


# ---------------------------------------------------------------- on the client


@contextmanager
def connected(cluster: Cluster) -> Iterator[Client]:
    """A client of the cluster's scheduler, or of a cluster started here for the run."""
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(f"--engine dask needs Dask, which is not installed: {EXTRA}") from None
    if cluster.scheduler is None:
        local = LocalCluster(
            n_workers=cluster.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: 8787 may be taken, and nothing here serves it
            silence_logs=logging.ERROR,
        )
        try:
            with Client(local, set_as_default=False) as client:
                yield client
        finally:
            local.close()
        return
    try:
        client = Client(cluster.scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise InputError(f"cannot reach the Dask scheduler at {cluster.scheduler}: {error}") from None
    with client:
        yield client


def _checked_inputs(client: Client, names: Sequence[str]) -> list[tuple[str, int]]:
    """Every input's files, as the workers see them; an error before any work when a worker
    cannot read one, or runs another kscore."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except TimeoutError:
        raise InputError(f"the Dask scheduler has no workers (waited {CONNECT_SECONDS} s)") from None
    try:
        seen: dict[str, Seen] = client.run(seen_inputs, list(names))
    except Exception as error:
        raise InputError(
            f"a Dask worker cannot run kscore's tasks ({type(error).__name__}: {error}); "
            "install kscore, the client's version, on every worker"
        ) from None
    for worker, found in sorted(seen.items()):
        if found.version != __version__:
            raise InputError(
                f"worker {worker} runs kscore {found.version}, this client {__version__}: install the same on both"
            )
    files: list[tuple[str, int]] = []
    for name in names:
        first: list[tuple[str, int]] | None = None
        for worker, found in sorted(seen.items()):
            listed = found.files[name]
            if isinstance(listed, str):
                raise InputError(f"{name}: worker {worker} cannot read it: {listed}")
            if first is not None and [item for item, _ in listed] != [item for item, _ in first]:
                raise InputError(f"{name}: the workers see different files (worker {worker} sees {len(listed)})")
            first = listed
        files.extend(first or [])
    return files


def partition_count(cluster: Cluster, files: Sequence[tuple[str, int]], threads: int) -> int:
    """Partitions: as asked, else enough to keep every worker's thread busy and each near
    `PART_BYTES` of text (a .gz file counted as `GZIP_RATIO` times its size, as `parts_for` does)."""
    if cluster.partitions is not None:
        return cluster.partitions
    total = sum(size * (GZIP_RATIO if name.endswith(".gz") else 1) for name, size in files)
    return max(1, min(MAX_PARTS, max(2 * threads, math.ceil(total / PART_BYTES))))


def _latest(client: Client, shared: Future, pieces: dict[int, list[Future]], found: Sequence[ReadInput]) -> datetime:
    """The latest timestamp once duplicates are merged, found as a local run finds it
    (`compute.latest_unique`), each partition's merged latest by a task."""
    from klout_cli.compute import latest_unique

    newest: dict[int, datetime] = {}
    for item in found:
        for index, latest in item.latest.items():
            newest[index] = max(latest, newest.get(index, latest))

    def latest_of(index: int) -> datetime:
        task = client.submit(partition_latest, shared, *pieces[index], pure=False)
        latest: datetime = _each_done(client, [task], lambda index, item: None)[0]
        return latest

    return latest_unique(newest, latest_of)


def _merged(read: list[ReadInput]) -> ReadReport:
    report = ReadReport()
    for item in read:
        report.files.extend(item.report.files)
        report.skipped.update(item.report.skipped)
    return report


def _each_done(client: Client, futures: Sequence[Future], on_done: Callable[[int, Any], None]) -> list[Any]:
    """Each future's result, in order; `on_done(index, result)` as each ends, whichever first.
    A task's error is raised once every task before it has ended, the first of them in order
    (so a run with two bad inputs names the first, as the local engine does)."""
    from distributed import as_completed

    index_of = {future.key: index for index, future in enumerate(futures)}
    found: list[Any] = [None] * len(futures)
    ended: set[int] = set()
    failed: dict[int, Future] = {}
    for future in as_completed(futures, loop=client.loop):
        index = index_of[future.key]
        ended.add(index)
        if future.status == "error":
            failed[index] = future
        else:
            found[index] = future.result()
            on_done(index, found[index])
        if failed and ended.issuperset(range(min(failed))):
            failed[min(failed)].result()  # raises the task's own error
    return found


def compute_on_cluster(
    inputs: Sequence[str],
    loaded: LoadedModel,
    cluster: Cluster,
    *,
    as_of: datetime | None,
    relative: bool,
    combine: bool,
    skip_bad_rows: bool,
    reading: Reading,
    progress: Reporter,
    window: Window_,
) -> RunResult:
    """`compute_run` with the parts made on a Dask cluster: the same result."""
    from klout_cli.compute import RunFeatures, no_rows, score_features, windowed

    if STDIN in inputs:
        raise InputError("a cluster's workers cannot read standard input ('-'): save it to a file they can read")
    with connected(cluster) as client:
        from distributed import KilledWorker

        live: list[Future] = []  # what to cancel on Ctrl-C or an error: the newest tasks, which hold on to the rest
        try:
            files = _checked_inputs(client, inputs)
            progress.sized(sum(size for _, size in files))
            threads = sum(client.nthreads().values())
            count = partition_count(cluster, files, threads)
            on_workers = replace(reading, accounts=None)  # the --accounts file is read here, below
            read = [client.submit(read_input, name, count, skip_bad_rows, on_workers, pure=False) for name, _ in files]
            summaries = [client.submit(input_summary, item, pure=False) for item in read]
            live = [*read, *summaries]
            found_inputs: list[ReadInput] = _each_done(
                client, summaries, lambda index, item: progress.read(item.size, item.rows)
            )
            report = _merged(found_inputs)
            if not any(item.rows for item in found_inputs):
                raise no_rows(report)
            display = respellings(merge_spellings([item.spellings for item in found_inputs]))
            [shared] = client.scatter([display], broadcast=False)
            used = sorted({index for item in found_inputs for index in item.pieces})
            pieces = {
                index: [
                    client.submit(input_piece, future, index, pure=False)
                    for future, item in zip(read, found_inputs)
                    if index in item.pieces
                ]
                for index in used
            }
            live = [shared, *(piece for listed in pieces.values() for piece in listed)]
            del read, summaries  # each input's rows are let go once its pieces are made
            progress.stage("aggregating")
            moment = as_of
            if moment is None:
                moment = _latest(client, shared, pieces, found_inputs)
            if window is not None:
                earliest = min(item.earliest for item in found_inputs if item.earliest is not None)
                loaded = windowed(loaded, window, moment, earliest)
            made = [
                client.submit(partition_features, loaded.model, moment, shared, *pieces[index], pure=False)
                for index in used
            ]
            live = [shared, *made]
            del pieces  # each partition's pieces are let go once its features are made
            done = [0]

            def finished(index: int, result: Any) -> None:
                done[0] += 1
                progress.parts(done[0], len(made))

            parts: list[PartFeatures] = _each_done(client, made, finished)
        except KilledWorker as error:
            client.cancel(live, force=True)
            task = str(error.task).split("-", 1)[0]
            raise InputError(
                f"a worker died running each of {error.allowed_failures + 1} tries of one of the run's tasks "
                f"({task}; out of memory?): give the workers more memory, or split the input into smaller files"
            ) from None
        except BaseException:
            client.cancel(live, force=True)  # Ctrl-C, or an input's error: the cluster stops this run's work
            raise
        client.cancel(live)  # what the cluster still holds of the run
    if reading.accounts is not None:
        report.audience = apply_display(read_audience(reading.accounts, None), display)
    return score_features(
        RunFeatures.joined(parts), report, loaded, relative=relative, combine=combine, stage=progress.stage
    )
