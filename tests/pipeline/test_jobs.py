"""Parts turned into features by worker processes (`--jobs`) change nothing.

Any count of jobs saves the same run, to the last bit, as one job and as the input read whole;
a worker's error is the run's error, word for word; `--jobs` takes whole numbers from 1.
Workers do not see a test's monkeypatches: what they need (files, the model, as-of) they are
given, and the count of parts is chosen in the run's own process.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import klout_cli.ingest.spill as spill_module
import klout_cli.pipeline.workers as workers_module
from klout_cli.compute import compute_run
from klout_cli.core import InputError
from klout_cli.modelfile import load_model
from klout_cli.pipeline.part import PartJob
from klout_cli.pipeline.workers import Workers, default_jobs, run_parts
from tests.cli.conftest import EXAMPLE
from tests.ingest.helpers import csv_text
from tests.ingest.test_spill import START, activity, saved, written

DAY = 86400


def test_any_count_of_jobs_saves_the_same_run_to_the_bit():
    whole = saved(compute_run([str(EXAMPLE)], load_model(), parts=1))
    for jobs in (1, 2, default_jobs() + 1):
        assert saved(compute_run([str(EXAMPLE)], load_model(), parts=5, jobs=jobs)) == whole, jobs


def every_option(folder: Path) -> dict[str, Any]:
    """compute_run's flags with every option set: combined, relative, dated, an --accounts file (in `folder`)."""
    from klout_cli.ingest.read import Reading

    accounts = folder / "accounts.csv"
    accounts.write_text("account,platform,followers,following\nana_lytics,linkedin,5000,100\n", encoding="utf-8")
    return {
        "combine": True,
        "relative": True,
        "as_of": datetime(2024, 3, 1, tzinfo=timezone.utc),
        "reading": Reading(accounts=str(accounts)),
    }


def test_more_jobs_than_parts_and_every_option(tmp_path):
    flags = every_option(tmp_path)
    whole = saved(compute_run([str(EXAMPLE)], load_model(), parts=1, **flags))
    assert saved(compute_run([str(EXAMPLE)], load_model(), parts=2, jobs=8, **flags)) == whole
    assert saved(compute_run([str(EXAMPLE)], load_model(), parts=3, jobs=2, window="all")) == saved(
        compute_run([str(EXAMPLE)], load_model(), parts=1, window="all")
    )


@settings(max_examples=12, deadline=None)
@given(activity(), st.integers(2, 6), st.integers(1, 3), st.booleans())
def test_random_splits_and_job_counts_save_the_same_breakdowns_to_the_bit(
    rows: list[dict[str, Any]], count: int, jobs: int, dated: bool
) -> None:
    flags: dict[str, Any] = {"as_of": datetime.fromtimestamp(START + 100 * DAY, timezone.utc)} if dated else {}
    with tempfile.TemporaryDirectory() as folder:
        names = written([csv_text(rows).encode()], folder)
        try:
            whole = saved(compute_run(names, load_model(), parts=1, **flags))
        except InputError as error:  # nothing in the window, say: every way must say the same
            with pytest.raises(InputError) as again:
                compute_run(names, load_model(), parts=count, jobs=jobs, **flags)
            assert str(again.value) == str(error)
            return
        assert saved(compute_run(names, load_model(), parts=count, jobs=jobs, **flags)) == whole


def test_a_workers_error_is_the_runs_error_word_for_word(tmp_path):
    """A part whose tagged items cannot be kept (its directory is gone: a full or removed TMPDIR)
    fails in a worker as it fails here: the same exception, the same one line. (With several
    failing parts, which one's error is told depends on which fails first.)"""
    model = load_model().model
    moment = datetime(2024, 3, 31, tzinfo=timezone.utc)
    with spill_module.Spill(2) as spill:
        spill_module.spill_sources([str(EXAMPLE)], spill)
        gone = tmp_path / "gone"
        jobs = [
            PartJob(
                model,
                moment,
                files=tuple(map(str, spill.files[index])),
                keep=str((gone if index else tmp_path) / f"kept-{index}.arrow"),
            )
            for index in range(2)
        ]
        with pytest.raises(InputError) as here:
            run_parts(jobs)
        with pytest.raises(InputError) as there, Workers(2) as workers:
            run_parts(jobs, workers)
    assert str(there.value) == str(here.value)
    assert str(here.value).startswith(f"cannot write the parts of the input to {gone}: ")
    assert "\n" not in str(here.value)


def test_parts_come_back_in_order_whichever_worker_ends_first():
    model = load_model().model
    moment = datetime(2024, 3, 31, tzinfo=timezone.utc)
    with spill_module.Spill(4) as spill:
        spill_module.spill_sources([str(EXAMPLE)], spill)
        jobs = [PartJob(model, moment, files=tuple(map(str, spill.files[index]))) for index in range(4)]
        heard: list[tuple[int, int]] = []
        with Workers(2) as workers:
            there = run_parts(jobs, workers, lambda done, count: heard.append((done, count)))
        here = run_parts(jobs)
    assert heard == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [[item.account for item in part.features] for part in there] == [
        [item.account for item in part.features] for part in here
    ]


def test_the_default_is_the_cores_this_process_may_use(monkeypatch):
    monkeypatch.setattr(workers_module.os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert default_jobs() == 1
    monkeypatch.setattr(workers_module.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert default_jobs() == 3
