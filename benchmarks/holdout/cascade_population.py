"""Hold-out population generator: follower graph + engagement cascades -> canonical activity CSV + truth.

The generative model and the definition of the true influence are documented in `cascade_sim`
(same folder). This module turns one simulation into the export the scorer reads:

* `post` rows for every original post with the counts its cascade produced by the export time
  (in-graph and off-export engagers, farm, bought and bot engagement included);
* interaction rows (`like`, `reply`, `share`, `mention`, `follow`) for a per-seed sample of the
  in-graph engagements, of all accounts, of part of them, or of none (counts-only export);
  `reply`/`share` rows are content of the engager with their own small counts;
* optional periodic `profile` snapshots; followers = in-graph in-degree + off-export audience +
  farm followers + bought fakes (from their purchase date), empty for some accounts.

Usage: ``python benchmarks/holdout/cascade_population.py OUT.csv --accounts 3000 --seed 1``.
This is a hold-out: its results are to be looked at once, at the end.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

try:
    from .cascade_sim import (
        BOT,
        COLUMNS,
        DAY,
        END,
        GAMERS,
        GROUPS,
        LIKE,
        PHRASES,
        REPLY,
        SHARE,
        WINDOW_DAYS,
        Accounts,
        Cascades,
        Design,
        Graph,
        draw_design,
        make_accounts,
        make_graph,
        true_influence,
    )
except ImportError:  # loaded by path or run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from cascade_sim import (  # type: ignore[no-redef]
        BOT,
        COLUMNS,
        DAY,
        END,
        GAMERS,
        GROUPS,
        LIKE,
        PHRASES,
        REPLY,
        SHARE,
        WINDOW_DAYS,
        Accounts,
        Cascades,
        Design,
        Graph,
        draw_design,
        make_accounts,
        make_graph,
        true_influence,
    )

__all__ = ["END", "generate", "write"]


class _Export:
    """Assembles the canonical rows of one simulated population."""

    def __init__(self, acc: Accounts, graph: Graph, design: Design, rng: np.random.Generator) -> None:
        self.acc, self.graph, self.design, self.rng = acc, graph, design, rng
        n, span = len(acc.group), design.span_days * DAY
        self.hidden = rng.random(n) < design.hidden_audience
        self.growth = rng.uniform(0.0, 0.3, n)
        self.bought_at = -rng.uniform(5, design.span_days, n) * DAY
        if design.export == "full":
            self.exporter = np.ones(n, dtype=bool)
        else:
            self.exporter = rng.random(n) < (design.exported_accounts if design.export == "partial" else 0.0)
        self.span, self.parts = span, []

    def audience(self, who: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(followers, following) of accounts `who` at times `t` (NaN when hidden)."""
        g = self.graph
        followers = (g.followers[who] - g.fakes[who]) * (1 - self.growth[who] * -t / self.span)
        followers = np.round(followers + g.fakes[who] * (t >= self.bought_at[who]))
        following = np.round(g.following[who] * (1 - 0.5 * self.growth[who] * -t / self.span))
        return np.where(self.hidden[who], np.nan, followers), np.where(self.hidden[who], np.nan, following)

    def add(self, kind: str, who: np.ndarray, t: np.ndarray, **columns: object) -> None:
        """Queue rows of one kind (missing columns are empty)."""
        part = pd.DataFrame({"who": who, "t": t, "kind": kind, **columns})
        if kind in ("post", "reply", "share", "profile"):
            part["followers"], part["following"] = self.audience(who, t)
        self.parts.append(part)

    def sample(self, actor: np.ndarray) -> np.ndarray:
        """Which interactions of `actor` make it into the export."""
        return self.exporter[actor] & (self.rng.random(len(actor)) < self.design.sample_rate)

    def text(self, topic: np.ndarray, lead: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(topics column, text) of items about `topic` (indices), text optionally prefixed."""
        names = np.array(self.design.topics)[topic].astype(object)
        hashtag = np.where(self.rng.random(len(topic)) < 0.6, "#", "")
        text = np.array(PHRASES)[self.rng.integers(0, len(PHRASES), len(topic))].astype(object) + " " + hashtag + names
        if lead is not None:
            text = lead + text
        return (names if self.design.topics_column else np.full(len(topic), "", dtype=object)), text

    def build(self, cascades: Cascades, engagements: pd.DataFrame, counts: pd.DataFrame) -> None:
        """Queue post, mention, like, reply, share, follow and profile rows."""
        acc, graph, design, rng = self.acc, self.graph, self.design, self.rng
        handle = acc.handle.astype(object)
        author, time, topic = cascades.author, cascades.time, cascades.topic
        # Original posts, some mentioning a followee.
        out_order = np.argsort(graph.src, kind="stable")
        out_ptr = np.r_[0, np.cumsum(np.bincount(graph.src, minlength=len(handle)))]
        out_deg = np.diff(out_ptr)[author]
        mentions = (rng.random(len(author)) < design.mention_rate) & (out_deg > 0)
        pick = out_ptr[author[mentions]] + (rng.random(mentions.sum()) * out_deg[mentions]).astype(int)
        mentioned = graph.dst[out_order[pick]]
        topics, text = self.text(topic)
        text[mentions] = text[mentions] + " @" + handle[mentioned]
        self.add("post", author, time, topics=topics, text=text, **{c: counts[c].to_numpy() for c in counts})
        keep = self.sample(author[mentions])
        self.add("mention", author[mentions][keep], time[mentions][keep], target=handle[mentioned[keep]])
        # Sampled in-graph engagements: likes are pure interactions, replies/shares are content too.
        eng = engagements[self.sample(engagements["actor"].to_numpy())]
        actor, post, etype = eng["actor"].to_numpy(), eng["post"].to_numpy(), eng["etype"].to_numpy()
        target = handle[author[post]]
        like = etype == LIKE
        self.add("like", actor[like], eng["time"].to_numpy()[like], target=target[like])
        for kind, code, lead in (("share", SHARE, "RT @"), ("reply", REPLY, "@")):
            sel = etype == code
            who, t = actor[sel], eng["time"].to_numpy()[sel]
            topics, text = self.text(topic[post[sel]], lead + target[sel] + " ")
            likes = rng.poisson(0.3 * acc.quality[who] * graph.standing[who] * (acc.group[who] != BOT))
            views = rng.poisson(np.minimum(design.seen_rate * 0.05 * graph.followers[who], 1e7))
            zero = np.zeros(len(who), dtype=np.int64)
            columns = {"likes": likes, "shares": zero, "replies": zero, "impressions": likes + views, "clicks": zero}
            self.add(kind, who, t, target=target[sel], topics=topics, text=text, **columns)
        # Follow interactions (a sample of edges, dated within the span) and profile snapshots.
        if design.follow_rate > 0:
            edges = np.flatnonzero(rng.random(len(graph.src)) < design.follow_rate)
            edges = edges[self.exporter[graph.src[edges]]]
            t = np.floor(-rng.random(len(edges)) * self.span)
            self.add("follow", graph.src[edges], t, target=handle[graph.dst[edges]])
        if design.profile_days > 0:
            snapshots = -np.arange(0, design.span_days, design.profile_days) * DAY
            shown = np.flatnonzero(~self.hidden)
            self.add("profile", np.repeat(shown, len(snapshots)), np.tile(snapshots, len(shown)))

    def frame(self, end: datetime) -> tuple[pd.DataFrame, np.ndarray]:
        """(rows, recent): queued rows in canonical order and dtypes, sorted by time, and the number
        of content rows (post, reply, share) each account has in the last WINDOW_DAYS."""
        rows = pd.concat(self.parts, ignore_index=True)
        rows = rows.sort_values(["t", "who"], kind="stable", ignore_index=True)
        content = rows["kind"].isin(["post", "reply", "share"]).to_numpy()
        ids = np.full(len(rows), "", dtype=object)
        ids[content] = pd.Series(self.rng.permutation(content.sum()) + 7_000_000_000).map("{:x}".format).to_numpy()
        base = np.datetime64(end.astimezone(UTC).replace(tzinfo=None), "s")
        stamps = np.datetime_as_string(base + rows["t"].to_numpy().astype("timedelta64[s]"), unit="s")
        out = pd.DataFrame(
            {
                "account": self.acc.handle[rows["who"].to_numpy()],
                "timestamp": np.char.add(stamps, "Z"),
                "platform": np.array(self.design.platforms)[self.acc.platform[rows["who"].to_numpy()]],
                "kind": rows["kind"],
                "post_id": ids,
            }
        )
        for column in COLUMNS[5:]:
            if column not in rows:
                rows[column] = pd.NA
        for column in COLUMNS:
            if column in out:
                continue
            if column in ("target", "topics", "text"):
                out[column] = rows[column].fillna("").astype(str)
            else:
                out[column] = pd.array(rows[column].to_numpy(dtype=float, na_value=np.nan).round(), dtype="Int64")
        if not self.design.has_impressions:
            for column in ("impressions", "clicks"):
                out[column] = pd.array([pd.NA] * len(out), dtype="Int64")
        for column in ("account", "timestamp", "platform", "kind", "post_id"):
            out[column] = out[column].astype(str)
        recent = content & (rows["t"].to_numpy() >= -WINDOW_DAYS * DAY)
        return out[COLUMNS], np.bincount(rows["who"].to_numpy()[recent], minlength=len(self.acc.group))


def generate(accounts: int = 3000, seed: int = 7, end: datetime = END) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, truth) for a population of `accounts` accounts; same (accounts, seed) -> same frames.

    rows: the canonical columns (counts/audience as Int64, text columns as str with "" for empty);
    truth: account, platform, group, gamer, influence, posts (one row per account and platform).
    """
    rng = np.random.default_rng(seed)
    design = draw_design(rng)
    acc = make_accounts(accounts, design, rng)
    graph = make_graph(acc, design, rng)
    cascades = Cascades(acc, graph, design, rng)
    engagements, counts = cascades.run()
    export = _Export(acc, graph, design, rng)
    export.build(cascades, engagements, counts)
    rows, recent = export.frame(end)
    posted = np.bincount(cascades.author[cascades.time >= -WINDOW_DAYS * DAY], minlength=accounts) > 0
    influence = np.where(posted, true_influence(acc, graph, design, cascades.outside), 0.0)
    truth = pd.DataFrame(
        {
            "account": acc.handle.astype(str),
            "platform": np.array(design.platforms)[acc.platform],
            "group": np.array(GROUPS)[acc.group],
            "gamer": np.isin(acc.group, GAMERS),
            "influence": influence.astype(float),
            "posts": recent.astype(int),
        }
    )
    return rows, truth


def write(accounts: int, seed: int, path: str | Path) -> Path:
    """Write the rows as CSV at `path` and the truth beside it as NAME.truth.csv; return the truth's path."""
    rows, truth = generate(accounts, seed)
    path = Path(path)
    rows.to_csv(path, index=False, lineterminator="\n")
    truth_path = path.with_name(f"{path.stem}.truth.csv")
    truth.to_csv(truth_path, index=False, lineterminator="\n")
    return truth_path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    print(write(arguments.accounts, arguments.seed, arguments.path))
