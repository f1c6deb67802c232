"""A closed pipe (`kscore ... | head -3`) ends quietly: no traceback, the first lines intact.
SIGTERM stops a run as Ctrl-C does, cleaning up after it."""

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


CHILD = """
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


def test_sigterm_removes_the_parts_on_disk_and_exits_143(tmp_path):
    """`kill` (SIGTERM) unwinds like Ctrl-C: a large input's parts leave TMPDIR with the run."""
    import signal

    folder = tmp_path / "tmp"
    folder.mkdir()
    env = {**os.environ, "TMPDIR": str(folder)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(EXAMPLE)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert child.stderr is not None
        assert child.stderr.readline().strip() == "parts written"
        # (pymp-…: the socket of the workers' forkserver, which Python removes as the run exits)
        ours = [path.name for path in folder.iterdir() if not path.name.startswith("pymp-")]
        assert [name.startswith("kscore-parts-") for name in ours] == [True]
        child.send_signal(signal.SIGTERM)
        status = child.wait(timeout=30)
        rest = child.stderr.read()
    finally:
        child.kill()
    assert status == 128 + signal.SIGTERM
    assert "Traceback" not in rest
    assert list(folder.iterdir()) == []


def test_main_leaves_sigterm_as_it_found_it_and_runs_from_any_thread(monkeypatch):
    """Used as a library: main() puts SIGTERM back when it returns, leaves someone else's handler
    alone, and runs from a thread other than the main one (which alone may set a handler)."""
    import signal
    import threading

    from klout_cli.cli import main

    def run() -> int | None:
        monkeypatch.setattr(sys, "argv", ["kscore", "schema"])
        try:
            main()
        except SystemExit as done:
            return done.code  # type: ignore[return-value]
        return None

    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    assert run() in (0, None)
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL

    def theirs(number: int, frame: object) -> None:  # pragma: no cover (never called)
        pass

    previous = signal.signal(signal.SIGTERM, theirs)
    try:
        assert run() in (0, None)
        assert signal.getsignal(signal.SIGTERM) is theirs
    finally:
        signal.signal(signal.SIGTERM, previous)

    codes: list[int | None] = []
    thread = threading.Thread(target=lambda: codes.append(run()))
    thread.start()
    thread.join(timeout=60)
    assert codes == [0] or codes == [None]
