"""`kscore compute` with the local engine against a real Dask cluster of one and of two workers.

    python benchmarks/bench_cluster.py                                  # 2M rows, 100k accounts
    python benchmarks/bench_cluster.py --rows 20000 --accounts 1000     # a smoke test
    python benchmarks/bench_cluster.py --repeat 2 --json cluster.json   # each measurement twice, in turn
    python benchmarks/bench_cluster.py --files 4                        # the rows in 4 files: read in parallel

The data is bench_compute.py's (same generator, same seed). Each run is `kscore compute FILE
--no-save --format csv`, in its own child process, timed from start to exit, its peak memory
(max RSS) read from the kernel when it exits: with `--engine local` (every core, the default
jobs), then with `--engine dask --scheduler ADDRESS` against a cluster started here for the run,
`python -m dask scheduler` and one or two `python -m dask worker --nthreads 1` processes on
127.0.0.1 (started, and joined, before the clock starts; stopped after). Each worker's memory
is sampled every 0.2 s while the run goes (its process's RSS, asked of it through a client);
the highest is kept. The runs' CSV output is compared with the local engine's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: Seconds between two samples of the workers' memory.
SAMPLE_SECONDS = 0.2
#: Seconds a scheduler or its workers may take to start.
START_SECONDS = 60


def worker_rss() -> int:
    """(On a worker) the resident set of its process, in bytes."""
    import psutil

    return int(psutil.Process().memory_info().rss)


@contextmanager
def dask_cluster(folder: Path, workers: int) -> Iterator[tuple[str, Any]]:
    """A scheduler and `workers` workers of one thread, each a process, and a client of them (to
    watch their memory); every process is stopped on the way out, whatever happened."""
    from distributed import Client

    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "scheduler.json"
    file.unlink(missing_ok=True)
    running: list[subprocess.Popen[bytes]] = []

    def start(*arguments: str) -> None:
        log = open(folder / f"{arguments[0]}-{len(running)}.log", "wb")  # noqa: SIM115 (closed with the process)
        command = [sys.executable, "-m", "dask", *arguments]
        running.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=folder))

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(file))
        options = ["--nthreads", "1", "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"]
        for _ in range(workers):
            start("worker", "--scheduler-file", str(file), *options)
        with Client(scheduler_file=str(file), timeout=START_SECONDS, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=START_SECONDS)
            yield client.scheduler.address, client
    finally:
        for process in reversed(running):
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class MemorySampler:
    """Each worker's highest RSS while the run goes, sampled every SAMPLE_SECONDS in a thread."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.idle = self._sample()
        self.peak = dict(self.idle)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _sample(self) -> dict[str, int]:
        try:
            return self.client.run(worker_rss, wait=True)
        except Exception:  # a worker leaving mid-sample: the next sample sees the others
            return {}

    def _watch(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            for worker, rss in self._sample().items():
                self.peak[worker] = max(self.peak.get(worker, 0), rss)

    def __enter__(self) -> MemorySampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()


def run_kscore(data: list[Path], output: Path, *flags: str) -> dict[str, Any]:
    """`kscore compute FILE --no-save --format csv` to `output`: seconds from start to exit, and the
    peak RSS of the run (the client, with the local engine's worker processes: the highest of them)."""
    environment = {key: value for key, value in os.environ.items() if key not in ("KSCORE_SCHEDULER", "KSCORE_JOBS")}
    inputs = [str(path) for path in data]
    command = [sys.executable, "-m", "klout_cli", "compute", *inputs, "--no-save", "--format", "csv", *flags]
    with open(output, "wb") as out, tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=errors, env={**environment, "NO_COLOR": "1"})
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl-C: the run stops too (it cancels its tasks on the cluster)
            process.terminate()
            process.wait()
            raise
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode(errors='replace')}")
    return {"wall": wall, "peak_mb": usage.ru_maxrss / 1024}  # kilobytes on Linux


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def first_difference(one: Path, other: Path) -> str:
    for number, (mine, theirs) in enumerate(zip(one.open(), other.open()), 1):
        if mine != theirs:
            return f"line {number}: {mine.strip()!r} against {theirs.strip()!r}"
    return "one output is longer"


def split(data: Path, count: int) -> list[Path]:
    """The file as `count` files of consecutive rows, each with the header (a dump exported in pieces)."""
    if count == 1:
        return [data]
    with data.open("rb") as source:
        header, rows = source.readline(), source.readlines()
    size = -(-len(rows) // count)
    paths = []
    for index in range(count):
        path = data.with_name(f"{data.stem}-{index}.csv")
        path.write_bytes(header + b"".join(rows[index * size : (index + 1) * size]))
        paths.append(path)
    data.unlink()
    return paths


def run_all(rows: int, accounts: int, folder: Path, repeat: int, files: int = 1) -> dict[str, Any]:
    whole = folder / f"activity-{rows}-{accounts}.csv"
    # generated in a child: Linux keeps a process's peak memory across fork and exec
    generator = [sys.executable, str(HERE / "bench_compute.py"), "--generate", str(rows), str(accounts), str(whole)]
    subprocess.run(generator, check=True)
    size = whole.stat().st_size
    data = split(whole, files)
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    found: dict[str, Any] = {"rows": rows, "accounts": accounts, "file_mb": size / 1e6, "jobs": jobs, "files": files}
    found["differences"] = []
    for round_ in range(repeat):
        local = folder / f"local-{round_}.csv"
        found.setdefault("local", []).append(run_kscore(data, local, "--engine", "local"))
        found["csv_lines"] = sum(1 for _ in local.open())
        for workers in (1, 2):
            output = folder / f"dask-{workers}-{round_}.csv"
            cluster = dask_cluster(folder / f"cluster-{workers}", workers)
            with cluster as (address, client), MemorySampler(client) as sampler:
                figures = run_kscore(data, output, "--engine", "dask", "--scheduler", address)
            figures["idle_mb"] = [sampler.idle.get(worker, 0) / 2**20 for worker in sorted(sampler.peak)]
            figures["workers_mb"] = [sampler.peak[worker] / 2**20 for worker in sorted(sampler.peak)]
            found.setdefault(f"dask_{workers}", []).append(figures)
            if digest(output) != digest(local):
                difference = first_difference(local, output)
                found["differences"].append(f"{workers} worker(s), round {round_ + 1}: {difference}")
            output.unlink()
        local.unlink()
    return found


def spread(values: list[float], digits: int = 1, unit: str = "") -> str:
    """One figure, or the lowest and highest of repeated ones."""
    low, high = min(values), max(values)
    same = round(low, digits) == round(high, digits)
    return (f"{low:,.{digits}f}" if same else f"{low:,.{digits}f}–{high:,.{digits}f}") + unit


def table(found: dict[str, Any]) -> str:
    rounds = len(found["local"])
    lines = [
        f"{found['rows']:,} rows, {found['accounts']:,} accounts, a {found['file_mb']:.0f} MB CSV"
        + (f" in {found['files']} files" if found.get("files", 1) > 1 else "")
        + f", `kscore compute FILE... --no-save --format csv` ({rounds} round{'s' if rounds > 1 else ''}):",
        "",
        "| engine | time | × local | client peak RSS | each worker's peak RSS (idle) | workers' peaks summed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    base = [run["wall"] for run in found["local"]]
    labels = {
        "local": f"`--engine local` ({found['jobs']} jobs)",
        "dask_1": "`--engine dask`, 1 worker",
        "dask_2": "`--engine dask`, 2 workers",
    }
    for key, label in labels.items():
        runs = found[key]
        ratio = spread([run["wall"] / first for run, first in zip(runs, base)], 2, "×")
        workers, summed = "—", "—"
        if "workers_mb" in runs[0]:
            each = [
                f"{spread([run['workers_mb'][index] for run in runs], 0)} "
                f"({spread([run['idle_mb'][index] for run in runs], 0)})"
                for index in range(len(runs[0]["workers_mb"]))
            ]
            workers = " + ".join(each) + " MB"
            summed = spread([sum(run["workers_mb"]) for run in runs], 0, " MB")
        lines.append(
            f"| {label} | {spread([run['wall'] for run in runs], 1, ' s')} | {ratio} "
            f"| {spread([run['peak_mb'] for run in runs], 0, ' MB')} | {workers} | {summed} |"
        )
    lines.append("")
    if found["differences"]:
        lines.append("The CSV output DIFFERS from the local engine's: " + "; ".join(found["differences"]))
    else:
        lines.append(f"The three runs print the same CSV ({found['csv_lines']:,} lines), in every round.")
    lines.append(
        "Workers: `dask worker --nthreads 1` processes, their RSS sampled every "
        f"{SAMPLE_SECONDS} s (the highest kept); client: the kscore process's max RSS from the kernel."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="run every measurement this many times, in turn")
    parser.add_argument("--files", type=int, default=1, help="split the rows into this many files (one read task each)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args()
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise SystemExit("this benchmark needs Dask: pip install -e '.[dask]'") from None
    with tempfile.TemporaryDirectory(prefix="kscore-bench-") as folder:
        found = run_all(options.rows, options.accounts, Path(folder), options.repeat, options.files)
    if options.json:
        options.json.write_text(json.dumps(found, indent=1))
    print(table(found))


if __name__ == "__main__":
    main()
