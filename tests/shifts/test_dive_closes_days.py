"""LP diving closes benchmark-like days without branch and bound, by either LP engine.

Rule (``docs/shifts.md`` "LP first, then a proof, then branch and bound"): branch and
bound only runs where it is needed; a day with breaks whose LP optimum is fractional is
closed by LP diving, a rounding whose paid hours reach the LP bound rounded up to the
paid-hours unit (the document's benchmark closes 349 of 350 days so). Forty days of the
benchmark's kind (tests/shifts/test_shifts_proof_paths.py has six, checked the same way)
are all closed by the LP or a dive with each engine, and each day's paid hours equal
those of HiGHS's own branch and bound (``scipy.optimize.milp``) on the same programme.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import LinearConstraint, milp

from staffing.shifts.solver import solve_coverage
from tests.shifts.benchmark_days import benchmark_day

DAYS = range(40)


@pytest.mark.parametrize("engine", ["highspy", "scipy"])
def test_forty_days_are_closed_without_branch_and_bound(engine):
    if engine == "highspy":
        pytest.importorskip("highspy")
    rounded = 0
    for seed in DAYS:
        a, cost, group, required = benchmark_day(seed)
        sol = solve_coverage(required, a, cost, start_group=group, engine=engine)
        assert (sol.blocks, sol.milp_blocks, sol.lp_blocks + sol.rounded_blocks) == (1, 0, 1)
        assert sol.mip_gap == 0.0 and sol.dual_bound == pytest.approx(sol.paid_hours)
        assert (a @ sol.heads >= np.ceil(required - 1e-6) - 1e-9).all()
        rounded += sol.rounded_blocks
    assert rounded >= 20  # most days need the dive: what this test is about


def test_the_dives_paid_hours_are_highs_branch_and_bound_optimum():
    for seed in DAYS:
        a, cost, group, required = benchmark_day(seed)
        sol = solve_coverage(required, a, cost, start_group=group, engine="scipy")
        ref = milp(
            cost,
            integrality=1,
            constraints=[LinearConstraint(a, np.ceil(required - 1e-6), np.inf)],
            options={"mip_rel_gap": 0},
        )
        assert sol.paid_hours == pytest.approx(ref.fun, abs=1e-6), seed


@pytest.mark.parametrize("engine", ["highspy", "scipy"])
def test_days_solved_together_are_each_closed_by_the_dive(engine):
    """The same forty days as five programmes of eight independent days each (one block
    per day): the blocks of a programme dive together, round by round, and every one is
    still closed without branch and bound."""
    if engine == "highspy":
        pytest.importorskip("highspy")
    for week in range(5):
        days = [benchmark_day(seed) for seed in DAYS[8 * week : 8 * week + 8]]
        a = sparse.block_diag([d[0] for d in days], format="csc")
        cost = np.concatenate([d[1] for d in days])
        group = np.concatenate([d[2] + 1000 * k for k, d in enumerate(days)])
        required = np.concatenate([d[3] for d in days])
        sol = solve_coverage(required, a, cost, start_group=group, engine=engine)
        assert (sol.blocks, sol.milp_blocks) == (8, 0)
        assert sol.rounded_blocks >= 3 and sol.mip_gap == 0.0
        assert (a @ sol.heads >= np.ceil(required - 1e-6) - 1e-9).all()
