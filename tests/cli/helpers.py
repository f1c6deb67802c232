"""Small parsers and assertions the CLI tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from click.testing import Result

from klout_cli.core import SIGNALS

#: The columns `compute` and `rank` print with the default model, in order.
SCORE_COLUMNS = ["rank", "account", "platform", "score", *SIGNALS, "items", "followers", "style", "flags"]


def records(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    """Rows of csv/tsv output as dicts keyed by its header."""
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def header_of(text: str, delimiter: str = ",") -> list[str]:
    return next(csv.reader(io.StringIO(text), delimiter=delimiter))


def pairs(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(account, platform) in output order: what every format must agree on."""
    return [(str(row["account"]), str(row["platform"])) for row in rows]


def rows_in(text: str, fmt: str) -> list[dict[str, Any]]:
    """Parse compute/rank output in any format into a list of row dicts."""
    if fmt == "csv":
        return records(text)
    if fmt == "tsv":
        return records(text, "\t")
    if fmt == "json":
        parsed = json.loads(text)
        assert isinstance(parsed, list)
        return parsed
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    if fmt == "markdown":
        lines = text.splitlines()
        names = [cell.strip() for cell in lines[0].strip("|").split("|")]
        assert set(lines[1].replace(":", "").replace("-", "").replace("|", "")) == set(), lines[1]
        body = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
        return [dict(zip(names, cells, strict=True)) for cells in body]
    if fmt == "table":
        return table_rows(text)
    raise ValueError(fmt)


def table_rows(text: str) -> list[dict[str, str]]:
    """Rows of a rich table (box SIMPLE_HEAD): the header sits above a rule of '─'."""
    lines = text.splitlines()
    rule = next(index for index, line in enumerate(lines) if line.strip() and set(line.strip()) == {"─"})
    names = lines[rule - 1].split()
    body = [line.split() for line in lines[rule + 1 :] if line.strip()]
    # the last column (flags) is empty for most rows
    return [dict(zip(names, cells + [""] * (len(names) - len(cells)), strict=True)) for cells in body]


def scores(rows: list[dict[str, Any]]) -> list[float]:
    return [float(row["score"]) for row in rows]


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    # CliRunner catches a stray exception itself; a clean exit is always SystemExit (or none)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def error_line(result: Result, code: int = 1) -> str:
    """Assert a clean failure with exactly one `Error: ...` line on stderr; return the message."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert_no_traceback(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert "internal error" not in lines[0], lines[0]
    return lines[0][len("Error: ") :]


def usage_error(result: Result) -> str:
    """Assert a usage error (exit 2) with the usage hint on stderr; return stderr."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert_no_traceback(result)
    assert "Usage: " in result.stderr
    assert "Error: " in result.stderr
    assert result.stdout == ""
    return result.stderr


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert_no_traceback(result)
    return result
