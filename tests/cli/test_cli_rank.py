"""`kscore rank`: saved runs (latest or --run ID), or FILEs scored without saving."""

from __future__ import annotations

import pytest

from tests.cli.conftest import SAMPLE_CSV
from tests.cli.helpers import SCORE_COLUMNS, error_line, header_of, ok, pairs, records, usage_error

#: A second, smaller input: two accounts not in the sample.
OTHER_CSV = """\
account,timestamp,platform,likes,shares,followers
nina,2024-04-01,twitter,40,8,2000
omar,2024-04-02,twitter,4,0,300
"""


@pytest.fixture
def two_runs(kscore, write):
    """Run 1 scores the sample, run 2 the other input; returns what compute printed for each."""
    first = ok(kscore("compute", write("sample.csv", SAMPLE_CSV), "-f", "csv"))
    second = ok(kscore("compute", write("other.csv", OTHER_CSV), "-f", "csv"))
    assert "saved run 1" in first.stderr and "saved run 2" in second.stderr
    return first.stdout, second.stdout


def test_rank_shows_the_latest_run(kscore, two_runs):
    result = ok(kscore("rank", "-f", "csv"))
    assert result.stdout == two_runs[1]
    assert header_of(result.stdout) == SCORE_COLUMNS


def test_rank_run_picks_an_older_run(kscore, two_runs):
    result = ok(kscore("rank", "--run", "1", "-f", "csv"))
    assert result.stdout == two_runs[0]


def test_rank_table_title_names_the_run(kscore, two_runs):
    result = ok(kscore("rank", "--run", "1", "-f", "table"))
    title = result.stdout.splitlines()[0]
    assert title.endswith("· run 1") or "· run 1 " in title
    assert f"{len(records(two_runs[0]))} scores" in title


def test_unknown_run_id_is_a_clear_error(kscore, two_runs, db):
    message = error_line(kscore("rank", "--run", "9"))
    assert message.startswith(f"no run 9 in {db}")
    assert "latest runs: 1, 2" in message
    assert "kscore runs" in message


def test_rank_with_an_empty_store_exits_1(kscore, db):
    message = error_line(kscore("rank"))
    assert "no saved runs yet" in message
    assert "kscore compute FILE" in message
    assert not db.exists()  # asking does not create a store


@pytest.mark.parametrize("use_stdin", [False, True])
def test_rank_file_scores_without_saving(kscore, source, db, use_stdin):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    ranked = ok(kscore("rank", arg, "-f", "csv", input=data))
    computed = ok(kscore("compute", arg, "--no-save", "-f", "csv", input=data))
    assert ranked.stdout == computed.stdout
    assert "saved run" not in ranked.stderr
    assert not db.exists()
    assert "no saved runs yet" in error_line(kscore("runs"))


@pytest.mark.parametrize("use_stdin", [False, True])
def test_rank_file_takes_scoring_options(kscore, source, use_stdin):
    arg, data, _ = source("sample.csv", SAMPLE_CSV, use_stdin)
    ranked = ok(kscore("rank", arg, "--combine", "--relative", "-f", "csv", input=data))
    computed = ok(kscore("compute", arg, "--combine", "--relative", "--no-save", "-f", "csv", input=data))
    assert ranked.stdout == computed.stdout
    assert float(records(ranked.stdout)[0]["score"]) == 100.0


def test_rank_run_and_file_together_is_a_usage_error(kscore, two_runs, write):
    stderr = usage_error(kscore("rank", "--run", "1", write("again.csv", SAMPLE_CSV)))
    assert "either FILEs to score or --run ID, not both" in stderr


@pytest.mark.parametrize(
    "option", [["--model", "weights.yaml"], ["--as-of", "2024-03-01"], ["--relative"], ["--combine"]]
)
def test_scoring_options_without_file_are_usage_errors(kscore, two_runs, option):
    stderr = usage_error(kscore("rank", *option))
    assert "apply only with FILEs" in stderr


def test_on_error_without_file_is_a_usage_error(kscore, two_runs):
    assert "apply only with FILEs" in usage_error(kscore("rank", "--on-error", "skip"))


def test_filtered_rank_renumbers_from_1(kscore, two_runs):
    everything = records(ok(kscore("rank", "--run", "1", "-f", "csv")).stdout)
    linkedin = records(ok(kscore("rank", "--run", "1", "--platform", "LinkedIn", "-f", "csv")).stdout)
    assert pairs(linkedin) == [pair for pair in pairs(everything) if pair[1] == "linkedin"]
    assert [int(row["rank"]) for row in linkedin] == list(range(1, len(linkedin) + 1))
    assert int(next(row for row in everything if row["platform"] == "linkedin")["rank"]) > 1


def test_min_score_on_a_saved_run(kscore, two_runs):
    everything = records(ok(kscore("rank", "--run", "1", "-f", "csv")).stdout)
    values = [float(row["score"]) for row in everything]
    threshold = (values[1] + values[2]) / 2
    kept = records(ok(kscore("rank", "--run", "1", "--min-score", f"{threshold:.4f}", "-f", "csv")).stdout)
    assert pairs(kept) == pairs(everything)[:2]


def test_top_csv_cut_to_account_names(kscore, two_runs):
    """`kscore rank --top 3 --format csv | cut -d, -f2` gives the header then three names."""
    everything = records(ok(kscore("rank", "--run", "1", "-f", "csv")).stdout)
    result = ok(kscore("rank", "--run", "1", "--top", "3", "--format", "csv"))
    cut = [line.split(",")[1] for line in result.stdout.splitlines()]
    assert cut == ["account", *(row["account"] for row in everything[:3])]
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", ["json", "jsonl", "markdown", "tsv", "table"])
def test_rank_formats_match_compute_formats(kscore, write, fmt):
    name = write("sample.csv", SAMPLE_CSV)
    computed = ok(kscore("compute", name, "-f", fmt))
    ranked = ok(kscore("rank", "-f", fmt))
    if fmt == "table":  # the title also names the run
        assert ranked.stdout.splitlines()[1:] == computed.stdout.splitlines()[1:]
    else:
        assert ranked.stdout == computed.stdout


def test_rank_of_a_store_that_is_not_a_store(kscore, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite at all\n")
    message = error_line(kscore("rank", "--db", str(junk)))
    assert message.startswith(f"{junk}: not a kscore run store")


def test_rank_and_help_do_not_import_pandas(kscore, sample, db):
    """`kscore rank` and `kscore --help` stay fast: pandas is imported only by commands that read CSVs."""
    import subprocess
    import sys

    ok(kscore("compute", sample))
    probe = (
        "import sys\n"
        "from klout_cli.cli import cli\n"
        "for args in ({args}):\n"
        "    try:\n"
        "        cli.main(args=list(args), prog_name='kscore', standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('PANDAS' if 'pandas' in sys.modules else 'NO-PANDAS', file=sys.stderr)\n"
    )
    for args in ("['--help'],", f"['rank', '--db', {str(db)!r}, '--top', '3', '-f', 'csv'],"):
        done = subprocess.run([sys.executable, "-c", probe.format(args=args)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert done.stderr.strip().endswith("NO-PANDAS"), done.stderr
    # the probe can tell: computing does import it
    compute_args = f"['compute', {str(sample)!r}, '--no-save', '-f', 'csv'],"
    done = subprocess.run([sys.executable, "-c", probe.format(args=compute_args)], capture_output=True, text=True)
    assert done.stderr.strip().endswith("PANDAS") and not done.stderr.strip().endswith("NO-PANDAS")


@pytest.mark.parametrize("extra", [[], ["--platform", "twitter"], ["-f", "json"]])
def test_rank_imports_only_the_light_part_of_the_core(kscore, write, db, extra):
    """Building the core's dataclasses took longer than ranking a saved run: `rank` reads it with
    the core's names and ranks only (`basics`, `errors`). (`--topic` reads the run's model, for
    its topic aliases, so it needs the model's part of the core.)"""
    import subprocess
    import sys

    from tests.cli.test_cli_topics import TOPICS_CSV

    ok(kscore("compute", write("topics.csv", TOPICS_CSV)))
    args = ["rank", "--db", str(db), "--top", "3", *extra]
    probe = (
        "import sys\n"
        "from klout_cli.cli import cli\n"
        "try:\n"
        f"    cli.main(args={args!r}, prog_name='kscore', standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('klout_cli.core')), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") >= 2, done.stdout  # it ranked
    assert (
        done.stderr.strip().splitlines()[-1] == "['klout_cli.core', 'klout_cli.core.basics', 'klout_cli.core.errors']"
    )
