"""`kscore compute` against an equivalent workload in DuckDB, measured side by side (issue #18).

    python benchmarks/bench_workload.py                                   # 2M rows, 100k accounts
    python benchmarks/bench_workload.py --accounts 1000000 --rows 3000000
    python benchmarks/bench_workload.py --accounts 1000000 --rows 3000000 --spread even  # 1M accounts, each active
    python benchmarks/bench_workload.py --rows 20000 --accounts 1000       # a smoke test
    python benchmarks/bench_workload.py --repeat 2                        # each measurement twice, in turn

The data is bench_compute.py's (same generator, same seed). Each measurement runs in its own
child process, timed from start to exit, its peak memory (max RSS) read from the kernel when
it exits; they run one after another, in turn when repeated, so the machine's hour weighs on
all alike. The baseline (workload_sql.py) does kscore's feature workload in DuckDB SQL and
writes its results to Parquet; kscore runs its CLI: `compute FILE` into a fresh store,
`compute FILE --no-save`, and `rank --top 50` on the store. Ratios are kscore / baseline.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STAGES = ("read", "aggregate", "network", "score", "topics", "save", "show")
#: What the CLI's progress reporter calls each stage, as this table names it.
STAGE_NAMES = {
    "aggregating": "aggregate",
    "trust network": "network",
    "scoring": "score",
    "topics": "topics",
    "saving the run": "save",
    "show": "show",
}


def written_bytes() -> int:
    """Bytes this process passed to write() so far (files, temporary parts, pipes): /proc's wchar."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_baseline(data: str, out: str, parameters: str) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from workload_sql import run_workload

    figures = run_workload(data, Path(out), json.loads(parameters))
    figures["output"] = figures.pop("written")
    return figures


def run_compute(data: str, store: str, *flags: str) -> dict[str, Any]:
    """`kscore compute` as the CLI runs it, each stage timed through its progress reporter."""
    from klout_cli import cli
    from klout_cli.commands import scoring
    from klout_cli.progress import Reporter

    starts = [("read", time.perf_counter())]

    class Stages(Reporter):
        def stage(self, name: str) -> None:
            starts.append((name, time.perf_counter()))

    @contextmanager
    def timed(names: Any, wanted: Any) -> Any:
        yield Stages()

    show = scoring._show

    def timed_show(*args: Any, **kwargs: Any) -> None:
        starts.append(("show", time.perf_counter()))
        show(*args, **kwargs)

    scoring.reporting, scoring._show = timed, timed_show
    try:
        cli.cli.main(["compute", data, "--db", store, *flags], prog_name="kscore", standalone_mode=False)
    finally:
        starts.append(("end", time.perf_counter()))
    figures: dict[str, Any] = {STAGE_NAMES.get(name, name): 0.0 for name in STAGES}
    for (name, start), (_, end) in pairwise(starts):
        figures[STAGE_NAMES.get(name, name)] += end - start
    figures["output"] = sum(path.stat().st_size for path in Path(store).parent.glob(Path(store).name + "*"))
    return figures


def child(kind: str, arguments: list[str], report: str) -> None:
    """One measurement, in this (child) process; its figures go to the file `report`."""
    figures = run_baseline(*arguments) if kind == "baseline" else run_compute(*arguments)
    figures["wchar"] = written_bytes()
    Path(report).write_text(json.dumps(figures))


def measure(arguments: list[str], report: Path | None = None) -> dict[str, Any]:
    """Run a child to its end: its figures, seconds from start to exit, and peak memory (MB)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise SystemExit(f"{' '.join(arguments)} failed:\n{errors.read().decode(errors='replace')}")
    figures: dict[str, Any] = json.loads(report.read_text()) if report else {}
    figures["wall"] = wall
    figures["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return figures


def measure_child(kind: str, *arguments: str, folder: Path) -> dict[str, Any]:
    report = folder / f"{kind}.json"
    return measure([sys.executable, __file__, "--child", kind, str(report), *arguments], report)


def run_all(rows: int, accounts: int, folder: Path, repeat: int, spread: str = "zipf") -> dict[str, Any]:
    """Every measurement `repeat` times, in turn: a list of figures for each."""
    sys.path.insert(0, str(HERE))
    from workload_sql import model_parameters

    data = folder / f"activity-{rows}-{accounts}.csv"
    # generated in a child: Linux keeps a process's peak memory across fork and exec
    generator = [sys.executable, str(HERE / "bench_compute.py"), "--generate", str(rows), str(accounts), str(data)]
    subprocess.run([*generator, "--spread", spread], check=True)
    parameters = json.dumps(model_parameters())
    found: dict[str, Any] = {"file_mb": data.stat().st_size / 1e6, "rows": rows, "accounts": accounts, "spread": spread}
    for _ in range(repeat):
        out, store = folder / "parquet", folder / "store" / "runs.db"
        for path in (out, store.parent):
            shutil.rmtree(path, ignore_errors=True)
        store.parent.mkdir()
        runs = {
            "baseline": ["baseline", str(data), str(out), parameters],
            "compute": ["compute", str(data), str(store)],
            "no_save": ["compute", str(data), str(folder / "unused.db"), "--no-save"],
        }
        for name, arguments in runs.items():
            found.setdefault(name, []).append(measure_child(*arguments, folder=folder))
        rank = [sys.executable, "-m", "klout_cli", "rank", "--top", "50", "--db", str(store)]
        found.setdefault("rank", []).append(measure(rank))
    return found


def spread(values: list[float], digits: int = 1, unit: str = "") -> str:
    """One figure, or the lowest and highest of repeated ones."""
    low, high = min(values), max(values)
    text = (
        f"{low:,.{digits}f}" if round(low, digits) == round(high, digits) else f"{low:,.{digits}f}–{high:,.{digits}f}"
    )
    return text + unit


def table(found: dict[str, Any]) -> str:
    """The measurements as a markdown table (ratios from the same round, kscore / baseline)."""
    base = found["baseline"]
    lines = [
        f"{found['rows']:,} rows, {found['accounts']:,} accounts ({found['spread']}), a {found['file_mb']:.0f} MB CSV "
        f"({len(base)} round{'s' if len(base) > 1 else ''}):",
        "",
        "| | time | × baseline | peak RSS | × | output | bytes written | stages (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]

    def row(label: str, runs: list[dict[str, Any]], stages: str = "", *, compared: bool = True) -> str:
        """One measurement's figures; `compared`: with its ratios to the baseline of the same round."""
        wall = [run["wall"] for run in runs]
        peak = [run["peak_mb"] for run in runs]
        ratio = spread([run["wall"] / first["wall"] for run, first in zip(runs, base)], 1, "×") if compared else "—"
        peak_ratio = (
            spread([run["peak_mb"] / first["peak_mb"] for run, first in zip(runs, base)], 1, "×") if compared else "—"
        )
        output = spread([run["output"] / 1e6 for run in runs], 1, " MB") if "output" in runs[0] else "—"
        wrote = spread([run["wchar"] / 1e6 for run in runs], 0, " MB") if "wchar" in runs[0] else "—"
        return (
            f"| {label} | {spread(wall, 1, ' s')} | {ratio} | {spread(peak, 0, ' MB')} "
            f"| {peak_ratio} | {output} | {wrote} | {stages} |"
        )

    steps = " + ".join(f"{name} {spread([run['steps'][name] for run in base], 2)}" for name in base[0]["steps"])
    lines.append(row("DuckDB, the same feature workload, to Parquet", base, steps))
    for key, label in (("compute", "`kscore compute`"), ("no_save", "`kscore compute --no-save`")):
        runs = found[key]
        stages = " + ".join(
            f"{name} {spread([run[name] for run in runs], 2)}" for name in STAGES if any(run[name] for run in runs)
        )
        lines.append(row(label, runs, stages))
    lines.append(row("`kscore rank --top 50` on that store", found["rank"], compared=False))
    first = base[0]
    lines += [
        "",
        f"Baseline: {first['rows']:,} rows read and checked, {first['rows_kept']:,} in the window, "
        f"{first['accounts']:,} (account, platform) and {first['topic_scores']:,} (account, platform, topic) "
        f"features, {first['pairs']:,} interaction pairs ({first['reciprocal']:,} reciprocal). kscore: "
        f"read + aggregate + network {spread([sum(run[n] for n in ('read', 'aggregate', 'network')) for run in found['no_save']], 1, ' s')} "  # noqa: E501
        f"with --no-save, against the baseline's {spread([run['wall'] for run in base], 1, ' s')} for all of its work.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="run every measurement this many times, in turn")
    parser.add_argument(
        "--spread",
        choices=("zipf", "even"),
        default="zipf",
        help="rows per account: Zipf (bench_compute's draw: most accounts get none) or the same for every account",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        kind, report, *arguments = options.child
        child(kind, arguments, report)
        return
    if importlib.util.find_spec("duckdb") is None:
        raise SystemExit("the baseline needs DuckDB: pip install -e '.[bench]' (or pip install duckdb)")
    with tempfile.TemporaryDirectory(prefix="kscore-bench-") as folder:
        found = run_all(options.rows, options.accounts, Path(folder), options.repeat, options.spread)
    if options.json:
        options.json.write_text(json.dumps(found, indent=1))
    print(table(found))


if __name__ == "__main__":
    main()
