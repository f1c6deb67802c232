"""How big the run store grows for an input, how long saving takes, and how fast it reads back.

    python benchmarks/bench_store.py                   # 1M rows (generated as bench_compute does)
    python benchmarks/bench_store.py --rows 100000     # another size
    python benchmarks/bench_store.py --accounts 200000 # 1M rows among more accounts (more scores a row)
    python benchmarks/bench_store.py --input big.csv   # your own file

Prints the input's size, the store's size and their ratio, the accounts and topic scores
saved, the time of the save stage, and the time of `kscore rank --top 50` and of
`kscore explain` on the store (each the best of three, in a fresh process).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_compute import generate


def best_of(command: list[str], runs: int = 3) -> float:
    """The fastest of `runs` runs of a command, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=0, help="among this many accounts (default: 50 rows each)")
    parser.add_argument("--input", type=Path, default=None, help="score this file instead of generated data")
    parser.add_argument("--keep", type=Path, default=None, help="write the store here and keep it")
    args = parser.parse_args()

    from klout_cli.cli import collection_paused
    from klout_cli.compute import compute_run
    from klout_cli.modelfile import load_model
    from klout_cli.store import Store

    with tempfile.TemporaryDirectory() as folder:
        source = args.input
        if source is None:
            source = Path(folder) / f"bench-{args.rows}.csv"
            generate(args.rows, source, args.accounts)
        store = args.keep or Path(folder) / "runs.db"
        with collection_paused():
            start = time.perf_counter()
            result = compute_run([str(source)], load_model())
            scored = time.perf_counter()
            Store(store).save_run(result.saved(result.rows()))
            saved = time.perf_counter()
        size_in, size_out = source.stat().st_size, store.stat().st_size
        kscore, db = [sys.executable, "-m", "klout_cli"], ["--db", str(store)]
        account = result.ranked[0][1].account
        rank = best_of([*kscore, "rank", "--top", "50", "-f", "csv", *db])
        explain = best_of([*kscore, "explain", account, "-f", "json", *db])
        print(f"input            {size_in / 1e6:,.1f} MB ({source.name})")
        print(f"store            {size_out / 1e6:,.1f} MB ({size_out / size_in:.1%} of the input)")
        print(f"scores           {len(result.ranked):,} accounts, {len(result.topics):,} topic scores")
        print(f"compute          {scored - start:.2f} s before saving")
        print(f"save             {saved - scored:.2f} s")
        print(f"rank --top 50    {rank:.3f} s")
        print(f"explain          {explain:.3f} s")


if __name__ == "__main__":
    main()
