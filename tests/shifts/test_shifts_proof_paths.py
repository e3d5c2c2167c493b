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

from staffing.shifts.patterns import pattern_coverage
from staffing.shifts.solver import solve_coverage


def _day(seed: int):
    """A benchmark-like day: coverage, paid hours, starts and a noisy requirement."""
    rng = np.random.default_rng(seed)
    rows = []
    for first, last, length, breaks in (
        (360, 600, 510, True),
        (720, 900, 510, True),
        (480, 1170, 240, False),
    ):
        for s in range(first, last + 1, 30):
            for b in range(180, 301, 30) if breaks else [0]:
                rows.append((s, length, b, 30 if breaks else 0))
    start, length, brk, brk_len = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    a = pattern_coverage(
        start, length, brk, brk_len, interval_minutes=30, n_intervals=48, wrap=False
    )
    hour = np.arange(48) / 2
    shape = 0.15 + np.exp(-0.5 * ((hour - 13) / 3.5) ** 2)
    open_ = (hour >= 6.5) & (hour < 23.5)
    required = np.where(open_, rng.uniform(5, 60) * shape * rng.uniform(0.85, 1.15, 48), 0)
    group = np.unique(np.stack([start, length]), axis=1, return_inverse=True)[1].ravel()
    return a, (length - brk_len) / 60.0, group, required


@pytest.mark.parametrize("seed", range(6, 12))
def test_a_day_with_breaks_is_closed_by_the_lp_or_a_proven_rounding(seed):
    """Rule: no branch and bound for a benchmark-like day, and the optimum is HiGHS's."""
    a, cost, group, required = _day(seed)
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
