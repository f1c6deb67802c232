"""`canonical_order` sorts only the rows that tie on key and age, and gives np.lexsort's order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from klout_cli.ingest.aggregate import canonical_order

#: Few distinct values, so keys, ages and counts tie often; ages include NaN and -0.0.
AGES = st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.25, float("nan")])
COUNTS = st.sampled_from([0.0, 1.0, 2.0, 3.0])


@st.composite
def columns(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    size = draw(st.integers(0, 60))
    keys = np.array(draw(st.lists(st.integers(0, 4), min_size=size, max_size=size)), dtype=np.int64)
    age = np.array(draw(st.lists(AGES, min_size=size, max_size=size)), dtype=np.float64)
    then = [
        np.array(draw(st.lists(COUNTS, min_size=size, max_size=size)), dtype=np.float64)
        for _ in range(draw(st.integers(0, 5)))
    ]
    return keys, age, then


@settings(max_examples=400)
@given(columns())
def test_the_order_is_lexsorts(found: tuple[np.ndarray, np.ndarray, list[np.ndarray]]) -> None:
    keys, age, then = found
    expected = np.lexsort((*reversed(then), age, keys))
    assert canonical_order(keys, age, *then).tolist() == expected.tolist()


def test_ties_are_sorted_by_the_rest_and_then_by_position() -> None:
    keys = np.array([1, 0, 1, 1, 0, 1])
    age = np.array([2.0, 5.0, 2.0, 1.0, 5.0, 2.0])
    likes = np.array([9.0, 1.0, 3.0, 0.0, 1.0, 3.0])
    # key 0: rows 1 and 4 tie on everything (position decides); key 1: row 3 is newest, then
    # rows 0, 2, 5 share an age and go by likes, 2 before 5 by position
    assert canonical_order(keys, age, likes).tolist() == [1, 4, 3, 2, 5, 0]
