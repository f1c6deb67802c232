"""docs/errors.md, run: every row's exit status and message, exactly as kscore prints them (#17).

The doc's tables are parsed; each row's id has a reproduction here (files to write, arguments,
standard input, environment), run in-process with CliRunner in an empty folder whose run store
is `k.db`. A row that CliRunner cannot reproduce names the test that does (`Elsewhere`).
"""

from __future__ import annotations

import ast
import re
import signal
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import klout_cli.store as store_module
from klout_cli.cli import UNWINDING, _sigterm_unwinds, _terminated
from tests.cli.conftest import REPO, SAMPLE_CSV
from tests.cli.helpers import assert_no_traceback

DOC = REPO / "docs" / "errors.md"
STORE = "k.db"


# -- the doc ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One row of a table in docs/errors.md."""

    id: str
    exit: int
    message: str | None
    """The message as printed (after `Error: ` or `warning: `); None for `—`, nothing printed."""


ROW = re.compile(r"\|\s*([EWI]-[a-z0-9-]+)\s*\|")
CELL = re.compile(r"(?<!\\)\|")
CODE = re.compile(r"(`+) ?(.*?) ?\1")


def doc_rows(text: str) -> list[Row]:
    """The rows of the doc's tables whose first cell is an id (`E-csv-count`), in order."""
    rows = []
    for line in text.splitlines():
        if not ROW.match(line):
            continue
        cells = [cell.strip() for cell in CELL.split(line.strip())[1:-1]]
        assert len(cells) == 4, f"a row needs | id | when | exit | message |: {line}"
        row_id, _, exit_status, message = cells
        if message == "—":
            rows.append(Row(row_id, int(exit_status), None))
            continue
        code = CODE.fullmatch(message)
        assert code, f"{row_id}: the message is one code span (`...`, or ``...`` when it holds a backtick)"
        rows.append(Row(row_id, int(exit_status), code.group(2)))
    return rows


ROWS = doc_rows(DOC.read_text(encoding="utf-8"))
BY_ID = {row.id: row for row in ROWS}


# -- reproductions ------------------------------------------------------------------------------
Around = Callable[[pytest.MonkeyPatch], AbstractContextManager[object]]


@dataclass(frozen=True)
class Case:
    """`kscore ARGS` in a folder holding `files`, the store at k.db, after `first` succeeded."""

    args: tuple[str, ...]
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    stdin: str | bytes | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    first: tuple[tuple[str, ...], ...] = ()
    """Commands run before, each of which must succeed (a saved run, say)."""
    around: Around | None = None
    """A fault in place while ARGS runs: the store held, read-only, a full disk, signals handled."""


@dataclass(frozen=True)
class Elsewhere:
    """A row reproduced by an existing test (`tests/cli/test_x.py::test_name`), which CliRunner
    cannot do: a closed standard input."""

    test: str


def compute(content: str | bytes, *options: str, name: str = "activity.csv") -> Case:
    """`kscore compute activity.csv OPTIONS` on this content."""
    return Case(("compute", name, *options), {name: content})


def model_check(text: str) -> Case:
    return Case(("model", "check", "weights.yaml"), {"weights.yaml": text})


def after_a_run(
    *args: str, data: str = SAMPLE_CSV, env: Mapping[str, str] | None = None, around: Around | None = None
) -> Case:
    """ARGS once `kscore compute activity.csv` has saved run 1 (of SAMPLE_CSV unless told)."""
    return Case(args, {"activity.csv": data}, env=env or {}, first=(("compute", "activity.csv"),), around=around)


def database(*statements: str) -> bytes:
    """The bytes of a SQLite database made by these statements."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "made.db"
        connection = sqlite3.connect(path)
        for statement in statements:
            connection.execute(statement)
        connection.commit()
        connection.close()
        return path.read_bytes()


@contextmanager
def store_held(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another writer holds the store's write lock (as a kscore saving a run does)."""
    other = sqlite3.connect(STORE, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


@contextmanager
def read_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SQLite opens the store read-only, as it does a file it may not write (root writes any)."""
    real = sqlite3.connect

    def connect(path: object, *args: object, **kwargs: object) -> sqlite3.Connection:
        return real(f"file:{path}?mode=ro", *args, uri=True, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(store_module.sqlite3, "connect", connect)
        yield


@contextmanager
def disk_full(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SQLite's own SQLITE_FULL: the store may not grow past the pages it has."""
    real = sqlite3.connect

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        connection = real(*args, **kwargs)  # type: ignore[arg-type]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    with monkeypatch.context() as patch:
        patch.setattr(store_module.sqlite3, "connect", connect)
        yield


@contextmanager
def as_main(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SIGTERM and SIGHUP handled as `kscore` (cli.main) handles them."""
    with _sigterm_unwinds():
        if any(signal.getsignal(number) is not _terminated for number in UNWINDING):
            pytest.skip(
                "another handler of SIGTERM or SIGHUP is set: kscore would leave it, and the signal stop pytest"
            )
        yield


def interrupted(sent: str, point: str = "before-commit") -> Case:
    """A second compute, sent a signal (INT, TERM, HUP) at `point` of its save (the test-only hook)."""
    return after_a_run("compute", "activity.csv", env={"KSCORE_TEST_AT": f"{point}:signal={sent}"}, around=as_main)


CELL_ERRORS = "account,timestamp,likes\nalice,2024-03-01,5\nbob,2024-03-02,n/a\n"
HEADER = "account,timestamp,likes,text"
ROWS_OF = [f"u{n},2024-01-{n + 1:02d},{n},hi" for n in range(25)]
#: A stray quote opens on line 7 and a second closes on line 21: 15 lines read as one field.
STRAY = "\n".join([HEADER, *ROWS_OF[:5], 'u5,2024-01-06,5,"oops', *ROWS_OF[6:19], 'u19,2024-01-20,1,"closes'])
STRAY += "\n" + "\n".join(ROWS_OF[20:]) + "\n"
LAUGHS = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{name}: &{name} [{','.join([f'*{before}'] * 9)}]\n" for before, name in zip("abcdefgh", "bcdefghi")
)
ZERO_PLATFORMS = (
    "platforms: {default: 0, twitter: 0, mastodon: 0, bluesky: 0, linkedin: 0, instagram: 0,"
    " facebook: 0, youtube: 0, tiktok: 0}\n"
)
ZERO_SIGNALS = (
    "signals: {reach: {weight: 0}, engagement: {weight: 0}, amplification: {weight: 0},"
    " activity: {weight: 0}, true_reach: {weight: 0}, network_impact: {weight: 0}}\n"
)
TOPICS_CSV = "account,timestamp,likes,topics\nana,2024-03-01,5,ai\nbob,2024-03-02,3,climate\n"
MAP = "columns:\n  account: who\n  timestamp: when\n"

CASES: dict[str, Case | Elsewhere] = {
    # usage
    "E-usage-option": compute(SAMPLE_CSV, "--formt", "csv"),
    "E-usage-missing-argument": Case(("compute",)),
    "E-usage-choice": compute(SAMPLE_CSV, "-f", "xml"),
    "E-usage-as-of": compute(SAMPLE_CSV, "--as-of", "tomorrow"),
    "E-usage-window": compute(SAMPLE_CSV, "--window", "0"),
    "E-usage-window-model": compute(SAMPLE_CSV, "--window", "5000d"),
    "E-usage-min-score-nan": compute(SAMPLE_CSV, "--min-score", "nan"),
    "E-usage-min-score-range": compute(SAMPLE_CSV, "--min-score", "200"),
    "E-usage-preset": compute(SAMPLE_CSV, "--preset", "nope"),
    "E-usage-preset-and-map": compute(SAMPLE_CSV, "--preset", "x-analytics", "--map", "my-map.yaml"),
    "E-usage-account-empty": compute(SAMPLE_CSV, "--account", "@"),
    "E-usage-stdin-twice": Case(("compute", "-", "-"), stdin=SAMPLE_CSV),
    "E-usage-stdin-model": Case(("compute", "-", "--model", "-"), stdin=SAMPLE_CSV),
    "E-usage-stdin-accounts": Case(("compute", "-", "--accounts", "-"), stdin=SAMPLE_CSV),
    "E-usage-stdin-closed": Elsewhere("tests/cli/test_cli_hostile_misc.py::test_a_closed_stdin_is_a_usage_error"),
    "E-usage-files-and-run": after_a_run("rank", "--run", "1", "activity.csv"),
    "E-usage-reading-without-files": after_a_run("rank", "--strict"),
    "E-usage-topic-empty": after_a_run("rank", "--topic", "#"),
    "E-usage-scheduler": compute(SAMPLE_CSV, "--scheduler", "tcp://127.0.0.1:8786"),
    # running on a Dask cluster
    "E-cluster-no-dask": Elsewhere(
        "tests/cli/test_cli_engine.py::test_without_the_extra_the_error_says_how_to_install_it"
    ),
    "E-cluster-stdin": Case(("compute", "-", "--engine", "dask"), stdin=SAMPLE_CSV),
    "E-cluster-unreachable": Elsewhere("tests/cli/test_cli_engine.py::test_an_unreachable_scheduler_is_one_line"),
    "E-cluster-no-workers": Elsewhere("tests/cli/test_cli_engine.py::test_a_scheduler_without_workers_is_one_line"),
    "E-cluster-cannot-run": Elsewhere(
        "tests/cli/test_cli_engine.py::test_workers_that_cannot_run_kscore_or_run_another_are_one_line"
    ),
    "E-cluster-version": Elsewhere(
        "tests/cli/test_cli_engine.py::test_workers_that_cannot_run_kscore_or_run_another_are_one_line"
    ),
    "E-cluster-unreadable": Elsewhere(
        "tests/cli/test_cli_dask.py::test_an_input_one_worker_cannot_read_is_named_with_that_worker"
    ),
    "E-cluster-killed": Elsewhere("tests/cli/test_cli_engine.py::test_a_task_whose_workers_keep_dying_is_one_line"),
    "E-cluster-different-files": Elsewhere(
        "tests/cli/test_cli_dask.py::test_an_input_one_worker_cannot_read_is_named_with_that_worker"
    ),
    "E-usage-runs-keep": after_a_run("runs", "prune", "--keep", "-1"),
    "E-usage-runs-id": after_a_run("runs", "delete", "1.5"),
    "E-usage-store-timeout": Case(
        ("compute", "activity.csv"), {"activity.csv": SAMPLE_CSV}, env={"KSCORE_STORE_TIMEOUT": "soon"}
    ),
    # reading input files
    "E-file-missing": Case(("compute", "nowhere.csv")),
    "E-file-directory": Case(("compute", "exports"), {"exports/notes.txt": "not activity\n"}),
    "E-csv-count": compute(CELL_ERRORS),
    "E-csv-negative": compute("account,timestamp,shares\nalice,2024-03-01,-3\n"),
    "E-csv-fraction": compute("account,timestamp,replies\nalice,2024-03-01,2.5\n"),
    "E-csv-too-large": compute("account,timestamp,likes\nalice,2024-03-01,1e16\n"),
    "E-csv-kind": compute("account,timestamp,kind\nalice,2024-03-01,poke\n"),
    "E-csv-account-empty": compute("account,timestamp\nalice,2024-03-01\n  ,2024-03-02\n"),
    "E-csv-target-empty": compute("account,timestamp,kind,target\nalice,2024-03-01,like,\n"),
    "E-csv-timestamp-incomplete": compute("account,timestamp,likes\nalice,2024-03-29T22:4,1\n"),
    "E-csv-timestamp-invalid": compute("account,timestamp\nalice,2024-03-01\nbob,2024-02-30\n"),
    "E-csv-timestamp-range": compute("account,timestamp\nalice,1800-03-01\n"),
    "E-csv-short-row": compute(
        "account,timestamp,likes,text\nalice,2024-03-01,1,a\nbob,2024-03-02\ncarl,2024-03-03,1,c\n"
    ),
    "E-csv-truncated": compute(
        "account,timestamp,likes,text\nalice,2024-03-01,1,a\nbob,2024-03-02,1,b\ncarl,2024-03-03"
    ),
    "E-csv-too-many-fields": compute("account,timestamp,likes\nalice,2024-03-01,1\nbob,2024-03-02,2,3\n"),
    "E-csv-unclosed-quote": compute('account,timestamp\nalice,2024-03-01\n"bob,2024-03-02\ncarl,2024-03-03\n'),
    "W-csv-stray-quote": compute(STRAY),
    "E-csv-stray-quote-strict": compute(STRAY, "--strict"),
    "E-csv-not-utf8": compute(b"account,timestamp,text\nalice,2024-03-01,ok\nbob,2024-03-01,caf\xe9\n"),
    "E-csv-binary": compute(b"account,timestamp\nalice,\x00\x01\x02\x03\n"),
    "E-csv-gzip": compute(b"\x1f\x8bnot really gzip", name="activity.csv.gz"),
    "E-csv-empty": compute(""),
    "E-csv-header-only": compute("account,timestamp,likes\n"),
    "E-csv-missing-column": compute("account,likes\nalice,3\n"),
    "E-csv-unknown-header": compute("user,when,favs\nalice,2024-03-01,3\n"),
    "E-csv-duplicate-column": compute("account,timestamp,Likes,LIKES\nalice,2024-03-01,1,2\n"),
    "E-csv-preset-mismatch": compute(SAMPLE_CSV, "--preset", "x-analytics"),
    "E-csv-no-account": Case(
        ("compute", "activity.csv", "--map", "my-map.yaml"), {"activity.csv": SAMPLE_CSV, "my-map.yaml": MAP}
    ),
    "E-csv-newline-in-cell": compute('account,timestamp,likes\nalice,2024-03-01,"two\nlines"\n'),
    "E-csv-all-skipped": compute("account,timestamp,likes\na,2024-03-01,x\nb,2024-03-01,y\n", "--on-error", "skip"),
    "E-csv-outside-window": compute("account,timestamp,likes\na,2024-03-01,1\n", "--as-of", "2025-01-01"),
    "E-accounts-columns": Case(
        ("compute", "activity.csv", "--accounts", "accounts.csv"),
        {"activity.csv": SAMPLE_CSV, "accounts.csv": "account,followers\nstar,10\n"},
    ),
    "E-check-problems": Case(
        ("check", "activity.csv", "sample.csv"), {"activity.csv": CELL_ERRORS, "sample.csv": SAMPLE_CSV}
    ),
    # the model and other YAML files
    "E-model-missing": compute(SAMPLE_CSV, "--model", "nowhere.yaml"),
    "E-map-missing": compute(SAMPLE_CSV, "--map", "nowhere.yaml"),
    "E-yaml-invalid": model_check("signals:\n  reach: [1\n"),
    "E-yaml-too-deep": model_check("a: " + "[" * 100 + "]" * 100 + "\n"),
    "E-yaml-alias-bomb": model_check(LAUGHS),
    "E-yaml-python-tag": model_check('name: !!python/object/apply:os.system ["echo hi"]\n'),
    "E-yaml-duplicate-key": model_check("window_days: 30\nwindow_days: 60\n"),
    "E-yaml-key-not-name": model_check("? [a]\n: 1\n"),
    "E-model-not-mapping": model_check("- a\n- b\n"),
    "E-model-unknown-key": model_check("signals:\n  reech:\n    weight: 1\n"),
    "E-model-not-a-number": model_check('signals:\n  reach:\n    weight: "2"\n'),
    "E-model-out-of-range": model_check("network:\n  damping: 1.5\n"),
    "E-model-penalty": model_check("flags:\n  pod:\n    penalty: 150\n"),
    "E-model-half-life": model_check("half_life_days: 200\n"),
    "E-model-signals-zero": model_check(ZERO_SIGNALS),
    "E-model-platforms-zero": model_check(ZERO_PLATFORMS),
    "E-model-retired-key": model_check("flags:\n  pod:\n    max_ring: 3\n"),
    "W-model-never-acts": model_check("signals:\n  activity: {weight: 1, transform: linear, cap: 5, curve: 1}\n"),
    "E-map-unknown-column": Case(
        ("compute", "activity.csv", "--map", "my-map.yaml"),
        {"activity.csv": SAMPLE_CSV, "my-map.yaml": "columns:\n  timestamp: when\n  acount: who\n"},
    ),
    "E-model-init-exists": Case(("model", "init", "weights.yaml"), {"weights.yaml": "name: mine\n"}),
    "E-demo-exists": Case(("demo", "-o", "demo.csv"), {"demo.csv": "mine\n"}),
    # the run store
    "E-store-no-runs": Case(("rank",)),
    "E-store-empty": Case(("rank",), {STORE: b""}),
    "E-store-unknown-run": after_a_run("rank", "--run", "7"),
    "E-store-delete-unknown": after_a_run("runs", "delete", "1", "7", "9"),
    "E-store-delete-busy": after_a_run("runs", "delete", "1", env={"KSCORE_STORE_TIMEOUT": "1"}, around=store_held),
    "E-store-delete-read-only": after_a_run("runs", "prune", "--keep", "0", around=read_only),
    "E-store-busy": after_a_run("compute", "activity.csv", env={"KSCORE_STORE_TIMEOUT": "1"}, around=store_held),
    "E-store-read-only": after_a_run("compute", "activity.csv", around=read_only),
    "E-store-disk-full": after_a_run("compute", "activity.csv", around=disk_full),
    "E-store-not-database": Case(("rank",), {STORE: b"these are not the runs you are looking for\n" * 200}),
    "E-store-other-app": Case(("rank",), {STORE: database("CREATE TABLE notes (text)")}),
    "E-store-future-version": Case(("rank",), {STORE: database("PRAGMA user_version = 99")}),
    "E-movers-one-run": after_a_run("movers"),
    # lookups
    "E-lookup-account": after_a_run("explain", "stra"),
    "E-lookup-account-files": Case(("explain", "st", "activity.csv"), {"activity.csv": SAMPLE_CSV}),
    "E-lookup-platform": after_a_run("explain", "star", "--platform", "nowhere"),
    "E-lookup-history": after_a_run("history", "stra"),
    "E-lookup-topic": after_a_run("rank", "--topic", "clmate", data=TOPICS_CSV),
    "E-lookup-no-topics": after_a_run("topics"),
    # interrupts
    "I-ctrl-c": interrupted("INT"),
    "I-sigterm": interrupted("TERM"),
    "I-sighup": interrupted("HUP"),
    "I-after-save": interrupted("INT", "after-commit"),
    "I-after-delete": after_a_run(
        "runs", "delete", "1", env={"KSCORE_TEST_AT": "after-commit:signal=INT"}, around=as_main
    ),
}


# -- the tests ----------------------------------------------------------------------------------
def test_every_row_has_a_reproduction_and_every_reproduction_a_row() -> None:
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), "an id is given twice in docs/errors.md"
    assert set(ids) == set(CASES), {
        "rows without a reproduction": sorted(set(ids) - set(CASES)),
        "reproductions without a row": sorted(set(CASES) - set(ids)),
    }


def test_the_exit_statuses_follow_the_rules() -> None:
    """Errors exit 1 or 2, warnings 0; interrupts as their signal says."""
    for row in ROWS:
        if row.id.startswith("E-"):
            assert row.exit == (2 if row.id.startswith("E-usage-") else 1), row
            assert row.message is not None, row
        elif row.id.startswith("W-"):
            assert row.exit == 0, row
            assert row.message is not None, row
        else:
            assert row.exit in (0, 1, 128 + signal.SIGTERM, 128 + signal.SIGHUP), row


def stderr_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("row_id", [row.id for row in ROWS])
def test_a_row_is_what_kscore_does(row_id, kscore, write, workdir, monkeypatch) -> None:
    row, case = BY_ID[row_id], CASES.get(row_id)
    assert case is not None, f"{row_id}: no reproduction in CASES"
    if isinstance(case, Elsewhere):
        ran_elsewhere(row, case)
        return
    for name, content in case.files.items():
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        write(name, content)
    for command in case.first:
        before = kscore(*command, extra_env={"KSCORE_DB": STORE})
        assert before.exit_code == 0, (command, before.stderr)
    with case.around(monkeypatch) if case.around else nullcontext():
        result = kscore(*case.args, input=case.stdin, extra_env={"KSCORE_DB": STORE, **case.env})
    assert_no_traceback(result)
    lines = stderr_lines(result.stderr)
    assert result.exit_code == row.exit, (result.exit_code, result.stderr)
    if row_id.startswith("E-"):
        assert lines and lines[-1] == f"Error: {row.message}", result.stderr
        if row.exit == 1:  # one line, and only that (a usage error has click's usage lines above it)
            assert lines == lines[-1:], result.stderr
        else:
            assert [line for line in lines if line.startswith("Error: ")] == lines[-1:], result.stderr
    elif row_id.startswith("W-"):
        assert f"warning: {row.message}" in lines, result.stderr
        assert "Error: " not in result.stderr
    elif row.message is None:
        assert lines == [], result.stderr
    else:
        assert lines and lines[-1] == row.message, result.stderr


def ran_elsewhere(row: Row, case: Elsewhere) -> None:
    """The named test exists, checks the row's exit status and holds the row's message."""
    path, _, name = case.test.partition("::")
    source = (REPO / path).read_text(encoding="utf-8")
    found = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef) and node.name == name]
    assert found, f"{row.id}: no test {case.test}"
    constants = {node.value for node in ast.walk(found[0]) if isinstance(node, ast.Constant)}
    assert row.exit in constants, f"{case.test} does not check exit status {row.exit}"
    assert row.message is not None
    for part in row.message.split("…"):
        assert part in source, f"{case.test}'s file does not hold {part!r}"


def test_the_table_parser_reads_code_spans_and_dashes() -> None:
    rows = doc_rows(
        "| id | when | exit | message |\n|---|---|---|---|\n"
        "| E-a | x | 1 | `one: 'two'` |\n"
        "| E-b | y | 1 | ``run `kscore runs` first`` |\n"
        "| I-c | z | 143 | — |\n"
    )
    assert rows == [Row("E-a", 1, "one: 'two'"), Row("E-b", 1, "run `kscore runs` first"), Row("I-c", 143, None)]
