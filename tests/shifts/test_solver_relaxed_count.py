"""solve_coverage counts every relaxed block, and reads a stored zero share as no coverage.

Rules (``staffing.shifts.solver.CoverageSolution``): ``relaxed_blocks`` is the number of
blocks that needed the shortfall stage (limits made full coverage impossible), wherever
they come in the programme; a coverage share must not be negative, and a share of 0 (a
pattern that does not cover the row, stored or not) is allowed.

The programme, by hand: three intervals; pattern 0 covers interval 0 only (1 h, at most 1
head), pattern 1 interval 2 only (1 h, no limit); interval 1 needs nothing. Interval 0
needs 3 heads and interval 2 needs 1: two independent blocks, the first short of 2 heads
(relaxed: 1 head, 1 h), the second covered by 1 head (1 h): 2 paid hours, 1 relaxed
block, 2 blocks. The second block's LP optimum (1 head) is whole: it is an "lp" block,
the relaxed one a branch-and-bound ("milp") one.

Identical blocks are solved once only when their limits are the same too: with interval 2
needing 3 heads like interval 0, the two blocks have the same rows and patterns, and only
pattern 0's "at most 1 head" tells them apart (1 head relaxed, then 3 heads); with both
needing 1 head and pattern 0 needing at least 2, only the "at least 2" does (2 heads, then
1); with the same "at most 5" on both, a requirement of 1 and 2 heads does (1 head,
then 2).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from staffing.shifts.solver import solve_coverage


def _solve(coverage):
    return solve_coverage(
        [3.0, 0.0, 1.0], coverage, [1.0, 1.0], max_heads=[1.0, np.inf], engine="scipy"
    )


def test_a_relaxed_block_before_a_covered_one_is_counted():
    """Rule: relaxed_blocks counts the relaxed first block though the last is covered."""
    sol = _solve(np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]))
    assert (sol.blocks, sol.relaxed_blocks) == (2, 1)
    assert (sol.lp_blocks, sol.rounded_blocks, sol.milp_blocks) == (1, 0, 1)
    assert sol.heads.tolist() == [1, 1] and sol.paid_hours == 2.0
    np.testing.assert_allclose(sol.shortfall, [2.0, 0.0, 0.0])


def test_blocks_alike_but_for_their_limits_are_solved_apart():
    """Rule: a block's answer is reused only for a block with the same limits too."""
    coverage = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    at_most = solve_coverage(
        [3.0, 0.0, 3.0], coverage, [1.0, 1.0], max_heads=[1.0, np.inf], engine="scipy"
    )
    assert at_most.heads.tolist() == [1, 3] and at_most.reused_blocks == 0
    at_least = solve_coverage(
        [1.0, 0.0, 1.0], coverage, [1.0, 1.0], min_heads=[2.0, 0.0], engine="scipy"
    )
    assert at_least.heads.tolist() == [2, 1] and at_least.reused_blocks == 0
    # the same limits (at most 5 heads each) but interval 2 needing 2: solved apart too
    more = solve_coverage(
        [1.0, 0.0, 2.0], coverage, [1.0, 1.0], max_heads=[5.0, 5.0], engine="scipy"
    )
    assert more.heads.tolist() == [1, 2] and more.reused_blocks == 0
    # and with the same limits the second block is the first one's answer again
    same = solve_coverage([1.0, 0.0, 1.0], coverage, [1.0, 1.0], engine="scipy")
    assert same.heads.tolist() == [1, 1] and (same.blocks, same.reused_blocks) == (1, 1)


def test_a_stored_zero_share_is_no_coverage_not_an_error():
    """Rule: a sparse coverage with an explicitly stored 0 (pattern 0 at interval 1) is
    the same programme: the same answer, no error."""
    stored = sparse.csc_array(
        (np.array([1.0, 0.0, 1.0]), np.array([0, 1, 2]), np.array([0, 2, 3])), shape=(3, 2)
    )
    assert stored.nnz == 3 and stored.data.min() == 0.0
    sol = _solve(stored)
    assert (sol.blocks, sol.relaxed_blocks) == (2, 1)
    assert sol.heads.tolist() == [1, 1] and sol.paid_hours == 2.0
