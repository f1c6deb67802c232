"""`kscore check`, `kscore schema` and `kscore runs`."""

from __future__ import annotations

import csv
import json

import pytest

from tests.cli.conftest import EXAMPLE, SAMPLE_CSV, sample_rows
from tests.cli.helpers import error_line, ok, records, rows_in, usage_error

BAD_CSV = "account,timestamp,likes\nalice,2024-03-01,1\nbob,2024-03-02,n/a\n"


# -- check -----------------------------------------------------------------------------------
@pytest.mark.parametrize("use_stdin", [False, True])
def test_check_good_file(kscore, source, use_stdin):
    arg, data, label = source("sample.csv", SAMPLE_CSV, use_stdin)
    result = ok(kscore("check", arg, "-f", "csv", input=data))
    (row,) = records(result.stdout)
    rows = sample_rows()
    dates = sorted(item["timestamp"][:10] for item in rows)
    assert row["file"] == label
    assert row["status"] == "ok"
    assert int(row["rows"]) == len(rows)
    assert int(row["accounts"]) == len({item["account"] for item in rows})
    assert row["platforms"] == ", ".join(sorted({item["platform"] for item in rows}))
    assert (row["first"], row["last"]) == (dates[0], dates[-1])
    assert row["problem"] == ""
    assert result.stderr == ""


@pytest.mark.parametrize("use_stdin", [False, True])
def test_check_table_format(kscore, source, use_stdin):
    arg, data, label = source("sample.csv", SAMPLE_CSV, use_stdin)
    result = ok(kscore("check", arg, "-f", "table", input=data))
    assert label in result.stdout
    assert " ok " in result.stdout
    assert str(len(sample_rows())) in result.stdout


def test_check_lists_ignored_columns(kscore, write):
    name = write("extra.csv", "account,timestamp,Campaign,notes\nalice,2024-03-01,c,n\n")
    (row,) = records(ok(kscore("check", name, "-f", "csv")).stdout)
    assert row["ignored_columns"] == "campaign, notes"


@pytest.mark.parametrize("use_stdin", [False, True])
def test_check_good_and_bad_lists_both_and_exits_1(kscore, write, source, use_stdin):
    good, data, good_label = source("good.csv", SAMPLE_CSV, use_stdin)
    bad = write("bad.csv", BAD_CSV)
    result = kscore("check", good, bad, "-f", "csv", input=data)
    assert error_line(result) == "1 of 2 file(s) have problems (see the problem column)"
    listed = records(result.stdout)
    assert [row["file"] for row in listed] == [good_label, "bad.csv"]
    assert [row["status"] for row in listed] == ["ok", "error"]
    assert listed[1]["problem"].startswith("bad.csv:3: column 'likes': 'n/a' is not a count")
    assert listed[1]["rows"] == ""


def test_check_bad_on_stdin(kscore):
    result = kscore("check", "-", "-f", "json", input=BAD_CSV)
    assert error_line(result) == "1 of 1 file(s) have problems (see the problem column)"
    (row,) = json.loads(result.stdout)
    assert row["status"] == "error"
    assert row["problem"].startswith("<stdin>:3: column 'likes'")


def test_check_stdin_twice_is_a_usage_error(kscore):
    assert "can be given only once" in usage_error(kscore("check", "-", "-", input=SAMPLE_CSV))


def test_check_does_not_touch_the_store(kscore, sample, db):
    ok(kscore("check", sample))
    assert not db.exists()


# -- schema ----------------------------------------------------------------------------------
def canonical_columns() -> list[str]:
    """The example file is written in the canonical schema, every column in order."""
    with EXAMPLE.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def test_schema_lists_the_15_canonical_columns(kscore):
    result = ok(kscore("schema", "-f", "csv"))
    rows = records(result.stdout)
    assert [row["column"] for row in rows] == canonical_columns()
    assert len(rows) == 15
    assert {row["column"] for row in rows if row["required"] == "yes"} == {"account", "timestamp"}
    assert all(row["meaning"] for row in rows)


def test_schema_json_parses(kscore):
    rows = json.loads(ok(kscore("schema", "--format", "json")).stdout)
    assert [row["column"] for row in rows] == canonical_columns()
    assert all(set(row) == {"column", "required", "meaning"} for row in rows)
    assert all(isinstance(row["required"], bool) for row in rows)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_schema_for_humans_explains_matching(kscore, fmt):
    result = ok(kscore("schema", "-f", fmt))
    assert "case-insensitively" in result.stdout
    assert all(name in result.stdout for name in canonical_columns())


# -- runs ------------------------------------------------------------------------------------
def test_runs_with_no_store_exits_1(kscore, db):
    assert "no saved runs yet" in error_line(kscore("runs"))
    assert not db.exists()


@pytest.mark.parametrize("use_stdin", [False, True])
def test_runs_lists_two_runs_with_inputs_and_accounts(kscore, write, source, use_stdin):
    first = write("sample.csv", SAMPLE_CSV)
    small = "account,timestamp,likes\nnina,2024-04-01,3\nomar,2024-04-02,1\n"
    second, data, second_label = source("small.csv", small, use_stdin)
    counts = []
    for args, given in (((first,), None), ((first, second), data)):
        result = ok(kscore("compute", *args, "-f", "csv", input=given))
        counts.append(len(records(result.stdout)))

    listed = records(ok(kscore("runs", "-f", "csv")).stdout)
    assert [row["id"] for row in listed] == ["1", "2"]
    assert [row["inputs"] for row in listed] == [first, f"{first}, {second_label}"]
    assert [int(row["accounts"]) for row in listed] == counts
    assert all(row["as_of"] for row in listed)


def test_runs_json_parses(kscore, sample):
    ok(kscore("compute", sample, "--relative"))
    ok(kscore("compute", sample, "--combine"))
    runs = rows_in(ok(kscore("runs", "--format", "json")).stdout, "json")
    assert [run["id"] for run in runs] == [1, 2]
    assert [run["options"] for run in runs] == ["relative", "combine"]
    assert all(isinstance(run["accounts"], int) for run in runs)
    assert all(run["inputs"] == sample for run in runs)


def test_runs_on_an_existing_store_without_runs_exits_1(kscore, db):
    """A store file with no runs (an empty file, e.g. after `touch`): `runs` says so and exits 1,
    like `rank` on it and `runs` without any store."""
    db.parent.mkdir(parents=True, exist_ok=True)
    db.touch()
    assert "no saved runs yet" in error_line(kscore("rank"))
    assert "no saved runs yet" in error_line(kscore("runs"))
