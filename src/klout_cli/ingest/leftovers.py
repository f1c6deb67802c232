"""Temporary files a run leaves when it is killed outright (`kill -9`, out of memory): the next
run removes them.

A run names its temporary parts and its copy of standard input with its pid
(`kscore-parts-<pid>-…`, `kscore-stdin-<pid>-…`); a later run removes, in the same temporary
folder, those of the current user whose process is gone, and never those of a live one.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from contextlib import suppress
from pathlib import Path

PARTS = "kscore-parts-"
STDIN_COPY = "kscore-stdin-"


def own_prefix(kind: str) -> str:
    """The prefix of this run's temporary files of one kind: `kscore-parts-<pid>-`."""
    return f"{kind}{os.getpid()}-"


def _owner_gone(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, someone else's (PermissionError), or unknowable: left alone
        return False
    return False


def _size(path: Path) -> int:
    if not path.is_dir():
        return path.lstat().st_size
    return sum(entry.lstat().st_size for entry in path.rglob("*") if not entry.is_symlink())


def remove_leftovers(folder: str | None = None) -> int:
    """Remove the parts and stdin copies of dead kscore runs of this user from `folder` (the
    temporary folder); return how many bytes that freed. Nothing here stops a run."""
    folder = folder or tempfile.gettempdir()
    freed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        kind = next((kind for kind in (PARTS, STDIN_COPY) if entry.name.startswith(kind)), None)
        if kind is None:
            continue
        pid_text = entry.name[len(kind) :].partition("-")[0]
        if not pid_text.isdigit() or not _owner_gone(int(pid_text)):
            continue  # an older kscore's name, without a pid, or a live run's
        with suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if info.st_uid != os.getuid() or stat.S_ISLNK(info.st_mode):
                continue
            path = Path(entry.path)
            size = _size(path)
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(path)
            else:
                path.unlink()
            freed += size
    return freed
