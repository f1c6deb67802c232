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
