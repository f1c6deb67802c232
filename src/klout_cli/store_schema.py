"""The run store's tables: the schema of a new store, and how an older one is brought up to date."""

from __future__ import annotations

SCHEMA_VERSION = 5
#: The page size of a new store (a store keeps the one it was made with): chosen when a run kept
#: worded breakdowns of about 2 KB; with packed numbers 4 KB pages do as well (see BENCHMARKS.md).
PAGE_BYTES = 16384
#: Topic scores, kept in the order they are read (a topic's best first) and found by account;
#: a store made before version 5 keeps them keyed by account and platform, with an index of
#: that order beside them (the same queries answer from both).
TOPIC_SCHEMA = """
CREATE TABLE topic_scores (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    topic TEXT NOT NULL,
    position INTEGER NOT NULL,
    account TEXT NOT NULL,
    platform TEXT NOT NULL,
    score REAL NOT NULL,
    items INTEGER NOT NULL,
    subscores TEXT NOT NULL,
    breakdown TEXT NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (run_id, topic, position)
) WITHOUT ROWID;
CREATE INDEX topic_scores_by_account ON topic_scores (run_id, account);
"""
#: How a store of each older version is brought up to date, in one transaction.
MIGRATIONS = {
    1: "ALTER TABLE runs ADD COLUMN medians TEXT NOT NULL DEFAULT '{}';",
    2: "ALTER TABLE scores ADD COLUMN flags TEXT NOT NULL DEFAULT '';",
    3: "ALTER TABLE scores ADD COLUMN style TEXT NOT NULL DEFAULT '';" + TOPIC_SCHEMA,
    # the tables stay: a run saved from version 5 on keeps, in `subscores` and `breakdown`, blobs
    # of packed numbers (see packing.py) where earlier runs keep JSON text; an older kscore
    # must not read them
    4: "",
}
SCHEMA = (
    """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    model_name TEXT NOT NULL,
    model_source TEXT NOT NULL,
    model_hash TEXT NOT NULL,
    model_text TEXT NOT NULL,
    model_json TEXT NOT NULL,
    signals TEXT NOT NULL,
    relative INTEGER NOT NULL,
    combine INTEGER NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_kept INTEGER NOT NULL,
    rows_left_out TEXT NOT NULL,
    accounts INTEGER NOT NULL,
    medians TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE inputs (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    PRIMARY KEY (run_id, position)
);
CREATE TABLE scores (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    position INTEGER NOT NULL,
    account TEXT NOT NULL,
    platform TEXT NOT NULL,
    score REAL NOT NULL,
    items INTEGER NOT NULL,
    followers REAL,
    subscores TEXT NOT NULL,
    breakdown TEXT NOT NULL,
    flags TEXT NOT NULL DEFAULT '',
    style TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, account, platform)
);
CREATE UNIQUE INDEX scores_in_order ON scores (run_id, position);
"""
    + TOPIC_SCHEMA
)
