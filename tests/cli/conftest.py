"""Fixtures for the CLI tests: an isolated run store and home, a CliRunner, small CSVs.

Every test runs in its own working directory under tmp_path, so error messages name files
exactly as they were given (`sample.csv:3: ...`), and nothing touches the real home dir.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from klout_cli.cli import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "activity.csv"
GOLDEN_DIR = REPO / "tests" / "golden"

#: A small hand-made input. Facts the tests rely on, readable from the rows themselves:
#: star/twitter received more of every count and has a bigger audience than anyone else,
#: low/twitter received least; star is on two platforms; `low`'s like is an interaction
#: (not content); zoë checks UTF-8 round trips. All rows sit inside one 90-day window.
SAMPLE_CSV = """\
account,timestamp,platform,kind,post_id,target,likes,shares,replies,followers,text
star,2024-03-01T10:00:00Z,twitter,post,t1,,120,30,10,50000,hello
star,2024-03-08T10:00:00Z,twitter,post,t2,,150,40,12,50100,again
mid,2024-03-02T10:00:00Z,twitter,post,t3,,20,4,2,3000,hi
mid,2024-03-09T10:00:00Z,twitter,reply,t4,star,10,1,1,3000,re
low,2024-03-03T10:00:00Z,twitter,post,t5,,1,0,0,100,meh
low,2024-03-05T10:00:00Z,twitter,like,,star,0,0,0,100,
star,2024-03-04T10:00:00Z,linkedin,post,l1,,60,10,5,8000,pro
quiet,2024-03-06T10:00:00Z,mastodon,post,m1,,3,1,0,400,toot
zoë,2024-03-07T10:00:00Z,bluesky,post,b1,,8,2,1,900,"a quoted, comma"
"""


def sample_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(SAMPLE_CSV)))


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment every run sees: its own store, data dir and home; no colour; wide."""
    values = {
        "KSCORE_DB": str(tmp_path / "k.db"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "HOME": str(tmp_path / "home"),
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def db(env: dict[str, str]) -> Path:
    """The run store the `env` fixture points KSCORE_DB at."""
    return Path(env["KSCORE_DB"])


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Path:
    """An empty working directory (the current one for the test)."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def kscore(workdir: Path, env: dict[str, str]) -> Callable[..., Result]:
    """Run `kscore ARGS...` in-process; `input` is standard input (bytes or str)."""
    runner = CliRunner()

    def invoke(*args: str, input: bytes | str | None = None, extra_env: dict[str, str | None] | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input, env={**env, **(extra_env or {})})

    return invoke


@pytest.fixture
def write(workdir: Path) -> Callable[[str, str | bytes], str]:
    """Write a file in the working directory and return its name as the CLI should get it."""

    def write_file(name: str, content: str | bytes) -> str:
        path = workdir / name
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        else:
            path.write_bytes(content)
        return name

    return write_file


@pytest.fixture
def source(write: Callable[[str, str | bytes], str]) -> Callable[..., tuple[str, bytes | None, str]]:
    """Give content to the CLI as a file or as `-` on stdin.

    Returns (argument, stdin bytes or None, the label error messages use for it).
    """

    def make(name: str, content: str | bytes, use_stdin: bool) -> tuple[str, bytes | None, str]:
        data = content.encode("utf-8") if isinstance(content, str) else content
        if use_stdin:
            return "-", data, "<stdin>"
        return write(name, data), None, name

    return make


@pytest.fixture
def sample(write: Callable[[str, str | bytes], str]) -> str:
    """SAMPLE_CSV written as sample.csv; returns its name."""
    return write("sample.csv", SAMPLE_CSV)
