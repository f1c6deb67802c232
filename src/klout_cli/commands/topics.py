"""topics: what accounts are influential about, from a saved run."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from klout_cli.core.basics import RANK_DECIMALS, competition_ranks
from klout_cli.core.errors import StoreError
from klout_cli.ingest.schema import resolve_account
from klout_cli.options import F, db_option, emit, note, open_store, output_options, platform_option, plural
from klout_cli.rows import platform_matches, topic_signals

if TYPE_CHECKING:  # `rank` imports this module, and only the light part of the core
    from klout_cli.core.model import Model

TOPIC_HELP = "Scores on this topic only (case-insensitive; #hashtag or alias accepted)."


def topic_option() -> Callable[[F], F]:
    return click.option("--topic", default=None, metavar="NAME", help=TOPIC_HELP)


def resolve(raw: str, model: Model, known: Sequence[str], where: str) -> str:
    """The topic `--topic` names, under the run's aliases; a clear error when no one touched it."""
    from klout_cli.core.topics import resolve_topic

    topic = resolve_topic(raw, model.topics)
    if topic is None:
        raise click.UsageError(f"--topic '{raw}' is an empty or ignored topic (see topics.ignore in the model)")
    if topic not in known:
        if not known:
            raise StoreError(f"no topic scores in {where}: its items carry no topics (or it predates topics)")
        close = difflib.get_close_matches(topic, known, n=3, cutoff=0.6)
        listed = ", ".join(known[:5]) + (", ..." if len(known) > 5 else "")
        others = f" ({plural(len(known), 'topic')}: {listed})"
        hint = f" (did you mean: {', '.join(close)}?)" if close else others
        raise StoreError(f"no account has items or endorsements on topic '{topic}' in {where}{hint}")
    return topic


def _leaders(top: Sequence[Sequence[Any]], combined: bool) -> str:
    return ", ".join(f"{account}{'' if combined else f' ({platform})'} {score:.1f}" for account, platform, score in top)


@click.command()
@click.argument("account", required=False)
@click.option("--run", "run_id", type=int, default=None, metavar="ID", help="Use this saved run (default: latest).")
@platform_option("Only this platform.")
@click.option("--top", type=click.IntRange(min=1), default=None, metavar="N", help="Show only the first N.")
@output_options
@db_option
def topics(
    account: str | None,
    run_id: int | None,
    platform: str | None,
    top: int | None,
    fmt: str | None,
    db_path: Path | None,
) -> None:
    """Topics of a saved run: every topic with its leaders, or one ACCOUNT's topics and why.

    A topic score is the model applied to the account's items tagged with the topic (its
    `topics` column and #hashtags), plus capped endorsements: an account never scores on a
    topic it did not post about or get endorsed for.

    \b
    Examples:
      kscore topics                          # all topics: items, accounts, top 3 accounts
      kscore topics ana_lytics               # her topics, scores, rank in each, evidence
      kscore rank --topic ai --top 10        # who moves people about ai
    """
    store = open_store(db_path)
    record = store.run(run_id)
    title = f"topics · run {record.id} · as of {record.as_of[:10]} · model: {record.model_name}"
    if account is None:
        summary = store.topic_summary(record)
        if platform is not None:
            note("--platform applies with an ACCOUNT; all topics are listed")
        if not summary:
            raise StoreError(f"no topic scores in run {record.id}: its items carry no topics (or it predates topics)")
        summary.sort(key=lambda item: (-item["items"], -item["accounts"], item["topic"]))
        rows = [{**item, "top": _leaders(item["top"], record.combine)} for item in summary[:top]]
        emit(rows, ["topic", "items", "accounts", "top"], fmt, title + f" · {len(summary):,} topics")
        return
    account = resolve_account(account, store.account_platforms(record), platform)
    found = [
        entry
        for entry in store.account_topics(record, account)
        if platform is None or platform_matches(platform, entry[0]["platform"], combined=record.combine)
    ]
    if not found:
        names = store.accounts(record)
        if not store.topic_names(record):
            raise StoreError(f"no topic scores in run {record.id}: its items carry no topics (or it predates topics)")
        if account in names:
            where = f" on platform '{platform}'" if platform else ""
            raise StoreError(
                f"'{account}' has no topic scores{where} in run {record.id}: no tagged items or endorsements"
            )
        from klout_cli.explain import suggest

        raise StoreError(f"no account '{account}' in run {record.id}{suggest(account, names)}")
    rows = []
    for row, breakdown, place, among in found[:top]:
        evidence = {part["signal"]: part["detail"] for part in breakdown["contributions"]}
        rows.append(
            {
                **row,
                "place": f"{place} of {among}",
                "why": f"{evidence.get('engagement', '')}; {evidence.get('endorsements', '')}",
            }
        )
    for rank, row in zip(competition_ranks([round(row["score"], RANK_DECIMALS) for row in rows]), rows):
        row["rank"] = rank
    columns = ["rank", "topic", "platform", "score", "place", *topic_signals(record.signals), "endorsements", "items"]
    emit(rows, [*columns, "flags", "why"], fmt, f"{account} · " + title)
