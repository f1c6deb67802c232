"""`kscore compute`: inputs (file, stdin, several, gzip, BOM/CRLF), formats, filters, the store."""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from klout_cli.modelfile import default_text
from tests.cli.conftest import SAMPLE_CSV, sample_rows
from tests.cli.helpers import (
    SCORE_COLUMNS,
    error_line,
    header_of,
    ok,
    pairs,
    records,
    rows_in,
    scores,
    usage_error,
)

CONTENT_KINDS = ("post", "reply", "share")  # as `kscore schema` explains: content the account made


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def expected_pairs() -> set[tuple[str, str]]:
    return {(row["account"], row["platform"]) for row in sample_rows()}


def content_items() -> Counter[tuple[str, str]]:
    return Counter((row["account"], row["platform"]) for row in sample_rows() if row["kind"] in CONTENT_KINDS)


def latest_followers() -> dict[tuple[str, str], int]:
    latest: dict[tuple[str, str], tuple[datetime, int]] = {}
    for row in sample_rows():
        key = (row["account"], row["platform"])
        moment = stamp(row["timestamp"])
        if key not in latest or moment > latest[key][0]:
            latest[key] = (moment, int(row["followers"]))
    return {key: value for key, (_, value) in latest.items()}


def dominant_pairs() -> tuple[tuple[str, str], tuple[str, str]]:
    """The pair at least as good as every other on every per-item count and audience, and the worst.

    Such a pair must rank first (last) whatever the weights, so the tests need no score values.
    """
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in sample_rows():
        if row["kind"] in CONTENT_KINDS:
            for index, name in enumerate(("likes", "shares", "replies")):
                totals[(row["account"], row["platform"])][index] += float(row[name])
    items = content_items()
    followers = latest_followers()
    measures = {key: [value / items[key] for value in sums] + [followers[key]] for key, sums in totals.items()}

    def beats(first: tuple[str, str], second: tuple[str, str]) -> bool:
        pairs_of = list(zip(measures[first], measures[second], strict=True))
        return all(a >= b for a, b in pairs_of) and any(a > b for a, b in pairs_of)

    best = [key for key in measures if all(beats(key, other) for other in measures if other != key)]
    worst = [key for key in measures if all(beats(other, key) for other in measures if other != key)]
    assert len(best) == 1 and len(worst) == 1, "the sample should have a clear best and worst"
    return best[0], worst[0]


def compute_csv(kscore, *args: str, input: bytes | None = None) -> list[dict[str, str]]:
    result = ok(kscore("compute", *args, "--no-save", "-f", "csv", input=input))
    return records(result.stdout)


# -- reading ------------------------------------------------------------------------------------
@pytest.mark.parametrize("use_stdin", [False, True])
def test_compute_scores_every_account_and_platform(kscore, source, use_stdin):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    result = ok(kscore("compute", arg, "--no-save", input=data))

    assert header_of(result.stdout) == SCORE_COLUMNS  # csv when stdout is not a terminal
    rows = records(result.stdout)
    assert set(pairs(rows)) == expected_pairs()
    assert len(rows) == len(expected_pairs())
    assert [int(row["rank"]) for row in rows] == list(range(1, len(rows) + 1))
    assert scores(rows) == sorted(scores(rows), reverse=True)
    assert all(1 <= value <= 100 for value in scores(rows))
    best, worst = dominant_pairs()
    assert pairs(rows)[0] == best
    assert pairs(rows)[-1] == worst
    items = content_items()
    followers = latest_followers()
    for row in rows:
        key = (row["account"], row["platform"])
        assert int(row["items"]) == items[key]  # a like is an interaction, not an item
        assert int(row["followers"]) == followers[key]  # latest snapshot; no thousands separators
    # results on stdout, the summary on stderr, never mixed
    assert f"{len(sample_rows())} rows from 1 file" in result.stderr
    names = {row["account"] for row in rows}
    assert f"{len(rows)} scores for {len(names)} accounts as of" in result.stderr
    assert "rows from" not in result.stdout
    assert "rank,account" not in result.stderr


def test_csv_is_the_default_format_when_not_a_terminal(kscore, sample):
    piped = ok(kscore("compute", sample, "--no-save"))
    explicit = ok(kscore("compute", sample, "--no-save", "-f", "csv"))
    assert piped.stdout.splitlines()[0] == ",".join(SCORE_COLUMNS)
    assert piped.stdout == explicit.stdout


@pytest.mark.parametrize("use_stdin", [False, True])
@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "jsonl", "markdown"])
def test_every_format_carries_the_same_accounts_in_the_same_order(kscore, source, fmt, use_stdin):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    baseline = compute_csv(kscore, arg, input=data)
    result = ok(kscore("compute", arg, "--no-save", "-f", fmt, input=data))
    rows = rows_in(result.stdout, fmt)

    assert pairs(rows) == pairs(baseline)
    if fmt in ("json", "jsonl"):
        assert all(list(row) == SCORE_COLUMNS for row in rows)
        assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
        assert all(isinstance(row["followers"], int) for row in rows)
        assert [row["score"] for row in rows] == [float(row["score"]) for row in baseline]
    if fmt == "jsonl":
        assert len(result.stdout.splitlines()) == len(baseline)
    if fmt == "tsv":
        assert header_of(result.stdout, "\t") == SCORE_COLUMNS
        assert rows == baseline  # the same cells, only the delimiter differs
    if fmt == "markdown":
        assert list(rows[0]) == SCORE_COLUMNS
        assert result.stdout.splitlines()[1].count("|") == len(SCORE_COLUMNS) + 1
    if fmt == "table":
        title = result.stdout.splitlines()[0]
        assert f"kscore · {len(baseline)} scores · as of 2024-03-09" in title
        assert [row["#"] for row in rows] == [row["rank"] for row in baseline]
        # humans get thousands separators, machines do not
        biggest = max(latest_followers().values())
        assert f"{biggest:,}" in result.stdout
        assert str(biggest) in {row["followers"] for row in baseline}
    assert "\x1b[" not in result.stdout  # NO_COLOR, and never colour into a pipe


def test_json_keeps_non_ascii_account_names(kscore, sample):
    result = ok(kscore("compute", sample, "--no-save", "-f", "json"))
    assert "zoë" in result.stdout
    assert "zoë" in {row["account"] for row in rows_in(result.stdout, "json")}


# -- filters ---------------------------------------------------------------------------------
@pytest.mark.parametrize("use_stdin", [False, True])
def test_top_keeps_the_best_n(kscore, source, use_stdin):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    everything = compute_csv(kscore, arg, input=data)
    top = compute_csv(kscore, arg, "--top", "2", input=data)
    assert pairs(top) == pairs(everything)[:2]
    assert [row["rank"] for row in top] == ["1", "2"]


@pytest.mark.parametrize("use_stdin", [False, True])
def test_min_score_hides_lower_scores(kscore, source, use_stdin):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    everything = compute_csv(kscore, arg, input=data)
    values = scores(everything)
    middle = len(values) // 2
    threshold = (values[middle - 1] + values[middle]) / 2  # between two scores: no rounding edge
    kept = compute_csv(kscore, arg, "--min-score", f"{threshold:.4f}", input=data)
    assert pairs(kept) == pairs(everything)[:middle]
    assert all(value >= threshold for value in scores(kept))


@pytest.mark.parametrize("use_stdin", [False, True])
@pytest.mark.parametrize("given", ["twitter", "TWITTER"])
def test_platform_shows_one_platform_renumbered(kscore, source, use_stdin, given):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    everything = compute_csv(kscore, arg, input=data)
    twitter = compute_csv(kscore, arg, "--platform", given, input=data)
    assert pairs(twitter) == [pair for pair in pairs(everything) if pair[1] == "twitter"]
    assert [int(row["rank"]) for row in twitter] == list(range(1, len(twitter) + 1))
    assert len(twitter) < len(everything)


def test_filters_combine(kscore, sample):
    everything = compute_csv(kscore, sample)
    shown = compute_csv(kscore, sample, "--platform", "twitter", "--top", "1")
    assert pairs(shown) == [next(pair for pair in pairs(everything) if pair[1] == "twitter")]


# -- the run store ----------------------------------------------------------------------------
def test_compute_saves_numbered_runs(kscore, sample, db):
    first = ok(kscore("compute", sample))
    assert f"saved run 1 to {db}" in first.stderr
    assert "saved run" not in first.stdout
    second = ok(kscore("compute", sample))
    assert f"saved run 2 to {db}" in second.stderr
    assert db.exists()
    assert first.stdout == second.stdout


@pytest.mark.parametrize("use_stdin", [False, True])
def test_no_save_leaves_the_store_empty(kscore, source, db, use_stdin):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    result = ok(kscore("compute", arg, "--no-save", input=data))
    assert "saved run" not in result.stderr
    assert not db.exists()
    message = error_line(kscore("rank"))
    assert "no saved runs yet" in message


def test_db_option_overrides_the_environment(kscore, sample, tmp_path, db):
    other = tmp_path / "other.db"
    result = ok(kscore("compute", sample, "--db", str(other)))
    assert f"saved run 1 to {other}" in result.stderr
    assert other.exists()
    assert not db.exists()


def test_default_store_is_under_xdg_data_home(kscore, sample, env, tmp_path):
    result = ok(kscore("compute", sample, extra_env={"KSCORE_DB": None}))
    expected = tmp_path / "xdg" / "kscore" / "kscore.db"
    assert f"saved run 1 to {expected}" in result.stderr
    assert expected.exists()
    assert not (tmp_path / "home" / ".local").exists()


# -- several inputs, compression, encodings -------------------------------------------------
@pytest.mark.parametrize("use_stdin", [False, True])
def test_several_files_score_as_one_concatenated_input(kscore, write, source, use_stdin):
    header, *lines = SAMPLE_CSV.splitlines()
    whole = write("whole.csv", SAMPLE_CSV)
    first = write("part1.csv", "\n".join([header, *lines[:4]]) + "\n")
    second, data, _ = source("part2.csv", "\n".join([header, *lines[4:]]) + "\n", use_stdin)

    joined = ok(kscore("compute", first, second, "--no-save", input=data))
    single = ok(kscore("compute", whole, "--no-save"))
    assert joined.stdout == single.stdout
    assert f"{len(sample_rows())} rows from 2 files" in joined.stderr


def test_files_with_columns_in_another_order_combine(kscore, write):
    """Columns are matched by name, so a second export with its columns shuffled still adds up."""
    rows = sample_rows()
    columns = list(rows[0])
    shuffled = list(reversed(columns))

    def as_csv(names: list[str], chosen: list[dict[str, str]]) -> str:
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(chosen)
        return buffer.getvalue()

    first = write("a.csv", as_csv(columns, rows[:5]))
    second = write("b.csv", as_csv(shuffled, rows[5:]))
    whole = write("whole.csv", SAMPLE_CSV)
    assert ok(kscore("compute", first, second, "--no-save")).stdout == ok(kscore("compute", whole, "--no-save")).stdout


@pytest.mark.parametrize("use_stdin", [False, True])
def test_gzip_input_reads_transparently(kscore, sample, source, use_stdin):
    arg, data, _ = source("sample.csv.gz", gzip.compress(SAMPLE_CSV.encode("utf-8")), use_stdin)
    packed = ok(kscore("compute", arg, "--no-save", input=data))
    plain = ok(kscore("compute", sample, "--no-save"))
    assert packed.stdout == plain.stdout
    assert len(records(packed.stdout)) == len(expected_pairs())


@pytest.mark.parametrize("use_stdin", [False, True])
def test_utf8_bom_and_crlf_line_endings(kscore, sample, source, use_stdin):
    windows = b"\xef\xbb\xbf" + SAMPLE_CSV.replace("\n", "\r\n").encode("utf-8")
    arg, data, _ = source("excel.csv", windows, use_stdin)
    result = ok(kscore("compute", arg, "--no-save", input=data))
    assert result.stdout == ok(kscore("compute", sample, "--no-save")).stdout
    assert "zoë" in {row["account"] for row in records(result.stdout)}


# -- scoring options ---------------------------------------------------------------------------
@pytest.mark.parametrize("use_stdin", [False, True])
def test_as_of_leaves_later_rows_out(kscore, source, use_stdin):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    as_of = datetime(2024, 3, 5, 23, 59, 59, 999999, tzinfo=timezone.utc)  # a date means its end
    later = [row for row in sample_rows() if stamp(row["timestamp"]) > as_of]
    kept = {(row["account"], row["platform"]) for row in sample_rows() if stamp(row["timestamp"]) <= as_of}
    assert later and kept  # the sample straddles the date

    result = ok(kscore("compute", arg, "--no-save", "--as-of", "2024-03-05", input=data))
    assert f"left out {len(later)} after as-of" in result.stderr
    assert "as of 2024-03-05 23:59 UTC" in result.stderr
    rows = records(result.stdout)
    # every account gets a row; those whose rows all come after as-of are dormant, at 1
    assert {pair for pair, row in zip(pairs(rows), rows) if row["style"] != "dormant"} == kept
    assert all(float(row["score"]) == 1.0 for row, pair in zip(rows, pairs(rows)) if pair not in kept)
    assert set(pairs(rows)) == {(row["account"], row["platform"]) for row in sample_rows()}


@pytest.mark.parametrize("use_stdin", [False, True])
def test_rows_older_than_the_window_are_left_out(kscore, source, use_stdin):
    window_days = yaml.safe_load(default_text())["window_days"]
    old_rows = [
        "ancient,2023-06-01T00:00:00Z,twitter,post,o1,,50,5,1,100,old",
        "star,2023-07-01T00:00:00Z,twitter,post,o2,,9,1,0,40000,old",
    ]
    text = SAMPLE_CSV + "\n".join(old_rows) + "\n"
    latest = max(stamp(row["timestamp"]) for row in sample_rows())
    assert all(latest - stamp(line.split(",")[1]) > timedelta(days=window_days) for line in old_rows)

    arg, data, _ = source("history.csv", text, use_stdin)
    result = ok(kscore("compute", arg, "--no-save", input=data))
    assert f"left out {len(old_rows)} before the window" in result.stderr
    rows = {row["account"]: row for row in records(result.stdout) if row["platform"] == "twitter"}
    # an account with nothing in the window still gets its row: dormant, at 1, since when it says
    assert (rows["ancient"]["style"], rows["ancient"]["score"]) == ("dormant", "1.00")
    assert "1 account had nothing in the window" in result.stderr
    assert set(pairs(records(result.stdout))) == expected_pairs() | {("ancient", "twitter")}
    assert ok(kscore("compute", arg, "--no-save", "--window", "all", input=data)).stderr.count("before the window") == 0


@pytest.mark.parametrize("use_stdin", [False, True])
def test_relative_spreads_scores_from_100_to_1(kscore, source, use_stdin):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    absolute = compute_csv(kscore, arg, input=data)
    relative = compute_csv(kscore, arg, "--relative", input=data)
    assert scores(relative)[0] == 100.0
    assert scores(relative)[-1] == 1.0
    assert all(1.0 < value < 100.0 for value in scores(relative)[1:-1])
    assert pairs(relative) == pairs(absolute)  # same order, another scale


@pytest.mark.parametrize("use_stdin", [False, True])
def test_combine_gives_one_row_per_account(kscore, source, use_stdin):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    rows = compute_csv(kscore, arg, "--combine", input=data)
    platforms: dict[str, set[str]] = defaultdict(set)
    for row in sample_rows():
        platforms[row["account"]].add(row["platform"])

    accounts = [row["account"] for row in rows]
    assert sorted(accounts) == sorted(platforms)
    assert len(accounts) == len(set(accounts))
    for row in rows:
        assert row["platform"] == "+".join(sorted(platforms[row["account"]]))
    star = next(row for row in rows if row["account"] == "star")
    assert star["platform"] == "linkedin+twitter"
    items = content_items()
    assert int(star["items"]) == items[("star", "twitter")] + items[("star", "linkedin")]


@pytest.mark.parametrize("use_stdin", [False, True])
def test_verbose_lists_ignored_columns_on_stderr(kscore, sample, source, use_stdin):
    header, *lines = SAMPLE_CSV.splitlines()
    extra = "\n".join([header + ",Notes,campaign", *(line + ",n,c" for line in lines)]) + "\n"
    arg, data, label = source("extra.csv", extra, use_stdin)

    loud = ok(kscore("compute", arg, "--no-save", "-v", input=data))
    assert f"{label}: ignored columns: notes, campaign" in loud.stderr
    assert "ignored" not in loud.stdout
    assert loud.stdout == ok(kscore("compute", sample, "--no-save")).stdout  # ignored means ignored

    quiet = ok(kscore("compute", arg, "--no-save", input=data))
    assert "ignored columns" not in quiet.stderr


# -- usage mistakes (exit 2) --------------------------------------------------------------------
def test_stdin_given_twice_is_a_usage_error(kscore):
    stderr = usage_error(kscore("compute", "-", "-", "--no-save", input=SAMPLE_CSV))
    assert "'-' (standard input) can be given only once" in stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["-f", "xml"], "'-f' / '--format'"),
        (["--top", "0"], "'--top'"),
        (["--as-of", "yesterday"], "'--as-of'"),
        (["--as-of", "2024-02-30"], "'--as-of'"),
        (["--min-score", "101"], "'--min-score'"),
        (["--on-error", "ignore"], "'--on-error'"),
    ],
)
def test_bad_options_are_usage_errors(kscore, sample, db, args, option):
    stderr = usage_error(kscore("compute", sample, *args))
    assert option in stderr
    assert not db.exists()


def test_compute_needs_a_file(kscore):
    stderr = usage_error(kscore("compute"))
    assert "FILE" in stderr


def test_overlapping_exports_count_each_item_once(kscore, write):
    """The same file given twice (overlapping exports): items with a post_id count once, and so do
    rows without one that repeat exactly, with a warning that says how many."""
    first = write("march.csv", SAMPLE_CSV)
    again = write("march-again.csv", SAMPLE_CSV)
    identified = sum(1 for row in sample_rows() if row["post_id"])
    unnamed = len(sample_rows()) - identified
    twice = ok(kscore("compute", first, again, "--no-save"))
    once = ok(kscore("compute", first, "--no-save"))
    assert twice.stdout == once.stdout
    assert f"{identified + unnamed} duplicate items counted once" in twice.stderr
    assert f"warning: {unnamed} row without a post id repeats another exactly" in twice.stderr
    assert "duplicate" not in once.stderr and "warning" not in once.stderr


def test_a_file_with_every_row_before_the_window_is_named_with_what_to_do(kscore, write):
    recent = write("recent.csv", SAMPLE_CSV)
    old = write("old.csv", "account,timestamp,likes\nana,2023-01-05T10:00:00Z,4\nbo,2023-02-01T10:00:00Z,9\n")
    result = ok(kscore("compute", recent, old, "--no-save", "-f", "csv"))
    warning = next(line for line in result.stderr.splitlines() if line.startswith("warning: old.csv"))
    assert "every row is older than the 90-day window up to as-of 2024-03-09" in warning
    assert "--window all" in warning and "--as-of" in warning
    dormant = {row["account"]: row for row in records(result.stdout) if row["style"] == "dormant"}
    assert set(dormant) == {"ana", "bo"} and {row["score"] for row in dormant.values()} == {"1.00"}
    whole = ok(kscore("compute", recent, old, "--no-save", "-f", "csv", "--window", "all"))
    assert "warning" not in whole.stderr
    assert not [row for row in records(whole.stdout) if row["style"] == "dormant"]


def test_most_rows_outside_the_window_is_a_warning(kscore, write):
    rows = "".join(f"ana,2023-0{month}-05T10:00:00Z,4\n" for month in range(1, 10))
    name = write("mostly-old.csv", "account,timestamp,likes\n" + rows + "bo,2024-01-01T10:00:00Z,3\n")
    result = ok(kscore("compute", name, "--no-save", "-f", "csv"))
    assert "warning: 9 of 10 rows are older than the 90-day window up to as-of 2024-01-01" in result.stderr


@pytest.mark.parametrize("window", ["3d", "0d", "soon", "-5d"])
def test_a_window_the_model_cannot_take_is_a_usage_error(kscore, write, window):
    result = kscore("compute", write("s.csv", SAMPLE_CSV), "--no-save", "--window", window)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "window" in result.stderr.splitlines()[-1]


def test_check_counts_each_files_rows_in_the_window(kscore, write):
    recent = write("recent.csv", SAMPLE_CSV)
    old = write("old.csv", "account,timestamp,likes\nana,2023-01-05T10:00:00Z,4\n")
    result = ok(kscore("check", recent, old, "-f", "csv"))
    counts = {row["file"]: row["in_window"] for row in records(result.stdout)}
    assert counts == {"recent.csv": str(len(sample_rows())), "old.csv": "0"}
    assert "warning: old.csv: no row in the 90 days up to 2024-03-09" in result.stderr
    wide = ok(kscore("check", recent, old, "-f", "csv", "--window", "all"))
    assert {row["file"]: row["in_window"] for row in records(wide.stdout)}["old.csv"] == "1"


def test_a_dormant_account_scores_1_whatever_its_audience_and_is_not_the_median(kscore, write):
    name = write("a.csv", "account,timestamp,likes\nana,2024-03-05T10:00:00Z,40\nold,2023-01-05T10:00:00Z,9\n")
    write("aud.csv", "account,platform,followers,following\nold,default,900000,10\nana,default,500,10\n")
    rows = {
        row["account"]: row for row in records(ok(kscore("compute", name, "--accounts", "aud.csv", "-f", "csv")).stdout)
    }
    assert (rows["old"]["score"], rows["old"]["style"]) == ("1.00", "dormant")
    explained = json.loads(ok(kscore("explain", "ana", "-f", "json")).stdout)
    assert explained["median"]["score"] == pytest.approx(float(rows["ana"]["score"]), abs=0.01)
    relative = {
        row["account"]: row
        for row in records(ok(kscore("compute", name, "--relative", "--no-save", "-f", "csv")).stdout)
    }
    assert (relative["ana"]["score"], relative["old"]["score"]) == ("100.00", "1.00")


def test_combined_a_platform_it_was_dormant_on_is_not_in_its_label(kscore, write):
    name = write(
        "a.csv",
        "account,timestamp,platform,likes\nana,2024-03-05T10:00:00Z,twitter,40\nana,2023-01-05T10:00:00Z,mastodon,9\n",
    )
    assert [
        row["platform"] for row in records(ok(kscore("compute", name, "--combine", "--no-save", "-f", "csv")).stdout)
    ] == ["twitter"]


def test_explain_applies_the_window_to_both_models(kscore, write):
    name = write("a.csv", "account,timestamp,likes\nana,2024-03-05T10:00:00Z,40\nana,2023-03-05T10:00:00Z,900\n")
    write("long.yaml", "window_days: 365\n")
    for window in ("all", "90d"):
        data = json.loads(
            ok(kscore("explain", "ana", name, "--window", window, "--model", "long.yaml", "-f", "json")).stdout
        )
        assert data["score"] == pytest.approx(data["compare"]["score"])  # the same window, the same weights


def test_check_refuses_a_window_compute_refuses(kscore, write):
    result = kscore("check", write("s.csv", SAMPLE_CSV), "--window", "10d")
    assert result.exit_code == 2 and "half_life_days" in result.stderr
