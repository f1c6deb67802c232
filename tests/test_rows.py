"""`plain` turns result records into dicts exactly as `dataclasses.asdict` does (without its copies),
and a saved breakdown's records are written as those dicts."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

import orjson

from klout_cli.breakdowns import as_plain, topic_breakdown
from klout_cli.compute import RunResult, compute_run
from klout_cli.modelfile import load_model
from klout_cli.rows import plain
from tests.cli.conftest import EXAMPLE
from tests.golden_compare import differences


def test_plain_is_asdict_for_every_record_a_run_saves():
    result = compute_run([str(EXAMPLE)], load_model())
    records = [
        *(part for _, score in result.ranked for part in (*score.contributions, *score.penalties, score.features)),
        *result.styles.values(),
        *(topic.endorsements for topic in result.topics),
        *(topic.features for topic in result.topics),
    ]
    kinds = {type(record).__name__ for record in records}
    assert {"Contribution", "Penalty", "AccountFeatures", "Style", "EndorsementTally"} <= kinds
    for record in records:
        assert plain(record) == asdict(record)


def test_the_shipped_examples_breakdowns_match_the_golden_file():
    """Every word and number of every breakdown a run of the example saves (JSON floats round-trip
    exactly): a change to the arithmetic of reading, aggregating or scoring shows here even where
    the printed tables, rounded, do not. Words exactly; numbers to 1e-12 relative, since numpy
    rounds the last digit differently on different CPUs. UPDATE_GOLDEN=1 rewrites it: review the diff."""
    import json
    import os

    golden = EXAMPLE.parent.parent / "tests" / "golden" / "example_breakdowns.jsonl"
    result = compute_run([str(EXAMPLE)], load_model())
    lines = [json.dumps(entry, sort_keys=True) for entry in entries_of(result)]
    text = "\n".join(lines) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run the tests once with UPDATE_GOLDEN=1 and review it"
    expected = [json.loads(line) for line in golden.read_text(encoding="utf-8").splitlines()]
    problems = differences([json.loads(line) for line in lines], expected)
    assert not problems, f"{len(problems)} differences, the first: {problems[:5]}"


def entries_of(result: RunResult) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(row, breakdown as plain data) of every score, then of every topic score."""
    return [*zip(result.rows(), result.breakdowns()), *zip(result.topic_rows(), result.topic_breakdowns())]


def _plain_deep(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return plain(value)
    if isinstance(value, (list, tuple)):
        return [_plain_deep(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain_deep(item) for key, item in value.items()}
    return value


def test_a_breakdown_is_written_as_the_dicts_of_its_records():
    """A breakdown holds its records (contributions, penalties, features, style, endorsements) as
    dataclasses, for orjson to write: the bytes are those of their dicts, key for key."""
    result = compute_run([str(EXAMPLE)], load_model(), combine=True)
    breakdowns = [*result._breakdowns(), *(topic_breakdown(score) for score in result.topics)]
    assert any(breakdown["penalties"] for breakdown in breakdowns)
    for breakdown in breakdowns:
        written = orjson.dumps(breakdown)
        assert written == orjson.dumps(_plain_deep(breakdown))
        assert as_plain(breakdown) == orjson.loads(written)


def test_one_accounts_entries_are_those_of_the_whole_run():
    """`explain FILE` makes only the asked account's breakdowns: the same as from the whole run."""
    result = compute_run([str(EXAMPLE)], load_model())
    everyone = list(zip(result.rows(), result.breakdowns()))
    assert sorted(result.accounts()) == sorted({row["account"] for row, _ in everyone})
    assert any(len(result.entries(account)) > 1 for account in result.accounts())  # several platforms
    for account in result.accounts():
        assert result.entries(account) == [entry for entry in everyone if entry[0]["account"] == account]
    assert result.entries("nobody") == []
