"""Renderers: a rich Table for terminals, lines of csv/tsv/json/jsonl/markdown for pipes.

They return and never print; cli.py prints. Machine formats carry no colour and no thousands
separators.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from klout_cli.core.basics import SIGNALS
from klout_cli.visible import json_line, text, visible

if TYPE_CHECKING:
    from rich.table import Table

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")

#: Decimals a computed column keeps in machine formats (tables show one decimal); other
#: numbers are shown as they are.
DECIMALS = {"score": 2, "change": 2, "from": 2, "to": 2, "endorsements": 1, **{signal: 1 for signal in SIGNALS}}
INTEGER_COLUMNS = {"rank", "items", "followers", "id", "accounts", "rows", "files", "position", "run"}
RIGHT_ALIGNED = INTEGER_COLUMNS | {"score"}


def _machine_value(column: str, value: Any) -> Any:
    """The value as JSON/CSV carry it: rounded scores, whole counts as ints, unknown as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if column in INTEGER_COLUMNS and isinstance(value, float):
        return round(value)
    if isinstance(value, float) and column in DECIMALS:
        return round(value, DECIMALS[column])
    return value


def _text(column: str, value: Any, *, human: bool) -> str:
    """The cell as text, control characters escaped (see visible.py)."""
    value = _machine_value(column, value)
    if value is None:
        return ""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and column in DECIMALS:
        return f"{value:.{1 if human else DECIMALS[column]}f}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if human and isinstance(value, (int, float)) and column not in {"rank", "id"}:
        return f"{value:,}"
    return str(value)


def cell_text(column: str, *, human: bool) -> Callable[[Any], str]:
    """`_text` for one column, with the common kinds of value (text, a rounded number, a count)
    done first: a ranking of a million accounts prints thirteen million cells."""
    decimals = DECIMALS.get(column)
    shown = 1 if human else decimals
    whole = column in INTEGER_COLUMNS
    grouped = human and column not in {"rank", "id"}

    def cell(value: Any) -> str:
        kind = value.__class__
        if kind is str:
            return visible(value)
        if kind is float and value == value:  # not NaN
            if decimals is not None:  # a machine's figure rounds once; a person's is rounded to the
                # machine's decimals first, so the two never disagree in their shared digit
                return f"{value:.{shown}f}" if shown == decimals else f"{round(value, decimals):.{shown}f}"
            if whole:
                value, kind = round(value), int
        if kind is int:
            return f"{value:,}" if grouped else str(value)
        return _text(column, value, human=human)

    return cell


#: Shorter headers where a terminal table is tight; machine formats keep the full names.
TABLE_HEADERS = {
    "engagement": "engage",
    "amplification": "amplify",
    "rank": "#",
    "true_reach": "people",
    "network_impact": "network",
    "endorsements": "+K",
}


def header(column: str) -> str:
    return column.replace("_", " ")


#: Columns a narrow terminal drops first (the machine formats always carry every column).
DROP_FIRST = (
    "followers",
    "items",
    "files",
    "activity",
    "reach",
    "amplification",
    "true_reach",
    "options",
    "place",
    "platform",
)
#: Long text columns give way (wrapping onto more lines) before any column is dropped.
SHRINKABLE = {
    "why",
    "moved_most",
    "inputs",
    "problem",
    "meaning",
    "ignored_columns",
    "model",
    "top",
    "description",
    "found_by",
    "columns",
}
SHRUNK_WIDTH = 24
COLUMN_GAP = 3


def _widest(rows: Sequence[dict[str, Any]], column: str) -> int:
    """Display cells the column needs (CJK and emoji take two), header included."""
    from rich.cells import cell_len

    cells = [cell_len(_text(column, row.get(column), human=True)) for row in rows]
    return max([cell_len(TABLE_HEADERS.get(column, header(column))), *cells])


def _least(rows: Sequence[dict[str, Any]], column: str) -> int:
    """The fewest cells a column may get: long text and names give way, numbers never."""
    widest = _widest(rows, column)
    return min(widest, SHRUNK_WIDTH) if column in SHRINKABLE or column == "account" else widest


def fit(rows: Sequence[dict[str, Any]], columns: Sequence[str], width: int | None) -> list[str]:
    """The columns that fit in `width` characters, dropping the least telling ones first."""
    kept = list(columns)
    if width is None:
        return kept
    for column in [name for name in DROP_FIRST if name in kept]:
        if sum(_least(rows, name) + COLUMN_GAP for name in kept) <= width:
            break
        kept.remove(column)
    return kept


def table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str | None = None, width: int | None = None
) -> Table:
    """A rich table for a terminal of `width` characters (None: do not fit)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    shown = fit(rows, columns, width)
    result = Table(
        title=None if title is None else text(title),
        box=box.SIMPLE_HEAD,
        title_justify="left",
        highlight=False,
        pad_edge=False,
    )
    for column in shown:
        numeric = column in RIGHT_ALIGNED or column in _numeric(rows, column)
        result.add_column(
            text(TABLE_HEADERS.get(column, header(column))),
            justify="right" if numeric else "left",
            style="bold" if column == "score" else None,
            no_wrap=column not in SHRINKABLE,  # long text wraps; everything else keeps one line
            overflow="fold" if column in SHRINKABLE else "ellipsis",
            min_width=_least(rows, column),
        )
    for row in rows:
        result.add_row(*(Text(_text(column, row.get(column), human=True)) for column in shown))
    return result


def _numeric(rows: Sequence[dict[str, Any]], column: str) -> set[str]:
    sample = next((row.get(column) for row in rows if row.get(column) is not None), None)
    return {column} if isinstance(sample, (int, float)) and not isinstance(sample, bool) else set()


def lines(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> Iterator[str]:
    """The rows as lines of text (without newlines) in a machine or markdown format."""
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow([visible(column) for column in columns])
        cells = [(column, cell_text(column, human=False)) for column in columns]
        for start in range(0, len(rows), 10_000):  # a cell never holds a raw newline: split the block on them
            block = rows[start : start + 10_000]
            writer.writerows([[show(row.get(column)) for column, show in cells] for row in block])
            yield from buffer.getvalue().rstrip("\n").split("\n")
            buffer.seek(0)
            buffer.truncate()
        if not rows:
            yield from buffer.getvalue().rstrip("\n").split("\n")
    elif fmt == "json":
        records = [{column: _machine_value(column, row.get(column)) for column in columns} for row in rows]
        yield from (json_line(line) for line in json.dumps(records, indent=2, ensure_ascii=False).splitlines())
    elif fmt == "jsonl":
        for row in rows:
            record = {column: _machine_value(column, row.get(column)) for column in columns}
            yield json_line(json.dumps(record, ensure_ascii=False))
    elif fmt == "markdown":
        yield "| " + " | ".join(visible(column) for column in columns) + " |"
        yield "|" + "|".join("---:" if column in RIGHT_ALIGNED else "---" for column in columns) + "|"
        cells = [(column, cell_text(column, human=True)) for column in columns]
        for row in rows:
            yield "| " + " | ".join(show(row.get(column)).replace("|", "\\|") for column, show in cells) + " |"
    else:
        raise ValueError(f"unknown format {fmt!r}")
