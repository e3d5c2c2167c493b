"""Branch and bound inside solve_coverage: which blocks reach it, and the time limit.

Rules (``staffing.shifts.lp_first``, ``solve_coverage``): a block whose LP relaxation is
infeasible (its limits make full coverage impossible) goes straight to the shortfall
stages, with no branch and bound on the programme known to have no solution; when
HiGHS's branch and bound stops at the time limit on any block, relaxed or not, the
solution says ``status="time_limit"``, else ``"optimal"``. HiGHS stopping at the limit is
stood in for by changing the status of a real solve's result.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import OptimizeResult

import staffing.shifts.branch_and_bound as branch_and_bound
from staffing.shifts.patterns import pattern_coverage
from staffing.shifts.solver import solve_coverage


def _spy(monkeypatch, stop_call: int | None = None) -> list[int]:
    """Count branch and bound's milp calls; the ``stop_call``-th (0-based) reports
    HiGHS's time limit (status 1) with its schedule."""
    real = branch_and_bound.milp
    calls: list[int] = []

    def milp(c, **kwargs):
        result = OptimizeResult(dict(real(c, **kwargs)))
        if len(calls) == stop_call:
            result.status = 1
        calls.append(c.size)
        return result

    monkeypatch.setattr(branch_and_bound, "milp", milp)
    return calls


def _limited():
    """Two hourly intervals needing 2 heads each, one 2-hour pattern, at most 1 head:
    full coverage is impossible (the LP is infeasible); by hand 1 head, 1 short in each."""
    a = np.array([[1.0], [1.0]])
    return dict(required=[2.0, 2.0], coverage=a, paid_hours=2.0, max_heads=1)


def test_an_infeasible_lp_goes_straight_to_the_shortfall_stages(monkeypatch):
    calls = _spy(monkeypatch)
    sol = solve_coverage(**_limited())
    assert sol.heads.tolist() == [1] and sol.shortfall.tolist() == [1.0, 1.0]
    assert sol.relaxed_blocks == 1 and sol.status == "optimal"
    # two calls, each with the pattern and one shortfall variable per interval
    assert calls == [3, 3]


@pytest.mark.parametrize("stop_call", [None, 0, 1])
def test_a_relaxed_block_stopped_by_the_time_limit_says_so(monkeypatch, stop_call):
    _spy(monkeypatch, stop_call)
    sol = solve_coverage(**_limited())
    assert sol.status == ("optimal" if stop_call is None else "time_limit")


@pytest.mark.parametrize("stopped", [False, True])
def test_a_branched_block_stopped_by_the_time_limit_says_so(monkeypatch, stopped):
    # Three hourly intervals that wrap around, three 2-hour shifts each covering two
    # neighbours, one head needed in each, paid 2.001 h: the LP optimum (half a head on
    # each) has no paid-hours unit to prove a rounding, so branch and bound decides:
    # 2 shifts, 4.002 h (tests/shifts/test_shifts_lp_first.py works it out).
    calls = _spy(monkeypatch, 0 if stopped else None)
    a = pattern_coverage([0, 60, 120], 120, 0, 0, interval_minutes=60, n_intervals=3, wrap=True)
    sol = solve_coverage([1, 1, 1], a, 2.001)
    assert len(calls) == 1 and sol.milp_blocks == 1 and sol.relaxed_blocks == 0
    assert sol.paid_hours == pytest.approx(4.002)
    assert sol.status == ("time_limit" if stopped else "optimal")
