"""Hostile inputs of #17: deep or alias-bombed YAML, a closed standard input, nan options,
demo's existing files, model check's warnings, and account names spelt several ways."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from tests.cli.conftest import EXAMPLE, SAMPLE_CSV

REPO = Path(__file__).resolve().parents[2]
DEEP_SEQUENCE = "a: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_MAPPING = "a: " + "{b: " * 5000 + "1" + "}" * 5000 + "\n"
DEEP_BLOCK = "".join(" " * level + "k:\n" for level in range(3000)) + " " * 3000 + "1\n"
LAUGHS = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{name}: &{name} [{','.join([f'*{before}'] * 9)}]\n" for before, name in zip("abcdefgh", "bcdefghi")
)


def one_line(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "internal error" not in lines[0]
    return lines[0]


@pytest.mark.parametrize("text", [DEEP_SEQUENCE, DEEP_MAPPING, DEEP_BLOCK], ids=["sequence", "mapping", "block"])
@pytest.mark.parametrize("use_stdin", [False, True])
def test_a_deeply_nested_model_is_one_line(kscore, source, text: str, use_stdin: bool) -> None:
    argument, stdin, label = source("deep.yaml", text, use_stdin)
    result = kscore("model", "check", argument, input=stdin)
    assert result.exit_code == 1
    assert one_line(result) == f"Error: {label}: the YAML is nested too deeply (over 64 levels)"


def test_a_deeply_nested_model_or_map_is_one_line_in_compute(kscore, write, sample) -> None:
    deep = write("deep.yaml", DEEP_SEQUENCE)
    for option in ("--model", "--map"):
        result = kscore("compute", sample, "--no-save", option, deep)
        assert result.exit_code == 1
        assert one_line(result) == "Error: deep.yaml: the YAML is nested too deeply (over 64 levels)"


def test_yaml_hazards_are_refused(kscore, write) -> None:
    laughs = kscore("model", "check", write("laughs.yaml", LAUGHS))
    assert laughs.exit_code == 1
    assert one_line(laughs) == "Error: laughs.yaml: the YAML expands to over 100,000 values (are aliases repeated?)"
    tagged = kscore("model", "check", write("tag.yaml", 'name: !!python/object/apply:os.system ["echo hi"]\n'))
    assert tagged.exit_code == 1
    assert "could not determine a constructor" in one_line(tagged)
    nested = "signals:\n  reach:\n    weight: 2\n"  # an ordinary model is still fine
    assert kscore("model", "check", write("fine.yaml", nested)).exit_code == 0


def test_yaml_surrogate_escapes_make_one_character(kscore, write) -> None:
    """YAML spells a character outside the BMP as two `\\u` escapes: the model's name holds the
    character; a lone half is no character (nothing could print or store it): an error."""
    result = kscore("model", "check", write("pair.yaml", 'name: "smile \\ud83d\\ude00"\n'))
    assert result.exit_code == 0, result.stderr
    assert "valid model 'smile \U0001f600'" in result.stderr
    half = kscore("model", "check", write("half.yaml", 'name: "half \\ud800"\n'))
    assert half.exit_code == 1
    assert one_line(half) == "Error: half.yaml:1:7: not valid YAML: \\ud800 is half of a character (a lone surrogate)"


def test_names_in_bytes_that_are_not_utf8(kscore, write, db) -> None:
    """A file name the system gives in bytes that are not UTF-8 is saved as `\\xff`; such a name
    looked up is one line, not an internal error."""
    name = write("bad\udcff.csv", SAMPLE_CSV)  # how Python holds the byte 0xff of a file name
    assert kscore("compute", name, "-f", "csv").exit_code == 0
    assert "bad\\xff.csv" in kscore("runs", "show", "1", "-f", "csv").stdout
    for command in (["explain", "st\udcffar"], ["rank", "--platform", "\udcff"], ["history", "\udcff"]):
        result = kscore(*command)
        assert result.exit_code == 1
        assert one_line(result) == (
            "Error: a name given holds \\xff, which is not UTF-8 text: kscore's names and run store are UTF-8"
        )


def _closed_stdin(*args: str) -> subprocess.CompletedProcess[str]:
    """kscore with standard input closed (`<&-`), not merely empty."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "klout_cli", *args],
        stdin=None,
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=lambda: os.close(0),
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["compute", "-", "--no-save"],
        ["compute", str(EXAMPLE), "--no-save", "--model", "-"],
        ["compute", str(EXAMPLE), "--no-save", "--accounts", "-"],
        ["model", "check", "-"],
        ["check", "-"],
        ["explain", "ana", "-"],
    ],
)
def test_a_closed_stdin_is_a_usage_error(args: list[str]) -> None:
    result = _closed_stdin(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1] == "Error: standard input is closed; give a FILE or pipe data in"
    assert "internal error" not in result.stderr


def test_a_closed_stdin_that_is_not_read_does_not_matter() -> None:
    result = _closed_stdin("compute", str(EXAMPLE), "--no-save", "-f", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rank,account")


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e400"])
def test_min_score_must_be_finite(kscore, sample, value: str) -> None:
    result = kscore("compute", sample, "--no-save", "--min-score", value)
    assert result.exit_code == 2
    assert f"'{value}' is not a finite number" in result.stderr
    assert kscore("compute", sample, "--no-save", "--min-score", "50").exit_code == 0


def test_demo_keeps_existing_files_unless_forced(kscore, write, workdir: Path) -> None:
    write("d.csv", "mine\n")
    result = kscore("demo", "--accounts", "60", "-o", "d.csv")
    assert result.exit_code == 1
    assert one_line(result) == "Error: d.csv: already exists (use --force to overwrite)"
    assert (workdir / "d.csv").read_text() == "mine\n"
    write("e.truth.csv", "mine\n")
    result = kscore("demo", "--accounts", "60", "-o", "e.csv")
    assert one_line(result) == "Error: e.truth.csv: already exists (use --force to overwrite)"
    assert not (workdir / "e.csv").exists()
    assert kscore("demo", "--accounts", "60", "-o", "d.csv", "--force").exit_code == 0
    assert (workdir / "d.csv").read_text() != "mine\n"
    assert kscore("demo", "--accounts", "60", "-o", "f.csv").exit_code == 0
    assert kscore("demo", "--accounts", "60", "-o", "f.csv").exit_code == 1


@pytest.mark.parametrize("use_stdin", [False, True])
def test_model_check_warns_of_settings_that_can_never_act(kscore, source, use_stdin: bool) -> None:
    text = "signals:\n  activity: {weight: 1, transform: linear, cap: 5, curve: 1}\n"
    argument, stdin, label = source("w.yaml", text, use_stdin)
    result = kscore("model", "check", argument, "-f", "csv", input=stdin)
    assert result.exit_code == 0
    assert "warning: signals.activity.cap: 5 is above 1" in result.stderr
    assert "warning" not in result.stdout
    zero = "platforms: {default: 0, twitter: 0, mastodon: 0, bluesky: 0, linkedin: 0, instagram: 0,"
    zero += " facebook: 0, youtube: 0, tiktok: 0}\n"
    argument, stdin, label = source("z.yaml", zero, use_stdin)
    result = kscore("model", "check", argument, input=stdin)
    assert result.exit_code == 1
    assert one_line(result) == f"Error: {label}: platforms: all weights are 0; at least one platform must count"


SPELT = SAMPLE_CSV.replace("mid,2024-03-02", " @Mid ,2024-03-02").replace("mid,2024-03-09", "MID,2024-03-09")


@pytest.mark.parametrize("use_stdin", [False, True])
@pytest.mark.parametrize("query", ["mid", "@MID", " Mid ", "Mid"])
def test_explain_finds_an_account_spelt_any_way(kscore, source, use_stdin: bool, query: str) -> None:
    argument, stdin, _ = source("spelt.csv", SPELT, use_stdin)
    result = kscore("explain", query, argument, "-f", "json", input=stdin)
    assert result.exit_code == 0, result.stderr
    assert '"account": "MID"' in result.stdout  # a tie (Mid, MID): the first sorted is shown


def test_compute_merges_spellings_and_lookups_follow(kscore, write) -> None:
    name = write("spelt.csv", SPELT)
    result = kscore("compute", name, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    accounts = [line.split(",")[1] for line in result.stdout.splitlines()[1:]]
    assert accounts.count("MID") == 1 and "mid" not in accounts and "Mid" not in accounts
    for command in (["explain", "@mid"], ["history", "mid"]):
        assert kscore(*command).exit_code == 0
    assert kscore("explain", "STAR", "--platform", "linkedin").exit_code == 1  # linkedin keeps case


def test_the_account_option_is_cleaned(kscore, write) -> None:
    rows = "timestamp,likes\n2024-03-01T10:00:00Z,5\n"
    name = write("one.csv", rows)
    result = kscore("compute", name, "--no-save", "--account", " @Ana ", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].split(",")[1] == "Ana"
    assert kscore("compute", name, "--no-save", "--account", "@").exit_code == 2
