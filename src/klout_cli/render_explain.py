"""Render an explanation (see explain.py) as a rich layout for a terminal, or as markdown lines."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from klout_cli.core import UNITS, format_raw
from klout_cli.visible import text, visible

if TYPE_CHECKING:
    from rich.console import Group

BAR_WIDTH = 16
ITEM_COLUMNS = ("post_id", "date", "kind", "likes", "shares", "replies", "earned", "text")


def _bar(points: float) -> str:
    """Points as a bar: the full width is 50 points, so bars compare across signals and accounts."""
    cells = points / 50 * BAR_WIDTH
    whole = int(cells)
    return ("█" * min(whole, BAR_WIDTH) + ("▌" if cells - whole >= 0.5 and whole < BAR_WIDTH else "")) or "·"


def headline(data: Mapping[str, Any]) -> str:
    source = data["source"]
    where = f"run {source['run']}" if source.get("run") is not None else "files (not saved)"
    return (
        f"{data['account']} · {data['platform']} · score {data['score']:.1f}   "
        f"({where} · as of {source['as_of'][:10]} · model: {source['model']})"
    )


def _median_rows(data: Mapping[str, Any]) -> list[list[str]]:
    """[what, this account, the median account] rows: the score, then each signal's raw value."""
    median = data["median"]
    if not median:
        return []
    rows = [["score", f"{data['score']:.1f}", f"{median['score']:.1f}"]]
    for part in data["contributions"]:
        signal = part["signal"]
        value = median["signals"].get(signal)
        if value is not None:
            unit = UNITS.get(signal, "")
            mine, theirs = format_raw(signal, part["raw"]), format_raw(signal, value["raw"])
            rows.append([f"{signal} ({unit})", mine, theirs])
    return rows


def _item_cells(item: Mapping[str, Any]) -> list[str]:
    return [
        str(item["post_id"]) or "—",
        item["timestamp"][:10],
        item["kind"],
        f"{item['likes']:,}",
        f"{item['shares']:,}",
        f"{item['replies']:,}",
        f"{item['counted']:,.1f}",
        str(item["text"]).replace("\n", " ")[:60],
    ]


def profile_lines(data: Mapping[str, Any]) -> list[str]:
    """Style and top topics: how the account exerts influence, and about what."""
    lines = []
    style = data.get("style")
    if style:
        lines.append(f"style: {style['name']} ({style['evidence']})")
    topics = data.get("topics")
    if topics:
        shown = ", ".join(
            f"{topic['topic']} {topic['score']:.1f} ({topic['items']:,} item{'' if topic['items'] == 1 else 's'})"
            for topic in topics
        )
        saved = data["source"].get("run") is not None
        lines.append(f"top topics: {shown}" + (f"  (see `kscore topics {data['account']}`)" if saved else ""))
    elif style:
        lines.append("top topics: none (no tagged items or endorsements)")
    return lines


def _total_line(data: Mapping[str, Any]) -> str:
    signals = sum(part["points"] for part in data["contributions"])
    penalties = sum(part["points"] for part in data["penalties"])
    return f"base {data['base']:.2f} + signals {signals:.2f} + penalties {penalties:.2f} = score {data['score']:.2f}"


def _points_rows(data: Mapping[str, Any], *, bars: bool) -> list[list[str]]:
    """Rows of signal, measure, normalised, weight, points[, bar][, other model's points]:
    the signals, the penalties, then the score."""
    compare = data.get("compare")
    other = {part["signal"]: part for part in compare["contributions"]} if compare else {}
    rows = []
    for part in data["contributions"]:
        row = [
            part["signal"],
            part["detail"],
            f"{part['normalized']:.2f}",
            f"{part['weight']:g}",
            f"{part['points']:.1f}",
        ]
        row += [_bar(part["points"])] if bars else []
        if compare:
            theirs = other.get(part["signal"])
            row.append(f"{theirs['points']:.1f}" if theirs else "—")
        rows.append(row)
    # every flag either model raised, with both models' points
    theirs_penalties = {part["name"]: part for part in compare["penalties"]} if compare else {}
    mine = {part["name"]: part for part in data["penalties"]}
    for name in [*mine, *(name for name in theirs_penalties if name not in mine)]:
        penalty = mine.get(name) or theirs_penalties[name]
        points = f"{mine[name]['points']:.1f}" if name in mine else "—"
        row = [name, penalty["reason"], "", "", points, *([""] if bars else [])]
        if compare:
            row.append(f"{theirs_penalties[name]['points']:.1f}" if name in theirs_penalties else "—")
        rows.append(row)
    score = ["score", "", "", "", f"{data['score']:.1f}", *([""] if bars else [])]
    rows.append(score + ([f"{compare['score']:.1f}"] if compare else []))
    return rows


def explain_renderable(data: Mapping[str, Any]) -> Group:
    """The terminal layout: headline, the points table with bars, totals, median, top items."""
    from rich import box
    from rich.console import Group
    from rich.table import Table

    compare = data.get("compare")
    points = Table(box=box.SIMPLE_HEAD, pad_edge=False, highlight=False)
    points.add_column("signal", no_wrap=True)
    points.add_column("measure", overflow="fold", min_width=24)
    points.add_column("norm.", justify="right", no_wrap=True)
    points.add_column("weight", justify="right", no_wrap=True)
    points.add_column("points", justify="right", no_wrap=True, style="bold")
    points.add_column("", no_wrap=True)
    if compare:
        label = f"points ({compare['model']})"
        points.add_column(text(label), justify="right", no_wrap=True, min_width=len(label))
    rows = _points_rows(data, bars=True)
    for row in rows[:-1]:
        points.add_row(*map(text, row))
    points.add_row(*map(text, rows[-1]), style="bold")

    parts: list[Any] = [text(headline(data), style="bold"), *(text(line) for line in profile_lines(data))]
    parts += [points, text(_total_line(data))]
    if not data["penalties"]:
        parts.append(text("No penalties."))
    median = _median_rows(data)
    if median:
        versus = Table(title="Compared with the median account", title_justify="left", box=box.SIMPLE_HEAD)
        versus.add_column("")
        versus.add_column("this account", justify="right")
        versus.add_column("median account", justify="right")
        for row in median:
            versus.add_row(*map(text, row))
        parts.append(versus)
    if data["top_items"]:
        items = Table(title="Items that earned the most", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        for column in ITEM_COLUMNS:
            numeric = column in ("likes", "shares", "replies", "earned")
            items.add_column(column, justify="right" if numeric else "left", no_wrap=column != "text")
        for item in data["top_items"]:
            items.add_row(*map(text, _item_cells(item)))
        parts.append(items)
    return Group(*parts)


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Iterator[str]:
    yield "| " + " | ".join(header) + " |"
    yield "|" + "|".join("---" for _ in header) + "|"
    for row in rows:
        yield "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"


def explain_markdown(data: Mapping[str, Any]) -> Iterator[str]:
    """The explanation as markdown lines, control characters escaped (see visible.py)."""
    return (visible(line) for line in _markdown_lines(data))


def _markdown_lines(data: Mapping[str, Any]) -> Iterator[str]:
    yield f"### {headline(data)}"
    yield ""
    for line in profile_lines(data):
        yield f"- {line}"
    yield ""
    compare = data.get("compare")
    header = ["signal", "measure", "normalised", "weight", "points"]
    if compare:
        header.append(f"points ({compare['model']})")
    rows = _points_rows(data, bars=False)
    rows[-1] = [f"**{cell}**" if cell else cell for cell in rows[-1]]
    yield from _markdown_table(header, rows)
    yield ""
    yield _total_line(data)
    median = _median_rows(data)
    if median:
        yield ""
        yield "Compared with the median account:"
        yield ""
        yield from _markdown_table(["", "this account", "median account"], median)
    if data["top_items"]:
        yield ""
        yield "Items that earned the most:"
        yield ""
        yield from _markdown_table(ITEM_COLUMNS, [_item_cells(item) for item in data["top_items"]])
