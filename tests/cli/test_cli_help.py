"""Meta-test: every command and subcommand has a one-line summary and an Examples block."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest

from klout_cli.cli import COMMANDS as SUMMARIES
from klout_cli.cli import cli
from tests.cli.helpers import ok


def subcommands(group: click.Group) -> dict[str, click.Command]:
    """A group's commands by name, loading lazy ones as `kscore NAME` would."""
    ctx = click.Context(group)
    found = {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(subcommands(command).items()):
            yield from walk(sub, (*path, name))


COMMANDS = list(walk(cli))


def test_the_walk_finds_every_command():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "compute", "rank", "check", "schema", "runs", "model", "model init", "model check"} <= names


def example_lines(command: click.Command) -> list[str]:
    """The lines under `Examples:` in the command's docstring."""
    lines = (command.help or "").splitlines()
    start = next(index for index, line in enumerate(lines) if line.strip() == "Examples:")
    examples = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        examples.append(line.strip())
    return examples


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(path) or "kscore" for path, _ in COMMANDS])
def test_help_has_summary_and_examples(kscore, path, command):
    help_text = command.help or ""
    summary = help_text.strip().splitlines()[0] if help_text.strip() else ""
    assert summary, f"{path}: no help text"
    paragraphs = help_text.strip().split("\n\n")
    assert "\n" not in paragraphs[0].strip(), f"{path}: the summary is more than one line"
    assert command.get_short_help_str(limit=120)

    assert "Examples:" in help_text
    assert "\b" in help_text, "the example block needs click's \\b so it is not rewrapped"
    examples = example_lines(command)
    assert examples, f"{path}: empty Examples block"
    assert all("kscore" in line for line in examples)
    if path:
        assert any("kscore " + " ".join(path) in line for line in examples)

    result = ok(kscore(*path, "--help"))
    rendered = [line.strip() for line in result.stdout.splitlines()]
    assert " ".join(summary.split()) in " ".join(result.stdout.split())  # click may rewrap it
    assert "Examples:" in rendered
    for line in examples:  # each example on its own line, as written
        assert line in rendered
    assert ok(kscore(*path, "-h")).stdout == result.stdout


@pytest.mark.parametrize(
    ("path", "command"),
    [(path, command) for path, command in COMMANDS if isinstance(command, click.Group)],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else "",
)
def test_group_help_lists_subcommands_with_summaries(kscore, path, command):
    result = ok(kscore(*path, "--help"))
    for name, sub in subcommands(command).items():
        line = next(line for line in result.stdout.splitlines() if line.strip().startswith(name + " "))
        assert sub.get_short_help_str(limit=45)[:20] in line


def test_the_top_help_shows_each_commands_own_summary(kscore):
    """`kscore --help` lists commands from summaries kept in cli.py (so it imports none): they are
    the first line of each command's own help, and every command is listed."""
    assert set(SUMMARIES) == set(subcommands(cli))
    for name, (module, summary) in SUMMARIES.items():
        command = subcommands(cli)[name]
        assert command.callback is not None and command.callback.__module__ == module
        assert summary == " ".join((command.help or "").strip().split("\n\n")[0].split())


def test_version(kscore):
    result = ok(kscore("--version"))
    assert result.stdout.startswith("kscore, version ")


def test_top_help_imports_no_command():
    """`kscore --help` starts fast: it loads click and the group, not the commands or the core."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from klout_cli.cli import cli\n"
        "try:\n"
        "    cli.main(args=['--help'], prog_name='kscore', standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('klout_cli.commands', 'klout_cli.core', 'rich'))),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Commands:" in done.stdout and "compute" in done.stdout
    assert done.stderr.strip() == "[]"
