"""A run's parts made on a Dask cluster (`pipeline.cluster`) give the local engine's run.

An in-process LocalCluster (two workers, one thread each) stands in for a cluster here;
tests/cli/test_cli_dask.py runs the CLI against real scheduler and worker processes.
Whatever the inputs and the count of partitions, the saved run is the local one to the bit;
errors are the local engine's, word for word; a worker that cannot read an input, or runs
another kscore, stops the run before any work.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("distributed", reason="the dask extra is not installed: pip install '.[dask]'")

import fsspec
from distributed import LocalCluster

from klout_cli import __version__
from klout_cli.compute import compute_run
from klout_cli.core import InputError
from klout_cli.ingest.read import Reading
from klout_cli.modelfile import load_model
from klout_cli.pipeline import cluster as cluster_module
from klout_cli.pipeline.cluster import Cluster, Seen, is_url, partition_count, seen_inputs
from klout_cli.progress import Reporter
from tests.cli.conftest import EXAMPLE
from tests.ingest.helpers import csv_text
from tests.ingest.test_spill import START, activity, saved, written
from tests.pipeline.test_jobs import every_option

DAY = 86400


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    """An in-process cluster of two single-threaded workers (memory:// URLs are shared with it)."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as local:
        yield local.scheduler_address


def on(address: str, partitions: int | None = None) -> Cluster:
    return Cluster(scheduler=address, partitions=partitions)


@pytest.mark.parametrize("partitions", [1, 2, 5, None])
def test_the_example_saves_the_local_run_to_the_bit_whatever_the_partitions(address, partitions):
    local = saved(compute_run([str(EXAMPLE)], load_model()))
    assert saved(compute_run([str(EXAMPLE)], load_model(), cluster=on(address, partitions))) == local


def test_every_option_gives_the_local_run(address, tmp_path):
    flags = every_option(tmp_path)
    local = saved(compute_run([str(EXAMPLE)], load_model(), **flags))
    assert saved(compute_run([str(EXAMPLE)], load_model(), cluster=on(address, 3), **flags)) == local
    assert saved(compute_run([str(EXAMPLE)], load_model(), window="all", cluster=on(address, 2))) == saved(
        compute_run([str(EXAMPLE)], load_model(), window="all")
    )


@settings(max_examples=10, deadline=None)
@given(activity(), st.integers(1, 6), st.booleans())
def test_random_inputs_and_partitions_save_the_local_run(address, rows: list[dict[str, Any]], count: int, dated: bool):
    flags: dict[str, Any] = {"as_of": datetime.fromtimestamp(START + 100 * DAY, timezone.utc)} if dated else {}
    with tempfile.TemporaryDirectory() as folder:
        names = written([csv_text(rows).encode(), csv_text(rows[: len(rows) // 2]).encode()], folder)
        try:
            local = saved(compute_run(names, load_model(), **flags))
        except InputError as error:  # nothing in the window, say: the cluster must say the same
            with pytest.raises(InputError) as again:
                compute_run(names, load_model(), cluster=on(address, count), **flags)
            assert str(again.value) == str(error)
            return
        assert saved(compute_run(names, load_model(), cluster=on(address, count), **flags)) == local


def test_a_bad_cell_is_the_local_engines_error_word_for_word(address, tmp_path):
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[40].split(",")
    cells[header.index("likes")] = "n/a"
    lines[40] = ",".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as local:
        compute_run([str(bad)], load_model())
    with pytest.raises(InputError) as remote:
        compute_run([str(bad)], load_model(), cluster=on(address, 2))
    assert str(remote.value) == str(local.value)
    assert str(local.value).startswith(f"{bad}:41: column 'likes'")
    skipped = saved(compute_run([str(bad)], load_model(), skip_bad_rows=True))
    assert saved(compute_run([str(bad)], load_model(), skip_bad_rows=True, cluster=on(address, 2))) == skipped


def test_of_two_bad_inputs_the_first_is_named_as_the_local_engine_names_it(address, tmp_path):
    """The second, small, fails first on the cluster; the run still names the first."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    first = tmp_path / "first.csv"
    first.write_text("\n".join([*lines, lines[1].replace(",", ",,", 1)]) + "\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text("\n".join([lines[0], "x,y"]) + "\n", encoding="utf-8")
    names = [str(first), str(second)]
    with pytest.raises(InputError) as local:
        compute_run(names, load_model())
    assert str(local.value).startswith(f"{first}:")
    for _ in range(3):
        with pytest.raises(InputError) as remote:
            compute_run(names, load_model(), cluster=on(address, 2))
        assert str(remote.value) == str(local.value)


def test_fsspec_urls_and_their_globs_are_read_by_the_workers(address):
    data = EXAMPLE.read_bytes()
    lines = data.splitlines(keepends=True)
    memory = fsspec.filesystem("memory")
    memory.pipe("/kscore-test/a.csv", b"".join(lines[:2000]))
    memory.pipe("/kscore-test/b.csv", lines[0] + b"".join(lines[2000:]))
    try:
        with tempfile.TemporaryDirectory() as folder:
            names = written([b"".join(lines[:2000]), lines[0] + b"".join(lines[2000:])], folder)
            local = saved(compute_run(names, load_model()))
        globbed = ["memory:///kscore-test/a.csv", "memory:///kscore-test/b.csv"]  # as fsspec names what it finds
        for inputs, named in (
            (["memory://kscore-test/a.csv", "memory://kscore-test/b.csv"], None),
            (["memory://kscore-test/*.csv"], globbed),
        ):
            result = compute_run(inputs, load_model(), cluster=on(address, 3))
            assert [item.name for item in result.read.files] == (named or inputs)
            remote = saved(result)
            assert remote[0] == local[0]  # every breakdown, score and topic score
            assert remote[1][:4] == local[1][:4] and remote[1][5:] == local[1][5:]  # all but the inputs' names
        cells = lines[1].decode().split(",")
        cells[lines[0].decode().split(",").index("likes")] = "many"
        memory.pipe("/kscore-test/bad.csv", lines[0] + ",".join(cells).encode())
        with pytest.raises(InputError, match=r"^memory://kscore-test/bad\.csv:2: column 'likes'"):
            compute_run(["memory://kscore-test/bad.csv"], load_model(), cluster=on(address))
    finally:
        memory.rm("/kscore-test", recursive=True)


def test_the_progress_follows_the_clusters_tasks(address):
    heard: list[tuple[Any, ...]] = []

    class Heard(Reporter):
        def read(self, size: int, rows: int) -> None:
            heard.append(("read", size, rows))

        def stage(self, name: str) -> None:
            heard.append(("stage", name))

        def parts(self, done: int, count: int) -> None:
            heard.append(("parts", done, count))

        def sized(self, total: int) -> None:
            heard.append(("sized", total))

    compute_run([str(EXAMPLE)], load_model(), cluster=on(address, 4), progress=Heard())
    assert heard[0] == ("sized", EXAMPLE.stat().st_size)  # what the workers found: a bar's total
    assert heard[1] == ("read", EXAMPLE.stat().st_size, 3891)
    assert heard[2] == ("stage", "aggregating")
    parts = [entry for entry in heard if entry[0] == "parts"]
    assert [entry[1] for entry in parts] == [1, 2, 3, 4] and {entry[2] for entry in parts} == {4}
    assert [entry[1] for entry in heard if entry[0] == "stage"][1:] == ["trust network", "scoring", "topics"]


def test_standard_input_is_refused(address):
    with pytest.raises(InputError, match=r"workers cannot read standard input"):
        compute_run(["-"], load_model(), cluster=on(address))


def test_without_dask_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(InputError, match=r"pip install 'kscore\[dask\]'"):
        compute_run([str(EXAMPLE)], load_model(), cluster=Cluster())


def test_a_cluster_started_here_gives_the_local_run():
    local = saved(compute_run([str(EXAMPLE)], load_model()))
    assert saved(compute_run([str(EXAMPLE)], load_model(), cluster=Cluster(workers=1))) == local


class FakeClient:
    """What `_checked_inputs` asks of a client: each worker's view of the inputs."""

    def __init__(self, seen: dict[str, Seen]) -> None:
        self.seen = seen

    def wait_for_workers(self, count: int, timeout: float) -> None:
        pass

    def run(self, function: Any, names: list[str]) -> dict[str, Seen]:
        return self.seen


def test_workers_that_disagree_or_run_another_kscore_stop_the_run():
    one = Seen(__version__, {"*.csv": [("a.csv", 10), ("b.csv", 20)]})
    other = Seen(__version__, {"*.csv": [("a.csv", 10)]})
    assert cluster_module._checked_inputs(FakeClient({"tcp://a": one, "tcp://b": one}), ["*.csv"]) == [
        ("a.csv", 10),
        ("b.csv", 20),
    ]
    with pytest.raises(InputError, match=r"^\*\.csv: the workers see different files \(worker tcp://b sees 1\)$"):
        cluster_module._checked_inputs(FakeClient({"tcp://a": one, "tcp://b": other}), ["*.csv"])
    old = Seen("0.0.1", one.files)
    with pytest.raises(InputError, match=r"^worker tcp://b runs kscore 0\.0\.1, this client .*: install the same on"):
        cluster_module._checked_inputs(FakeClient({"tcp://a": one, "tcp://b": old}), ["*.csv"])


def test_what_a_worker_sees_of_paths_globs_and_urls(tmp_path):
    (tmp_path / "a.csv").write_text("x\n")
    (tmp_path / "b.csv").write_text("xy\n")
    (tmp_path / "folder").mkdir()
    seen = seen_inputs(
        [str(tmp_path / "a.csv"), str(tmp_path / "*.csv"), str(tmp_path / "none.csv"), str(tmp_path / "folder")]
    )
    assert seen.version == __version__
    assert list(seen.files.values()) == [
        [(str(tmp_path / "a.csv"), 2)],
        [(str(tmp_path / "a.csv"), 2), (str(tmp_path / "b.csv"), 3)],
        "no such file",
        "not a file",
    ]
    assert seen_inputs([str(tmp_path / "*.tsv")]).files == {str(tmp_path / "*.tsv"): "no file matches"}
    missing = seen_inputs(["nosuchscheme://bucket/a.csv"]).files["nosuchscheme://bucket/a.csv"]
    assert isinstance(missing, str) and missing.startswith("no filesystem for this URL")
    memory = fsspec.filesystem("memory")
    memory.pipe("/kscore-seen/a.csv", b"abc")
    try:
        assert seen_inputs(
            ["memory://kscore-seen/a.csv", "memory://kscore-seen/*.csv", "memory://kscore-seen/z"]
        ).files == {
            "memory://kscore-seen/a.csv": [("memory://kscore-seen/a.csv", 3)],
            "memory://kscore-seen/*.csv": [("memory:///kscore-seen/a.csv", 3)],  # as fsspec names what it finds
            "memory://kscore-seen/z": "no such file",
        }
    finally:
        memory.rm("/kscore-seen", recursive=True)


def test_urls_and_partition_counts():
    assert is_url("s3://bucket/a.csv") and is_url("memory://x") and is_url("gcs+https://x")
    assert not is_url("a.csv") and not is_url("C://x") and not is_url("dir/with://colon")
    assert partition_count(Cluster(partitions=7), [("a.csv", 10**12)], 64) == 7
    assert partition_count(Cluster(), [("a.csv", 0)], 2) == 4  # every thread twice
    assert partition_count(Cluster(), [("a.csv", 60 * (32 << 20)), ("b.csv", 40 * (32 << 20))], 2) == 100  # ~32 MB
    assert partition_count(Cluster(), [("a.csv.gz", 10 * (32 << 20))], 2) == 80  # a gzip file's text: 8x its size
    assert partition_count(Cluster(), [("a.csv", 10**13)], 2) == 256  # at most


def test_an_unreachable_scheduler_is_one_line(monkeypatch):
    monkeypatch.setattr(cluster_module, "CONNECT_SECONDS", 1)
    with pytest.raises(InputError, match=r"^cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9: "):
        compute_run([str(EXAMPLE)], load_model(), cluster=Cluster(scheduler="tcp://127.0.0.1:9"))


def test_a_url_gone_since_it_was_listed_is_one_line():
    with pytest.raises(InputError, match=r"^memory://kscore-gone/a\.csv: cannot read it: FileNotFoundError: "):
        cluster_module.read_input("memory://kscore-gone/a.csv", 2, False, Reading())
