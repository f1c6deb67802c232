"""A saved run keeps numbers (packing.py) and words its breakdowns again through the core: what
comes back is what the run made, value for value and type for type."""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path

import pytest

from klout_cli.compute import compute_run
from klout_cli.core.features import AccountFeatures
from klout_cli.modelfile import load_model
from klout_cli.packing import FEATURE_FIELDS, PackingError, pack, unpack, unpack_score
from klout_cli.store import Store
from tests.cli.conftest import EXAMPLE

VALUES = [
    0,
    0.0,
    -0.0,
    1,
    -1,
    2**70,
    -(2**70),
    1.0,
    -3.0,
    2.0**60,
    0.1,
    -1e-300,
    math.inf,
    -math.inf,
    None,
    True,
    False,
    "",
    "post",
    "reply",
    "share",
    "Post",
    "zoë 日本 🏈",
    "\udcff",
    "2024-03-01T10:00:00+00:00",
    "1969-12-31T23:59:59+00:00",
    "2024-03-01T10:00:00.500000",
    "2024-13-01T10:00:00+00:00",
    "2024-03-01 10:00:00+00:00",
]


def test_values_come_back_with_their_types():
    found = unpack(pack(VALUES))
    assert [(type(value), repr(value)) for value in found] == [(type(value), repr(value)) for value in VALUES]
    nan = unpack(pack([math.nan]))[0]
    assert isinstance(nan, float) and math.isnan(nan)


def test_common_values_take_little_room():
    assert len(pack([0, 0.0, None, 100.0, "post"])) == 1 + 1 + 1 + 1 + 2 + 2
    assert len(pack(["2024-03-01T10:00:00+00:00"])) < 8
    repeated = [0.1, 2.5, 0.1, math.inf, 0.1, math.inf, 2.5]
    assert len(pack(repeated)) == 1 + 9 * 3 + 2 * 4
    assert unpack(pack(repeated)) == repeated


@pytest.mark.parametrize(
    "blob", [b"", b"\x02", b"\x01\x05", b"\x01\x08\x00", b"\x01\x09\x05ab", b"\x01\x7f", b"\x01\x0c\x00"]
)
def test_a_damaged_blob_is_an_error(blob):
    with pytest.raises(PackingError):
        unpack(blob)


def test_a_blob_keeps_every_feature_the_row_does_not():
    """A field added to AccountFeatures must be packed too (with a new LAYOUT)."""
    names = {field.name for field in fields(AccountFeatures)}
    assert set(FEATURE_FIELDS) == names - {"account", "platform", "items"}
    with pytest.raises(PackingError):
        unpack_score(pack([0] * 3))


@pytest.mark.parametrize("options", [{}, {"relative": True}, {"combine": True}, {"combine": True, "relative": True}])
def test_saved_breakdowns_are_the_runs_own(tmp_path: Path, options: dict[str, bool]):
    """Every breakdown and topic breakdown a saved run gives back is the one the run made."""
    result = compute_run([str(EXAMPLE)], load_model(), **options)
    store = Store(tmp_path / "k.db")
    store.save_run(result.saved(result.rows()))
    run = store.run()

    def text(entries: object) -> str:
        return json.dumps(entries, sort_keys=True)

    assert text(store.entries(run)) == text(list(zip(result.rows(), result.breakdowns())))
    made = {(row["account"], row["platform"], row["topic"]): breakdown for row, breakdown in _topic_entries(result)}
    checked = 0
    for account in result.accounts():
        for row, breakdown, _, _ in store.account_topics(run, account):
            assert text(breakdown) == text(made[(row["account"], row["platform"], row["topic"])])
            checked += 1
    assert checked == len(made)


def _topic_entries(result):
    return zip(result.topic_rows(), result.topic_breakdowns())
