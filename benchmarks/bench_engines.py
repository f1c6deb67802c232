"""Which engine should read and aggregate? kscore's features on one file in each (issue #18).

    python benchmarks/bench_engines.py                     # 2M rows, 100k accounts
    python benchmarks/bench_engines.py --rows 20000 --accounts 1000 --only today polars

The work: read every column of a CSV in kscore's schema and check it as kscore does, merge
duplicates, keep the window, and build the features per (account, platform) and per
(account, platform, topic). Each engine runs in its own child process (peak memory from the
kernel), one after another, on 1 and 2 threads where it has them:

- today: kscore's own functions (read_sources, window_rows, features_of, tag_items, topic_features);
- parts: today's code over the file split in two by account (as the spill splits it), the
  two parts one after the other, or in two processes at once;
- duckdb: workload_sql.py's read, window and feature queries (every feature kscore makes);
- polars: the same features in polars expressions (every feature, checked against kscore);
- pyarrow: pyarrow.compute, for what it has kernels for: checks, window, the decayed sums, items,
  weighted items, engagement, week masks and latest audience per account and per topic (no
  runner-up cap, no busiest day; hashtags found in Python, as pyarrow has no find-all).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_workload import measure  # noqa: E402
from workload_sql import (  # noqa: E402
    AUDIENCE,
    COMPLETE_ISO,
    COUNTS,
    HASHTAG,
    Steps,
    model_parameters,
    run_workload,
)

CONTENT, OWN = ["post", "reply", "share"], ["post", "reply"]
KINDS = ["post", "reply", "share", "like", "mention", "follow", "endorse", "profile"]
NEEDS_TARGET = ["like", "mention", "follow", "endorse"]
ITEM_KEYS = ["account", "platform", "kind", "post_id", "target"]
ROW_KEYS = ["account", "platform", "ts", "kind", "target", "text", "topics"]


# -- today: kscore's own code ----------------------------------------------------------------
def run_today(path: str, *_: str) -> dict[str, Any]:
    from klout_cli.cli import collection_paused
    from klout_cli.ingest.aggregate import features_of, window_rows
    from klout_cli.ingest.read import read_sources
    from klout_cli.ingest.topics import tag_items, topic_features
    from klout_cli.modelfile import load_model

    model = load_model().model
    steps = Steps()
    with collection_paused():
        rows, _ = read_sources([path])
        steps.done("read")
        window = window_rows(rows, model)
        del rows
        steps.done("window")
        accounts = features_of(window, model)
        steps.done("accounts")
        topics = topic_features(window, model, tag_items(window, model))
        steps.done("topics")
    return {"steps": steps.times, "accounts": len(accounts), "topic_scores": len(topics)}


def _today_part(path: str) -> tuple[dict[str, float], int, int]:
    figures = run_today(path)
    return figures["steps"], figures["accounts"], figures["topic_scores"]


def run_parts(path: str, processes: str) -> dict[str, Any]:
    """Today's code over the parts `path`.0 and `path`.1, in one process or in two at once."""
    from concurrent.futures import ProcessPoolExecutor

    parts = [f"{path}.{index}" for index in range(2)]
    start = time.perf_counter()
    if processes == "1":
        found = [_today_part(part) for part in parts]
    else:
        with ProcessPoolExecutor(int(processes)) as pool:
            found = list(pool.map(_today_part, parts))
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "steps": {"parts": time.perf_counter() - start},
        "accounts": sum(item[1] for item in found),
        "topic_scores": sum(item[2] for item in found),
        "worker_peak_mb": worker_peak,
    }


def split_parts(path: str) -> None:
    """The file in two parts by a hash of the account (every row of an account in one part)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(
        pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16)).column_names, pa.string()
    ), strings_can_be_null=False))  # fmt: skip
    codes = pc.dictionary_encode(table.column("account")).combine_chunks()
    part = pc.bit_wise_and(codes.indices, 1)
    for index in range(2):
        options = pacsv.WriteOptions(quoting_style="none")  # as the generator writes it ("needed" quotes every string)
        pacsv.write_csv(table.filter(pc.equal(part, index)), f"{path}.{index}", options)


# -- duckdb ------------------------------------------------------------------------------------
def run_duckdb(path: str, threads: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        return run_workload(path, Path(folder), model_parameters(), threads=int(threads), features_only=True)


# -- polars ------------------------------------------------------------------------------------
def polars_features(frame: Any, keys: list[str], p: dict[str, Any], *, audience: bool) -> Any:
    """`features_by` in polars expressions, from window rows with `age`, `decay`, `day`."""
    import polars as pl

    a, cap, weeks = p["actions"], p["item_cap"], p["window_weeks"]
    counted_replies = pl.min_horizontal(
        pl.col("replies"),
        pl.max_horizontal(
            pl.lit(p["min_replies"]), p["max_replies_per_like_or_share"] * (pl.col("likes") + pl.col("shares"))
        ),
    )
    items = (
        frame.filter(pl.col("kind").is_in(CONTENT))
        .with_columns(own=pl.col("kind").is_in(OWN), counted_replies=counted_replies)
        .with_columns(
            engagement=pl.col("likes") * a["likes"]
            + pl.col("shares") * a["shares"]
            + pl.col("counted_replies") * a["replies"]
            + pl.col("clicks") * a["clicks"]
            + pl.col("impressions") * a["impressions"],
            people=pl.max_horizontal("likes", "shares", "counted_replies"),
            backlash=pl.col("replies") - pl.col("counted_replies"),
        )
    )
    runner = (
        items.filter("own")
        .group_by(keys)
        .agg(
            n=pl.len(),
            **{f"{name}2": pl.col(name).top_k(2).min() for name in ("engagement", "shares", "people")},
        )
    )
    capped = items.join(runner, on=keys, how="left", nulls_equal=True).with_columns(
        **{
            f"capped_{name}": pl.when("own").then(
                pl.min_horizontal(
                    pl.col(name),
                    cap * pl.when(pl.col("n") > 1).then(pl.max_horizontal(1.0, f"{name}2")).otherwise(float("inf")),
                )
            )
            for name in ("engagement", "shares", "people")
        }
    )
    own = pl.col("own")
    week_bit = (2.0 ** pl.min_horizontal((pl.col("age") // 7), weeks - 1)).cast(pl.Int64)
    sums = capped.group_by(keys).agg(
        items=pl.len(),
        reply_items=(pl.col("kind") == "reply").sum(),
        share_items=(pl.col("kind") == "share").sum(),
        **{name: (pl.col(name) * pl.col("decay")).sum() for name in COUNTS},
        weighted_items=pl.col("decay").filter(own).sum(),
        **{
            f"capped_{name}": (pl.col(f"capped_{name}") * pl.col("decay")).filter(own).sum()
            for name in ("engagement", "shares", "people")
        },
        engaged_items=((pl.col("engagement") > 0).cast(pl.Float64) * pl.col("decay")).filter(own).sum(),
        backlash_replies=(pl.col("backlash") * pl.col("decay")).filter(own).sum(),
        ratioed_items=(own & (pl.col("backlash") > 0)).sum(),
        peak_item=pl.max_horizontal("likes", "shares").max(),
        active_weeks=week_bit.filter(pl.col("engagement") > 0).unique().sum(),  # distinct bits: their sum is their OR
    )
    days = (
        items.group_by([*keys, "day"])
        .len()
        .group_by(keys)
        .agg(busiest_day=pl.col("len").max(), busy_days=(pl.col("len") >= p["spam_per_day"]).sum())
    )
    if audience:
        audiences = frame.group_by(keys).agg(
            **{name: pl.col(name).sort_by(["ts", name]).drop_nulls().last() for name in AUDIENCE}
        )
    else:
        audiences = frame.select(keys).unique()
    return audiences.join(sums, on=keys, how="left", nulls_equal=True).join(days, on=keys, how="left", nulls_equal=True)


def _polars_name(column: str) -> Any:
    import polars as pl

    cleaned = pl.col(column).fill_null("").str.strip_chars().str.normalize("NFC")
    return pl.when(cleaned.str.starts_with("@")).then(cleaned.str.slice(1).str.strip_chars()).otherwise(cleaned)


def _polars_count(column: str) -> tuple[Any, Any]:
    """(number, unreadable) of a count column; the range checks come once it is a column."""
    import polars as pl

    text = pl.col(column).fill_null("").str.strip_chars()
    number = pl.when(text != "").then(text).cast(pl.Float64, strict=False)
    return number, (text != "") & number.is_null()


def _polars_bad_count(column: str) -> Any:
    import polars as pl

    number = pl.col(column)
    return ~number.is_finite() | (number < 0) | (number != number.floor()) | (number > 1e15)


def run_polars(path: str, threads: str) -> dict[str, Any]:
    os.environ["POLARS_MAX_THREADS"] = threads  # read when polars is imported
    import polars as pl

    from klout_cli.ingest import schema

    p = model_parameters()
    steps = Steps()
    raw = pl.read_csv(path, infer_schema=False)
    present = set(raw.columns)
    raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(name) for name in AUDIENCE if name not in present)
    stamp = pl.col("timestamp").fill_null("").str.strip_chars()
    counts = {name: _polars_count(name) for name in (*COUNTS, *AUDIENCE)}
    kind = pl.col("kind").fill_null("").str.strip_chars().str.to_lowercase()
    rows = (
        raw.lazy()
        .select(  # lazy: each count is parsed once (common subexpressions)
            account=_polars_name("account"),
            raw_time=stamp,
            ts=stamp.str.to_datetime(strict=False, time_zone="UTC", time_unit="us"),
            platform=pl.col("platform").fill_null("").str.strip_chars().str.to_lowercase().replace("", "default"),
            kind=pl.when(kind == "").then(pl.lit("post")).otherwise(kind),
            post_id=pl.col("post_id").fill_null("").str.strip_chars(),
            target=_polars_name("target"),
            **{name: counts[name][0] for name in (*COUNTS, *AUDIENCE)},
            topics=pl.col("topics").fill_null(""),
            text=pl.col("text").fill_null(""),
            unreadable=pl.any_horizontal(unreadable for _, unreadable in counts.values()),
        )
        .collect()
    )
    del raw
    rows = rows.with_columns(
        bad_count=pl.col("unreadable") | pl.any_horizontal(_polars_bad_count(name) for name in counts).fill_null(False)
    ).with_columns(pl.col(name).fill_null(0.0) for name in COUNTS)
    checks = rows.select(
        account=(pl.col("account") == "").sum(),
        timestamp=(
            (pl.col("raw_time") == "")
            | ~pl.col("raw_time").str.contains(f"^(?:{COMPLETE_ISO})$")
            | pl.col("ts").is_null()
            | (pl.col("ts").dt.year() < 1900)
            | (pl.col("ts").dt.year() >= 2200)
        ).sum(),
        kind=(~pl.col("kind").is_in(KINDS)).sum(),
        target=(pl.col("kind").is_in(NEEDS_TARGET) & (pl.col("target") == "")).sum(),
        counts=pl.col("bad_count").sum(),
    ).row(0)
    if any(checks):
        raise SystemExit(f"{path}: bad rows {checks}")
    steps.done("read")
    # display spellings: the most frequent spelling of each case-folded name (then the first)
    spelt = (
        pl.concat([
            rows.select("platform", name="account"),
            rows.filter(pl.col("target") != "").select("platform", name="target"),
        ])
        .filter(pl.col("platform").is_in(sorted(schema.CASE_INSENSITIVE)))
        .group_by("platform", "name").len()
        .with_columns(folded=pl.col("name").str.to_lowercase())
        .sort(["len", "name"], descending=[True, False])
        .with_columns(display=pl.col("name").first().over("platform", "folded"))
        .filter(pl.col("name") != pl.col("display"))
    )  # fmt: skip
    if len(spelt):
        for column in ("account", "target"):
            rows = (
                rows.join(spelt.select("platform", column=pl.col("name"), shown="display"), how="left",
                          left_on=["platform", column], right_on=["platform", "column"])
                .with_columns(pl.coalesce("shown", column).alias(column)).drop("shown")
            )  # fmt: skip
    steps.done("names")
    maxima = [pl.col(name).max() for name in (*COUNTS, *AUDIENCE)]
    each = pl.col("topics").str.split(";").list.explode(keep_nulls=False, empty_as_null=False)
    merged_topics = (
        pl.when(pl.len() == 1)
        .then(pl.col("topics").first())
        .otherwise(each.filter(each.str.strip_chars() != "").unique().sort().str.join(";"))
    )
    # only rows whose post id (or, without one, account and time) repeats can be copies, as in kscore
    has_id = pl.col("post_id") != ""
    copy = pl.when(has_id).then(pl.len().over("post_id") > 1).otherwise(pl.len().over("account", "ts") > 1)
    rows = rows.drop("raw_time", "unreadable", "bad_count").with_columns(copy=copy)
    with_id = (
        rows.filter(pl.col("copy") & has_id)
        .group_by(ITEM_KEYS)
        .agg(pl.col("ts").min(), *maxima, merged_topics.alias("topics"), pl.col("text").max())
    )
    without_id = rows.filter(pl.col("copy") & ~has_id).group_by(ROW_KEYS).agg(*maxima)
    single = rows.filter(~pl.col("copy")).drop("copy")
    unique = pl.concat([single, with_id, without_id], how="diagonal_relaxed")
    del rows
    as_of = unique["ts"].max()
    age = (pl.lit(as_of) - pl.col("ts")).dt.total_microseconds() / 86_400e6
    window = unique.with_columns(age=age).filter((pl.col("age") >= 0) & (pl.col("age") <= p["window_days"]))
    window = window.with_columns(
        decay=0.5 ** (pl.col("age") / p["half_life_days"]),
        day=(pl.col("ts").dt.epoch("s") // 86400),
    )
    steps.done("window")
    accounts = polars_features(window, ["account", "platform"], p, audience=True)
    steps.done("accounts")
    written = pl.col("raw").str.replace(r"^[^#]*#", "").str.strip_chars().str.to_lowercase()
    aliases = p["aliases"]
    tagged = (
        window.filter(pl.col("kind").is_in(OWN))
        .filter((pl.col("topics") != "") | pl.col("text").str.contains("#", literal=True))
        .with_row_index("item")
        .with_columns(raw=pl.col("topics").str.split(";").list.concat(pl.col("text").str.extract_all(HASHTAG)))
        .explode("raw")
        .with_columns(written=written)
        .with_columns(topic=pl.col("written").replace(aliases))
        .filter((pl.col("topic") != "") & ~pl.col("topic").is_in(p["ignore"]) & ~pl.col("written").is_in(p["ignore"]))
        .unique(["item", "topic"])
    )  # fmt: skip
    topics = polars_features(tagged, ["account", "platform", "topic"], p, audience=False)
    steps.done("topics")
    return {"steps": steps.times, "accounts": len(accounts), "topic_scores": len(topics), "frames": [accounts, topics]}


# -- pyarrow compute ---------------------------------------------------------------------------
def run_pyarrow(path: str, threads: str) -> dict[str, Any]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from klout_cli.core.topics import topics_of
    from klout_cli.modelfile import load_model

    pa.set_cpu_count(int(threads))
    pa.set_io_thread_count(int(threads))
    p = model_parameters()
    spec = load_model().model.topics
    steps = Steps()
    header = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16)).column_names
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
    )
    column = {name: table.column(name).combine_chunks() for name in header}
    del table

    def name(values: pa.Array) -> pa.Array:
        cleaned = pc.utf8_normalize(pc.utf8_trim_whitespace(values), form="NFC")
        return pc.if_else(
            pc.starts_with(cleaned, "@"), pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(cleaned, 1)), cleaned
        )

    bad = np.zeros(len(column["account"]), dtype=bool)
    account, target = name(column["account"]), name(column["target"])
    bad |= pc.equal(account, "").to_numpy(zero_copy_only=False)
    stamp = pc.utf8_trim_whitespace(column["timestamp"])
    bad |= pc.invert(pc.match_substring_regex(stamp, f"^(?:{COMPLETE_ISO})$")).to_numpy(zero_copy_only=False)
    ts = pc.strptime(stamp, format="%Y-%m-%dT%H:%M:%SZ", unit="us", error_is_null=True)  # the generator's form only
    bad |= pc.is_null(ts).to_numpy(zero_copy_only=False)
    kind = pc.utf8_lower(pc.utf8_trim_whitespace(column["kind"]))
    kind = pc.if_else(pc.equal(kind, ""), "post", kind)
    bad |= pc.invert(pc.is_in(kind, pa.array(KINDS))).to_numpy(zero_copy_only=False)
    bad |= pc.and_(pc.is_in(kind, pa.array(NEEDS_TARGET)), pc.equal(target, "")).to_numpy(zero_copy_only=False)
    numbers = {}
    for count in (*COUNTS, *AUDIENCE):
        if count not in column:
            numbers[count] = np.full(len(bad), np.nan)
            continue
        text = pc.utf8_trim_whitespace(column[count])
        empty = pc.equal(text, "").to_numpy(zero_copy_only=False)
        looks = pc.match_substring_regex(text, r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
        bad |= ~empty & ~looks.to_numpy(zero_copy_only=False)
        value = pc.cast(pc.if_else(looks, text, None), pa.float64()).to_numpy(zero_copy_only=False)
        bad |= ~empty & ((value < 0) | (value % 1 != 0) | (value > 1e15))
        numbers[count] = np.where(empty, 0.0 if count in COUNTS else np.nan, value)
    if bad.any():
        raise SystemExit(f"{path}: {int(bad.sum())} bad rows")
    platform = pc.utf8_lower(pc.utf8_trim_whitespace(column["platform"]))
    platform = pc.if_else(pc.equal(platform, ""), "default", platform)
    rows = pa.table(
        {
            "account": account, "ts": ts, "platform": platform, "kind": kind,
            "post_id": pc.utf8_trim_whitespace(column["post_id"]), "target": target,
            **{count: numbers[count] for count in (*COUNTS, *AUDIENCE)},
            "topics": column["topics"], "text": column["text"],
        }
    )  # fmt: skip
    del column
    steps.done("read")
    # only rows whose post id repeats can be copies (rows without one: not done here; none in this data)
    ids = rows.group_by("post_id").aggregate([([], "count_all")])
    copy = pc.is_in(rows["post_id"], ids.filter(pc.greater(ids["count_all"], 1))["post_id"])
    merged = (
        rows.filter(copy)
        .group_by(ITEM_KEYS, use_threads=int(threads) > 1)
        .aggregate(
            [("ts", "min"), *((count, "max") for count in (*COUNTS, *AUDIENCE)), ("topics", "max"), ("text", "max")]
        )
    )  # (topics of copies: the greatest, not all of them merged)
    merged = merged.rename_columns([name.removesuffix("_min").removesuffix("_max") for name in merged.column_names])
    unique = pa.concat_tables([rows.filter(pc.invert(copy)), merged.select(rows.column_names)])
    as_of = pc.max(unique["ts"])
    age = pc.divide(pc.cast(pc.subtract(as_of, unique["ts"]), pa.int64()), 86_400e6)
    keep = pc.and_(pc.greater_equal(age, 0), pc.less_equal(age, p["window_days"]))
    window = unique.filter(keep).append_column("age", age.filter(keep))
    window = window.append_column("decay", pc.power(0.5, pc.divide(window["age"], p["half_life_days"])))
    steps.done("window")

    def features(frame: pa.Table, keys: list[str]) -> pa.Table:
        a = p["actions"]
        content = frame.filter(pc.is_in(frame["kind"], pa.array(CONTENT)))
        approving = pc.add(content["likes"], content["shares"])
        limit = pc.max_element_wise(p["min_replies"], pc.multiply(approving, p["max_replies_per_like_or_share"]))
        replies = pc.min_element_wise(content["replies"], limit)
        engagement = pc.add(
            pc.add(pc.multiply(content["likes"], a["likes"]), pc.multiply(content["shares"], a["shares"])),
            pc.add(pc.multiply(replies, a["replies"]), pc.multiply(content["clicks"], a["clicks"])),
        )
        own = pc.is_in(content["kind"], pa.array(OWN))
        decay = content["decay"]
        week = pc.cast(pc.min_element_wise(pc.floor(pc.divide(content["age"], 7)), p["window_weeks"] - 1), pa.int64())
        work = pa.table(
            {
                **{key: content[key] for key in keys},
                **{count: pc.multiply(content[count], decay) for count in COUNTS},
                "own_decay": pc.if_else(own, decay, 0.0),
                "engagement": pc.multiply(engagement, decay),
                "reply": pc.cast(pc.equal(content["kind"], "reply"), pa.int64()),
            }
        )
        sums = work.group_by(keys).aggregate(
            [*((count, "sum") for count in COUNTS), ("own_decay", "sum"), ("engagement", "sum"), ("reply", "sum"),
             ([], "count_all")]
        )  # fmt: skip
        engaged = pc.greater(engagement, 0)
        bits = pa.table({**{key: content[key].filter(engaged) for key in keys}, "week": week.filter(engaged)})
        bits = bits.group_by([*keys, "week"]).aggregate([])  # distinct weeks: the sum of their bits is the mask
        bits = bits.append_column("bit", pc.shift_left(pa.scalar(1, pa.int64()), bits["week"]))
        masks = bits.group_by(keys).aggregate([("bit", "sum")])
        return sums.join(masks, keys, join_type="left outer")

    latest = window.select(["account", "platform", "ts", "followers"]).sort_by(
        [("account", "ascending"), ("platform", "ascending"), ("ts", "ascending"), ("followers", "ascending")]
    )
    audience = latest.group_by(["account", "platform"], use_threads=False).aggregate([("followers", "last")])
    accounts = audience.join(features(window, ["account", "platform"]), ["account", "platform"], join_type="left outer")
    steps.done("accounts")
    own = window.filter(pc.is_in(window["kind"], pa.array(OWN)))
    maybe = pc.or_(pc.not_equal(own["topics"], ""), pc.match_substring(own["text"], "#"))
    positions = np.flatnonzero(maybe.to_numpy(zero_copy_only=False))
    cells = zip(own["topics"].take(positions).to_pylist(), own["text"].take(positions).to_pylist())
    seen: dict[tuple[str, str], tuple[str, ...]] = {}
    found = []
    for cell in cells:  # as kscore tags them: one Python call for each distinct (topics, text)
        topics = seen.get(cell)
        if topics is None:
            topics = seen[cell] = topics_of(cell[0], cell[1], spec)
        found.append(topics)
    lengths = np.fromiter((len(item) for item in found), dtype=np.int64, count=len(found))
    tagged = own.take(np.repeat(positions, lengths))
    tagged = tagged.append_column("topic", pa.array([topic for item in found for topic in item], pa.string()))
    topics = features(tagged, ["account", "platform", "topic"])
    steps.done("topics")
    return {"steps": steps.times, "accounts": len(accounts), "topic_scores": len(topics)}


RUNS = {"today": run_today, "parts": run_parts, "duckdb": run_duckdb, "polars": run_polars, "pyarrow": run_pyarrow}


def child(kind: str, report: str, arguments: list[str]) -> None:
    figures = RUNS[kind](*arguments)
    figures.pop("frames", None)
    Path(report).write_text(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", nargs="+", choices=sorted(RUNS), help="only these engines")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        kind, report, *arguments = options.child
        child(kind, report, arguments)
        return
    cases = [("today", "1"), ("parts", "1"), ("parts", "2")]
    cases += [(engine, threads) for engine in ("duckdb", "polars", "pyarrow") for threads in ("1", "2")]
    cases = [case for case in cases if not options.only or case[0] in options.only]
    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="kscore-engines-") as folder:
        data = Path(folder) / "activity.csv"
        generator = [sys.executable, str(HERE / "bench_compute.py"), "--generate"]
        subprocess.run([*generator, str(options.rows), str(options.accounts), str(data)], check=True)
        if any(kind == "parts" for kind, _ in cases):
            subprocess.run([sys.executable, "-c", f"import bench_engines; bench_engines.split_parts({str(data)!r})"],
                           check=True, cwd=HERE)  # fmt: skip
        for _ in range(options.repeat):
            for kind, threads in cases:
                report = Path(folder) / "report.json"
                arguments = [sys.executable, __file__, "--child", kind, str(report), str(data), threads]
                results.setdefault(f"{kind} {threads}", []).append(measure(arguments, report))
    if options.json:
        options.json.write_text(json.dumps(results, indent=1))
    print(f"{options.rows:,} rows, {options.accounts:,} accounts; seconds from start to exit, then each step\n")
    print("| engine | threads | time | peak RSS | steps (s) | accounts | topic pairs |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for key, runs in results.items():
        kind, threads = key.split()
        walls = ", ".join(f"{run['wall']:.1f}" for run in runs)
        peaks = ", ".join(f"{run['peak_mb']:.0f}" for run in runs)
        if "worker_peak_mb" in runs[0]:
            peaks += " (+ " + ", ".join(f"{run['worker_peak_mb']:.0f}" for run in runs) + " each worker)"
        steps = " + ".join(f"{name} {runs[-1]['steps'][name]:.2f}" for name in runs[-1]["steps"])
        label = "processes" if kind == "parts" else "threads"
        print(f"| {kind} | {threads} {label} | {walls} s | {peaks} MB | {steps} | {runs[-1]['accounts']:,} "
              f"| {runs[-1]['topic_scores']:,} |")  # fmt: skip


if __name__ == "__main__":
    main()
