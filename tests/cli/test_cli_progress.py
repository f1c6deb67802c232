"""The progress bar: on stderr only, when asked or when stderr is a terminal and the input is large."""

from __future__ import annotations

import gzip
import io
import re

import pytest

from klout_cli import progress
from klout_cli.cli import cli
from klout_cli.ingest.read import read_sources
from tests.cli.conftest import EXAMPLE, SAMPLE_CSV
from tests.cli.helpers import ok, usage_error


class Recorder(progress.Reporter):
    def __init__(self) -> None:
        self.size = self.rows = 0
        self.stages: list[str] = []

    def read(self, size: int, rows: int) -> None:
        self.size += size
        self.rows += rows

    def stage(self, name: str) -> None:
        self.stages.append(name)


@pytest.mark.parametrize("name", ["plain", "gzip", "careful"])
def test_reading_reports_every_byte_and_row_once(tmp_path, name):
    text = EXAMPLE.read_bytes()
    if name == "careful":  # a cell the fast reader leaves to the careful one, which skips its row
        text = text.replace(b"\n", b"\nnobody,2024-01-01,twitter,post,,,x\n", 1)
    path = tmp_path / "input.csv"
    path.write_bytes(gzip.compress(text) if name == "gzip" else text)
    recorder = Recorder()
    rows, report = read_sources([str(path), str(path)], on_read=recorder.read, skip=True)
    assert recorder.size == 2 * path.stat().st_size  # in bytes as stored on disk (gzip: compressed)
    assert recorder.rows == report.rows_read == 2 * text.count(b"\n") - 2
    assert len(rows) == report.rows_read - report.rows_skipped


def test_compute_tells_the_reporter_each_stage(tmp_path):
    from klout_cli.compute import compute_run
    from klout_cli.modelfile import load_model

    recorder = Recorder()
    compute_run([str(EXAMPLE)], load_model(), progress=recorder)
    assert recorder.stages == ["aggregating", "trust network", "scoring", "topics"]
    assert recorder.size == EXAMPLE.stat().st_size


def test_progress_goes_to_stderr_and_leaves_stdout_alone(kscore, sample):
    plain = ok(kscore("compute", sample, "--no-save", "-f", "csv"))
    shown = ok(kscore("compute", sample, "--no-save", "-f", "csv", "--progress"))
    assert shown.stdout == plain.stdout
    assert "reading" in shown.stderr and re.search(r"\d+ rows", shown.stderr)
    assert "reading" not in plain.stderr
    quiet = ok(kscore("rank", sample, "-f", "csv", "--no-progress"))
    assert quiet.stdout == plain.stdout and "reading" not in quiet.stderr


def test_rank_of_a_saved_run_takes_no_progress_option(kscore, sample):
    ok(kscore("compute", sample))
    assert "--progress" in usage_error(kscore("rank", "--progress"))


def test_the_bar_is_automatic_only_on_a_terminal_for_large_input(tmp_path, monkeypatch):
    small = tmp_path / "small.csv"
    small.write_bytes(b"x" * 99)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 100)
    monkeypatch.setattr(progress, "LARGE", 100)

    def chosen(names: list[str], wanted: bool | None, terminal: bool) -> str:
        monkeypatch.setattr("sys.stderr", _Terminal(terminal))
        with progress.reporting(names, wanted) as reporter:
            return type(reporter).__name__

    assert chosen([str(big)], None, terminal=True) == "_Bar"
    assert chosen([str(big)], None, terminal=False) == "Reporter"
    assert chosen([str(small)], None, terminal=True) == "Reporter"
    assert chosen(["-"], None, terminal=True) == "Reporter"  # stdin's size is unknown
    assert chosen([str(small)], True, terminal=False) == "_Bar"
    assert chosen([str(big)], False, terminal=True) == "Reporter"


class _Terminal(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def test_help_documents_the_option():
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["compute", "--help"])
    assert "--progress / --no-progress" in result.output


def test_no_bar_when_stderr_is_not_a_terminal_however_large_the_input(kscore, sample, monkeypatch):
    monkeypatch.setattr(progress, "LARGE", 1)  # every input is large
    result = ok(kscore("compute", sample, "--no-save"))
    assert "\x1b[" not in result.stderr and "reading" not in result.stderr


def test_a_pipe_has_no_size_so_no_automatic_bar(tmp_path):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert progress.input_size([str(fifo)]) is None


def test_the_count_squares_up_when_the_fast_reader_gives_up_midway(tmp_path, monkeypatch):
    """The fast reader reports blocks as it parses them; a bad cell late in the file sends the file
    to the careful reader, and the total still comes out exact."""
    from klout_cli.ingest import arrow

    monkeypatch.setattr(arrow, "BLOCK", 256)
    lines = ["account,timestamp,likes"] + [f"user{index},2024-01-01,{index}" for index in range(200)]
    lines[-1] = "late,2024-01-01,-1"  # negative: the careful reader skips it
    path = tmp_path / "input.csv"
    path.write_text("\n".join(lines) + "\n")
    recorder = Recorder()
    fast_blocks: list[int] = []
    real = arrow.read_typed

    def spy(data, header, on_read=None):
        def counted(size, rows):
            fast_blocks.append(rows)
            on_read(size, rows)

        return real(data, header, counted)

    monkeypatch.setattr("klout_cli.ingest.read.read_typed", spy)
    rows, report = read_sources([str(path)], on_read=recorder.read, skip=True)
    assert len(fast_blocks) > 1  # it did report blocks before giving up
    assert recorder.size == path.stat().st_size
    assert recorder.rows == report.rows_read == 200
    assert report.rows_skipped == 1 and len(rows) == 199


def test_skipped_rows_are_counted_even_when_a_bad_topic_stops_the_run(kscore, write):
    path = write("bad.csv", SAMPLE_CSV.replace(",120,30,10,", ",x,30,10,"))
    result = kscore("compute", path, "--on-error", "skip", "--topic", "nosuchtopic")
    assert result.exit_code == 1
    assert "skipped 1 bad row" in result.stderr
