"""The CLI fixtures (an isolated store and home, a CliRunner, files in a working directory) for
the ingest tests that run `kscore` end to end, such as the preset tests."""

from __future__ import annotations

from tests.cli.conftest import db, env, kscore, source, workdir, write  # noqa: F401
