"""The small exceptions the core and the layers around it raise; only cli.py turns them into exit codes."""

from __future__ import annotations


class KscoreError(Exception):
    """Base class: a problem the user can fix, reported as one line, exit status 1."""


class ModelError(KscoreError):
    """The weighting model is not valid; the message names the key path."""


class InputError(KscoreError):
    """An input file cannot be used as it is; the message names file, line and column."""


class StoreError(KscoreError):
    """The run store cannot answer (no runs yet, unknown run id, unreadable database)."""
