"""Apply a column map to a file's rows (pandas): the canonical columns, as text, for validation."""

from __future__ import annotations

import html
import re

import pandas as pd

from klout_cli.core import InputError
from klout_cli.ingest.mapping import TAG, ColumnMap, Source
from klout_cli.ingest.schema import AUDIENCE, COUNTS, REQUIRED

BREAK = re.compile(r"<(?:br|p|/p|div|/div|li)\b[^>]*>", re.IGNORECASE)


def _cleaned(frame: pd.DataFrame, column: str, missing: frozenset[str]) -> pd.Series:
    values = frame[column].astype(str)
    if missing:
        values = values.where(~values.str.strip().isin(missing), "")
    return values


def _plain(cell: str) -> str:
    """HTML as text: block breaks become spaces, other tags go (`#<span>ai</span>` is `#ai`)."""
    if "<" not in cell and "&" not in cell:
        return cell
    return html.unescape(TAG.sub("", BREAK.sub(" ", cell)))


def _resolve(source: Source, frame: pd.DataFrame, file_name: str, missing: frozenset[str]) -> pd.Series | None:
    """The column's values, or None when the file offers nothing for it."""
    found: pd.Series | None = None
    present = source.present_in(frame.columns)
    if present is not None:
        found = _cleaned(frame, present, missing)
        if source.html:
            found = found.map(_plain)
        if source.pattern is not None:
            found = found.str.extract(source.pattern, expand=True).iloc[:, 0].fillna("")  # the first group
    fallback = None
    if source.file is not None:
        match = source.file.search(file_name)
        fallback = match.group(1) if match else None
    if fallback is None and source.value is not None:
        fallback = source.value
    if fallback is not None:
        return (
            found.where(found.str.strip() != "", fallback)
            if found is not None
            else pd.Series(fallback, index=frame.index)
        )
    return found


def apply_map(
    column_map: ColumnMap, frame: pd.DataFrame, label: str, file_name: str, account: str | None
) -> tuple[pd.DataFrame, list[str], pd.Series]:
    """The file's rows in canonical columns (text, validated later), its columns left unused, and
    which rows have nothing in any column the map reads (all `NA`, say)."""
    out = pd.DataFrame(index=frame.index)
    blank = pd.Series(True, index=frame.index)
    for canonical, source in column_map.columns.items():
        values = _resolve(source, frame, file_name, column_map.missing)
        if values is not None:
            out[canonical] = values
        for name in source.columns:
            if name in frame.columns:
                blank &= _cleaned(frame, name, column_map.missing).str.strip() == ""
    if account is not None:
        out["account"] = account
    elif "account" in out and not blank.all() and (out["account"][~blank].str.strip() == "").all():
        del out["account"]  # found in no row: say so below, not row by row
    for required in REQUIRED:
        if required not in out:
            wanted = column_map.columns.get(required)
            where = wanted.describe() if wanted else "nowhere"
            if required == "account":
                looked = f"looks for it in {where} and found nothing" if wanted else "does not say where it is"
                raise InputError(
                    f"{label}: cannot tell whose rows these are (the {column_map.name} map {looked}): "
                    "pass --account NAME"
                )
            raise InputError(f"{label}:1: the {column_map.name} map reads {required} from {where}; the file has none")
    if column_map.default_kind is not None:
        kind = pd.Series(column_map.default_kind, index=frame.index, dtype=object)
        target = out["target"] if "target" in out else pd.Series("", index=frame.index, dtype=object)
        silent = pd.Series(False, index=frame.index)
        decided = pd.Series(False, index=frame.index)
        for rule in column_map.rules:  # the first rule that matches a row decides it
            if rule.column not in frame.columns:
                continue
            cells = _cleaned(frame, rule.column, column_map.missing).str.strip()
            caught = None
            if rule.equals is not None:
                hit = cells.str.lower() == rule.equals.lower()
            elif rule.matches is not None and rule.matches.groups:
                caught = cells.str.extract(rule.matches, expand=True).iloc[:, 0]
                hit = caught.notna()
            elif rule.matches is not None:
                hit = cells.str.contains(rule.matches, na=False)
            else:
                hit = cells != ""
            hit &= ~decided
            decided |= hit
            kind = kind.where(~hit, rule.kind)
            if rule.target is not None and rule.target in frame.columns:
                target = target.where(~hit, _cleaned(frame, rule.target, column_map.missing).str.strip())
            elif caught is not None:
                target = target.where(~hit, caught.fillna(""))
            if not rule.counts:
                silent |= hit
        out["kind"] = kind
        out["target"] = target
        for name in COUNTS:
            if name in out:
                out[name] = out[name].where(~silent, "")
    used = column_map.used_columns()
    return out, [column for column in frame.columns if column not in used], blank


def absent_counts(column_map: ColumnMap, header: list[str]) -> list[str]:
    """Counts and audience columns the map reads from columns this file does not have."""
    return [
        f"{canonical} ({' or '.join(repr(name) for name in source.columns)})"
        for canonical, source in column_map.columns.items()
        if canonical in (*COUNTS, *AUDIENCE)
        and source.columns
        and source.value is None
        and source.present_in(header) is None
    ]
