"""`--engine` and `--scheduler` (and $KSCORE_SCHEDULER) as the CLI takes them: a scheduler
only with `--engine dask`, both only for runs that score FILEs, and one-line errors for
what a cluster cannot do. Runs on real clusters are in test_cli_dask.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from klout_cli.pipeline import cluster as cluster_module
from tests.cli.conftest import EXAMPLE


def test_a_scheduler_without_the_dask_engine_is_a_usage_error(kscore):
    for engine in ([], ["--engine", "local"]):
        result = kscore("compute", str(EXAMPLE), "--no-save", *engine, "--scheduler", "tcp://127.0.0.1:8786")
        assert result.exit_code == 2
        assert "Error: --scheduler applies only with --engine dask" in result.stderr
        assert result.stdout == ""


def test_the_schedulers_variable_is_for_dask_runs_only(kscore, sample):
    """Set for every run, $KSCORE_SCHEDULER stops neither a local run nor rank reading a saved one."""
    elsewhere = {"KSCORE_SCHEDULER": "tcp://127.0.0.1:9"}
    local = kscore("compute", sample, "-f", "csv", extra_env=elsewhere)
    assert local.exit_code == 0, local.stderr
    assert local.stdout == kscore("compute", sample, "-f", "csv").stdout
    assert kscore("rank", extra_env=elsewhere).exit_code == 0
    for given in (["--engine", "dask"], ["--engine", "local"], ["--scheduler", "tcp://127.0.0.1:9"]):
        refused = kscore("rank", *given)
        assert refused.exit_code == 2
        assert "--engine, --scheduler and the reading options" in refused.stderr


def test_the_help_names_both(kscore):
    shown = kscore("compute", "--help").stdout
    assert "--engine [local|dask]" in shown and "--scheduler ADDRESS" in shown and "$KSCORE_SCHEDULER" in shown


def test_without_the_extra_the_error_says_how_to_install_it(kscore, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)
    result = kscore("compute", str(EXAMPLE), "--no-save", "--engine", "dask")
    assert result.exit_code == 1
    assert result.stderr == "Error: --engine dask needs Dask, which is not installed: pip install 'kscore[dask]'\n"


def test_standard_input_on_a_cluster_is_one_line(kscore):
    result = kscore("compute", "-", "--no-save", "--engine", "dask", input=EXAMPLE.read_bytes())
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: a cluster's workers cannot read standard input ('-'): save it to a file they can read\n"
    )


def test_an_unreachable_scheduler_is_one_line(kscore, monkeypatch):
    pytest.importorskip("distributed", reason="the dask extra is not installed: pip install '.[dask]'")
    monkeypatch.setattr(cluster_module, "CONNECT_SECONDS", 1)
    result = kscore("compute", str(EXAMPLE), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9: ")
    assert result.stderr.count("\n") == 1


def test_a_cluster_started_here_prints_the_local_ranking(kscore):
    pytest.importorskip("distributed", reason="the dask extra is not installed: pip install '.[dask]'")
    local = kscore("compute", str(EXAMPLE), "--no-save", "-f", "csv")
    started = kscore("compute", str(EXAMPLE), "--no-save", "-f", "csv", "--engine", "dask", "--jobs", "2")
    assert started.exit_code == 0, started.stderr
    assert started.stdout == local.stdout
    assert started.stderr == local.stderr


@pytest.fixture(scope="module")
def inproc() -> Iterator[Any]:
    """An in-process cluster with no workers yet (the CLI runs in this process, so it can reach it)."""
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed: pip install '.[dask]'")
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as local:
        yield local


def test_a_scheduler_without_workers_is_one_line(kscore, inproc, monkeypatch):
    monkeypatch.setattr(cluster_module, "CONNECT_SECONDS", 1)
    result = kscore("compute", str(EXAMPLE), "--engine", "dask", "--scheduler", inproc.scheduler_address)
    assert result.exit_code == 1
    assert result.stderr == "Error: the Dask scheduler has no workers (waited 1 s)\n"


def test_workers_that_cannot_run_kscore_or_run_another_are_one_line(kscore, inproc, monkeypatch):
    inproc.scale(1)
    inproc.wait_for_workers(1)
    seen = cluster_module.seen_inputs

    def without_kscore(names):
        raise ModuleNotFoundError("No module named 'klout_cli'")

    arguments = ("compute", str(EXAMPLE), "--engine", "dask", "--scheduler", inproc.scheduler_address)
    monkeypatch.setattr(cluster_module, "seen_inputs", without_kscore)
    result = kscore(*arguments)
    assert result.exit_code == 1
    expected = "Error: a Dask worker cannot run kscore's tasks (ModuleNotFoundError: No module named 'klout_cli'); install kscore, the client's version, on every worker\n"  # noqa: E501 (the whole line, as docs/errors.md shows it)
    assert result.stderr == expected
    monkeypatch.setattr(cluster_module, "seen_inputs", lambda names: cluster_module.Seen("0.0.1", seen(names).files))
    result = kscore(*arguments)
    assert result.exit_code == 1
    worker, version = next(iter(inproc.scheduler_info["workers"])), cluster_module.__version__
    assert (
        result.stderr == f"Error: worker {worker} runs kscore 0.0.1, this client {version}: install the same on both\n"
    )


def test_a_task_whose_workers_keep_dying_is_one_line(kscore, inproc, monkeypatch):
    """What Dask raises when a task killed its worker on every try (its memory, say)."""
    from distributed import KilledWorker

    inproc.scale(1)
    inproc.wait_for_workers(1)

    class Worker:
        address = "tcp://127.0.0.1:1"

    def dies(*arguments: Any) -> None:
        raise KilledWorker("partition_features-0123", Worker(), 3)

    monkeypatch.setattr(cluster_module, "partition_features", dies)
    result = kscore("compute", str(EXAMPLE), "--engine", "dask", "--scheduler", inproc.scheduler_address)
    assert result.exit_code == 1
    expected = "Error: a worker died running each of 4 tries of one of the run's tasks (partition_features; out of memory?): give the workers more memory, or split the input into smaller files\n"  # noqa: E501 (the whole line, as docs/errors.md shows it)
    assert result.stderr == expected
