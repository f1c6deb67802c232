"""Score a hold-out family with a model, as `kscore model evaluate` scores its own two families,
and print the figures as a markdown table.

    python benchmarks/holdout/run.py [--family c|d] [--model weights.yaml] [--accounts 3000] [--seeds 1 2 3 4 5]

c: the follower graph with cascades (benchmarks/holdout/); d: the attention market
(benchmarks/holdout_d/). How often each was looked at, and what changed: docs/validity.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "holdout_d")]

from klout_cli.lab.evaluate import _family, _score  # noqa: E402 (after the hold-outs' folders join the path)
from klout_cli.modelfile import load_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=["c", "d"], default="c")
    parser.add_argument("--model", default=None)
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    options = parser.parse_args()
    loaded = load_model(options.model)
    if options.family == "c":
        from cascade_population import generate
    else:
        from population import generate  # type: ignore[no-redef]
    print("| seed | kscore spearman | per post | followers | kscore gamers in top 50 | per post | volume bias "
          "| worst celebrity rank | top-100 celebrities missed | celebrities flagged | honest flagged |")  # fmt: skip
    print("|---" * 11 + "|")
    for seed in options.seeds:
        rows, truth = generate(options.accounts, seed)
        found = _family(_score(rows, truth, loaded))
        model, post, followers = (found["results"][name] for name in ("model", "engagement_per_post", "followers_only"))
        flagged = ", ".join(f"{count} {flag}" for flag, count in found["honest_flagged"].items()) or "0"
        print(
            f"| {seed} | {model['spearman']:.3f} | {post['spearman']:.3f} | {followers['spearman']:.3f} "
            f"| {model['gamers_in_top_50']} | {post['gamers_in_top_50']} | {model['volume_bias']:.3f} "
            f"| {model['worst_celebrity_rank']} | {model['celebrities_missed']} | {found['celebrities_flagged']} "
            f"| {flagged} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
