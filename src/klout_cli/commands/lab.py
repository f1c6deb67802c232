"""The lab: generate a population with a known truth, and measure how gameable a model is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from klout_cli.options import emit, load_model_option, model_option, note, output_options


@click.command()
@click.option("--accounts", type=click.IntRange(min=50), default=3000, show_default=True, help="How many accounts.")
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same population, byte for byte.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("demo.csv"),
    show_default=True,
    help="Where to write the activity (.gz to compress); the truth goes beside it as NAME.truth.csv.",
)
def demo(accounts: int, seed: int, output: Path) -> None:
    """Generate a realistic population with planted gamers, and its ground truth.

    Genuine accounts with a latent ability to move others, celebrities who post rarely but
    move millions, genuine accounts gone quiet, bots, and planted gamers of every kind:
    follow-back, bought-audience, bot-amplified, pod, spam-volume. The truth file names each
    account's group and true influence.

    \b
    Examples:
      kscore demo --accounts 3000 --seed 7 -o demo.csv
      kscore compute demo.csv --no-save --top 20
    """
    from klout_cli.lab.demo import write_population

    try:
        truth = write_population(accounts, seed, output)
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write: {error.strerror or error}") from None
    note(f"wrote {accounts:,} accounts' activity to {output} and their ground truth to {truth}")


@click.command("evaluate")
@model_option
@click.option("--accounts", type=click.IntRange(min=50), default=3000, show_default=True, help="Population size.")
@click.option("--seed", type=int, default=7, show_default=True, help="Which generated population.")
@output_options
def evaluate(model_path: str | None, accounts: int, seed: int, fmt: str | None) -> None:
    """How gameable is a model? Score a generated population against its ground truth.

    Reports the Spearman correlation of score with true influence, how many gamers reach the
    top 50, and the best rank each kind of gamer reached, beside two baselines: followers
    only, and raw engagement per item. Bots are left out of the figures (they are the gamers'
    tools, not accounts anyone ranks).

    \b
    Examples:
      kscore model evaluate
      kscore model evaluate --model my-weights.yaml --seed 11 -f json
    """
    from klout_cli.lab.evaluate import evaluate as run_evaluation

    loaded = load_model_option(model_path)
    figures = run_evaluation(loaded, accounts=accounts, seed=seed)
    if fmt == "json":
        import json

        click.echo(json.dumps(figures, indent=2))
        return
    emit(_rows(figures), ["measure", "model", "followers_only", "engagement_per_item"], fmt, _title(figures))


def _title(figures: dict[str, Any]) -> str:
    return f"model evaluate · {figures['model']} · {figures['accounts']:,} accounts (seed {figures['seed']})"


def _rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    results = figures["results"]
    names = {"model": "score", "followers_only": "followers_only", "engagement_per_item": "engagement_per_item"}
    rows = [{"measure": "spearman with true influence"}, {"measure": "gamers in the top 50"}]
    for column, key in names.items():
        rows[0][column] = f"{results[key]['spearman']:.3f}"
        rows[1][column] = str(results[key]["gamers_in_top_50"])
    for group in results["score"]["best_gamer_rank"]:
        row = {"measure": f"best rank of a {group} gamer"}
        for column, key in names.items():
            row[column] = str(results[key]["best_gamer_rank"][group])
        rows.append(row)
    return rows
