"""`--jobs N` and $KSCORE_JOBS on compute and rank FILE: the same run whatever the count, a
bad cell is the same one line, a count below one is a usage error.

The count of parts is chosen in the run's own process, so the monkeypatched part sizes here
split the example even when workers aggregate the parts."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import klout_cli.ingest.spill as spill_module
from tests.cli.conftest import EXAMPLE
from tests.ingest.helpers import csv_text


@pytest.fixture
def split_small(monkeypatch) -> None:
    """The example split into parts of 40 KB (chosen here, in the run's process)."""
    monkeypatch.setattr(spill_module, "SPLIT_FROM", 1)
    monkeypatch.setattr(spill_module, "PART_BYTES", 40_000)


def _saved_run(kscore, run: int) -> tuple[Any, ...]:
    ranked = kscore("rank", "--run", str(run), "-f", "json")
    topics = kscore("rank", "--run", str(run), "--topic", "ai", "-f", "json")
    assert ranked.exit_code == 0 and topics.exit_code == 0, ranked.stderr + topics.stderr
    explained = [
        json.loads(kscore("explain", account, "--run", str(run), "-f", "json").stdout)
        for account in ("ana_lytics", "bytebard", "spam_stan")
    ]
    for each in explained:
        assert each["source"].pop("run") == run
    return json.loads(ranked.stdout), json.loads(topics.stdout), explained


def test_compute_saves_the_same_run_with_one_two_or_every_job(kscore, split_small):
    results = []
    for number, jobs in enumerate((["--jobs", "1"], ["--jobs", "2"], []), start=1):
        result = kscore("compute", str(EXAMPLE), "-f", "csv", *jobs)
        assert result.exit_code == 0, result.stderr
        assert f"saved run {number} " in result.stderr
        results.append((result.stdout, _saved_run(kscore, number)))
    assert results[0] == results[1] == results[2]
    rank = kscore("rank", str(EXAMPLE), "-f", "csv", "--jobs", "2", extra_env={"KSCORE_JOBS": "1"})
    assert rank.exit_code == 0, rank.stderr
    assert rank.stdout == results[0][0]


@pytest.mark.parametrize(
    ("args", "environment", "message"),
    [
        (["--jobs", "0"], {}, "Invalid value for '--jobs': 0 is not in the range x>=1."),
        (["--jobs", "-2"], {}, "Invalid value for '--jobs': -2 is not in the range x>=1."),
        (["--jobs", "many"], {}, "Invalid value for '--jobs': 'many' is not a valid integer range."),
        ([], {"KSCORE_JOBS": "0"}, "Invalid value for '--jobs': 0 is not in the range x>=1."),
    ],
)
def test_a_count_of_jobs_below_one_is_a_usage_error(kscore, args, environment, message):
    result = kscore("compute", str(EXAMPLE), "--no-save", *args, extra_env=environment)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_jobs_apply_only_to_runs_that_score(kscore, sample):
    assert kscore("compute", sample).exit_code == 0
    refused = kscore("rank", "--jobs", "2")
    assert refused.exit_code == 2
    assert "--jobs" in refused.stderr
    # $KSCORE_JOBS, set for every run, does not stop rank reading a saved one
    assert kscore("rank", extra_env={"KSCORE_JOBS": "2"}).exit_code == 0
    assert kscore("rank", extra_env={"KSCORE_JOBS": "0"}).exit_code == 0  # nor when it is wrong


def test_a_bad_cell_in_a_split_run_is_one_line_whatever_the_jobs(kscore, write, split_small):
    with EXAMPLE.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    rows[2999]["likes"] = "n/a"  # line 3001, after the header
    name = write("bad.csv", csv_text(rows))
    outputs = {kscore("compute", name, "--no-save", "--jobs", jobs).stderr for jobs in ("1", "2")}
    assert len(outputs) == 1
    (error,) = outputs
    assert error.startswith("Error: bad.csv:3001: column 'likes': 'n/a' is not a count"), error
    assert error.count("\n") == 1
    assert Path("bad.csv").exists()


INTERRUPTED_CHILD = """
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

sys.argv = ["kscore", "compute", sys.argv[1], "--no-save", "--jobs", "2"]
main()
"""


def _descendants(pid: int) -> set[int]:
    found, frontier = set(), [pid]
    while frontier:
        for children in Path(f"/proc/{frontier.pop()}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                new = {int(child) for child in children.read_text().split()} - found
                found |= new
                frontier += new
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("sent", ["INT", "TERM"])
def test_ctrl_c_or_sigterm_stops_the_workers_and_removes_the_parts(tmp_path, sent):
    """Ctrl-C reaches every process of the terminal's group, SIGTERM the run alone: either way
    the run stops its workers (which print nothing), removes its parts and exits as it always did."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_CHILD, str(EXAMPLE)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(folder)},
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    try:
        assert child.stderr is not None
        assert child.stderr.readline().strip() == "parts written"
        deadline = time.monotonic() + 30
        while len(_descendants(child.pid)) < 3 and time.monotonic() < deadline:  # the forkserver, two workers
            time.sleep(0.05)
        workers = _descendants(child.pid)
        assert len(workers) >= 3, workers
        number = getattr(signal, f"SIG{sent}")
        if sent == "INT":
            os.killpg(child.pid, number)
        else:
            child.send_signal(number)
        status = child.wait(timeout=30)
        rest = child.stderr.read()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
    assert status == (1 if sent == "INT" else 128 + signal.SIGTERM), rest
    assert "Traceback" not in rest
    assert list(folder.iterdir()) == []
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
