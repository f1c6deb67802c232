"""Bad input: exit 1 and one actionable line on stderr naming file, line and column; no traceback."""

from __future__ import annotations

import pytest

from tests.cli.conftest import SAMPLE_CSV
from tests.cli.helpers import error_line, ok, records

SKIP_HINT = "(use --on-error skip to skip such rows)"

# (test id, file content, the message after `Error: `, with {label} for the file's name)
BAD_INPUTS = [
    (
        "count-not-a-number",
        "account,timestamp,likes\nalice,2024-03-01,5\nbob,2024-03-02,n/a\n",
        "{label}:3: column 'likes': 'n/a' is not a count " + SKIP_HINT,
    ),
    (
        "count-after-quoted-newlines",
        # record 2 starts on physical line 5: alice's text spans lines 2-4
        'account,timestamp,text,likes\nalice,2024-03-01,"three\nline\ntext",5\nbob,2024-03-02,x,n/a\n',
        "{label}:5: column 'likes': 'n/a' is not a count " + SKIP_HINT,
    ),
    (
        "count-after-blank-line",
        "account,timestamp,likes\nalice,2024-03-01,5\n\nbob,2024-03-02,n/a\n",
        "{label}:4: column 'likes': 'n/a' is not a count " + SKIP_HINT,
    ),
    (
        "count-crlf",
        "account,timestamp,likes\r\nalice,2024-03-01,5\r\nbob,2024-03-02,n/a\r\n",
        "{label}:3: column 'likes': 'n/a' is not a count " + SKIP_HINT,
    ),
    (
        "negative-count",
        "account,timestamp,shares\nalice,2024-03-01,-3\n",
        "{label}:2: column 'shares': '-3' is negative; counts cannot be " + SKIP_HINT,
    ),
    (
        "fractional-count",
        "account,timestamp,replies\nalice,2024-03-01,2.5\n",
        "{label}:2: column 'replies': '2.5' is not a whole number " + SKIP_HINT,
    ),
    (
        "bad-date",
        "account,timestamp\nalice,2024-03-01\nbob,2024-02-30\n",
        "{label}:3: column 'timestamp': '2024-02-30' is not an ISO 8601 date " + SKIP_HINT,
    ),
    (
        "unknown-kind",
        "account,timestamp,kind\nalice,2024-03-01,poke\n",
        "{label}:2: column 'kind': 'poke' is not a kind (post, reply, share, like, mention, follow, endorse, profile) "
        + SKIP_HINT,
    ),
    (
        "empty-account",
        "account,timestamp\nalice,2024-03-01\n  ,2024-03-02\n",
        "{label}:3: column 'account': is empty " + SKIP_HINT,
    ),
    (
        "like-without-target",
        "account,timestamp,kind,target\nalice,2024-03-01,like,\n",
        "{label}:2: column 'target': is empty but kind 'like' is aimed at someone " + SKIP_HINT,
    ),
    (
        "several-bad-rows",
        "account,timestamp,likes\nalice,2024-03-01,x\nbob,2024-03-02,-1\ncarl,2024-03-02,1.5\n",
        "{label}:2: column 'likes': 'x' is not a count (and 2 more bad rows) " + SKIP_HINT,
    ),
    (
        "missing-required-column",
        "account,likes\nalice,3\n",
        "{label}:1: missing required column 'timestamp' (found: account, likes; "
        "see `kscore schema`, or `kscore presets`)",
    ),
    ("empty-file", "", "{label}: file is empty"),
    ("header-only", "account,timestamp,likes\n", "{label}: no rows after the header"),
    (
        "binary-file",
        b"account,timestamp\nalice,\x00\x01\x02\x03\n",
        "{label}: binary data (a NUL byte at offset 24), not a CSV text file",
    ),
    (
        "not-utf8",
        b"account,timestamp,text\nalice,2024-03-01,ok\nbob,2024-03-01,caf\xe9\n",
        "{label}:3: not UTF-8 text (byte 0xe9); save the file as UTF-8 "
        "(or read it with a column map that names its encoding)",
    ),
    (
        "duplicate-header-by-case",
        "account,timestamp,Likes,LIKES\nalice,2024-03-01,1,2\n",
        "{label}:1: column 'likes' appears twice (names match case-insensitively)",
    ),
    (
        "too-many-fields",
        "account,timestamp,likes\nalice,2024-03-01,1\nbob,2024-03-02,2,3\n",
        "{label}:3: expected 3 fields like the header, saw 4",
    ),
    (
        "broken-gzip",
        b"\x1f\x8bnot really gzip",
        "{label}: not a valid gzip file (it starts like one)",
    ),
]


@pytest.mark.parametrize("use_stdin", [False, True])
@pytest.mark.parametrize(("content", "expected"), [case[1:] for case in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_one_line_error(kscore, source, db, content, expected, use_stdin):
    arg, data, label = source("bad.csv", content, use_stdin)
    result = kscore("compute", arg, input=data)
    assert error_line(result) == expected.format(label=label)
    assert result.stdout == ""
    assert not db.exists()  # nothing saved from a failed run


@pytest.mark.parametrize("command", ["compute", "rank"])
def test_missing_file(kscore, command):
    assert error_line(kscore(command, "nowhere.csv")) == "nowhere.csv: no such file"


@pytest.mark.parametrize("command", ["compute", "rank"])
def test_a_directory_is_not_a_file(kscore, workdir, command):
    (workdir / "exports").mkdir()
    assert error_line(kscore(command, "exports")) == "exports: is a directory, not a CSV file"


def test_check_reports_missing_file_and_directory(kscore, workdir):
    (workdir / "exports").mkdir()
    result = kscore("check", "nowhere.csv", "exports", "-f", "csv")
    assert error_line(result) == "2 of 2 file(s) have problems (see the problem column)"
    problems = {row["file"]: row["problem"] for row in records(result.stdout)}
    assert problems == {
        "nowhere.csv": "nowhere.csv: no such file",
        "exports": "exports: is a directory, not a CSV file",
    }


def test_the_first_bad_file_stops_the_run(kscore, sample, write):
    bad = write("bad.csv", "account,timestamp,likes\nalice,2024-03-01,lots\n")
    message = error_line(kscore("compute", sample, bad))
    assert message.startswith("bad.csv:2: column 'likes': 'lots' is not a count")


# -- field counts, blank lines and blank headers (each once a bug) -----------------------------
@pytest.mark.parametrize("use_stdin", [False, True])
def test_too_many_fields_on_the_first_data_row(kscore, source, use_stdin):
    """pandas would take one extra field on the first data row as an index and shift every column,
    blaming a valid cell; the error must be about the field count."""
    content = "account,timestamp,likes\nalice,2024-03-01,1,3\nbob,2024-03-02,2\n"
    arg, data, label = source("bad.csv", content, use_stdin)
    assert error_line(kscore("compute", arg, input=data)) == f"{label}:2: expected 3 fields like the header, saw 4"


@pytest.mark.parametrize("use_stdin", [False, True])
def test_shifted_row_is_not_an_internal_error(kscore, source, use_stdin):
    """Same cause: when shifted columns happen to validate, the run must still fail on the count."""
    content = "account,timestamp,text\nx,alice,2024-03-01,hello\n"
    arg, data, label = source("bad.csv", content, use_stdin)
    assert error_line(kscore("compute", arg, input=data)) == f"{label}:2: expected 3 fields like the header, saw 4"


@pytest.mark.parametrize("use_stdin", [False, True])
def test_too_many_fields_after_a_quoted_newline_names_the_physical_line(kscore, source, use_stdin):
    """The field-count error names the physical line: carl starts on line 5 (alice's text spans 2-3)."""
    content = 'account,timestamp,text\nalice,2024-03-01,"two\nlines"\nbob,2024-03-01,x\ncarl,2024-03-01,x,extra\n'
    arg, data, label = source("bad.csv", content, use_stdin)
    assert error_line(kscore("compute", arg, input=data)) == f"{label}:5: expected 3 fields like the header, saw 4"


@pytest.mark.parametrize("use_stdin", [False, True])
def test_whitespace_only_line_does_not_shift_line_numbers(kscore, source, use_stdin):
    """pandas skips a line holding only spaces; line numbers must skip it too (bob is on line 4)."""
    content = "account,timestamp,likes\nalice,2024-03-01,1\n   \nbob,2024-03-01,n/a\n"
    arg, data, label = source("bad.csv", content, use_stdin)
    message = error_line(kscore("compute", arg, input=data))
    assert message.startswith(f"{label}:4: column 'likes': 'n/a' is not a count")


@pytest.mark.parametrize("use_stdin", [False, True])
def test_blank_header_names_are_not_an_internal_error(kscore, source, use_stdin):
    """A header ending in empty names (`account,timestamp,,`, common in spreadsheet exports):
    blank columns are ignored like any unknown column."""
    content = "account,timestamp,likes,,\nalice,2024-03-01,4,,\nbob,2024-03-02,1,,\n"
    arg, data, _ = source("trailing.csv", content, use_stdin)
    result = kscore("compute", arg, "--no-save", input=data)
    assert "internal error" not in result.stderr
    assert result.exit_code == 0, result.stderr
    assert [row["account"] for row in records(result.stdout)] == ["alice", "bob"]


# -- --on-error skip ---------------------------------------------------------------------------
MIXED = """\
account,timestamp,kind,likes
alice,2024-03-01,post,5
bob,2024-03-02,post,n/a
carl,2024-03-02,post,-1
dan,2024-03-03,post,lots
eve,2024-03-03,poke,1
fay,2024-03-04,post,2
"""


@pytest.mark.parametrize("use_stdin", [False, True])
def test_on_error_skip_skips_bad_rows_and_counts_them_by_reason(kscore, source, use_stdin):
    arg, data, label = source("mixed.csv", MIXED, use_stdin)
    failed = kscore("compute", arg, "--no-save", input=data)
    assert error_line(failed) == f"{label}:3: column 'likes': 'n/a' is not a count (and 3 more bad rows) {SKIP_HINT}"

    result = ok(kscore("compute", arg, "--no-save", "--on-error", "skip", input=data))
    assert sorted(row["account"] for row in records(result.stdout)) == ["alice", "fay"]
    skipped = next(line for line in result.stderr.splitlines() if line.startswith("skipped"))
    assert skipped.startswith("skipped 4 bad rows: ")
    assert "2 with column 'likes' not a count" in skipped
    assert "1 with column 'likes' negative" in skipped
    assert "1 with column 'kind' not a kind" in skipped
    assert "skipped" not in result.stdout


@pytest.mark.parametrize("use_stdin", [False, True])
def test_on_error_skip_with_every_row_bad_is_an_error(kscore, source, use_stdin):
    arg, data, _ = source("bad.csv", "account,timestamp,likes\na,2024-03-01,x\nb,2024-03-01,y\n", use_stdin)
    result = kscore("compute", arg, "--no-save", "--on-error", "skip", input=data)
    assert result.exit_code == 1
    assert "Error: no valid rows to score: all 2 were skipped (2 with column 'likes' not a count)" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_on_error_skip_keeps_a_clean_file_whole(kscore, sample):
    strict = ok(kscore("compute", sample, "--no-save"))
    lenient = ok(kscore("compute", sample, "--no-save", "--on-error", "skip"))
    assert lenient.stdout == strict.stdout
    assert "skipped" not in lenient.stderr


# -- --as-of outside the data -------------------------------------------------------------------
@pytest.mark.parametrize("as_of", ["2025-01-01", "2023-01-01"])
def test_as_of_that_leaves_no_rows_is_a_clear_error(kscore, write, as_of):
    """Every row before the window (or after as-of): a clear error, not an internal one."""
    name = write("sample.csv", SAMPLE_CSV)
    message = error_line(kscore("compute", name, "--no-save", "--as-of", as_of))
    assert message.startswith("no rows inside the window")
