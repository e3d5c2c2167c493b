"""The LP engine chosen is the one every LP of the LP-first path uses (staffing.shifts).

Rule (``solve_coverage(engine=...)``, ``docs/shifts.md`` "LP first"): with
``engine="scipy"`` no LP goes to the highspy engine, the second dive from the reversed
patterns included, even when highspy is installed. The instance is three hourly intervals
that wrap around, three 2-hour shifts each covering two neighbours, one head needed in
each, paid 2.001 h: the LP optimum is half a head on every shift, no paid-hours unit
proves a rounding, so both dives run and then branch and bound decides: 2 shifts, 4.002 h
(worked out by hand in tests/shifts/test_shifts_lp_first.py).
"""

from __future__ import annotations

import pytest

import staffing.shifts.relaxations as relaxations_module
from staffing.shifts.patterns import pattern_coverage
from staffing.shifts.solver import solve_coverage


class _Forbidden:
    """Stands in for the highspy engine: using it fails the test."""

    def __init__(self, *args: object) -> None:
        raise AssertionError("the highspy engine was used though scipy was chosen")


def test_engine_scipy_solves_every_lp_by_scipy(monkeypatch):
    monkeypatch.setattr(relaxations_module, "HighsRelaxations", _Forbidden)
    a = pattern_coverage([0, 60, 120], 120, 0, 0, interval_minutes=60, n_intervals=3, wrap=True)
    sol = solve_coverage([1, 1, 1], a, 2.001, engine="scipy")
    assert sol.paid_hours == pytest.approx(4.002) and sol.heads.sum() == 2
    assert (sol.lp_blocks, sol.rounded_blocks, sol.milp_blocks) == (0, 0, 1)
