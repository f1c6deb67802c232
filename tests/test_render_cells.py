"""The renderers' fast cell formatter says exactly what the general one says, for any value in
any column, so a ranking of a million accounts prints what a ranking of ten does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from klout_cli import render

COLUMNS = sorted({*render.DECIMALS, *render.INTEGER_COLUMNS, "account", "flags", "style", "when"})
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_infinity=False),
    st.floats(min_value=-1e6, max_value=1e6).map(lambda value: round(value, 3)),
    st.text(),
)


@given(column=st.sampled_from(COLUMNS), value=VALUES, human=st.booleans())
def test_the_fast_cell_is_the_general_cell(column, value, human):
    try:
        expected = render._text(column, value, human=human)
    except OverflowError:  # a float too large for an int in a count column: both refuse
        return
    assert render.cell_text(column, human=human)(value) == expected


@given(rows=st.lists(st.fixed_dictionaries({"account": st.text(), "score": VALUES, "items": VALUES}), max_size=30))
def test_csv_has_one_line_per_row_whatever_the_cells(rows):
    for fmt in ("csv", "tsv"):
        lines = list(render.lines(rows, ["account", "score", "items"], fmt))
        assert len(lines) == len(rows) + 1
