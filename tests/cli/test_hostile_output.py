"""Data never reaches a terminal raw: escape sequences, C1 controls, bidi overrides and rich
markup in account names, platforms, topics, item text, file names and the model's name are
shown escaped in every command and format, and none of them crashes a command (#17)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klout_cli.cli import cli
from klout_cli.visible import visible
from tests.cli.terminal import run_in_terminal

#: What an attacker puts in a name: a screen clear, a window title, a hyperlink, a colour, a C1
#: CSI, overwriting, a bell, rich markup, an emoji code, a lone closing tag, an RTL override.
HOSTILE = [
    "evil\x1b[2J\x1b[H",
    "title\x1b]0;TITLE\x07",
    "link\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "red\x1b[31m",
    "c1\u009b31m",
    "over\rwrite\bx\x07",
    "[link=http://evil.example]x[/link]",
    "[bold red]loud[/]",
    ":skull:",
    "close[/]",
    "rtl\u202eabc",
]
#: Bytes a terminal would obey: ESC, C1 controls, CR, BS, BEL, bidi controls.
OBEYED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
MODEL = 'name: "evil model \\e]0;pwned\\a [/] [bold]b[/bold] \\u202e"\n'  # YAML's escapes


def _csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    columns = ["account", "timestamp", "platform", "kind", "post_id", "target", "likes", "shares", "replies"]
    writer = csv.DictWriter(
        buffer, [*columns, "followers", "topics", "text"], lineterminator="\n", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def hostile_csv() -> str:
    """Each hostile string as an account (with a post tagged with it as a topic and as text), a
    platform, and the target of a reply."""
    rows = []
    for number, name in enumerate(HOSTILE):
        for day in (1, 8):
            rows.append(
                {
                    "account": name,
                    "timestamp": f"2024-03-{day + number % 5:02d}T10:00:00Z",
                    "platform": "twitter",
                    "kind": "post",
                    "post_id": f"p{number}-{day}",
                    "target": "",
                    "likes": str(10 + number * 3 + day),
                    "shares": "2",
                    "replies": "1",
                    "followers": "500",
                    "topics": f"topic{name}",
                    "text": f"text {name} #tag{number}",
                }
            )
    rows.append({**rows[0], "account": "plain", "platform": HOSTILE[0], "post_id": "x", "target": HOSTILE[1]})
    return _csv(rows)


@pytest.fixture
def run(workdir: Path, env: dict[str, str]) -> Callable[..., Result]:
    """`kscore ARGS` with click's ANSI stripping off (color=True), so nothing raw is hidden."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        result = runner.invoke(cli, list(args), input=input, env=env, color=True)
        for stream in (result.stdout, result.stderr):
            found = OBEYED.search(stream)
            assert found is None, (args, repr(found.group()), stream[max(0, found.start() - 40) : found.end() + 40])
        assert "internal error" not in result.stderr, (args, result.stderr)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        return result

    return invoke


@pytest.fixture
def saved(run: Callable[..., Result], write: Callable[[str, str], str]) -> str:
    """Two runs of the hostile file saved (so movers and history have two), with a hostile model."""
    name = write("evil\x1b[2J.csv", hostile_csv())
    model = write("model.yaml", MODEL)
    for _ in range(2):
        assert run("compute", name, "--model", model, "-f", "csv").exit_code == 0
    return name


FORMATS = ["table", "csv", "tsv", "json", "jsonl", "markdown"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_listing_shows_hostile_data_escaped(run, saved, fmt):
    commands = [
        ["compute", saved, "--no-save"],
        ["rank"],
        ["rank", saved],
        ["topics"],
        ["topics", HOSTILE[0]],
        ["history", HOSTILE[0]],
        ["movers"],
        ["runs"],
        ["runs", "show", "1"],
        ["check", saved],
        ["model", "check", "model.yaml"],
    ]
    for command in commands:
        result = run(*command, "-f", fmt)
        assert result.exit_code == 0, (command, result.stderr)
        if fmt in ("json", "jsonl"):
            continue  # exact data: checked below
        shown = result.stdout + result.stderr
        if command[0] in ("compute", "rank"):
            assert visible(HOSTILE[0]) in shown, (command, shown)  # seen, escaped
            for markup in ("[link=http://evil.example]x[/link]", ":skull:", "close[/]"):
                assert markup in shown  # shown as written, not interpreted
            assert "💀" not in shown


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_keeps_the_data_exactly(run, saved, fmt):
    text = run("rank", "-f", fmt).stdout
    rows = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    assert {row["account"] for row in rows} >= set(HOSTILE)


@pytest.mark.parametrize("fmt", FORMATS)
def test_runs_show_a_hostile_file_name_escaped_and_json_keeps_it(run, saved, fmt):
    for command in (["runs"], ["runs", "show", "2"]):
        text = run(*command, "-f", fmt).stdout
        if fmt == "json" and command == ["runs"]:
            assert json.loads(text)[1]["inputs"] == saved
        elif fmt == "json":
            assert json.loads(text)["inputs"][0]["file"] == saved
        elif fmt != "jsonl":
            assert visible(saved) in text, (command, text)


def test_csv_carries_the_escaped_text(run, saved):
    rows = list(csv.DictReader(io.StringIO(run("rank", "-f", "csv").stdout)))
    assert {row["account"] for row in rows} >= {visible(name) for name in HOSTILE}


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
@pytest.mark.parametrize("name", HOSTILE)
def test_explain_shows_a_hostile_account_escaped(run, saved, name, fmt):
    for command in (["explain", name], ["explain", name, saved], ["explain", name, "--model", "model.yaml"]):
        result = run(*command, "-f", fmt)
        assert result.exit_code == 0, (command, result.stderr)
        if fmt == "json":
            assert json.loads(result.stdout)["account"] == name
        else:
            assert visible(name) in result.stdout


def test_errors_and_warnings_quote_data_escaped(run, write):
    bad = write("bad\x1b]0;x\x07.csv", "account,timestamp\nevil\x1b[2J,not a time\n")
    result = run("compute", bad)
    assert result.exit_code == 1
    assert "bad\\x1b]0;x\\x07.csv" in result.stderr
    good = write("good.csv", hostile_csv())
    result = run("explain", "nobody\x1b[2J[/]", good)
    assert result.exit_code == 1
    assert "nobody\\x1b[2J[/]" in result.stderr
    assert run("rank", good, "--platform", "\x1b[31m[/]").exit_code == 0


ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(account=ANY_TEXT, platform=ANY_TEXT, topic=ANY_TEXT, text=ANY_TEXT, model_name=ANY_TEXT)
def test_any_string_anywhere_never_crashes_or_reaches_the_terminal_raw(
    run, write, account, platform, topic, text, model_name
):
    rows = [
        {
            "account": who,
            "timestamp": "2024-03-01T10:00:00Z",
            "platform": platform,
            "kind": "post",
            "post_id": f"p{number}",
            "target": "",
            "likes": "5",
            "shares": "1",
            "replies": "0",
            "followers": "100",
            "topics": topic,
            "text": text,
        }
        for number, who in enumerate([account, "other"])
    ]
    data = _csv(rows)
    model = write("m.yaml", "name: " + json.dumps(model_name) + "\n")
    for fmt in FORMATS:
        result = run("compute", "-", "--no-save", "--model", model, "-f", fmt, input=data)
        assert result.exit_code in (0, 1), result.stderr  # 1: a one-line error (an empty name, say)
    for fmt in ("table", "json", "markdown"):
        run("explain", account, "-", "-f", fmt, input=data)
    run("model", "check", model, "-f", "table")
    if run("compute", "-", "--model", model, "-f", "csv", input=data).exit_code == 0:  # saved: every view of it
        for fmt in ("table", "csv", "json"):
            for command in (["rank"], ["topics"], ["topics", account], ["history", account], ["runs"], ["movers"]):
                run(*command, "-f", fmt)
            run("explain", account, "-f", fmt)


#: What kscore itself sends to a terminal: colours (SGR), the cursor hidden and shown, a line
#: erased and the cursor moved up (the progress bar), carriage returns (the terminal's own
#: newline is CR LF).
OWN_SEQUENCES = re.compile(rb"\x1b\[[0-9;]*m|\x1b\[\?25[lh]|\x1b\[[0-9]*[AK]|\x1b\[[0-9]*G|\r")
#: ESC, C1 (as UTF-8, U+0080-U+009F), BEL, backspace and bidi controls in UTF-8.
RAW = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]")


def test_a_real_terminal_shows_hostile_data_escaped_in_every_command(run, saved, workdir, env):
    """On a pseudo-terminal rich colours and sizes its output as for a user; the data in it is
    still escaped, and no command crashes."""
    commands = [
        ["compute", saved, "--model", "model.yaml"],
        ["rank"],
        ["rank", saved],
        ["topics"],
        ["topics", HOSTILE[0]],
        ["history", HOSTILE[0]],
        ["movers"],
        ["runs"],
        ["runs", "show", "1"],
        ["check", saved],
        ["model", "check", "model.yaml"],
        *(["explain", name] for name in HOSTILE),
        ["explain", "nobody\x1b[2J[/]"],
    ]
    for command in commands:
        status, output = run_in_terminal(command, cwd=workdir, env=env, columns=250)
        assert status == (1 if command[-1].startswith("nobody") else 0), (command, output)
        assert b"internal error" not in output and b"Traceback" not in output, (command, output)
        assert b"\x1b[" in output or status == 1, ("rich coloured nothing: not a terminal?", command)
        rest = OWN_SEQUENCES.sub(b"", output)
        found = RAW.search(rest)
        assert found is None, (command, found.group(), rest[max(0, found.start() - 60) : found.end() + 60])
    status, output = run_in_terminal(["explain", HOSTILE[0]], cwd=workdir, env=env, columns=250)
    assert visible(HOSTILE[0]).encode() in OWN_SEQUENCES.sub(b"", output)
    status, output = run_in_terminal(["rank", "-f", "table"], cwd=workdir, env=env, columns=250)
    shown = OWN_SEQUENCES.sub(b"", output)
    for name in HOSTILE:
        assert visible(name).encode() in shown, name
