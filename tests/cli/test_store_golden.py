"""Saved runs print the same bytes as before issue #18, whichever kscore wrote the store.

The golden outputs were made by the kscore that kept worded JSON breakdowns (see store_golden);
the store this kscore writes keeps numbers and words them on reading.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.store_golden import (
    DEMO_COMMANDS,
    DEMO_RUNS,
    EXAMPLE,
    EXAMPLE_COMMANDS,
    EXAMPLE_RUNS,
    OLD_STORE,
    OTHER_MODEL,
    fix_created,
    golden,
    invoke,
    load_store,
    make_demo,
    make_store,
    outputs,
)


def _same(found: dict[str, dict[str, object]], expected: dict[str, dict[str, object]]) -> None:
    assert found.keys() == expected.keys()
    differing = [command for command in expected if found[command] != expected[command]]
    assert not differing, f"{len(differing)} commands print otherwise, the first: {differing[0]}"


def _version(store: Path) -> int:
    with sqlite3.connect(store) as connection:
        version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    connection.close()
    return version


def test_example_store_prints_as_before(tmp_path):
    make_store(tmp_path, EXAMPLE, EXAMPLE_RUNS)
    _same(outputs(tmp_path, EXAMPLE_COMMANDS), golden("example"))


def test_demo_store_prints_as_before(tmp_path):
    make_store(tmp_path, make_demo(tmp_path), DEMO_RUNS)
    _same(outputs(tmp_path, DEMO_COMMANDS), golden("demo"))


def test_store_written_before_issue_18_prints_as_before(tmp_path):
    load_store(OLD_STORE, tmp_path / "k.db")
    assert _version(tmp_path / "k.db") == 4
    (tmp_path / "other.yaml").write_text(OTHER_MODEL)
    _same(outputs(tmp_path, EXAMPLE_COMMANDS), golden("example"))


def test_store_written_before_issue_18_takes_new_runs(tmp_path):
    """An old store is brought up to date in place and keeps its runs beside new ones."""
    from klout_cli.store import SCHEMA_VERSION

    load_store(OLD_STORE, tmp_path / "k.db")
    make_store(tmp_path, EXAMPLE, EXAMPLE_RUNS[:1])  # run 4: run 1 again
    assert _version(tmp_path / "k.db") == SCHEMA_VERSION
    fix_created(tmp_path / "k.db")
    expected = golden("example")
    for command in (
        "rank --run 1 -f json",
        "rank --topic python --top 5 --run 1 -f csv",
        "explain megaphone_max --run 1 -f json",
        "topics spam_stan --run 1 -f json",
    ):
        again = invoke(tmp_path, command.replace("--run 1", "--run 4").split())
        assert again["stdout"] == expected[command]["stdout"].replace('"run": 1,', '"run": 4,')
    movers = invoke(tmp_path, ["movers", "--from", "1", "--to", "4", "-f", "csv"])
    assert movers["exit"] == 0
    assert movers["stdout"].splitlines() == ["movement,account,platform,from,to,change,why"]
    history = invoke(tmp_path, ["history", "spam_stan", "-f", "csv"])
    assert [line.split(",")[0] for line in history["stdout"].splitlines()] == ["run", "1", "2", "3", "4"]
