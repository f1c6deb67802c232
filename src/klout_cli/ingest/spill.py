"""Rows split by account into parts on disk, so a run holds one part's rows at a time.

Every row of an account lands in the same part, in the order it was read. Whatever a run sums
per account (features, top items, duplicates, the edges an account gives, its topics) comes out
of the parts the same, to the bit, as out of all the rows at once; and memory grows with the
largest part, not with the input. Parts are Arrow IPC files in a temporary directory, removed
when the run ends (or by the next run, if this one is killed outright: see leftovers).

Files in kscore's schema are read as a stream: the header checked, then the whole file in one
pass (hash, UTF-8, quotes), then parsed by pyarrow a block at a time, the rows validated and
split as they come; a large standard input is first copied to a file. Anything else (presets,
maps, a bad cell, a stray quote, pipes) is read whole by the careful reader, then split.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import io
import math
import os
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from klout_cli.core.errors import InputError
from klout_cli.ingest.aggregate import DAY_SECONDS, Outside
from klout_cli.ingest.arrow import (
    BLOCK,
    BOM,
    HEADER_BYTES,
    UNREADABLE,
    _quotes_close,
    columns_of,
    open_reader,
    to_frame,
)
from klout_cli.ingest.leftovers import PARTS, STDIN_COPY, own_prefix, remove_leftovers
from klout_cli.ingest.names import Respellings, apply_display, count_spellings, merge_spellings, respellings
from klout_cli.ingest.read import (
    STDIN,
    FileReport,
    Reading,
    ReadReport,
    _choose_map,
    _FileProgress,
    _header,
    _NotClean,
    _stored_size,
    read_audience,
    read_whole,
    validate,
)
from klout_cli.ingest.schema import AUDIENCE, COUNTS, NAMES, folded_name

#: Input bytes per part: a part's rows, as pandas works on them, take about 8 times this.
PART_BYTES = 32 << 20
MAX_PARTS = 256
#: Inputs smaller than this are read whole, in one part.
SPLIT_FROM = 2 * PART_BYTES
#: `Spill.part_near` leaves out only rows more than this outside the window (microseconds):
#: `window_rows` judges the rest, so float rounding at the edges never decides it.
MARGIN_US = 1_000_000
DAY_US = DAY_SECONDS * 1e6
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: What a gzip file is taken to expand to, to choose the count of parts.
GZIP_RATIO = 8
CHUNK = 1 << 24  # bytes the checking pass reads at a time
CARRY_CHUNKS = 4  # chunks the checking pass holds at most while it finds no place to cut
#: Rows validated and split at a time: validating has a cost per call (a million rows took
#: 1.8 s to validate 50,000 at a time, a block each, and 0.8 s 262,144 at a time)
STREAM_ROWS = 1 << 18
GZIP_MAGIC = b"\x1f\x8b"
STDIN_LABEL = "<stdin>"  # as the careful reader names standard input

SCHEMA = pa.schema(
    [
        ("account", pa.large_string()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        *((name, pa.large_string()) for name in ("platform", "kind", "post_id", "target")),
        *((name, pa.float64()) for name in (*COUNTS, *AUDIENCE)),
        ("topics", pa.large_string()),
        ("text", pa.large_string()),
    ]
)
assert SCHEMA.names == list(NAMES), "the parts keep validate's columns, in its order"


def _gzipped(path: str) -> bool:
    with open(path, "rb") as file:
        return file.read(len(GZIP_MAGIC)) == GZIP_MAGIC


def parts_for(names: Sequence[str], stdin_file: str | None = None) -> int:
    """How many parts to split the inputs into: 1 (read whole) below `SPLIT_FROM` bytes.
    `stdin_file` holds standard input's bytes, if they were copied to a file (see `spooled`)."""
    total = 0
    for name in names:
        path = stdin_file if name == STDIN else name
        if path is None or not os.path.isfile(path):
            continue  # a pipe's size is unknown, and reading its start would take it from the reader
        try:
            total += Path(path).stat().st_size * (GZIP_RATIO if _gzipped(path) else 1)
        except OSError:
            continue  # the reader names the problem
    return 1 if total < SPLIT_FROM else min(MAX_PARTS, math.ceil(total / PART_BYTES))


@contextmanager
def spooled(stream: BinaryIO) -> Iterator[str | BinaryIO]:
    """Standard input, kept in memory when small (a stream of its bytes), else copied to a
    temporary file a chunk at a time (the file's path), so that a large input piped in is split
    into parts and read as a stream like a file."""
    head = stream.read(SPLIT_FROM // GZIP_RATIO)  # less than that: too small to split, even ungzipped
    if len(head) < SPLIT_FROM // GZIP_RATIO:
        yield io.BytesIO(head)
        return

    def failed(error: OSError) -> InputError:
        return InputError(
            f"cannot copy standard input to a temporary file: {error.strerror or error}; "
            "set TMPDIR to a disk with room for about three times the input"
        )

    remove_leftovers()
    try:
        copy = tempfile.NamedTemporaryFile(prefix=own_prefix(STDIN_COPY))  # noqa: SIM115 (closed below)
    except OSError as error:
        raise failed(error) from None
    with copy:
        try:
            copy.write(head)
            shutil.copyfileobj(stream, copy, CHUNK)
            copy.flush()
        except OSError as error:
            raise failed(error) from None
        del head
        yield copy.name  # (errors of the run itself are not this copy's)


def part_numbers(accounts: pd.Series, count: int) -> np.ndarray:
    """The part each row goes to: a hash of its account (the same in every run), modulo `count`."""
    codes, distinct = pd.factorize(accounts)
    folded = np.asarray([folded_name(name) for name in distinct], dtype=object)  # spellings of one account meet
    hashed = pd.util.hash_array(folded) % np.uint64(count)
    numbers: np.ndarray = hashed.astype(np.int64)[codes]
    return numbers


class Spill:
    """Parts of the rows on disk: `writer()` adds an input's rows, `part(n)` reads part n back."""

    def __init__(self, count: int) -> None:
        self.count = count
        remove_leftovers()  # what runs killed outright left behind
        try:
            self._directory = tempfile.TemporaryDirectory(prefix=own_prefix(PARTS))
        except OSError as error:
            raise InputError(
                f"cannot make a temporary directory for the parts of the input: {error.strerror or error}; "
                "set TMPDIR to a writable disk with room for about twice the input"
            ) from None
        self.files: list[list[Path]] = [[] for _ in range(count)]
        self.latest: list[datetime | None] = [None] * count
        """Each part's latest timestamp (duplicates not yet merged)."""
        self.earliest: datetime | None = None
        """The earliest timestamp of all the rows."""
        self.rows = 0
        self._inputs = 0
        self.spellings: list[pd.DataFrame] = []
        """Each input's spellings of accounts on case-insensitive platforms, and their rows (names.py)."""
        self._display: dict[tuple[str, str], str] | None = None

    @property
    def display(self) -> dict[tuple[str, str], str]:
        """The spelling each account is shown in: asked for once every input is written."""
        if self._display is None:
            self._display = respellings(merge_spellings(self.spellings))
        return self._display

    def __enter__(self) -> Spill:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._directory.cleanup()

    def failed(self, error: OSError) -> InputError:
        """Writing the parts failed (a full disk, say): one line saying where, and what to do."""
        return cannot_write(self._directory.name, error)

    def writer(self) -> PartWriter:
        self._inputs += 1
        return PartWriter(self, Path(self._directory.name), self._inputs)

    def part(self, index: int) -> pd.DataFrame:
        """Part `index`'s rows in the order they were read, typed as `validate` types them."""
        return part_rows(self.files[index], self.display)

    def part_near(self, index: int, moment: datetime, days: float) -> tuple[pd.DataFrame, Outside]:
        """`part_rows_near` of part `index`."""
        return part_rows_near(self.files[index], self.display, moment, days)

    def kept_path(self, index: int) -> Path:
        """Where part `index` keeps a table until the run is over (see `keep_table`)."""
        return Path(self._directory.name) / f"kept-{index}.arrow"

    def keep(self, index: int, frame: pd.DataFrame) -> None:
        """Keep a table found in part `index` until the run is over (a later pass reads it)."""
        keep_table(self.kept_path(index), frame)

    def kept(self, index: int) -> pd.DataFrame:
        return kept_table(self.kept_path(index))


def cannot_write(directory: str | Path, error: OSError) -> InputError:
    """Writing the parts failed (a full disk, say): one line saying where, and what to do."""
    return InputError(
        f"cannot write the parts of the input to {directory}: {error.strerror or error}; "
        "set TMPDIR to a disk with room for about twice the input"
    )


def part_rows(files: Sequence[str | Path], display: Respellings) -> pd.DataFrame:
    """A part's rows (its Arrow files, in order) as they were read, typed as `validate` types them,
    each account in its shown spelling (`display`)."""
    tables = []
    for path in files:
        with pa.OSFile(str(path)) as source:
            tables.append(pa.ipc.open_file(source).read_all())
    table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    return apply_display(table.to_pandas(split_blocks=True, self_destruct=True), display)


def part_rows_near(
    files: Sequence[str | Path], display: Respellings, moment: datetime, days: float
) -> tuple[pd.DataFrame, Outside]:
    """A part's rows that a window of `days` up to `moment` could use, in the order they were
    read, and how many were left out for being before it or after it.

    A row is left out only if it is more than a second outside the window and no other row
    of the part shares its post id: a row with a copy can merge with it into an item dated
    inside the window, so it stays for `window_rows` to merge and judge. So the window finds
    the same rows as from the whole part, without a copy of the rows it leaves out; the
    part is read a batch at a time, each filtered as it comes.
    """
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # as `window_rows` reads it
    last = (moment - EPOCH) // timedelta(microseconds=1) + MARGIN_US  # exact, for any year
    first = last - 2 * MARGIN_US - round(days * DAY_US)
    repeated = _repeated_rows(files)
    kept, outside, done = [], Outside(), 0
    for path in files:
        with pa.OSFile(str(path)) as source:
            reader = pa.ipc.open_file(source)
            for at in range(reader.num_record_batches):
                batch = reader.get_batch(at)
                micros = batch.column("timestamp").cast(pa.int64()).to_numpy(zero_copy_only=False)
                before, after = micros < first, micros > last
                inside = ~(before | after) | repeated[done : done + len(micros)]
                inside |= batch.column("post_id").is_null().to_numpy(zero_copy_only=False)
                done += len(micros)
                if not inside.all():
                    left = batch.filter(pa.array(~inside)).select(["account", "platform", "timestamp"])
                    outside.note(apply_display(left.to_pandas(), display), before[~inside], after[~inside])
                kept.append(batch if inside.all() else batch.filter(pa.array(inside)))
                del batch
    table = pa.Table.from_batches(kept, schema=SCHEMA)
    del kept
    return apply_display(table.to_pandas(split_blocks=True, self_destruct=True), display), outside


def _repeated_rows(files: Sequence[str | Path]) -> np.ndarray:
    """For each row of a part, in order: could it be a copy of another row? Rows sharing a
    (non-empty) post id may be; so may rows without one that share account and moment
    (`window_rows` judges them on every key). The files are read through a map: only those
    columns' pages are touched."""
    columns: dict[str, list[pa.Array]] = {"post_id": [], "account": [], "timestamp": []}
    with ExitStack() as stack:
        for path in files:
            reader = pa.ipc.open_file(stack.enter_context(pa.memory_map(str(path))))
            for at in range(reader.num_record_batches):
                batch = reader.get_batch(at)
                for name, chunks in columns.items():
                    chunks.append(batch.column(name))
        if not columns["post_id"]:
            return np.zeros(0, dtype=bool)
        ids = pa.chunked_array(columns["post_id"]).combine_chunks().fill_null("")
        accounts = pc.utf8_lower(pa.chunked_array(columns["account"]).combine_chunks())  # spellings meet
        moments = pa.chunked_array(columns["timestamp"]).combine_chunks().cast(pa.int64())
        del columns
    named = pc.not_equal(ids, "").to_numpy(zero_copy_only=False)
    codes = ids.dictionary_encode().indices.to_numpy()
    repeated: np.ndarray = (np.bincount(codes)[codes] > 1) & named
    unnamed = np.flatnonzero(~named)
    if len(unnamed):  # rows without a post id that share account and moment with another such row
        who = accounts.dictionary_encode().indices.to_numpy().astype(np.int64)[unnamed]
        when, _ = pd.factorize(moments.to_numpy(zero_copy_only=False)[unnamed])
        pairs, _ = pd.factorize(who * (int(when.max()) + 1) + when)
        repeated[unnamed] = np.bincount(pairs)[pairs] > 1
    return repeated


def keep_table(path: str | Path, frame: pd.DataFrame) -> None:
    """Keep a table in the file `path` (in the parts' directory) until the run is over."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    try:
        with pa.ipc.new_file(str(path), table.schema) as writer:
            writer.write_table(table)
    except OSError as error:
        raise cannot_write(Path(path).parent, error) from None


def kept_table(path: str | Path) -> pd.DataFrame:
    """The table `keep_table` kept in `path`."""
    with pa.OSFile(str(path)) as source:
        return pa.ipc.open_file(source).read_all().to_pandas()


class PartWriter:
    """One input's rows, split into the parts as they come; `keep()` adds them to the spill,
    `discard()` forgets them (the input is to be read again another way)."""

    def __init__(self, spill: Spill, directory: Path, serial: int) -> None:
        self.spill, self.directory, self.serial = spill, directory, serial
        self.writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
        self.latest: dict[int, datetime] = {}
        self.earliest: datetime | None = None
        self.rows = 0
        self.spellings: list[pd.DataFrame] = []

    def _path(self, index: int) -> Path:
        return self.directory / f"{self.serial}-{index}.arrow"

    def add(self, frame: pd.DataFrame) -> None:
        """Validated rows in the canonical schema."""
        if frame.empty:
            return
        count = self.spill.count
        part = part_numbers(frame["account"], count)
        order = np.argsort(part, kind="stable")  # each part's rows keep the order they came in
        table = pa.Table.from_pandas(frame, schema=SCHEMA, preserve_index=False).take(order)
        start = 0
        for index, size in enumerate(np.bincount(part, minlength=count).tolist()):
            if not size:
                continue
            piece = table.slice(start, size)
            start += size
            try:
                writer = self.writers.get(index)
                if writer is None:
                    writer = self.writers[index] = pa.ipc.new_file(str(self._path(index)), SCHEMA)
                writer.write_table(piece)
            except OSError as error:
                raise self.spill.failed(error) from None
            newest = pc.max(piece.column("timestamp")).as_py()
            if index not in self.latest or newest > self.latest[index]:
                self.latest[index] = newest
        oldest = pc.min(table.column("timestamp")).as_py()
        self.earliest = oldest if self.earliest is None or oldest < self.earliest else self.earliest
        self.rows += len(frame)
        self.spellings.append(count_spellings(frame))

    def _close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def keep(self) -> None:
        try:
            self._close()
        except OSError as error:
            raise self.spill.failed(error) from None
        spill = self.spill
        for index in sorted(self.writers):
            spill.files[index].append(self._path(index))
            newest = self.latest[index]
            known = spill.latest[index]
            spill.latest[index] = newest if known is None or newest > known else known
        if self.earliest is not None and (spill.earliest is None or self.earliest < spill.earliest):
            spill.earliest = self.earliest
        spill.rows += self.rows
        spill.spellings.append(merge_spellings(self.spellings))
        spill._display = None

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # the files go anyway
            self._close()
        for index in self.writers:
            self._path(index).unlink(missing_ok=True)


class _Scan:
    """What the checking pass found: the file's hash and size, and whether the streaming reader
    can read it as the careful reader would."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self.readable = True


def _contents(path: str, scan: _Scan) -> Iterator[bytes]:
    """The file's bytes, ungzipped, a chunk at a time (hashing the bytes as stored)."""
    with open(path, "rb") as file:
        chunk = file.read(CHUNK)
        zipped = chunk[:2] == GZIP_MAGIC
        inflate, fed = zlib.decompressobj(wbits=31), False
        while chunk:
            scan.digest.update(chunk)
            if not zipped:
                yield chunk
            data = chunk if zipped else b""
            while data:  # a gzip file may hold several members, one after another
                fed = True
                yield inflate.decompress(data)
                if not inflate.eof:
                    break
                data = inflate.unused_data
                inflate, fed = zlib.decompressobj(wbits=31), False
            chunk = file.read(CHUNK)
        if fed:
            raise EOFError("the gzip stream ends early")


def _start(path: str) -> bytes | None:
    """The file's first `HEADER_BYTES` bytes, ungzipped (a BOM included); None when they cannot be read."""
    try:
        with gzip.open(path, "rb") if _gzipped(path) else open(path, "rb") as file:
            head: bytes = file.read(HEADER_BYTES)
            return head
    except (OSError, EOFError, zlib.error):
        return None


def _scan(path: str, width: int = 0) -> _Scan:
    """One pass over the file: its hash, and whether it is UTF-8 text whose quotes all close
    (and, with the header's `width`, whose quoted fields hold no rows: see `swallows_rows`)."""
    scan = _Scan()
    decoder = codecs.getincrementaldecoder("utf-8")()
    carry, fresh = b"", True
    try:
        for chunk in _contents(path, scan):
            scan.size += len(chunk)
            decoder.decode(chunk)
            carry += chunk
            if fresh:  # the BOM, if any, is not part of the first line
                if len(carry) < len(BOM):
                    continue
                fresh, carry = False, carry.removeprefix(BOM)
            cut = _safe_end(carry)
            if cut and not _quotes_close(carry[:cut], 0, width):
                scan.readable = False
                return scan
            carry = carry[cut:]
            if len(carry) > CARRY_CHUNKS * CHUNK:
                # no place to cut for several chunks: a quote left open (`12" screen`), or lines
                # ending in a lone \r; the careful reader reads such a file whole
                scan.readable = False
                return scan
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError, EOFError, zlib.error):
        scan.readable = False
        return scan
    scan.readable = scan.size > 0 and _quotes_close(carry.removeprefix(BOM), 0, width)
    return scan


def _safe_end(data: bytes) -> int:
    """Where `data` can be cut so no quoted field spans the cut: after the last newline with an
    even count of quotes before it (0: nowhere yet).

    Cutting there, the quotes close in the whole exactly when they close in each piece: a
    quoted field holds an even count of quotes, so a newline outside one has an even count
    before it, and a newline inside one an odd count. (Lines that end in a lone \r alone are
    never cut: such a file is checked whole.)
    """
    end = data.rfind(b"\n")
    quotes = data.count(b'"', 0, end) if end >= 0 else 0
    while end >= 0:
        if not quotes % 2:
            return end + 1
        before = data.rfind(b"\n", 0, end)
        quotes -= data.count(b'"', max(before, 0), end)
        end = before
    return 0


def _source(path: str) -> pa.NativeFile:
    """The file's text for pyarrow, ungzipped, positioned after any BOM."""
    if _gzipped(path):
        unzipped = gzip.open(path, "rb")  # noqa: SIM115 (closed with the pyarrow file that wraps it)
        if unzipped.read(len(BOM)) != BOM:
            unzipped.seek(0)
        return pa.PythonFile(unzipped, mode="r")
    source = pa.OSFile(path)
    if source.read(len(BOM)) != BOM:
        source.seek(0)
    return source


def _stream(
    name: str,
    label: str,
    spill: Spill,
    report: ReadReport,
    reading: Reading,
    on_read: Callable[[int, int], None] | None,
) -> bool:
    """Read a file in kscore's schema into the spill a block at a time; False (and nothing
    kept) when it needs the careful reader. `label` names it in the report (`<stdin>` for
    standard input copied to the file `name`)."""
    if not os.path.isfile(name):
        return False  # a pipe or device can be read only once: the careful reader reads it whole
    head = _start(name)
    if head is None or b"\x00" in head[:65536]:
        return False  # a NUL near the start: binary data, which the careful reader refuses
    start = head.removeprefix(BOM)
    text = start.decode("utf-8", errors="ignore")
    try:
        header = _header(text, label)
        if len(set(header)) != len(header):
            return False  # a column named twice: the careful reader says so
        chosen = _choose_map(header, label, reading.preset, reading.column_map, reading.account, reading.model_map)
    except Exception:  # the careful reader names the problem
        return False
    wanted = None if chosen is not None else columns_of(start, header)
    if wanted is None:
        return False  # a preset's or a map's file, or a header pyarrow would read otherwise
    scan = _scan(name, len(header))
    if not scan.readable:
        return False
    progress = _FileProgress(scan.size, _stored_size(STDIN if label == STDIN_LABEL else name, scan.size), on_read)
    writer = spill.writer()

    def split(batches: list[pa.RecordBatch]) -> None:
        frame = to_frame(pa.Table.from_batches(batches), wanted)
        if frame is None:
            raise _NotClean
        if reading.account is not None:
            frame["account"] = reading.account
        writer.add(validate(frame, label, "", skip=False, report=ReadReport(), typed=True))

    try:
        with _source(name) as source:
            left, pending, rows = scan.size, [], 0
            for batch in open_reader(source, wanted):
                pending.append(batch)
                rows += batch.num_rows
                if rows >= STREAM_ROWS:  # validated a few blocks at a time: each call costs the same
                    split(pending)
                    pending, rows = [], 0
                size = min(BLOCK, left)
                left -= size
                progress(size, batch.num_rows)
            if pending:
                split(pending)
    except (_NotClean, *UNREADABLE):
        writer.discard()
        if on_read is not None:
            on_read(-progress.bytes, -progress.rows)  # the careful reader reads it again, from the start
        return False
    except BaseException:
        writer.discard()
        raise
    if not writer.rows:
        writer.discard()
        return False  # no rows after the header: the careful reader says so
    writer.keep()
    unknown = [column for column in header if column not in NAMES]
    report.files.append(FileReport(label, scan.digest.hexdigest(), writer.rows, unknown, "kscore", "utf-8"))
    report.files[-1].first = writer.earliest
    report.files[-1].last = max(writer.latest.values(), default=None)
    progress.done(writer.rows)
    return True


def spill_sources(
    names: Sequence[str],
    spill: Spill,
    *,
    skip: bool = False,
    stdin: BinaryIO | None = None,
    stdin_file: str | None = None,
    reading: Reading | None = None,
    on_read: Callable[[int, int], None] | None = None,
) -> ReadReport:
    """`read_sources` into the spill's parts: the same rows, checks and report. `stdin_file`
    holds standard input's bytes, copied (see `spooled`); else `stdin` is read whole."""
    reading = reading or Reading()
    report = ReadReport()

    def split_whole(name: str, source: BinaryIO | None) -> None:
        writer = spill.writer()
        writer.add(read_whole(name, source, report, skip=skip, reading=reading, on_read=on_read))
        writer.keep()

    for name in names:
        if name != STDIN:
            if not _stream(name, name, spill, report, reading, on_read):
                split_whole(name, None)
        elif stdin_file is None:
            split_whole(name, stdin)
        elif not _stream(stdin_file, STDIN_LABEL, spill, report, reading, on_read):
            with open(stdin_file, "rb") as copy:
                split_whole(name, copy)
    if reading.accounts is not None:
        report.audience = apply_display(read_audience(reading.accounts, stdin), spill.display)
    return report
