"""The run store under faults (#17): readers read while a run saves, a second writer waits its
turn, a read-only store, a full disk or a file that is no database each get one true line, an
interrupt after the commit reports the saved run, and parts left by killed runs are removed.

Real processes, paused or signalled at chosen points of a save by the test-only hook
$KSCORE_TEST_AT (see klout_cli.store_access.test_point)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import klout_cli.ingest.spill as spill_module
import klout_cli.store as store_module
from klout_cli.store_access import writer_file
from tests.cli.conftest import EXAMPLE


@pytest.fixture
def run_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of a kscore subprocess: the test's store, no colour, no test hook."""
    values = {**os.environ, **env}
    values.pop("KSCORE_TEST_AT", None)
    values.pop("KSCORE_STORE_TIMEOUT", None)
    return values


def start(args: list[str], env: dict[str, str], **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "klout_cli", *args],
        env={**env, **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kscore(args: list[str], env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "klout_cli", *args],
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=60,
    )


def saved_runs(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM runs").fetchone()[0])


def wait_for(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def compute_args() -> list[str]:
    return ["compute", str(EXAMPLE), "-f", "csv"]


# -- readers and writers --------------------------------------------------------------------
def test_a_store_is_in_wal_mode_and_an_older_one_switches(kscore, sample, db):
    assert kscore("compute", sample).exit_code == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        connection.execute("PRAGMA journal_mode = DELETE")
    assert kscore("rank").exit_code == 0  # a reader switches it too, when it can
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        connection.execute("PRAGMA journal_mode = DELETE")
    assert kscore("compute", sample).exit_code == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_readers_succeed_every_time_while_a_run_saves(run_env, db):
    """`rank` every half second during a long save; and each other reader once."""
    for _ in range(2):
        assert kscore(compute_args(), run_env).returncode == 0
    writer = start(compute_args(), run_env, KSCORE_TEST_AT="in-transaction:sleep=5")
    try:
        wait_for(lambda: writer_file(db).exists())
        readers = [
            ["runs"],
            ["explain", "bo_broadcasts"],
            ["history", "bo_broadcasts"],
            ["topics"],
            ["movers"],
        ]
        answers = [kscore(args, run_env) for args in readers]
        ranks = []
        while writer.poll() is None:
            ranks.append(kscore(["rank", "-f", "csv"], run_env))
            time.sleep(0.5)
        _, errors = writer.communicate(timeout=30)
    finally:
        writer.kill()
    assert writer.returncode == 0, errors
    assert "saved run 3" in errors
    assert len(ranks) >= 4
    for answer in [*answers, *ranks]:
        assert answer.returncode == 0, (answer.args, answer.stderr)
        assert "locked" not in answer.stderr
    assert saved_runs(db) == 3


def test_a_second_compute_waits_its_turn_and_both_save(run_env, db):
    first = start(compute_args(), run_env, KSCORE_TEST_AT="in-transaction:sleep=3")
    try:
        wait_for(lambda: writer_file(db).exists())
        second = kscore(compute_args(), run_env)
        _, first_errors = first.communicate(timeout=30)
    finally:
        first.kill()
    assert first.returncode == 0, first_errors
    assert second.returncode == 0, second.stderr
    waiting = [line for line in second.stderr.splitlines() if line.startswith("waiting for the run store")]
    assert waiting == [f"waiting for the run store {db}: another kscore (pid {first.pid}) is saving a run…"]
    assert "saved run 2" in second.stderr
    listed = kscore(["runs", "-f", "json"], run_env)
    assert len(json.loads(listed.stdout)) == 2
    assert not writer_file(db).exists()


def run_ids(db: Path) -> list[int]:
    with sqlite3.connect(db) as connection:
        return [run_id for (run_id,) in connection.execute("SELECT id FROM runs ORDER BY id")]


def test_a_delete_waits_for_a_saving_compute(run_env, db):
    """`runs delete` takes the lock as a save does: it waits, says for whom, then deletes; the
    run saved meanwhile is kept."""
    for _ in range(2):
        assert kscore(compute_args(), run_env).returncode == 0
    saving = start(compute_args(), run_env, KSCORE_TEST_AT="in-transaction:sleep=3")
    try:
        wait_for(lambda: writer_file(db).exists())
        deleting = kscore(["runs", "delete", "1"], run_env)
        _, saving_errors = saving.communicate(timeout=30)
    finally:
        saving.kill()
    assert saving.returncode == 0, saving_errors
    assert "saved run 3" in saving_errors
    assert deleting.returncode == 0, deleting.stderr
    waited, said = deleting.stderr.splitlines()
    assert waited == f"waiting for the run store {db}: another kscore (pid {saving.pid}) is saving a run…"
    assert said.startswith("deleted 1 run (id 1), 2 runs left; the store is now ")
    assert run_ids(db) == [2, 3]
    assert not writer_file(db).exists()


def test_a_compute_waits_for_a_delete_and_readers_do_not(run_env, db):
    for _ in range(2):
        assert kscore(compute_args(), run_env).returncode == 0
    deleting = start(["runs", "delete", "1"], run_env, KSCORE_TEST_AT="in-transaction:sleep=3")
    try:
        wait_for(lambda: writer_file(db).exists())
        listed = kscore(["runs", "-f", "json"], run_env)  # the runs as they were: the delete is not committed
        saving = kscore(compute_args(), run_env)
        _, deleting_errors = deleting.communicate(timeout=30)
    finally:
        deleting.kill()
    assert deleting.returncode == 0, deleting_errors
    assert deleting_errors.startswith("deleted 1 run (id 1), 1 run left")
    assert [run["id"] for run in json.loads(listed.stdout)] == [1, 2]
    assert saving.returncode == 0, saving.stderr
    assert f"another kscore (pid {deleting.pid})" in saving.stderr
    assert "saved run 3" in saving.stderr
    assert run_ids(db) == [2, 3]


def test_a_delete_that_waits_too_long_deletes_nothing_and_says_why(run_env, db):
    assert kscore(compute_args(), run_env).returncode == 0
    saving = start(compute_args(), run_env, KSCORE_TEST_AT="in-transaction:sleep=4")
    try:
        wait_for(lambda: writer_file(db).exists())
        deleting = kscore(["runs", "prune", "--keep", "0"], run_env, KSCORE_STORE_TIMEOUT="1.5")
        saving.communicate(timeout=30)
    finally:
        saving.kill()
    assert deleting.returncode == 1
    last = deleting.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: {db}: the run store is busy: another kscore (pid {saving.pid}) held it")
    assert last.endswith("nothing was deleted (set KSCORE_STORE_TIMEOUT to wait longer)")
    assert run_ids(db) == [1, 2]


READER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN")
connection.execute("SELECT count(*) FROM scores").fetchone()
print("reading", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""


def test_a_delete_while_a_reader_holds_the_store_says_the_space_comes_back_later(kscore, db, monkeypatch):
    """The WAL cannot be truncated while a reader keeps an older snapshot: the delete waits a
    little, says so, and exits 0; the file shrinks once the last user of the store closes it."""
    import klout_cli.store_runs as store_runs

    wal = db.with_name(db.name + "-wal")
    sizes = []
    for _ in range(3):
        assert kscore("compute", str(EXAMPLE), "-f", "csv").exit_code == 0
        sizes.append(db.stat().st_size + (wal.stat().st_size if wal.exists() else 0))
    one_run, three_runs = sizes[0], sizes[-1]
    monkeypatch.setattr(store_runs, "CHECKPOINT_WAIT", 0.3)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), "2"], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout is not None
        assert reader.stdout.readline().strip() == "reading"
        result = kscore("runs", "prune", "--keep", "1")
        reader.wait(timeout=30)
    finally:
        reader.kill()
    assert result.exit_code == 0, result.stderr
    assert result.stderr.rstrip().endswith(
        "(not all of the space was given back: another process is reading the store; "
        "the file shrinks when the last one to use it closes it)"
    )
    assert run_ids(db) == [3]
    assert kscore("rank", "-f", "csv").exit_code == 0  # the last to close the store checkpoints it
    given_back = three_runs - db.stat().st_size - (wal.stat().st_size if wal.exists() else 0)
    assert given_back > (three_runs - one_run) / 2  # most of what the two other runs took


def test_a_writer_that_waits_too_long_saves_nothing_and_says_why(run_env, db):
    first = start(compute_args(), run_env, KSCORE_TEST_AT="in-transaction:sleep=4")
    try:
        wait_for(lambda: writer_file(db).exists())
        second = kscore(compute_args(), run_env, KSCORE_STORE_TIMEOUT="1.5")
        first.communicate(timeout=30)
    finally:
        first.kill()
    assert second.returncode == 1
    last = second.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: {db}: the run store is busy: another kscore (pid {first.pid}) held it for the 2 s")
    assert "nothing was saved (set KSCORE_STORE_TIMEOUT to wait longer)" in last
    assert saved_runs(db) == 1


def test_a_stale_writer_pid_is_not_named(run_env, db):
    """A sidecar left by a killed writer names a dead pid: the waiting words do not repeat it."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    first = start(compute_args(), run_env, KSCORE_TEST_AT="in-transaction:sleep=3")
    try:
        wait_for(lambda: writer_file(db).exists())
        writer_file(db).write_text(f"{gone.pid}\n")
        second = kscore(compute_args(), run_env)
        first.communicate(timeout=30)
    finally:
        first.kill()
    assert second.returncode == 0, second.stderr
    assert f"waiting for the run store {db}: another kscore is saving a run…" in second.stderr


HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute(f"BEGIN {sys.argv[3] if len(sys.argv) > 3 else 'IMMEDIATE'}")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""


def test_updating_an_older_store_waits_for_a_writer(run_env, db):
    """A store of version 3 (before topics), held by another writer: `rank` waits, then updates it."""
    assert kscore(compute_args(), run_env).returncode == 0
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TABLE topic_scores")
        connection.execute("ALTER TABLE scores DROP COLUMN style")
        connection.execute("PRAGMA user_version = 3")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), "2.5"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        result = kscore(["rank", "-f", "csv"], run_env)
        holder.wait(timeout=30)
    finally:
        holder.kill()
    assert result.returncode == 0, result.stderr
    assert f"waiting for the run store {db}: another kscore is saving a run…" in result.stderr
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION


def test_a_reader_of_a_store_not_yet_in_wal_waits_for_its_writer(run_env, db):
    """A store an older kscore keeps in rollback mode, locked whole by its writer: `rank` waits."""
    assert kscore(compute_args(), run_env).returncode == 0
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), "2", "EXCLUSIVE"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        result = kscore(["rank", "-f", "csv"], run_env)
        holder.wait(timeout=30)
    finally:
        holder.kill()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_a_bad_store_timeout_is_a_usage_error(kscore, sample, value):
    result = kscore("compute", sample, extra_env={"KSCORE_STORE_TIMEOUT": value})
    assert result.exit_code == 2
    assert f"KSCORE_STORE_TIMEOUT={value!r} is not a number of seconds" in result.stderr


# -- true messages --------------------------------------------------------------------------
def only_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open every store read-only, as SQLite does a file it may not write (root writes any file)."""
    real = sqlite3.connect

    def connect(path, *args, **kwargs):
        return real(f"file:{path}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(store_module.sqlite3, "connect", connect)


@pytest.mark.parametrize("how", ["file", "folder", "sqlite"])
def test_a_read_only_store_still_reads_and_refuses_to_save_in_one_line(kscore, sample, db, monkeypatch, how):
    assert kscore("compute", sample).exit_code == 0
    if how == "sqlite":
        only_reading(monkeypatch)
        reason = "attempt to write a readonly database"
    elif how == "file":
        db.chmod(0o444)
        reason = "the file is not writable"
    else:  # a WAL store in a folder it may not write: read as immutable (no shared-memory file)
        db.parent.chmod(0o555)
        reason = f"its folder {db.parent} is not writable"
    if how != "sqlite" and os.access(db.parent / ("." if how == "folder" else db.name), os.W_OK):
        db.chmod(0o644)
        db.parent.chmod(0o755)
        pytest.skip("root writes any file: the 'sqlite' case stands for this one")
    try:
        assert kscore("rank").exit_code == 0
        result = kscore("compute", sample)
    finally:
        db.chmod(0o644)
        db.parent.chmod(0o755)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: {db}: the run store is read-only ({reason}); nothing was saved; "
        "use --db or $KSCORE_DB for a writable one"
    )
    monkeypatch.undo()
    assert saved_runs(db) == 1


def test_a_read_only_store_deletes_nothing_and_says_so(kscore, sample, db, monkeypatch):
    for _ in range(2):
        assert kscore("compute", sample).exit_code == 0
    only_reading(monkeypatch)
    result = kscore("runs", "delete", "1")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {db}: the run store is read-only (attempt to write a readonly database); nothing was deleted"
    ]
    assert saved_runs(db) == 2


def test_a_full_disk_saves_nothing_and_says_so(kscore, sample, db, monkeypatch):
    """SQLite's own SQLITE_FULL: the store may not grow past the pages it has."""
    assert kscore("compute", sample).exit_code == 0
    real = sqlite3.connect

    def connect(*args, **kwargs):
        connection = real(*args, **kwargs)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    monkeypatch.setattr(store_module.sqlite3, "connect", connect)
    result = kscore("compute", str(EXAMPLE))
    monkeypatch.undo()
    assert result.exit_code == 1
    full = f"Error: {db}: the disk is full; the run was not saved (nothing was written)"
    assert result.stderr.splitlines()[-1] == full
    assert saved_runs(db) == 1
    assert not writer_file(db).exists()


@pytest.mark.parametrize("command", [["compute", "sample.csv"], ["rank"]])
def test_a_file_that_is_no_database(kscore, sample, db, command):
    db.write_bytes(b"these are not the runs you are looking for\n" * 200)
    result = kscore(*command)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"Error: {db}: not a kscore run store (file is not a database)"


# -- interrupts -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("point", "sent", "status", "saved"),
    [
        ("before-commit", "INT", 1, False),  # Ctrl-C: click says "Aborted!", as it always did
        ("before-commit", "TERM", 128 + signal.SIGTERM, False),
        ("before-commit", "HUP", 128 + signal.SIGHUP, False),
        ("in-commit", "INT", 0, True),  # arrives while the commit is made: handled after it
        ("in-commit", "TERM", 0, True),
        ("after-commit", "INT", 0, True),
        ("after-commit", "HUP", 0, True),
    ],
)
def test_an_interrupt_tells_whether_the_run_was_saved(run_env, db, point, sent, status, saved):
    assert kscore(compute_args(), run_env).returncode == 0
    result = kscore(compute_args(), run_env, KSCORE_TEST_AT=f"{point}:signal={sent}")
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    if saved:
        assert f"saved run 2 to {db} (interrupted after saving: the run is kept)" in result.stderr
        assert saved_runs(db) == 2
    else:
        assert "saved run" not in result.stderr
        assert saved_runs(db) == 1
    assert not writer_file(db).exists()


@pytest.mark.parametrize(
    ("point", "sent", "status", "deleted"),
    [
        ("in-transaction", "INT", 1, False),
        ("before-commit", "TERM", 128 + signal.SIGTERM, False),
        ("after-commit", "INT", 0, True),  # the space is being given back: the runs are gone
        ("after-commit", "HUP", 0, True),
    ],
)
def test_an_interrupt_tells_whether_the_runs_were_deleted(run_env, db, point, sent, status, deleted):
    for _ in range(2):
        assert kscore(compute_args(), run_env).returncode == 0
    result = kscore(["runs", "delete", "1"], run_env, KSCORE_TEST_AT=f"{point}:signal={sent}")
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    if deleted:
        assert result.stderr.startswith("deleted 1 run (id 1) (interrupted while giving the space back")
        assert run_ids(db) == [2]
    else:
        assert "deleted" not in result.stderr
        assert run_ids(db) == [1, 2]
    assert not writer_file(db).exists()


# -- parts on disk --------------------------------------------------------------------------
def test_parts_of_killed_runs_are_removed_and_live_ones_kept(kscore, sample, tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(spill_module, "SPLIT_FROM", 1)
    monkeypatch.setattr(spill_module, "PART_BYTES", 200)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = folder / f"kscore-parts-{gone.pid}-k1x2"
        stale.mkdir()
        (stale / "1-0.arrow").write_bytes(b"x" * 1000)
        stale_copy = folder / f"kscore-stdin-{gone.pid}-q9"
        stale_copy.write_bytes(b"y" * 1000)
        live = folder / f"kscore-parts-{alive.pid}-z3"
        live.mkdir()
        (live / "1-0.arrow").write_bytes(b"x")
        older = folder / "kscore-parts-abc123"  # an older kscore's name: its owner cannot be known
        older.mkdir()
        # (one job: workers would add the forkserver's pymp-… socket folder to this one while pytest lives)
        result = kscore("compute", str(EXAMPLE), "--no-save", "--jobs", "1")
        assert result.exit_code == 0, result.stderr
        assert sorted(path.name for path in folder.iterdir()) == sorted([live.name, older.name])
    finally:
        alive.kill()
        alive.wait()


HANGUP_CHILD = """
import sys, time
import klout_cli.ingest.spill as spill

spill.SPLIT_FROM, spill.PART_BYTES = 1, 2_000  # the example split into parts on disk
real = spill.Spill.part  # read (in the run's process) to find as-of, once every part is written

def slow(self, *args, **kwargs):
    print("parts written", file=sys.stderr, flush=True)
    time.sleep(60)  # long enough to be stopped here
    return real(self, *args, **kwargs)

spill.Spill.part = slow
from klout_cli.cli import main

sys.argv = ["kscore", "compute", sys.argv[1], "--no-save"]
main()
"""


def test_sighup_removes_the_parts_on_disk(tmp_path):
    """The terminal closed (SIGHUP) unwinds like SIGTERM: the parts leave TMPDIR with the run."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-c", HANGUP_CHILD, str(EXAMPLE)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(folder)},
        text=True,
    )
    try:
        assert child.stderr is not None
        assert child.stderr.readline().strip() == "parts written"
        # (pymp-…: the socket of the workers' forkserver, which Python removes as the run exits)
        ours = [path.name for path in folder.iterdir() if not path.name.startswith("pymp-")]
        assert [name.startswith(f"kscore-parts-{child.pid}-") for name in ours] == [True]
        child.send_signal(signal.SIGHUP)
        status = child.wait(timeout=30)
        rest = child.stderr.read()
    finally:
        child.kill()
    assert status == 128 + signal.SIGHUP
    assert "Traceback" not in rest
    assert list(folder.iterdir()) == []
