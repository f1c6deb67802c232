"""Every explanation adds up: score == base + contribution points + penalty points, over random activity."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from klout_cli.compute import compute_run
from klout_cli.explain import explanation
from klout_cli.modelfile import load_model
from tests.ingest.helpers import csv_text
from tests.ingest.test_promises import AS_OF, rows_strategy

#: What each top item of a breakdown holds, in this order (a combined run adds its platform).
ITEM_KEYS = [
    "post_id",
    "timestamp",
    "kind",
    "likes",
    "shares",
    "replies",
    "impressions",
    "clicks",
    "weighted_engagement",
    "counted",
    "text",
]


def explanations(rows: list[dict[str, Any]], **flags: Any) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.csv"
        path.write_text(csv_text(rows), encoding="utf-8")
        result = compute_run([str(path)], load_model(), as_of=AS_OF, **flags)
    source = {"run": None, "as_of": AS_OF.isoformat(), "model": "default"}
    return [
        explanation(entry, source=source, medians=result.medians()) for entry in zip(result.rows(), result.breakdowns())
    ]


@given(rows_strategy, st.booleans(), st.booleans())
def test_every_explanation_adds_up_to_its_score(rows: list[dict[str, Any]], relative: bool, combine: bool) -> None:
    for data in explanations(rows, relative=relative, combine=combine):
        total = data["base"] + sum(part["points"] for part in data["contributions"])
        total += sum(part["points"] for part in data["penalties"])
        assert abs(total - data["score"]) < 0.01
        assert 1.0 <= data["score"] <= 100.0
        for item in data["top_items"]:
            assert item["counted"] > 0
            assert list(item) == ITEM_KEYS + (["platform"] if combine else [])
            assert all(isinstance(item[name], int) for name in ITEM_KEYS[3:8])
        earned = [item["counted"] for item in data["top_items"]]
        assert earned == sorted(earned, reverse=True) and len(earned) <= 3
