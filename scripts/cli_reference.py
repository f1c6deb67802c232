"""Write docs/cli.md from the commands' own --help, so the reference never drifts.

python scripts/cli_reference.py          # rewrite docs/cli.md
python scripts/cli_reference.py --check  # exit 1 if docs/cli.md is out of date (CI runs this via pytest)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from klout_cli.cli import cli

TARGET = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found.extend(commands(command, (*path, name)))
        else:
            found.append((*path, name))
    return found


def render() -> str:
    runner = CliRunner()
    parts = [
        "# kscore command reference",
        "",
        "Generated from `kscore … --help` by `scripts/cli_reference.py`; a test fails when it drifts.",
    ]
    for path in commands(cli):
        result = runner.invoke(cli, [*path, "--help"], prog_name="kscore", terminal_width=100)
        title = " ".join(("kscore", *path))
        parts += ["", f"## `{title}`", "", "```", result.output.rstrip(), "```"]
    return "\n".join(parts) + "\n"


def main() -> None:
    text = render()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            sys.exit(f"{TARGET} is out of date: run python scripts/cli_reference.py")
        return
    TARGET.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
