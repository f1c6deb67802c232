"""Saved runs in words: one line per run for `kscore runs`, the whole of one for `runs show`,
and what `runs delete` and `runs prune` did. Plain rows and strings; options.py prints them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from klout_cli.rows import Row
from klout_cli.store import RunRecord
from klout_cli.store_runs import Removal

#: `kscore runs` columns: `inputs` names the files (or the first of them), `files` counts them.
LISTING_COLUMNS = ["id", "created", "as_of", "model", "inputs", "files", "accounts", "rows", "options"]
#: `kscore runs show` columns of the input listing.
INPUT_COLUMNS = ["position", "file", "sha256", "rows"]
#: Up to this many inputs are all named on a run's line; beyond, the first NAMED_FIRST and a count.
NAMED_ALL = 3
NAMED_FIRST = 2


def inputs_summary(names: Sequence[str]) -> str:
    """`a.csv`; `a.csv, b.csv, c.csv`; `a.csv, b.csv and 10 more (12 files)`: the same in every format."""
    if len(names) <= NAMED_ALL:
        return ", ".join(names)
    return f"{', '.join(names[:NAMED_FIRST])} and {len(names) - NAMED_FIRST:,} more ({len(names):,} files)"


def options_of(record: RunRecord) -> str:
    return " ".join(name for name, on in (("relative", record.relative), ("combine", record.combine)) if on)


def listing_row(record: RunRecord) -> Row:
    """One run as one line of `kscore runs`."""
    return {
        "id": record.id,
        "created": record.created_at.replace("T", " ")[:16],
        "as_of": record.as_of[:10],
        "model": f"{record.model_name} ({record.model_hash[:8]})",
        "inputs": inputs_summary([name for name, _, _ in record.inputs]),
        "files": len(record.inputs),
        "accounts": record.accounts,
        "rows": record.rows_kept,
        "options": options_of(record),
    }


def input_rows(record: RunRecord) -> list[Row]:
    """Every input of a run, in the order it was given (position counts from 1)."""
    return [
        {"position": position, "file": name, "sha256": digest, "rows": rows}
        for position, (name, digest, rows) in enumerate(record.inputs, start=1)
    ]


def detail(record: RunRecord) -> dict[str, Any]:
    """The whole of one run, as `runs show -f json` writes it."""
    return {
        "id": record.id,
        "created": record.created_at,
        "as_of": record.as_of,
        "model": record.model_name,
        "model_hash": record.model_hash,
        "model_source": record.model_source,
        "signals": list(record.signals),
        "options": options_of(record),
        "relative": record.relative,
        "combine": record.combine,
        "rows_read": record.rows_read,
        "rows_kept": record.rows_kept,
        "rows_left_out": record.rows_left_out,
        "accounts": record.accounts,
        "files": len(record.inputs),
        "input_rows": sum(rows for _, _, rows in record.inputs),
        "inputs": [{"file": row["file"], "sha256": row["sha256"], "rows": row["rows"]} for row in input_rows(record)],
    }


def detail_rows(record: RunRecord) -> list[Row]:
    """The whole of one run but its inputs, as field/value rows for a table (text, so that the
    value column reads as text, not numbers)."""
    left_out = ", ".join(f"{reason} {count:,}" for reason, count in sorted(record.rows_left_out.items()) if count)
    fields = [
        ("id", str(record.id)),
        ("created", record.created_at),
        ("as_of", record.as_of),
        ("model", record.model_name),
        ("model_hash", record.model_hash),
        ("model_source", record.model_source),
        ("signals", ", ".join(record.signals)),
        ("options", options_of(record) or "none"),
        ("rows_read", f"{record.rows_read:,}"),
        ("rows_kept", f"{record.rows_kept:,}"),
        ("rows_left_out", left_out or "none"),
        ("accounts", f"{record.accounts:,}"),
        ("files", f"{len(record.inputs):,}"),
        ("input_rows", f"{sum(rows for _, _, rows in record.inputs):,}"),
    ]
    return [{"field": field, "value": value} for field, value in fields]


def size_words(size: int) -> str:
    """Bytes as a person reads them: 812 bytes, 340.2 KB, 12.3 MB, 1.2 GB (powers of 1000)."""
    if size < 1000:
        return f"{size} bytes"
    for unit, scale in (("KB", 1e3), ("MB", 1e6)):
        if round(size / scale, 1) < 1000:  # 999,960 bytes is 1.0 MB, not 1000.0 KB
            return f"{size / scale:.1f} {unit}"
    return f"{size / 1e9:.1f} GB"


def id_words(ids: Sequence[int]) -> str:
    """`id 4`, `ids 1, 2, 4`, `ids 1-500, 502`: consecutive ids as a range, so a prune of
    thousands of runs is still one short line."""
    spans: list[list[int]] = []
    for run_id in sorted(ids):
        if spans and run_id == spans[-1][1] + 1:
            spans[-1][1] = run_id
        else:
            spans.append([run_id, run_id])
    parts = [
        f"{first}" if first == last else f"{first}, {last}" if last == first + 1 else f"{first}-{last}"
        for first, last in spans
    ]
    return ("id " if len(ids) == 1 else "ids ") + ", ".join(parts)


def removal_words(removal: Removal, *, dry_run: bool, pruning: bool = False) -> str:
    """What `runs delete` or `runs prune` did, in one line for stderr:
    `deleted 3 runs (ids 1, 2, 4), 2 runs left; the store is now 12.3 MB, was 80.1 MB`."""
    what = f"{plural(len(removal.deleted), 'run')} ({id_words(removal.deleted)})" if removal.deleted else "no runs"
    if pruning:
        left = f"{'keeping' if dry_run else 'kept'} the newest {removal.left:,}"
    else:
        left = f"leaving {plural(removal.left, 'run')}" if dry_run else f"{plural(removal.left, 'run')} left"
    if dry_run:
        return (
            f"would delete {what}, {left}; the store is {size_words(removal.size_before)} (a dry run: nothing deleted)"
        )
    words = (
        f"deleted {what}, {left}; the store is now {size_words(removal.size_after)}, "
        f"was {size_words(removal.size_before)}"
    )
    if removal.not_given_back:
        words += f" (not all of the space was given back: {removal.not_given_back})"
    return words


def plural(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
