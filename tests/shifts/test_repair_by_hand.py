"""Completing a rounding (staffing.shifts.rounding.repair), on blocks worked out by hand.

Rules (``docs/shifts.md`` "Rounding to a proven bound"): repair adds one head at a time,
each time to the pattern covering most of what is still missing per paid hour (the first
on a tie), paid hours under 1 h counting as they are; it stops as soon as every row is
covered to within TOL = 1e-6 heads.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from staffing.shifts.blocks import Block
from staffing.shifts.rounding import repair


def _block(a: list[list[float]], req: list[float], cost: list[float]) -> Block:
    matrix = np.array(a)
    r = np.array(req)
    return Block.from_matrix(
        sparse.csr_array(matrix), r, r, np.array(cost), np.arange(matrix.shape[1])
    )


def test_the_pattern_covering_most_per_paid_hour_gets_the_head():
    """Both patterns cover the one row (1 head missing); paid 0.9 h and 0.5 h: per paid
    hour 1 / 0.9 = 1.11 < 1 / 0.5 = 2, so the 0.5 h pattern gets one head, and only one
    (the row is then covered)."""
    block = _block([[1.0, 1.0]], [1.0], [0.9, 0.5])
    y = repair(block, np.zeros(2))
    assert y is not None and y.tolist() == [0.0, 1.0]


def test_most_covered_per_paid_hour_not_most_covered():
    """Rows 0-1 need 1 head each. Pattern 0 covers both (gain 2) at 4 h: 0.5 per hour;
    pattern 1 covers row 0 (gain 1) at 1 h: 1 per hour, so it goes first; then only row 1
    is missing: pattern 0 gains 1 / 4, pattern 2 (row 1, 1 h) gains 1 / 1: pattern 2.
    By hand: (0, 1, 1), 2 h."""
    block = _block([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]], [1.0, 1.0], [4.0, 1.0, 1.0])
    y = repair(block, np.zeros(3))
    assert y is not None and y.tolist() == [0.0, 1.0, 1.0]


def test_a_row_short_by_at_most_the_tolerance_is_covered():
    """A row needing 1e-6 heads with none at work is short by exactly TOL: covered,
    nothing added; needing 2e-6, one head is added."""
    for need, want in ((1e-6, [0.0, 0.0]), (2e-6, [1.0, 0.0])):
        block = _block([[1.0, 1.0]], [need], [1.0, 2.0])
        y = repair(block, np.zeros(2))
        assert y is not None and y.tolist() == want
