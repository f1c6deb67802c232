"""Reading and validating activity CSVs: encodings, line numbers, every kind of bad cell."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klout_cli.core import InputError
from klout_cli.ingest.read import read_sources


def write(tmp_path: Path, text: str | bytes, name: str = "activity.csv") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return str(path)


GOOD = "account,timestamp,likes\nalice,2024-01-01,3\nbob,2024-01-02T10:00:00+02:00,4\n"


def test_reads_typed_canonical_columns(tmp_path: Path) -> None:
    frame, report = read_sources([write(tmp_path, GOOD)])
    assert list(frame["account"]) == ["alice", "bob"]
    assert list(frame["likes"]) == [3.0, 4.0]
    assert list(frame["shares"]) == [0.0, 0.0]
    assert list(frame["kind"]) == ["post", "post"]
    assert list(frame["platform"]) == ["default", "default"]
    assert str(frame["timestamp"].iloc[1]) == "2024-01-02 08:00:00+00:00"  # zones become UTC
    assert frame["followers"].isna().all()
    assert report.rows_read == 2 and len(report.files[0].sha256) == 64


def test_headers_match_case_insensitively_and_unknown_columns_are_listed(tmp_path: Path) -> None:
    text = " Account ,TIMESTAMP,Likes,Mood\nalice,2024-01-01,3,happy\n"
    frame, report = read_sources([write(tmp_path, text)])
    assert frame["likes"].iloc[0] == 3.0
    assert report.files[0].unknown_columns == ["mood"]


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
        lambda text: gzip.compress(text.encode("utf-8")),
    ],
    ids=["bom", "crlf", "gzip"],
)
def test_bom_crlf_and_gzip_read_the_same(tmp_path: Path, encode) -> None:  # type: ignore[no-untyped-def]
    plain, _ = read_sources([write(tmp_path, GOOD, "plain.csv")])
    other, _ = read_sources([write(tmp_path, encode(GOOD), "other.csv")])
    assert plain.equals(other)


def test_stdin_reads_like_a_file(tmp_path: Path) -> None:
    from_file, _ = read_sources([write(tmp_path, GOOD)])
    from_stdin, report = read_sources(["-"], stdin=io.BytesIO(GOOD.encode()))
    assert from_file.equals(from_stdin)
    assert report.files[0].name == "<stdin>"


def test_quoted_newlines_keep_physical_line_numbers(tmp_path: Path) -> None:
    text = 'account,timestamp,likes,text\nalice,2024-01-01,1,"two\nlines"\n\nbob,2024-01-02,n/a,x\n'
    with pytest.raises(InputError) as caught:
        read_sources([write(tmp_path, text)])
    assert str(caught.value).startswith(f"{tmp_path / 'activity.csv'}:5: column 'likes': 'n/a' is not a count")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("alice,2024-01-01,n/a,", "column 'likes': 'n/a' is not a count"),
        ("alice,2024-01-01,-3,", "column 'likes': '-3' is negative"),
        ("alice,2024-01-01,2.5,", "column 'likes': '2.5' is not a whole number"),
        ("alice,2024-01-01,inf,", "column 'likes': 'inf' is not a count"),
        ("alice,2024-02-30,1,", "column 'timestamp': '2024-02-30' is not an ISO 8601 date"),
        ("alice,,1,", "column 'timestamp': is empty"),
        (" ,2024-01-01,1,", "column 'account': is empty"),
        ("alice,2024-01-01,1,retweet", "column 'kind': 'retweet' is not a kind"),
        ("alice,2024-01-01,1,like", "column 'target': is empty but kind 'like' is aimed at someone"),
    ],
)
def test_each_bad_cell_is_one_line_with_file_line_and_column(tmp_path: Path, row: str, message: str) -> None:
    path = write(tmp_path, f"account,timestamp,likes,kind\nok,2024-01-01,1,post\n{row}\n")
    with pytest.raises(InputError) as caught:
        read_sources([path])
    text = str(caught.value)
    assert text.startswith(f"{path}:3: {message}")
    assert "--on-error skip" in text and "\n" not in text


def test_skipping_counts_bad_rows_by_reason_and_keeps_the_rest(tmp_path: Path) -> None:
    text = "account,timestamp,likes\na,2024-01-01,1\nb,2024-01-01,n/a\nc,nope,x\nd,2024-01-01,-1\ne,2024-01-01,2\n"
    frame, report = read_sources([write(tmp_path, text)], skip=True)
    assert list(frame["account"]) == ["a", "e"]
    assert report.rows_skipped == 3
    assert report.skipped == {
        "column 'likes' not a count": 1,
        "column 'timestamp' not a date": 1,  # row c: the first problem in column order counts
        "column 'likes' negative": 1,
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"\n\n", "file is empty"),
        (b"account,timestamp\n", "no rows after the header"),
        (b"acct,time\nx,y\n", "1: unknown header: the canonical columns 'account', 'timestamp' are not there"),
        (b"account,when\nx,y\n", "1: missing required column 'timestamp'"),
        (b"account,Account,timestamp\n", "1: column 'account' appears twice"),
        (b"\x7fELF\x00\x00binary", "binary data (a NUL byte at offset 4)"),
        (b"account,timestamp\nj\xe9r\xf4me,2024-01-01\n", "2: not UTF-8 text (byte 0xe9)"),
        (b"account,timestamp\na,2024-01-01,extra\n", "2: expected 2 fields like the header, saw 3"),
        (b"\x1f\x8bnot really gzip", "not a valid gzip file"),
    ],
)
def test_unusable_files_fail_with_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(InputError) as caught:
        read_sources([path])
    assert str(caught.value).startswith(f"{path}:") and message in str(caught.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_sources([str(tmp_path / "nope.csv")])
    with pytest.raises(InputError, match="is a directory"):
        read_sources([str(tmp_path)])


def test_nanosecond_timestamps_are_kept_at_microseconds_and_the_newest_row_is_scored(tmp_path: Path) -> None:
    from klout_cli.compute import compute_run
    from klout_cli.modelfile import load_model

    text = "account,timestamp,likes\nx,2024-03-01T00:00:00Z,1\ny,2024-03-05T10:00:00.123456789Z,5\n"
    path = write(tmp_path, text)
    frame, _ = read_sources([path])
    assert str(frame["timestamp"].iloc[1]) == "2024-03-05 10:00:00.123456+00:00"
    result = compute_run([path], load_model())
    assert {score.account for _, score in result.ranked} == {"x", "y"}
    assert result.window.after_as_of == 0


@pytest.mark.parametrize("split", [False, True])
def test_a_far_date_is_judged_the_same_whatever_shares_its_file(tmp_path: Path, split: bool) -> None:
    far = "a,2300-01-01,1\n"
    precise = "b,2024-03-01T00:00:00.123456789Z,1\n"
    header = "account,timestamp,likes\n"
    paths = (
        [write(tmp_path, header + far, "far.csv"), write(tmp_path, header + precise, "precise.csv")]
        if split
        else [write(tmp_path, header + far + precise, "both.csv")]
    )
    with pytest.raises(InputError, match=r":2: column 'timestamp': '2300-01-01' is not between 1900 and 2199"):
        read_sources(paths)
    frame, report = read_sources(paths, skip=True)
    assert list(frame["account"]) == ["b"]
    assert report.skipped == {"column 'timestamp' out of range": 1}


def test_absurdly_large_counts_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "account,timestamp,likes\nx,2024-01-01,1.7e308\n")
    with pytest.raises(InputError, match=r"'1\.7e308' is too large to be a count"):
        read_sources([path])


@settings(max_examples=500)
@given(st.text(alphabet='ab,"\r\n x', max_size=60))
def test_lines_are_split_as_a_stringio_splits_them(text: str) -> None:
    """`_lines` finds the lines a StringIO(newline="") gives, without copying the text; the csv
    module then reads the same rows at the same line numbers (or fails the same way)."""
    import csv

    from klout_cli.ingest.read import _lines

    assert list(_lines(text)) == list(io.StringIO(text, newline=""))

    def rows(lines: Iterable[str]) -> list[object]:
        reader = csv.reader(lines)
        found: list[object] = []
        try:
            found.extend((row, reader.line_num) for row in reader)
        except csv.Error as error:
            found.append(str(error))
        return found

    assert rows(_lines(text)) == rows(io.StringIO(text, newline=""))
