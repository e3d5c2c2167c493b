"""A block by branch and bound when full coverage is possible (solve_block's first stage).

Rules (``staffing.shifts.branch_and_bound``, ``docs/shifts.md``): the block is covered at
the fewest paid hours within its per-start limits (a start of one pattern limits that
pattern); the result says it was not relaxed and whether HiGHS stopped at the time limit;
its bound is HiGHS's proven dual bound where HiGHS gives a finite one, else the paid hours
of the schedule found; no schedule within the time limit is a DataError naming the block
and saying what to do. Expected schedules are worked out by hand; HiGHS's answers at a
time limit are stood in for by changing the result of a real solve.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import OptimizeResult

import staffing.shifts.branch_and_bound as branch_and_bound
from staffing.errors import DataError
from staffing.shifts.blocks import Block, BlockModel
from staffing.shifts.branch_and_bound import solve_block


def _capped() -> tuple[Block, BlockModel]:
    """One interval needing 3 heads; pattern 0 (1 h) alone at its start, at most 1 head;
    pattern 1 (2 h), no limit. By hand: 1 head on pattern 0, 2 on pattern 1, 5 h (3 heads
    of pattern 0 would cost 3 h but break its limit)."""
    block = Block.from_matrix(
        sparse.csr_array(np.array([[1.0, 1.0]])),
        np.array([3.0]),
        np.array([3.0]),
        np.array([1.0, 2.0]),
        np.array([0, 1]),
    )
    return block, block.model(np.zeros(2), np.array([1.0, np.inf]))


def _change_first(monkeypatch, change) -> None:
    """Let ``change`` alter the first milp call's result (the first stage's)."""
    real = branch_and_bound.milp
    calls: list[int] = []

    def milp(c, **kwargs):
        result = OptimizeResult(dict(real(c, **kwargs)))
        calls.append(1)
        return change(result) if len(calls) == 1 else result

    monkeypatch.setattr(branch_and_bound, "milp", milp)


def test_a_lone_patterns_limit_caps_its_heads():
    """Rule: a start of one pattern limits that pattern's heads; full coverage is possible,
    so the block is solved whole at the fewest paid hours (not relaxed, not stopped)."""
    block, model = _capped()
    result = solve_block(block, model, 30.0, 0.0)
    assert result.heads.tolist() == [1, 2]
    assert result.paid_hours == 5.0 and result.bound == pytest.approx(5.0)
    assert result.relaxed is False and result.hit_limit is False


@pytest.mark.parametrize(
    ("dual", "want"),
    [(4.0, 4.0), (None, 5.0), (-np.inf, 5.0), (np.nan, 5.0)],
)
def test_the_bound_is_highs_dual_bound_where_finite(monkeypatch, dual, want):
    """Rule: stopped at the time limit (HiGHS status 1) with a schedule of 5 h, the bound
    is HiGHS's dual bound when finite (4 h), else the schedule's own 5 h; the block is
    marked as having hit the limit."""

    def change(result: OptimizeResult) -> OptimizeResult:
        result.status, result.mip_dual_bound = 1, dual
        return result

    _change_first(monkeypatch, change)
    block, model = _capped()
    result = solve_block(block, model, 30.0, 0.0)
    assert result.heads.tolist() == [1, 2] and result.paid_hours == 5.0
    assert result.bound == pytest.approx(want)
    assert result.hit_limit is True and result.relaxed is False


def test_no_schedule_in_time_is_an_error_naming_the_block(monkeypatch):
    """Rule: no schedule within the time limit is a DataError saying so for the block,
    with HiGHS's message and what to do."""

    def change(result: OptimizeResult) -> OptimizeResult:
        result.x, result.status, result.message = None, 1, "Time limit reached."
        return result

    _change_first(monkeypatch, change)
    block, model = _capped()
    with pytest.raises(DataError) as caught:
        solve_block(block, model, 30.0, 0.0)
    assert str(caught.value) == (
        "no schedule found for a block of intervals within the time limit (HiGHS: Time "
        "limit reached.); give more time or fewer starts and breaks"
    )
