"""Rounding an LP optimum to the proven bound (staffing.shifts.rounding.rounding_at_bound).

Rules (``docs/shifts.md`` "Rounding to a proven bound"): first ``y + ceil(z)`` (z's
values within 1e-6 of a whole number count as whole), then ``y + round(z)`` completed
greedily; each with redundant heads dropped (dearest first) when above the bound; the
first that reaches the bound (within 1e-9 relative, absolute below 1 h) is returned, else
None. Every expected schedule is worked out by hand in the test's docstring.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from staffing.shifts.blocks import Block
from staffing.shifts.rounding import rounding_at_bound


def _block(a: list[list[float]], req: list[float], cost: list[float]) -> Block:
    matrix = np.array(a)
    r = np.array(req)
    return Block.from_matrix(
        sparse.csr_array(matrix), r, r, np.array(cost), np.arange(matrix.shape[1])
    )


def test_rounding_up_comes_first():
    """One interval needing 1 head, two patterns at 1 h, z = (0.4, 0.4), bound 1 h.
    Up: (1, 1), 2 h, above the bound; dropping, dearest first (a tie: the first
    pattern), leaves (0, 1) at 1 h: returned. (Rounding to nearest would give (0, 0),
    completed to (1, 0): the same hours, other heads, and it is not tried.)"""
    block = _block([[1.0, 1.0]], [1.0], [1.0, 1.0])
    got = rounding_at_bound(block, np.zeros(2), np.array([0.4, 0.4]), 1.0)
    assert got is not None and got.tolist() == [0.0, 1.0]


def test_rounding_to_nearest_when_up_misses_the_bound():
    """Intervals A and B need 1 head each; pattern 0 covers both (2 h), 1 covers A and
    2 covers B (1.5 h each); z = (0.6, 0.4, 0.4), bound 2 h. Up: (1, 1, 1), 5 h; dropping
    the dearest first takes pattern 0's head, leaving (0, 1, 1) at 3 h: missed. Nearest:
    (1, 0, 0) covers both at 2 h: returned."""
    block = _block([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]], [1.0, 1.0], [2.0, 1.5, 1.5])
    got = rounding_at_bound(block, np.zeros(3), np.array([0.6, 0.4, 0.4]), 2.0)
    assert got is not None and got.tolist() == [1.0, 0.0, 0.0]


def test_neither_rounding_reaches_the_bound():
    """As above with the single patterns at 0.9 h and a bound of 1.9 h (below pattern
    0 alone, 2 h): z = (0.6, 0, 0) rounds up and to nearest to (1, 0, 0), 2 h, with
    nothing to drop: None (the block goes to branch and bound)."""
    block = _block([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]], [1.0, 1.0], [2.0, 0.9, 0.9])
    assert rounding_at_bound(block, np.zeros(3), np.array([0.6, 0.0, 0.0]), 1.9) is None


def test_a_whole_value_is_not_rounded_up_past_itself():
    """One interval needing 2 heads, two patterns at 1 h, z = (1, 1) exactly, bound
    2 h: up is (1, 1), 2 h, returned as it is."""
    block = _block([[1.0, 1.0]], [2.0], [1.0, 1.0])
    got = rounding_at_bound(block, np.zeros(2), np.array([1.0, 1.0]), 2.0)
    assert got is not None and got.tolist() == [1.0, 1.0]


def test_the_bound_is_met_within_1e_9_relative():
    """One interval needing 1 head, one pattern, z = (1): its paid hours against the
    bound. Bound 0.5 h: the margin is 1e-9 h, so 0.5 + 1e-9 h is accepted (at the
    margin) and 0.5 + 1.5e-9 h is not; bound 1000 h: the margin is 1e-6 h, so
    1000 + 0.5e-6 h is accepted."""
    for bound, paid, accepted in (
        (0.5, 0.5 + 1e-9 * max(1.0, 0.5), True),
        (0.5, 0.5 + 1.5e-9, False),
        (1000.0, 1000.0 + 0.5e-6, True),
    ):
        block = _block([[1.0]], [1.0], [paid])
        got = rounding_at_bound(block, np.zeros(1), np.array([1.0]), bound)
        assert (got is not None) == accepted, (bound, paid)
        if accepted:
            assert got is not None and got.tolist() == [1.0]
