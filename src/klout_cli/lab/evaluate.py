"""How well does a model measure influence, and how gameable is it? Score generated populations
and compare with their ground truth.

Two families of populations, reported apart:

- `tuned`: the `kscore demo` generator, on which the default weights were chosen;
- `independent`: a second generator built on different assumptions (lab/independent.py: other
  engagement distributions, counts-only exports, pods of 8-40, accounts with 1-5 posts), which
  the defaults were checked on, not made for.

For each, beside two baselines (followers only; weighted engagement per post, posts only): the
Spearman correlation of score with true influence, gamers in the top 50, the best rank each kind
of gamer reached, the volume bias (Spearman between an honest account's score error and its
number of posts, replies and shares in the last 90 days), where celebrities rank and how many
honest accounts were flagged. Probes planted in the independent population test three holes: one
bought post on a small account (counts only), a like-pod of 30, and a million followers who never
react.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from klout_cli.compute import RunResult, compute_run
from klout_cli.lab.demo import GAMER_GROUPS, generate_population
from klout_cli.lab.independent import generate as generate_independent
from klout_cli.modelfile import LoadedModel

TOP = 50
KEYS = ["account", "platform"]
FAMILIES = ("tuned", "independent")
HONEST = ("genuine", "quiet", "celebrity")
RANKINGS = {"model": "score", "followers_only": "followers_only", "engagement_per_post": "engagement_per_post"}
POD_SIZE = 30
CELEBRITY_TOP = 100


def spearman(first: pd.Series, second: pd.Series) -> float:
    """Rank correlation (ties share their average rank)."""
    ranks = np.corrcoef(first.rank().to_numpy(), second.rank().to_numpy())
    return float(ranks[0, 1])


def _ordered(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """The accounts best first by `column` (ties by name), with their rank."""
    ordered = table.sort_values([column, "account", "platform"], ascending=[False, True, True], kind="stable")
    return ordered.assign(rank=np.arange(1, len(ordered) + 1))


def _figures(table: pd.DataFrame, column: str) -> dict[str, Any]:
    """Figures for one way of ranking the candidates (higher `column` ranks first)."""
    ordered = _ordered(table, column)
    best = {group: int(ordered.loc[ordered["group"] == group, "rank"].min()) for group in GAMER_GROUPS}
    honest = table["group"].isin(HONEST)
    error = table[column].rank(pct=True) - table["influence"].rank(pct=True)
    celebrities = ordered[ordered["group"] == "celebrity"]
    truly_top = _ordered(table, "influence").head(CELEBRITY_TOP)
    top_celebrities = set(truly_top.loc[truly_top["group"] == "celebrity", "account"])
    ranked_top = set(ordered.head(CELEBRITY_TOP)["account"])
    return {
        "spearman": spearman(table[column], table["influence"]),
        f"gamers_in_top_{TOP}": int(ordered.head(TOP)["gamer"].sum()),
        "best_gamer_rank": best,
        "volume_bias": spearman(error[honest], table.loc[honest, "posts"]),
        "worst_celebrity_rank": int(celebrities["rank"].max()) if len(celebrities) else None,
        # celebrities the truth puts in the top 100 that this ranking leaves out of it
        "celebrities_missed": len(top_celebrities - ranked_top),
    }


def baselines(rows: pd.DataFrame) -> pd.DataFrame:
    """Per account: latest followers, and weighted engagement per post (likes + 3 shares + 2
    replies, over its posts only: replies and shares of others are not its posts)."""
    typed = rows.assign(
        timestamp=pd.to_datetime(rows["timestamp"], utc=True, format="ISO8601"),
        followers=pd.to_numeric(rows["followers"], errors="coerce"),
    )
    latest = typed.dropna(subset=["followers"]).sort_values("timestamp").groupby(KEYS)["followers"].last()
    posts = typed[typed["kind"] == "post"]
    counts = {name: pd.to_numeric(posts[name], errors="coerce").fillna(0.0) for name in ("likes", "shares", "replies")}
    weighted = counts["likes"] + 3 * counts["shares"] + 2 * counts["replies"]
    per_post = weighted.groupby([posts["account"], posts["platform"]]).mean()
    return pd.DataFrame({"followers_only": latest, "engagement_per_post": per_post}).fillna(0.0)


@dataclass
class Scored:
    """A population, its truth and how a model scored it."""

    rows: pd.DataFrame
    truth: pd.DataFrame
    result: RunResult

    def table(self) -> pd.DataFrame:
        """Truth beside the model's scores and flags and the baselines, one row per account."""
        scores = pd.DataFrame(
            [(score.account, score.platform, score.score, ";".join(score.flags)) for _, score in self.result.ranked],
            columns=[*KEYS, "score", "flags"],
        )
        table = self.truth.merge(scores, on=KEYS, how="left").merge(baselines(self.rows), on=KEYS, how="left")
        return table.fillna({"score": 1.0, "flags": "", "followers_only": 0.0, "engagement_per_post": 0.0})


def posts_in_window(rows: pd.DataFrame, days: float = 90.0) -> pd.DataFrame:
    """Each account's content items (posts, replies, shares) in the `days` up to the latest row."""
    stamps = pd.to_datetime(rows["timestamp"], utc=True, format="ISO8601")
    recent = rows[rows["kind"].isin(["post", "reply", "share"]) & (stamps >= stamps.max() - timedelta(days=days))]
    return recent.groupby(KEYS).size().rename("posts").reset_index()


def _score(rows: pd.DataFrame, truth: pd.DataFrame, loaded: LoadedModel) -> Scored:
    if "posts" not in truth:
        truth = truth.merge(posts_in_window(rows), on=KEYS, how="left").fillna({"posts": 0})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "population.csv"
        rows.to_csv(path, index=False)
        return Scored(rows, truth, compute_run([str(path)], loaded))


def _family(scored: Scored) -> dict[str, Any]:
    table = scored.table()
    candidates = table[table["group"] != "bot"]  # bots are the gamers' tools, not accounts anyone ranks
    honest = candidates[candidates["group"].isin(HONEST)]
    flagged = honest.loc[honest["flags"] != "", "flags"].str.split(";").explode().value_counts()
    celebrities = candidates[candidates["group"] == "celebrity"]
    return {
        "accounts": len(candidates),
        "results": {name: _figures(candidates, column) for name, column in RANKINGS.items()},
        "honest_flagged": {str(flag): int(count) for flag, count in flagged.items()},
        "celebrities_flagged": int((celebrities["flags"] != "").sum()),
    }


# -- probes: holes a scorer must not have --------------------------------------------------------
def probe_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Accounts planted beside a population (named `probe_...`): one bought post with 5,000 likes
    and 1,000 shares on a 150-follower account (no interaction rows), 30 accounts that like every
    post of each other, and an account with a million followers whose 10 posts nobody reacts to."""
    end = pd.to_datetime(rows["timestamp"], utc=True, format="ISO8601").max()
    platform = str(rows["platform"].mode().iloc[0])

    def at(days: float) -> str:
        return str((end - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ"))

    def item(account: str, days: float, post_id: str, likes: int, shares: int, followers: int) -> dict[str, Any]:
        counts = {"likes": likes, "shares": shares, "replies": 0, "followers": followers}
        return {"account": account, "timestamp": at(days), "platform": platform, "kind": "post", **counts,
                "post_id": post_id, "text": "probe"}  # fmt: skip

    def like(account: str, days: float, target: str) -> dict[str, Any]:
        return {"account": account, "timestamp": at(days), "platform": platform, "kind": "like", "target": target}

    made = [item("probe_bought_post", 2, "probe-b1", 5000, 1000, 150)]
    made += [item("probe_megaphone", 3 + 5 * day, f"probe-m{day}", 0, 0, 1_000_000) for day in range(10)]
    members = [f"probe_pod_{number:02}" for number in range(POD_SIZE)]
    for at_member, member in enumerate(members):
        for post in range(5):
            days = 2 + 10 * post + at_member / 100
            made.append(item(member, days, f"probe-p{at_member}-{post}", POD_SIZE - 1, 0, 300))
            made += [like(other, days - 0.01, member) for other in members if other != member]
    return pd.DataFrame(made).reindex(columns=rows.columns).fillna({"post_id": "", "target": "", "text": ""})


def _probes(scored: Scored) -> dict[str, Any]:
    ranked = [(rank, score) for rank, score in scored.result.ranked]
    found = {score.account: (rank, score) for rank, score in ranked if score.account.startswith("probe_")}
    pod = [found[name] for name in found if name.startswith("probe_pod_")]
    bought, megaphone = found["probe_bought_post"], found["probe_megaphone"]
    return {
        "bought_post": {"rank": bought[0], "score": bought[1].score, "flags": list(bought[1].flags)},
        "like_pod": {
            "best_rank": min(rank for rank, _ in pod),
            "flagged": sum(1 for _, score in pod if score.flags),
            "members": len(pod),
        },
        "megaphone": {"rank": megaphone[0], "score": megaphone[1].score, "flags": list(megaphone[1].flags)},
    }


def evaluate(
    loaded: LoadedModel, accounts: int = 3000, seed: int = 7, families: tuple[str, ...] = FAMILIES
) -> dict[str, Any]:
    """Score each family's population of `accounts` (seed `seed`) with `loaded`, beside the baselines;
    the independent population also carries the probes."""
    report: dict[str, Any] = {"model": loaded.model.name, "accounts": accounts, "seed": seed, "families": {}}
    for family in families:
        if family == "tuned":
            rows, truth = generate_population(accounts, seed)
            report["families"][family] = _family(_score(rows, truth, loaded))
            continue
        rows, truth = generate_independent(accounts, seed)
        scored = _score(pd.concat([rows, probe_rows(rows)], ignore_index=True), truth, loaded)
        report["families"][family] = {**_family(scored), "probes": _probes(scored)}
    return report
