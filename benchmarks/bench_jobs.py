"""Time and peak memory of `kscore compute --jobs N`, the run and its workers together.

    python benchmarks/bench_jobs.py FILE --jobs 1 2       # each count of workers in turn
    python benchmarks/bench_jobs.py FILE --jobs 1 2 --repeat 2
    python benchmarks/bench_jobs.py FILE --stages         # each stage of compute_run, in a child, instead

Memory is sampled from /proc every 100 ms: of the run and every process under it (workers, the
forkserver), the resident sets summed (pages shared between them, such as the libraries the
forkserver imported once, count in each) and the proportional sets summed (shared pages split
between their sharers: what the processes take together); the highest sums are kept.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _tree(root: int) -> set[int]:
    """`root` and every process under it (read from /proc/PID/task/TID/children: cheap enough
    to sample often without taking a core from the run)."""
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                found = [int(child) for child in task.read_text().split()]
            except OSError:
                continue
            frontier += [child for child in found if child not in tree]
            tree.update(found)
    return tree


def _memory_kb(pid: int) -> tuple[int, int]:
    """(resident, proportional) set size of a process, in KB; zeros once it is gone."""
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
    except (OSError, ValueError):
        return 0, 0
    return int(fields["Rss"].split()[0]), int(fields["Pss"].split()[0])


def _cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(path: str, jobs: int, db: str) -> tuple[float, float, float, float, float]:
    """(seconds, CPU seconds of every process (as last sampled), then peak MB of the run alone,
    resident sets summed, proportional sets summed)."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "klout_cli", "compute", path, "--jobs", str(jobs), "--db", db, "-f", "csv"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    own = resident = proportional = 0
    cpu: dict[int, float] = {}
    while process.poll() is None:
        tree = _tree(process.pid)
        cpu.update({pid: max(cpu.get(pid, 0.0), _cpu_seconds(pid)) for pid in tree})
        sizes = {pid: _memory_kb(pid) for pid in tree}
        own = max(own, sizes.get(process.pid, (0, 0))[0])
        resident = max(resident, sum(size[0] for size in sizes.values()))
        proportional = max(proportional, sum(size[1] for size in sizes.values()))
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    if process.returncode:
        raise SystemExit(process.stderr.read().decode() if process.stderr else "kscore failed")
    return elapsed, sum(cpu.values()), own / 1024, resident / 1024, proportional / 1024


def stages(path: str, jobs: int) -> None:
    """(In a child) compute_run's stages, timed through the progress reporter's calls, without saving."""
    from klout_cli.cli import collection_paused
    from klout_cli.compute import compute_run
    from klout_cli.modelfile import load_model
    from klout_cli.progress import Reporter

    class Stages(Reporter):
        def __init__(self) -> None:
            self.starts = [("read", time.perf_counter())]

        def stage(self, name: str) -> None:
            self.starts.append((name, time.perf_counter()))

    heard = Stages()
    with collection_paused():
        compute_run([path], load_model(), progress=heard, jobs=jobs)
    heard.stage("end")
    spans = [(name, end - start) for (name, start), (_, end) in zip(heard.starts, heard.starts[1:])]
    print(
        "  ".join(f"{name} {seconds:.2f}" for name, seconds in spans),
        f" total {heard.starts[-1][1] - heard.starts[0][1]:.2f}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--stages", action="store_true", help="time compute_run's stages (no saving) instead")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        stages(options.file, options.child)
        return
    if options.stages:
        for _ in range(options.repeat):
            for jobs in options.jobs:
                print(f"--jobs {jobs}: ", end="", flush=True)
                subprocess.run([sys.executable, __file__, options.file, "--child", str(jobs)], check=True)
        return
    print(f"{'jobs':>4} {'seconds':>8} {'CPU s':>7} {'run MB':>7} {'RSS sum MB':>11} {'PSS sum MB':>11}")
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(options.repeat):
            for jobs in options.jobs:  # side by side, in turn: the machine's load changes
                seconds, cpu, own, resident, proportional = measure(
                    options.file, jobs, str(Path(folder) / f"{jobs}.db")
                )
                print(
                    f"{jobs:>4} {seconds:>8.2f} {cpu:>7.1f} {own:>7.0f} {resident:>11.0f} {proportional:>11.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
