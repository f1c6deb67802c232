"""A closed pipe (`kscore ... | head -3`) ends quietly: no traceback, the first lines intact."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from tests.cli.conftest import EXAMPLE


@pytest.fixture
def shell_env(env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **env}


def piped(command: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def kscore_command(*args: str) -> str:
    return " ".join(shlex.quote(part) for part in (sys.executable, "-m", "klout_cli", *args))


def test_compute_into_head(shell_env, tmp_path):
    db = tmp_path / "k.db"
    command = kscore_command("compute", str(EXAMPLE), "--no-save", "--db", str(db)) + " | head -3"
    result = piped(command, shell_env, tmp_path)
    assert "Traceback" not in result.stderr
    assert "BrokenPipe" not in result.stderr
    assert result.stdout.splitlines()[0].startswith("rank,account,platform,score")
    assert len(result.stdout.splitlines()) == 3
    assert not db.exists()


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_output_far_bigger_than_the_pipe_buffer(shell_env, tmp_path, fmt):
    """Thousands of accounts overflow the pipe's buffer, so the write really hits a closed pipe."""
    accounts = 6000
    big = tmp_path / "big.csv"
    lines = ["account,timestamp,likes,shares,followers"]
    lines += [f"acct{index:05d},2024-03-01,{index % 97},{index % 13},{index * 7}" for index in range(accounts)]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")

    command = kscore_command("compute", str(big), "--no-save", "-f", fmt) + " | head -3"
    result = piped(command, shell_env, tmp_path)
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert f"{accounts:,} scores for {accounts:,} accounts as of" in result.stderr


def test_rank_into_head(shell_env, tmp_path):
    """`kscore rank | head -3`, as the house style promises."""
    db = tmp_path / "k.db"
    saved = piped(kscore_command("compute", str(EXAMPLE), "--db", str(db)) + " > /dev/null", shell_env, tmp_path)
    assert saved.returncode == 0, saved.stderr
    result = piped(kscore_command("rank", "--db", str(db)) + " | head -3", shell_env, tmp_path)
    assert "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 3
