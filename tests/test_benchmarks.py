"""The benchmark scripts run, and the DuckDB baseline still does kscore's work (so neither rots)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

pytest.importorskip("duckdb")


@pytest.fixture(scope="module")
def activity(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "activity.csv"
    command = [sys.executable, str(BENCHMARKS / "bench_compute.py"), "--generate", "3000", "150", str(path)]
    subprocess.run(command, check=True)
    return path


def _number(value: object) -> float:
    """A feature as a float: None, NaN and pandas' NA (unknown) are 0."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except TypeError:  # None, pd.NA
        return 0.0
    return 0.0 if math.isnan(number) else number


def test_workload_script_prints_its_table() -> None:
    command = [sys.executable, str(BENCHMARKS / "bench_workload.py"), "--rows", "3000", "--accounts", "150"]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    lines = result.stdout.splitlines()
    for label in (
        "DuckDB, the same feature workload",
        "`kscore compute`",
        "`kscore compute --no-save`",
        "`kscore rank",
    ):
        assert any(line.startswith("| " + label) for line in lines), label


def test_baseline_features_are_kscores(activity: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every feature the baseline writes for an account or topic is the one kscore scores."""
    import duckdb

    from klout_cli.compute import compute_run
    from klout_cli.modelfile import load_model

    monkeypatch.syspath_prepend(str(BENCHMARKS))
    from workload_sql import model_parameters, run_workload

    found = run_workload(str(activity), tmp_path, model_parameters())
    result = compute_run([str(activity)], load_model())
    assert found["accounts"] == len(result.ranked)
    assert found["topic_scores"] == len(result.topics)
    connection = duckdb.connect()
    accounts = connection.execute(f"SELECT * FROM '{tmp_path / 'accounts.parquet'}'").fetchdf()
    accounts = accounts.set_index(["account", "platform"])
    compared = [name for name in accounts.columns if name not in ("trust", "last_active")]
    for _, score in result.ranked:
        row = accounts.loc[(score.account, score.platform)]
        for name in compared:
            assert math.isclose(_number(getattr(score.features, name)), _number(row[name]), abs_tol=1e-9), name
    topics = connection.execute(f"SELECT * FROM '{tmp_path / 'topics.parquet'}'").fetchdf()
    topics = topics.set_index(["account", "platform", "topic"])
    for topic in result.topics:
        row = topics.loc[(topic.account, topic.platform, topic.topic)]
        for name in ("items", "likes", "capped_engagement", "active_weeks", "busiest_day", "weighted_items"):
            assert math.isclose(_number(getattr(topic.features, name)), _number(row[name]), abs_tol=1e-9), name


def test_engine_study_polars_agrees(activity: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine study's polars features are kscore's (polars is optional: skipped without it)."""
    pytest.importorskip("polars")
    monkeypatch.setenv("POLARS_MAX_THREADS", "1")  # run_polars sets it; put back after
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from bench_engines import run_polars
    finally:
        sys.path.remove(str(BENCHMARKS))
    from klout_cli.compute import compute_run
    from klout_cli.modelfile import load_model

    accounts, _ = run_polars(str(activity), "1")["frames"]
    rows = {(row["account"], row["platform"]): row for row in accounts.to_dicts()}
    result = compute_run([str(activity)], load_model())
    for _, score in result.ranked:
        if score.features.last_active is not None:  # dormant: the prototype leaves them out
            continue
        row = rows[(score.account, score.platform)]
        for name in ("likes", "capped_engagement", "capped_people", "active_weeks", "busiest_day", "followers"):
            assert math.isclose(_number(getattr(score.features, name)), _number(row[name]), abs_tol=1e-9), name
