"""The run store: a stdlib sqlite3 file keeping every run, its model and its scores.

A run is written in one transaction, so a crash never leaves half a run behind; readers read
while a run is saved, and a second writer waits its turn (see store_access).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from klout_cli.core.errors import StoreError
from klout_cli.packing import PackingError, pack
from klout_cli.store_access import (
    DEFAULT_TIMEOUT,
    begin_writing,
    done_writing,
    open_store_file,
    signals_held,
    store_error,
    test_point,
    use_wal,
)
from klout_cli.store_rows import (
    ROW_COLUMNS,
    TOPIC_COLUMNS,
    positions_in_topic,
    row_of,
    topic_row_of,
    topic_rows_by_account,
    topic_subscores,
)
from klout_cli.store_schema import MIGRATIONS, PAGE_BYTES, SCHEMA, SCHEMA_VERSION, TOPIC_SCHEMA

if TYPE_CHECKING:  # `rank` never words a breakdown, and never imports the core's scoring
    from klout_cli.breakdowns import Rebuilder, TopicRow

SAVE_CACHE_KB = 65536
__all__ = ["MIGRATIONS", "PAGE_BYTES", "SCHEMA", "SCHEMA_VERSION", "TOPIC_SCHEMA", "NewRun", "Store"]


def default_path() -> Path:
    """$XDG_DATA_HOME/kscore/kscore.db, or ~/.local/share/kscore/kscore.db."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "kscore" / "kscore.db"


@dataclass(frozen=True)
class RunRecord:
    """A run's metadata, as `kscore runs` lists it."""

    id: int
    created_at: str
    as_of: str
    model_name: str
    model_source: str
    model_hash: str
    signals: tuple[str, ...]
    relative: bool
    combine: bool
    rows_read: int
    rows_kept: int
    rows_left_out: dict[str, int]
    accounts: int
    inputs: tuple[tuple[str, str, int], ...]
    medians: dict[str, Any]


@dataclass(frozen=True)
class NewRun:
    """What `save_run` writes: metadata plus one row and breakdown per account."""

    created_at: str
    as_of: str
    model_name: str
    model_source: str
    model_hash: str
    model_text: str
    model_json: str
    signals: Sequence[str]
    relative: bool
    combine: bool
    rows_read: int
    rows_kept: int
    rows_left_out: dict[str, int]
    inputs: Sequence[tuple[str, str, int]]
    accounts: int
    """How many scores the run has (rows of `scores`)."""
    scores: Iterable[tuple[dict[str, Any], bytes]]
    """(row, packed numbers) per account, in rank order; read once, as it is written. The
    numbers are those its breakdown is rebuilt from (`packing.pack_score`)."""
    medians: dict[str, Any]
    """The median account of the run: its score and each signal's raw value and points."""
    topics: Iterable[tuple[dict[str, Any], bytes]] = ()
    """(row, packed numbers) per account and topic, ordered by topic, then best first; read once
    (`packing.pack_topic`)."""


def storable(name: str) -> str:
    """A file name as the store keeps it: bytes that are not UTF-8 (a name the system gave as
    such) as `\\xff`, which SQLite's UTF-8 can hold."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def next_run_id(connection: sqlite3.Connection) -> int:
    """The id for a new run: past every run there is and every run deleted (`last_run_id`, kept
    by `kscore runs delete`), so an id is never given twice."""
    if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'last_run_id'").fetchone():
        return int(connection.execute("SELECT coalesce(max(id), 0) FROM runs").fetchone()[0]) + 1
    row = connection.execute(
        "SELECT max(coalesce((SELECT max(id) FROM runs), 0), coalesce((SELECT max(id) FROM last_run_id), 0))"
    ).fetchone()
    return int(row[0]) + 1


class Store:
    def __init__(self, path: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout
        """How long to wait for another kscore writing into the store (seconds)."""
        self.on_wait: Callable[[str], None] | None = None
        """Told, once, that a save waits for another one (the words to show)."""
        self.saved: int | None = None
        """The id of the run `save_run` committed, as soon as it is committed (an interrupt
        right after the commit still knows the run was saved)."""
        self._rebuilders: dict[int, Rebuilder] = {}

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection]:
        """A connection to the store, brought up to this kscore's schema. With `create` (a save),
        the store is made if need be, and the connection is yielded inside a transaction that
        holds the write lock; the caller commits it."""
        if not self.path.exists():
            if not create:
                raise StoreError(f"no saved runs yet ({self.path} does not exist); run `kscore compute FILE` first")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"{self.path}: cannot create the run store: {error.strerror}") from None
        try:
            with closing(open_store_file(self.path, self.timeout, writing=create)) as connection:
                if create and not connection.execute("PRAGMA user_version").fetchone()[0]:
                    # (set before WAL, which writes the file's first page)
                    connection.execute(f"PRAGMA page_size = {PAGE_BYTES}")
                use_wal(connection, wait_ms=int(min(self.timeout, 1.0) * 1000) if create else 0)
                version = self._version(connection, create)
                if create or version != SCHEMA_VERSION:
                    begin_writing(connection, self.path, self.timeout, self.on_wait, "save" if create else "update")
                    try:
                        self._bring_up_to_date(connection, self._version(connection, create))
                        if not create:
                            done_writing(self.path)
                            connection.execute("COMMIT")
                    except BaseException:
                        if connection.in_transaction:
                            connection.rollback()
                        done_writing(self.path)
                        raise
                connection.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
                yield connection
        except sqlite3.Error as error:
            raise store_error(self.path, error, writing=create) from None

    def _version(self, connection: sqlite3.Connection, create: bool) -> int:
        version: int = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise StoreError(f"{self.path}: a SQLite database of something else, not a kscore run store")
        if version == 0 and not create:
            raise StoreError(f"no saved runs yet in {self.path}; run `kscore compute FILE` first")
        if version != 0 and version not in MIGRATIONS and version != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: run store version {version} is not supported by this kscore")
        return version

    def _bring_up_to_date(self, connection: sqlite3.Connection, version: int) -> None:
        """Make the schema, or migrate an older store, inside the caller's write transaction."""
        if version == SCHEMA_VERSION:
            return
        script = SCHEMA if version == 0 else "".join(MIGRATIONS[step] for step in range(version, SCHEMA_VERSION))
        for statement in script.split(";"):  # (`executescript` would commit the transaction first)
            if statement.strip():
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def save_run(self, run: NewRun) -> int:
        """Write the run and all its scores in one transaction; return the new run id.

        Each score keeps its sub-scores and the numbers its breakdown is rebuilt from, packed
        (see packing.py): its words are made again when they are shown.
        """
        with self._connect(create=True) as connection:
            self._insert(connection, run)
        assert self.saved is not None
        return self.saved

    def _insert(self, connection: sqlite3.Connection, run: NewRun) -> None:
        """The run's rows, into the transaction `_connect` began; then the commit, guarded."""
        committing = False
        try:
            test_point("in-transaction")
            # a page cache of up to 64 MB (SQLite's default is 2 MB): a big run writes its rows
            # into the indexes in no particular order; inserting 482,000 rows took 17 s with the
            # small cache, 13 s with this one
            connection.execute(f"PRAGMA cache_size = -{SAVE_CACHE_KB}")
            cursor = connection.execute(
                "INSERT INTO runs (id, created_at, as_of, model_name, model_source, model_hash, model_text, model_json,"
                " signals, relative, combine, rows_read, rows_kept, rows_left_out, accounts, medians)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    next_run_id(connection),
                    run.created_at,
                    run.as_of,
                    run.model_name,
                    run.model_source,
                    run.model_hash,
                    run.model_text,
                    run.model_json,
                    json.dumps(list(run.signals)),
                    int(run.relative),
                    int(run.combine),
                    run.rows_read,
                    run.rows_kept,
                    json.dumps(run.rows_left_out),
                    run.accounts,
                    json.dumps(run.medians),
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            topic_keys = topic_subscores(run.signals)
            connection.executemany(
                "INSERT INTO inputs (run_id, position, name, sha256, rows) VALUES (?, ?, ?, ?, ?)",
                [(run_id, position, storable(name), *rest) for position, (name, *rest) in enumerate(run.inputs)],
            )
            connection.executemany(
                "INSERT INTO scores (run_id, position, account, platform, score, items, followers, subscores,"
                " breakdown, flags, style) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        run_id,
                        position,
                        row["account"],
                        row["platform"],
                        row["score"],
                        row["items"],
                        row["followers"],
                        pack([row[signal] for signal in run.signals]),
                        numbers,
                        row.get("flags", ""),
                        row.get("style", ""),
                    )
                    for position, (row, numbers) in enumerate(run.scores)
                ),
            )
            connection.executemany(
                "INSERT INTO topic_scores (run_id, topic, position, account, platform, score, items, subscores,"
                " breakdown, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        run_id,
                        row["topic"],
                        position,
                        row["account"],
                        row["platform"],
                        row["score"],
                        row["items"],
                        pack([row[key] for key in topic_keys]),
                        numbers,
                        row["flags"],
                    )
                    for position, (row, numbers) in positions_in_topic(run.topics)
                ),
            )
            test_point("before-commit")
            done_writing(self.path)
            with signals_held():
                committing = True
                connection.execute("COMMIT")
                test_point("in-commit")
                self.saved = run_id
        except BaseException as stop:
            if connection.in_transaction:
                connection.rollback()
            elif committing and not isinstance(stop, sqlite3.Error):
                self.saved = run_id  # committed: an interrupt came just after, and cannot undo it
            done_writing(self.path)
            raise
        test_point("after-commit")

    def runs(self) -> list[RunRecord]:
        with self._connect(create=False) as connection:
            records = connection.execute(
                "SELECT id, created_at, as_of, model_name, model_source, model_hash, signals, relative, combine,"
                " rows_read, rows_kept, rows_left_out, accounts, medians FROM runs ORDER BY id"
            ).fetchall()
            inputs: dict[int, list[tuple[str, str, int]]] = {}
            for run_id, name, digest, rows in connection.execute(
                "SELECT run_id, name, sha256, rows FROM inputs ORDER BY run_id, position"
            ):
                inputs.setdefault(run_id, []).append((name, digest, rows))
        return [
            RunRecord(
                id=record[0],
                created_at=record[1],
                as_of=record[2],
                model_name=record[3],
                model_source=record[4],
                model_hash=record[5],
                signals=tuple(json.loads(record[6])),
                relative=bool(record[7]),
                combine=bool(record[8]),
                rows_read=record[9],
                rows_kept=record[10],
                rows_left_out=json.loads(record[11]),
                accounts=record[12],
                inputs=tuple(inputs.get(record[0], [])),
                medians=json.loads(record[13]),
            )
            for record in records
        ]

    def run(self, run_id: int | None = None) -> RunRecord:
        """The run with this id, or the latest."""
        runs = self.runs()
        if not runs:
            raise StoreError(f"no saved runs yet in {self.path}; run `kscore compute FILE` first")
        if run_id is None:
            return runs[-1]
        for record in runs:
            if record.id == run_id:
                return record
        known = ", ".join(str(record.id) for record in runs[-5:])
        raise StoreError(f"no run {run_id} in {self.path} (latest runs: {known}; see `kscore runs`)")

    def scores(
        self, run: RunRecord, *, platform: str | None = None, min_score: float | None = None, top: int | None = None
    ) -> list[dict[str, Any]]:
        """A run's rows in rank order, filtered in SQL (rank numbers are left to the caller)."""
        found = self._ranked("scores", ROW_COLUMNS, ["run_id = ?"], [run.id], run.combine, platform, min_score, top)
        return [row_of(run.signals, *record) for record in found]

    def _ranked(
        self,
        table: str,
        columns: str,
        where: list[str],
        params: list[Any],
        combined: bool,
        platform: str | None,
        min_score: float | None,
        top: int | None,
    ) -> list[Any]:
        """Rows of a ranked table in position order, filtered by --platform, --min-score and --top."""
        if platform is not None and combined:
            # a combined row (`linkedin+twitter`) matches each of its platforms
            where = [*where, "(platform = ? OR instr('+' || platform || '+', '+' || ? || '+') > 0)"]
            params = [*params, platform, platform]
        elif platform is not None:
            where, params = [*where, "platform = ?"], [*params, platform]
        if min_score is not None:
            where, params = [*where, "score >= ?"], [*params, min_score]
        limit = ""
        if top is not None:
            limit, params = " LIMIT ?", [*params, top]
        query = f"SELECT {columns} FROM {table} WHERE {' AND '.join(where)} ORDER BY position{limit}"
        with self._connect(create=False) as connection:
            return connection.execute(query, params).fetchall()

    def model_text(self, run: RunRecord) -> str:
        """The model file the run was computed with, as it was then."""
        with self._connect(create=False) as connection:
            text: str = connection.execute("SELECT model_text FROM runs WHERE id = ?", (run.id,)).fetchone()[0]
        return text

    def model_json(self, run: RunRecord) -> str:
        """The run's effective model (every key, after defaults and options such as `--window`), as JSON."""
        with self._connect(create=False) as connection:
            text: str = connection.execute("SELECT model_json FROM runs WHERE id = ?", (run.id,)).fetchone()[0]
        return text

    def entries(self, run: RunRecord, account: str | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(row, breakdown) of one account's platforms in a run, or of every account, in rank order."""
        query = f"SELECT {ROW_COLUMNS}, breakdown FROM scores WHERE run_id = ?"
        params: list[Any] = [run.id]
        if account is not None:
            query += " AND account = ?"
            params.append(account)
        with self._connect(create=False) as connection:
            found = connection.execute(query + " ORDER BY position", params).fetchall()
            packed = any(isinstance(record[-1], bytes) for record in found)
            topics = topic_rows_by_account(connection, run.id, account) if packed else {}
        rows = [row_of(run.signals, *record[:-1]) for record in found]
        return list(zip(rows, self._breakdowns(run, rows, [record[-1] for record in found], topics)))

    def _breakdowns(
        self,
        run: RunRecord,
        rows: Sequence[dict[str, Any]],
        saved: Sequence[str | bytes],
        topics: dict[tuple[str, str], list[TopicRow]],
    ) -> list[dict[str, Any]]:
        """Scores' breakdowns: as saved (JSON, before version 5), or rebuilt from their numbers
        (all of them at once: the core scores many accounts faster than one at a time)."""
        if all(isinstance(item, str) for item in saved):
            return [json.loads(item) for item in saved]
        entries = []
        for row, item in zip(rows, saved, strict=True):
            if not isinstance(item, bytes):
                raise StoreError(f"{self.path}: run {run.id} keeps both JSON and numbers (a damaged store?)")
            entries.append((row, item, topics.get((row["account"], row["platform"]), [])))
        try:
            return self._rebuilder(run).breakdowns(entries)
        except PackingError as error:
            raise StoreError(f"{self.path}: run {run.id}: {error}") from None

    def _rebuilder(self, run: RunRecord) -> Rebuilder:
        """What words a run's scores again: the core, under the model the run was made with."""
        found = self._rebuilders.get(run.id)
        if found is None:
            from klout_cli.breakdowns import Rebuilder
            from klout_cli.modelfile import run_model

            model = run_model(self.model_json(run), f"the model of run {run.id}")
            found = Rebuilder(model, run_id=run.id, relative=run.relative, as_of=run.as_of)
            self._rebuilders[run.id] = found
        return found

    def accounts(self, run: RunRecord | None = None) -> list[str]:
        """Account names in a run (or in any run), for suggestions."""
        query, params = "SELECT DISTINCT account FROM scores", []
        if run is not None:
            query, params = query + " WHERE run_id = ?", [run.id]
        with self._connect(create=False) as connection:
            return [name for (name,) in connection.execute(query, params)]

    def account_platforms(self, run: RunRecord | None = None) -> list[tuple[str, str]]:
        """(account, platform) pairs in a run (or in any run), for lookups by name."""
        query, params = "SELECT DISTINCT account, platform FROM scores", []
        if run is not None:
            query, params = query + " WHERE run_id = ?", [run.id]
        with self._connect(create=False) as connection:
            return [(name, platform) for name, platform in connection.execute(query, params)]

    def history(self, account: str) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
        """(run id, row, breakdown) for every saved run that scored the account, oldest first."""
        runs = {record.id: record for record in self.runs()}
        query = f"SELECT run_id, {ROW_COLUMNS}, breakdown FROM scores WHERE account = ? ORDER BY run_id, platform"
        with self._connect(create=False) as connection:
            found = connection.execute(query, (account,)).fetchall()
            topics = {
                run_id: topic_rows_by_account(connection, run_id, account)
                for run_id in {record[0] for record in found if isinstance(record[-1], bytes)}
            }
        entries = []
        for record in found:
            run = runs[record[0]]
            row = row_of(run.signals, *record[1:-1])
            (breakdown,) = self._breakdowns(run, [row], [record[-1]], topics.get(run.id, {}))
            entries.append((run.id, row, breakdown))
        return entries

    def topic_scores(
        self,
        run: RunRecord,
        topic: str,
        *,
        platform: str | None = None,
        min_score: float | None = None,
        top: int | None = None,
    ) -> list[dict[str, Any]]:
        """A run's scores on one topic, best first, filtered in SQL (rank numbers are left to the caller)."""
        where, params = ["run_id = ?", "topic = ?"], [run.id, topic]
        found = self._ranked("topic_scores", TOPIC_COLUMNS, where, params, run.combine, platform, min_score, top)
        keys = topic_subscores(run.signals)
        return [topic_row_of(keys, *record) for record in found]

    def topic_count(self, run: RunRecord, topic: str) -> int:
        """How many accounts a run scored on a topic."""
        with self._connect(create=False) as connection:
            count: int = connection.execute(
                "SELECT count(*) FROM topic_scores WHERE run_id = ? AND topic = ?", (run.id, topic)
            ).fetchone()[0]
        return count

    def topic_names(self, run: RunRecord) -> list[str]:
        with self._connect(create=False) as connection:
            found = connection.execute(
                "SELECT DISTINCT topic FROM topic_scores WHERE run_id = ? ORDER BY topic", (run.id,)
            ).fetchall()
        return [topic for (topic,) in found]

    def account_topics(self, run: RunRecord, account: str) -> list[tuple[dict[str, Any], dict[str, Any], int, int]]:
        """(row, breakdown, rank in the topic, accounts on the topic) of one account's topics, best first."""
        query = (
            f"SELECT {TOPIC_COLUMNS}, breakdown,"
            " (SELECT count(*) FROM topic_scores AS other WHERE other.run_id = mine.run_id"
            "  AND other.topic = mine.topic AND round(other.score, 2) > round(mine.score, 2)) + 1,"
            " (SELECT count(*) FROM topic_scores AS other WHERE other.run_id = mine.run_id"
            "  AND other.topic = mine.topic)"
            " FROM topic_scores AS mine WHERE run_id = ? AND account = ?"
            " ORDER BY round(score, 2) DESC, items DESC, topic, platform"
        )
        with self._connect(create=False) as connection:
            found = connection.execute(query, (run.id, account)).fetchall()
            scores = {}
            if any(isinstance(record[7], bytes) for record in found):
                query = f"SELECT {ROW_COLUMNS}, breakdown FROM scores WHERE run_id = ? AND account = ?"
                for record in connection.execute(query, (run.id, account)):
                    row = row_of(run.signals, *record[:-1])
                    scores[(row["account"], row["platform"])] = (row, record[-1])
        keys = topic_subscores(run.signals)
        entries = []
        for record in found:
            row, saved = topic_row_of(keys, *record[:7]), record[7]
            if isinstance(saved, str):
                breakdown = json.loads(saved)
            else:
                try:
                    account_row, account_numbers = scores[(row["account"], row["platform"])]
                    breakdown = self._rebuilder(run).topic_breakdown(row, saved, account_row, account_numbers)
                except (PackingError, KeyError) as error:
                    raise StoreError(f"{self.path}: run {run.id}: {error}") from None
            entries.append((row, breakdown, record[8], record[9]))
        return entries

    def topic_summary(self, run: RunRecord, leaders: int = 3) -> list[dict[str, Any]]:
        """Per topic: items on it, accounts scored on it, and its `leaders` best (account, platform, score)."""
        with self._connect(create=False) as connection:
            totals = connection.execute(
                "SELECT topic, sum(items), count(*) FROM topic_scores WHERE run_id = ? GROUP BY topic",
                (run.id,),
            ).fetchall()
            best = connection.execute(
                "SELECT topic, account, platform, score FROM topic_scores WHERE run_id = ? AND position < ?"
                " ORDER BY topic, position",
                (run.id, leaders),
            ).fetchall()
        top: dict[str, list[tuple[str, str, float]]] = {}
        for topic, account, platform, score in best:
            top.setdefault(topic, []).append((account, platform, score))
        return [
            {"topic": topic, "items": items, "accounts": accounts, "top": top.get(topic, [])}
            for topic, items, accounts in totals
        ]
