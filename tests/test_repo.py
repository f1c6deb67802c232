"""The repository keeps its promises to readers: docs match the code, shipped files match their sources."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from klout_cli.modelfile import default_text
from tests.conftest import REPO


def test_top_level_weights_yaml_is_the_shipped_default() -> None:
    assert (REPO / "weights.yaml").read_text(encoding="utf-8") == default_text()


def test_the_example_data_is_what_its_generator_makes() -> None:
    made = subprocess.run(
        [sys.executable, str(REPO / "examples" / "make_activity.py")], capture_output=True, text=True, check=True
    ).stdout
    assert made == (REPO / "examples" / "activity.csv").read_text(encoding="utf-8")


def test_cli_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location("cli_reference", REPO / "scripts" / "cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == expected, (
        "docs/cli.md is out of date: run python scripts/cli_reference.py"
    )


def test_readme_opens_with_the_two_commands() -> None:
    head = (REPO / "README.md").read_text(encoding="utf-8").splitlines()[:15]
    assert any("pip install . && kscore compute examples/activity.csv" in line for line in head)
    assert any("pip install '.[test]' && pytest" in line for line in head)


@pytest.mark.parametrize(
    "command",
    [
        "compute",
        "rank",
        "check",
        "schema",
        "runs",
        "model init",
        "model check",
        "explain",
        "history",
        "movers",
        "demo",
        "model evaluate",
    ],
)
def test_readme_documents_every_command(command: str) -> None:
    assert f"kscore {command}" in (REPO / "README.md").read_text(encoding="utf-8")
