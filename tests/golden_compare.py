"""Golden files of numbers that numpy worked out: compared to about 1e-12 relative.

numpy takes different paths on different CPUs (AVX-512 among them) and rounds the last digit
differently; the pure core's goldens stay exact (tests/core/test_breakdown_golden.py).
"""

from __future__ import annotations

import math
from typing import Any

RELATIVE = 1e-12
#: Points are on a 0-100 scale: a difference of two equal sums can leave a few 1e-15 behind.
ABSOLUTE = 1e-12


def differences(found: Any, expected: Any, path: str = "") -> list[str]:
    """Where `found` differs from `expected`: text, ints, keys and lengths exactly; floats to
    RELATIVE (ABSOLUTE near 0)."""
    if isinstance(found, float) or isinstance(expected, float):
        if isinstance(found, bool) or isinstance(expected, bool) or not isinstance(found, (int, float)):
            return [f"{path}: {found!r} != {expected!r}"]
        if not isinstance(expected, (int, float)):
            return [f"{path}: {found!r} != {expected!r}"]
        if math.isclose(found, expected, rel_tol=RELATIVE, abs_tol=ABSOLUTE):
            return []
        return [f"{path}: {found!r} != {expected!r}"]
    if isinstance(found, dict) and isinstance(expected, dict):
        if found.keys() != expected.keys():
            return [f"{path}: keys {sorted(found)} != {sorted(expected)}"]
        return [problem for key in found for problem in differences(found[key], expected[key], f"{path}.{key}")]
    if isinstance(found, list) and isinstance(expected, list):
        if len(found) != len(expected):
            return [f"{path}: {len(found)} entries != {len(expected)}"]
        return [
            problem
            for index, (one, other) in enumerate(zip(found, expected))
            for problem in differences(one, other, f"{path}[{index}]")
        ]
    if type(found) is not type(expected) or found != expected:
        return [f"{path}: {found!r} != {expected!r}"]
    return []
