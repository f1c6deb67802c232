"""Network signals: distinct engagers, recursive trust, bots, indiscriminate engagers, pods."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from klout_cli.core import AccountFeatures, Model
from tests.ingest.helpers import network_features

AS_OF = datetime(2024, 6, 30, tzinfo=timezone.utc)
WHEN = "2024-06-20T12:00:00Z"


def post(account: str, likes: int = 0, followers: int = 1000) -> dict[str, object]:
    return {"account": account, "timestamp": WHEN, "kind": "post", "likes": likes, "followers": followers}


def engage(account: str, target: str, kind: str = "like") -> dict[str, object]:
    return {"account": account, "timestamp": WHEN, "kind": kind, "target": target}


def network_of(tmp_path: Path, model: Model, rows: list[dict[str, object]]) -> dict[str, AccountFeatures]:
    return network_features(tmp_path, model, rows, AS_OF)


# credible people: they post and people react to them
PEOPLE = [post(name, likes=80) for name in ("ann", "ben", "cat")]


def test_engagement_from_credible_accounts_counts_and_from_bots_hardly_at_all(tmp_path: Path, model: Model) -> None:
    rows = [*PEOPLE, post("star"), post("fake")]
    rows += [engage(name, "star") for name in ("ann", "ben", "cat")]
    rows += [{**engage(f"bot{n}", "fake"), "followers": 0} for n in range(3)]  # no posts, no audience: bots
    found = network_of(tmp_path, model, rows)
    star, fake = found["star"], found["fake"]
    assert star.engagers == fake.engagers == 3
    assert star.network > 0.1
    assert fake.network < star.network / 100
    assert (star.bot_share, fake.bot_share) == (0.0, 1.0)


def test_each_engagement_counts_by_its_givers_trust_whoever_else_it_engages(tmp_path: Path, model: Model) -> None:
    """network sums each engagement times its giver's trust (at most 1): credibility is the
    average trust of who engaged (network / incoming). A credible person's like counts as such
    however many others they like; an indiscriminate engager passes less trust on in the
    recursion (its trust is split over its targets), so its own engagers count for less."""
    rows = [*PEOPLE, post("focus"), post("crowd")]
    rows += [engage("ann", "focus")]
    rows += [engage("ben", "crowd")] + [engage("ben", f"other{n}") for n in range(30)]
    found = network_of(tmp_path, model, rows)
    assert found["focus"].network == pytest.approx(found["crowd"].network)
    assert 0 < found["focus"].network <= found["focus"].incoming


def test_self_engagement_is_ignored(tmp_path: Path, model: Model) -> None:
    rows = [*PEOPLE, post("vain", likes=5), engage("vain", "vain"), engage("vain", "vain", "share")]
    vain = network_of(tmp_path, model, rows)["vain"]
    assert (vain.engagers, vain.incoming, vain.network) == (0, 0.0, 0.0)


def test_engagement_traded_back_and_forth_counts_far_less_than_one_way(tmp_path: Path, model: Model) -> None:
    rows = [*PEOPLE, post("pal"), post("fan")]
    rows += [engage("ann", "pal"), engage("pal", "ann")]  # ann and pal engage each other
    rows += [engage("ben", "fan")]  # ben engages fan, one way
    found = network_of(tmp_path, model, rows)
    assert found["pal"].ring_size == 1 and found["pal"].ring_share == 1.0
    assert found["fan"].ring_size == 0
    assert found["pal"].network < 0.5 * found["fan"].network


def ring_rows() -> list[dict[str, object]]:
    rows = [*PEOPLE, post("star")]
    rows += [engage(a, b) for a in ("ann", "ben", "cat") for b in ("ann", "ben", "cat", "star") if a != b]
    rows += [engage("star", "ann", "share"), engage("dan", "star"), post("dan", likes=3)]
    return rows


def test_the_recursion_settles(tmp_path: Path, model: Model) -> None:
    settled = network_of(tmp_path, model, ring_rows())
    longer = replace(model, network=replace(model.network, iterations=400))
    again = network_of(tmp_path, longer, ring_rows())
    for name, item in settled.items():
        assert item.network == pytest.approx(again[name].network, rel=1e-6, abs=1e-9)


def test_row_order_does_not_matter(tmp_path: Path, model: Model) -> None:
    rows = ring_rows()
    expected = network_of(tmp_path, model, rows)
    for seed in range(3):
        shuffled = list(rows)
        random.Random(seed).shuffle(shuffled)
        assert network_of(tmp_path, model, shuffled) == expected


def test_accounts_that_never_reach_an_account_do_not_change_it(tmp_path: Path, model: Model) -> None:
    before = network_of(tmp_path, model, ring_rows())["star"]
    unrelated = [post("zed", likes=900), post("yan"), engage("zed", "yan"), engage("yan", "zed"), engage("yan", "eve")]
    after = network_of(tmp_path, model, ring_rows() + unrelated)["star"]
    assert after == before
    upstream = network_of(tmp_path, model, [*ring_rows(), post("zed", likes=900), engage("zed", "ann")])["star"]
    assert upstream.network > before.network  # zed engaging one of star's engagers does reach star


def test_fans_whose_audience_the_input_never_gave_are_not_bots(tmp_path: Path, model: Model) -> None:
    author = [post("author", likes=40, followers=3000) for _ in range(5)]
    fans = [{**engage(f"fan{n}", "author"), "followers": ""} for n in range(15)]
    found = network_of(tmp_path, model, author + fans)
    assert found["author"].engagers == 15 and found["author"].bot_share == 0.0
    bots = [{**engage(f"bot{n}", "author"), "followers": 0} for n in range(15)]
    assert network_of(tmp_path, model, author + bots)["author"].bot_share == 1.0


def test_an_interaction_kind_weighted_zero_is_no_engagement(tmp_path: Path, model: Model) -> None:
    quiet = replace(model, network=replace(model.network, interactions={**model.network.interactions, "mention": 0.0}))
    rows = [*PEOPLE, post("a"), engage("ann", "a", "mention"), engage("ben", "a", "like")]
    found = network_of(tmp_path, quiet, rows)["a"]
    assert found.engagers == 1 and found.network == found.network  # one engager, and no NaN
    assert 0 < found.network < 1


def test_one_post_mentioning_two_people_reaches_both(tmp_path: Path, model: Model) -> None:
    rows = [*PEOPLE, post("a"), post("b")]
    rows += [{**engage("ann", "a", "mention"), "post_id": "m1"}, {**engage("ann", "b", "mention"), "post_id": "m1"}]
    found = network_of(tmp_path, model, rows)
    assert found["a"].engagers == found["b"].engagers == 1
