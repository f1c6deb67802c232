"""kscore's feature workload in DuckDB SQL: the equivalent-workload baseline of issue #18.

It does what kscore does between reading a file and scoring (everything but the pure-Python
core, the worded breakdowns and the store), the way a DuckDB user would write it:

- read every column as text and check it as `ingest.read.validate` does (names trimmed, NFC,
  one leading `@` dropped; complete ISO-8601 timestamps between 1900 and 2199; kinds; targets
  where a kind needs one; counts that are whole, finite, not negative, at most 10^15);
- display spellings of names on case-insensitive platforms (the most frequent spelling);
- duplicates: copies of an item (post id) merged with their highest counts, earliest time and
  all their topics; exact repeats of rows without a post id counted once;
- the window (`window_days` before as-of, the latest row) and the decay by age;
- per (account, platform), and per (account, platform, topic) of the own items' topics and
  hashtags: the decayed sums of every count, items by kind, weighted items, the backlash of
  ratioed items, engagement/shares/people capped at `item_cap` times the runner-up item, the
  peak item, engaged items, weekly activity bitmasks, the busiest day and busy days, and the
  latest audience snapshot; accounts with nothing in the window (dormant) too;
- the network: interactions summed per (engager, engaged, platform), reciprocal pairs, each
  engager's flow, the trust recursion for the model's `iterations` rounds (kscore runs all of
  them: no early stop), then distinct engagers, incoming, impact, bot and ring shares, ring
  size and ring density over each account's 64 heaviest reciprocal partners;
- the top 3 own items of each account; endorse rows by topic;
- everything written to Parquet.

The base trust of an account uses the same shape as kscore's (engagement per item and
audience, log-normalised to their caps) without the core's exact scorer.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

CONTENT = "('post', 'reply', 'share')"
OWN = "('post', 'reply')"
KINDS = "('post', 'reply', 'share', 'like', 'mention', 'follow', 'endorse', 'profile')"
NEEDS_TARGET = "('like', 'mention', 'follow', 'endorse')"
CASE_INSENSITIVE = "('twitter', 'x', 'instagram', 'tiktok', 'threads', 'bluesky', 'mastodon')"
COUNTS = ("likes", "shares", "replies", "impressions", "clicks")
AUDIENCE = ("followers", "following")
COMPLETE_ISO = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?: ?(?:Z|[+-][0-9]{2}:?[0-9]{2}))?)?"
)
#: kscore's hashtag pattern without its look-behind (RE2 has none): the character before `#` is matched instead.
HASHTAG = r"(?:^|[\s(\[{\"'“‘«,;:])#(\w*[^\W\d_]\w*)"


def model_parameters() -> dict[str, Any]:
    """The default model's numbers the workload needs, as plain data for a child process."""
    from klout_cli.modelfile import load_model

    model = load_model().model
    signal = {spec.name: spec for spec in model.signals}
    return {
        "window_days": model.window_days,
        "window_weeks": model.window_weeks,
        "half_life_days": model.half_life_days,
        "prior_items": model.prior_items,
        "actions": dict(model.actions),
        "interactions": dict(model.network.interactions),
        "damping": model.network.damping,
        "iterations": model.network.iterations,
        "audience_trust": model.network.audience_trust,
        "reciprocal_discount": model.network.reciprocal_discount,
        "bot_trust": model.network.bot_trust,
        "item_cap": model.item_cap,
        "min_replies": model.min_replies,
        "max_replies_per_like_or_share": model.max_replies_per_like_or_share,
        "spam_per_day": model.flag("spam-volume").thresholds["min_items_per_day"],
        "engagement_cap": signal["engagement"].cap,
        "engagement_curve": signal["engagement"].curve,
        "reach_cap": signal["reach"].cap,
        "reach_curve": signal["reach"].curve,
        "aliases": dict(model.topics.aliases),
        "ignore": sorted(model.topics.ignore),
    }


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _clean_name(column: str) -> str:
    """`schema.clean_name`: trimmed, NFC, one leading `@` dropped (then trimmed again)."""
    cleaned = f"nfc_normalize(trim(coalesce({column}, '')))"
    return f"CASE WHEN starts_with({cleaned}, '@') THEN trim({cleaned}[2:]) ELSE {cleaned} END"


def _count_checks(name: str) -> str:
    """Is a count bad, as `read._counts` checks it? (The reader parsed it as a number, or
    stopped with an error: kscore's fast reader does the same, then names the cell.)"""
    return f"({name} IS NOT NULL AND (NOT isfinite({name}) OR {name} < 0 OR {name} <> floor({name}) OR {name} > 1e15))"


def features_sql(source: str, keys: list[str], p: dict[str, Any], *, audience: bool) -> str:
    """The per-key features of `features_by`, from a relation of window rows with `age`, `decay`, `day`."""
    key_list = ", ".join(keys)
    join_on = " AND ".join(f"c.{key} IS NOT DISTINCT FROM r.{key}" for key in keys)
    a = p["actions"]
    counted_replies = (
        f"least(replies, greatest({p['min_replies']}, {p['max_replies_per_like_or_share']} * (likes + shares)))"
    )
    weeks = p["window_weeks"]
    audience_sql = (
        ", ".join(
            f"arg_max({name}, struct_pack(t := ts, v := {name})) FILTER (WHERE {name} IS NOT NULL) AS {name}"
            for name in AUDIENCE
        )
        if audience
        else "NULL::DOUBLE AS followers, NULL::DOUBLE AS following"
    )
    # the week masks need at most 62 weeks in a BIGINT (kscore falls back to Python ints past that)
    assert weeks <= 62
    return f"""
    WITH items AS (
        SELECT {key_list}, kind, age, decay, day, {", ".join(COUNTS)}, kind IN {OWN} AS own,
               {counted_replies} AS counted_replies
        FROM {source} WHERE kind IN {CONTENT}
    ),
    measured AS (
        SELECT *, likes * {a["likes"]} + shares * {a["shares"]} + counted_replies * {a["replies"]}
                  + clicks * {a["clicks"]} + impressions * {a["impressions"]} AS engagement,
               greatest(likes, shares, counted_replies) AS people, replies - counted_replies AS backlash
        FROM items
    ),
    runner AS (  -- each key's second best own item (at least 1; none in a key of one item)
        SELECT {key_list}, count(*) AS n, max(engagement, 2) AS e2, max(shares, 2) AS s2, max(people, 2) AS p2
        FROM measured WHERE own GROUP BY {key_list}
    ),
    capped AS (
        SELECT c.*,
            CASE WHEN c.own THEN least(c.engagement, {p["item_cap"]} * CASE WHEN r.n > 1 THEN greatest(1, r.e2[2])
                 ELSE 'inf'::DOUBLE END) END AS capped_engagement,
            CASE WHEN c.own THEN least(c.shares, {p["item_cap"]} * CASE WHEN r.n > 1 THEN greatest(1, r.s2[2])
                 ELSE 'inf'::DOUBLE END) END AS capped_shares,
            CASE WHEN c.own THEN least(c.people, {p["item_cap"]} * CASE WHEN r.n > 1 THEN greatest(1, r.p2[2])
                 ELSE 'inf'::DOUBLE END) END AS capped_people
        FROM measured c LEFT JOIN runner r ON {join_on}
    ),
    sums AS (
        SELECT {key_list},
            count(*) AS items,
            count(*) FILTER (WHERE kind = 'reply') AS reply_items,
            count(*) FILTER (WHERE kind = 'share') AS share_items,
            {", ".join(f"sum({name} * decay) AS {name}" for name in COUNTS)},
            coalesce(sum(decay) FILTER (WHERE own), 0) AS weighted_items,
            coalesce(sum(capped_engagement * decay) FILTER (WHERE own), 0) AS capped_engagement,
            coalesce(sum(capped_shares * decay) FILTER (WHERE own), 0) AS capped_shares,
            coalesce(sum(capped_people * decay) FILTER (WHERE own), 0) AS capped_people,
            coalesce(sum((engagement > 0)::INTEGER * decay) FILTER (WHERE own), 0) AS engaged_items,
            coalesce(sum(backlash * decay) FILTER (WHERE own), 0) AS backlash_replies,
            count(*) FILTER (WHERE own AND backlash > 0) AS ratioed_items,
            max(greatest(likes, shares)) AS peak_item,
            coalesce(bit_or(CASE WHEN engagement > 0 THEN
                (1::BIGINT << least(floor(age / 7), {weeks - 1})::INTEGER) END), 0) AS active_weeks
        FROM capped GROUP BY {key_list}
    ),
    per_day AS (
        SELECT {key_list}, day, count(*) AS n FROM items GROUP BY {key_list}, day
    ),
    days AS (
        SELECT {key_list}, max(n) AS busiest_day, count(*) FILTER (WHERE n >= {p["spam_per_day"]}) AS busy_days
        FROM per_day GROUP BY {key_list}
    ),
    audience AS (
        SELECT {key_list}, {audience_sql} FROM {source} GROUP BY {key_list}
    )
    SELECT * FROM audience
    LEFT JOIN sums USING ({key_list}) LEFT JOIN days USING ({key_list})
    """


class Steps:
    """Seconds per step, for the breakdown the benchmark prints."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.last = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = self.times.get(name, 0.0) + now - self.last
        self.last = now


def run_workload(
    path: str, out: Path, p: dict[str, Any], *, threads: int | None = None, features_only: bool = False
) -> dict[str, Any]:
    """The workload on the CSV at `path`, its results written to Parquet files in `out`; with
    `features_only`, only reading, the window and the features (the engine study's part)."""
    import duckdb

    steps = Steps()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {threads}")
    header = con.execute(f"SELECT * FROM read_csv({_text(path)}, all_varchar = true, header = true) LIMIT 0")
    header_names = [column[0] for column in header.description]
    present = set(header_names)

    def column(name: str, default: str = "NULL") -> str:
        return name if name in present else f"{default}::VARCHAR"

    # -- reading and validating every cell -------------------------------------------------
    numbers = [name for name in (*COUNTS, *AUDIENCE) if name in present]
    types = (
        "{" + ", ".join(f"{_text(name)}: {'DOUBLE' if name in numbers else 'VARCHAR'}" for name in header_names) + "}"
    )
    source = f"read_csv({_text(path)}, header = true, columns = {types})"
    stamp = f"trim(coalesce({column('timestamp')}, ''))"
    kind = f"coalesce(nullif(lower(trim(coalesce({column('kind')}, ''))), ''), 'post')"
    con.execute(f"""
        CREATE TEMP TABLE checked AS
        SELECT {_clean_name(column("account"))} AS account,
               {stamp} AS raw_time,
               try_cast({stamp} AS TIMESTAMPTZ) AS ts,
               coalesce(nullif(lower(trim(coalesce({column("platform")}, ''))), ''), 'default') AS platform,
               {kind} AS kind,
               trim(coalesce({column("post_id")}, '')) AS post_id,
               {_clean_name(column("target"))} AS target,
               {", ".join(f"coalesce({column(name)}::DOUBLE, 0) AS {name}" for name in COUNTS)},
               {", ".join(f"{column(name)}::DOUBLE AS {name}" for name in AUDIENCE)},
               coalesce({column("topics")}, '') AS topics,
               coalesce({column("text")}, '') AS text,
               {" OR ".join(_count_checks(name) for name in numbers) or "false"} AS bad_count
        FROM {source}
    """)
    bad = con.execute(f"""
        SELECT count(*) FILTER (WHERE account = ''),
               count(*) FILTER (WHERE raw_time = '' OR NOT regexp_full_match(raw_time, {_text(COMPLETE_ISO)})
                                OR ts IS NULL OR ts < '1900-01-01'::TIMESTAMPTZ OR ts >= '2200-01-01'::TIMESTAMPTZ),
               count(*) FILTER (WHERE kind NOT IN {KINDS}),
               count(*) FILTER (WHERE kind IN {NEEDS_TARGET} AND target = ''),
               count(*) FILTER (WHERE bad_count),
               count(*)
        FROM checked
    """).fetchall()[0]
    if any(bad[:5]):
        raise SystemExit(f"{path}: bad rows (account, timestamp, kind, target, counts): {bad[:5]}")
    rows_read = bad[5]
    steps.done("read")

    # -- display spellings on case-insensitive platforms -----------------------------------
    con.execute(f"""
        CREATE TEMP TABLE respelt AS
        WITH spelt AS (
            SELECT platform, name, count(*) AS n FROM (
                SELECT platform, account AS name FROM checked
                UNION ALL SELECT platform, target FROM checked WHERE target <> ''
            ) WHERE platform IN {CASE_INSENSITIVE} GROUP BY ALL
        ),
        shown AS (
            SELECT platform, lower(name) AS folded, arg_min(name, struct_pack(n := -n, name := name)) AS display
            FROM spelt GROUP BY ALL
        )
        SELECT s.platform, s.name, h.display FROM spelt s JOIN shown h
        ON s.platform = h.platform AND lower(s.name) = h.folded WHERE s.name <> h.display
    """)
    respelt = con.execute("SELECT count(*) FROM respelt").fetchall()[0]
    rows = "checked"
    if respelt and respelt[0]:
        con.execute("""
            CREATE TEMP TABLE spelt_rows AS
            SELECT c.* REPLACE (coalesce(a.display, c.account) AS account, coalesce(t.display, c.target) AS target)
            FROM checked c
            LEFT JOIN respelt a ON a.platform = c.platform AND a.name = c.account
            LEFT JOIN respelt t ON t.platform = c.platform AND t.name = c.target
        """)
        rows = "spelt_rows"
    steps.done("names")

    # -- duplicates, window and decay ------------------------------------------------------
    # only rows whose post id (or, without one, whose account and time) repeats can be copies:
    # those are grouped on every key, the others pass as they are (as kscore rules them out)
    merged_topics = (
        "CASE WHEN count(*) = 1 THEN any_value(topics) ELSE array_to_string(list_sort(list_distinct("
        "list_filter(flatten(list(string_split(topics, ';'))), lambda x: trim(x) <> ''))), ';') END"
    )
    maxima = ", ".join(f"max({name}) AS {name}" for name in (*COUNTS, *AUDIENCE))
    columns = f"account, platform, kind, post_id, target, ts, {', '.join((*COUNTS, *AUDIENCE))}, topics, text"
    con.execute(f"""
        CREATE TEMP TABLE repeated_ids AS
        SELECT post_id FROM {rows} WHERE post_id <> '' GROUP BY post_id HAVING count(*) > 1
    """)
    con.execute(f"""
        CREATE TEMP TABLE repeated_moments AS
        SELECT account, ts FROM {rows} WHERE post_id = '' GROUP BY account, ts HAVING count(*) > 1
    """)
    copy = (
        "(post_id IN (SELECT post_id FROM repeated_ids) OR (post_id = '' AND (account, ts) IN "
        "(SELECT (account, ts) FROM repeated_moments)))"
    )
    con.execute(f"""
        CREATE TEMP VIEW uniq AS
        SELECT {columns}, 1 AS copies FROM {rows} WHERE NOT {copy}
        UNION ALL BY NAME
        SELECT account, platform, kind, post_id, target, min(ts) AS ts, {maxima}, {merged_topics} AS topics,
               max(text) AS text, count(*) AS copies
        FROM {rows} WHERE {copy} AND post_id <> '' GROUP BY account, platform, kind, post_id, target
        UNION ALL BY NAME
        SELECT account, platform, kind, '' AS post_id, target, ts, {maxima}, topics, text, count(*) AS copies
        FROM {rows} WHERE {copy} AND post_id = '' GROUP BY account, platform, ts, kind, target, text, topics
    """)
    as_of, merged = con.execute("SELECT max(ts), count(*) FILTER (WHERE copies > 1) FROM uniq").fetchall()[0]
    moment = f"'{as_of.isoformat()}'::TIMESTAMPTZ"
    con.execute(f"""
        CREATE TEMP TABLE win AS
        SELECT *, epoch({moment} - ts) / 86400 AS age, pow(0.5, epoch({moment} - ts) / 86400 / {p["half_life_days"]})
               AS decay, floor(epoch(ts) / 86400)::BIGINT AS day  -- calendar days in UTC, the default model's zone
        FROM uniq WHERE ts <= {moment} AND ts >= {moment} - to_microseconds({round(p["window_days"] * 86400e6)})
    """)
    con.execute("""
        CREATE TEMP TABLE dormant AS
        SELECT account, platform, max(ts) AS last_active FROM uniq
        WHERE (account, platform) NOT IN (SELECT DISTINCT account, platform FROM win) GROUP BY ALL
    """)
    con.execute("DROP VIEW uniq; DROP TABLE IF EXISTS spelt_rows; DROP TABLE checked")
    steps.done("window")

    # -- per (account, platform) -----------------------------------------------------------
    con.execute(f"CREATE TEMP TABLE features AS {features_sql('win', ['account', 'platform'], p, audience=True)}")
    steps.done("accounts")

    # -- topics: each own item with each of its topics, then per (account, platform, topic)
    aliases = (
        "map {" + ", ".join(f"{_text(raw)}: {_text(topic)}" for raw, topic in p["aliases"].items()) + "}"
        if p["aliases"]
        else "NULL"
    )
    ignored = "[" + ", ".join(_text(name) for name in p["ignore"]) + "]"
    written = "lower(trim(ltrim(trim(raw), '#')))"
    con.execute(f"""
        CREATE TEMP TABLE tagged AS
        WITH cells AS (  -- each distinct (topics, text) tagged once, as kscore does
            SELECT DISTINCT topics, text FROM win WHERE kind IN {OWN} AND (topics <> '' OR contains(text, '#'))
        ),
        raw AS (
            SELECT topics, text, unnest(list_concat(string_split(topics, ';'),
                                                    regexp_extract_all(text, {_text(HASHTAG)}, 1))) AS raw
            FROM cells
        ),
        resolved AS (
            SELECT DISTINCT topics, text, coalesce({aliases}[{written}], {written}) AS topic, {written} AS written
            FROM raw WHERE trim(raw) <> ''
        )
        SELECT w.*, r.topic FROM win w JOIN resolved r USING (topics, text)
        WHERE w.kind IN {OWN} AND r.topic <> '' AND NOT list_contains({ignored}, r.topic)
              AND NOT list_contains({ignored}, r.written)
    """)
    con.execute(
        "CREATE TEMP TABLE topic_features AS "
        + features_sql("tagged", ["account", "platform", "topic"], p, audience=False)
    )
    endorsed = con.execute("""
        SELECT count(*) FROM (
            SELECT account, target, platform, unnest(string_split(topics, ';')) AS topic, decay FROM win
            WHERE kind = 'endorse' AND target <> ''
        ) WHERE trim(topic) <> ''
    """).fetchall()[0]
    steps.done("topics")
    if features_only:
        sizes = con.execute("SELECT (SELECT count(*) FROM features), (SELECT count(*) FROM topic_features)").fetchall()
        return {"steps": steps.times, "accounts": sizes[0][0], "topic_scores": sizes[0][1]}

    # -- the network ------------------------------------------------------------------------
    weighted = {kind: weight for kind, weight in p["interactions"].items() if weight > 0}
    weight_of = "CASE kind " + " ".join(f"WHEN {_text(k)} THEN {w}" for k, w in weighted.items()) + " END"
    engaging = "(" + ", ".join(_text(kind) for kind in weighted) + ")"
    con.execute(f"""
        CREATE TEMP TABLE pairs AS
        SELECT account AS source, target, platform, sum({weight_of} * decay) AS weight
        FROM win WHERE target <> '' AND kind IN {engaging} AND account <> target
        GROUP BY account, target, platform
    """)
    con.execute("""
        CREATE TEMP TABLE nodes AS
        SELECT row_number() OVER (ORDER BY name, platform) - 1 AS node, name, platform FROM (
            SELECT source AS name, platform FROM pairs UNION SELECT target, platform FROM pairs
            UNION SELECT account, platform FROM features UNION SELECT account, platform FROM dormant
        )
    """)
    cap, curve = p["engagement_cap"], p["engagement_curve"]
    reach_cap, reach_curve = p["reach_cap"], p["reach_curve"]
    per_item = f"f.capped_engagement / (f.weighted_items + {p['prior_items']})"
    con.execute(f"""
        CREATE TEMP TABLE base AS
        SELECT n.node, coalesce(least(1.0,
               pow(least(1.0, ln(1 + greatest(0, {per_item})) / ln(1 + {cap})), {curve})
               + {p["audience_trust"]} * pow(least(1.0, ln(1 + coalesce(f.followers, 0)) / ln(1 + {reach_cap})),
                                              {reach_curve})), 0) AS base,
               f.followers IS NOT NULL AS known_audience
        FROM nodes n LEFT JOIN features f ON f.account = n.name AND f.platform = n.platform
    """)
    con.execute(f"""
        CREATE TEMP TABLE edges AS
        WITH numbered AS (
            SELECT s.node AS source, t.node AS target, q.weight
            FROM pairs q JOIN nodes s ON s.name = q.source AND s.platform = q.platform
            JOIN nodes t ON t.name = q.target AND t.platform = q.platform
        ),
        marked AS (
            SELECT a.*, b.source IS NOT NULL AS reciprocal FROM numbered a
            LEFT JOIN numbered b ON b.source = a.target AND b.target = a.source
        )
        SELECT *, weight / sum(weight) OVER (PARTITION BY source)
                  * CASE WHEN reciprocal THEN {p["reciprocal_discount"]} ELSE 1 END AS flow
        FROM marked
    """)
    damping = p["damping"]
    con.execute(f"CREATE TEMP TABLE trust_0 AS SELECT node, {1 - damping} * base AS trust FROM base")
    for round_ in range(p["iterations"]):  # every round, as kscore runs them (no early stop)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE trust_{(round_ + 1) % 2} AS
            SELECT b.node, {1 - damping} * b.base + {damping} * coalesce(s.flowed, 0) AS trust
            FROM base b LEFT JOIN (
                SELECT e.target, sum(t.trust * e.flow) AS flowed FROM edges e JOIN trust_{round_ % 2} t
                ON t.node = e.source GROUP BY e.target
            ) s ON s.target = b.node
        """)
    trust = f"trust_{p['iterations'] % 2}"
    con.execute(f"""
        CREATE TEMP TABLE received AS
        SELECT e.target AS node, count(*) AS engagers, sum(e.weight) AS incoming,
               sum(e.weight * least(t.trust, 1) * CASE WHEN e.reciprocal THEN {p["reciprocal_discount"]} ELSE 1 END)
                   AS network,
               coalesce(sum(e.weight) FILTER (WHERE t.trust < {p["bot_trust"]} AND b.known_audience), 0) AS from_bots,
               coalesce(sum(e.weight) FILTER (WHERE e.reciprocal), 0) AS from_ring,
               count(*) FILTER (WHERE e.reciprocal) AS ring_size
        FROM edges e JOIN {trust} t ON t.node = e.source JOIN base b ON b.node = e.source
        GROUP BY e.target
    """)
    con.execute("""
        CREATE TEMP TABLE density AS
        WITH partners AS (
            SELECT target AS node, source AS partner,
                   row_number() OVER (PARTITION BY target ORDER BY weight DESC, source) AS place
            FROM edges WHERE reciprocal
        ),
        kept AS (SELECT * FROM partners WHERE place <= 64),
        sizes AS (SELECT node, count(*) AS size FROM kept GROUP BY node HAVING count(*) >= 2),
        linked AS (SELECT DISTINCT least(source, target) AS low, greatest(source, target) AS high
                   FROM edges WHERE reciprocal)
        SELECT a.node, count(l.low) / any_value(s.size * (s.size - 1) / 2) AS ring_density
        FROM kept a JOIN kept b ON a.node = b.node AND a.partner < b.partner JOIN sizes s ON s.node = a.node
        LEFT JOIN linked l ON l.low = a.partner AND l.high = b.partner
        GROUP BY a.node
    """)
    steps.done("network")

    # -- top items, then everything to Parquet ---------------------------------------------
    a = p["actions"]
    con.execute(f"""
        CREATE TEMP TABLE top_items AS
        SELECT * EXCLUDE (place) FROM (
            SELECT account, platform, post_id, strftime(ts, '%Y-%m-%dT%H:%M:%S%z') AS timestamp, kind,
                   {", ".join(COUNTS)}, weighted_engagement, weighted_engagement * decay AS counted,
                   left(text, 120) AS text,
                   row_number() OVER (PARTITION BY account, platform
                                      ORDER BY weighted_engagement * decay DESC, age, post_id) AS place
            FROM (SELECT *, {" + ".join(f"{name} * {a[name]}" for name in COUNTS)} AS weighted_engagement
                  FROM win WHERE kind IN {OWN})
        ) WHERE place <= 3 AND counted > 0
    """)
    steps.done("top items")
    out.mkdir(parents=True, exist_ok=True)
    con.execute(f"""
        COPY (
            SELECT f.*, coalesce(r.engagers, 0) AS engagers, coalesce(r.incoming, 0) AS incoming,
                   coalesce(r.network, 0) AS network,
                   coalesce(r.from_bots / nullif(r.incoming, 0), 0) AS bot_share,
                   coalesce(r.from_ring / nullif(r.incoming, 0), 0) AS ring_share,
                   coalesce(r.ring_size, 0) AS ring_size, coalesce(d.ring_density, 0) AS ring_density,
                   t.trust
            FROM (SELECT * FROM features UNION ALL BY NAME SELECT account, platform, last_active FROM dormant) f
            JOIN nodes n ON n.name = f.account AND n.platform = f.platform
            LEFT JOIN received r ON r.node = n.node LEFT JOIN density d ON d.node = n.node
            LEFT JOIN {trust} t ON t.node = n.node
            ORDER BY account, platform
        ) TO {_text(str(out / "accounts.parquet"))} (FORMAT parquet)
    """)
    con.execute(f"COPY topic_features TO {_text(str(out / 'topics.parquet'))} (FORMAT parquet)")
    con.execute(f"COPY top_items TO {_text(str(out / 'top_items.parquet'))} (FORMAT parquet)")
    steps.done("parquet")
    counted = con.execute("""
        SELECT (SELECT count(*) FROM features), (SELECT count(*) FROM dormant), (SELECT count(*) FROM topic_features),
               (SELECT count(*) FROM pairs), (SELECT count(*) FROM edges WHERE reciprocal),
               (SELECT count(*) FROM win)
    """).fetchall()[0]
    accounts, dormant, topics, pairs, reciprocal, kept = counted
    return {
        "steps": steps.times,
        "rows": rows_read,
        "rows_kept": kept,
        "accounts": accounts + dormant,
        "topic_scores": topics,
        "pairs": pairs,
        "reciprocal": reciprocal,
        "merged_items": merged,
        "endorsements": endorsed[0] if endorsed else 0,
        "written": sum(item.stat().st_size for item in out.iterdir()),
    }
