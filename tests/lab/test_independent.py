"""Tests of the independent population generator (klout_cli.lab.independent)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from klout_cli.ingest.schema import AUDIENCE, COUNTS, KINDS, NAMES
from klout_cli.lab.independent import END, draw_population, generate, write
from klout_cli.lab.independent_accounts import COUNTS_ONLY_CYCLE, GROUPS, MAX_RING, MIN_RING, ring_sizes

SMALL = 500
LOGGED_KINDS = ("like", "mention", "follow")


@pytest.fixture(scope="module")
def population() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate(SMALL, seed=3)


@pytest.fixture(scope="module")
def by_seed() -> dict[int, tuple[pd.DataFrame, pd.DataFrame]]:
    """Seeds 5, 1 and 2 have 0%, 40% and 100% counts-only accounts."""
    return {seed: generate(400, seed) for seed in (5, 1, 2)}


def _with_group(rows: pd.DataFrame, truth: pd.DataFrame, column: str = "account") -> pd.Series:
    groups = truth.set_index(["account", "platform"])["group"]
    return rows.join(groups, on=[column, "platform"])["group"]


def test_same_seed_gives_identical_frames() -> None:
    first_rows, first_truth = generate(300, seed=11)
    again_rows, again_truth = generate(300, seed=11)
    pd.testing.assert_frame_equal(first_rows, again_rows)
    pd.testing.assert_frame_equal(first_truth, again_truth)
    other_rows, _ = generate(300, seed=12)
    assert not first_rows.equals(other_rows)


def test_rows_follow_the_canonical_schema(population: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    rows, _ = population
    assert tuple(rows.columns) == NAMES
    for column in (*COUNTS, *AUDIENCE):
        assert rows[column].dtype == "Int64", column
    for column in ("account", "timestamp", "platform", "kind", "post_id", "target", "topics", "text"):
        assert pd.api.types.is_string_dtype(rows[column]), column
        assert not rows[column].isna().any(), column
    assert rows["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    assert pd.to_datetime(rows["timestamp"]).max() <= END
    assert set(rows["kind"]) <= set(KINDS)
    content = rows[rows["kind"].isin(["post", "reply", "share"])]
    assert content["post_id"].ne("").all() and content["post_id"].is_unique
    assert content[list(COUNTS)].notna().all().all()
    assert (content[list(COUNTS)] >= 0).all().all()
    logged = rows[rows["kind"].isin(LOGGED_KINDS)]
    assert logged["target"].ne("").all() and logged["post_id"].eq("").all()
    assert logged[list(COUNTS)].isna().all().all()
    profiles = rows[rows["kind"] == "profile"]
    assert profiles["followers"].notna().all() and profiles[list(COUNTS)].isna().all().all()
    assert (content["topics"].ne("") | content["text"].str.contains("#")).all()


def test_truth_has_one_row_per_account_and_platform(population: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    rows, truth = population
    assert list(truth.columns) == ["account", "platform", "group", "gamer", "influence", "posts"]
    assert truth["gamer"].dtype == bool and truth["influence"].dtype == float
    assert pd.api.types.is_integer_dtype(truth["posts"])
    assert len(truth) == SMALL and not truth.duplicated(["account", "platform"]).any()
    assert set(truth["group"]) <= set(GROUPS)
    assert (truth["influence"] >= 0).all()
    assert truth.loc[truth["group"] == "bot", "influence"].eq(0).all()
    assert truth.loc[truth["posts"] == 0, "influence"].eq(0).all()
    assert not truth["account"].str.contains("|".join(GROUPS)).any()
    assert set(rows["account"]) <= set(truth["account"])


def test_groups_appear_in_the_expected_proportions() -> None:
    _, truth = generate(600, seed=4)
    share = truth["group"].value_counts(normalize=True)
    for gamer in ("follow-back", "bought-audience", "bot-amplified", "pod", "spam-volume"):
        assert 0.02 <= share[gamer] <= 0.045, gamer
    assert 0.005 <= share["celebrity"] <= 0.015
    assert 0.075 <= share["bot"] <= 0.105
    assert 0.035 <= share["quiet"] <= 0.065
    assert share["genuine"] > 0.6
    assert truth.loc[truth["gamer"], "group"].isin(["follow-back", "bought-audience", "bot-amplified", "pod",
                                                     "spam-volume"]).all()  # fmt: skip


def test_truth_is_not_posting_volume_followers_or_bought_engagement() -> None:
    rows, truth = generate(600, seed=6)
    genuine = truth[truth["group"] == "genuine"]
    assert abs(genuine["influence"].rank().corr(genuine["posts"].rank())) < 0.3
    median = truth.groupby("group")["influence"].median()
    assert median["celebrity"] > 100 * median["genuine"]
    assert median["spam-volume"] < median["genuine"]
    posts = rows[rows["kind"] == "post"]
    likes = posts.groupby(_with_group(posts, truth))["likes"].median()
    assert likes["bot-amplified"] > 10 * likes["genuine"]  # bought likes show in the counts...
    assert median["bot-amplified"] < 3 * median["genuine"]  # ...but not in the truth


def test_ring_sizes_stay_within_bounds() -> None:
    rng = np.random.default_rng(0)
    for members in range(MIN_RING, 400):
        sizes = ring_sizes(members, rng)
        assert sum(sizes) == members
        assert all(MIN_RING <= size <= MAX_RING for size in sizes)
    all_sizes: list[int] = []
    for seed in range(1, 9):
        _, _, accounts = draw_population(3000, seed)
        sizes = np.bincount(accounts.ring[accounts.ring >= 0])
        assert ((sizes >= MIN_RING) & (sizes <= MAX_RING)).all()
        assert len(set(accounts.platform[accounts.ring == 0])) == 1
        all_sizes.extend(sizes.tolist())
    assert min(all_sizes) <= 14 and max(all_sizes) >= 34  # a family of seeds spans 8..40


def test_pod_members_like_each_other(by_seed: dict[int, tuple[pd.DataFrame, pd.DataFrame]]) -> None:
    rows, truth = by_seed[5]
    likes = rows[rows["kind"] == "like"]
    from_pod = _with_group(likes, truth) == "pod"
    to_pod = _with_group(likes, truth, column="target") == "pod"
    assert (from_pod & to_pod).sum() > 0.5 * from_pod.sum() > 0


@pytest.mark.parametrize("seed", [5, 1, 2])
def test_counts_only_share_follows_the_seed(seed: int, by_seed: dict[int, tuple[pd.DataFrame, pd.DataFrame]]) -> None:
    rows, _ = by_seed[seed]
    _, design, accounts = draw_population(400, seed)
    share = COUNTS_ONLY_CYCLE[seed % len(COUNTS_ONLY_CYCLE)]
    assert design.counts_only_share == share
    assert accounts.counts_only.mean() == pytest.approx(share, abs=0.01)
    hidden = set(zip(accounts.handle[accounts.counts_only], accounts.platform[accounts.counts_only]))
    aimed = rows[rows["target"] != ""]
    assert not set(zip(aimed["target"], aimed["platform"])) & hidden
    logged = rows["kind"].isin(LOGGED_KINDS).sum()
    targeted_replies = ((rows["kind"] == "reply") & (rows["target"] != "")).sum()
    if share == 1.0:
        assert logged == 0 and targeted_replies == 0
        assert (rows["kind"] == "reply").sum() > 0  # replies stay as content, without a target
    else:
        assert logged > 0 and targeted_replies > 0


def test_logged_interactions_are_a_sample(by_seed: dict[int, tuple[pd.DataFrame, pd.DataFrame]]) -> None:
    rows, _ = by_seed[5]
    _, design, _ = draw_population(400, 5)
    received = rows.loc[rows["kind"].isin(["post", "reply", "share"]), "likes"].sum()
    assert rows["kind"].eq("like").sum() < max(0.5, 2 * design.like_sample_rate) * received


def test_written_file_passes_kscore_check(tmp_path: Path) -> None:
    path = tmp_path / "independent.csv"
    truth_path = write(400, 2, path)
    assert truth_path == tmp_path / "independent.truth.csv"
    assert len(pd.read_csv(truth_path)) == 400
    result = subprocess.run(
        [sys.executable, "-m", "klout_cli", "check", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_three_thousand_accounts_stay_within_the_row_budget() -> None:
    started = time.perf_counter()
    rows, truth = generate(3000, seed=1)
    assert time.perf_counter() - started < 15
    assert 100 * 3000 <= len(rows) <= 300 * 3000
    assert len(truth) == 3000
