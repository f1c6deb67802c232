"""Build canonical CSV text from plain rows and score it end to end (files -> features -> scores)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from klout_cli.compute import compute_run
from klout_cli.modelfile import load_model

HEADER = [
    "account", "timestamp", "platform", "kind", "post_id", "target", "likes", "shares", "replies",
    "impressions", "clicks", "followers", "following", "topics", "text",
]  # fmt: skip


def csv_text(rows: Sequence[dict[str, Any]], header: Sequence[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: ("" if value is None else value) for key, value in row.items()})
    return buffer.getvalue()


def network_features(folder: Path, model: Any, rows: Sequence[dict[str, Any]], as_of: datetime) -> dict[str, Any]:
    """Each account's features, the network measures filled in, from rows written to `folder`."""
    from klout_cli.ingest.aggregate import features_of, window_rows
    from klout_cli.ingest.network import edges_of, trust_network
    from klout_cli.ingest.read import read_sources

    path = Path(folder) / "rows.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    frame, _ = read_sources([str(path)])
    window = window_rows(frame, model, as_of)
    features = trust_network([edges_of(window, model)], features_of(window, model), model)
    return {item.account: item for item in features}


def scores_of(
    parts: Sequence[Sequence[dict[str, Any]]], as_of: datetime | None = None, **flags: Any
) -> dict[tuple[str, str], float]:
    """Score rows split across several files; {(account, platform): score}."""
    with tempfile.TemporaryDirectory() as folder:
        names = []
        for index, rows in enumerate(parts):
            path = Path(folder) / f"part{index}.csv"
            path.write_text(csv_text(rows), encoding="utf-8")
            names.append(str(path))
        result = compute_run(names, load_model(), as_of=as_of, **flags)
    return {(score.account, score.platform): score.score for _, score in result.ranked}
