"""Run `kscore` on a real pseudo-terminal: what a user's terminal receives, byte for byte.

CliRunner captures into buffers, so rich and click believe they write to a pipe; on a pseudo-
terminal they colour, draw the progress bar and size tables to the window, as for a user.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path


def run_in_terminal(
    args: list[str], *, cwd: Path, env: dict[str, str], columns: int = 120, timeout: float = 120.0
) -> tuple[int, bytes]:
    """`python -m klout_cli ARGS` with stdin, stdout and stderr on one pseudo-terminal of
    `columns` columns; its exit status and every byte it wrote."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environment = {key: value for key, value in env.items() if key not in ("NO_COLOR", "COLUMNS", "LINES")}
    environment.update(TERM="xterm-256color", PYTHONIOENCODING="utf-8", PATH=os.environ.get("PATH", ""))
    process = subprocess.Popen(
        [sys.executable, "-m", "klout_cli", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=cwd,
        env=environment,
        start_new_session=True,
    )
    os.close(follower)
    output = bytearray()
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], timeout)
            if not ready:
                process.kill()
                raise TimeoutError(f"kscore {' '.join(args)} wrote nothing for {timeout} s")
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the last writer closed the terminal
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(leader)
    return process.wait(timeout=timeout), bytes(output)
