"""An optimised schedule's coverage has the documented columns, and no ``optimised``.

Rule (``staffing.shifts.schedule.Schedule``): ``coverage`` has the columns
:data:`COVERAGE_COLUMNS` (listed here by hand from its documentation); ``optimised`` is
added only when a given schedule is compared and shifts were optimised too, so an
optimised schedule alone has none.
"""

from __future__ import annotations

import pandas as pd

import staffing
from staffing.shifts.schedule import COVERAGE_COLUMNS
from tests.shifts.workload_plans import week_of_hours, workload_config


def test_an_optimised_schedule_has_no_optimised_column():
    config = workload_config(
        [{"name": "day", "length_hours": 8, "start": "08:00"}],
        name="c",
        skills=[{"id": 1, "name": "A", "nht_seconds": 360}],
    )
    grid = week_of_hours()
    volume = pd.DataFrame(
        {
            "skill_id": 1,
            "interval_start": grid,
            "volume": [10.0 if 9 <= t.hour < 15 else 0.0 for t in grid],
        }
    )
    result = staffing.schedule(staffing.plan(staffing.load_config(config), volume=volume))
    documented = [
        "skill_group", "interval_start", "volume", "required", "scheduled", "gap",
        "required_heads", "heads", "service_level", "asa_s", "p_abandon", "occupancy",
        "understaffed",
    ]  # fmt: skip
    assert COVERAGE_COLUMNS == documented
    assert list(result.coverage.columns) == documented
    assert result.shifts["paid_hours"].sum() > 0  # shifts were optimised
