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
@click.option("--force", is_flag=True, help="Overwrite the activity and truth files if they exist.")
def demo(accounts: int, seed: int, output: Path, force: bool) -> None:
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
    from klout_cli.lab.demo import truth_path, write_population

    if not force:  # as `model init`: an existing file is kept unless asked
        for target in (output, truth_path(output)):
            if target.exists():
                raise click.ClickException(f"{target}: already exists (use --force to overwrite)")
    try:
        truth = write_population(accounts, seed, output)
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write: {error.strerror or error}") from None
    note(f"wrote {accounts:,} accounts' activity to {output} and their ground truth to {truth}")


@click.command("evaluate")
@model_option
@click.option("--accounts", type=click.IntRange(min=50), default=3000, show_default=True, help="Population size.")
@click.option("--seed", type=int, default=7, show_default=True, help="Which generated populations.")
@click.option(
    "--family",
    type=click.Choice(["both", "tuned", "independent"]),
    default="both",
    show_default=True,
    help="tuned: the generator the defaults were chosen on (kscore demo); independent: one built on "
    "other assumptions, which they were only checked on.",
)
@output_options
def evaluate(model_path: str | None, accounts: int, seed: int, family: str, fmt: str | None) -> None:
    """How well does a model measure influence, and how gameable is it? Score generated populations.

    Two families, reported apart: `tuned` (the `kscore demo` generator the default weights were
    chosen on) and `independent` (built on other assumptions: other engagement distributions,
    counts-only exports, pods of 8-40, accounts with 1-5 posts). For each, beside two
    baselines (followers only; weighted engagement per post, posts only): the Spearman
    correlation of score with true influence, gamers in the top 50, the best rank each kind of
    gamer reached, the volume bias (Spearman between an honest account's score error and its
    number of posts: 0 is none), the worst rank of a celebrity, and honest accounts flagged.
    Probes planted in the independent population: one bought post on a small account, a
    like-pod of 30, a million followers who never react. Bots are left out of the figures.

    \b
    Examples:
      kscore model evaluate
      kscore model evaluate --model my-weights.yaml --seed 11 -f json
      kscore model evaluate --family independent --seed 3
    """
    from klout_cli.lab.evaluate import FAMILIES
    from klout_cli.lab.evaluate import evaluate as run_evaluation

    loaded = load_model_option(model_path)
    families = FAMILIES if family == "both" else (family,)
    figures = run_evaluation(loaded, accounts=accounts, seed=seed, families=families)
    if fmt == "json":
        import json

        click.echo(json.dumps(figures, indent=2))
        return
    emit(_rows(figures), ["family", "measure", "model", "followers_only", "engagement_per_post"], fmt, _title(figures))


def _title(figures: dict[str, Any]) -> str:
    return (
        f"model evaluate · {figures['model']} · {figures['accounts']:,} accounts a population (seed {figures['seed']})"
    )


def _number(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for family, found in figures["families"].items():
        results = found["results"]

        def measure(label: str, pick: Any, family: str = family, results: Any = results, rows: Any = rows) -> None:
            rows.append(
                {"family": family, "measure": label, **{name: _number(pick(results[name])) for name in results}}
            )

        measure("spearman with true influence", lambda result: result["spearman"])
        measure("gamers in the top 50", lambda result: result["gamers_in_top_50"])
        measure("volume bias (0: none)", lambda result: result["volume_bias"])
        measure("worst rank of a celebrity", lambda result: result["worst_celebrity_rank"])
        measure("top-100 celebrities (by truth) left out of it", lambda result: result["celebrities_missed"])
        for group in results["model"]["best_gamer_rank"]:
            measure(f"best rank of a {group} gamer", lambda result, group=group: result["best_gamer_rank"][group])
        flagged = ", ".join(f"{count} {flag}" for flag, count in found["honest_flagged"].items()) or "0"
        rows.append({"family": family, "measure": "honest accounts flagged", "model": flagged})
        rows.append({"family": family, "measure": "celebrities flagged", "model": str(found["celebrities_flagged"])})
        probes = found.get("probes")
        if probes:
            bought, pod, megaphone = probes["bought_post"], probes["like_pod"], probes["megaphone"]
            rows += [
                {
                    "family": family,
                    "measure": "probe: one bought post, 150 followers",
                    "model": f"rank {bought['rank']:,}, {';'.join(bought['flags']) or 'unflagged'}",
                },
                {
                    "family": family,
                    "measure": f"probe: like-pod of {pod['members']}",
                    "model": f"best rank {pod['best_rank']:,}, {pod['flagged']} flagged",
                },
                {
                    "family": family,
                    "measure": "probe: 1M followers, no engagement",
                    "model": f"score {megaphone['score']:.2f}",
                },
            ]
    return rows
