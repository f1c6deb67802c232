"""explain, history and movers: why a score is what it is, and how it changed."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from klout_cli.core import ModelError, StoreError
from klout_cli.explain import (
    Entry,
    check_rescorable,
    explanation,
    history_rows,
    mover_rows,
    pick,
    points,
    rescore,
    sparkline,
    suggest,
)
from klout_cli.ingest.schema import resolve_account
from klout_cli.options import (
    as_of_option,
    check_inputs,
    db_option,
    emit,
    emit_explanation,
    load_model_option,
    note,
    open_store,
    output_options,
    platform_option,
    reading_of,
    reading_options,
    stdin_bytes,
    window_option,
    windowed_model,
)
from klout_cli.rows import platform_matches


def _model_label(loaded: Any) -> str:
    """A model file's own name when it sets one, else the file it came from."""
    from klout_cli.modelfile import load_model

    return str(loaded.model.name if loaded.model.name != load_model().model.name else loaded.source)


def _from_files(
    account: str,
    inputs: tuple[str, ...],
    platform: str | None,
    model_path: str | None,
    as_of: datetime | None,
    flags: dict[str, Any],
) -> dict[str, Any]:
    from klout_cli.compute import score_rows
    from klout_cli.ingest.read import read_sources
    from klout_cli.modelfile import load_model

    check_inputs(inputs)
    window = flags.pop("window", None)
    loaded = load_model()
    days = window if window is not None and window != "all" else None
    if days is not None:
        loaded, window = windowed_model(loaded, days), None
    stdin = stdin_bytes(*inputs, flags.get("accounts_path"))
    rows, read = read_sources(inputs, stdin=stdin, reading=reading_of(flags, inputs=inputs))
    for item in read.files:
        for warning in item.warnings:
            note(f"warning: {warning}")
    result = score_rows(rows, read, loaded, as_of=as_of, window=window)
    account = resolve_account(account, ((score.account, score.platform) for _, score in result.ranked), platform)
    entries = result.entries(account)  # only this account's breakdowns are made
    entry = pick(entries, account, platform, sorted(result.accounts()) if not entries else [], "the files")
    _note_other_platforms(entries, entry, platform)
    source = {"run": None, "as_of": result.window.as_of.isoformat(), "model": result.model.model.name}
    data = explanation(entry, source=source, medians=result.medians())
    if model_path:
        other = load_model_option(model_path, inputs)
        if days is not None:  # --window applies to both models
            other = windowed_model(other, days)
        again = score_rows(rows, read, other, as_of=result.window.as_of, window=window)
        chosen = entry[0]["platform"]
        theirs = next((found for found in again.entries(entry[0]["account"]) if found[0]["platform"] == chosen), None)
        compared = points(theirs[0]["score"], theirs[1]) if theirs else points(1.0, _NOTHING)
        data["compare"] = {"model": _model_label(other), **compared}
    return data


#: The breakdown of an account another model does not score at all.
_NOTHING = {"base": 1.0, "contributions": [], "penalties": []}


def _note_other_platforms(entries: list[Entry], chosen: Entry, platform: str | None) -> None:
    others = [row["platform"] for row, _ in entries if row["platform"] != chosen[0]["platform"]]
    if others and platform is None:
        note(f"{chosen[0]['account']} is also scored on {', '.join(others)} (choose with --platform)")


def _from_run(
    account: str, run_id: int | None, platform: str | None, model_path: str | None, db_path: Path | None
) -> dict[str, Any]:
    from klout_cli.modelfile import run_model

    store = open_store(db_path)
    record = store.run(run_id)
    account = resolve_account(account, store.account_platforms(record), platform)
    entries = store.entries(record, account)
    where = f"run {record.id}"
    entry = pick(entries, account, platform, store.accounts(record) if not entries else [], where)
    _note_other_platforms(entries, entry, platform)
    source = {"run": record.id, "as_of": record.as_of, "model": record.model_name}
    data = explanation(entry, source=source, medians=record.medians)
    if model_path:
        other = load_model_option(model_path)
        if "item_cap" not in json.loads(store.model_json(record)):
            raise ModelError(
                f"run {record.id} was saved by an earlier kscore, whose features the current signals cannot "
                "re-score: pass the input files too (kscore explain ACCOUNT FILE... --model ...)"
            )
        then = run_model(store.model_json(record), f"the model of run {record.id}")
        check_rescorable(then, other.model, other.source, combined=record.combine)
        data["compare"] = {"model": _model_label(other), **rescore(entry[1], other.model)}
        if record.relative:
            note(f"run {record.id} is relative; the {_model_label(other)} column is its absolute score")
    return data


@click.command()
@click.argument("account")
@click.argument("inputs", nargs=-1, metavar="[FILE...]")
@platform_option("Which platform (default: its best-scored one).")
@click.option("--run", "run_id", type=int, default=None, metavar="ID", help="Explain this saved run (default: latest).")
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    metavar="FILE",
    help="Also show the account under this model, side by side.",
)
@as_of_option
@window_option
@reading_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default=None,
    help="Default: table on a terminal, json when piped.",
)
@db_option
def explain(
    account: str,
    inputs: tuple[str, ...],
    platform: str | None,
    run_id: int | None,
    model_path: str | None,
    as_of: datetime | None,
    fmt: str | None,
    db_path: Path | None,
    **flags: Any,
) -> None:
    """Explain one account's score point by point: signals, penalties, top items, the median.

    From the latest saved run (or --run ID), with the model that run was computed with; or
    from FILEs, scored on the spot and not saved. In JSON, score == base + the points of the
    contributions + the points of the penalties.

    \b
    Examples:
      kscore explain ana_lytics
      kscore explain ana_lytics --platform linkedin --run 3
      kscore explain ana_lytics --model my-weights.yaml
      kscore explain ana_lytics exports/*.csv -f json
    """
    if inputs and run_id is not None:
        raise click.UsageError("give either FILEs to score or --run ID, not both")
    if as_of is not None and not inputs:
        raise click.UsageError("--as-of applies only with FILEs (a saved run has its own as-of)")
    if flags.get("window") is not None and not inputs:
        raise click.UsageError("--window applies only with FILEs (a saved run has its own window)")
    if any(value not in (None, False) for value in flags.values()) and not inputs:
        raise click.UsageError("--preset, --map, --account, --accounts and --strict apply only with FILEs")
    if inputs:
        data = _from_files(account, inputs, platform, model_path, as_of, flags)
    else:
        data = _from_run(account, run_id, platform, model_path, db_path)
    emit_explanation(data, fmt)


@click.command()
@click.argument("account")
@platform_option("Only this platform.")
@output_options
@db_option
def history(account: str, platform: str | None, fmt: str | None, db_path: Path | None) -> None:
    """An account's score in every saved run, with the change and what moved it most.

    \b
    Examples:
      kscore history ana_lytics
      kscore history ana_lytics --platform twitter --format csv
    """
    store = open_store(db_path)
    account = resolve_account(account, store.account_platforms(), platform)
    as_of = {record.id: record.as_of for record in store.runs()}
    found = [
        (run_id, as_of[run_id], row, breakdown)
        for run_id, row, breakdown in store.history(account)
        if platform is None or platform_matches(platform, row["platform"], combined=True)
    ]
    if not found:
        where = f"on platform '{platform}' in" if platform else "in"
        raise StoreError(f"no scores for '{account}' {where} any saved run{suggest(account, store.accounts())}")
    rows = history_rows(found)
    lines = []
    for name in dict.fromkeys(row["platform"] for row in rows):
        scores = [row["score"] for row in rows if row["platform"] == name]
        lines.append(f"{name} {sparkline(scores)} {scores[0]:.1f} → {scores[-1]:.1f}")
    title = f"{account} · " + " · ".join(lines)
    emit(rows, ["run", "as_of", "platform", "score", "change", "moved_most"], fmt, title)


@click.command()
@click.option(
    "--from", "from_id", type=int, default=None, metavar="RUN", help="The earlier run (default: second latest)."
)
@click.option("--to", "to_id", type=int, default=None, metavar="RUN", help="The later run (default: latest).")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, metavar="N", help="Rows per group.")
@output_options
@db_option
def movers(from_id: int | None, to_id: int | None, top: int, fmt: str | None, db_path: Path | None) -> None:
    """Biggest risers and fallers between two saved runs, and accounts new or gone.

    Each change names the signal that moved most and why ("engagement +6.2: 20.1 → 38.2
    weighted engagements per item").

    \b
    Examples:
      kscore movers
      kscore movers --from 3 --to 7 --top 10 --format csv
    """
    store = open_store(db_path)
    runs = store.runs()
    later = store.run(to_id)
    if from_id is None:
        earlier_runs = [record for record in runs if record.id < later.id]
        if not earlier_runs:
            raise StoreError(f"run {later.id} is the first saved run: movers needs an earlier one (see `kscore runs`)")
        earlier = earlier_runs[-1]
    else:
        earlier = store.run(from_id)
    if earlier.id == later.id:
        raise StoreError(f"--from and --to are both run {later.id}: choose two different runs")
    if earlier.model_hash != later.model_hash:
        note(
            f"runs {earlier.id} and {later.id} used different models ({earlier.model_name} {earlier.model_hash[:8]} → "
            f"{later.model_name} {later.model_hash[:8]}): changes include the change of model"
        )
    if earlier.combine != later.combine:
        note(
            f"run {earlier.id if earlier.combine else later.id} combined each account's platforms and the other "
            "did not: rows are matched by account and platform, so most show as new and gone"
        )
    before = {(row["account"], row["platform"]): (row, breakdown) for row, breakdown in store.entries(earlier)}
    after = {(row["account"], row["platform"]): (row, breakdown) for row, breakdown in store.entries(later)}
    rows = mover_rows(before, after, top)
    title = f"movers · run {earlier.id} (as of {earlier.as_of[:10]}) → run {later.id} (as of {later.as_of[:10]})"
    if earlier.model_hash != later.model_hash:
        title += " · different models"
    emit(rows, ["movement", "account", "platform", "from", "to", "change", "why"], fmt, title)
