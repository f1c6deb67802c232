"""`kscore compute --engine dask` against real `dask scheduler` and `dask worker` processes on
127.0.0.1, two workers, the CLI run as a user runs it: the local engine's accounts, scores,
flags and words; a worker killed mid-run; Ctrl-C; inputs a worker cannot read.

Each run's store is compared row by row with the local engine's: every saved score (to the
bit), flag, style and packed breakdown, and every topic score.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the dask extra is not installed: pip install '.[dask]'")

from distributed import Client

REPO = Path(__file__).resolve().parents[2]
KSCORE = [sys.executable, "-m", "klout_cli"]
#: A kscore task's name on the cluster starts with its function's.
TASKS = ("read_input", "input_piece", "partition_latest", "partition_features")


class Processes:
    """A scheduler (or the address of one) and workers, each a process of its own."""

    def __init__(self, folder: Path, address: str | None = None) -> None:
        self.folder = folder
        self.logs = folder / "logs"
        self.logs.mkdir(exist_ok=True)
        self.running: list[subprocess.Popen[bytes]] = []
        if address is not None:
            self.address = address
            return
        file = folder / "scheduler.json"
        self.start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(file))
        deadline = time.monotonic() + 60
        while not file.exists():
            assert time.monotonic() < deadline, "the scheduler did not start in 60 s"
            time.sleep(0.1)
        self.address = json.loads(file.read_text())["address"]

    def start(self, kind: str, *arguments: str, cwd: Path | None = None) -> None:
        log = open(self.logs / f"{kind}-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115 (closed with the process)
        command = [sys.executable, "-m", "dask", kind, *arguments]
        self.running.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=cwd or self.folder))

    def worker(self, cwd: Path | None = None) -> None:
        options = ["--nthreads", "1", "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"]
        self.start("worker", self.address, *options, cwd=cwd)

    def stop(self) -> None:
        for process in reversed(self.running):
            process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Client]]:
    """A scheduler and two workers on loopback, and a client of them (to watch and to fault)."""
    processes = Processes(tmp_path_factory.mktemp("dask"))
    try:
        processes.worker()
        processes.worker()
        with Client(processes.address, set_as_default=False, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            yield processes.address, client
    finally:
        processes.stop()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """400,000 generated rows (bench_compute's generator) and a demo population with planted gamers."""
    folder = tmp_path_factory.mktemp("data")
    rows = folder / "rows.csv"
    generator = [sys.executable, str(REPO / "benchmarks" / "bench_compute.py"), "--generate", "400000", "20000"]
    subprocess.run([*generator, str(rows)], check=True)
    demo = folder / "demo.csv"
    subprocess.run([*KSCORE, "demo", "--accounts", "1500", "--seed", "11", "-o", str(demo)], check=True)
    return {"rows": rows, "demo": demo}


def kscore(*arguments: str, db: Path, **options: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KSCORE_DB": str(db), "NO_COLOR": "1"}
    env.pop("KSCORE_SCHEDULER", None)
    return subprocess.run([*KSCORE, *arguments], env=env, capture_output=True, text=True, check=False, **options)


Saved = dict[str, list[tuple[object, ...]]]


def saved(db: Path) -> Saved:
    """Every saved score and topic score of the store's one run, in order."""
    with sqlite3.connect(db) as connection:
        return {
            "scores": connection.execute(
                "SELECT position, account, platform, score, items, followers, subscores, breakdown, flags, style "
                "FROM scores ORDER BY position"
            ).fetchall(),
            "topics": connection.execute(
                "SELECT topic, position, account, platform, score, items, subscores, breakdown, flags "
                "FROM topic_scores ORDER BY topic, position"
            ).fetchall(),
            "runs": connection.execute("SELECT rows_read, rows_kept, rows_left_out, accounts FROM runs").fetchall(),
        }


def assert_same(local: Saved, cluster: Saved) -> None:
    assert len(local["runs"]) == len(cluster["runs"]) == 1
    assert local["runs"] == cluster["runs"]
    for table in ("scores", "topics"):
        assert len(local[table]) == len(cluster[table]) > 0
        for mine, theirs in zip(local[table], cluster[table]):
            score = 3 if table == "scores" else 4
            assert math.isclose(mine[score], theirs[score], rel_tol=1e-9), (mine, theirs)
            assert mine[:score] + mine[score + 1 :] == theirs[:score] + theirs[score + 1 :]


@pytest.fixture(scope="module")
def local_runs(data: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Saved, str]]:
    """Each input scored by the local engine: its saved run and its printed ranking."""
    folder = tmp_path_factory.mktemp("local")
    found = {}
    for name, path in data.items():
        done = kscore("compute", str(path), "--format", "csv", db=folder / f"{name}.db")
        assert done.returncode == 0, done.stderr
        found[name] = (saved(folder / f"{name}.db"), done.stdout)
    return found


@pytest.mark.parametrize("name", ["rows", "demo"])
def test_two_workers_give_the_local_engines_run(cluster, data, local_runs, tmp_path, name) -> None:
    address, _ = cluster
    done = kscore(
        "compute", str(data[name]), "--engine", "dask", "--scheduler", address, "--format", "csv", db=tmp_path / "k.db"
    )
    assert done.returncode == 0, done.stderr
    local, printed = local_runs[name]
    assert done.stdout == printed
    assert_same(local, saved(tmp_path / "k.db"))
    if name == "demo":  # the planted gamers are flagged on the cluster as they are here
        assert sum(1 for row in local["scores"] if row[8]) > 20


def test_the_scheduler_can_come_from_the_environment(cluster, data, local_runs, tmp_path) -> None:
    address, _ = cluster
    env = {**os.environ, "KSCORE_DB": str(tmp_path / "k.db"), "KSCORE_SCHEDULER": address}
    done = subprocess.run(
        [*KSCORE, "compute", str(data["demo"]), "--engine", "dask", "--format", "csv"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == local_runs["demo"][1]


def _started(process: subprocess.Popen[str], client: Client) -> tuple[str, object]:
    """The worker running one of the run's kscore tasks and that task, as soon as one runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before any of its tasks was seen running"
        for worker, keys in client.processing().items():
            for key in keys:
                if str(key).startswith(TASKS):
                    return worker, key
        time.sleep(0.01)
    raise AssertionError("no kscore task ran within 120 s")


def test_a_worker_killed_mid_run_gives_the_same_run(cluster, data, local_runs, tmp_path) -> None:
    address, client = cluster
    pids = client.run(os.getpid)
    command = [*KSCORE, "compute", str(data["rows"]), "--engine", "dask", "--scheduler", address, "--format", "csv"]
    env = {**os.environ, "KSCORE_DB": str(tmp_path / "k.db")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    worker, _ = _started(process, client)
    os.kill(pids[worker], signal.SIGKILL)  # its nanny starts another; Dask runs the task again
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert out == local_runs["rows"][1]
    assert_same(local_runs["rows"][0], saved(tmp_path / "k.db"))
    client.wait_for_workers(2, timeout=60)  # the nanny's new worker, for the tests after this one


def test_ctrl_c_cancels_the_clusters_tasks_and_saves_nothing(cluster, data, tmp_path) -> None:
    address, client = cluster
    command = [*KSCORE, "compute", str(data["rows"]), "--engine", "dask", "--scheduler", address]
    env = {**os.environ, "KSCORE_DB": str(tmp_path / "k.db")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _started(process, client)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Traceback" not in err
    assert not (tmp_path / "k.db").exists() or not saved(tmp_path / "k.db")["runs"]
    deadline = time.monotonic() + 30
    while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)):
        assert time.monotonic() < deadline, "the run's tasks were left on the cluster"
        time.sleep(0.1)


def test_an_input_no_worker_can_read_stops_before_any_work(cluster, tmp_path) -> None:
    address, _ = cluster
    done = kscore("compute", "nowhere/*.csv", "--engine", "dask", "--scheduler", address, db=tmp_path / "k.db")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "nowhere/*.csv" in lines[0] and "worker tcp://127.0.0.1:" in lines[0] and "no file matches" in lines[0]
    assert not (tmp_path / "k.db").exists() or not saved(tmp_path / "k.db")["runs"]


def test_an_input_one_worker_cannot_read_is_named_with_that_worker(cluster, tmp_path) -> None:
    """A third worker started in another directory: a relative path is a file for two workers, not for it."""
    address, client = cluster
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    processes = Processes(tmp_path, address)
    processes.worker(cwd=elsewhere)
    try:
        client.wait_for_workers(3, timeout=60)
        here = tmp_path / "here"
        here.mkdir()
        (here / "activity.csv").write_bytes((REPO / "examples" / "activity.csv").read_bytes())
        seen = client.run(os.getcwd)
        lacking = [worker for worker, cwd in seen.items() if Path(cwd) == elsewhere]
        assert len(lacking) == 1
        # the other two workers run in the cluster's own directory: give them the file there
        for cwd in {Path(cwd) for cwd in seen.values()} - {elsewhere}:
            (cwd / "activity.csv").write_bytes((here / "activity.csv").read_bytes())
        arguments = ["compute", "activity.csv", "--engine", "dask", "--scheduler", address]
        done = kscore(*arguments, db=tmp_path / "k.db", cwd=here)
        assert done.returncode == 1
        assert done.stderr.strip() == f"Error: activity.csv: worker {lacking[0]} cannot read it: no such file"
        # a glob that finds one file for that worker and two for the others
        (elsewhere / "activity.csv").write_bytes((here / "activity.csv").read_bytes())
        for cwd in {Path(cwd) for cwd in seen.values()} - {elsewhere}:
            (cwd / "more.csv").write_bytes((here / "activity.csv").read_bytes())
        done = kscore("compute", "*.csv", "--engine", "dask", "--scheduler", address, db=tmp_path / "k.db", cwd=here)
        assert done.returncode == 1
        assert done.stderr.strip() in {  # named by the first worker, in order of address, whose files differ
            f"Error: *.csv: the workers see different files (worker {worker} sees {1 if worker in lacking else 2})"
            for worker in seen
        }
    finally:
        processes.stop()
        deadline = time.monotonic() + 60
        while len(client.scheduler_info()["workers"]) > 2:
            assert time.monotonic() < deadline
            time.sleep(0.1)
