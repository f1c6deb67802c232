"""Read activity CSVs (files, `-` for stdin, gzip) and validate every cell, vectorised.

A bad cell stops the read with `file:line: column 'x': 'value' is not ...` unless the caller
asked to skip bad rows, in which case they are dropped and counted by reason.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import warnings
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from klout_cli.core import InputError
from klout_cli.ingest.schema import AUDIENCE, COUNTS, KINDS, NAMES, NEEDS_TARGET, REQUIRED

STDIN = "-"
EARLIEST = pd.Timestamp("1900-01-01", tz="UTC")
LATEST = pd.Timestamp("2200-01-01", tz="UTC")
#: A count beyond this is a data error, not an audience (and would overflow the arithmetic).
MAX_COUNT = 1e15
SKIP_HINT = " (use --on-error skip to skip such rows)"


@dataclass
class FileReport:
    """One input as a run records it."""

    name: str
    sha256: str
    rows: int
    unknown_columns: list[str] = field(default_factory=list)


@dataclass
class ReadReport:
    files: list[FileReport] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def rows_read(self) -> int:
        return sum(item.rows for item in self.files)

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    def skipped_reasons(self) -> str:
        """'3 with column 'likes' not a count; 1 with ...' for the rows skipped."""
        return "; ".join(f"{count:,} with {reason}" for reason, count in sorted(self.skipped.items()))


def _load_text(name: str, stdin: BinaryIO | None) -> tuple[str, str, str]:
    """(label for messages, sha256 of the bytes as given, decoded text)."""
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
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{label}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None
    return label, digest, text


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(physical line where it starts, fields) for every record pandas reads, header first."""
    reader = csv.reader(io.StringIO(text))
    previous_end = 0
    for row in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank or all-space line: pandas skips it too
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
        raise InputError(f"{label}: not a readable CSV file ({str(error).strip()})") from None
    return frame.fillna("")


class _Checks:
    """Collects the cells that fail; the first failure of each row is its reason."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.found: list[tuple[np.ndarray, str, str, pd.Series, str]] = []

    def add(self, mask: pd.Series, column: str, problem: str, values: pd.Series, reason: str) -> None:
        """`problem` is a template with {value} ("'{value}' is not a count"); `reason` its summary."""
        array = mask.to_numpy(dtype=bool)
        if array.any():
            self.found.append((array, column, problem, values, reason))

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
                message = f"column '{column}': " + problem.format(value=values.iloc[record])
                return record, message, int(bad.sum())
        raise AssertionError("first() called with no bad rows")

    def reasons(self) -> Counter[str]:
        claimed = np.zeros(self.size, dtype=bool)
        counts: Counter[str] = Counter()
        for array, column, _, _, reason in self.found:
            fresh = array & ~claimed
            if fresh.any():
                counts[f"column '{column}' {reason}"] += int(fresh.sum())
            claimed |= array
        return counts


def _parse_times(cleaned: pd.Series) -> pd.Series:
    """ISO 8601 to UTC at microsecond resolution (pandas picks the unit from the column's values)."""
    stamps = pd.to_datetime(cleaned, format="ISO8601", utc=True, errors="coerce")
    if str(stamps.dtype).startswith("datetime64[ns"):
        stamps = stamps.dt.floor("us")
    return stamps.dt.as_unit("us")


def _timestamps(cleaned: pd.Series, raw: pd.Series, checks: _Checks) -> pd.Series:
    """Parse and check timestamps; the verdict on a value never depends on the other rows."""
    stamps = _parse_times(cleaned)
    failed = (cleaned != "") & stamps.isna()
    if failed.any():
        # a column holding nanoseconds cannot hold far dates: parse the failures on their own
        stamps = stamps.where(~failed, _parse_times(cleaned[failed]))
    checks.add(cleaned == "", "timestamp", "is empty", raw, "empty")
    checks.add((cleaned != "") & stamps.isna(), "timestamp", "'{value}' is not an ISO 8601 date", raw, "not a date")
    plausible = stamps.isna() | ((stamps >= EARLIEST) & (stamps < LATEST))
    checks.add(~plausible, "timestamp", "'{value}' is not between 1900 and 2199", raw, "out of range")
    return stamps.where(plausible)


def _counts(raw: pd.Series, column: str, checks: _Checks, *, missing: float) -> pd.Series:
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
    return numbers.where(~empty, missing)


def validate(frame: pd.DataFrame, label: str, text: str, *, skip: bool, report: ReadReport) -> pd.DataFrame:
    """Check every cell; return typed canonical columns (bad rows dropped when skipping)."""
    size = len(frame)
    checks = _Checks(size)
    out = pd.DataFrame(index=frame.index)

    account = frame["account"].str.strip()
    checks.add(account == "", "account", "is empty", account, "empty")
    out["account"] = account

    raw_time = frame["timestamp"].str.strip()
    out["timestamp"] = _timestamps(raw_time, frame["timestamp"], checks)

    blank = pd.Series("", index=frame.index, dtype=object)
    platform = frame["platform"].str.strip().str.lower() if "platform" in frame else blank
    out["platform"] = platform.where(platform != "", "default")

    kind = frame["kind"].str.strip().str.lower() if "kind" in frame else blank
    kind = kind.where(kind != "", "post")
    known = ", ".join(KINDS)
    checks.add(~kind.isin(KINDS), "kind", "'{value}' is not a kind (" + known + ")", kind, "not a kind")
    out["kind"] = kind

    for name in ("post_id", "target"):
        out[name] = frame[name].str.strip() if name in frame else blank
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
        if not skip:
            record, message, bad = checks.first()
            more = f" (and {bad - 1} more bad row{'s' if bad > 2 else ''})" if bad > 1 else ""
            raise InputError(f"{label}:{_record_line(text, record)}: {message}{more}{SKIP_HINT}")
        report.skipped.update(checks.reasons())
        out = out[~checks.bad_rows()]
    return out


def read_sources(
    names: Sequence[str], *, skip: bool = False, stdin: BinaryIO | None = None
) -> tuple[pd.DataFrame, ReadReport]:
    """Read and validate every input; returns one frame in the canonical schema."""
    report = ReadReport()
    frames = []
    for name in names:
        label, digest, text = _load_text(name, stdin)
        header = _header(text, label)
        seen: set[str] = set()
        for column in header:
            if column in seen:
                raise InputError(f"{label}:1: column '{column}' appears twice (names match case-insensitively)")
            seen.add(column)
        missing = [column for column in REQUIRED if column not in seen]
        if missing:
            found = ", ".join(column for column in header if column) or "nothing"
            raise InputError(
                f"{label}:1: missing required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(c) for c in missing)} "
                f"(found: {found}; see `kscore schema`)"
            )
        frame = _parse_frame(text, label, header)
        if frame.empty:
            raise InputError(f"{label}: no rows after the header")
        unknown = [column for column in header if column not in NAMES]
        report.files.append(FileReport(label, digest, len(frame), unknown))
        frames.append(validate(frame, label, text, skip=skip, report=report))
    combined = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(NAMES))
    return combined, report
