"""Read activity CSVs (files, `-` for stdin, gzip) and validate every cell, vectorised.

A bad cell stops the read with `file:line: column 'x': 'value' is not ...` unless the caller
asked to skip bad rows, in which case they are dropped and counted by reason.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import re
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from klout_cli.core import InputError
from klout_cli.ingest.arrow import LONG_FIELD_LINES, read_typed, swallows_rows
from klout_cli.ingest.mapping import ColumnMap
from klout_cli.ingest.names import apply_display, clean_names, count_spellings, respellings
from klout_cli.ingest.remap import absent_counts, apply_map
from klout_cli.ingest.schema import AUDIENCE, COUNTS, KINDS, NAMES, NEEDS_TARGET, REQUIRED

STDIN = "-"
EARLIEST = pd.Timestamp("1900-01-01", tz="UTC")
LATEST = pd.Timestamp("2200-01-01", tz="UTC")
#: A count beyond this is a data error, not an audience (and would overflow the arithmetic).
MAX_COUNT = 1e15
SKIP_HINT = " (use --on-error skip to skip such rows)"
#: A timestamp in kscore's own schema: a date, or a date and a time to the minute or finer, with
#: an optional zone; every field has all its digits (`2024-03-29T22:4` is a file cut short, not 22:04).
COMPLETE_ISO = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?: ?(?:Z|[+-][0-9]{2}:?[0-9]{2}))?)?"
)
ISO_FORMS = "YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fff]] with an optional Z, +HH:MM or +HHMM"


@dataclass
class FileReport:
    """One input as a run records it."""

    name: str
    sha256: str
    rows: int
    unknown_columns: list[str] = field(default_factory=list)
    format: str = "kscore"
    """How it was read: `kscore` (the canonical schema), a preset's name, or `map NAME`."""
    encoding: str = "utf-8"
    empty_rows: int = 0
    """Rows with nothing in any mapped column (all `NA`, say): left out like blank lines."""
    absent: list[str] = field(default_factory=list)
    """Counts the map reads from columns this file lacks (so they are 0)."""
    first: datetime | None = None
    last: datetime | None = None
    """Its earliest and latest timestamp (rows kept)."""
    undecodable: int = 0
    """Characters of its text that were not UTF-8 (read as U+FFFD, the replacement character)."""
    warnings: list[str] = field(default_factory=list)
    """What was read but looks wrong: a quoted field holding rows (a stray quote?)."""


@dataclass
class ReadReport:
    files: list[FileReport] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    audience: pd.DataFrame | None = None
    """The --accounts file: audience numbers for accounts whose activity lacks them."""

    @property
    def rows_read(self) -> int:
        return sum(item.rows for item in self.files)

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    def skipped_reasons(self) -> str:
        """'3 with column 'likes' not a count; 1 with ...' for the rows skipped."""
        return "; ".join(f"{count:,} with {reason}" for reason, count in sorted(self.skipped.items()))


def _load_bytes(name: str, stdin: BinaryIO | None) -> tuple[str, str, bytes]:
    """(label for messages, sha256 of the bytes as given, the bytes ungzipped)."""
    if name == STDIN:
        label = "<stdin>"
        data = stdin.read() if stdin is not None else b""
    else:
        label = name
        try:
            data = Path(name).read_bytes()
        except FileNotFoundError:
            raise InputError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{name}: is a directory, not a CSV file") from None
        except OSError as error:
            raise InputError(f"{name}: cannot read: {error.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            raise InputError(f"{label}: not a valid gzip file (it starts like one)") from None
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:
        raise InputError(f"{label}: binary data (a NUL byte at offset {nul}), not a CSV text file")
    return label, digest, data


def _decode(data: bytes, label: str, wanted: Callable[[list[str]], ColumnMap | None]) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), else the encoding the file's map declares
    (a map that declares UTF-8 reads bytes that are not as U+FFFD, which no topic is taken from)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        first = data.split(b"\n", 1)[0].decode("latin-1")
        header = [cell.strip().lower() for cell in next(csv.reader([first]), [])]
        chosen = wanted(header)
        if chosen is not None and chosen.encoding:
            if codecs.lookup(chosen.encoding).name == "utf-8":  # UTF-8 with some bytes that are not: shown as �
                return data.decode("utf-8-sig", errors="replace"), "utf-8"
            return data.decode(chosen.encoding, errors="replace"), chosen.encoding
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{label}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8 "
            "(or read it with a column map that names its encoding)"
        ) from None


#: A line and its ending: \n, \r\n or \r, as pandas reads them (the last may have none).
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their endings, as `io.StringIO(text, newline="")` gives them,
    found as they are asked for: a StringIO copies the whole text at 4 bytes a character, so
    reading one header line of a 1 GB file took 4 GB."""
    return (line.group() for line in LINE.finditer(text))


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(physical line where it starts, fields) for every record pandas reads, header first."""
    last: list[str] = [""]

    def remembered() -> Iterator[str]:
        for line in _lines(text):
            last[0] = line
            yield line

    reader = csv.reader(remembered())
    previous_end = 0
    for row in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if not row or (len(row) == 1 and not row[0].strip() and '"' not in last[0]):
            continue  # blank or all-space line: pandas skips it too (but keeps a quoted `" "`)
        yield start, row


def _record_line(text: str, record: int) -> int:
    """The physical line where data record `record` (0-based, after the header) starts."""
    for index, (line, _) in enumerate(_records(text)):
        if index == record + 1:
            return line
    return 0


def _header(text: str, label: str) -> list[str]:
    """Header names, stripped and case-folded; blank ones get a placeholder so they are ignored."""
    for _, row in _records(text):
        return [cell.strip().lower() or f"(blank header, column {index + 1})" for index, cell in enumerate(row)]
    raise InputError(f"{label}: file is empty")


def _too_many_fields(text: str, label: str, width: int) -> InputError:
    for line, row in _records(text):
        if len(row) > width:
            return InputError(f"{label}:{line}: expected {width} fields like the header, saw {len(row)}")
    return InputError(f"{label}: a row has more fields than the header")


BREAK = re.compile(r"\r\n|\r|\n")


def _unclosed_quote(text: str, label: str) -> InputError:
    """A quote that never closes runs to the end of the file: name the line where it opened."""
    line, row = 1, [""]
    for found in _records(text):
        line, row = found
    opened = line + sum(len(BREAK.findall(cell)) for cell in row[:-1])  # it opens the record's last field
    return InputError(
        f"{label}:{opened}: a quote opened here never closes (it runs to the end of the file); "
        'close it, or double a quote inside a quoted field ("")'
    )


def _parse_frame(text: str, label: str, header: list[str]) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            # pandas drops the surplus fields of a row with a warning when every row has them
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                header=0,
                names=header,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                index_col=False,
                engine="c",
            )
    except pd.errors.ParserWarning:
        raise _too_many_fields(text, label, len(header)) from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{label}: file is empty") from None
    except pd.errors.ParserError as error:
        if "Expected" in str(error):
            raise _too_many_fields(text, label, len(header)) from None
        if "EOF inside string" in str(error):
            raise _unclosed_quote(text, label) from None
        raise InputError(f"{label}: not a readable CSV file ({str(error).strip()})") from None
    return frame.fillna("")


def _short_rows(text: str, frame: pd.DataFrame, label: str, *, skip: bool, report: ReadReport) -> pd.DataFrame:
    """Rows with fewer fields than the header (pandas fills them with empty cells): an error
    naming the line, or skipped and counted. The last row of a file without a final newline
    that is short is a file cut off mid-row (a full disk, say), and is named so."""
    width = len(frame.columns)
    if width < 2 or not (frame.iloc[:, -1] == "").any():
        return frame  # a short row ends in an empty cell: without one, every row is whole
    records = list(_records(text))[1:]
    if len(records) != len(frame):  # never drop rows by a position that is not theirs
        found = f"{len(records)} records, {len(frame)} rows"
        raise InputError(f"{label}: cannot tell which lines hold which rows ({found})")
    short = [(index, line, len(row)) for index, (line, row) in enumerate(records) if len(row) < width]
    if not short:
        return frame
    cut = text[-1:] not in ("\n", "\r")
    last = len(frame) - 1

    def words(index: int, fields: int) -> tuple[str, str]:
        if cut and index == last:
            message = f"the last row is cut short ({fields} of {width} fields; the file may be truncated)"
            return message, "the last row cut short (the file may be truncated)"
        return f"expected {width} fields like the header, saw {fields}", "fewer fields than the header"

    if not skip:
        index, line, fields = short[0]
        more = f" (and {len(short) - 1} more short row{'s' if len(short) > 2 else ''})" if len(short) > 1 else ""
        raise InputError(f"{label}:{line}: {words(index, fields)[0]}{more}{SKIP_HINT}")
    for index, _, fields in short:
        report.skipped[words(index, fields)[1]] += 1
    return frame.drop(index=frame.index[[index for index, _, _ in short]])


def _stray_quotes(text: str, frame: pd.DataFrame, label: str, *, strict: bool) -> list[str]:
    """A warning for each quoted field that `swallows_rows` (an error when `strict`), naming
    the line where its quote opened and the line where it closed."""
    width = len(frame.columns)
    found: list[tuple[int, int]] = []  # (record, column)
    for column, name in enumerate(frame.columns):
        cells = frame[name]
        if not pd.api.types.is_string_dtype(cells.dtype):
            continue
        long = cells.str.count("[\r\n]") >= LONG_FIELD_LINES
        for candidate in np.flatnonzero(long.to_numpy(dtype=bool)).tolist():
            if swallows_rows(cells.iloc[candidate], width):
                found.append((candidate, column))
    messages: list[str] = []
    starts = [line for line, _ in _records(text)][1:] if found else []  # one pass, however many are found
    for record, column in sorted(found):
        row = frame.iloc[record]
        start = starts[int(frame.index[record])]
        opened = start + sum(len(BREAK.findall(str(cell))) for cell in row.iloc[:column])
        lines = len(BREAK.findall(row.iloc[column])) + 1
        message = f"{label}:{opened}: a quoted field runs to line {opened + lines - 1} ({lines} lines); a stray quote?"
        if strict:
            raise InputError(f"{message} (an error under --strict)")
        messages.append(f"{message} (--strict makes this an error)")
    return messages


class _Checks:
    """Collects the cells that fail; the first failure of each row is its reason."""

    def __init__(self, size: int, names: Mapping[str, str] | None = None) -> None:
        self.size = size
        self.names = names or {}
        self.found: list[tuple[np.ndarray, str, str, pd.Series, str]] = []

    def add(self, mask: pd.Series, column: str, problem: str, values: pd.Series, reason: str) -> None:
        """`problem` is a template with {value} ("'{value}' is not a count"); `reason` its summary."""
        array = mask.to_numpy(dtype=bool)
        if array.any():
            # a column read through a map is named as the file names it: column 'like_count' (likes)
            shown = f"'{self.names[column]}' ({column})" if column in self.names else f"'{column}'"
            self.found.append((array, shown, problem, values, reason))

    def bad_rows(self) -> np.ndarray:
        bad = np.zeros(self.size, dtype=bool)
        for array, *_ in self.found:
            bad |= array
        return bad

    def first(self) -> tuple[int, str, int]:
        """(record, message, how many rows are bad) for the earliest bad row."""
        bad = self.bad_rows()
        record = int(np.argmax(bad))
        for array, column, problem, values, _ in self.found:
            if array[record]:
                message = f"column {column}: " + problem.format(value=values.iloc[record])
                return record, message, int(bad.sum())
        raise AssertionError("first() called with no bad rows")

    def reasons(self) -> Counter[str]:
        claimed = np.zeros(self.size, dtype=bool)
        counts: Counter[str] = Counter()
        for array, column, _, _, reason in self.found:
            fresh = array & ~claimed
            if fresh.any():
                counts[f"column {column} {reason}"] += int(fresh.sum())
            claimed |= array
        return counts


def _parse_times(cleaned: pd.Series, time_format: str = "ISO8601") -> pd.Series:
    """Dates to UTC at microsecond resolution (pandas picks the unit from the column's values);
    no zone means UTC."""
    stamps = pd.to_datetime(cleaned, format=time_format, utc=True, errors="coerce")
    if str(stamps.dtype).startswith("datetime64[ns"):
        stamps = stamps.dt.floor("us")
    return stamps.dt.as_unit("us")


def _parsed(cleaned: pd.Series, time_format: str) -> pd.Series:
    stamps = _parse_times(cleaned, time_format)
    failed = (cleaned != "") & stamps.isna()
    if failed.any():
        # a column holding nanoseconds cannot hold far dates: parse the failures on their own
        stamps = stamps.where(~failed, _parse_times(cleaned[failed], time_format))
    return stamps


def _timestamps(cleaned: pd.Series, raw: pd.Series, checks: _Checks, formats: Sequence[str] = ()) -> pd.Series:
    """Parse and check timestamps: ISO 8601, else the first of `formats` that reads every value
    (else the one that reads the most, and the others are errors)."""
    candidates = ["ISO8601", *formats]
    best, stamps = candidates[0], _parsed(cleaned, candidates[0])
    for time_format in candidates[1:]:
        if not ((cleaned != "") & stamps.isna()).any():
            break
        other = _parsed(cleaned, time_format)
        if other.notna().sum() > stamps.notna().sum():
            best, stamps = time_format, other
    like = "an ISO 8601 date" if best == "ISO8601" else f"a date like {best}"
    checks.add(cleaned == "", "timestamp", "is empty", raw, "empty")
    incomplete = pd.Series(False, index=cleaned.index)
    if not formats:  # kscore's own schema: complete ISO 8601 only (a preset keeps its own formats)
        incomplete = (cleaned != "") & ~cleaned.str.fullmatch(COMPLETE_ISO).fillna(False).astype(bool)
        problem = "'{value}' is not a complete ISO 8601 timestamp (" + ISO_FORMS + ")"
        checks.add(incomplete, "timestamp", problem, raw, "not a date")
    unread = (cleaned != "") & stamps.isna() & ~incomplete
    checks.add(unread, "timestamp", "'{value}' is not " + like, raw, "not a date")
    plausible = stamps.isna() | ((stamps >= EARLIEST) & (stamps < LATEST))
    checks.add(~plausible, "timestamp", "'{value}' is not between 1900 and 2199", raw, "out of range")
    return stamps.where(plausible)


def _counts(raw: pd.Series, column: str, checks: _Checks, *, missing: float) -> pd.Series:
    """Check a count column: text as the file has it, or numbers the fast reader parsed (NaN: empty)."""
    if pd.api.types.is_float_dtype(raw.dtype):
        numbers, empty = raw, raw.isna()
    else:
        cleaned = raw.str.strip()
        empty = cleaned == ""
        numbers = pd.to_numeric(cleaned.where(~empty, None), errors="coerce").astype("float64")
    not_number = ~empty & (numbers.isna() | ~np.isfinite(numbers.fillna(0)))
    checks.add(not_number, column, "'{value}' is not a count", raw, "not a count")
    valid = ~empty & ~not_number
    checks.add(valid & (numbers < 0), column, "'{value}' is negative; counts cannot be", raw, "negative")
    fraction = valid & (numbers >= 0) & (numbers % 1 != 0)
    checks.add(fraction, column, "'{value}' is not a whole number", raw, "not a whole number")
    huge = valid & (numbers > MAX_COUNT)
    checks.add(huge, column, "'{value}' is too large to be a count (over 10^15)", raw, "too large")
    return (numbers + 0.0).where(~empty, missing)  # + 0.0: a count of -0 is 0, however it is written


def validate(
    frame: pd.DataFrame,
    label: str,
    text: str,
    *,
    skip: bool,
    report: ReadReport,
    time_formats: Sequence[str] = (),
    hint: str = SKIP_HINT,
    names: Mapping[str, str] | None = None,
    typed: bool = False,
) -> pd.DataFrame:
    """Check every cell; return typed canonical columns (bad rows dropped when skipping).

    `names` gives the file's own name of a column read through a map, for the messages. A
    `typed` frame comes from the fast reader: a bad cell raises `_NotClean` instead.
    """
    size = len(frame)
    checks = _Checks(size, names)
    out = pd.DataFrame(index=frame.index)

    account = clean_names(frame["account"])
    checks.add(account == "", "account", "is empty", account, "empty")
    out["account"] = account

    raw_time = frame["timestamp"].str.strip()
    out["timestamp"] = _timestamps(raw_time, frame["timestamp"], checks, time_formats)

    blank = pd.Series("", index=frame.index, dtype=object)
    platform = frame["platform"].str.strip().str.lower() if "platform" in frame else blank
    out["platform"] = platform.where(platform != "", "default")

    kind = frame["kind"].str.strip().str.lower() if "kind" in frame else blank
    kind = kind.where(kind != "", "post")
    known = ", ".join(KINDS)
    checks.add(~kind.isin(KINDS), "kind", "'{value}' is not a kind (" + known + ")", kind, "not a kind")
    out["kind"] = kind

    out["post_id"] = frame["post_id"].str.strip() if "post_id" in frame else blank
    out["target"] = clean_names(frame["target"]) if "target" in frame else blank
    checks.add(
        kind.isin(NEEDS_TARGET) & (out["target"] == ""),
        "target",
        "is empty but kind '{value}' is aimed at someone",
        kind,
        "empty for a like, mention, follow or endorse",
    )

    for name in COUNTS:
        out[name] = _counts(frame[name], name, checks, missing=0.0) if name in frame else 0.0
    for name in AUDIENCE:
        out[name] = _counts(frame[name], name, checks, missing=np.nan) if name in frame else np.nan
    for name in ("topics", "text"):
        out[name] = frame.get(name, blank)

    if checks.found:
        if typed:
            raise _NotClean  # the careful reader reads it again, and names the problem
        if not skip:
            record, message, bad = checks.first()
            more = f" (and {bad - 1} more bad row{'s' if bad > 2 else ''})" if bad > 1 else ""
            line = _record_line(text, int(frame.index[record]))  # the record's number in the file
            raise InputError(f"{label}:{line}: {message}{more}{hint}")
        report.skipped.update(checks.reasons())
        out = out[~checks.bad_rows()]
    return out


class _NotClean(Exception):
    """The fast reader's rows have a bad cell: read the file carefully to name it."""


def _no_duplicates(header: Sequence[str], label: str) -> None:
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise InputError(f"{label}:1: column '{column}' appears twice (names match case-insensitively)")
        seen.add(column)


def _unknown_header(label: str, header: Sequence[str]) -> InputError:
    from klout_cli.ingest.presets import nearest

    preset, lacking = nearest(header)
    canonical = ", ".join(f"'{column}'" for column in REQUIRED if column not in header)
    shown = ", ".join(f"'{column}'" for column in lacking)
    close = (
        f"nearest: {preset.name}, which needs {shown} too"
        if len(lacking) < len(preset.detect)
        else "none is close: see `kscore presets`"
    )
    return InputError(
        f"{label}:1: unknown header: the canonical columns {canonical} are not there and no preset matches "
        f"({close}); to read it, write a column map: `kscore presets {preset.name} > my-map.yaml`, "
        "point its columns at yours, then pass --map my-map.yaml"
    )


def _choose_map(
    header: Sequence[str],
    label: str,
    preset: str | None,
    column_map: ColumnMap | None,
    account: str | None,
    model_map: ColumnMap | None = None,
) -> ColumnMap | None:
    """The map to read a file with: the user's, the preset asked for, none for the canonical
    schema (its account may come from --account), else the preset its header matches."""
    from klout_cli.ingest.presets import detect, presets

    if preset is not None:
        forced = presets()[preset]
        lacking = [column for column in forced.detect if column not in header]
        if lacking:
            raise InputError(
                f"{label}:1: not an export the {preset} preset reads: its header lacks "
                f"{', '.join(repr(c) for c in lacking)}"
            )
        return forced
    if column_map is not None:
        return column_map  # --map: asked for, so every file
    if all(column in header for column in REQUIRED):
        return None  # kscore's own schema: read as it is, whatever the model's columns say
    found = detect(header)
    if found is None and account and all(column in header for column in REQUIRED if column != "account"):
        return None  # kscore's schema but for the account, which --account gives
    if found is None and model_map is not None:
        return model_map  # neither kscore's schema nor a preset's export: the model says how
    if found is None and any(column in header for column in REQUIRED):
        missing = [column for column in REQUIRED if column not in header]
        shown = ", ".join(column for column in header if column)
        raise InputError(
            f"{label}:1: missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} (found: {shown}; see `kscore schema`"
            f"{_nearest_hint(header)})"
        )
    if found is None:
        raise _unknown_header(label, header)
    return found


def _nearest_hint(header: Sequence[str]) -> str:
    from klout_cli.ingest.presets import nearest

    preset, lacking = nearest(header)
    if len(lacking) == len(preset.detect):
        return ", or `kscore presets`"
    article = "an" if preset.name[:1] in "aeiox" else "a"  # x is said "ex"
    return f"; or is it {article} {preset.name} export? It needs {', '.join(repr(c) for c in lacking)} too"


def _read_fast(
    data: bytes, header: list[str], label: str, account: str | None, on_read: Callable[[int, int], None]
) -> pd.DataFrame | None:
    """A clean file in kscore's schema, read by pyarrow and checked; None to read it carefully."""
    frame = read_typed(data, header, on_read)
    if frame is None or frame.empty:
        return None
    if account is not None:
        frame["account"] = account
    try:
        return validate(frame, label, "", skip=False, report=ReadReport(), typed=True)
    except _NotClean:
        return None


def _stored_size(name: str, size: int) -> int:
    """The file's size on disk (gzip: compressed), which the progress bar counts in; `size`
    (the bytes read) for standard input and pipes, whose size is unknown."""
    if name == STDIN:
        return size
    try:
        return Path(name).stat().st_size or size
    except OSError:
        return size


class _FileProgress:
    """Passes one file's progress on, in bytes as stored on disk, and squares up at the end."""

    def __init__(self, size: int, stored: int, on_read: Callable[[int, int], None] | None) -> None:
        self.scale = stored / size if size else 0.0
        self.stored, self.on_read = stored, on_read
        self.bytes = self.rows = 0

    def __call__(self, size: int, rows: int) -> None:
        if self.on_read is not None:
            advance = min(round(size * self.scale), self.stored - self.bytes)
            self.bytes += advance
            self.rows += rows
            self.on_read(advance, rows)

    def done(self, rows: int) -> None:
        """All of the file is read, holding `rows` rows (the fast reader may have counted some)."""
        if self.on_read is not None:
            self.on_read(self.stored - self.bytes, rows - self.rows)
            self.bytes, self.rows = self.stored, rows


def _read_one(
    name: str,
    stdin: BinaryIO | None,
    report: ReadReport,
    *,
    skip: bool,
    preset: str | None,
    column_map: ColumnMap | None,
    account: str | None,
    model_map: ColumnMap | None = None,
    on_read: Callable[[int, int], None] | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    label, digest, data = _load_bytes(name, stdin)
    progress = _FileProgress(len(data), _stored_size(name, len(data)), on_read)

    def wanted(header: list[str]) -> ColumnMap | None:
        try:
            return _choose_map(header, label, preset, column_map, account, model_map)
        except InputError:
            return None

    text, encoding = _decode(data, label, wanted)
    header = _header(text, label)
    _no_duplicates(header, label)
    chosen = _choose_map(header, label, preset, column_map, account, model_map)
    if chosen is None:
        del text  # the fast reader reads the bytes: the text, as large as the file, would raise the peak
        fast = _read_fast(data, header, label, account, progress)
        if fast is not None:
            unknown = [column for column in header if column not in NAMES]
            report.files.append(FileReport(label, digest, len(fast), unknown, "kscore", encoding))
            _dated(report.files[-1], fast)
            progress.done(len(fast))
            return fast
        text, encoding = _decode(data, label, wanted)
    frame = _parse_frame(text, label, header)
    if frame.empty:
        raise InputError(f"{label}: no rows after the header")
    rows = len(frame)
    frame = _short_rows(text, frame, label, skip=skip, report=report)
    stray = _stray_quotes(text, frame, label, strict=strict)
    empty = 0
    if chosen is None:
        unknown = [column for column in header if column not in NAMES]
        if account is not None:
            frame["account"] = account
        mapped, how = frame, "kscore"
        formats: Sequence[str] = ()
        absent: list[str] = []
        names: dict[str, str] = {}
    else:
        file_name = "" if name == STDIN else Path(name).name
        mapped, unknown, blank = apply_map(chosen, frame, label, file_name, account)
        empty = int(blank.sum())
        mapped = mapped[~blank]  # a row with nothing in any mapped column is a blank line
        if mapped.empty:
            raise InputError(f"{label}: no rows with data (every row is empty in the columns {chosen.name} reads)")
        formats = chosen.time_formats
        how = (
            f"map {chosen.name}"
            if chosen is column_map
            else "the model's columns:"
            if chosen is model_map
            else chosen.name
        )
        absent = absent_counts(chosen, header)
        found = {canonical: source.present_in(header) for canonical, source in chosen.columns.items()}
        names = {canonical: name for canonical, name in found.items() if name is not None and name != canonical}
    report.files.append(FileReport(label, digest, rows, unknown, how, encoding, empty, absent))
    filed = report.files[-1]
    filed.warnings = stray
    filed.undecodable = text.count("\ufffd") if encoding == "utf-8" and "\ufffd" in text else 0
    checked = validate(mapped, label, text, skip=skip, report=report, time_formats=formats, names=names)
    _dated(filed, checked)
    progress.done(rows)
    return checked


def _dated(report: FileReport, rows: pd.DataFrame) -> None:
    """Note a file's earliest and latest timestamp."""
    if len(rows):
        report.first, report.last = rows["timestamp"].min().to_pydatetime(), rows["timestamp"].max().to_pydatetime()


@dataclass(frozen=True)
class Reading:
    """How to read the inputs: a preset or map to force, an account to name, an audience file."""

    preset: str | None = None
    column_map: ColumnMap | None = None
    """--map: read every FILE with it."""
    model_map: ColumnMap | None = None
    """The model's `columns:` section: read every FILE not in kscore's schema with it."""
    account: str | None = None
    accounts: str | None = None
    """A side file of audience numbers: account, platform, followers, following[, timestamp]."""
    strict: bool = False
    """--strict: what would be a warning (a quoted field holding rows) is an error."""


def read_whole(
    name: str,
    stdin: BinaryIO | None,
    report: ReadReport,
    *,
    skip: bool,
    reading: Reading,
    on_read: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """One input read whole and validated, as `reading` says; its file report added to `report`."""
    return _read_one(
        name,
        stdin,
        report,
        skip=skip,
        preset=reading.preset,
        column_map=reading.column_map,
        account=reading.account,
        model_map=reading.model_map,
        on_read=on_read,
        strict=reading.strict,
    )


AUDIENCE_COLUMNS = ("account", "platform", "followers", "following", "timestamp")


def read_audience(name: str, stdin: BinaryIO | None) -> pd.DataFrame:
    """The --accounts file: account, platform, followers, following and timestamp (NaT: undated)."""
    label, _, data = _load_bytes(name, stdin)
    text, _ = _decode(data, label, lambda header: None)
    header = _header(text, label)
    _no_duplicates(header, label)
    lacking = [column for column in ("account", "platform") if column not in header]
    if lacking:
        raise InputError(
            f"{label}:1: an accounts file needs the columns account, platform, followers, following "
            f"(missing: {', '.join(lacking)})"
        )
    unknown = [column for column in header if column not in AUDIENCE_COLUMNS]
    if unknown:
        raise InputError(
            f"{label}:1: column '{unknown[0]}' is not one of an accounts file's: {', '.join(AUDIENCE_COLUMNS)}"
        )
    frame = _parse_frame(text, label, header)
    if frame.empty:
        raise InputError(f"{label}: no rows after the header")
    undated = frame["timestamp"].str.strip() == "" if "timestamp" in frame else pd.Series(True, index=frame.index)
    frame["timestamp"] = frame["timestamp"].where(~undated, "2000-01-01") if "timestamp" in frame else "2000-01-01"
    checked = validate(frame, label, text, skip=False, report=ReadReport(), hint="")
    checked["timestamp"] = checked["timestamp"].where(~undated)
    return checked[["account", "platform", "followers", "following", "timestamp"]]


def read_sources(
    names: Sequence[str],
    *,
    skip: bool = False,
    stdin: BinaryIO | None = None,
    reading: Reading = Reading(),
    on_read: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, ReadReport]:
    """Read and validate every input; returns one frame in the canonical schema.

    Each file is read as the canonical schema when its header has it, else through the preset
    its header matches; `reading` may force a preset or a map, name every row's account and add
    an audience file.
    """
    report = ReadReport()
    frames = [read_whole(name, stdin, report, skip=skip, reading=reading, on_read=on_read) for name in names]
    combined = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(NAMES))
    display = respellings(count_spellings(combined)) if len(combined) else {}
    combined = apply_display(combined, display)
    if reading.accounts is not None:
        report.audience = apply_display(read_audience(reading.accounts, stdin), display)
    return combined, report
