"""check, schema and presets: look at inputs and at what kscore reads, without scoring."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from klout_cli.core import KscoreError
from klout_cli.options import (
    as_of_option,
    check_inputs,
    choose_format,
    emit,
    note,
    output_options,
    reading_of,
    reading_options,
    stdin_bytes,
    window_option,
    windowed_model,
)
from klout_cli.rows import Row


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@reading_options
@as_of_option
@window_option
@output_options
def check(
    inputs: tuple[str, ...], fmt: str | None, as_of: datetime | None, window: float | str | None, **flags: Any
) -> None:
    """Validate activity CSVs without scoring: format, rows, accounts, dates and the first problem.

    Each FILE is read in kscore's schema or through the preset its header matches (see
    `kscore presets`). The `in_window` column counts each file's rows inside the window a run
    would score (the default model's 90 days, or --window, up to --as-of or the latest row of
    all the files); a file with none is named on stderr. Exits 1 when any file has a problem.

    \b
    Examples:
      kscore check exports/*.csv
      kscore check tweet_activity_metrics_*.csv      # X Analytics exports, found by their header
      kscore check exports/*.csv --window 365d --as-of 2024-03-31
      cat activity.csv | kscore check -
    """
    from dataclasses import replace

    from klout_cli.ingest.read import read_audience, read_sources

    check_inputs(inputs)
    if isinstance(window, float):
        from klout_cli.modelfile import load_model

        windowed_model(load_model(), window)  # a window the model cannot take is a usage error, as in compute
    stdin = stdin_bytes(*inputs, flags.get("accounts_path"))
    reading = reading_of(flags, inputs=inputs)
    rows: list[Row] = []
    stamps: list[Any] = []  # each good file's timestamps, for its rows in the window
    failed = 0
    if reading.accounts is not None:  # the audience file on its own row
        try:
            audience = read_audience(reading.accounts, stdin)
            rows.append(
                {
                    "file": "<stdin>" if reading.accounts == "-" else reading.accounts,
                    "status": "ok",
                    "format": "accounts",
                    "rows": len(audience),
                    "accounts": int(audience["account"].nunique()),
                    "platforms": ", ".join(sorted(audience["platform"].unique())),
                    "problem": "",
                }
            )
        except KscoreError as error:
            failed += 1
            rows.append(
                {
                    "file": "<stdin>" if reading.accounts == "-" else reading.accounts,
                    "status": "error",
                    "problem": str(error),
                }
            )
        reading = replace(reading, accounts=None)
    for name in inputs:
        try:
            frame, report = read_sources([name], stdin=stdin, reading=reading)
        except KscoreError as error:
            failed += 1
            rows.append({"file": "<stdin>" if name == "-" else name, "status": "error", "problem": str(error)})
            continue
        stamps.append((len(rows), frame["timestamp"]))
        warnings = report.files[0].warnings
        for warning in warnings:
            note(f"warning: {warning}")
        rows.append(
            {
                "file": report.files[0].name,
                "status": "warning" if warnings else "ok",
                "format": _format_of(report.files[0]),
                "rows": len(frame),
                "accounts": int(frame["account"].nunique()),
                "platforms": ", ".join(sorted(frame["platform"].unique())),
                "first": f"{frame['timestamp'].min():%Y-%m-%d}",
                "last": f"{frame['timestamp'].max():%Y-%m-%d}",
                "ignored_columns": ", ".join(report.files[0].unknown_columns),
                "problem": "; ".join(warnings),
            }
        )
    _count_in_window(rows, stamps, as_of, window)
    columns = [
        "file",
        "status",
        "format",
        "rows",
        "in_window",
        "accounts",
        "platforms",
        "first",
        "last",
        "ignored_columns",
        "problem",
    ]
    emit(rows, columns, fmt)
    if failed:
        raise click.ClickException(
            f"{failed} of {len(inputs) + bool(flags.get('accounts_path'))} file(s) have problems "
            "(see the problem column)"
        )


def _count_in_window(rows: list[Row], stamps: list[Any], as_of: datetime | None, window: float | str | None) -> None:
    """Each good file's rows inside the window, as `in_window`; a note for each file with none."""
    if not stamps:
        return
    import pandas as pd

    from klout_cli.core.model import MAX_WINDOW_DAYS
    from klout_cli.modelfile import load_model

    moment = pd.Timestamp(as_of) if as_of is not None else max(found.max() for _, found in stamps)
    days: float | str = load_model().model.window_days if window is None else window
    start = moment - pd.Timedelta(days=MAX_WINDOW_DAYS if days == "all" else float(days))
    span = (
        f"the {MAX_WINDOW_DAYS} days (--window all reaches no further)"
        if days == "all"
        else f"the {float(days):g} days"
    )
    hint = "an earlier --as-of" if days == "all" else "--window all, a longer --window, or an earlier --as-of"
    for at, found in stamps:
        inside = int(((found >= start) & (found <= moment)).sum())
        rows[at]["in_window"] = inside
        if not inside:
            note(
                f"warning: {rows[at]['file']}: no row in {span} up to {moment:%Y-%m-%d}; a run would score its "
                f"accounts as dormant (pass {hint})"
            )


def _format_of(read: Any) -> str:
    """How a file was read: its format, and its encoding when it is not (all) UTF-8."""
    if read.encoding != "utf-8":
        return f"{read.format} ({read.encoding})"
    if read.undecodable:
        return f"{read.format} ({read.undecodable:,} characters not UTF-8)"
    return str(read.format)


@click.command()
@output_options
def schema(fmt: str | None) -> None:
    """Print the canonical activity columns kscore reads.

    \b
    Examples:
      kscore schema
      kscore schema --format markdown
    """
    from klout_cli.ingest.schema import COLUMNS, SEMANTICS

    rows = [{"column": c.name, "required": c.required, "meaning": c.meaning} for c in COLUMNS]
    emit(rows, ["column", "required", "meaning"], fmt)
    if choose_format(fmt) in ("table", "markdown"):
        click.echo("\nHeader names match case-insensitively; other columns are ignored (listed with -v).")
        click.echo(SEMANTICS)


@click.command()
@click.argument("name", required=False)
@output_options
def presets(name: str | None, fmt: str | None) -> None:
    """The exports kscore reads as they are: each preset, the header it is found by, its columns.

    With NAME, print that preset's column map (YAML): copy it, point its columns at yours and
    pass it with --map to read a file no preset matches.

    \b
    Examples:
      kscore presets
      kscore presets x-analytics > my-map.yaml
    """
    from klout_cli.ingest.presets import preset_text
    from klout_cli.ingest.presets import presets as shipped

    known = shipped()
    if name is not None:
        chosen = name.strip().lower()
        if chosen not in known:
            raise click.BadParameter(f"'{name}' is not a preset ({', '.join(known)})", param_hint="NAME")
        click.echo(preset_text(chosen), nl=False)
        return
    rows = [
        {
            "preset": preset.name,
            "description": preset.description,
            "found_by": ", ".join(preset.detect),
            "columns": ", ".join(f"{canonical} <- {source.describe()}" for canonical, source in preset.columns.items())
            + _kinds(preset),
        }
        for preset in known.values()
    ]
    emit(rows, ["preset", "description", "found_by", "columns"], fmt)


def _kinds(preset: Any) -> str:
    """How a preset decides each row's kind, in words."""
    if preset.default_kind is None:
        return ""
    words = [f"; kind {preset.default_kind}"]
    for rule in preset.rules:
        test = f"is {rule.equals}" if rule.equals else f"~ /{rule.matches.pattern}/" if rule.matches else "is set"
        words.append(f", {rule.kind} where '{rule.column}' {test}")
    return "".join(words)
