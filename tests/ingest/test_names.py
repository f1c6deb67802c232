"""Account names: one rule (trim, NFC, one leading @, case on case-insensitive platforms) on
every reader path, the pure function and its vectorised version agreeing."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any
from unittest import mock

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klout_cli.compute import compute_run
from klout_cli.ingest import read as read_module
from klout_cli.ingest import spill as spill_module
from klout_cli.ingest.names import (
    apply_display,
    clean_names,
    count_spellings,
    display_names,
    name_keys,
    respellings,
)
from klout_cli.ingest.schema import CASE_INSENSITIVE, choose_display, clean_name, name_key, resolve_account
from klout_cli.modelfile import load_model
from tests.ingest.helpers import csv_text

PIECES = ["a", "B", "é", "e\u0301", "@", " ", "\t", "ß", "İ", "\u202e", "ǅ", "x", "_", "\u0301", "\u2003", "ﬁ"]
NAME_TEXT = st.one_of(st.lists(st.sampled_from(PIECES), max_size=8).map("".join), st.text(max_size=6))
PLATFORMS = st.sampled_from(["twitter", "x", "instagram", "linkedin", "youtube", "default", "mastodon"])


@given(st.lists(NAME_TEXT, max_size=20))
def test_the_vectorised_clean_agrees_with_the_pure_one(names: list[str]) -> None:
    assert clean_names(pd.Series(names, dtype=object)).tolist() == [clean_name(name) for name in names]


@given(st.lists(st.tuples(NAME_TEXT, PLATFORMS), max_size=20))
def test_the_vectorised_key_agrees_with_the_pure_one(pairs: list[tuple[str, str]]) -> None:
    names = pd.Series([name for name, _ in pairs], dtype=object)
    platforms = pd.Series([platform for _, platform in pairs], dtype=object)
    assert name_keys(names, platforms).tolist() == [name_key(name, platform) for name, platform in pairs]


@settings(max_examples=50)
@given(st.lists(st.sampled_from(["Ana", "ana", "ANA", "aNa"]), min_size=1, max_size=12))
def test_the_shown_spelling_is_the_most_frequent_then_the_first_sorted(spellings: list[str]) -> None:
    frame = pd.DataFrame({"account": spellings, "platform": "twitter", "target": ""})
    counted = count_spellings(frame)
    assert display_names(counted) == {("twitter", "ana"): choose_display(spellings)}
    display = respellings(counted)
    assert set(display) == {("twitter", spelling) for spelling in spellings if spelling != choose_display(spellings)}
    assert count_spellings(frame)["rows"].sum() == len(spellings)
    counts = {spelling: spellings.count(spelling) for spelling in spellings}
    best = max(counts.values())
    assert choose_display(spellings) == min(spelling for spelling, count in counts.items() if count == best)
    assert set(apply_display(frame, display)["account"]) == {choose_display(spellings)}


def test_the_rule() -> None:
    assert clean_name("  @ana ") == "ana"
    assert clean_name("@@ana") == "@ana"  # one @ only
    assert clean_name("Jose\u0301") == "José" == unicodedata.normalize("NFC", "José")
    assert clean_name("a\u202eb") == "a\u202eb"  # bidi characters stay: the renderer escapes them
    assert name_key("Ana", "twitter") == name_key("@ANA", "twitter") == "ana"
    assert name_key("Ana", "linkedin") == "Ana" != name_key("ana", "linkedin")
    assert {"twitter", "x", "instagram", "tiktok", "threads", "bluesky", "mastodon"} == CASE_INSENSITIVE


def test_lookups_resolve_to_the_shown_spelling() -> None:
    known = [("realDonaldTrump", "twitter"), ("Bob", "linkedin"), ("bob", "youtube")]
    assert resolve_account("realdonaldtrump", known) == "realDonaldTrump"
    assert resolve_account(" @REALDONALDTRUMP", known) == "realDonaldTrump"
    assert resolve_account("BOB", known) == "BOB"  # case-sensitive platforms: not found
    assert resolve_account("bob", known) == "bob"
    assert resolve_account("@Bob", known, "linkedin") == "Bob"


ROWS: list[dict[str, Any]] = [
    {"account": " ana ", "timestamp": "2024-03-01T10:00:00Z", "platform": "twitter", "post_id": "1", "likes": 5},
    {"account": "@Ana", "timestamp": "2024-03-02T10:00:00Z", "platform": "twitter", "post_id": "2", "likes": 7},
    {"account": "Ana", "timestamp": "2024-03-03T10:00:00Z", "platform": "twitter", "post_id": "3", "likes": 9},
    {"account": "ANA", "timestamp": "2024-03-04T10:00:00Z", "platform": "Twitter", "post_id": "4", "likes": 1},
    {"account": "José", "timestamp": "2024-03-01T10:00:00Z", "platform": "linkedin", "post_id": "5", "likes": 3},
    {"account": "Jose\u0301", "timestamp": "2024-03-02T10:00:00Z", "platform": "linkedin", "post_id": "6"},
    {"account": "Bob", "timestamp": "2024-03-01T10:00:00Z", "platform": "linkedin", "post_id": "7", "likes": 2},
    {"account": "bob", "timestamp": "2024-03-02T10:00:00Z", "platform": "linkedin", "post_id": "8", "likes": 4},
    {
        "account": "bob",
        "timestamp": "2024-03-03T10:00:00Z",
        "platform": "twitter",
        "kind": "like",
        "target": "@Ana",
    },
]


def _scores(path: Path, parts: int, careful: bool) -> dict[tuple[str, str], float]:
    patches = []
    if careful:
        patches = [
            mock.patch.object(read_module, "_read_fast", lambda *args, **kwargs: None),
            mock.patch.object(spill_module, "_stream", lambda *args, **kwargs: False),
        ]
    for patch in patches:
        patch.start()
    try:
        result = compute_run([str(path)], load_model(), parts=parts)
    finally:
        for patch in patches:
            patch.stop()
    return {(score.account, score.platform): round(score.score, 9) for _, score in result.ranked}


@pytest.mark.parametrize("parts", [1, 3])
@pytest.mark.parametrize("careful", [False, True])
def test_every_reader_path_names_the_accounts_the_same(tmp_path: Path, parts: int, careful: bool) -> None:
    path = tmp_path / "names.csv"
    path.write_text(csv_text(ROWS), encoding="utf-8")
    scores = _scores(path, parts, careful)
    assert sorted(scores) == [
        ("Ana", "twitter"),  # " ana ", "@Ana" and "Ana" are Ana; ANA too: Ana is the most frequent
        ("Bob", "linkedin"),  # linkedin keeps case: Bob and bob are two accounts
        ("José", "linkedin"),  # NFC and NFD are one account
        ("bob", "linkedin"),
        ("bob", "twitter"),
    ]
    assert scores == _scores(path, 1, False)
