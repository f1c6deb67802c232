"""store_runs' promises, on stores of small made-up runs: prune keeps exactly the newest N, and
a deletion leaves no row of a deleted run in any table and every row of the others."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klout_cli.core.errors import StoreError
from klout_cli.store import NewRun, Store
from klout_cli.store_runs import delete_runs, prune_runs, run_tables


def new_run(number: int) -> NewRun:
    """A run of `number + 1` inputs and as many accounts, each scored on one topic."""
    accounts = [f"a{index}" for index in range(number + 1)]
    row = {"platform": "twitter", "score": 50.0, "items": 1, "followers": None, "reach": 1.0}
    return NewRun(
        created_at="2024-04-01T00:00:00+00:00",
        as_of="2024-03-31T00:00:00+00:00",
        model_name="m",
        model_source="test",
        model_hash="0" * 64,
        model_text="",
        model_json="{}",
        signals=["reach"],
        relative=False,
        combine=False,
        rows_read=number,
        rows_kept=number,
        rows_left_out={},
        inputs=[(f"{number}-{index}.csv", "0" * 64, 1) for index in range(number + 1)],
        accounts=len(accounts),
        scores=[({**row, "account": name}, b"") for name in accounts],
        medians={},
        topics=[({**row, "account": name, "topic": "ai", "flags": "", "endorsements": 0.0}, b"") for name in accounts],
    )


def rows_by_run(path: Path) -> dict[str, dict[int, int]]:
    with sqlite3.connect(path) as connection:
        found = {"runs": dict(connection.execute("SELECT id, count(*) FROM runs GROUP BY id").fetchall())}
        for table in run_tables(connection):
            found[table] = dict(connection.execute(f"SELECT run_id, count(*) FROM {table} GROUP BY run_id").fetchall())
    return found


def only(rows: dict[str, dict[int, int]], ids: set[int]) -> dict[str, dict[int, int]]:
    return {table: {run: count for run, count in counts.items() if run in ids} for table, counts in rows.items()}


@settings(max_examples=40, deadline=None)  # each example saves up to 7 runs to a file: about 0.1 s
@given(
    runs=st.integers(min_value=1, max_value=7),
    deleted_first=st.sets(st.integers(min_value=1, max_value=7), max_size=4),
    keep=st.integers(min_value=0, max_value=9),
)
def test_prune_keeps_exactly_the_newest_min_n_runs(runs, deleted_first, keep):
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "k.db")
        for number in range(runs):
            store.save_run(new_run(number))
        deleted_first = {run_id for run_id in deleted_first if run_id <= runs}
        if deleted_first:
            delete_runs(store, sorted(deleted_first))
        there = [run_id for run_id in range(1, runs + 1) if run_id not in deleted_first]
        before = rows_by_run(store.path)

        removal = prune_runs(store, keep)

        newest = there[len(there) - min(keep, len(there)) :]
        assert removal.deleted == tuple(there[: len(there) - len(newest)])
        assert removal.left == len(newest)
        assert [record.id for record in store.runs()] == newest
        assert rows_by_run(store.path) == only(before, set(newest))


def test_run_tables_are_every_table_keyed_by_run(tmp_path):
    store = Store(tmp_path / "k.db")
    store.save_run(new_run(1))
    with sqlite3.connect(store.path) as connection:
        assert run_tables(connection) == ["inputs", "scores", "topic_scores"]


def test_a_delete_of_a_known_and_an_unknown_run_deletes_neither(tmp_path):
    store = Store(tmp_path / "k.db")
    for number in range(2):
        store.save_run(new_run(number))
    before = rows_by_run(store.path)
    with pytest.raises(StoreError, match=r"^no run 5 in .*; nothing was deleted$"):
        delete_runs(store, [1, 5])
    assert rows_by_run(store.path) == before
