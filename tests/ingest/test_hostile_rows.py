"""Nothing vanishes silently (#17): a stray quote that swallows rows, a quote that never closes,
a timestamp cut short, a row cut short. Each holds on all three readers: the careful one
(pandas), the fast one (pyarrow) and the stream into parts (`ingest/spill.py`)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from klout_cli.core import InputError
from klout_cli.ingest.read import Reading, read_sources
from tests.cli.helpers import error_line, ok
from tests.ingest.test_fast_reader import same_on
from tests.ingest.test_spill import same_parts, tiny_blocks

HEADER = "account,timestamp,likes,text"
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def rows(first: int, last: int) -> list[str]:
    return [f"u{n},2024-01-{n + 1:02d},{n},hi" for n in range(first, last)]


#: A stray quote opens at line 7 and a second one closes at line 21: 15 lines read as one field.
OPENS, CLOSES = 'u5,2024-01-06,5,"oops', 'u19,2024-01-20,1,"closes'
STRAY = "\n".join([HEADER, *rows(0, 5), OPENS, *rows(6, 19), CLOSES, *rows(20, 25)]) + "\n"
STRAY_WARNING = ":7: a quoted field runs to line 21 (15 lines); a stray quote? (--strict makes this an error)"
#: A tweet of many lines, some with commas: real text, read silently (and fast).
LONG_TEXT = 'u3,2024-01-04,3,"one, two\nthree\nfour, five, six\n\nseven\neight"'
POEM = "\n".join([HEADER, *rows(0, 3), LONG_TEXT, *rows(4, 6)]) + "\n"
PLAIN = Reading()


def three_ways(text: str, *, skip: bool = False, reading: Reading = PLAIN) -> None:
    """The careful and the fast reader agree, and so does the stream into parts."""
    same_on(text.encode(), skip=skip, reading=reading)
    with tempfile.TemporaryDirectory() as folder, tiny_blocks():
        path = Path(folder) / "input.csv"
        path.write_bytes(text.encode())
        same_parts([str(path)], skip=skip, reading=reading)


def read(tmp_path: Path, text: str, **flags: object) -> tuple[object, object]:
    path = tmp_path / "activity.csv"
    path.write_text(text, encoding="utf-8")
    return read_sources([str(path)], **flags)  # type: ignore[arg-type]


def error_of(tmp_path: Path, text: str, **flags: object) -> str:
    with pytest.raises(InputError) as caught:
        read(tmp_path, text, **flags)
    return str(caught.value)


# -- a stray quote --------------------------------------------------------------------------------


def test_a_stray_quote_is_a_warning_naming_where_it_opened_and_closed(tmp_path: Path) -> None:
    frame, report = read(tmp_path, STRAY)
    assert report.files[0].warnings == [f"{tmp_path / 'activity.csv'}{STRAY_WARNING}"]  # type: ignore[attr-defined]
    assert len(frame) == 11  # type: ignore[arg-type]


@pytest.mark.parametrize("skip", [False, True], ids=["stop", "skip"])
@pytest.mark.parametrize("strict", [False, True], ids=["warn", "strict"])
def test_a_stray_quote_reads_the_same_on_every_path(skip: bool, strict: bool) -> None:
    three_ways(STRAY, skip=skip, reading=Reading(strict=strict))


def test_strict_makes_a_stray_quote_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, STRAY, reading=Reading(strict=True))
    where = tmp_path / "activity.csv"
    assert message == f"{where}:7: a quoted field runs to line 21 (15 lines); a stray quote? (an error under --strict)"


def test_multi_line_text_is_read_silently_and_fast(tmp_path: Path) -> None:
    _, report = read(tmp_path, POEM)
    assert report.files[0].warnings == []  # type: ignore[attr-defined]
    assert same_on(POEM.encode()).took_fast
    three_ways(POEM, reading=Reading(strict=True))


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="the shared real exports are not here")
def test_no_real_export_warns() -> None:
    files = sorted(str(path) for path in SHARED_DATA.rglob("*.csv") if path.name not in ("authors.csv",))
    files = [name for name in files if "twitter_metrics_monthly" not in name]
    for name in files:
        try:
            _, report = read_sources([name], skip=True, reading=Reading(strict=True))
        except InputError as error:
            assert "stray quote" not in str(error), error
            continue
        assert all(not item.warnings for item in report.files), name


# -- a quote that never closes --------------------------------------------------------------------

NEVER_CLOSED = "\n".join([HEADER, 'u0,2024-01-01,1,"two\nlines"', *rows(1, 3), 'u3,2024-01-04,3,"never', *rows(4, 7)])


@pytest.mark.parametrize("ending", ["", "\n"])
def test_a_quote_that_never_closes_names_its_line(tmp_path: Path, ending: str) -> None:
    message = error_of(tmp_path, NEVER_CLOSED + ending)
    assert message.startswith(f"{tmp_path / 'activity.csv'}:6: a quote opened here never closes")
    for skip in (False, True):
        three_ways(NEVER_CLOSED + ending, skip=skip)


# -- timestamps -----------------------------------------------------------------------------------

MALFORMED = ["2024-03-29T22:4", "2024-03-2", "2024-3-1", "2024-03-29T22:48:3", "2024-03-29T2:48", "24-03-29"]


@pytest.mark.parametrize("value", MALFORMED)
def test_a_malformed_timestamp_is_an_error_naming_file_line_and_column(tmp_path: Path, value: str) -> None:
    text = f"{HEADER}\na,2024-01-01,1,x\nb,{value},2,y\nc,2024-01-03,3,z\n"
    message = error_of(tmp_path, text)
    assert message.startswith(
        f"{tmp_path / 'activity.csv'}:3: column 'timestamp': '{value}' is not a complete ISO 8601 timestamp ("
    )
    frame, report = read(tmp_path, text, skip=True)
    assert list(frame["account"]) == ["a", "c"]  # type: ignore[index]
    assert report.skipped == {"column 'timestamp' not a date": 1}  # type: ignore[attr-defined]
    for skip in (False, True):
        three_ways(text, skip=skip)


WELL_FORMED = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%f+05:30"]


@settings(max_examples=40, deadline=None)
@given(
    st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2198, 12, 31)),
    st.sampled_from(WELL_FORMED),
    st.data(),
)
def test_any_complete_timestamp_is_read_and_any_cut_of_one_is_not(
    when: datetime, form: str, data: st.DataObject
) -> None:
    stamp = when.strftime(form)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.csv"
        path.write_text(f"account,timestamp\na,{stamp}\n", encoding="utf-8")
        frame, _ = read_sources([str(path)])
        expected = when if form != WELL_FORMED[-1] else when - timedelta(hours=5, minutes=30)
        read_at = frame["timestamp"].iloc[0].to_pydatetime()
        if form == "%Y-%m-%d":
            expected = expected.replace(hour=0, minute=0, second=0, microsecond=0)
        elif "%S" not in form:
            expected = expected.replace(second=0, microsecond=0)
        elif "%f" not in form:
            expected = expected.replace(microsecond=0)
        assert read_at == expected.replace(tzinfo=timezone.utc)
        # cut inside a field (not at the end of a whole part: a date alone, or a time to the minute, is complete)
        cuts = [at for at in range(1, len(stamp)) if stamp[at - 1].isdigit() and stamp[at].isdigit()]
        at = data.draw(st.sampled_from(cuts))
        path.write_text(f"account,timestamp\na,{stamp[:at]}\n", encoding="utf-8")
        if stamp[at:].startswith(tuple("0123456789")) and "." in stamp[:at]:
            return  # fewer digits of a fraction of a second are still a complete timestamp
        with pytest.raises(InputError, match="is not a complete ISO 8601 timestamp"):
            read_sources([str(path)])


def test_a_preset_keeps_its_own_time_format(tmp_path: Path) -> None:
    text = "created_at,text,url,replies,retweets,favorites,user\n10/16/17 22:59,hi,u,1,2,3,obama\n"
    frame, report = read(tmp_path, text)
    assert report.files[0].format == "tweets-basic"  # type: ignore[attr-defined]
    assert str(frame["timestamp"].iloc[0]) == "2017-10-16 22:59:00+00:00"  # type: ignore[index]


# -- rows cut short -------------------------------------------------------------------------------

CUT = f"{HEADER}\na,2024-01-01,1,x\nb,2024-01-02,2,y\nc,2024-03-29T22:4"


@pytest.mark.parametrize("text", [CUT, CUT.rsplit(",", 1)[0]], ids=["mid-timestamp", "mid-row"])
def test_a_last_row_cut_short_is_an_error_or_skipped_and_counted(tmp_path: Path, text: str) -> None:
    fields = text.rsplit("\n", 1)[1].count(",") + 1
    message = error_of(tmp_path, text)
    assert message == (
        f"{tmp_path / 'activity.csv'}:4: the last row is cut short ({fields} of 4 fields; the file may be truncated)"
        " (use --on-error skip to skip such rows)"
    )
    frame, report = read(tmp_path, text, skip=True)
    assert list(frame["account"]) == ["a", "b"]  # type: ignore[index]
    assert report.rows_skipped == 1  # type: ignore[attr-defined]
    assert report.skipped == {"the last row cut short (the file may be truncated)": 1}  # type: ignore[attr-defined]
    for skip in (False, True):
        three_ways(text, skip=skip)


def test_a_short_row_elsewhere_is_an_error_naming_its_line_or_skipped(tmp_path: Path) -> None:
    text = f"{HEADER}\na,2024-01-01,1,x\nb,2024-01-02\nc,2024-01-03,3,z\n"
    message = error_of(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'activity.csv'}:3: expected 4 fields like the header, saw 2")
    frame, report = read(tmp_path, text, skip=True)
    assert list(frame["account"]) == ["a", "c"]  # type: ignore[index]
    assert report.skipped == {"fewer fields than the header": 1}  # type: ignore[attr-defined]
    for skip in (False, True):
        three_ways(text, skip=skip)


@pytest.mark.parametrize("blank", ['" "', "   ", ""], ids=["quoted-space", "spaces", "empty"])
def test_short_rows_are_found_by_their_own_lines_whatever_the_blank_lines(tmp_path: Path, blank: str) -> None:
    """A quoted `" "` is a row of one field (pandas keeps it); an unquoted blank line is no row:
    the short rows skipped are those, never a whole row beside them."""
    text = f"{HEADER}\na,2024-01-01,1,x\n{blank}\nb,2024-01-02,2,y\nc,2024-01-03\nd,2024-01-04,4,z\n"
    frame, report = read(tmp_path, text, skip=True)
    assert list(frame["account"]) == ["a", "b", "d"]  # type: ignore[index]
    quoted = blank.startswith('"')
    assert report.skipped == {"fewer fields than the header": 2 if quoted else 1}  # type: ignore[attr-defined]
    first = 3 if quoted else 5
    assert error_of(tmp_path, text).startswith(f"{tmp_path / 'activity.csv'}:{first}: expected 4 fields")
    for skip in (False, True):
        three_ways(text, skip=skip)


def test_an_empty_last_cell_is_not_a_short_row(tmp_path: Path) -> None:
    text = f"{HEADER}\na,2024-01-01,1,\nb,2024-01-02,2,"
    frame, report = read(tmp_path, text)
    assert len(frame) == 2 and report.rows_skipped == 0  # type: ignore[arg-type, attr-defined]
    three_ways(text)


# -- the commands ---------------------------------------------------------------------------------


@pytest.mark.parametrize("use_stdin", [False, True], ids=["file", "stdin"])
@pytest.mark.parametrize("command", ["compute", "rank", "explain", "check"])
def test_every_command_shows_the_warning_and_strict_stops(
    kscore: Callable[..., Result], source: Callable[..., tuple[str, bytes | None, str]], command: str, use_stdin: bool
) -> None:
    argument, stdin, label = source("activity.csv", STRAY, use_stdin)
    args = {"compute": ["compute", "--no-save"], "explain": ["explain", "u1"]}.get(command, [command])
    result = ok(kscore(*args, argument, "-f", "json", input=stdin))
    assert f"warning: {label}{STRAY_WARNING}" in result.stderr.splitlines()
    if command == "check":
        assert '"status": "warning"' in result.stdout and STRAY_WARNING in result.stdout
    strict = kscore(*args, argument, "--strict", input=stdin)
    if command == "check":
        assert strict.exit_code == 1 and "(an error under --strict)" in strict.stdout
    else:
        assert error_line(strict).startswith(f"{label}:7: a quoted field runs to line 21 (15 lines)")


def test_check_reports_a_file_cut_short(kscore: Callable[..., Result], write: Callable[..., str]) -> None:
    name = write("cut.csv", CUT)
    result = kscore("check", name, "-f", "json")
    assert result.exit_code == 1
    assert "cut.csv:4: the last row is cut short (2 of 4 fields; the file may be truncated)" in result.stdout
    skipped = ok(kscore("compute", "--no-save", name, "--on-error", "skip", "-f", "csv"))
    assert "skipped 1 bad row: 1 with the last row cut short (the file may be truncated)" in skipped.stderr
