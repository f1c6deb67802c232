"""Parts turned into features in worker processes, one part at a time each (or here, one job).

Workers are forked from a forkserver that has imported pandas and pyarrow once: forking the
run's own process is unsafe once pyarrow has started threads, and spawning each worker would
import them again. They start while the run reads its input, so they are ready by the time
the parts are. Results come back in the order of the parts, so any count of workers gives the
same sums, to the bit, as one. Ctrl-C, SIGTERM and SIGHUP reach the run, which stops the
workers before the parts are removed.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType

from klout_cli.core.errors import InputError
from klout_cli.pipeline.part import PartFeatures, PartJob, part_features

#: What the forkserver imports once, for every worker it forks.
PRELOAD = ["klout_cli.pipeline.part"]


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity, where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _worker_started() -> None:
    """Ctrl-C reaches every process of the terminal's group: the run alone handles it (it stops
    the workers), so a worker prints no traceback of its own. And a worker runs without the
    cyclic garbage collector, as the run does (see `cli.collection_paused`): a part makes many
    small records and no cycles, and the collector's passes would walk them all."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a closed terminal too: the run stops its workers
    gc.disable()


def _ready() -> None:
    """A task that does nothing: submitted once per worker, so each starts while the input is read."""


class Workers:
    """A pool of `count` worker processes for one run (a context manager)."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        self.count = count
        self._pool = ProcessPoolExecutor(count, mp_context=context, initializer=_worker_started)
        for _ in range(count):
            self._pool.submit(_ready)

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if error is None:
            self._pool.shutdown(wait=True)
        else:
            self.stop()

    def stop(self) -> None:
        """Stop every worker now, and wait until each is gone (so none writes in the parts'
        directory as it is removed)."""
        processes = list((self._pool._processes or {}).values())  # (no public way before Python 3.14)
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()

    def run(self, jobs: Sequence[PartJob], on_done: Callable[[int, int], None]) -> list[PartFeatures]:
        """Each job's features, in the order of `jobs`; `on_done(done, count)` hears of each as it ends."""
        # the largest parts first: one account's rows are never split, so a part can be several
        # times the others, and started last it would leave every other worker idle at the end
        order = sorted(range(len(jobs)), key=lambda index: -jobs[index].size())
        pending: dict[Future[PartFeatures], int] = {}
        for index in order:
            pending[self._pool.submit(part_features, jobs[index])] = index
        found: list[PartFeatures | None] = [None] * len(jobs)
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    found[pending.pop(future)] = future.result()  # a worker's error is raised here, as it was
                    on_done(len(jobs) - len(pending), len(jobs))
        except BrokenProcessPool:
            raise InputError(
                "a worker process stopped before its part was done (out of memory?): "
                "pass a lower --jobs, such as --jobs 1"
            ) from None
        return [item for item in found if item is not None]


def run_parts(
    jobs: Sequence[PartJob], workers: Workers | None = None, on_done: Callable[[int, int], None] | None = None
) -> list[PartFeatures]:
    """Each part's features, in order: by `workers` when there are any and more than one part,
    else here, one part at a time."""
    on_done = on_done or (lambda done, count: None)
    if workers is not None and len(jobs) > 1:
        return workers.run(jobs, on_done)
    found = []
    for index, job in enumerate(jobs):
        found.append(part_features(job))
        on_done(index + 1, len(jobs))
    return found
