"""`kscore model init` and `kscore model check`, and computing with a model file."""

from __future__ import annotations

import json

import pytest
import yaml

from klout_cli import core
from tests.cli.conftest import SAMPLE_CSV
from tests.cli.helpers import error_line, ok, pairs, records, usage_error

SIGNALS = list(core.SIGNALS)


def test_init_writes_a_model_that_check_accepts(kscore, workdir):
    written = ok(kscore("model", "init", "mine.yaml"))
    assert "wrote the default model to mine.yaml" in written.stderr
    assert written.stdout == ""
    model = yaml.safe_load((workdir / "mine.yaml").read_text(encoding="utf-8"))

    checked = ok(kscore("model", "check", "mine.yaml", "-f", "csv"))
    assert checked.stderr.startswith(f"mine.yaml: valid model '{model['name']}'")
    assert f"window {model['window_days']:g} days" in checked.stderr
    rows = records(checked.stdout)
    assert [row["signal"] for row in rows] == SIGNALS
    assert [float(row["weight"]) for row in rows] == [float(model["signals"][name]["weight"]) for name in SIGNALS]
    assert [row["transform"] for row in rows] == [model["signals"][name]["transform"] for name in SIGNALS]


def test_init_refuses_to_overwrite_without_force(kscore, workdir):
    target = workdir / "mine.yaml"
    target.write_text("name: keep me\n", encoding="utf-8")
    message = error_line(kscore("model", "init", "mine.yaml"))
    assert message == "mine.yaml: already exists (use --force to overwrite)"
    assert target.read_text(encoding="utf-8") == "name: keep me\n"

    ok(kscore("model", "init", "mine.yaml", "--force"))
    assert target.read_text(encoding="utf-8") != "name: keep me\n"
    assert ok(kscore("model", "check", "mine.yaml")).exit_code == 0


def test_init_dash_prints_yaml_to_stdout(kscore, workdir):
    printed = ok(kscore("model", "init", "-"))
    assert printed.stderr == ""
    assert not (workdir / "-").exists()
    ok(kscore("model", "init", "mine.yaml"))
    assert printed.stdout == (workdir / "mine.yaml").read_text(encoding="utf-8")
    assert set(yaml.safe_load(printed.stdout)["signals"]) == set(SIGNALS)


def test_check_json_format(kscore, workdir):
    ok(kscore("model", "init", "mine.yaml"))
    rows = json.loads(ok(kscore("model", "check", "mine.yaml", "--format", "json")).stdout)
    assert [row["signal"] for row in rows] == SIGNALS
    assert sum(float(row["share"].rstrip("%")) for row in rows) == pytest.approx(100, abs=2)


def test_check_machine_formats_keep_exact_values(kscore, workdir):
    """Machine formats carry the model's numbers as they are (the activity cap 0.75 is not 0.8)."""
    ok(kscore("model", "init", "mine.yaml"))
    model = yaml.safe_load((workdir / "mine.yaml").read_text(encoding="utf-8"))
    rows = json.loads(ok(kscore("model", "check", "mine.yaml", "--format", "json")).stdout)
    assert {row["signal"]: row["cap"] for row in rows} == {name: model["signals"][name]["cap"] for name in SIGNALS}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("signals:\n  reach:\n    wieght: 1\n", "signals.reach.wieght: unknown key (did you mean 'weight'?)"),
        ("signalz: {}\n", "signalz: unknown key (did you mean 'signals'?)"),
        ("actions: {likes: 1, share: 3}\n", "actions.share: unknown key (did you mean 'shares'?)"),
    ],
)
def test_check_typo_key_suggests_the_right_one(kscore, write, text, expected):
    name = write("typo.yaml", text)
    assert error_line(kscore("model", "check", name)) == f"{name}: {expected}"


def test_check_bad_yaml_names_line_and_column(kscore, write):
    name = write("broken.yaml", "name: x\nsignals: [unclosed\n")
    message = error_line(kscore("model", "check", name))
    assert message.startswith(f"{name}:")
    assert "not valid YAML" in message
    line, column = message.split(":")[1:3]
    assert line.isdigit() and column.isdigit()


def test_check_missing_model_file(kscore):
    message = error_line(kscore("model", "check", "nowhere.yaml"))
    assert message.startswith("nowhere.yaml: no such model file")


def test_all_signal_weights_zero_is_rejected(kscore, write):
    zero = "signals:\n" + "".join(f"  {name}: {{weight: 0}}\n" for name in SIGNALS)
    name = write("zero.yaml", zero)
    assert "all weights are 0" in error_line(kscore("model", "check", name))
    compute = error_line(kscore("compute", write("sample.csv", SAMPLE_CSV), "--model", name, "--no-save"))
    assert "all weights are 0" in compute


def test_partial_model_is_accepted_and_reach_stops_counting(kscore, write):
    partial = write("no-reach.yaml", "signals: {reach: {weight: 0}}\n")
    checked = ok(kscore("model", "check", partial, "-f", "csv"))
    weights = {row["signal"]: float(row["weight"]) for row in records(checked.stdout)}
    assert weights["reach"] == 0
    # the rest keep their defaults (activity counts nothing by default)
    assert all(weights[name] > 0 for name in SIGNALS if name not in ("reach", "activity"))

    sample = write("sample.csv", SAMPLE_CSV)
    default = records(ok(kscore("compute", sample, "--no-save", "-f", "csv")).stdout)
    without = records(ok(kscore("compute", sample, "--no-save", "-f", "csv", "--model", partial)).stdout)
    by_pair = {(row["account"], row["platform"]): row for row in default}
    for row in without:
        before = by_pair[(row["account"], row["platform"])]
        assert row["reach"] == before["reach"]  # the sub-score is still measured and shown...
        assert row["score"] != before["score"]  # ...but no longer adds its points

    # with everything that reads the audience switched off, a bigger audience alone changes nothing
    partial = write(
        "no-audience.yaml",
        "signals: {reach: {weight: 0}}\nnetwork: {audience_trust: 0}\n"
        "flags: {bought-audience: {penalty: 0}, follow-back: {penalty: 0}}\n",
    )
    without = records(ok(kscore("compute", sample, "--no-save", "-f", "csv", "--model", partial)).stdout)
    header, *lines = SAMPLE_CSV.splitlines()
    column = header.split(",").index("followers")

    def with_followers(scale: int) -> str:
        rows = [line.split(",") for line in lines]
        for cells in rows:
            cells[column] = str(int(cells[column]) * scale)
        return "\n".join([header, *(",".join(cells) for cells in rows)]) + "\n"

    bigger = write("bigger.csv", with_followers(10))
    grown = records(ok(kscore("compute", bigger, "--no-save", "-f", "csv", "--model", partial)).stdout)
    assert [(row["account"], row["platform"], row["score"]) for row in grown] == [
        (row["account"], row["platform"], row["score"]) for row in without
    ]
    grown_default = records(ok(kscore("compute", bigger, "--no-save", "-f", "csv")).stdout)
    assert [row["score"] for row in grown_default] != [row["score"] for row in default]
    assert pairs(grown) == pairs(without)


def test_compute_records_the_model_in_the_run(kscore, write):
    partial = write("no-reach.yaml", "name: no reach\nsignals: {reach: {weight: 0}}\n")
    ok(kscore("compute", write("sample.csv", SAMPLE_CSV), "--model", partial))
    (run,) = json.loads(ok(kscore("runs", "-f", "json")).stdout)
    assert run["model"].startswith("no reach (")


def test_model_without_subcommand_shows_help(kscore):
    result = kscore("model")
    assert result.exit_code == 2  # click 8.2+: a group called without a command is a usage mistake
    assert "Usage:" in result.stderr
    assert "init" in result.stderr and "check" in result.stderr


def test_model_init_needs_a_file(kscore):
    assert "FILE" in usage_error(kscore("model", "init"))


@pytest.mark.parametrize("use_stdin", [False, True])
def test_model_check_reads_a_file_or_stdin(kscore, workdir, use_stdin):
    """`kscore model init - | kscore model check -`: `-` reads the model from stdin."""
    text = ok(kscore("model", "init", "-")).stdout
    if use_stdin:
        result = kscore("model", "check", "-", "-f", "csv", input=text)
    else:
        (workdir / "mine.yaml").write_text(text, encoding="utf-8")
        result = kscore("model", "check", "mine.yaml", "-f", "csv")
    ok(result)
    assert [row["signal"] for row in records(result.stdout)] == SIGNALS
