"""The fast reader (pyarrow, `ingest/arrow.py`) changes nothing: on every input, `read_sources`
gives the same frame and report, or raises the same error, as the careful reader alone (pandas,
every cell as text). A file the fast reader cannot read exactly as the careful one does must make
it give up; a clean file must be read by it (else these tests would prove nothing)."""

from __future__ import annotations

import csv
import gzip
import io
import re
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import klout_cli.ingest.arrow as arrow_module
import klout_cli.ingest.read as read_module
from klout_cli.ingest.read import Reading, ReadReport, read_sources
from klout_cli.ingest.schema import AUDIENCE, COUNTS, KINDS, NAMES, NEEDS_TARGET

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "activity.csv"
NUMBERS = (*COUNTS, *AUDIENCE)
OPTIONAL = tuple(name for name in NAMES if name not in ("account", "timestamp"))
UNKNOWN = ("mood", "Notes", "extra col")  # columns kscore does not read (and no preset's)
PLAIN = Reading()


# -- reading a file both ways ---------------------------------------------------------------------


@dataclass
class Outcome:
    """What `read_sources` gave: a frame and report, or an error (its type and message)."""

    frame: pd.DataFrame | None = None
    report: ReadReport | None = None
    error: tuple[str, str] | None = None
    fast: list[bool] = field(default_factory=list)
    """For each file read in kscore's schema, in order: did the fast reader's frame come back."""

    @property
    def took_fast(self) -> bool:
        return bool(self.fast) and all(self.fast)


def read_both_ways_once(
    names: Sequence[str], *, fast: bool, skip: bool, reading: Reading, stdin: bytes | None
) -> Outcome:
    outcome = Outcome()
    real = read_module._read_fast

    def spy(*args: Any, **kwargs: Any) -> pd.DataFrame | None:
        result = real(*args, **kwargs)
        outcome.fast.append(result is not None)
        return result

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(read_module, "_read_fast", spy))
        if not fast:
            stack.enter_context(mock.patch.object(read_module, "read_typed", lambda *args, **kwargs: None))
        try:
            outcome.frame, outcome.report = read_sources(
                list(names), skip=skip, reading=reading, stdin=None if stdin is None else io.BytesIO(stdin)
            )
        except Exception as error:  # any error: the two readers must raise the same one
            outcome.error = (type(error).__name__, str(error))
    return outcome


def assert_same(
    names: Sequence[str], *, skip: bool = False, reading: Reading = PLAIN, stdin: bytes | None = None
) -> Outcome:
    """Read `names` with the fast reader and without it; they must agree. Returns the fast read."""
    fast = read_both_ways_once(names, fast=True, skip=skip, reading=reading, stdin=stdin)
    careful = read_both_ways_once(names, fast=False, skip=skip, reading=reading, stdin=stdin)
    assert not any(careful.fast), "the careful read still went through the fast reader"
    assert fast.error == careful.error, f"fast reader: {fast.error}\ncareful reader: {careful.error}"
    if careful.error is None:
        assert fast.frame is not None and careful.frame is not None
        assert fast.report is not None and careful.report is not None
        pd.testing.assert_frame_equal(fast.frame, careful.frame, check_dtype=True)
        assert fast.report.files == careful.report.files
        assert fast.report.skipped == careful.report.skipped
        assert fast.report.audience is None and careful.report.audience is None
    return fast


def same_on(files: bytes | Sequence[bytes], *, skip: bool = False, reading: Reading = PLAIN) -> Outcome:
    """Write `files` (the bytes of one or several) to a fresh folder and `assert_same` on them."""
    contents = [files] if isinstance(files, bytes) else list(files)
    with tempfile.TemporaryDirectory() as folder:
        names = []
        for index, data in enumerate(contents):
            path = Path(folder) / f"input{index}.csv"
            path.write_bytes(data)
            names.append(str(path))
        return assert_same(names, skip=skip, reading=reading)


# -- writing CSV files ----------------------------------------------------------------------------

Style = str | tuple[bool, ...]
"""How a line is written: "minimal" or "all" (the csv module's quoting), or, per cell, whether
to quote it by hand even when it need not be."""


def needs_quotes(cell: str) -> bool:
    return any(char in cell for char in ',"\r\n')


def by_hand(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def line(cells: Sequence[str], style: Style) -> str:
    if isinstance(style, tuple):
        return ",".join(by_hand(cell) if force or needs_quotes(cell) else cell for cell, force in zip(cells, style))
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if style == "all" else csv.QUOTE_MINIMAL
    # "\r\n" as the terminator makes the csv module quote a cell holding either of them
    csv.writer(buffer, lineterminator="\r\n", quoting=quoting).writerow(cells)
    return buffer.getvalue()[:-2]


@dataclass
class Sheet:
    """A CSV file in kscore's schema, before it is written out."""

    names: list[str]
    """Each column's name as kscore reads it (stripped, lower case)."""
    header: list[str]
    """Each column's name as the file spells it."""
    rows: list[list[str]]
    styles: list[Style]
    """The header's style, then each row's."""
    ending: str = "\n"
    bom: bool = False
    final_newline: bool = True
    raw: list[tuple[int, str]] = field(default_factory=list)
    """Lines written as they are, before data row i (-1: before the header)."""

    def encode(self) -> bytes:
        lines = [line(self.header, self.styles[0])]
        for index, (row, style) in enumerate(zip(self.rows, self.styles[1:])):
            lines += [text for at, text in self.raw if at == index]
            lines.append(line(row, style))
        lines += [text for at, text in self.raw if at >= len(self.rows)]
        lines = [text for at, text in self.raw if at < 0] + lines
        text = self.ending.join(lines) + (self.ending if self.final_newline else "")
        return ("\ufeff" if self.bom else "").encode() + text.encode("utf-8")


def is_plain(value: str) -> bool:
    """A count written as plain ASCII digits (or left empty)."""
    return re.fullmatch(r"[0-9]*", value) is not None


# -- cells ----------------------------------------------------------------------------------------

CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
padding = st.sampled_from(["", "", " ", "  ", "\t"])

#: Counts that are valid but written oddly: both readers take each as the same number.
TRICKY_COUNTS = ["0", "5", "+5", " 7 ", "1e3", "5.", "-0", "1000000000000000", "", "0005", "1E3", "2.0", "12"]
counts = st.one_of(st.sampled_from(TRICKY_COUNTS), st.integers(0, 10**15).map(str), st.just(""))
plain_counts = st.one_of(st.integers(0, 10**15).map(str), st.just(""))

TIME_FORMS = [
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S+02:00",
    "%Y-%m-%dT%H:%M:%S-08:30",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%S.%f+05:30",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
]


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    when = draw(st.datetimes(min_value=datetime(1901, 1, 2), max_value=datetime(2198, 12, 30)))
    form = draw(st.sampled_from([*TIME_FORMS, "millis", "nanos"]))
    if form == "millis":
        text = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    elif form == "nanos":
        text = when.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{draw(st.integers(0, 999)):03d}+01:00"
    else:
        text = when.strftime(form)
    return draw(padding) + text + draw(padding)


def spelled(name: str) -> st.SearchStrategy[str]:
    """A column name as a file may spell it: any case, padded with spaces."""
    cases = st.sampled_from([name, name.upper(), name.title(), name.swapcase()])
    return st.tuples(st.sampled_from(["", " ", "  "]), cases, st.sampled_from(["", " "])).map("".join)


accounts = st.one_of(
    st.sampled_from(["alice", "bob", " carol ", "Dave_99", "émile", "李雷", "o'neil", "a,b", 'say "hi"']),
    st.text(CHARS, min_size=1, max_size=12).filter(lambda text: text.strip() != ""),
)
words = st.one_of(
    st.sampled_from(["", "p1", "tw0001", " spaced ", "x,y", 'q"uote', "multi\nline"]),
    st.text(CHARS, max_size=10),
)
texts = st.one_of(
    st.sampled_from(
        [
            "",
            "notes on #python",
            'he said "hi", then left',
            "line one\nline two",
            "crlf\r\ninside, #data",
            "a lone\rcarriage return",
            "emoji 🎉 #fun",
            "日本語 #データ",
            "   padded   ",
            '""',
            "#a#b #c",
        ]
    ),
    st.text(CHARS, max_size=40),
)
topics = st.sampled_from(["", "ai", "ai;data", " Python ; ML ", "music;", "Ünïcode"])
platforms = st.one_of(
    st.sampled_from(["", "twitter", "Twitter", " LinkedIn ", "MASTODON", "face book"]), st.text(CHARS, max_size=8)
)


def kinds(aimed: bool) -> st.SearchStrategy[str]:
    """Any kind in any case and padding; only kinds that need no target unless `aimed`."""
    allowed = [kind for kind in KINDS if aimed or kind not in NEEDS_TARGET]
    return st.one_of(st.just(""), st.sampled_from(allowed).flatmap(spelled))


def styles(width: int) -> st.SearchStrategy[Style]:
    return st.one_of(st.sampled_from(["minimal", "all"]), st.tuples(*[st.booleans()] * width))


# -- files ----------------------------------------------------------------------------------------


@st.composite
def sheets(
    draw: st.DrawFn,
    *,
    count_values: st.SearchStrategy[str] = counts,
    account: bool = True,
    max_rows: int = 8,
) -> Sheet:
    """A valid file in kscore's schema: some of its columns in any order, odd but valid cells."""
    optional = draw(st.lists(st.sampled_from(OPTIONAL), unique=True))
    unknown = draw(st.lists(st.sampled_from(UNKNOWN), unique=True, max_size=2))
    names = draw(st.permutations([*(["account"] if account else []), "timestamp", *optional, *unknown]))
    header = [draw(spelled(name)) if name in NAMES else name for name in names]
    names = [name.strip().lower() for name in names]

    rows = []
    for _ in range(draw(st.integers(1, max_rows))):
        cells = {
            "account": draw(accounts),
            "timestamp": draw(timestamps()),
            "platform": draw(platforms),
            "kind": draw(kinds("target" in names)),
            "post_id": draw(words),
            "target": draw(words),
            "topics": draw(topics),
            "text": draw(texts),
        }
        if cells["kind"].strip().lower() in NEEDS_TARGET and not cells["target"].strip():
            cells["target"] = "someone"
        row = [
            cells[name] if name in cells else draw(count_values) if name in NUMBERS else draw(words) for name in names
        ]
        rows.append(row)
    return Sheet(
        names=names,
        header=header,
        rows=rows,
        styles=[draw(styles(len(names))) for _ in range(len(rows) + 1)],
        ending=draw(st.sampled_from(["\n", "\r\n"])),
        bom=draw(st.booleans()),
        final_newline=draw(st.booleans()),
    )


def plain(sheet: Sheet) -> bool:
    return all(is_plain(cell) for row in sheet.rows for name, cell in zip(sheet.names, row) if name in NUMBERS)


#: Count cells each reader must refuse (a row with one is an error, or skipped), and the same way.
BAD_COUNTS = [
    "nan",
    "NaN",
    "-nan",
    "NAN",
    "inf",
    "-inf",
    "Infinity",
    "-5",
    "1.5",
    "abc",
    "1,000",
    "0x10",
    "1_000",
    "١٢",
    "1e16",
    "1000000000000001",
    "1e-5",
    "NA",
    "null",
    "true",
    "5 5",
]
#: Count cells that are odd but not wrong: blank (empty), or a count padded with other whitespace.
ODD_COUNTS = ["   ", "\t", "\xa07", "7\u3000", "\x0b7"]
BAD_TIMES = ["yesterday", "2024-13-01", "2024-02-30", "1899-12-31", "2200-01-01", "01/02/2024", "", "   "]
#: Lines that are not a plain record: blank, all spaces, a lone empty quoted cell, a ragged row.
ODD_LINES = ["", "   ", "\t", '""', '" "', "alice", "alice,2024-01-01,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15", ","]


@st.composite
def broken_sheets(draw: st.DrawFn, *, account: bool = True) -> Sheet:
    """A file in kscore's schema with one to three faults: bad cells, odd lines, a bad header."""
    sheet = draw(sheets(account=account, max_rows=5))
    for _ in range(draw(st.integers(1, 3))):
        fault = draw(st.sampled_from(["count", "time", "line", "before header", 'ab"c', "unterminated", "header"]))
        row = draw(st.integers(0, len(sheet.rows) - 1))
        numbers = [index for index, name in enumerate(sheet.names) if name in NUMBERS]
        if fault == "count" and numbers:
            sheet.rows[row][draw(st.sampled_from(numbers))] = draw(st.sampled_from(BAD_COUNTS + ODD_COUNTS))
        elif fault == "time":
            sheet.rows[row][sheet.names.index("timestamp")] = draw(st.sampled_from(BAD_TIMES))
        elif fault == "line":
            sheet.raw.append((draw(st.integers(0, len(sheet.rows))), draw(st.sampled_from(ODD_LINES))))
        elif fault == "before header":
            sheet.raw.append((-1, draw(st.sampled_from(["", "   ", '""']))))
        elif fault == 'ab"c':
            # a quote inside an unquoted cell: written as it is, not quoted
            sheet.rows[row][draw(st.integers(0, len(sheet.names) - 1))] = 'ab"c'
            sheet.styles[row + 1] = (False,) * len(sheet.names)
        elif fault == "unterminated":
            sheet.raw.append((len(sheet.rows), 'zed,2024-01-01,"never closed'))
            sheet.final_newline = draw(st.booleans())
        elif fault == "header":
            at = draw(st.integers(0, len(sheet.names)))
            sheet.names.insert(at, "")
            sheet.header.insert(at, draw(st.sampled_from(["", " ", "  "])))
            for cells in sheet.rows:
                cells.insert(at, draw(words))
            sheet.styles = [(*style, False) if isinstance(style, tuple) else style for style in sheet.styles]
    return sheet


# -- the tests ------------------------------------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(sheets())
def test_valid_files_read_the_same_and_clean_ones_fast(sheet: Sheet) -> None:
    fast = same_on(sheet.encode())
    assert fast.error is None, f"a valid file was refused: {fast.error}"
    assert fast.report is not None and fast.report.skipped == {}
    if plain(sheet):
        assert fast.took_fast, "a clean file with plain counts was not read by the fast reader"


@settings(max_examples=60, deadline=None)
@given(sheets(count_values=plain_counts))
def test_clean_files_with_plain_counts_are_read_fast(sheet: Sheet) -> None:
    fast = same_on(sheet.encode())
    assert fast.error is None, f"a valid file was refused: {fast.error}"
    assert fast.took_fast


@settings(max_examples=120, deadline=None)
@given(broken_sheets(), st.booleans())
def test_broken_files_fail_or_skip_the_same(sheet: Sheet, skip: bool) -> None:
    same_on(sheet.encode(), skip=skip)


@pytest.mark.parametrize("skip", [False, True], ids=["stop", "skip"])
@pytest.mark.parametrize("column", ["likes", "followers"])
@pytest.mark.parametrize("value", BAD_COUNTS + ODD_COUNTS)
def test_a_bad_or_odd_count_gives_the_same_answer(value: str, column: str, skip: bool) -> None:
    rows = [["alice", "2024-01-01", "3", "notes"], ["bob", "2024-01-02", value, "more"], ["cy", "2024-01-03", "", ""]]
    data = "\n".join(line(row, "minimal") for row in [["account", "timestamp", column, "text"], *rows]) + "\n"
    fast = same_on(data.encode(), skip=skip)
    if value in BAD_COUNTS:
        assert fast.error is not None or (fast.report is not None and fast.report.rows_skipped == 1)


HEADER = "account,timestamp,likes,text"
ODD_FILES = {
    "too few fields": f"{HEADER}\nalice,2024-01-01,3\nbob,2024-01-02\n",
    "too few fields, an optional one": "account,timestamp,text\nalice,2024-01-01\n",
    "too many fields": f"{HEADER}\nalice,2024-01-01,3,hi\nbob,2024-01-02,4,hi,there\n",
    "too many fields in every row": f"{HEADER}\nalice,2024-01-01,3,hi,x\nbob,2024-01-02,4,hi,y\n",
    "a blank line": f"{HEADER}\nalice,2024-01-01,3,hi\n\nbob,2024-01-02,4,hi\n",
    "a blank line, crlf": f"{HEADER}\r\nalice,2024-01-01,3,hi\r\n\r\nbob,2024-01-02,4,hi\r\n",
    "blank lines at the end": f"{HEADER}\nalice,2024-01-01,3,hi\n\n\n",
    "a line of spaces": f"{HEADER}\nalice,2024-01-01,3,hi\n   \nbob,2024-01-02,4,hi\n",
    "a line of a tab": f"{HEADER}\nalice,2024-01-01,3,hi\n\t\nbob,2024-01-02,4,hi\n",
    'a line of ""': f'{HEADER}\nalice,2024-01-01,3,hi\n""\nbob,2024-01-02,4,hi\n',
    "a line of commas": f"{HEADER}\nalice,2024-01-01,3,hi\n,,,\nbob,2024-01-02,4,hi\n",
    "a blank line before the header": f"\n{HEADER}\nalice,2024-01-01,3,hi\n",
    "spaces before the header": f"   \n{HEADER}\nalice,2024-01-01,3,hi\n",
    "a quote inside an unquoted cell": f'{HEADER}\nalice,2024-01-01,3,ab"c\n',
    "a quote inside an unquoted account": f'{HEADER}\nal"ice,2024-01-01,3,hi\n',
    "text after a closing quote": f'{HEADER}\nalice,2024-01-01,3,"ab"c\n',
    "a space after a closing quote": f'{HEADER}\nalice,2024-01-01,3,"ab" \n',
    "a space before an opening quote": f'{HEADER}\nalice,2024-01-01,3, "a,b"\n',
    "an unterminated quote at the end": f'{HEADER}\nalice,2024-01-01,3,hi\nbob,2024-01-02,4,"never closed\n',
    "an unterminated quote, no newline": f'{HEADER}\nalice,2024-01-01,3,"never closed',
    "an unterminated quote swallowing the rows after it": (
        f'{HEADER}\nalice,2024-01-01,3,"never closed\nbob,2024-01-02,4,hi\ncy,2024-01-03,5,hi\n'
    ),
    "a blank header cell": "account,timestamp,,likes\nalice,2024-01-01,x,3\n",
    "a header of spaces": "account,timestamp,  ,likes\nalice,2024-01-01,x,3\n",
    "a trailing comma in the header": "account,timestamp,likes,\nalice,2024-01-01,3,\n",
    "quoted header cells": '"account","Timestamp"," likes "\nalice,2024-01-01,3\n',
    "a header cell across lines": '"acc\nount",timestamp,likes\nalice,2024-01-01,3\n',
    "a duplicate header": "account,timestamp,likes,Likes\nalice,2024-01-01,3,4\n",
    "a bad timestamp": f"{HEADER}\nalice,2024-01-01,3,hi\nbob,yesterday,4,hi\n",
    "a timestamp before 1900": f"{HEADER}\nalice,1899-12-31,3,hi\n",
    "a timestamp in 2200": f"{HEADER}\nalice,2200-01-01T00:00:00Z,3,hi\n",
    "mixed good and bad timestamps": (
        f"{HEADER}\nalice,2024-01-01,3,hi\nbob,2024-01-02T10:00:00+02:00,4,hi\ncy,2024/01/03,5,x\n"
    ),
    "an empty account": f"{HEADER}\n  ,2024-01-01,3,hi\n",
    "an empty timestamp": f"{HEADER}\nalice,,3,hi\n",
    "a bad kind": "account,timestamp,kind\nalice,2024-01-01,poster\n",
    "a like with no target": "account,timestamp,kind,target\nalice,2024-01-01,Like,\n",
    "a like with no target column": "account,timestamp,kind\nalice,2024-01-01,like\n",
    "only the header": f"{HEADER}\n",
    "only the header and blank lines": f"{HEADER}\n\n\n",
    "an empty file": "",
    "only a bom": "\ufeff",
    "a bom and a blank line": f"\ufeff\n{HEADER}\nalice,2024-01-01,3,hi\n",
    "a lone cr inside quotes": f'{HEADER}\nalice,2024-01-01,3,"a\rb"\n',
    "a lone cr ending a row": f"{HEADER}\nalice,2024-01-01,3,hi\rbob,2024-01-02,4,hi\n",
    "a cr before the newline twice": f"{HEADER}\r\r\nalice,2024-01-01,3,hi\r\r\n",
    "a missing required column": "account,likes\nalice,3\n",
}


@pytest.mark.parametrize("skip", [False, True], ids=["stop", "skip"])
@pytest.mark.parametrize("text", list(ODD_FILES.values()), ids=list(ODD_FILES))
def test_odd_files_give_the_same_answer(text: str, skip: bool) -> None:
    same_on(text.encode("utf-8"), skip=skip)


def test_a_nul_past_the_binary_check_reads_the_same() -> None:
    """The NUL check looks at the first 64 KiB only; a NUL later is read by both or neither."""
    filler = "".join(f"alice,2024-01-01,{n},{'x' * 40}\n" for n in range(2000))
    same_on(f"{HEADER}\n{filler}bob,2024-01-02,1,a\x00b\n".encode())


@pytest.mark.parametrize("value", ["-0", "-0.0", "-0e5"])
def test_negative_zero_reads_as_the_same_number(value: str) -> None:
    """`assert_frame_equal` takes -0.0 for 0.0, so compare the sign bits too: a count of -0 is 0."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "zero.csv"
        path.write_text(f"account,timestamp,likes,followers\nalice,2024-01-01,{value},{value}\n", encoding="utf-8")
        fast = read_both_ways_once([str(path)], fast=True, skip=False, reading=PLAIN, stdin=None)
        careful = read_both_ways_once([str(path)], fast=False, skip=False, reading=PLAIN, stdin=None)
    assert fast.took_fast and fast.frame is not None and careful.frame is not None
    for name in ("likes", "followers"):
        assert np.signbit(fast.frame[name].to_numpy()).tolist() == np.signbit(careful.frame[name].to_numpy()).tolist()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(sheets(max_rows=4), broken_sheets()), min_size=2, max_size=4), st.booleans())
def test_several_files_read_the_same(files: list[Sheet], skip: bool) -> None:
    same_on([sheet.encode() for sheet in files], skip=skip)


@settings(max_examples=50, deadline=None)
@given(sheets(count_values=plain_counts, account=False, max_rows=5))
def test_an_account_given_for_a_file_without_one_reads_the_same(sheet: Sheet) -> None:
    fast = same_on(sheet.encode(), reading=Reading(account="someone"))
    assert fast.error is None and fast.frame is not None
    assert fast.took_fast
    assert set(fast.frame["account"]) == {"someone"}


@settings(max_examples=50, deadline=None)
@given(broken_sheets(account=False), st.booleans())
def test_an_account_given_for_a_broken_file_without_one_reads_the_same(sheet: Sheet, skip: bool) -> None:
    same_on(sheet.encode(), skip=skip, reading=Reading(account="someone"))


@pytest.mark.parametrize(
    "text",
    [
        "timestamp\n2024-01-01\n",
        " Timestamp \n 2024-01-01 \n2024-01-02",
        "timestamp\n2024-01-01\n\n2024-01-02\n",
        "timestamp\n2024-01-01\n   \n2024-01-02\n",
        'timestamp\n2024-01-01\n""\n2024-01-02\n',
        'timestamp\n"2024-01-01"\n""\n',
        "timestamp,likes\n2024-01-01,3\n",
        "account,timestamp\nalice,2024-01-01\n",
    ],
    ids=["one column", "padded", "blank line", "spaces line", 'a "" line', 'ends in ""', "two columns", "has one"],
)
@pytest.mark.parametrize("skip", [False, True], ids=["stop", "skip"])
def test_an_account_given_for_small_files_reads_the_same(text: str, skip: bool) -> None:
    same_on(text.encode(), skip=skip, reading=Reading(account="someone"))


def test_several_clean_files_are_each_read_fast() -> None:
    parts = [
        f"{HEADER}\nalice,2024-01-01,3,hi\n",
        "Timestamp , ACCOUNT,followers\r\n2024-02-01T10:00:00Z,bob,120\r\n",
        EXAMPLE.read_text(encoding="utf-8"),
    ]
    fast = same_on([part.encode() for part in parts])
    assert fast.fast == [True, True, True]


def test_a_clean_file_after_a_broken_one_is_still_read_fast() -> None:
    broken = f"{HEADER}\nalice,2024-01-01,nope,hi\nbob,2024-01-02,4,hi\n"
    clean = f"{HEADER}\ncy,2024-01-03,5,hi\n"
    fast = same_on([broken.encode(), clean.encode()], skip=True)
    assert fast.fast == [False, True]
    assert fast.report is not None and fast.report.rows_skipped == 1


def test_the_shipped_example_reads_the_same_and_fast() -> None:
    fast = assert_same([str(EXAMPLE)])
    assert fast.took_fast
    rows = len(EXAMPLE.read_text(encoding="utf-8").splitlines()) - 1
    assert fast.report is not None and fast.report.rows_read == rows


@pytest.mark.parametrize("how", ["gzip", "stdin", "bom and crlf"])
def test_the_shipped_example_reads_the_same_gzipped_from_stdin_or_with_crlf(how: str) -> None:
    data = EXAMPLE.read_bytes()
    if how == "stdin":
        fast = assert_same(["-"], stdin=data)
    elif how == "gzip":
        fast = same_on(gzip.compress(data))
    else:
        fast = same_on(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    assert fast.took_fast


@pytest.mark.parametrize("row", range(5))
def test_one_bad_cell_in_the_shipped_example_reads_the_same(row: int) -> None:
    """One bad count deep in a long file: the fast reader gives up, and both name the same line."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    at = 1 + row * 700
    cells = lines[at].split(",")
    cells[6] = ["-1", "1.5", "many", "nan", "1e16"][row]
    lines[at] = ",".join(cells)
    data = "".join(lines).encode()
    for skip in (False, True):
        same_on(data, skip=skip)


@settings(max_examples=60, deadline=None)
@given(st.one_of(sheets(), broken_sheets()), st.sampled_from([64, 256, 4096]), st.booleans())
def test_files_read_the_same_in_small_blocks(sheet: Sheet, block: int, skip: bool) -> None:
    """pyarrow parses a block at a time: rows and quoted newlines across block boundaries."""
    with mock.patch.object(arrow_module, "BLOCK", block):
        same_on(sheet.encode(), skip=skip)


def long_file(rows: int) -> str:
    """Rows whose quoted text spans lines, so some row straddles each block boundary."""
    body = "".join(
        f'user{n % 97},2024-01-{1 + n % 28:02d}T{n % 24:02d}:00:00Z,{n % 1000},"row {n}\nsays, ""hi"" #tag{n % 7}"\n'
        for n in range(rows)
    )
    return f"{HEADER}\n{body}"


def test_a_file_of_several_blocks_reads_the_same_and_fast() -> None:
    text = long_file(2 + arrow_module.BLOCK // 50)  # each row is over 50 bytes
    assert len(text.encode()) > arrow_module.BLOCK
    fast = same_on(text.encode())
    assert fast.took_fast


@pytest.mark.parametrize("skip", [False, True], ids=["stop", "skip"])
def test_a_bad_cell_past_the_first_block_reads_the_same(skip: bool) -> None:
    lines = long_file(2 + arrow_module.BLOCK // 50).split("\n")
    at = [index for index, text in enumerate(lines) if text.startswith("user")][-3]
    cells = lines[at].split(",", 3)
    cells[2] = "-1"  # a row near the end: its likes
    lines[at] = ",".join(cells)
    fast = same_on("\n".join(lines).encode(), skip=skip)
    assert fast.fast == [False]


def test_the_sheets_write_what_they_mean() -> None:
    """The generator's own check: a sheet round-trips through the csv module."""
    sheet = Sheet(
        names=["account", "timestamp", "text"],
        header=[" Account", "TIMESTAMP", "text"],
        rows=[["a,b", "2024-01-01", 'say "hi"\r\nbye'], ["c", "2024-01-02", "plain"]],
        styles=["minimal", "all", (True, False, False)],
        ending="\r\n",
        bom=True,
        final_newline=False,
    )
    data = sheet.encode()
    assert data.startswith(b"\xef\xbb\xbf") and not data.endswith(b"\r\n")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read == [sheet.header, *sheet.rows]
    assert same_on(data).took_fast


def test_lines_ending_in_a_lone_carriage_return_read_the_same_and_errors_name_the_line() -> None:
    """Old Mac line endings: both readers take them, and the careful one counts lines right."""
    clean = b"account,timestamp,likes\ralice,2024-01-01,3\rbob,2024-01-02,4\r"
    assert same_on(clean).took_fast
    bad = same_on(clean.replace(b",4\r", b",x\r"))
    assert bad.error is not None and ":3: column 'likes': 'x' is not a count" in bad.error[1]


@pytest.mark.parametrize("skip", [False, True], ids=["stop", "skip"])
@pytest.mark.parametrize(
    "text",
    [
        # an inch mark in one cell evens the count of quotes, and a quote left open in the
        # last column would swallow every row after it: the careful reader refuses the file
        'account,timestamp,likes,text\nalice,2024-01-01,1,5" screen\nbob,2024-01-02,2,"open\n'
        "cy,2024-01-03,3,hello\ndan,2024-01-04,4,bye\n",
        'account,timestamp,likes,text\r\nalice,2024-01-01,1,12"\r\nbob,2024-01-02,2,"open\r\ncy,2024-01-03,3,x\r\n',
        'account,timestamp,likes,text\nalice,2024-01-01,1,"closed"after\nbob,2024-01-02,2,"fine"\n',
    ],
    ids=["inch-mark-then-open", "crlf", "text-after-closing-quote"],
)
def test_a_quote_left_open_is_never_read_fast(text: str, skip: bool) -> None:
    outcome = same_on(text.encode(), skip=skip)
    assert not any(outcome.fast)


def test_quoted_fields_with_doubled_quotes_and_newlines_are_read_fast() -> None:
    text = 'account,timestamp,likes,text\r\n"alice",2024-01-01,1,"say ""hi"",\nthen go"\r\nbob,2024-01-02,2,""\r\n'
    assert same_on(("\ufeff" + text).encode()).took_fast
