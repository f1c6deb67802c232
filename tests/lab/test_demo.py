"""The demo population: reproducible, readable by kscore itself, and planted as documented."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from klout_cli.ingest.read import read_sources
from klout_cli.ingest.schema import CONTENT_KINDS, COUNTS, KINDS, NAMES
from klout_cli.lab.demo import END, GAMER_GROUPS, GROUPS, generate_population, truth_path, write_population

DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def population() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_population(3000, 7)


@pytest.fixture(scope="module")
def rows(population: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    frame = population[0]
    return frame.assign(moment=pd.to_datetime(frame["timestamp"], utc=True))


@pytest.fixture(scope="module")
def truth(population: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    return population[1]


def group_of(truth: pd.DataFrame, rows: pd.DataFrame, column: str = "account") -> pd.Series:
    return rows[column].map(truth.set_index("account")["group"])


def content_of(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["kind"].isin(CONTENT_KINDS) & rows["likes"].notna()]


def test_same_seed_gives_identical_frames() -> None:
    first_rows, first_truth = generate_population(200, 3)
    second_rows, second_truth = generate_population(200, 3)
    pd.testing.assert_frame_equal(first_rows, second_rows)
    pd.testing.assert_frame_equal(first_truth, second_truth)


def test_different_seeds_give_different_populations() -> None:
    first_rows, first_truth = generate_population(200, 3)
    second_rows, second_truth = generate_population(200, 4)
    assert not first_rows.equals(second_rows)
    assert list(first_truth["influence"]) != list(second_truth["influence"])


@pytest.mark.parametrize("name", ["demo.csv", "demo.csv.gz"])
def test_same_seed_writes_identical_bytes(tmp_path: Path, name: str) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    truth_a = write_population(150, 11, tmp_path / "a" / name)
    truth_b = write_population(150, 11, tmp_path / "b" / name)
    assert truth_a == tmp_path / "a" / "demo.truth.csv" == truth_path(tmp_path / "a" / name)
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert truth_a.read_bytes() == truth_b.read_bytes()
    other = write_population(150, 12, tmp_path / "other.csv")
    assert (tmp_path / "other.csv").read_bytes() != (tmp_path / "a" / name).read_bytes()
    assert other.read_bytes() != truth_a.read_bytes()


def test_written_rows_pass_the_projects_reader(tmp_path: Path) -> None:
    path = tmp_path / "demo.csv"
    truth_file = write_population(400, 5, path)
    frame, report = read_sources([str(path)])
    written, truth = generate_population(400, 5)
    assert report.rows_read == len(frame) == len(written)
    assert report.rows_skipped == 0
    assert report.files[0].unknown_columns == []
    assert set(frame["kind"]) <= set(KINDS)
    assert frame["timestamp"].max() <= pd.Timestamp(END)
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(NAMES)
    pd.testing.assert_frame_equal(pd.read_csv(truth_file), truth, check_dtype=False)


def test_rows_have_the_canonical_columns_and_formats(
    rows: pd.DataFrame, population: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    frame = population[0]
    assert list(frame.columns) == list(NAMES)
    assert frame["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    content = content_of(frame)
    interactions = frame[~frame.index.isin(content.index)]
    assert (content["post_id"] != "").all() and content["post_id"].is_unique
    assert (content["text"].str.contains("#")).all() and (content["topics"] != "").all()
    assert (interactions["target"] != "").all()
    assert interactions[list(COUNTS)].isna().all().all()
    assert (interactions[["post_id", "text", "topics"]] == "").all().all()
    assert set(frame["platform"]) <= {"twitter", "mastodon", "linkedin"}
    assert (frame["platform"] == "twitter").mean() > 0.5
    # some rows lie beyond a 90-day window, none beyond 100 days
    age = pd.Timestamp(END) - rows["moment"]
    assert 0 < (age > 90 * DAY).mean() < 0.2
    assert (age <= 100 * DAY + pd.Timedelta(hours=12)).all()


def test_every_group_is_present_in_its_proportion(truth: pd.DataFrame) -> None:
    share = truth["group"].value_counts(normalize=True)
    assert set(share.index) == set(GROUPS)
    assert share["genuine"] + share["quiet"] == pytest.approx(0.72, abs=0.04)
    assert share["quiet"] == pytest.approx(0.05, abs=0.01)
    assert share["celebrity"] == pytest.approx(0.01, abs=0.003)
    assert share["bot"] == pytest.approx(0.10, abs=0.01)
    for group in GAMER_GROUPS:
        assert share[group] == pytest.approx(0.03, abs=0.005)
    assert (truth["gamer"] == truth["group"].isin(GAMER_GROUPS)).all()
    assert truth["account"].is_unique


def test_a_small_population_still_has_every_kind() -> None:
    _, truth = generate_population(60, 1)
    sizes = truth["group"].value_counts()
    assert sizes["celebrity"] >= 3
    assert all(sizes[group] >= 5 for group in GAMER_GROUPS)
    assert sizes["genuine"] > sizes["bot"]
    with pytest.raises(ValueError, match="at least"):
        generate_population(10, 1)


def test_true_influence_by_group(truth: pd.DataFrame) -> None:
    influence = truth.groupby("group")["influence"]
    genuine_median = influence.median()["genuine"]
    assert (truth.loc[truth["group"] == "bot", "influence"] == 0).all()
    assert truth.loc[truth["gamer"], "influence"].max() <= genuine_median * 1.1
    assert influence.mean().idxmax() == "celebrity"
    celebrities = truth.loc[truth["group"] == "celebrity", "influence"]
    assert celebrities.median() > truth.loc[truth["group"] == "genuine", "influence"].quantile(0.99)


def test_truth_matches_the_accounts_in_the_rows(rows: pd.DataFrame, truth: pd.DataFrame) -> None:
    in_rows = set(zip(rows["account"], rows["platform"]))
    assert in_rows == set(zip(truth["account"], truth["platform"]))
    with_content = set(content_of(rows)["account"])
    bots = set(truth.loc[truth["group"] == "bot", "account"])
    assert with_content == set(truth["account"]) - bots


def test_bots_only_engage_and_have_no_audience(rows: pd.DataFrame, truth: pd.DataFrame) -> None:
    bot_rows = rows[group_of(truth, rows) == "bot"]
    assert not bot_rows["kind"].isin(CONTENT_KINDS).any()
    assert (bot_rows["target"] != "").all()
    assert bot_rows["followers"].max() <= 5
    assert bot_rows["account"].nunique() == (truth["group"] == "bot").sum()
    assert (group_of(truth, rows, "target")[rows["target"] != ""] != "bot").all()  # nobody engages a bot


def test_bot_amplified_engagement_comes_mostly_from_bots(rows: pd.DataFrame, truth: pd.DataFrame) -> None:
    aimed = rows[rows["target"] != ""]
    at_amplified = aimed[group_of(truth, aimed, "target") == "bot-amplified"]
    from_bots = (group_of(truth, at_amplified) == "bot").groupby(at_amplified["target"]).mean()
    assert len(from_bots) == (truth["group"] == "bot-amplified").sum()
    assert from_bots.median() > 0.8
    # and each bot engages many different accounts
    bots = aimed[group_of(truth, aimed) == "bot"]
    assert bots.groupby("account")["target"].nunique().median() >= 20


def test_pod_rings_engage_each_other_reciprocally(rows: pd.DataFrame, truth: pd.DataFrame) -> None:
    pods = set(truth.loc[truth["group"] == "pod", "account"])
    aimed = rows[(rows["target"] != "") & rows["kind"].isin(["like", "share", "reply"])]
    inside = aimed[aimed["account"].isin(pods) & aimed["target"].isin(pods)]
    edges = set(zip(inside["account"], inside["target"]))
    ring_of = {account: {account} for account in pods}
    for source, target in edges:  # union the rings the edges join
        if ring_of[source] is not ring_of[target]:
            merged = ring_of[source] | ring_of[target]
            for member in merged:
                ring_of[member] = merged
    rings = {frozenset(ring) for ring in ring_of.values()}
    assert sum(len(ring) for ring in rings) == len(pods)
    for ring in rings:
        assert 4 <= len(ring) <= 8
        assert {(a, b) for a in ring for b in ring if a != b} <= edges  # everyone, both ways
    into_pods = aimed[aimed["target"].isin(pods)]
    from_ring = pd.Series([ring_of.get(a) is ring_of[t] for a, t in zip(into_pods["account"], into_pods["target"])])
    assert from_ring.mean() > 0.7  # little engagement from outside the ring


def test_spam_volume_posts_far_more_per_day(rows: pd.DataFrame, truth: pd.DataFrame) -> None:
    content = content_of(rows)
    span = content.groupby("account")["moment"].agg(lambda moments: max(1.0, (moments.max() - moments.min()) / DAY))
    per_day = content.groupby("account").size() / span
    group = per_day.index.map(truth.set_index("account")["group"])
    spam, genuine = per_day[group == "spam-volume"], per_day[group == "genuine"]
    assert spam.min() > 10
    assert genuine.median() < 1.5
    assert spam.median() > 20 * genuine.median()
    spam_items = content[group_of(truth, content) == "spam-volume"]
    assert spam_items["likes"].mean() < 0.5


def test_celebrities_move_most_and_have_the_largest_audiences(rows: pd.DataFrame, truth: pd.DataFrame) -> None:
    groups = truth.set_index("account")["group"]
    latest = rows.sort_values("moment").groupby("account")["followers"].last().astype(float)
    assert latest.groupby(latest.index.map(groups)).mean().idxmax() == "celebrity"
    content = content_of(rows)
    items = content.groupby("account").size()
    items_by_group = items.groupby(items.index.map(groups)).median()
    assert items_by_group["celebrity"] < items_by_group["genuine"] / 3  # they post rarely
    assert content.groupby(group_of(truth, content))["likes"].mean().idxmax() == "celebrity"


def test_gamers_audiences_are_planted(rows: pd.DataFrame, truth: pd.DataFrame) -> None:
    latest = rows.sort_values("moment").groupby("account")[["followers", "following"]].last().astype(float)
    group = latest.index.map(truth.set_index("account")["group"])
    follow_back = latest[group == "follow-back"]
    assert follow_back["followers"].between(4500, 50000).all()
    assert (follow_back["following"] / follow_back["followers"]).between(0.89, 1.11).all()
    bought = latest[group == "bought-audience"]
    assert bought["followers"].between(90_000, 2_000_000).all()
    assert latest.loc[group == "celebrity", "followers"].between(900_000, 50_000_000).all()
    farmed = rows[(rows["kind"] == "follow")]
    assert (group_of(truth, farmed) == "follow-back").mean() > 0.5


def test_quiet_accounts_stopped_weeks_before_the_end(rows: pd.DataFrame, truth: pd.DataFrame) -> None:
    latest = rows.groupby("account")["moment"].max()
    group = latest.index.map(truth.set_index("account")["group"])
    silence = (pd.Timestamp(END) - latest) / DAY
    quiet = silence[group == "quiet"]
    assert quiet.min() >= 21 and quiet.max() <= 40.5  # the last post is the day they stopped
    assert silence[group == "genuine"].median() < 3
