"""A block whose limits make full coverage impossible, by branch and bound (solve_block).

Rules (``staffing.shifts.branch_and_bound``, ``docs/shifts.md``): when the per-start limits
make full coverage impossible, the block is solved lexicographically, the least total
shortfall first, then the fewest paid hours at that shortfall; the two stages share the
block's time budget, each getting what is left of it and never less than 1 s; the block
is marked as having hit the limit when either stage stopped at it; a stage that finds no
schedule in time is a DataError naming that stage. Expected schedules come from a brute
force over every head count the limits allow, written here; expected budgets from a fake
clock, by hand.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import OptimizeResult

import staffing.shifts.branch_and_bound as branch_and_bound
from staffing.errors import DataError
from staffing.shifts.blocks import Block, BlockModel
from staffing.shifts.branch_and_bound import solve_block

# 4 intervals; patterns: 0 covers 0-1 (2 h), 1 covers 1-2 (2 h), 2 covers 1 (1 h),
# 3 covers 2-3 (2 h), 4 covers 3 (1 h); patterns 3 and 4 share a start limited to 1 head
# in all, the others at most 2 heads each: interval 0 needs 3 (at most 2 reach it).
A = np.array(
    [
        [1.0, 0.0, 0.0, 0.0, 0.0],
        [1.0, 1.0, 1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0, 1.0],
    ]
)
REQ = np.array([3.0, 4.0, 2.0, 2.0])
COST = np.array([2.0, 2.0, 1.0, 2.0, 1.0])
GROUP = np.array([0, 1, 2, 3, 3])
G_MIN = np.zeros(4)
G_MAX = np.array([2.0, 2.0, 2.0, 1.0])


def _block() -> tuple[Block, BlockModel]:
    block = Block.from_matrix(sparse.csr_array(A), REQ, REQ, COST, GROUP)
    return block, block.model(G_MIN, G_MAX)


def _brute_force() -> tuple[float, float, list[tuple[int, ...]]]:
    """(least shortfall, fewest paid hours at it, every schedule reaching both), over all
    head counts within the limits (0-2 on patterns 0-2, at most 1 on 3 and 4 together)."""
    best: tuple[float, float] | None = None
    found: list[tuple[int, ...]] = []
    for y in itertools.product(range(3), range(3), range(3), range(2), range(2)):
        if y[3] + y[4] > 1:
            continue
        heads = np.array(y, dtype=float)
        short = float(np.maximum(REQ - A @ heads, 0.0).sum())
        key = (short, float(COST @ heads))
        if best is None or key < best:
            best, found = key, [y]
        elif key == best:
            found.append(y)
    assert best is not None
    return best[0], best[1], found


class _Clock:
    """time.perf_counter() giving the instants listed, in turn [s]."""

    def __init__(self, instants: list[float]) -> None:
        self.instants = list(instants)

    def perf_counter(self) -> float:
        return self.instants.pop(0)


def _spy(monkeypatch, change=None) -> list[dict]:
    """Record the options of every milp call; ``change(k, result)`` may alter the k-th
    call's result (0: least shortfall, 1: fewest paid hours)."""
    real = branch_and_bound.milp
    calls: list[dict] = []

    def milp(c, **kwargs):
        result = real(c, **kwargs)
        calls.append(kwargs["options"])
        if change is not None:
            result = change(len(calls) - 1, OptimizeResult(dict(result)))
        return result

    monkeypatch.setattr(branch_and_bound, "milp", milp)
    return calls


def test_the_least_shortfall_then_the_fewest_paid_hours_by_brute_force(monkeypatch):
    """Rule: least total shortfall first, then the fewest paid hours at it; the result
    is marked relaxed (solved by the shortfall stages) and not stopped by the limit."""
    least, paid, schedules = _brute_force()
    assert least > 0  # the limits do make full coverage impossible
    block, model = _block()
    result = solve_block(block, model, 30.0, 0.0, lp_infeasible=True)
    assert tuple(result.heads.tolist()) in schedules
    assert float(np.maximum(REQ - A @ result.heads, 0.0).sum()) == pytest.approx(least)
    assert result.paid_hours == pytest.approx(paid)
    assert result.relaxed is True and result.hit_limit is False
    # without being told, the first branch and bound finds no full cover and falls back
    again = solve_block(block, model, 30.0, 0.0)
    assert again.relaxed is True and again.paid_hours == pytest.approx(paid)


@pytest.mark.parametrize(
    ("instants", "budgets"),
    [
        # 3 s gone before the first stage, 6 s before the second: 10 - 3, 10 - 6
        ([100.0, 103.0, 106.0], [7.0, 4.0]),
        # 9.5 s gone, then 11 s: what is left is under 1 s, so 1 s each
        ([100.0, 109.5, 111.0], [1.0, 1.0]),
    ],
)
def test_the_two_stages_share_the_blocks_time_budget(monkeypatch, instants, budgets):
    """Rule: each shortfall stage gets the block's budget (10 s here) less the time spent
    since the block began, and at least 1 s."""
    clock = _Clock(instants)
    monkeypatch.setattr(branch_and_bound, "time", clock)
    calls = _spy(monkeypatch)
    block, model = _block()
    solve_block(block, model, 10.0, 0.0, lp_infeasible=True)
    assert [options["time_limit"] for options in calls] == budgets


@pytest.mark.parametrize(("stopped", "hit"), [(None, False), (0, True), (1, True)])
def test_a_stage_stopped_by_the_time_limit_marks_the_block(monkeypatch, stopped, hit):
    """Rule: the block hit the time limit when either stage stopped at it (HiGHS status 1
    with a schedule found), and only then."""

    def change(k: int, result: OptimizeResult) -> OptimizeResult:
        if k == stopped:
            result.status = 1
        return result

    _spy(monkeypatch, change)
    block, model = _block()
    result = solve_block(block, model, 30.0, 0.0, lp_infeasible=True)
    assert result.hit_limit is hit


@pytest.mark.parametrize(
    ("stage", "what"),
    [(0, "the least shortfall"), (1, "the fewest paid hours at the least shortfall")],
)
def test_a_stage_without_a_schedule_in_time_is_an_error_naming_it(monkeypatch, stage, what):
    """Rule: a stage that finds no schedule within the time limit is a DataError that says
    which stage, what HiGHS said, and what to do."""

    def change(k: int, result: OptimizeResult) -> OptimizeResult:
        if k == stage:
            result.x, result.status, result.message = None, 1, "Time limit reached."
        return result

    _spy(monkeypatch, change)
    block, model = _block()
    with pytest.raises(DataError) as caught:
        solve_block(block, model, 30.0, 0.0, lp_infeasible=True)
    assert str(caught.value) == (
        f"no schedule found for {what} within the time limit (HiGHS: Time limit reached.); "
        "give more time or fewer starts and breaks"
    )


def test_shortfall_is_measured_in_fractions_of_heads():
    """Rule: the shortfall is real (a share of a head), not rounded up to whole heads.
    Interval 0 needs 0.5 heads, interval 1 needs 1; pattern 0 covers interval 0 (0.5 h),
    pattern 1 interval 1 (1 h); one start, at most 1 head. By hand: a head on pattern 1
    leaves 0.5 short, on pattern 0 leaves 1 short, so pattern 1, though dearer (counted
    in whole heads both would leave 1 short and the cheaper pattern 0 would win)."""
    req = np.array([0.5, 1.0])
    block = Block.from_matrix(
        sparse.csr_array(np.eye(2)), req, np.ceil(req), np.array([0.5, 1.0]), np.array([0, 0])
    )
    model = block.model(np.zeros(1), np.array([1.0]))
    result = solve_block(block, model, 30.0, 0.0, lp_infeasible=True)
    assert result.heads.tolist() == [0, 1] and result.paid_hours == 1.0
    assert result.relaxed is True
