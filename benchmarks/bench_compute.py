"""Time and memory of `kscore compute` against plain pandas and DuckDB, measured in one run.

    python benchmarks/bench_compute.py                  # 100k and 1M rows
    python benchmarks/bench_compute.py --sizes 10000    # choose sizes
    python benchmarks/bench_compute.py --big            # ... and 10 million rows
    python benchmarks/bench_compute.py --accounts 200000  # ... and 1M rows among 200k accounts

Data is generated deterministically (numpy, fixed seed) in the canonical schema. Each
measurement runs in a fresh child process so its peak memory (max RSS) is its own. The
baseline reads the same file with pandas and groups per account with a decayed sum of the
weighted engagement: the least any scorer must do. Printed ratios are kscore / baseline.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 7
AS_OF = "2024-06-30T00:00:00+00:00"


def generate(rows: int, path: Path, accounts: int = 0, spread: str = "zipf") -> None:
    """`rows` rows among `accounts` accounts (default: 50 rows an account), Zipf-distributed (a
    few accounts have most rows, and many none); `spread="even"`: every account has its share."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(SEED)
    accounts = max(10, accounts or rows // 50)
    kinds = np.array(["post", "post", "post", "reply", "share", "like", "mention"])
    kind = kinds[rng.integers(0, len(kinds), rows)]
    content = np.isin(kind, ["post", "reply", "share"])
    appeal = rng.lognormal(1.0, 1.2, accounts)
    who = rng.zipf(1.3, rows) % accounts if spread == "zipf" else rng.permutation(np.arange(rows) % accounts)
    seconds = rng.integers(0, 120 * 86400, rows)
    stamps = pd.Timestamp(AS_OF) - pd.to_timedelta(seconds, unit="s")
    likes = np.where(content, rng.poisson(appeal[who]), 0)
    frame = pd.DataFrame(
        {
            "account": np.char.add("user", who.astype(str)),
            "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "platform": np.where(who % 5 == 0, "linkedin", "twitter"),
            "kind": kind,
            "post_id": np.char.add("p", np.arange(rows).astype(str)),
            "target": np.where(content & (kind == "post"), "", np.char.add("user", (who * 7 % accounts).astype(str))),
            "likes": likes,
            "shares": np.where(content, rng.poisson(appeal[who] * 0.2), 0),
            "replies": np.where(content, rng.poisson(appeal[who] * 0.1), 0),
            "impressions": np.where(content, rng.poisson(appeal[who] * 40), 0),
            "clicks": np.where(content, rng.poisson(appeal[who] * 0.05), 0),
            "followers": rng.integers(0, 200_000, rows),
        }
    )
    # topics on most content: a topics column on half of it, a hashtag in the text of a third
    topic = np.char.add("topic", (rng.zipf(1.5, rows) % 200).astype(str))
    frame["topics"] = np.where(content & (rng.random(rows) < 0.5), topic, "")
    frame["text"] = np.where(content & (rng.random(rows) < 0.33), np.char.add("a post about #", topic), "")
    frame.to_csv(path, index=False)


def run_kscore(path: str) -> dict[str, float]:
    """`kscore compute` (no printing), each stage timed through the progress reporter's calls,
    without the cycle collector as the CLI runs every command."""
    from klout_cli.cli import collection_paused
    from klout_cli.compute import compute_run
    from klout_cli.modelfile import load_model
    from klout_cli.progress import Reporter
    from klout_cli.store import Store

    class Stages(Reporter):
        def __init__(self) -> None:
            self.starts = [("read", time.perf_counter())]

        def stage(self, name: str) -> None:
            self.starts.append((name, time.perf_counter()))

    loaded = load_model()
    stages = Stages()
    with collection_paused(), tempfile.TemporaryDirectory() as folder:
        result = compute_run([path], loaded, progress=stages)
        stages.stage("save")
        Store(Path(folder) / "runs.db").save_run(result.saved(result.rows()))
        stages.stage("end")
    names = {"read": "read", "aggregating": "aggregate", "trust network": "network", "scoring": "score"}
    figures: dict[str, float] = {}
    for (name, start), (_, end) in zip(stages.starts, stages.starts[1:]):
        figures[names.get(name, name)] = end - start
    figures["topics"] = figures.pop("topics")  # topics, styles and ranking
    figures["accounts"] = len(result.ranked)
    figures["topic_scores"] = len(result.topics)
    return figures


def run_baseline(path: str) -> dict[str, float]:
    import numpy as np
    import pandas as pd

    start = time.perf_counter()
    rows = pd.read_csv(path)
    stamps = pd.to_datetime(rows["timestamp"], utc=True)
    age = (stamps.max() - stamps).dt.total_seconds() / 86400
    rows = rows[age <= 90]
    decay = np.power(0.5, age[age <= 90] / 30)
    weighted = (rows["likes"] + 3 * rows["shares"] + 2 * rows["replies"] + 0.5 * rows["clicks"]) * decay
    grouped = weighted.groupby([rows["account"], rows["platform"]]).sum()
    return {"total": time.perf_counter() - start, "accounts": len(grouped)}


def run_duckdb(path: str) -> dict[str, float]:
    """The same aggregate in DuckDB (if installed): decayed weighted engagement and distinct targets."""
    import duckdb

    start = time.perf_counter()
    query = f"""
        WITH rows AS (
            SELECT account, platform, target,
                   likes + 3 * shares + 2 * replies + 0.5 * clicks AS weighted,
                   epoch(max(CAST(timestamp AS TIMESTAMPTZ)) OVER () - CAST(timestamp AS TIMESTAMPTZ)) / 86400 AS age
            FROM read_csv('{path}', all_varchar = false)
        )
        SELECT account, platform, sum(weighted * pow(0.5, age / 30)), count(DISTINCT target)
        FROM rows WHERE age <= 90 GROUP BY account, platform
    """
    found = duckdb.connect().execute(query).fetchall()
    return {"total": time.perf_counter() - start, "accounts": len(found)}


def child(kind: str, path: str) -> None:
    runs = {"kscore": run_kscore, "baseline": run_baseline, "duckdb": run_duckdb}
    figures = runs[kind](path)
    figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def measure(kind: str, path: Path) -> dict[str, float]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, check=True
    )
    figures: dict[str, float] = json.loads(out.stdout)
    figures["wall"] = time.perf_counter() - start
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--big", action="store_true", help="add 10 million rows (minutes, several GB)")
    parser.add_argument(
        "--accounts", type=int, nargs="+", default=[], help="also 1M rows among this many accounts (cost per account)"
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=3, metavar=("ROWS", "ACCOUNTS", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--spread", choices=("zipf", "even"), default="zipf", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(*options.child)
        return
    if options.generate:
        generate(int(options.generate[0]), Path(options.generate[2]), int(options.generate[1]), options.spread)
        return
    has_duckdb = importlib.util.find_spec("duckdb") is not None
    if not has_duckdb:
        print("(duckdb is not installed: `pip install duckdb` to add it as a baseline)")
    print(f"{'rows':>10} {'accounts':>9} {'engine':>8} {'in-process s':>13} {'wall s':>8} {'peak MB':>8}  detail")
    cases = [(size, size // 50) for size in [*options.sizes, *([10_000_000] if options.big else [])]]
    cases += [(1_000_000, accounts) for accounts in options.accounts]
    with tempfile.TemporaryDirectory() as folder:
        for size, accounts in cases:
            path = Path(folder) / f"activity-{size}-{accounts}.csv"
            # generated in a child too: Linux keeps a process's peak memory across exec, so a parent
            # that built the data itself would pass its peak on to every measurement
            subprocess.run([sys.executable, __file__, "--generate", str(size), str(accounts), str(path)], check=True)
            mb = path.stat().st_size / 1e6
            label = f"{size:>10,} {accounts:>9,}"
            baseline = measure("baseline", path)
            ours = measure("kscore", path)
            ours_total = sum(ours[name] for name in STAGES)
            print(f"{label} {'pandas':>8} {baseline['total']:>13.3f} {baseline['wall']:>8.2f} "
                  f"{baseline['max_rss_mb']:>8.0f}  read + decayed groupby ({mb:.0f} MB file)")  # fmt: skip
            stages = " + ".join(f"{name} {ours[name]:.2f}" for name in STAGES)
            print(f"{label} {'kscore':>8} {ours_total:>13.3f} {ours['wall']:>8.2f} {ours['max_rss_mb']:>8.0f}  "
                  f"{stages} ({ours['accounts']:,.0f} scores, {ours['topic_scores']:,.0f} topic scores)")  # fmt: skip
            memory = ours["max_rss_mb"] / baseline["max_rss_mb"]
            print(f"{'':>20} {'ratio':>8} {ours_total / baseline['total']:>13.2f} "
                  f"{ours['wall'] / baseline['wall']:>8.2f} {memory:>8.2f}  kscore / pandas")  # fmt: skip
            if has_duckdb:
                duck = measure("duckdb", path)
                print(f"{label} {'duckdb':>8} {duck['total']:>13.3f} {duck['wall']:>8.2f} "
                      f"{duck['max_rss_mb']:>8.0f}  the same aggregate, plus distinct targets")  # fmt: skip
                print(f"{'':>20} {'ratio':>8} {ours_total / duck['total']:>13.2f} "
                      f"{ours['wall'] / duck['wall']:>8.2f} {ours['max_rss_mb'] / duck['max_rss_mb']:>8.2f}  "
                      "kscore / duckdb")  # fmt: skip


STAGES = ("read", "aggregate", "network", "score", "topics", "save")


if __name__ == "__main__":
    main()
