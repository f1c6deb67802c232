"""`kscore explain`, `history` and `movers` over a store built by computes with different --as-of."""

from __future__ import annotations

import json
import os

import pytest

from klout_cli.core import SIGNALS
from tests.cli.conftest import EXAMPLE, GOLDEN_DIR, SAMPLE_CSV
from tests.cli.helpers import error_line, ok, records, usage_error

KEYS = {"account", "platform", "score", "base", "contributions", "penalties"}
PART_KEYS = {"signal", "raw", "normalized", "weight", "points"}


def adds_up(data: dict) -> bool:
    total = data["base"] + sum(p["points"] for p in data["contributions"]) + sum(p["points"] for p in data["penalties"])
    return abs(total - data["score"]) < 0.01


@pytest.fixture
def two_runs(kscore):
    """Run 1 as of 2024-03-01, run 2 as of 2024-03-31, both of the example."""
    ok(kscore("compute", str(EXAMPLE), "--as-of", "2024-03-01"))
    ok(kscore("compute", str(EXAMPLE), "--as-of", "2024-03-31"))
    return kscore


def test_explain_json_has_the_promised_shape_and_adds_up(two_runs):
    result = ok(two_runs("explain", "ana_lytics", "--platform", "twitter", "-f", "json"))
    data = json.loads(result.stdout)
    assert data.keys() >= KEYS
    assert all(part.keys() >= PART_KEYS for part in data["contributions"])
    assert (data["account"], data["platform"], data["source"]["run"]) == ("ana_lytics", "twitter", 2)
    assert adds_up(data)
    # the score is the one the run ranked
    ranked = records(ok(two_runs("rank", "-f", "csv")).stdout)
    listed = next(row for row in ranked if (row["account"], row["platform"]) == ("ana_lytics", "twitter"))
    assert float(listed["score"]) == pytest.approx(data["score"], abs=0.005)
    # the items that earned the most are the account's own, best first
    earned = [item["counted"] for item in data["top_items"]]
    assert 1 <= len(earned) <= 3 and earned == sorted(earned, reverse=True)
    assert data["median"]["score"] > 1


def test_explain_defaults_to_the_best_platform_and_says_what_else_there_is(two_runs):
    result = ok(two_runs("explain", "ana_lytics", "-f", "json"))
    assert json.loads(result.stdout)["platform"] == "twitter"
    assert "also scored on linkedin" in result.stderr


def test_explain_an_older_run(two_runs):
    old = json.loads(ok(two_runs("explain", "ana_lytics", "--platform", "twitter", "--run", "1", "-f", "json")).stdout)
    new = json.loads(ok(two_runs("explain", "ana_lytics", "--platform", "twitter", "-f", "json")).stdout)
    assert old["source"]["as_of"].startswith("2024-03-01") and new["source"]["as_of"].startswith("2024-03-31")
    assert old["score"] != new["score"] and adds_up(old)


def test_explain_from_files_and_stdin_without_saving(kscore, write):
    name = write("sample.csv", SAMPLE_CSV)
    from_file = json.loads(ok(kscore("explain", "mid", name, "-f", "json")).stdout)
    from_stdin = json.loads(ok(kscore("explain", "mid", "-", "-f", "json", input=SAMPLE_CSV)).stdout)
    assert from_file["score"] == from_stdin["score"] and from_file["source"]["run"] is None
    assert adds_up(from_file)
    assert "no saved runs" in error_line(kscore("runs"))


def test_explain_beside_another_model(two_runs, write):
    mine = write("mine.yaml", "name: shares first\nsignals:\n  reach: {weight: 0}\n  amplification: {weight: 60}\n")
    data = json.loads(
        ok(two_runs("explain", "ana_lytics", "--platform", "twitter", "--model", mine, "-f", "json")).stdout
    )
    compare = data["compare"]
    assert compare["model"] == "shares first"
    assert adds_up(compare)
    reach = next(part for part in compare["contributions"] if part["signal"] == "reach")
    assert reach["points"] == 0 and reach["raw"] == next(
        p["raw"] for p in data["contributions"] if p["signal"] == "reach"
    )
    table = ok(two_runs("explain", "ana_lytics", "--platform", "twitter", "--model", mine, "-f", "table")).stdout
    assert "points (shares first)" in table


def test_a_model_that_changes_the_decay_needs_the_files(two_runs, write):
    faster = write("faster.yaml", "half_life_days: 7\nwindow_days: 60\n")
    message = error_line(two_runs("explain", "ana_lytics", "--platform", "twitter", "--model", faster))
    assert "faster.yaml changes window_days, which needs the rows themselves: pass the input files too" in message
    result = ok(
        two_runs("explain", "ana_lytics", str(EXAMPLE), "--platform", "twitter", "--model", faster, "-f", "json")
    )
    data = json.loads(result.stdout)
    assert adds_up(data["compare"]) and data["compare"]["score"] != data["score"]


def test_an_unknown_account_suggests_close_names(two_runs):
    message = error_line(two_runs("explain", "ana_lytic"))
    assert message == "no account 'ana_lytic' in run 2 (did you mean: ana_lytics?)"
    assert "(it has: twitter, linkedin)" in error_line(two_runs("explain", "ana_lytics", "--platform", "tiktok"))
    assert "did you mean: bytebard" in error_line(two_runs("history", "bytebird"))
    assert two_runs("history", "@Bytebard").exit_code == 0  # twitter handles match case-insensitively (#17)


def test_explain_bad_requests(two_runs, kscore):
    assert error_line(two_runs("explain", "ana_lytics", "--run", "9")).startswith("no run 9 in ")
    usage_error(two_runs("explain", "ana_lytics", str(EXAMPLE), "--run", "1"))
    usage_error(two_runs("explain", "ana_lytics", "--as-of", "2024-01-01"))


def test_explain_on_an_empty_store(kscore):
    assert "no saved runs yet" in error_line(kscore("explain", "ana_lytics"))
    assert "no saved runs yet" in error_line(kscore("history", "ana_lytics"))
    assert "no saved runs yet" in error_line(kscore("movers"))


def test_explain_markdown(two_runs):
    text = ok(two_runs("explain", "ana_lytics", "--platform", "twitter", "-f", "markdown")).stdout
    assert text.startswith("### ana_lytics · twitter · score ")
    assert "| signal | measure | normalised | weight | points |" in text
    assert "Compared with the median account:" in text and "Items that earned the most:" in text


def test_explain_table_matches_golden(two_runs):
    result = ok(two_runs("explain", "ana_lytics", "--platform", "twitter", "-f", "table", extra_env={"COLUMNS": "100"}))
    text = "\n".join(line.rstrip() for line in result.stdout.splitlines()) + "\n"
    golden = GOLDEN_DIR / "explain_table.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run the tests once with UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8")
    assert all(len(line) <= 100 for line in text.splitlines())


def test_history_lists_every_run_with_the_change_and_what_moved(two_runs):
    rows = records(ok(two_runs("history", "ana_lytics", "--platform", "twitter", "-f", "csv")).stdout)
    assert [row["run"] for row in rows] == ["1", "2"]
    assert rows[0]["change"] == ""
    assert float(rows[1]["change"]) == pytest.approx(float(rows[1]["score"]) - float(rows[0]["score"]), abs=0.011)
    assert rows[1]["moved_most"].split()[0] in SIGNALS
    table = ok(two_runs("history", "ana_lytics", "-f", "table", extra_env={"COLUMNS": "100"})).stdout
    assert "linkedin" in table and "twitter" in table and any(mark in table for mark in "▁▂▃▄▅▆▇█")


def test_movers_lists_risers_fallers_and_explains_them(two_runs):
    rows = records(ok(two_runs("movers", "--top", "3", "-f", "csv")).stdout)
    ups = [row for row in rows if row["movement"] == "up"]
    downs = [row for row in rows if row["movement"] == "down"]
    assert 1 <= len(ups) <= 3 and 1 <= len(downs) <= 3
    changes = [float(row["change"]) for row in ups]
    assert changes == sorted(changes, reverse=True) and all(change > 0 for change in changes)
    assert all(float(row["change"]) < 0 for row in downs)
    for row in ups + downs:
        assert float(row["to"]) - float(row["from"]) == pytest.approx(float(row["change"]), abs=0.011)
        signal, rest = row["why"].split(" ", 1)
        assert signal in SIGNALS and "→" in rest


def test_movers_lists_accounts_new_and_gone(kscore, write):
    first = write("first.csv", "account,timestamp,likes\nana,2024-03-01,5\nbob,2024-03-01,2\n")
    second = write("second.csv", "account,timestamp,likes\nana,2024-03-08,9\ncy,2024-03-08,1\n")
    ok(kscore("compute", first))
    ok(kscore("compute", second))
    rows = records(ok(kscore("movers", "-f", "csv")).stdout)
    assert {(row["movement"], row["account"]) for row in rows} == {("up", "ana"), ("new", "cy"), ("gone", "bob")}


def test_movers_between_different_models_says_so(kscore, write):
    name = write("a.csv", "account,timestamp,likes,shares\nana,2024-03-01,5,1\nbob,2024-03-01,20,3\n")
    other = write("other.yaml", "name: other\nsignals:\n  amplification: {weight: 80}\n")
    ok(kscore("compute", name))
    ok(kscore("compute", name, "--model", other))
    result = ok(kscore("movers", "-f", "csv"))
    assert "runs 1 and 2 used different models" in result.stderr
    assert len(records(result.stdout)) == 2


def test_movers_needs_two_runs(kscore, write):
    ok(kscore("compute", write("a.csv", "account,timestamp,likes\nana,2024-03-01,5\n")))
    assert "run 1 is the first saved run" in error_line(kscore("movers"))
    assert "choose two different runs" in error_line(kscore("movers", "--from", "1", "--to", "1"))
    assert error_line(kscore("movers", "--from", "7")).startswith("no run 7 in ")


def test_movers_between_a_combined_and_a_plain_run_says_why_all_are_new_and_gone(kscore, write):
    name = write("a.csv", SAMPLE_CSV)
    ok(kscore("compute", name))
    ok(kscore("compute", name, "--combine"))
    result = ok(kscore("movers", "-f", "csv"))
    assert "run 2 combined each account's platforms and the other did not" in result.stderr
    assert {row["movement"] for row in records(result.stdout)} <= {"new", "gone", "up", "down"}


def test_history_of_a_platform_finds_combined_rows_too(kscore, write):
    name = write("a.csv", SAMPLE_CSV)
    ok(kscore("compute", name))
    ok(kscore("compute", name, "--combine"))
    rows = records(ok(kscore("history", "star", "--platform", "twitter", "-f", "csv")).stdout)
    assert [row["platform"] for row in rows] == ["twitter", "linkedin+twitter"]


def test_a_window_of_more_than_64_weeks_saves_and_explains(kscore, write, db):
    """An account's active weeks are a bit a week: under a 1,000-day window they pass 64 bits,
    which orjson cannot write; the run is saved and explained all the same, the weeks exact."""
    import sqlite3

    from klout_cli.packing import unpack_score

    model = write("long.yaml", "name: long\nwindow_days: 1000\nhalf_life_days: 300\n")
    old_item = "ana_lytics,2022-06-01T10:00:00Z,twitter,post,old001,,5,1,0,100,0,5000,300,data,x #data\n"
    activity = write("old.csv", EXAMPLE.read_text(encoding="utf-8") + old_item)
    ok(kscore("compute", activity, "--model", model))
    with sqlite3.connect(db) as connection:
        (breakdown,) = connection.execute(
            "SELECT breakdown FROM scores WHERE account = 'ana_lytics' AND platform = 'twitter'"
        ).fetchone()
    weeks = unpack_score(breakdown).features["active_weeks"]  # kept as a number of any size
    assert weeks.bit_length() > 64 and weeks >> 95 & 1  # the old item's week, about 95 weeks back
    saved = json.loads(ok(kscore("explain", "ana_lytics", "--platform", "twitter", "-f", "json")).stdout)
    assert adds_up(saved)
    # from the file under the default model, side by side with the long one
    args = ("explain", "ana_lytics", activity, "--platform", "twitter", "--model", model, "-f", "json")
    compared = json.loads(ok(kscore(*args)).stdout)
    assert adds_up(compared)
    assert compared["compare"]["score"] == saved["score"]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ("item_cap: 2\n", "item_cap"),
        ("backlash: {min_replies: 0}\n", "backlash"),
        ("timezone: Asia/Tokyo\n", "timezone"),
        ("flags: {spam-volume: {min_items_per_day: 5}}\n", "flags.spam-volume.min_items_per_day"),
    ],
)
def test_a_model_that_changes_how_items_are_measured_needs_the_files(two_runs, write, change, named):
    other = write("other.yaml", change)
    message = error_line(two_runs("explain", "ana_lytics", "--platform", "twitter", "--model", other))
    assert f"other.yaml changes {named}, which needs the rows themselves" in message
