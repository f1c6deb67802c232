"""The fast reader for files in kscore's own schema: pyarrow parses the CSV in C, a block at a
time (so a progress bar can follow it), and types the count columns as it goes.

It reads only files it can read exactly as the careful reader (`read.py`) does; anything else
(a cell that is not a number, a ragged row, a stray or unclosed quote, a file that does not
start with its header) makes it give up, and the careful reader reads the file and names the
problem. On the files it reads, the
two give identical rows: a test compares them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from klout_cli.ingest.schema import AUDIENCE, COUNTS, NAMES

NUMBERS = (*COUNTS, *AUDIENCE)
BOM = b"\xef\xbb\xbf"
HEADER_BYTES = 1 << 20  # the start of a file its header is looked for in
BLOCK = 1 << 22  # bytes pyarrow parses at a time (4 MB): as fast as larger blocks, and a smooth bar


QUOTED = re.compile(rb'"[^"]*(?:""[^"]*)*"')  # a quoted field, its quotes doubled inside
BREAK = re.compile(r"\r\n|\r|\n")
#: A quoted field over more lines than this is looked at: does it hold rows of the file?
LONG_FIELD_LINES = 4


def swallows_rows(field: str, width: int) -> bool:
    """A quoted field that looks opened by a stray quote: it runs over more than
    `LONG_FIELD_LINES` lines, and at least two of the lines it holds whole read, on their own,
    as a row of the file (`width` fields). Real multi-line texts have no such lines."""
    lines = BREAK.split(field)
    if len(lines) <= LONG_FIELD_LINES:
        return False
    return sum(len(next(csv.reader([line]), [])) == width for line in lines[1:-1]) >= 2


def _quotes_close(data: bytes, begin: int = 0, width: int = 0) -> bool:
    """Every quote in `data[begin:]` opens a field and is closed before the next delimiter.

    Anything else goes to the careful reader: a quote left open, which pyarrow would close at
    the end of the file (swallowing every row after it) where the careful reader refuses the
    file; or a quote inside an unquoted cell (`12" screen`), which could hide one left open.
    With the file's `width`, also a quoted field that `swallows_rows`, which the careful
    reader warns of. One step per quoted field; a file without quotes costs one search.
    """
    start, end = data.find(b'"', begin), len(data)
    while start >= 0:
        if start > begin and data[start - 1] not in b",\n\r":
            return False
        field = QUOTED.match(data, start)
        if field is None:
            return False
        after = field.end()
        if after < end and data[after] not in b",\n\r":
            return False
        breaks = data.count(b"\n", start, after) + data.count(b"\r", start, after)
        long = width > 0 and breaks >= LONG_FIELD_LINES
        if long and swallows_rows(data[start + 1 : after - 1].decode("utf-8", errors="replace"), width):
            return False  # the careful reader warns of it
        start = data.find(b'"', after)
    return True


def columns_of(start: bytes, header: Sequence[str]) -> dict[str, str] | None:
    """The file's own header cells mapped to the canonical columns they hold, read from the
    file's first bytes `start` (its BOM left off); None when the first line is not the header as
    the careful reader cleaned it (stripped, case-folded), or repeats a cell."""
    ends = [found for found in (start.find(b"\n"), start.find(b"\r")) if found >= 0]
    first = start[: min(ends, default=len(start))].decode("utf-8", errors="replace")  # lines end in \n, \r\n or \r
    raw = next(csv.reader([first]), [])
    if [cell.strip().lower() for cell in raw] != list(header) or len(set(raw)) != len(raw):
        return None  # blank lines before the header, or blank header cells
    return {cell: name for cell, name in zip(raw, header) if name in NAMES}


def open_reader(source: pa.NativeFile, wanted: dict[str, str]) -> pacsv.CSVStreamingReader:
    """pyarrow's block-at-a-time reader of `source` (positioned after any BOM) for the `wanted` columns."""
    types = {cell: pa.float64() if name in NUMBERS else pa.string() for cell, name in wanted.items()}
    return pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(block_size=BLOCK),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            include_columns=list(wanted),
            null_values=[""],
            strings_can_be_null=False,
            quoted_strings_can_be_null=True,
        ),
    )


#: What pyarrow raises on a file it cannot read as the careful reader would.
UNREADABLE = (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError)


def to_frame(table: pa.Table, wanted: dict[str, str]) -> pd.DataFrame | None:
    """The table's canonical columns as pandas, or None when a count holds `nan` (pyarrow reads
    a number there, the careful reader an error)."""
    for cell, name in wanted.items():
        if name in NUMBERS and pc.any(pc.is_nan(table.column(cell))).as_py():
            return None
    # column by column, each freed once converted: never a second copy of all the rows (the
    # counts come back as read-only arrays: validate makes new ones, it never writes to them)
    table = table.select(list(wanted)).rename_columns(list(wanted.values()))
    return table.to_pandas(split_blocks=True, self_destruct=True)


def read_typed(
    data: bytes, header: Sequence[str], on_read: Callable[[int, int], None] | None = None
) -> pd.DataFrame | None:
    """The file's canonical columns, counts already numbers (NaN where empty), strings as the
    careful reader has them; None when the file needs the careful reader.

    `header` is the file's header as the careful reader cleaned it (stripped, case-folded).
    `on_read(size, rows)` hears of each block parsed: about `size` bytes of `data`, `rows` rows.
    """
    bom = len(BOM) if data.startswith(BOM) else 0
    if not _quotes_close(data, bom, len(header)):
        return None
    wanted = columns_of(data[bom : bom + HEADER_BYTES], header)
    if wanted is None:
        return None
    try:
        reader = open_reader(pa.BufferReader(pa.py_buffer(data).slice(bom)), wanted)  # the bytes as they are: no copy
        batches, left = [], len(data) - bom
        for batch in reader:  # a block at a time, so a long read can show its progress
            batches.append(batch)
            if on_read is not None:
                size = min(BLOCK, left)
                left -= size
                on_read(size, batch.num_rows)
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except UNREADABLE:
        return None
    del batches
    return to_frame(table, wanted)
