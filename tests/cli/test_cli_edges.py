"""Edge cases found in review: odd platform names, date forms, foreign stores, wide names."""

from __future__ import annotations

import sqlite3

from tests.cli.helpers import error_line, ok, records, table_rows

GOOGLE = "account,timestamp,platform,likes\nana,2024-03-01,google+,10\nbob,2024-03-01,google,3\n"


def test_a_platform_name_with_a_plus_filters_the_same_in_compute_and_rank(kscore, write, db):
    name = write("gp.csv", GOOGLE)
    computed = records(ok(kscore("compute", name, "--platform", "google+")).stdout)
    ranked = records(ok(kscore("rank", "--platform", "google+")).stdout)
    assert [row["account"] for row in computed] == [row["account"] for row in ranked] == ["ana"]
    assert [row["account"] for row in records(ok(kscore("rank", "--platform", "google")).stdout)] == ["bob"]


def test_a_date_in_basic_form_means_the_end_of_that_day(kscore, write):
    name = write("day.csv", "account,timestamp,likes\nana,2024-03-01T18:00:00Z,4\nbob,2024-03-02T01:00:00Z,4\n")
    result = ok(kscore("compute", name, "--no-save", "--as-of", "20240301"))
    assert [(row["account"], row["style"]) for row in records(result.stdout)] == [
        ("ana", "observer"),
        ("bob", "dormant"),
    ]
    assert "1 row after as-of" not in result.stderr and "left out 1 after as-of" in result.stderr


def test_a_foreign_sqlite_database_is_not_written_to(kscore, write, tmp_path):
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    name = write("a.csv", "account,timestamp,likes\nana,2024-03-01,4\n")
    result = kscore("compute", name, "--db", str(foreign))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last == f"Error: {foreign}: a SQLite database of something else, not a kscore run store"
    with sqlite3.connect(foreign) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["notes"]


def test_model_files_refuse_keys_given_twice(kscore, write):
    twice = write("twice.yaml", "name: a\nname: b\n")
    assert error_line(kscore("model", "check", twice)) == "twice.yaml:2:1: not valid YAML: key 'name' is given twice"
    cased = write("cased.yaml", "platforms:\n  Twitter: 2\n  twitter: 3\n")
    assert "platforms: a platform is given twice" in error_line(kscore("model", "check", cased))
    replaced = write("replaced.yaml", "platforms:\n  Twitter: 2\n")
    summary = ok(kscore("model", "check", replaced)).stderr
    assert "twitter 2" in summary and "Twitter" not in summary


def test_wide_characters_never_cut_numbers_short(kscore, write):
    name = write("cjk.csv", "account,timestamp,likes\n日本語のアカウント名前,2024-03-01,20\n")
    result = ok(kscore("compute", name, "--no-save", "-f", "table", extra_env={"COLUMNS": "62"}))
    json_row = records(ok(kscore("compute", name, "--no-save", "-f", "csv")).stdout)[0]
    shown = table_rows(result.stdout)[0]
    assert shown["score"] == f"{float(json_row['score']):.1f}"
    assert all(len(line) <= 62 for line in result.stdout.splitlines())


def test_unrelated_accounts_no_later_than_the_input_leave_scores_alone_under_the_default_as_of(kscore, write):
    mine = "account,timestamp,likes,shares,followers\nana,2024-03-01,10,2,500\nana,2024-03-20,3,1,520\n"
    strangers = "zed,2024-02-11,900,50,90000\nyan,2024-03-20,1,0,10\n"
    alone = records(ok(kscore("compute", write("mine.csv", mine), "--no-save")).stdout)
    together = records(ok(kscore("compute", write("all.csv", mine + strangers), "--no-save")).stdout)
    assert next(row for row in together if row["account"] == "ana")["score"] == alone[0]["score"]


def test_a_version_1_store_is_upgraded_in_place(kscore, write, db):
    from klout_cli.store import SCHEMA, SCHEMA_VERSION, TOPIC_SCHEMA

    version_1 = (
        SCHEMA.replace(",\n    medians TEXT NOT NULL DEFAULT '{}'", "")
        .replace(",\n    flags TEXT NOT NULL DEFAULT ''", "")
        .replace(",\n    style TEXT NOT NULL DEFAULT ''", "")
        .replace(TOPIC_SCHEMA, "")
    )
    assert version_1 != SCHEMA
    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as connection:
        connection.executescript(version_1)
        connection.execute("PRAGMA user_version = 1")
    ok(kscore("compute", write("a.csv", "account,timestamp,likes\nana,2024-03-01,4\nbob,2024-03-01,1\n")))
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        assert connection.execute("PRAGMA page_size").fetchone()[0] == 4096  # it keeps the pages it had
    assert [row["account"] for row in records(ok(kscore("rank")).stdout)] == ["ana", "bob"]


def test_a_new_store_has_pages_that_hold_several_breakdowns(kscore, sample, db):
    from klout_cli.store import PAGE_BYTES

    ok(kscore("compute", sample))
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA page_size").fetchone()[0] == PAGE_BYTES == 16384
        longest = connection.execute("SELECT max(length(breakdown)) FROM scores").fetchone()[0]
    assert 2 * longest < PAGE_BYTES
    assert ok(kscore("explain", "--format", "json", records(ok(kscore("rank")).stdout)[0]["account"])).stdout


def test_a_failed_upgrade_leaves_the_store_as_it_was(kscore, write, db, monkeypatch):
    from klout_cli import store
    from klout_cli.store import SCHEMA, TOPIC_SCHEMA

    version_3 = SCHEMA.replace(",\n    style TEXT NOT NULL DEFAULT ''", "").replace(TOPIC_SCHEMA, "")
    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as connection:
        connection.executescript(version_3)
        connection.execute("PRAGMA user_version = 3")
    # the upgrade's last statement fails: none of it may stay behind
    upgrade = store.MIGRATIONS[3]
    monkeypatch.setitem(store.MIGRATIONS, 3, upgrade + "INSERT INTO nowhere VALUES (1);\n")
    assert "no such table: nowhere" in error_line(kscore("rank"))
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 3
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"runs", "inputs", "scores"}
        assert "style" not in {row[1] for row in connection.execute("PRAGMA table_info(scores)")}
    monkeypatch.setitem(store.MIGRATIONS, 3, upgrade)
    ok(kscore("compute", write("a.csv", "account,timestamp,likes\nana,2024-03-01,4\n")))  # then upgrades cleanly


def test_a_command_runs_without_the_cycle_collector_and_turns_it_back_on(kscore, sample, monkeypatch):
    import gc

    import klout_cli.compute

    seen = []
    original = klout_cli.compute.compute_run

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(klout_cli.compute, "compute_run", spy)
    assert gc.isenabled()
    ok(kscore("compute", sample, "--no-save", "-f", "csv"))
    assert seen == [False]  # paused while the run worked
    assert gc.isenabled()  # and on again after it, as it was
    bad = kscore("compute", "missing.csv")
    assert bad.exit_code != 0 and gc.isenabled()  # an error turns it back on too
