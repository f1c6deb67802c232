"""How the run store is shared and guarded: WAL, one writer at a time, true error words.

Readers never wait for a writer (WAL: they read the last committed runs); a second writer waits
its turn with `BEGIN IMMEDIATE`, saying once who it waits for; the commit is made with
SIGINT, SIGTERM and SIGHUP held, so an interrupt lands before or after it, never inside.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from klout_cli.core.errors import StoreError

#: How long a writer waits for another one by default (seconds); $KSCORE_STORE_TIMEOUT changes it.
DEFAULT_TIMEOUT = 600.0
#: After this long waiting (seconds), a writer says what it waits for.
SAY_AFTER = 1.0
#: How often a waiting writer tries again (seconds): SQLite's own busy handler waits in between.
RETRY_EVERY = 5.0
HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ())}
#: A test-only hook: `POINT:ACTION` (`in-transaction:sleep=3`, `after-commit:signal=INT`); see `test_point`.
TEST_HOOK = "KSCORE_TEST_AT"
#: SQLite's primary result codes used here (typeshed does not know sqlite3's constants).
BUSY, LOCKED, READONLY, FULL, CANTOPEN, NOTADB = 5, 6, 8, 13, 14, 26


def writer_file(path: Path) -> Path:
    """The small file next to the store naming the pid of the kscore saving a run into it."""
    return path.with_name(path.name + ".writer")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, alive
    except OSError:
        return False
    return True


def writer_pid(path: Path) -> int | None:
    """The pid of the kscore saving into the store, if it is known and still alive."""
    try:
        pid = int(writer_file(path).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid > 0 and pid != os.getpid() and pid_alive(pid) else None


def _someone(path: Path) -> str:
    pid = writer_pid(path)
    return "another kscore" + (f" (pid {pid})" if pid is not None else "")


def _busy(error: sqlite3.Error) -> bool:
    return _code(error) in (BUSY, LOCKED) or ("database is locked" in str(error))


#: What did not happen when a writer of each purpose gives up (`begin_writing`, `store_error`).
UNDONE = {
    "save": "nothing was saved",
    "update": "the store was not updated to this kscore's version",
    "delete": "nothing was deleted",
}


def begin_writing(
    connection: sqlite3.Connection,
    path: Path,
    timeout: float,
    on_wait: Callable[[str], None] | None,
    purpose: str = "save",
) -> None:
    """Take the store's write lock (`BEGIN IMMEDIATE`), waiting up to `timeout` seconds for
    another writer; say once, after about a second, who it waits for. Then note our pid.
    `purpose` (save, update, delete) words what was not done if it gives up."""
    start = time.monotonic()
    said = False
    while True:
        waited = time.monotonic() - start
        left = timeout - waited
        step = min(left, SAY_AFTER if not said else RETRY_EVERY)
        connection.execute(f"PRAGMA busy_timeout = {max(0, int(step * 1000))}")
        try:
            connection.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
        waited = time.monotonic() - start
        if waited >= timeout:
            held = f"held it for the {waited:.0f} s this one waited" if timeout > 0 else "holds it"
            raise StoreError(
                f"{path}: the run store is busy: {_someone(path)} {held}; {UNDONE[purpose]} "
                "(set KSCORE_STORE_TIMEOUT to wait longer)"
            )
        if not said and on_wait is not None:
            on_wait(f"waiting for the run store {path}: {_someone(path)} is saving a run…")
        said = True
    with suppress(OSError):  # only a courtesy to a writer that waits: the lock itself is SQLite's
        writer_file(path).write_text(f"{os.getpid()}\n")


def done_writing(path: Path) -> None:
    """Remove the note of our pid, made by `begin_writing`; called before the commit, while the
    lock is still ours (so it never removes the note of the writer that waited for us), and on
    the way out of a failed save (where only a note naming this process is removed)."""
    with suppress(OSError, ValueError):
        note = writer_file(path)
        if int(note.read_text().strip()) == os.getpid():
            note.unlink()


def open_store_file(path: Path, timeout: float, writing: bool) -> sqlite3.Connection:
    """A connection to the store; transactions are begun and ended explicitly (autocommit).

    A reader of a WAL store in a folder it may not write cannot make the store's shared-memory
    file, and SQLite refuses to read it (SQLITE_READONLY_CANTINIT); no one can write such a
    store, so it is read as immutable."""
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    if writing:
        return connection
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as error:
        if _code(error) != READONLY:
            connection.close()
            raise
        connection.close()
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None)
    except BaseException:
        connection.close()
        raise
    return connection


def use_wal(connection: sqlite3.Connection, wait_ms: int) -> None:
    """Put the store in WAL mode (it persists), so readers never wait for a writer. A store
    that cannot switch (read-only, or in use by an older kscore) stays as it is, and still reads."""
    with suppress(sqlite3.Error):
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() == "wal":
            return
        (usual,) = connection.execute("PRAGMA busy_timeout").fetchone()
        connection.execute(f"PRAGMA busy_timeout = {wait_ms}")
        try:
            connection.execute("PRAGMA journal_mode = WAL").fetchone()
        finally:
            connection.execute(f"PRAGMA busy_timeout = {int(usual)}")


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP wait while the commit is made: they are handled after it,
    knowing whether the run was saved. (Only the main thread may hold them; elsewhere, as is.)"""
    try:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def test_point(name: str) -> None:
    """A test-only hook, read from $KSCORE_TEST_AT at a few named points of a save or a delete:
    sleep there (`in-transaction:sleep=3`) or send this process a signal (`after-commit:signal=INT`)."""
    wanted = os.environ.get(TEST_HOOK)
    if not wanted:
        return
    point, _, action = wanted.partition(":")
    if point != name:
        return
    kind, _, value = action.partition("=")
    if kind == "sleep":
        time.sleep(float(value))
    elif kind == "signal":
        os.kill(os.getpid(), getattr(signal, f"SIG{value}"))


def store_error(path: Path, error: sqlite3.Error, writing: bool, purpose: str = "save") -> StoreError:
    """One true line for what SQLite said (read-only, full disk, not a database, busy); `purpose`
    is what a writer was doing (save or delete)."""
    code = _code(error)
    text = str(error)
    readonly = code == READONLY or "readonly database" in text
    cannot_open = code == CANTOPEN or "unable to open database file" in text
    if readonly or (writing and cannot_open and not _writable(path)):
        if not writing:  # an older store, which this kscore would bring up to date first
            return StoreError(
                f"{path}: the run store is read-only ({_why_read_only(path, text)}); "
                "it cannot be updated to this kscore's version (an older kscore still reads it)"
            )
        hint = "; use --db or $KSCORE_DB for a writable one" if purpose == "save" else ""
        return StoreError(f"{path}: the run store is read-only ({_why_read_only(path, text)}); {UNDONE[purpose]}{hint}")
    if code == FULL or "database or disk is full" in text:
        if purpose == "delete":
            return StoreError(f"{path}: the disk is full; nothing was deleted")
        return StoreError(f"{path}: the disk is full; the run was not saved (nothing was written)")
    if code == NOTADB or "file is not a database" in text:
        return StoreError(f"{path}: not a kscore run store (file is not a database)")
    if _busy(error):
        return StoreError(f"{path}: the run store is busy ({text}); try again")
    if not isinstance(error, sqlite3.OperationalError):  # a damaged file, say
        return StoreError(f"{path}: not a kscore run store ({text})")
    return StoreError(f"{path}: the run store cannot be used ({text})")


def _code(error: sqlite3.Error) -> int | None:
    """SQLite's primary result code (the extended code's low byte), if Python passed it on."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _writable(path: Path) -> bool:
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _why_read_only(path: Path, text: str) -> str:
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable"
    if not os.access(folder, os.W_OK):
        return f"its folder {folder} is not writable"
    return text
