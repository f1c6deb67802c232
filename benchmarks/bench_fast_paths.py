"""The two speeds that don't depend on the input's size: starting up, and the core's cost per score.

    python benchmarks/bench_fast_paths.py                 # startup, and the core on 100k accounts
    python benchmarks/bench_fast_paths.py --accounts 1000000
    python benchmarks/bench_fast_paths.py --core-only       # the core alone

Startup: wall time of `kscore --help` and `kscore rank --top 50` (a saved run of 20,000
accounts), the median of several runs, against `python -c pass` and `python -c "import click"`
timed in the same run (the floor any click CLI pays). Bytecode is compiled first, as `pip
install` does. The core: `Scorer.score_all` over synthetic accounts (deterministic), as a run
scores them, and `Scorer.score` one account at a time, against the least a scorer must do in
pure Python, timed in the same process: a weighted sum of normalised signals per account, with
no breakdown.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 9


def wall(command: list[str], env: dict[str, str]) -> float:
    """The median wall time of `command` over RUNS runs (after one to warm the disk cache)."""
    subprocess.run(command, env=env, capture_output=True, check=True)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup() -> None:
    import compileall

    import klout_cli

    compileall.compile_dir(str(Path(klout_cli.__file__).parent), quiet=1)
    python = sys.executable
    kscore = [python, "-c", "import sys; from klout_cli.cli import main; sys.argv[0] = 'kscore'; main()"]
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "KSCORE_DB": str(Path(folder) / "runs.db")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        data = Path(folder) / "activity.csv"
        bench = Path(__file__).with_name("bench_compute.py")
        subprocess.run([python, str(bench), "--generate", "1000000", "20000", str(data)], check=True)
        compute = [*kscore, "compute", str(data), "--as-of", "2024-06-30"]
        subprocess.run(compute, env=env, capture_output=True, check=True)
        floor = wall([python, "-c", "pass"], env)
        click = wall([python, "-c", "import click"], env)
        print(f"{'startup':<32} {'wall s':>8}  (median of {RUNS})")
        print(f"{'python -c pass':<32} {floor:>8.3f}")
        print(f"{'python -c import click':<32} {click:>8.3f}")
        for name, args in (
            ("kscore --help", ["--help"]),
            ("kscore rank --top 50", ["rank", "--top", "50"]),
            ("kscore rank --top 50 -f csv", ["rank", "--top", "50", "-f", "csv"]),
        ):
            seconds = wall([*kscore, *args], env)
            print(f"{name:<32} {seconds:>8.3f}  {seconds / click:.2f}x import click")


def accounts(count: int) -> list:
    from klout_cli.core import AccountFeatures

    rng = random.Random(7)
    found = []
    for index in range(count):
        items = rng.randint(1, 200)
        weighted = items * rng.uniform(0.3, 1.0)
        found.append(
            AccountFeatures(
                account=f"user{index}",
                platform="twitter",
                items=items,
                reply_items=items // 5,
                share_items=items // 7,
                weighted_items=weighted,
                likes=weighted * rng.lognormvariate(1, 1.5),
                shares=weighted * rng.lognormvariate(-1, 1.5),
                replies=weighted * rng.lognormvariate(-1, 1),
                clicks=weighted * rng.random(),
                impressions=weighted * rng.lognormvariate(4, 1),
                active_weeks=rng.getrandbits(13),
                followers=float(int(rng.lognormvariate(7, 2))) if rng.random() < 0.9 else None,
                following=float(int(rng.lognormvariate(6, 1.5))),
                busiest_day=rng.randint(1, 30),
                peak_item=float(rng.randint(0, 500)),
                engagers=rng.randint(0, 300),
                incoming=rng.uniform(0, 500),
                network=rng.uniform(0, 50),
                bot_share=rng.random() ** 3,
                ring_share=rng.random() ** 3,
                ring_size=rng.randint(0, 15),
            )
        )
    return found


def core(count: int) -> None:
    """The core as `kscore` runs it (the cycle collector paused), then the words of every breakdown
    (what showing or saving them all costs), then with the collector on, then the floor."""
    from klout_cli.cli import collection_paused
    from klout_cli.core import Scorer
    from klout_cli.modelfile import load_model

    model = load_model().model
    population = accounts(count)
    scorer = Scorer(model)
    with collection_paused():
        start = time.perf_counter()
        scores = scorer.score_all(population)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        one_at_a_time = [scorer.score(item) for item in population]
        alone = time.perf_counter() - start
        del one_at_a_time
        start = time.perf_counter()
        for score in scores:
            score.contributions, score.penalties  # noqa: B018 (made when first read)
        words = time.perf_counter() - start
    del scores
    start = time.perf_counter()
    collected = scorer.score_all(population)
    with_collector = time.perf_counter() - start

    specs = [(spec.name, spec.weight, math.log1p(spec.cap)) for spec in model.signals]
    start = time.perf_counter()
    least = []
    for item in population:
        raws = {
            "reach": item.followers or 0.0,
            "engagement": (item.likes + 3 * item.shares + 2 * item.replies) / (item.weighted_items + 1),
            "amplification": item.shares / (item.weighted_items + 1),
            "activity": bin(item.active_weeks).count("1") / 13,
            "true_reach": max(float(item.engagers), item.peak_item),
            "network_impact": item.network,
        }
        least.append(sum(weight * min(1.0, math.log1p(max(0.0, raws[name])) / cap) for name, weight, cap in specs))
    floor = time.perf_counter() - start
    flagged = sum(1 for score in collected if score.charges)
    print(f"\n{'core':<38} {'s':>8} {'us/account':>11}  ({count:,} accounts, {flagged:,} flagged)")
    for name, seconds in (
        ("Scorer.score_all (as kscore runs it)", ours),
        ("Scorer.score, one at a time", alone),
        ("+ the words of every breakdown", words),
        ("Scorer.score_all, collector on", with_collector),
        ("a weighted sum, no flags, no words", floor),
    ):
        per = seconds / count * 1e6
        print(f"{name:<38} {seconds:>8.3f} {per:>11.1f}  1M accounts: {per:.0f} s, {seconds / floor:.1f}x the sum")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000, help="accounts the core scores")
    parser.add_argument("--core-only", action="store_true", help="leave out startup")
    options = parser.parse_args()
    if not options.core_only:
        startup()
    core(options.accounts)


if __name__ == "__main__":
    main()
