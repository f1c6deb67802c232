"""Managing saved runs: delete some, keep the newest N, and give the space back.

A deletion is one transaction, taken through the same wait as a save (`begin_writing`): it
waits for a `compute` that is saving, and either every row of the runs goes or none does.
Then the store is vacuumed and its WAL checkpointed and truncated, so the file shrinks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from klout_cli.core.errors import StoreError
from klout_cli.store import Store, next_run_id
from klout_cli.store_access import begin_writing, done_writing, signals_held, store_error, test_point

#: How long the WAL's checkpoint after a deletion waits for readers to finish (seconds).
CHECKPOINT_WAIT = 5.0


@dataclass(frozen=True)
class Removal:
    """What a deletion did (or, dry, would do)."""

    deleted: tuple[int, ...]
    """The ids of the runs deleted, in order."""
    left: int
    """How many runs the store holds after it."""
    size_before: int
    size_after: int
    """Bytes of the store on disk (the file and its WAL) before and after."""
    not_given_back: str | None = None
    """Why the space of the deleted runs was not given back to the disk, if it was not."""


def store_size(path: Path) -> int:
    """Bytes the store takes on disk: the file and its write-ahead log."""
    total = 0
    for each in (path, path.with_name(path.name + "-wal")):
        with suppress(OSError):  # no WAL beside it: nothing to add
            total += each.stat().st_size
    return total


#: Told the ids of the runs deleted, as soon as they are committed (an interrupt while the space
#: is given back still knows what was deleted).
OnCommit = Callable[[Sequence[int]], None]


def delete_runs(
    store: Store, ids: Sequence[int], *, dry_run: bool = False, on_commit: OnCommit | None = None
) -> Removal:
    """Delete these runs, every row of them, in one transaction; an unknown id deletes nothing."""
    wanted = sorted(set(ids))

    def choose(connection: sqlite3.Connection) -> list[int]:
        known = _ids(connection)
        present = set(known)
        unknown = [run_id for run_id in wanted if run_id not in present]
        if unknown:
            raise StoreError(_unknown_words(store.path, unknown, known))
        return wanted

    return _remove(store, choose, dry_run, on_commit)


def prune_runs(store: Store, keep: int, *, dry_run: bool = False, on_commit: OnCommit | None = None) -> Removal:
    """Delete every run but the newest `keep` (the highest ids), in one transaction."""
    if keep < 0:
        raise ValueError("keep must be 0 or more")

    def choose(connection: sqlite3.Connection) -> list[int]:
        known = _ids(connection)
        return known[: max(0, len(known) - keep)]

    return _remove(store, choose, dry_run, on_commit)


def _ids(connection: sqlite3.Connection) -> list[int]:
    return [run_id for (run_id,) in connection.execute("SELECT id FROM runs ORDER BY id")]


def _unknown_words(path: Path, unknown: Sequence[int], known: Sequence[int]) -> str:
    """As `Store.run` says of an unknown --run, for one id or several."""
    if not known:
        return f"no saved runs yet in {path}; run `kscore compute FILE` first"
    named = f"run {unknown[0]}" if len(unknown) == 1 else "runs " + ", ".join(str(each) for each in unknown)
    latest = ", ".join(str(each) for each in known[-5:])
    return f"no {named} in {path} (latest runs: {latest}; see `kscore runs`); nothing was deleted"


def run_tables(connection: sqlite3.Connection) -> list[str]:
    """Every table with a `run_id` column (rows of a run), found in the schema so none is missed."""
    names = [
        name
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if name != "runs"
    ]
    return [
        name
        for name in names
        if any(column[1] == "run_id" for column in connection.execute(f'PRAGMA table_info("{name}")'))
    ]


def _remove(
    store: Store, choose: Callable[[sqlite3.Connection], list[int]], dry_run: bool, on_commit: OnCommit | None
) -> Removal:
    path = store.path
    before = store_size(path)
    # `_connect` opens the store and brings an older one up to date; the deletion itself
    # takes the write lock as a save does
    with store._connect(create=False) as connection:
        try:
            if dry_run:
                chosen = choose(connection)
                left = len(_ids(connection)) - len(chosen)
                return Removal(tuple(chosen), left, before, before)
            chosen, left = _delete(store, connection, choose, on_commit)
            test_point("after-commit")
            not_given_back = _give_back(connection, store.timeout)
        except sqlite3.Error as error:
            raise store_error(path, error, writing=True, purpose="delete") from None
    return Removal(tuple(chosen), left, before, store_size(path), not_given_back)


def remember_last_id(connection: sqlite3.Connection) -> None:
    """Keep the highest run id ever given in `last_run_id`, so a deleted run's id is never given
    to a later run (an id written down names one run for good). Older kscores ignore the table."""
    connection.execute("CREATE TABLE IF NOT EXISTS last_run_id (id INTEGER NOT NULL)")
    highest = next_run_id(connection) - 1
    connection.execute("DELETE FROM last_run_id")
    connection.execute("INSERT INTO last_run_id (id) VALUES (?)", (highest,))


def _delete(
    store: Store,
    connection: sqlite3.Connection,
    choose: Callable[[sqlite3.Connection], list[int]],
    on_commit: OnCommit | None,
) -> tuple[list[int], int]:
    """The chosen runs' rows out of every table, in one transaction; (their ids, runs left)."""
    begin_writing(connection, store.path, store.timeout, store.on_wait, "delete")
    try:
        test_point("in-transaction")
        chosen = choose(connection)  # under the lock: the runs are those that are there now
        keyed = [(run_id,) for run_id in chosen]
        remember_last_id(connection)
        for table in run_tables(connection):
            connection.executemany(f'DELETE FROM "{table}" WHERE run_id = ?', keyed)
        connection.executemany("DELETE FROM runs WHERE id = ?", keyed)
        left = int(connection.execute("SELECT count(*) FROM runs").fetchone()[0])
        test_point("before-commit")
        done_writing(store.path)
        with signals_held():  # an interrupt lands before the commit (nothing deleted) or after it (told)
            connection.execute("COMMIT")
            if on_commit is not None:
                on_commit(chosen)
    except BaseException:
        if connection.in_transaction:
            connection.rollback()
        done_writing(store.path)
        raise
    return chosen, left


def _give_back(connection: sqlite3.Connection, timeout: float) -> str | None:
    """Shrink the file: VACUUM when pages are free, then checkpoint the WAL into it and truncate
    the WAL. VACUUM waits for a writer as long as a save would; the checkpoint waits for readers
    only CHECKPOINT_WAIT seconds (one may keep the store open for hours). The runs are deleted
    already, so a failure here is only said (a later delete or prune vacuums again), never an error."""
    try:
        if connection.execute("PRAGMA freelist_count").fetchone()[0]:
            connection.execute("VACUUM")
        connection.execute(f"PRAGMA busy_timeout = {int(min(timeout, CHECKPOINT_WAIT) * 1000)}")
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error as error:
        return str(error)
    if busy:
        return "another process is reading the store; the file shrinks when the last one to use it closes it"
    return None
