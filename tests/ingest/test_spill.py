"""Rows split by account into parts on disk (`ingest/spill.py`) change nothing.

Reading into parts gives each part exactly the rows `read_sources` gives, in their order, with the
same report or the same error; and a run scored part by part saves the same breakdowns, to the
last bit, as one scored from all the rows at once (the slow path).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import klout_cli.ingest.arrow as arrow_module
import klout_cli.ingest.read as read_module
import klout_cli.ingest.spill as spill_module
from klout_cli.compute import RunResult, compute_run
from klout_cli.core import InputError
from klout_cli.ingest.arrow import _quotes_close
from klout_cli.ingest.read import Reading, ReadReport, read_sources
from klout_cli.ingest.spill import Spill, _safe_end, part_numbers, parts_for, spill_sources
from klout_cli.modelfile import load_model
from tests.ingest.helpers import csv_text
from tests.ingest.test_fast_reader import EXAMPLE, PLAIN, Sheet, broken_sheets, sheets
from tests.test_rows import entries_of

# -- reading into parts ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def small_blocks() -> Iterator[None]:
    """Blocks and chunks far smaller than a file, so files cross many of their boundaries."""
    with (
        mock.patch.object(arrow_module, "BLOCK", 1 << 15),
        mock.patch.object(spill_module, "CHUNK", 1000),
        mock.patch.object(spill_module, "STREAM_ROWS", 500),
    ):
        yield


@contextmanager
def tiny_blocks() -> Iterator[None]:
    """Blocks and chunks of a few bytes, for files of a few rows."""
    with (
        mock.patch.object(arrow_module, "BLOCK", 1 << 10),
        mock.patch.object(spill_module, "CHUNK", 37),
        mock.patch.object(spill_module, "STREAM_ROWS", 3),
        mock.patch.object(spill_module, "CARRY_CHUNKS", 10**6),  # (a file's longest line is many chunks)
    ):
        yield


def read_whole(names: Sequence[str], skip: bool, reading: Reading, fast: list[bool] | None = None) -> tuple[Any, Any]:
    """(rows, report), or (None, the error); `fast` hears, per file, whether the fast reader read it."""
    real = read_module._read_fast

    def spy(*args: Any, **kwargs: Any) -> pd.DataFrame | None:
        result = real(*args, **kwargs)
        if fast is not None:
            fast.append(result is not None)
        return result

    with mock.patch.object(read_module, "_read_fast", spy):
        try:
            return read_sources(list(names), skip=skip, reading=reading)
        except InputError as error:
            return None, str(error)


def read_parts(names: Sequence[str], skip: bool, reading: Reading, count: int) -> tuple[list[pd.DataFrame], Any, int]:
    """(each part's rows, the report or the error, how many files were streamed)."""
    streamed = []
    real = spill_module._stream

    def spy(*args: Any, **kwargs: Any) -> bool:
        streamed.append(real(*args, **kwargs))
        return streamed[-1]

    with Spill(count) as spill, mock.patch.object(spill_module, "_stream", spy):
        try:
            report = spill_sources(list(names), spill, skip=skip, reading=reading)
        except InputError as error:
            return [], str(error), sum(streamed)
        return [spill.part(index) for index in range(count)], report, sum(streamed)


def same_parts(
    names: Sequence[str], *, skip: bool = False, reading: Reading = PLAIN, count: int = 3, as_fast: bool = True
) -> int:
    """Read `names` whole and into `count` parts; each part must hold exactly the whole read's
    rows of its accounts, in order. Returns how many files were streamed: those the fast reader
    reads, unless not `as_fast` (files the checking pass gives up on)."""
    fast: list[bool] = []
    whole, whole_report = read_whole(names, skip, reading, fast)
    parts, report, streamed = read_parts(names, skip, reading, count)
    if as_fast and isinstance(report, ReadReport):  # (an error may stop either before all files are read)
        assert streamed == sum(fast), "a file is streamed exactly when the fast reader reads it whole"
    if whole is None:
        assert report == whole_report
        return streamed
    assert isinstance(report, ReadReport), report
    assert report.files == whole_report.files
    assert report.skipped == whole_report.skipped
    number = part_numbers(whole["account"], count)
    assert len(parts) == count
    for index, part in enumerate(parts):
        expected = whole[number == index].reset_index(drop=True)
        # the same values; a text column may be `str` in one and `object` in the other
        pd.testing.assert_frame_equal(part, expected, check_dtype=False)
    return streamed


def written(contents: Sequence[bytes], folder: str, gzipped: bool = False) -> list[str]:
    names = []
    for index, data in enumerate(contents):
        path = Path(folder) / f"input{index}.csv{'.gz' if gzipped else ''}"
        path.write_bytes(gzip.compress(data) if gzipped else data)
        names.append(str(path))
    return names


@settings(max_examples=80, deadline=None)
@given(st.lists(sheets(max_rows=12), min_size=1, max_size=3), st.integers(1, 5), st.booleans())
def test_valid_files_split_into_exactly_their_rows(files: list[Sheet], count: int, gzipped: bool) -> None:
    with tempfile.TemporaryDirectory() as folder, tiny_blocks():
        same_parts(written([sheet.encode() for sheet in files], folder, gzipped), count=count)


@settings(max_examples=80, deadline=None)
@given(broken_sheets(), st.booleans(), st.integers(1, 4))
def test_broken_files_fail_or_skip_as_when_read_whole(sheet: Sheet, skip: bool, count: int) -> None:
    with tempfile.TemporaryDirectory() as folder, tiny_blocks():
        same_parts(written([sheet.encode()], folder), skip=skip, count=count)


def test_a_clean_file_is_streamed_and_a_bad_cell_after_many_blocks_is_named_as_when_read_whole(tmp_path):
    rows = [
        {"account": f"user{i % 37}", "timestamp": f"2024-05-{1 + i % 28:02d}T10:00:00Z", "likes": i % 9, "text": "#ai"}
        for i in range(400)
    ]
    clean = tmp_path / "clean.csv"
    clean.write_text(csv_text(rows), encoding="utf-8")
    assert same_parts([str(clean)]) == 1, "the clean file was not streamed: this test would prove nothing"
    rows[350]["likes"] = "lots"
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(rows), encoding="utf-8")
    _, error = read_whole([str(bad)], False, Reading())
    assert error.startswith(f"{bad}:352: column 'likes': 'lots' is not a count")
    assert same_parts([str(clean), str(bad)]) == 1  # the bad file is read whole, as the error shows
    assert same_parts([str(clean), str(bad)], skip=True) == 1


def test_odd_files_fall_back_to_the_careful_reader_and_read_the_same(tmp_path):
    text = EXAMPLE.read_bytes()
    odd = {
        "crlf.csv": text.replace(b"\n", b"\r\n"),
        "bom.csv": b"\xef\xbb\xbf" + text,
        "latin.csv": text.replace(b"#ai", b"#\xe9t\xe9", 1),  # not UTF-8: an error, both ways
        "open-quote.csv": text + b'alice,2024-01-01,x,post,p,,1,,,,,,,"never closed\n',
        "nul.csv": b"\x00" + text,
        "twice.csv": text.replace(b"likes", b"Likes,likes", 1),
        "empty.csv": text.split(b"\n", 1)[0] + b"\n",
    }
    for name, data in odd.items():
        path = tmp_path / name
        path.write_bytes(data)
        same_parts([str(path)])
    # a gzip file of several members, and one cut short
    members = tmp_path / "members.csv.gz"
    half = len(text) // 2
    cut = text.rfind(b"\n", 0, half) + 1
    members.write_bytes(gzip.compress(text[:cut]) + gzip.compress(text[cut:]))
    assert same_parts([str(members)]) == 1
    short = tmp_path / "short.csv.gz"
    short.write_bytes(gzip.compress(text)[:-20])
    same_parts([str(short)])


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from('ab",\n\r'), max_size=40), st.integers(1, 8))
def test_checking_quotes_a_chunk_at_a_time_is_checking_them_all_at_once(text: str, size: int) -> None:
    data, carry, answer = text.encode(), b"", True
    for start in range(0, len(data), size):
        carry += data[start : start + size]
        cut = _safe_end(carry)
        answer = answer and (not cut or _quotes_close(carry[:cut]))
        carry = carry[cut:]
    assert (answer and _quotes_close(carry)) == _quotes_close(data)


def test_parts_are_removed_when_the_run_ends_even_on_an_error(tmp_path):
    spill = Spill(2)
    with spill:
        folder = Path(spill._directory.name)
        spill_sources([str(EXAMPLE)], spill)
        assert list(folder.iterdir())
    assert not folder.exists()
    with pytest.raises(InputError), Spill(2) as failing:
        folder = Path(failing._directory.name)
        spill_sources([str(EXAMPLE), str(tmp_path / "missing.csv")], failing)
    assert not folder.exists()


def test_the_count_of_parts_grows_with_the_input_and_gzip_counts_as_expanded(tmp_path):
    small, big, zipped = tmp_path / "small.csv", tmp_path / "big.csv", tmp_path / "z.csv.gz"
    small.write_bytes(b"x" * 1000)
    with big.open("wb") as file:
        file.truncate(10 * spill_module.PART_BYTES + 1)
    zipped.write_bytes(spill_module.GZIP_MAGIC + b"\x00" * (spill_module.PART_BYTES // 2))
    assert parts_for([str(small)]) == 1
    assert parts_for([str(big)]) == 11
    assert parts_for([str(small), str(big), "-", str(tmp_path / "missing.csv")]) == 11
    assert parts_for([str(zipped)]) == spill_module.GZIP_RATIO // 2 + 1
    with big.open("wb") as file:
        file.truncate(10_000 * spill_module.PART_BYTES)
    assert parts_for([str(big)]) == spill_module.MAX_PARTS


# -- scoring part by part -------------------------------------------------------------------------


def saved(result: RunResult) -> tuple[list[str], tuple[Any, ...]]:
    run = result.saved(result.rows())
    lines = [json.dumps(entry, sort_keys=True) for entry in entries_of(result)]
    lines += [json.dumps((row, numbers.hex()), sort_keys=True) for row, numbers in (*run.scores, *run.topics)]
    return lines, (run.as_of, run.rows_read, run.rows_kept, run.rows_left_out, run.inputs, run.medians)


def both_ways(names: Sequence[str], count: int, **flags: Any) -> None:
    whole = saved(compute_run(list(names), load_model(), parts=1, **flags))
    split = saved(compute_run(list(names), load_model(), parts=count, **flags))
    assert split[1] == whole[1]
    assert split[0] == whole[0]


DAY = 86400
START = 1_717_000_000


@st.composite
def activity(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rows that exercise every per-account sum: repeated items (across files too), ties in time,
    interactions both ways, endorsements, topics, several platforms, audience snapshots."""
    names = st.sampled_from(["ana", "Bo", "ça", "dée", "李", "zed", "ana2", "x y"])
    people = draw(st.lists(names, min_size=2, unique=True))
    rows = []
    for _ in range(draw(st.integers(1, 40))):
        kind = draw(st.sampled_from(["post", "post", "reply", "share", "like", "mention", "follow", "endorse"]))
        aimed = kind in ("like", "mention", "follow", "endorse") or draw(st.booleans())
        rows.append(
            {
                "account": draw(st.sampled_from(people)),
                # 0 to 120 days, by quarter days: some rows before the 90-day window, some after
                # an as-of drawn inside it, some on either edge to the second
                "timestamp": datetime.fromtimestamp(START + draw(st.integers(0, 480)) * DAY // 4, timezone.utc)
                .isoformat()
                .replace("+00:00", "Z"),
                "platform": draw(st.sampled_from(["twitter", "twitter", "mastodon"])),
                "kind": kind,
                "post_id": draw(st.sampled_from(["", "", "", "p1", "p2", "p3", "p4", "p5", "p6"])),
                "target": draw(st.sampled_from(people)) if aimed else "",
                "likes": draw(st.integers(0, 50)),
                "shares": draw(st.integers(0, 9)),
                "replies": draw(st.integers(0, 5)),
                "impressions": draw(st.integers(0, 900)),
                "clicks": 0,
                "followers": draw(st.one_of(st.none(), st.integers(0, 5000))),
                "following": draw(st.one_of(st.none(), st.integers(0, 800))),
                "topics": draw(st.sampled_from(["", "ai", "ai;data", "music"])),
                "text": draw(st.sampled_from(["", "on #ai", "#data and #music"])),
            }
        )
    return rows


@settings(max_examples=60, deadline=None)
@given(
    activity(),
    st.lists(st.integers(0, 39), max_size=3),
    st.integers(2, 6),
    st.sampled_from(
        [{}, {"combine": True}, {"relative": True}, {"as_of": datetime.fromtimestamp(START + 100 * DAY, timezone.utc)}]
    ),
)
def test_scoring_part_by_part_saves_the_same_breakdowns_to_the_bit(
    rows: list[dict[str, Any]], copied: list[int], count: int, flags: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        # a second, overlapping export may repeat a few of the rows (so some parts hold
        # duplicates and others none)
        again = [rows[index] for index in copied if index < len(rows)]
        names = written([csv_text(rows).encode(), *([csv_text(again).encode()] if again else [])], folder)
        try:
            both_ways(names, count, **flags)
        except InputError as error:  # nothing in the window, say: both ways must say the same
            with pytest.raises(InputError) as again:
                compute_run(names, load_model(), parts=count, **flags)
            assert str(again.value) == str(error)


def test_the_example_scores_the_same_in_any_count_of_parts_with_every_option(tmp_path):
    accounts = tmp_path / "accounts.csv"
    audience = "account,platform,followers,following\nana_lytics,linkedin,5000,100\nbytebard,twitter,9,1\n"
    accounts.write_text(audience, encoding="utf-8")
    both_ways([str(EXAMPLE)], 7)
    at = datetime(2024, 3, 1, tzinfo=timezone.utc)
    both_ways([str(EXAMPLE)], 3, combine=True, relative=True, as_of=at, reading=Reading(accounts=str(accounts)))


def test_as_of_is_the_latest_item_once_copies_merge_even_when_its_part_is_read_last(tmp_path):
    """An item's latest copy can be the latest row of the input: merged, the item takes its
    earliest copy's time, so the run's as-of is the latest row of another part."""
    rows = [
        {"account": "ana", "timestamp": "2024-05-01T00:00:00Z", "post_id": "p1", "likes": 1},
        {"account": "ana", "timestamp": "2024-05-09T00:00:00Z", "post_id": "p1", "likes": 4},
        {"account": "eve", "timestamp": "2024-05-03T00:00:00Z", "post_id": "q", "likes": 2},
    ]
    path = tmp_path / "copies.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    first, second = part_numbers(pd.Series(["ana", "eve"]), 2).tolist()
    assert first != second, "the two accounts must sit in different parts"
    result = compute_run([str(path)], load_model(), parts=2)
    assert result.window.as_of == datetime(2024, 5, 3, tzinfo=timezone.utc)
    both_ways([str(path)], 2)


def test_a_part_leaves_out_only_rows_well_outside_the_window_that_have_no_copy(tmp_path):
    """Rows more than a second outside the window, with no other row of their post id, are left
    out as a part is read (and counted); copies that straddle an edge, and rows on an edge, are
    left to the window, which merges and judges them as from all the rows."""
    as_of = datetime(2024, 6, 30, tzinfo=timezone.utc)
    edge = as_of.timestamp() - 90 * DAY  # the window's first second: 90 days before as-of

    def at(seconds: float) -> str:
        return datetime.fromtimestamp(seconds, timezone.utc).isoformat()

    rows = [
        {"account": "ana", "timestamp": at(edge), "post_id": "on-edge", "likes": 1},  # inside
        {"account": "ana", "timestamp": at(edge - 0.5), "post_id": "just-before", "likes": 2},  # window: before
        {"account": "ana", "timestamp": at(edge - 5), "post_id": "well-before", "likes": 3},  # part: before
        {"account": "ana", "timestamp": at(edge - 9 * DAY), "post_id": "straddles", "likes": 4},  # merged: before
        {"account": "ana", "timestamp": at(edge + 9 * DAY), "post_id": "straddles", "likes": 5},
        {"account": "ana", "timestamp": at(as_of.timestamp() + 3 * DAY), "post_id": "late", "likes": 6},  # after
        {"account": "ana", "timestamp": at(as_of.timestamp() + 3 * DAY), "post_id": "", "likes": 7},  # after
        {"account": "ana", "timestamp": at(as_of.timestamp() + 4 * DAY), "post_id": "back", "likes": 8},  # merged:
        {"account": "ana", "timestamp": at(as_of.timestamp() - 4 * DAY), "post_id": "back", "likes": 9},  # inside
        {"account": "ana", "timestamp": at(as_of.timestamp()), "post_id": "now", "likes": 10},  # inside
    ]
    path = tmp_path / "edges.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    model = load_model().model
    with Spill(1) as spill:
        spill_sources([str(path)], spill, skip=False, stdin=None, reading=Reading(), on_read=None)
        frame, outside = spill.part_near(0, as_of, model.window_days)
    assert (outside.before, outside.after) == (1, 2)
    assert sorted(frame["post_id"]) == ["back", "back", "just-before", "now", "on-edge", "straddles", "straddles"]
    result = compute_run([str(path)], load_model(), parts=2, as_of=as_of)
    report = result.window
    assert (report.rows_in, report.duplicates, report.before_window, report.after_as_of) == (10, 2, 3, 2)
    assert report.rows_kept == 3  # on the edge, the copies dated back inside, now
    both_ways([str(path)], 2, as_of=as_of)


@pytest.mark.parametrize("year", [1600, 2300])
def test_an_as_of_centuries_away_says_the_same_split_as_whole(tmp_path, year):
    """An as-of outside what pandas holds in nanoseconds (1677-2262) is no error of its own:
    split or whole, the run says that no row is inside the window."""
    path = tmp_path / "rows.csv"
    path.write_text(csv_text([{"account": "ana", "timestamp": "2024-05-01T00:00:00Z", "likes": 1}]), encoding="utf-8")
    as_of = datetime(year, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(InputError) as whole:
        compute_run([str(path)], load_model(), parts=1, as_of=as_of)
    with pytest.raises(InputError) as split:
        compute_run([str(path)], load_model(), parts=2, as_of=as_of)
    assert str(split.value) == str(whole.value)
    assert "no rows inside the window: " in str(whole.value)


@pytest.fixture
def split_small(monkeypatch) -> list[int]:
    """Inputs of 40 KB and more are split (into parts of 40 KB); the list hears each count of parts made."""
    monkeypatch.setattr(spill_module, "SPLIT_FROM", 1)
    monkeypatch.setattr(spill_module, "PART_BYTES", 40_000)
    made: list[int] = []
    real = spill_module.Spill.__init__

    def spy(self: Spill, count: int) -> None:
        made.append(count)
        real(self, count)

    monkeypatch.setattr(spill_module.Spill, "__init__", spy)
    return made


def test_a_large_input_is_split_on_its_own_and_scores_the_same(split_small):
    made = split_small
    assert parts_for([str(EXAMPLE)]) > 2
    split = saved(compute_run([str(EXAMPLE)], load_model()))
    assert made == [parts_for([str(EXAMPLE)])]
    assert split == saved(compute_run([str(EXAMPLE)], load_model(), parts=1))


@pytest.mark.parametrize("name", ["plain", "gzip", "careful"])
def test_reading_into_parts_reports_every_byte_and_row_once(tmp_path, name):
    """The stream reports blocks as it parses them; a bad cell late in the file sends the file to
    the careful reader, which reads it again from the start, and the totals still come out exact."""
    lines = ["account,timestamp,likes"] + [f"user{index},2024-01-01,{index}" for index in range(3000)]
    if name == "careful":
        lines[-1] = "late,2024-01-01,-1"  # negative: the careful reader skips it
    text = ("\n".join(lines) + "\n").encode()
    path = tmp_path / "input.csv"
    path.write_bytes(gzip.compress(text) if name == "gzip" else text)
    sizes: list[int] = []
    rows: list[int] = []

    def heard(size: int, count: int) -> None:
        sizes.append(size)
        rows.append(count)

    with Spill(3) as spill:
        report = spill_sources([str(path)], spill, skip=True, on_read=heard)
    assert len(rows) > 2  # blocks were reported as they came
    assert sum(sizes) == path.stat().st_size  # in bytes as stored on disk (gzip: compressed)
    assert sum(rows) == report.rows_read == 3000
    assert (min(rows) < 0) == (name == "careful")  # the stream's count taken back before reading again
    assert spill.rows == 3000 - report.rows_skipped


def test_large_standard_input_is_copied_to_a_file_and_split_like_a_file(split_small, monkeypatch):
    made = split_small
    streamed = []
    stream = spill_module._stream

    def streaming(name: str, label: str, *args: Any) -> bool:
        streamed.append((label, stream(name, label, *args)))
        return streamed[-1][1]

    monkeypatch.setattr(spill_module, "_stream", streaming)
    data = EXAMPLE.read_bytes()
    for piped in (data, gzip.compress(data)):
        split = compute_run(["-"], load_model(), stdin=io.BytesIO(piped))
        assert made[-1] > 1  # split, though its size was unknown until copied
        assert streamed[-1] == ("<stdin>", True)  # and read as a stream
        assert split.read.files[0].name == "<stdin>"
        assert split.read.files[0].sha256 == hashlib.sha256(piped).hexdigest()
        whole = compute_run(["-"], load_model(), stdin=io.BytesIO(piped), parts=1)
        assert saved(split) == saved(whole)
        assert saved(split)[0] == saved(compute_run([str(EXAMPLE)], load_model(), parts=1))[0]
    # a stdin the stream cannot read (a bad cell) is read whole from the copy, with the same error
    fields = data.split(b"\n", 1)[0].count(b",") + 1
    bad = data.replace(b"\n", b"\nnobody,2024-01-01,twitter,post,,,lots" + b"," * (fields - 7) + b"\n", 1)
    errors = []
    for parts in (None, 1):
        with pytest.raises(InputError) as caught:
            compute_run(["-"], load_model(), stdin=io.BytesIO(bad), parts=parts)
        errors.append(str(caught.value))
    assert streamed[-1] == ("<stdin>", False)
    assert errors[0] == errors[1] and errors[0].startswith("<stdin>:2: column 'likes'")


def test_an_engagers_sums_do_not_depend_on_duplicates_in_other_parts(tmp_path):
    """Merging duplicates keeps the rows in the order they came: x's three likes of y (two with
    post ids, one without) are summed in the same order whether z's duplicate sits among them
    (all rows at once) or in another part. (Merged, they had been moved after the rows without
    ids, and the trust network's sums differed in the last bit.)"""
    assert len(set(part_numbers(pd.Series(["x", "z"]), 2).tolist())) == 2

    def at(hours: int) -> str:
        return (pd.Timestamp("2024-05-01", tz="UTC") + pd.Timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")

    rows = [
        {"account": "x", "timestamp": at(1), "kind": "like", "post_id": "a", "target": "y"},
        {"account": "x", "timestamp": at(1), "kind": "like", "post_id": "b", "target": "y"},
        {"account": "x", "timestamp": at(2), "kind": "like", "post_id": "", "target": "y"},
        {"account": "y", "timestamp": at(1), "kind": "post", "post_id": "p", "likes": 3},
        {"account": "x", "timestamp": at(1), "kind": "post", "post_id": "q", "likes": 3},
        {"account": "z", "timestamp": at(2), "kind": "post", "post_id": "d", "likes": 1},
        {"account": "z", "timestamp": at(3), "kind": "post", "post_id": "d", "likes": 2},
        {"account": "z", "timestamp": at(240), "kind": "post", "post_id": "e", "likes": 2},
    ]
    path = tmp_path / "likes.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    both_ways([str(path)], 2)


def test_a_pipe_is_read_once_whole_and_scores_as_the_file_does(split_small):
    import os
    import threading

    expected = saved(compute_run([str(EXAMPLE), str(EXAMPLE)], load_model(), parts=1))[0]
    for parts in (None, 3):
        read, write = os.pipe()

        def feed(write: int = write) -> None:
            with os.fdopen(write, "wb") as sink:
                sink.write(EXAMPLE.read_bytes())

        feeder = threading.Thread(target=feed)
        feeder.start()
        try:
            # next to a large file, so the run is split: the pipe is still read only once
            result = compute_run([f"/dev/fd/{read}", str(EXAMPLE)], load_model(), parts=parts)
        finally:
            feeder.join()
            os.close(read)
        assert result.read.rows_read == 2 * (EXAMPLE.read_bytes().count(b"\n") - 1)
        assert saved(result)[0] == expected


def test_a_stray_quote_or_lone_carriage_returns_send_a_file_to_the_careful_reader(tmp_path):
    """With no place to cut for a few chunks, the checking pass gives up (it would have held the
    whole file, and checked it again at every chunk) and the careful reader reads it whole."""
    rows = [{"account": f"u{i % 7}", "timestamp": "2024-05-01", "likes": i, "text": "a 12 screen"} for i in range(300)]
    stray = csv_text(rows).replace("a 12 screen", 'a 12" screen', 1)  # the careful reader takes it as text
    path = tmp_path / "stray.csv"
    path.write_text(stray, encoding="utf-8")
    assert len(stray) > spill_module.CARRY_CHUNKS * spill_module.CHUNK
    assert same_parts([str(path)]) == 0
    path.write_text(csv_text(rows).replace("\n", "\r"), encoding="utf-8")
    assert same_parts([str(path)], as_fast=False) == 0  # (the fast reader reads it whole)


def test_a_disk_too_full_for_the_parts_is_one_line_naming_the_directory(tmp_path, monkeypatch):
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spill_module.pa.ipc, "new_file", full)
    with pytest.raises(
        InputError,
        match=r"cannot write the parts of the input to .*kscore-parts-.*: No space left on device; set TMPDIR",
    ):
        compute_run([str(EXAMPLE)], load_model(), parts=2)
    monkeypatch.setattr(spill_module.tempfile, "TemporaryDirectory", full)
    with pytest.raises(InputError, match="cannot make a temporary directory for the parts of the input: No space left"):
        compute_run([str(EXAMPLE)], load_model(), parts=2)


def test_a_small_standard_input_stays_in_memory_and_a_large_one_needs_room_on_disk(monkeypatch):
    made = []
    real = spill_module.tempfile.NamedTemporaryFile

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(kwargs.get("prefix"))
        return real(*args, **kwargs)

    monkeypatch.setattr(spill_module.tempfile, "NamedTemporaryFile", counted)
    data = EXAMPLE.read_bytes()
    assert len(data) < spill_module.SPLIT_FROM // spill_module.GZIP_RATIO
    small = compute_run(["-"], load_model(), stdin=io.BytesIO(data))
    assert made == [] and saved(small) == saved(compute_run(["-"], load_model(), stdin=io.BytesIO(data), parts=1))

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spill_module, "SPLIT_FROM", 8 * 1000)  # so the example is large
    monkeypatch.setattr(spill_module.shutil, "copyfileobj", full)
    with pytest.raises(InputError, match="cannot copy standard input to a temporary file: No space left on device"):
        compute_run(["-"], load_model(), stdin=io.BytesIO(data))
    assert made == [f"kscore-stdin-{os.getpid()}-"]  # named by its owner (see ingest.leftovers)
    with pytest.raises(InputError, match="can be read only once"):
        compute_run(["-", "-"], load_model(), stdin=io.BytesIO(data))
