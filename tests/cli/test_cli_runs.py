"""`kscore runs` one line per run, `runs show`, `runs delete` and `runs prune` (#18, #20).

The waits between a delete and a saving compute are in test_store_faults.py (real processes)."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest

from klout_cli.render_runs import id_words, inputs_summary, size_words
from klout_cli.store import PAGE_BYTES
from tests.cli.conftest import EXAMPLE, SAMPLE_CSV
from tests.cli.helpers import error_line, ok, records, rows_in, usage_error

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
FORMATS = ["table", "csv", "tsv", "json", "jsonl", "markdown"]


def month_file(write, month: str) -> str:
    """A small input of its own: two accounts, a row each, in the month named."""
    number = MONTHS.index(month) + 1
    return write(
        f"{month}.csv", f"account,timestamp,likes\nana,2024-{number:02}-03,{number}\nbo,2024-{number:02}-04,2\n"
    )


@pytest.fixture
def twelve(kscore, write, sample) -> list[str]:
    """Run 1 of sample.csv, run 2 of twelve monthly files; returns the twelve names in order."""
    names = [month_file(write, month) for month in MONTHS]
    ok(kscore("compute", sample, "-f", "csv"))
    ok(kscore("compute", *names, "-f", "csv"))
    return names


def run_rows(db: Path) -> dict[str, dict[int, int]]:
    """Rows per run id in every table of the store that has a `run_id` column (and `runs`)."""
    with sqlite3.connect(db) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {"runs": dict(connection.execute("SELECT id, count(*) FROM runs GROUP BY id").fetchall())}
        for table in tables:
            columns = {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
            if "run_id" in columns:
                found[table] = dict(
                    connection.execute(f'SELECT run_id, count(*) FROM "{table}" GROUP BY run_id').fetchall()
                )
    return found


def on_disk(db: Path) -> int:
    """The store's bytes: the file and its write-ahead log."""
    wal = db.with_name(db.name + "-wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


# -- one line per run -----------------------------------------------------------------------
def test_inputs_are_named_up_to_three_then_counted():
    assert inputs_summary(["a.csv"]) == "a.csv"
    assert inputs_summary(["a.csv", "b.csv", "c.csv"]) == "a.csv, b.csv, c.csv"
    assert inputs_summary(["a.csv", "b.csv", "c.csv", "d.csv"]) == "a.csv, b.csv and 2 more (4 files)"
    assert inputs_summary([f"{n}.csv" for n in range(1547)]) == "0.csv, 1.csv and 1,545 more (1,547 files)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_runs_prints_one_line_per_run_however_many_inputs(kscore, twelve, sample, fmt):
    result = ok(kscore("runs", "-f", fmt))
    summary = "jan.csv, feb.csv and 10 more (12 files)"
    if fmt == "table":
        lines = result.stdout.splitlines()
        rule = next(index for index, line in enumerate(lines) if set(line.strip()) == {"─"})
        body = [line for line in lines[rule + 1 :] if line.strip()]
        assert len(body) == 2, result.stdout
        assert summary in body[1]
        assert "mar.csv" not in result.stdout
        return
    listed = rows_in(result.stdout, fmt)
    assert [str(row["id"]) for row in listed] == ["1", "2"]
    assert [row["inputs"] for row in listed] == [sample, summary]
    assert [str(row["files"]) for row in listed] == ["1", "12"]
    if fmt in ("json", "jsonl"):
        assert all(isinstance(row[name], int) for row in listed for name in ("id", "files", "accounts", "rows"))
    columns = list(listed[0])
    assert columns == ["id", "created", "as_of", "model", "inputs", "files", "accounts", "rows", "options"]


# -- show -----------------------------------------------------------------------------------
def test_runs_show_lists_every_input_with_its_hash_and_rows(kscore, twelve, workdir):
    shown = json.loads(ok(kscore("runs", "show", "2")).stdout)  # json when piped
    assert shown["id"] == 2
    assert shown["files"] == 12
    assert [item["file"] for item in shown["inputs"]] == twelve
    for item in shown["inputs"]:
        assert item["sha256"] == hashlib.sha256((workdir / item["file"]).read_bytes()).hexdigest()
        assert item["rows"] == 2
    assert shown["input_rows"] == 24
    assert shown["rows_read"] == 24
    assert shown["accounts"] == 2
    assert shown["model"] == "kscore default"
    assert len(shown["model_hash"]) == 64
    assert shown["as_of"].startswith("2024-12-04")
    assert shown["options"] == "" and shown["relative"] is False and shown["combine"] is False
    assert set(shown["rows_left_out"]) >= {"before_window", "duplicates"}
    assert shown["signals"][0] == "reach"

    assert json.loads(ok(kscore("runs", "show", "2", "-f", "jsonl")).stdout) == shown
    listed = records(ok(kscore("runs", "show", "2", "-f", "csv")).stdout)
    assert [row["file"] for row in listed] == twelve
    assert [row["position"] for row in listed] == [str(n) for n in range(1, 13)]
    assert [row["sha256"] for row in listed] == [item["sha256"] for item in shown["inputs"]]


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_runs_show_for_people_has_the_run_then_every_input(kscore, twelve, fmt):
    text = ok(kscore("runs", "show", "2", "-f", fmt)).stdout
    assert all(name in text for name in twelve)
    for field in ("model_hash", "as_of", "rows_kept", "accounts", "options", "input_rows"):
        assert field in text
    assert text.index("model_hash") < text.index("jan.csv")


def test_runs_show_an_unknown_run_is_one_line_as_for_rank(kscore, twelve, db):
    message = error_line(kscore("runs", "show", "9"))
    assert message == f"no run 9 in {db} (latest runs: 1, 2; see `kscore runs`)"
    assert message == error_line(kscore("rank", "--run", "9"))


def test_runs_show_without_a_store_exits_1(kscore, db):
    assert "no saved runs yet" in error_line(kscore("runs", "show", "1"))
    assert not db.exists()


def test_options_given_to_runs_reach_its_subcommands(kscore, sample, tmp_path):
    """`kscore runs --db X delete 1` acts on X, not on $KSCORE_DB; `runs -f json show 1` is json."""
    other = tmp_path / "other.db"
    ok(kscore("compute", sample, "--db", str(other), "-f", "csv"))
    ok(kscore("compute", sample, "-f", "csv"))
    assert json.loads(ok(kscore("runs", "--db", str(other), "-f", "json", "show", "1")).stdout)["id"] == 1
    ok(kscore("runs", "--db", str(other), "delete", "1"))
    assert "no saved runs yet" in error_line(kscore("runs", "--db", str(other)))
    assert len(rows_in(ok(kscore("runs", "-f", "json")).stdout, "json")) == 1


# -- delete and prune -----------------------------------------------------------------------
@pytest.fixture
def three(kscore, db) -> dict[str, dict[int, int]]:
    """Three runs of the example (scores, topic scores, inputs); returns their rows per table."""
    for _ in range(3):
        ok(kscore("compute", str(EXAMPLE), "-f", "csv"))
    return run_rows(db)


def test_delete_removes_every_row_of_the_runs_in_every_table(kscore, three, db):
    assert set(three) == {"runs", "inputs", "scores", "topic_scores"}  # a new table: check it is covered
    assert all(set(counts) == {1, 2, 3} for counts in three.values())  # each table had rows of each run
    result = ok(kscore("runs", "delete", "3", "1"))
    assert result.stdout == ""
    assert re.fullmatch(
        r"deleted 2 runs \(ids 1, 3\), 1 run left; the store is now [\d.]+ [KMG]?B, was [\d.]+ [KMG]?B\n",
        result.stderr,
    ), result.stderr
    assert run_rows(db) == {table: {2: counts[2]} for table, counts in three.items()}
    assert [row["id"] for row in records(ok(kscore("runs", "-f", "csv")).stdout)] == ["2"]


def test_a_deleted_runs_id_is_never_given_again(kscore, three, db):
    ok(kscore("runs", "delete", "3"))
    ok(kscore("compute", str(EXAMPLE), "-f", "csv"))
    ok(kscore("runs", "prune", "--keep", "0"))
    ok(kscore("compute", str(EXAMPLE), "-f", "csv"))
    assert [row["id"] for row in records(ok(kscore("runs", "-f", "csv")).stdout)] == ["5"]
    assert "no run 3 in" in error_line(kscore("rank", "--run", "3"))


def test_prune_keeps_the_newest_and_gives_the_space_back(kscore, db):
    ok(kscore("compute", str(EXAMPLE), "-f", "csv"))
    one_run = on_disk(db)
    for _ in range(3):
        ok(kscore("compute", str(EXAMPLE), "-f", "csv"))
    four_runs = on_disk(db)
    assert four_runs > 3 * one_run // 2
    result = ok(kscore("runs", "prune", "--keep", "1"))
    assert result.stderr.startswith("deleted 3 runs (ids 1-3), kept the newest 1; the store is now ")
    # the file of one run, give or take the pages of a fresh layout: VACUUM made it, and the
    # WAL was checkpointed into it and truncated
    assert on_disk(db) <= one_run + 2 * PAGE_BYTES, (one_run, on_disk(db), four_runs)
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert list(run_rows(db)["runs"]) == [4]


def test_other_runs_read_the_same_after_a_run_between_them_is_deleted(kscore, write):
    """Runs 1 and 3 score `star`; run 2 does not: deleting run 2 changes nothing said of 1 and 3."""
    tagged = write("tagged.csv", SAMPLE_CSV.replace(",hello", ",hello #ai").replace(",hi", ",hi #ai #ml"))
    ok(kscore("compute", tagged, "-f", "csv"))
    ok(kscore("compute", write("other.csv", "account,timestamp,likes\nnina,2024-03-05,3\n"), "-f", "csv"))
    ok(kscore("compute", tagged, "--as-of", "2024-03-20", "-f", "csv"))
    asked = [
        ("rank", "--run", "1", "-f", "csv"),
        ("rank", "--run", "3", "-f", "json"),
        ("explain", "star", "--run", "1", "-f", "json"),
        ("explain", "star", "--run", "3", "-f", "markdown"),
        ("history", "star", "-f", "csv"),
        ("movers", "--from", "1", "--to", "3", "-f", "csv"),
        ("topics", "--run", "3", "-f", "csv"),
    ]
    before = [ok(kscore(*args)).stdout for args in asked]
    ok(kscore("runs", "delete", "2"))
    assert [ok(kscore(*args)).stdout for args in asked] == before


def test_prune_keep_0_deletes_every_run(kscore, three, db):
    result = ok(kscore("runs", "prune", "--keep", "0"))
    assert result.stderr.startswith("deleted 3 runs (ids 1-3), kept the newest 0; ")
    assert all(not counts for counts in run_rows(db).values())
    assert "no saved runs yet" in error_line(kscore("runs"))
    assert "no saved runs yet" in error_line(kscore("rank"))
    again = ok(kscore("runs", "prune", "--keep", "0"))  # nothing left to delete: says so, exit 0
    assert again.stderr.startswith("deleted no runs, kept the newest 0; ")


def test_prune_keeping_more_than_there_are_deletes_nothing(kscore, three, db):
    result = ok(kscore("runs", "prune", "--keep", "5"))
    assert result.stderr.startswith("deleted no runs, kept the newest 3; the store is now ")
    assert run_rows(db) == three


@pytest.mark.parametrize(
    "args", [("runs", "delete", "1", "3", "--dry-run"), ("runs", "prune", "--keep", "1", "--dry-run")]
)
def test_a_dry_run_says_what_it_would_delete_and_deletes_nothing(kscore, three, db, args):
    size = db.stat().st_size
    result = ok(kscore(*args))
    assert result.stderr.startswith("would delete 2 runs (ids 1, 3)" if "delete" in args else "would delete 2 runs")
    assert result.stderr.rstrip().endswith("(a dry run: nothing deleted)")
    assert run_rows(db) == three
    assert db.stat().st_size == size


@pytest.mark.parametrize(
    ("ids", "named"),
    [(["7"], "no run 7"), (["1", "7", "9", "7"], "no runs 7, 9"), (["0"], "no run 0"), (["-3"], "no run -3")],
)
def test_delete_of_an_unknown_run_deletes_nothing(kscore, sample, db, ids, named):
    for _ in range(2):
        ok(kscore("compute", sample, "-f", "csv"))
    before = run_rows(db)
    message = error_line(kscore("runs", "delete", "--", *ids))
    assert message == f"{named} in {db} (latest runs: 1, 2; see `kscore runs`); nothing was deleted"
    assert run_rows(db) == before


def test_delete_or_prune_without_a_store_exits_1_and_makes_none(kscore, db):
    assert "no saved runs yet" in error_line(kscore("runs", "delete", "1"))
    assert "no saved runs yet" in error_line(kscore("runs", "prune", "--keep", "1"))
    assert not db.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("runs", "delete"),
        ("runs", "delete", "one"),
        ("runs", "delete", "1.5"),
        ("runs", "prune"),
        ("runs", "prune", "--keep", "-1"),
        ("runs", "prune", "--keep", "all"),
        ("runs", "prune", "1"),
        ("runs", "show"),
        ("runs", "show", "latest"),
        ("runs", "forget", "1"),
    ],
)
def test_runs_usage_errors_exit_2_and_delete_nothing(kscore, sample, db, args):
    ok(kscore("compute", sample, "-f", "csv"))
    before = run_rows(db)
    usage_error(kscore(*args))
    assert run_rows(db) == before


def test_the_store_sizes_and_ids_read_well():
    assert [size_words(n) for n in (812, 340_200, 999_960, 12_345_678, 1_234_567_890, 12_345_678_901_234)] == [
        "812 bytes",
        "340.2 KB",
        "1.0 MB",
        "12.3 MB",
        "1.2 GB",
        "12345.7 GB",
    ]
    assert id_words([4]) == "id 4"
    assert id_words([1, 2, 4]) == "ids 1, 2, 4"
    assert id_words([1, 2, 3, 4, 7, 9, 10]) == "ids 1-4, 7, 9, 10"


def test_runs_lists_as_before_with_its_options(kscore, write):
    """`kscore runs` is a group now; with no subcommand it lists, taking -f and --db as it did."""
    ok(kscore("compute", write("s.csv", SAMPLE_CSV), "-f", "csv"))
    assert [row["inputs"] for row in records(ok(kscore("runs")).stdout)] == ["s.csv"]
    assert "Commands:" in ok(kscore("runs", "--help")).stdout
