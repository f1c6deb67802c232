"""How gameable is a model? Score a generated population and compare with its ground truth.

Reports the Spearman correlation of score with true influence, how many gamers reach the top
50, and the best rank each kind of gamer reached; the same for two baselines (followers only,
and raw engagement per item), all on the same population.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from klout_cli.compute import compute_run
from klout_cli.lab.demo import GAMER_GROUPS, generate_population
from klout_cli.modelfile import LoadedModel

TOP = 50
KEYS = ["account", "platform"]


def spearman(first: pd.Series, second: pd.Series) -> float:
    """Rank correlation (ties share their average rank)."""
    ranks = np.corrcoef(first.rank().to_numpy(), second.rank().to_numpy())
    return float(ranks[0, 1])


def _figures(table: pd.DataFrame, column: str) -> dict[str, Any]:
    """Figures for one way of ranking the candidates (higher `column` ranks first)."""
    ordered = table.sort_values([column, "account", "platform"], ascending=[False, True, True], kind="stable")
    ordered = ordered.assign(rank=np.arange(1, len(ordered) + 1))
    best = {group: int(ordered.loc[ordered["group"] == group, "rank"].min()) for group in GAMER_GROUPS}
    return {
        "spearman": spearman(table[column], table["influence"]),
        f"gamers_in_top_{TOP}": int(ordered.head(TOP)["gamer"].sum()),
        "best_gamer_rank": best,
    }


def baselines(rows: pd.DataFrame) -> pd.DataFrame:
    """Per account: latest followers, and raw weighted engagement per item (likes + 3 shares + 2 replies)."""
    typed = rows.assign(
        timestamp=pd.to_datetime(rows["timestamp"], utc=True, format="ISO8601"),
        followers=pd.to_numeric(rows["followers"], errors="coerce"),
    )
    latest = typed.dropna(subset=["followers"]).sort_values("timestamp").groupby(KEYS)["followers"].last()
    content = typed[typed["kind"].isin(["post", "reply", "share"])]
    weighted = (
        content["likes"].astype(float) + 3 * content["shares"].astype(float) + 2 * content["replies"].astype(float)
    )
    per_item = weighted.groupby([content["account"], content["platform"]]).mean()
    return pd.DataFrame({"followers_only": latest, "engagement_per_item": per_item}).fillna(0.0)


def evaluate(loaded: LoadedModel, accounts: int = 3000, seed: int = 7) -> dict[str, Any]:
    """Score a generated population with `loaded` and with the two baselines."""
    rows, truth = generate_population(accounts, seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "population.csv"
        rows.to_csv(path, index=False)
        result = compute_run([str(path)], loaded)
    scores = pd.DataFrame(
        [(score.account, score.platform, score.score) for _, score in result.ranked], columns=[*KEYS, "score"]
    )
    table = truth.merge(scores, on=KEYS, how="left").merge(baselines(rows), on=KEYS, how="left")
    table = table.fillna({"score": 1.0, "followers_only": 0.0, "engagement_per_item": 0.0})
    candidates = table[table["group"] != "bot"]  # bots are the gamers' tools, not accounts anyone ranks
    return {
        "model": loaded.model.name,
        "accounts": len(candidates),
        "seed": seed,
        "results": {name: _figures(candidates, name) for name in ("score", "followers_only", "engagement_per_item")},
    }
