"""The tolerant golden comparison tells a last-digit difference from a real one."""

from __future__ import annotations

from tests.golden_compare import differences


def test_last_digit_differences_pass_and_real_ones_fail():
    golden = {"score": 77.4195939163167, "detail": "38,000 followers", "items": 89, "parts": [0.1, -0.0]}
    assert differences({**golden, "score": 77.41959391631672, "parts": [0.1 + 1e-17, -3.5e-15]}, golden) == []
    assert differences({**golden, "score": 77.4195939164}, golden)
    assert differences({**golden, "detail": "38,001 followers"}, golden)
    assert differences({**golden, "items": 90}, golden)
    assert differences({**golden, "items": 89.0}, golden) == []  # JSON keeps 89.0 apart only in text
    assert differences({**golden, "parts": [0.1]}, golden)
    assert differences({**golden, "extra": 1}, golden)
