"""The LP-first path of the coverage solver (staffing.shifts.lp_first).

``solve_coverage`` solves the LP relaxation first and accepts whole heads only with a proof
of optimality: the LP optimum itself when it is whole, or a rounding whose paid hours reach
the LP bound rounded up to the paid-hours unit; anything else goes to HiGHS's branch and
bound. Expected optima below are derived in comments or enumerated by brute force (numpy
only, independent of HiGHS); the larger instances are checked against
``scipy.optimize.milp`` on the same programme.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import LinearConstraint, milp

from staffing.shifts.lp_first import objective_unit
from staffing.shifts.patterns import pattern_coverage
from staffing.shifts.solver import solve_coverage
from tests.shifts.benchmark_days import benchmark_day


def _brute_force_paid(required, a, cost, top):
    """Fewest paid hours over every heads vector 0..top that covers ``required``."""
    best = np.inf
    for y in itertools.product(range(top + 1), repeat=a.shape[1]):
        y = np.array(y)
        if (a @ y >= required - 1e-9).all():
            best = min(best, float(cost @ y))
    return best


@pytest.mark.parametrize("seed", range(10))
def test_break_free_shifts_take_the_lp_path_and_agree_with_brute_force(seed):
    # Shifts without breaks on an hourly grid, no wrap: every column of the coverage matrix
    # is a run of consecutive ones (an interval matrix), which is totally unimodular, so the
    # LP optimum HiGHS returns (a vertex) is whole and no branching is needed.
    rng = np.random.default_rng(100 + seed)
    n_t = 8
    start = rng.choice(np.arange(0, 6), size=5, replace=False) * 60
    length = rng.choice([180, 240], size=5)
    a = pattern_coverage(start, length, 0, 0, interval_minutes=60, n_intervals=n_t, wrap=False)
    cost = length / 60.0
    reached = a.toarray().sum(axis=1) > 0
    required = np.where(reached, rng.integers(0, 4, n_t), 0).astype(float)
    sol = solve_coverage(required, a, cost)
    assert sol.lp_blocks == sol.blocks and sol.rounded_blocks == sol.milp_blocks == 0
    # with whole shares no pattern needs more heads than the largest requirement
    assert sol.paid_hours == _brute_force_paid(required, a.toarray(), cost, int(required.max()))
    assert sol.mip_gap == 0.0 and sol.lp_bound == pytest.approx(sol.paid_hours)


def _odd_cycle(paid: float):
    # Three hourly intervals that wrap around; three 2-hour shifts, each covering two
    # neighbours ({0, 1}, {1, 2}, {2, 0}), one head needed in each interval. The LP optimum
    # is unique: half a head on every shift (each interval gets 1/2 + 1/2), 1.5 shifts;
    # whole heads need 2 shifts (one shift covers only two of the three intervals).
    a = pattern_coverage([0, 60, 120], 120, 0, 0, interval_minutes=60, n_intervals=3, wrap=True)
    return solve_coverage([1, 1, 1], a, paid)


def test_a_fractional_lp_is_rounded_to_the_rounded_bound_without_branching():
    # Paid 2 h per shift: every schedule costs a multiple of 2 h, so the LP bound 1.5 × 2 =
    # 3 h rounds up to 4 h, and two shifts (4 h) reach it: optimal, gap 0, no MILP.
    sol = _odd_cycle(2.0)
    assert sol.paid_hours == 4.0 and sol.heads.sum() == 2
    assert (sol.lp_blocks, sol.rounded_blocks, sol.milp_blocks) == (0, 1, 0)
    assert sol.lp_bound == pytest.approx(3.0) and sol.dual_bound == 4.0
    assert sol.mip_gap == 0.0 and sol.status == "optimal"


def test_a_fractional_lp_without_a_paid_hours_unit_falls_back_to_the_milp():
    # Paid 2.001 h (7203.6 s, not whole seconds): no unit to round the LP bound 1.5 × 2.001
    # to, no rounding reaches it, so HiGHS's branch and bound decides: 2 shifts, 4.002 h.
    sol = _odd_cycle(2.001)
    assert sol.paid_hours == pytest.approx(4.002) and sol.heads.sum() == 2
    assert (sol.lp_blocks, sol.rounded_blocks, sol.milp_blocks) == (0, 0, 1)
    assert sol.lp_bound == pytest.approx(3.0015)
    assert sol.mip_gap == 0.0 and sol.status == "optimal"


def test_the_paid_hours_unit():
    assert objective_unit(np.array([8.0, 4.0, 8.0])) == 4.0
    assert objective_unit(np.array([7.5, 4.0])) == 0.5
    assert objective_unit(np.array([25 / 60, 0.0])) == pytest.approx(25 / 60)
    assert objective_unit(np.array([2.001])) == 0.0  # 7203.6 s: not whole seconds
    assert objective_unit(np.array([0.0])) == 0.0


@pytest.mark.parametrize("engine", ["highspy", "scipy"])
@pytest.mark.parametrize("seed", range(6))
def test_days_with_breaks_equal_the_milp(seed, engine):
    # A day like the benchmark's: 30-minute intervals, 8.5-hour shifts from 06:00-10:00 and
    # 12:00-15:00 with a 30-minute unpaid break 3-5 h in, 4-hour part-timers from
    # 08:00-19:30, 30-minute start steps (104 patterns), a noisy daily requirement of up to
    # 60 heads. With breaks the LP optimum is often fractional; whatever path a day takes,
    # its paid hours equal those of HiGHS's branch and bound on the same programme, with
    # either LP engine.
    if engine == "highspy":
        pytest.importorskip("highspy")
    a, cost, group, required = benchmark_day(seed)
    sol = solve_coverage(required, a, cost, start_group=group, engine=engine)
    need = np.ceil(required - 1e-6)
    ref = milp(
        cost,
        integrality=1,
        constraints=[LinearConstraint(a, need, np.inf)],
        options={"mip_rel_gap": 0},
    )
    assert sol.paid_hours == pytest.approx(ref.fun, abs=1e-6)
    assert sol.mip_gap == 0.0 and not sol.shortfall.any()
    assert sol.lp_blocks + sol.rounded_blocks + sol.milp_blocks == sol.blocks == 1
