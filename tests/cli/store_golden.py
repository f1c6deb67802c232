"""What every command that shows a saved run prints, kept as golden files (tests/golden/store/).

The golden files were written by the kscore that saved worded JSON breakdowns (2c881a6, before
issue #18; since then only `runs`' outputs were rewritten, for its one line per run): a store
written and read by today's kscore, or written by that one and read by today's, must print the
same bytes. `python -m tests.cli.store_golden DIR` rewrites them with
the kscore installed, in DIR (only ever from a kscore whose output is known good; the old store
only from a kscore of store version 4).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from click.testing import CliRunner

from klout_cli.cli import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "activity.csv"
GOLDEN = REPO / "tests" / "golden" / "store"
#: A store of the example's runs written by that kscore (schema version 4), as SQL.
OLD_STORE = GOLDEN / "example-v4.sql.gz"
FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")
EXPLAIN_FORMATS = ("table", "json", "markdown")
#: When every run was made: `kscore runs` shows it, and it must not depend on the day.
CREATED_AT = "2026-12-01T09:00:00+00:00"
ENV = {"NO_COLOR": "1", "COLUMNS": "120", "KSCORE_DB": "k.db"}

#: How each population's store is made: `compute INPUT` with these options, one run each.
EXAMPLE_RUNS = (("--as-of", "2024-03-15"), (), ("--combine", "--relative"))
DEMO_RUNS = ((), ("--relative", "--as-of", "2024-06-20"))
#: A model other than the run's, for `explain --model` (which re-scores the saved features).
OTHER_MODEL = "name: more engagement\nsignals:\n  engagement:\n    weight: 60\n"


def _formats(args: Sequence[str], formats: Sequence[str] = FORMATS) -> list[tuple[str, ...]]:
    return [(*args, "-f", fmt) for fmt in formats]


def commands(accounts: Sequence[str], topic: str, runs: int) -> list[tuple[str, ...]]:
    """Every command that shows a saved run, in every format, for these accounts and a topic."""
    found = [*_formats(["runs"]), *_formats(["rank"]), *_formats(["topics"]), *_formats(["movers"])]
    found += _formats(["rank", "--topic", topic]) + _formats(["rank", "--topic", topic, "--top", "5", "--run", "1"])
    found += [
        ("rank", "--run", "1", "-f", "json"),
        ("rank", "--top", "50", "-f", "csv"),
        ("rank", "--platform", "twitter", "--min-score", "20", "-f", "csv"),
        ("movers", "--from", "1", "--to", str(runs), "--top", "5", "-f", "json"),
        ("topics", "--run", "1", "--top", "3", "-f", "csv"),
    ]
    for account in accounts:
        found += _formats(["history", account]) + _formats(["topics", account])
        for run in range(1, runs + 1):
            found += _formats(["explain", account, "--run", str(run)], EXPLAIN_FORMATS)
        found.append(("explain", account, "--model", "other.yaml", "-f", "json"))
        found.append(("topics", account, "--run", "1", "-f", "json"))
    return found


EXAMPLE_COMMANDS = commands(["bo_broadcasts", "megaphone_max", "lou_lurks", "spam_stan"], "python", len(EXAMPLE_RUNS))
DEMO_COMMANDS = commands(["max_cooks6", "uma_runs50", "dot_brews66", "uma_thinks82"], "ai", len(DEMO_RUNS)) + _formats(
    ["rank", "--topic", "food"]
)


def invoke(folder: Path, args: Sequence[str]) -> dict[str, object]:
    """`kscore ARGS` in `folder`: what it printed on each stream, and its exit code."""
    runner = CliRunner()
    with _inside(folder):
        result = runner.invoke(cli, list(args), env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return {"stdout": result.stdout, "stderr": result.stderr, "exit": result.exit_code}


class _inside:
    """Work in a folder for a while (store paths and input names are then relative)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.before = folder, Path.cwd()

    def __enter__(self) -> None:
        os.chdir(self.folder)

    def __exit__(self, *_: object) -> None:
        os.chdir(self.before)


def make_store(folder: Path, source: Path, runs: Sequence[Sequence[str]]) -> Path:
    """Score `source` (copied into `folder`) once for each run's options into folder/k.db."""
    name = source.name
    if source.resolve() != (folder / name).resolve():
        shutil.copyfile(source, folder / name)
    (folder / "other.yaml").write_text(OTHER_MODEL)
    for options in runs:
        result = invoke(folder, ["compute", name, *options, "-f", "csv"])
        assert result["exit"] == 0, result
    fix_created(folder / "k.db")
    return folder / "k.db"


def fix_created(store: Path) -> None:
    with sqlite3.connect(store) as connection:
        connection.execute("UPDATE runs SET created_at = ?", (CREATED_AT,))
    connection.close()


def make_demo(folder: Path) -> Path:
    """`kscore demo --accounts 2000 --seed 7 -o demo.csv` in `folder`."""
    result = invoke(folder, ["demo", "--accounts", "2000", "--seed", "7", "-o", "demo.csv"])
    assert result["exit"] == 0, result
    return folder / "demo.csv"


def outputs(folder: Path, wanted: Sequence[Sequence[str]]) -> dict[str, dict[str, object]]:
    return {" ".join(args): invoke(folder, args) for args in wanted}


def golden(name: str) -> dict[str, dict[str, object]]:
    """The outputs kept for a population: {command line: {stdout, stderr, exit}}."""
    import gzip

    found: dict[str, dict[str, object]] = json.loads(gzip.decompress((GOLDEN / f"{name}.json.gz").read_bytes()))
    return found


def write_golden(name: str, found: dict[str, dict[str, object]]) -> None:
    import gzip

    text = json.dumps(found, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    (GOLDEN / f"{name}.json.gz").write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def dump_store(store: Path, target: Path) -> None:
    """The store as SQL, gzipped: the old store a test rebuilds (`load_store`)."""
    import gzip

    with sqlite3.connect(store) as connection:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        text = "\n".join(connection.iterdump()) + f"\nPRAGMA user_version = {version};\n"
    connection.close()
    target.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def load_store(dump: Path, store: Path) -> None:
    import gzip

    connection = sqlite3.connect(store)
    connection.executescript(gzip.decompress(dump.read_bytes()).decode("utf-8"))
    connection.close()


def main(folder: Path) -> None:
    """Rewrite the golden files and the old store (see the module's docstring)."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    example = folder / "example"
    example.mkdir()
    store = make_store(example, EXAMPLE, EXAMPLE_RUNS)
    with sqlite3.connect(store) as connection:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    connection.close()
    if version == 4:  # the old store is one that kscore wrote, and only it
        dump_store(store, OLD_STORE)
    write_golden("example", outputs(example, EXAMPLE_COMMANDS))
    demo = folder / "demo"
    demo.mkdir()
    make_store(demo, make_demo(demo), DEMO_RUNS)
    write_golden("demo", outputs(demo, DEMO_COMMANDS))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
