"""model init and model check: write and validate weighting models."""

from __future__ import annotations

from pathlib import Path

import click

from klout_cli.commands.lab import evaluate
from klout_cli.core import ModelError
from klout_cli.options import emit, load_model_option, note, output_options


@click.group()
def model() -> None:
    """Write and check weighting models (weights.yaml).

    \b
    Examples:
      kscore model init my-weights.yaml
      kscore model check my-weights.yaml
      kscore model evaluate --model my-weights.yaml
    """


@model.command("init")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def model_init(path: str, force: bool) -> None:
    """Write the documented default model to FILE (`-` for standard output).

    \b
    Examples:
      kscore model init my-weights.yaml
      kscore model init - | less
    """
    from klout_cli.modelfile import default_text

    text = default_text()
    if path == "-":
        click.echo(text, nl=False)
        return
    target = Path(path)
    if target.exists() and not force:
        raise ModelError(f"{path}: already exists (use --force to overwrite)")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ModelError(f"{path}: cannot write: {error.strerror}") from None
    note(f"wrote the default model to {path}; edit it, then `kscore model check {path}`")


@model.command("check")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE")
@output_options
def model_check(path: str, fmt: str | None) -> None:
    """Validate a model file (`-` for standard input) and summarise what it weighs.

    A setting that contradicts itself is an error (exit 1); one that is valid but can never
    act (a cap above what its measure reaches, a flag threshold no account can meet) is a
    warning on stderr (exit 0).

    \b
    Examples:
      kscore model check my-weights.yaml
      kscore model init - | kscore model check -
      kscore model check my-weights.yaml --format json
    """
    loaded = load_model_option(path)
    current = loaded.model
    total = current.total_weight
    rows = [
        {
            "signal": spec.name,
            "weight": spec.weight,
            "share": f"{100 * spec.weight / total:.0f}%",
            "transform": spec.transform,
            "cap": spec.cap,
        }
        for spec in current.signals
    ]
    note(
        f"{loaded.source}: valid model '{current.name}' · window {current.window_days:g} days · "
        f"half-life {current.half_life_days:g} days · prior {current.prior_items:g} items · curve {current.curve:g}"
    )
    note("actions: " + ", ".join(f"{name} {weight:g}" for name, weight in current.actions.items()))
    note("platforms: " + ", ".join(f"{name} {weight:g}" for name, weight in current.platforms.items()))
    for warning in current.warnings:  # valid, but can never act: the run would ignore it silently
        note(f"warning: {warning}")
    emit(rows, ["signal", "weight", "share", "transform", "cap"], fmt)


model.add_command(evaluate)
