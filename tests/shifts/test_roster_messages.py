"""A given schedule's problems are errors naming the file (or DataFrame), skill and time.

Rule (``staffing.shifts.roster``, ``docs/shifts.md``): a skill the config does not have, or
a time inside the horizon that is not an interval start of the plan's grid, is a DataError
whose message starts with where the schedule came from (its file name, or "scheduled
DataFrame") and names the skill (the lowest unknown one) and the time; rows outside the
horizon (before its first interval, from its end on) are ignored, rows from its first
instant on are used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import staffing
from staffing.errors import DataError
from tests.conftest import per_module
from tests.shifts.workload_plans import MON, week_of_hours, workload_config

TWO_SKILLS = [
    {"id": 1, "name": "A", "nht_seconds": 360},
    {"id": 2, "name": "B", "nht_seconds": 360},
]


def _plan(**extra) -> staffing.Plan:
    grid = week_of_hours()
    volume = pd.concat(
        [pd.DataFrame({"skill_id": k, "interval_start": grid, "volume": 10.0}) for k in (1, 2)]
    )
    return staffing.plan(
        staffing.load_config(workload_config(name="roster", skills=TWO_SKILLS, **extra)),
        volume=volume,
    )


@pytest.fixture(scope=per_module)
def plan() -> staffing.Plan:
    return _plan()


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["skill_id", "interval_start", "scheduled"])


@pytest.mark.parametrize("as_file", [False, True])
def test_an_unknown_skill_is_named_with_where_it_comes_from(plan, tmp_path, as_file):
    """Rule: the message starts with the file name (or "scheduled DataFrame") and names the
    lowest skill id the config does not have."""
    frame = _frame([(9, f"{MON} 08:00", 1.0), (7, f"{MON} 08:00", 1.0), (1, f"{MON} 08:00", 1)])
    given, where = frame, "scheduled DataFrame"
    if as_file:
        given = tmp_path / "roster.csv"
        frame.to_csv(given, index=False)
        where = str(given)
    with pytest.raises(DataError) as caught:
        staffing.schedule(plan, scheduled=given)
    assert str(caught.value) == f"{where}: skill 7 is not in the config"


@pytest.mark.parametrize(
    ("when", "shown"),
    [
        (f"{MON} 08:30", "2026-03-02T08:30:00+00:00"),
        # after the last interval's start but before the horizon's end: still off the grid
        ("2026-03-08 23:30", "2026-03-08T23:30:00+00:00"),
    ],
)
def test_a_time_off_the_grid_is_named_with_its_skill(plan, when, shown):
    """Rule: a time inside the horizon that is not an interval start is an error naming
    where, the skill, the time and the grid."""
    frame = _frame([(1, f"{MON} 08:00", 1.0), (2, when, 1.0)])
    with pytest.raises(DataError) as caught:
        staffing.schedule(plan, scheduled=frame)
    assert str(caught.value) == (
        f"scheduled DataFrame: skill 2 at {shown} is not on the plan's 60-minute interval grid"
    )


def test_rows_from_the_first_instant_to_the_end_count_and_others_are_ignored(plan):
    """Rule: a row at the horizon's first instant counts; rows before it, or at or after
    its end, are ignored (not errors); a skill with no row in the horizon is no group."""
    frame = _frame(
        [
            (1, f"{MON} 00:00", 2.0),  # the first interval: counts
            (1, "2026-03-08 23:00", 3.0),  # the last interval: counts
            (1, "2026-03-01 23:00", 5.0),  # the hour before: ignored
            (1, "2026-03-09 00:00", 7.0),  # the horizon's end: ignored
            (2, "2026-03-09 00:00", 7.0),  # B only at the end: ignored, so no group
        ]
    )
    result = staffing.schedule(plan, scheduled=frame)
    assert result.groups["skill_group"].tolist() == ["A"]
    assert result.meta["source"] == "DataFrame" and result.groups["source"].tolist() == [
        "DataFrame"
    ]
    scheduled = result.coverage["scheduled"].to_numpy()
    assert scheduled.sum() == 5.0
    assert (scheduled[0], scheduled[-1]) == (2.0, 3.0)
    np.testing.assert_array_equal(np.flatnonzero(scheduled), [0, 167])


def test_the_configured_sheet_of_a_workbook_is_read(tmp_path):
    """Rule: ``scheduled: {path, sheet}`` reads that sheet of the workbook, not the first."""
    book = tmp_path / "roster.xlsx"
    with pd.ExcelWriter(book) as writer:
        _frame([(1, f"{MON} 08:00", 9.0)]).to_excel(writer, sheet_name="old", index=False)
        _frame([(1, f"{MON} 08:00", 2.0)]).to_excel(writer, sheet_name="week", index=False)
    result = staffing.schedule(_plan(scheduled={"path": str(book), "sheet": "week"}))
    assert result.coverage["scheduled"].sum() == 2.0
