"""The presets on the real exports in ../shared/data (it ships with the CI machine, not the repo).

Every set is scored once with `kscore compute` (module fixtures); a spy on `read_sources` keeps
the rows that run read, so the cell-level checks below look at exactly what was scored. The
expected values come from the files themselves, read with the csv module.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

import klout_cli.compute
from klout_cli.cli import cli
from klout_cli.core import InputError
from klout_cli.ingest.mapping import parse_map
from klout_cli.ingest.presets import preset_text
from klout_cli.ingest.read import Reading, ReadReport, read_sources
from tests.cli.helpers import ok, records

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/data is not here (it ships with the CI machine, not the repo)"
)

ANALYTICS = SHARED / "twitter-analytics-ropensci"
RATIO = SHARED / "fivethirtyeight-twitter-ratio"
TROLLS = SHARED / "troll-tweets-by-author"
DUBOIS = SHARED / "tidytuesday-dubois-tweets" / "tweets.csv"

#: One month of rOpenSci: 31 tweets, among them 1091117122825084928 (see test_one_known_tweet).
JANUARY_2019 = ANALYTICS / "tweet_activity_metrics_rOpenSci_20190101_20190201_en.csv"
COUNTS = ("likes", "shares", "replies", "impressions", "clicks")


def analytics_files() -> list[Path]:
    """The 60 monthly tweet exports (not the hand-kept twitter_metrics_monthly_*.csv)."""
    return sorted(ANALYTICS.glob("tweet_activity_metrics_*.csv"))


def troll_files() -> list[Path]:
    """The 204 per-author files (<letter>/<author>.csv; not authors.csv or the README)."""
    return sorted(TROLLS.glob("*/*.csv"))


def raw_rows(paths: Sequence[Path], encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in paths:
        with path.open(newline="", encoding=encoding, errors="replace") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


@dataclass
class Run:
    """One `kscore compute` of a real set, and the rows it read."""

    result: Result
    frame: pd.DataFrame
    report: ReadReport

    @property
    def scores(self) -> list[dict[str, str]]:
        return records(self.result.stdout)


def environment(folder: Path) -> dict[str, str]:
    return {
        "KSCORE_DB": str(folder / "k.db"),
        "XDG_DATA_HOME": str(folder / "xdg"),
        "HOME": str(folder / "home"),
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }


def compute(folder: Path, inputs: Sequence[Path | str], *options: str) -> Run:
    """`kscore compute INPUTS --no-save -f csv OPTIONS`, keeping what read_sources returned."""
    read: list[tuple[pd.DataFrame, ReadReport]] = []
    real: Callable[..., tuple[pd.DataFrame, ReadReport]] = read_sources

    def spy(*args: Any, **kwargs: Any) -> tuple[pd.DataFrame, ReadReport]:
        read.append(real(*args, **kwargs))
        return read[-1]

    args = ["compute", *map(str, inputs), "--no-save", "-f", "csv", *options]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(klout_cli.compute, "read_sources", spy)
        result = ok(CliRunner().invoke(cli, args, env=environment(folder)))
    assert len(read) == 1
    return Run(result, *read[0])


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# -- X Analytics: 60 monthly exports of @rOpenSci --------------------------------------------
@pytest.fixture(scope="module")
def analytics(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return compute(tmp_path_factory.mktemp("analytics"), analytics_files())


@pytest.fixture(scope="module")
def analytics_raw() -> list[dict[str, str]]:
    return raw_rows(analytics_files())


def test_the_60_analytics_exports_are_one_account(analytics: Run) -> None:
    assert len(analytics_files()) == 60
    assert [item.format for item in analytics.report.files] == ["x-analytics"] * 60
    assert {item.encoding for item in analytics.report.files} == {"utf-8"}
    assert len(analytics.frame) == analytics.report.rows_read == 1668
    assert analytics.frame["account"].unique().tolist() == ["rOpenSci"]
    assert analytics.frame["platform"].unique().tolist() == ["twitter"]
    assert analytics.frame["kind"].unique().tolist() == ["post"]
    assert analytics.frame["followers"].isna().all()  # not in the export: reach stays unknown
    assert [(row["account"], row["platform"]) for row in analytics.scores] == [("rOpenSci", "twitter")]
    assert analytics.scores[0]["followers"] == ""
    assert "read 60 files as x-analytics" in analytics.result.stderr
    assert "1,668 rows from 60 files" in analytics.result.stderr
    assert "1 score for 1 account as of 2021-12-28 16:45 UTC" in analytics.result.stderr


def test_analytics_ids_and_columns_come_from_the_export(analytics: Run, analytics_raw: list[dict[str, str]]) -> None:
    frame = analytics.frame
    assert len(analytics_raw) == len(frame)
    assert frame["post_id"].tolist() == [row["Tweet id"] for row in analytics_raw]
    assert frame["post_id"].nunique() == 1668
    assert frame["likes"].tolist() == [float(row["likes"]) for row in analytics_raw]
    assert frame["shares"].tolist() == [float(row["retweets"]) for row in analytics_raw]
    assert frame["replies"].tolist() == [float(row["replies"]) for row in analytics_raw]
    assert frame["impressions"].tolist() == [float(row["impressions"]) for row in analytics_raw]
    assert frame["clicks"].tolist() == [float(row["url clicks"]) for row in analytics_raw]
    assert frame["clicks"].sum() > 0


def test_analytics_counts_written_as_floats_are_whole_numbers(
    analytics: Run, analytics_raw: list[dict[str, str]]
) -> None:
    assert all(row["likes"].endswith(".0") for row in analytics_raw)  # "2633.0": the export's own style
    for name in COUNTS:
        assert (analytics.frame[name] % 1 == 0).all(), name
        assert (analytics.frame[name] >= 0).all(), name


def test_analytics_times_parse_to_utc(analytics: Run, analytics_raw: list[dict[str, str]]) -> None:
    expected = [datetime.strptime(row["time"], "%Y-%m-%d %H:%M %z") for row in analytics_raw]
    assert [stamp.to_pydatetime() for stamp in analytics.frame["timestamp"]] == expected
    assert str(analytics.frame["timestamp"].dt.tz) == "UTC"
    assert analytics.frame["timestamp"].min() == utc("2016-12-01 18:00")
    assert analytics.frame["timestamp"].max() == utc("2021-12-28 16:45")


def test_analytics_quoted_newlines_survive(analytics: Run, analytics_raw: list[dict[str, str]]) -> None:
    assert analytics.frame["text"].tolist() == [row["Tweet text"] for row in analytics_raw]
    assert analytics.frame["text"].str.contains("\n").sum() == 995


def test_one_known_tweet(analytics: Run) -> None:
    """In the file: "1091117122825084928",...,"2019-01-31 23:32 +0000","2633.0",...,"5.0","0.0","7.0",...,"16.0"."""
    row = analytics.frame.set_index("post_id").loc["1091117122825084928"]
    assert row["timestamp"] == utc("2019-01-31 23:32")
    assert (row["impressions"], row["likes"], row["shares"], row["replies"], row["clicks"]) == (2633, 7, 5, 0, 16)
    assert row["text"].startswith("2 rOpenSci peer reviewed packages in Nov 2018")


def test_analytics_dash_cells_are_empty(tmp_path: Path) -> None:
    """The export writes `-` in every promoted column; read as clicks they are 0, not errors."""
    raw = raw_rows([JANUARY_2019])
    assert {row["promoted url clicks"] for row in raw} == {"-"}
    data = yaml.safe_load(preset_text("x-analytics"))
    data["columns"]["clicks"] = "promoted url clicks"
    frame, _ = read_sources([str(JANUARY_2019)], reading=Reading(column_map=parse_map(data, "promoted")))
    assert len(frame) == 31
    assert frame["clicks"].tolist() == [0.0] * 31
    del data["missing"]  # without the preset's `missing: ["-"]` the cells are bad counts
    with pytest.raises(InputError, match=r":2: column 'promoted url clicks' \(clicks\): '-' is not a count"):
        read_sources([str(JANUARY_2019)], reading=Reading(column_map=parse_map(data, "promoted")))


def test_analytics_older_header_says_favorites(tmp_path: Path) -> None:
    """Older exports say `favorites` where newer say `likes`: the same counts either way."""
    text = JANUARY_2019.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    assert '"likes"' in header and '"favorites"' not in header
    older = tmp_path / JANUARY_2019.name
    older.write_text(header.replace('"likes"', '"favorites"') + "\n" + rest, encoding="utf-8")
    before, _ = read_sources([str(JANUARY_2019)])
    after, report = read_sources([str(older)])
    assert report.files[0].format == "x-analytics"
    assert after["likes"].tolist() == before["likes"].tolist()
    assert after["likes"].sum() == sum(float(row["likes"]) for row in raw_rows([JANUARY_2019])) > 0
    assert after.equals(before)


@pytest.mark.parametrize("how", ["the same file twice", "two copies"])
def test_overlapping_exports_count_each_tweet_once(tmp_path: Path, how: str) -> None:
    once = compute(tmp_path, [JANUARY_2019])
    if how == "two copies":
        copies = []
        for folder in ("a", "b"):
            (tmp_path / folder).mkdir()
            copies.append(shutil.copy(JANUARY_2019, tmp_path / folder / JANUARY_2019.name))
        twice = compute(tmp_path, copies)
    else:
        twice = compute(tmp_path, [JANUARY_2019, JANUARY_2019])
    assert len(twice.frame) == 62
    assert "62 rows from 2 files; 31 duplicate items counted once" in twice.result.stderr
    assert "duplicate" not in once.result.stderr
    assert twice.scores == once.scores
    assert once.scores[0]["items"] == "31"


def test_analytics_with_followers_from_the_monthly_summary(tmp_path: Path) -> None:
    """--accounts gives the audience the export lacks (here from the hand-kept monthly summary)."""
    summary = raw_rows([ANALYTICS / "twitter_metrics_monthly_rOpenSci.csv"])
    followers = next(row["followers"] for row in summary if row["date"] == "2022-01-03")
    assert followers == "33464"
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(f"account,platform,followers,following\nrOpenSci,twitter,{followers},\n", encoding="utf-8")
    without = compute(tmp_path, [JANUARY_2019]).scores[0]
    with_audience = compute(tmp_path, [JANUARY_2019], "--accounts", str(accounts)).scores[0]
    assert without["followers"] == "" and without["reach"] == "0.0"
    assert with_audience["followers"] == "33464"
    assert float(with_audience["reach"]) > 0
    assert float(with_audience["score"]) > float(without["score"])
    assert with_audience["items"] == without["items"] == "31"


# -- fivethirtyeight twitter-ratio: tweets-basic, not UTF-8 -----------------------------------
@pytest.fixture(scope="module")
def ratio(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return compute(tmp_path_factory.mktemp("ratio"), [RATIO / "BarackObama.csv", RATIO / "realDonaldTrump.csv"])


def ratio_raw() -> list[dict[str, str]]:
    return raw_rows([RATIO / "BarackObama.csv", RATIO / "realDonaldTrump.csv"], encoding="utf-8")


def test_ratio_files_are_not_all_utf8_and_their_other_bytes_read_as_replacement_characters(ratio: Run) -> None:
    for name in ("BarackObama.csv", "realDonaldTrump.csv"):
        with pytest.raises(UnicodeDecodeError):
            (RATIO / name).read_bytes().decode("utf-8")
    assert [(item.format, item.encoding, item.rows) for item in ratio.report.files] == [
        ("tweets-basic", "utf-8", 3207),
        ("tweets-basic", "utf-8", 3232),
    ]
    assert all(item.undecodable > 1000 for item in ratio.report.files)
    assert "read 2 files as tweets-basic\n" in ratio.result.stderr
    assert "BarackObama.csv: 4,980 characters of text were not UTF-8" in ratio.result.stderr
    assert ratio.frame["text"].tolist() == [row["text"] for row in ratio_raw()]
    # the files' mojibake (UTF-8 read as Windows-1252, saved as Mac Roman, emoji mangled) is no
    # text at all: it shows as U+FFFD, counted, and no topic is taken from next to it
    shown = int(ratio.frame["text"].str.count("\ufffd").sum())
    assert shown == sum(item.undecodable for item in ratio.report.files)


def test_ratio_topics_are_never_mojibake(tmp_path: Path) -> None:
    """#USA followed by a mangled flag emoji was the topic `usa_ÿ`: a hashtag that runs into
    undecodable text is no topic."""
    env = environment(tmp_path)
    files = [str(RATIO / "BarackObama.csv"), str(RATIO / "realDonaldTrump.csv")]
    ok(CliRunner().invoke(cli, ["compute", *files, "--window", "all", "-f", "csv"], env=env))
    result = ok(CliRunner().invoke(cli, ["topics", "-f", "csv"], env=env))
    topics = [row["topic"] for row in records(result.stdout)]
    assert topics and "maga" in topics
    assert not [topic for topic in topics if not topic.isascii() or "\ufffd" in topic or topic.endswith("_")]


def test_ratio_two_accounts(ratio: Run) -> None:
    assert ratio.frame.groupby("account").size().to_dict() == {"BarackObama": 3207, "realDonaldTrump": 3232}
    assert ratio.frame["platform"].unique().tolist() == ["twitter"]
    assert sorted(row["account"] for row in ratio.scores) == ["BarackObama", "realDonaldTrump"]
    assert "6,439 rows from 2 files" in ratio.result.stderr


def test_ratio_dates_ids_and_counts(ratio: Run) -> None:
    raw = ratio_raw()
    first = ratio.frame.iloc[0]
    assert raw[0]["created_at"] == "10/16/17 22:59"
    assert first["timestamp"] == utc("2017-10-16 22:59")
    assert first["post_id"] == "920061541986250758"  # from https://twitter.com/BarackObama/status/920061541986250758
    assert (first["likes"], first["shares"], first["replies"]) == (641842, 89916, 17064)
    expected = [datetime.strptime(row["created_at"], "%m/%d/%y %H:%M").replace(tzinfo=timezone.utc) for row in raw]
    assert [stamp.to_pydatetime() for stamp in ratio.frame["timestamp"]] == expected
    assert ratio.frame["post_id"].tolist() == [row["url"].rsplit("/status/", 1)[1] for row in raw]
    assert ratio.frame["account"].tolist() == [row["user"] for row in raw]
    own = ratio.frame["kind"] == "post"
    assert ratio.frame["likes"][own].tolist() == [float(row["favorites"]) for row, mine in zip(raw, own) if mine]
    assert ratio.frame["likes"].max() == 4603556  # counts up to millions


def test_ratio_native_retweets_are_shares_of_the_original_author(ratio: Run) -> None:
    raw = ratio_raw()
    retweeted = [re.match(r"RT @(\w+)", row["text"]) for row in raw]
    frame = ratio.frame
    assert frame["kind"].tolist() == ["share" if match else "post" for match in retweeted]
    assert frame["target"].tolist() == [match[1] if match else "" for match in retweeted]
    shares = frame[frame["kind"] == "share"]
    assert shares.groupby("account").size().to_dict() == {"BarackObama": 351, "realDonaldTrump": 354}
    # the file gives a retweet the original's counts: they are not the account's
    assert any(float(row["favorites"]) > 0 for row, match in zip(raw, retweeted) if match)
    assert (shares[["likes", "shares", "replies"]] == 0).all().all()


# -- the troll sample: 204 per-author files -------------------------------------------------
@pytest.fixture(scope="module")
def trolls(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("trolls")
    (folder / "wide.yaml").write_text("window_days: 3650\n", encoding="utf-8")  # 2014-2018: every author in
    return compute(folder, troll_files(), "--model", str(folder / "wide.yaml"))


def test_troll_sample_is_204_accounts(trolls: Run) -> None:
    files = troll_files()
    assert len(files) == 204
    assert {item.format for item in trolls.report.files} == {"troll-tweets"}
    assert trolls.frame["account"].nunique() == 204
    assert set(trolls.frame["account"]) == {path.stem for path in files}  # author_id is the file's name
    assert len(trolls.scores) == 204
    assert {row["account"] for row in trolls.scores} == {path.stem for path in files}
    assert "read 204 files as troll-tweets" in trolls.result.stderr
    assert "204 scores for 204 accounts" in trolls.result.stderr


def test_troll_retweets_are_shares_and_audience_is_read(trolls: Run) -> None:
    raw = pd.concat([pd.read_csv(path, dtype=str, keep_default_na=False) for path in troll_files()], ignore_index=True)
    frame = trolls.frame.reset_index(drop=True)
    assert len(raw) == len(frame) == trolls.report.rows_read == 189967
    # the by-author split writes post_type R (retweet) or Q (quote tweet), with retweet = 1
    assert set(zip(raw["post_type"], raw["retweet"])) == {("", "0"), ("R", "1"), ("Q", "1")}
    kinds = Counter(zip(raw["post_type"], frame["kind"]))
    assert kinds == {
        ("", "post"): (raw["post_type"] == "").sum(),
        ("R", "share"): (raw["post_type"] == "R").sum(),
        ("Q", "post"): (raw["post_type"] == "Q").sum(),  # a quote tweet is the account's own words
    }
    assert (kinds[("R", "share")], kinds[("Q", "post")]) == (63841, 1818)
    assert (frame["target"] == "").all()  # the set does not say whose tweet was retweeted
    assert frame["followers"].tolist() == raw["followers"].astype(float).tolist()
    assert frame["following"].tolist() == raw["following"].astype(float).tolist()
    expected = pd.to_datetime(raw["publish_date"], format="%Y-%m-%d %H:%M:%S").dt.tz_localize("UTC")
    assert (frame["timestamp"] == expected).all()
    assert (frame[["likes", "shares", "replies"]] == 0).all().all()  # no engagement counts in the set


# -- TidyTuesday #DuBoisChallenge tweets ------------------------------------------------------
@pytest.fixture(scope="module")
def dubois(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return compute(tmp_path_factory.mktemp("dubois"), [DUBOIS])


def test_dubois_tweets_drop_the_all_na_row(dubois: Run) -> None:
    raw = raw_rows([DUBOIS])
    assert len(raw) == 445
    assert {value for name, value in raw[-1].items() if name not in ("lat", "long")} == {"NA"}
    assert len(dubois.frame) == 444
    assert dubois.report.files[0].rows == 445
    assert dubois.report.files[0].empty_rows == 1
    assert dubois.report.files[0].format == "tidytuesday-tweets"
    assert "left out 1 row with nothing in any mapped column" in dubois.result.stderr
    assert dubois.frame["account"].nunique() == 166
    assert len(dubois.scores) == 166
    assert "166 scores for 166 accounts" in dubois.result.stderr


def test_dubois_columns(dubois: Run) -> None:
    raw = raw_rows([DUBOIS])[:-1]
    frame = dubois.frame
    assert frame["account"].tolist() == [row["username"] for row in raw]
    assert frame["text"].tolist() == [row["content"] for row in raw]  # not `text`: that is the posting client
    assert frame["text"].str.contains("\n").sum() == 190
    assert frame["post_id"].tolist() == [row["url"].rsplit("/", 1)[1] for row in raw]
    assert frame["likes"].tolist() == [float(row["like_count"]) for row in raw]
    assert frame["shares"].tolist() == [float(row["retweet_count"]) for row in raw]
    assert frame["followers"].tolist() == [float(row["followers"]) for row in raw]
    assert frame["timestamp"].iloc[0] == utc("2021-05-07 11:42:29")
    best = {row["account"]: row for row in dubois.scores}["AlDatavizguy"]
    assert best["followers"] == "1113"
    assert float(best["reach"]) > 0


# -- kscore check: the format column ---------------------------------------------------------
def test_check_reports_each_format(tmp_path: Path) -> None:
    troll = TROLLS / "A" / "ACAB_ZONE.csv"
    names = [JANUARY_2019, RATIO / "BarackObama.csv", troll, DUBOIS]
    result = ok(CliRunner().invoke(cli, ["check", *map(str, names), "-f", "csv"], env=environment(tmp_path)))
    rows = records(result.stdout)
    assert [row["format"] for row in rows] == [
        "x-analytics",
        "tweets-basic (4,980 characters not UTF-8)",
        "troll-tweets (21 characters not UTF-8)",
        "tidytuesday-tweets",
    ]
    assert [row["status"] for row in rows] == ["ok"] * 4
    assert [row["rows"] for row in rows] == ["31", "3207", str(len(raw_rows([troll]))), "444"]
    assert [row["accounts"] for row in rows] == ["1", "1", "1", "166"]
    assert [row["platforms"] for row in rows] == ["twitter"] * 4
    times = sorted(row["time"][:10] for row in raw_rows([JANUARY_2019]))
    assert (rows[0]["first"], rows[0]["last"]) == (times[0], times[-1]) == ("2019-01-08", "2019-01-31")
    assert "promoted url clicks" in rows[0]["ignored_columns"]
