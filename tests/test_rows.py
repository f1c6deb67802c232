"""`plain` turns result records into dicts exactly as `dataclasses.asdict` does (without its copies)."""

from __future__ import annotations

from dataclasses import asdict

from klout_cli.compute import compute_run
from klout_cli.modelfile import load_model
from klout_cli.rows import plain
from tests.cli.conftest import EXAMPLE


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


def test_the_shipped_examples_breakdowns_are_exact_to_the_last_bit():
    """Every number of every breakdown a run of the example saves, at full precision (JSON floats
    round-trip exactly): a change to the arithmetic of reading, aggregating or scoring shows here
    even where the printed tables, rounded, do not. UPDATE_GOLDEN=1 rewrites it: review the diff."""
    import json
    import os

    golden = EXAMPLE.parent.parent / "tests" / "golden" / "example_breakdowns.jsonl"
    result = compute_run([str(EXAMPLE)], load_model())
    run = result.saved(result.rows())
    lines = [json.dumps(entry, sort_keys=True) for entry in (*run.scores, *run.topics)]
    text = "\n".join(lines) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run the tests once with UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8")
