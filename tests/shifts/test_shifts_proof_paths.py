"""Days with breaks are proven optimal without branch and bound (``docs/shifts.md``).

Rule (``docs/shifts.md``, "LP first, then a proof, then branch and bound"): branch and bound
only runs where it is needed. A day of the benchmark's kind (30-minute intervals, 8.5-hour
shifts with a 30-minute break 3 to 5 hours in, 4-hour part-timers, 30-minute start steps)
is closed by its LP optimum when it is whole, else by a rounding whose paid hours reach the
LP bound rounded up to the paid-hours unit (0.5 h here: 8 h and 4 h paid); the document's
benchmark closes 349 of 350 such days this way. Each day's paid hours are also checked
against ``scipy.optimize.milp`` (HiGHS's branch and bound) on the same programme.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import LinearConstraint, milp

from staffing.shifts.solver import solve_coverage
from tests.shifts.benchmark_days import benchmark_day


@pytest.mark.parametrize("seed", range(6, 12))
def test_a_day_with_breaks_is_closed_by_the_lp_or_a_proven_rounding(seed):
    """Rule: no branch and bound for a benchmark-like day, and the optimum is HiGHS's."""
    a, cost, group, required = benchmark_day(seed)
    sol = solve_coverage(required, a, cost, start_group=group)
    assert sol.blocks == 1 and sol.milp_blocks == 0
    assert sol.lp_blocks + sol.rounded_blocks == 1
    ref = milp(
        cost,
        integrality=1,
        constraints=[LinearConstraint(a, np.ceil(required - 1e-6), np.inf)],
        options={"mip_rel_gap": 0},
    )
    assert sol.paid_hours == pytest.approx(ref.fun, abs=1e-6)
    assert sol.mip_gap == 0.0 and sol.dual_bound == pytest.approx(sol.paid_hours)
    assert not sol.shortfall.any()
