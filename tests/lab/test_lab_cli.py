"""`kscore demo` and `kscore model evaluate` from the command line; the default model's target."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from klout_cli.cli import cli
from klout_cli.lab.demo import GAMER_GROUPS


def run(*args: str) -> tuple[str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout, result.stderr


def test_demo_writes_activity_and_truth_reproducibly(tmp_path):
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    _, said = run("demo", "--accounts", "200", "--seed", "3", "-o", str(first))
    run("demo", "--accounts", "200", "--seed", "3", "-o", str(second))
    run("demo", "--accounts", "200", "--seed", "4", "-o", str(other))
    assert f"ground truth to {tmp_path / 'a.truth.csv'}" in said
    assert first.read_bytes() == second.read_bytes()
    assert (tmp_path / "a.truth.csv").read_bytes() == (tmp_path / "b.truth.csv").read_bytes()
    assert first.read_bytes() != other.read_bytes()
    # the population is valid input: it scores
    out, _ = run("compute", str(first), "--no-save", "-f", "json")
    assert len(json.loads(out)) > 150


def test_demo_refuses_an_unwritable_place(tmp_path):
    result = CliRunner().invoke(cli, ["demo", "--accounts", "60", "-o", str(tmp_path / "missing" / "d.csv")])
    assert result.exit_code == 1 and "cannot write" in result.stderr and "Traceback" not in result.stderr


def test_evaluate_is_reproducible_and_reports_every_figure():
    args = ("model", "evaluate", "--accounts", "600", "--seed", "5", "-f", "json")
    first, second = json.loads(run(*args)[0]), json.loads(run(*args)[0])
    assert first == second
    assert set(first["results"]) == {"score", "followers_only", "engagement_per_item"}
    for figures in first["results"].values():
        assert -1 <= figures["spearman"] <= 1
        assert set(figures["best_gamer_rank"]) == set(GAMER_GROUPS)
    table = run("model", "evaluate", "--accounts", "600", "--seed", "5", "-f", "csv")[0]
    assert table.splitlines()[0] == "measure,model,followers_only,engagement_per_item"


@pytest.mark.parametrize("seed", [7, 11])
def test_the_default_model_beats_gaming_on_its_own_generator(seed):
    figures = json.loads(run("model", "evaluate", "--seed", str(seed), "-f", "json")[0])["results"]
    assert figures["score"]["spearman"] >= 0.9
    assert figures["score"]["gamers_in_top_50"] == 0
    # and it beats both baselines
    assert figures["score"]["spearman"] > figures["engagement_per_item"]["spearman"]
    assert figures["score"]["spearman"] > figures["followers_only"]["spearman"]
    assert figures["followers_only"]["gamers_in_top_50"] > 0 and figures["engagement_per_item"]["gamers_in_top_50"] > 0
