"""Golden file for the terminal table; UPDATE_GOLDEN=1 rewrites it (review the diff before committing)."""

from __future__ import annotations

import os

from tests.cli.conftest import EXAMPLE, GOLDEN_DIR
from tests.cli.helpers import ok

GOLDEN = GOLDEN_DIR / "compute_table.txt"


def normalised(text: str) -> str:
    """rich pads every line to the terminal width; trailing spaces are not part of the promise."""
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def test_compute_table_matches_golden(kscore):
    result = ok(
        kscore(
            "compute",
            str(EXAMPLE),
            "--no-save",
            "-f",
            "table",
            "--top",
            "10",
            extra_env={"COLUMNS": "100", "NO_COLOR": "1"},
        )
    )
    table = normalised(result.stdout)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(table, encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run the tests once with UPDATE_GOLDEN=1 and review it"
    assert table == GOLDEN.read_text(encoding="utf-8")
    # the facts the golden file shows, checked apart so a bad rewrite cannot hide them
    lines = table.splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert "\x1b[" not in result.stdout
    assert sum(1 for line in lines if line.strip()[:3].strip().isdigit()) == 10
