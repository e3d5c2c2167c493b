"""A given schedule that cannot be read or checked: errors naming the file or DataFrame.

Rule (``staffing.shifts.roster.read_scheduled_file``, ``docs/shifts.md``): a schedule
file that cannot be read is a DataError naming the file and saying it could not read the
schedule; a row that fails the checks (here a negative ``scheduled``) is a DataError
whose message starts with the file's name, or "scheduled DataFrame" for a DataFrame, and
names the column, the row (counting the header as row 1), the value, the skill and time.
"""

from __future__ import annotations

import pandas as pd
import pytest

import staffing
from staffing.errors import DataError
from tests.conftest import per_module
from tests.shifts.workload_plans import MON, week_of_hours, workload_config


@pytest.fixture(scope=per_module)
def plan() -> staffing.Plan:
    config = workload_config(name="r", skills=[{"id": 1, "name": "A", "nht_seconds": 360}])
    volume = pd.DataFrame({"skill_id": 1, "interval_start": week_of_hours(), "volume": 10.0})
    return staffing.plan(staffing.load_config(config), volume=volume)


def _negative() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "skill_id": [1, 1],
            "interval_start": [f"{MON} 08:00", f"{MON} 09:00"],
            "scheduled": [1.0, -2.0],
        }
    )


@pytest.mark.parametrize("as_file", [False, True])
def test_a_bad_row_is_named_with_where_the_schedule_comes_from(plan, tmp_path, as_file):
    given, where = _negative(), "scheduled DataFrame"
    if as_file:
        given = tmp_path / "roster.csv"
        _negative().to_csv(given, index=False)
        where = str(given)
    with pytest.raises(DataError) as caught:
        staffing.schedule(plan, scheduled=given)
    assert str(caught.value) == (
        f"{where}: scheduled is negative in row 3: -2 for skill 1 at 2026-03-02T09:00:00+00:00"
    )


def test_an_unreadable_schedule_file_is_named(plan, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"skill_id,interval_start,scheduled\n1,\xff\xfe,1\n")
    with pytest.raises(DataError) as caught:
        staffing.schedule(plan, scheduled=path)
    assert str(caught.value).startswith(f"{path}: cannot read the schedule: ")


def test_a_schedule_with_no_row_in_the_horizon_is_named(plan):
    """Rule: a given schedule that misses the plan's horizon entirely is a DataError naming
    it and the horizon (it was pandas' "No objects to concatenate"). Rows outside the
    horizon beside rows in it are ignored (test_roster_messages.py)."""
    before = pd.DataFrame(
        {"skill_id": [1], "interval_start": ["2026-03-01 08:00"], "scheduled": [1.0]}
    )
    with pytest.raises(DataError) as caught:
        staffing.schedule(plan, scheduled=before)
    assert str(caught.value) == (
        "scheduled DataFrame: no row falls in the plan's horizon, "
        "2026-03-02T00:00:00+00:00 to 2026-03-09T00:00:00+00:00"
    )
