"""A time among a schedule's facts on the Assumptions sheet is a local time of the plan.

Rule protected: the Assumptions sheet says "Times are local to <zone>"; a tz-aware time in
``Schedule.meta`` (a fact a caller adds, listed after the rules) is written as the plan's
local clock time, not as UTC. Expected: 10:00 UTC on 1 March 2026 is 11:00 in Berlin
(CET, UTC+1, before the clock change of 29 March), worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from staffing.outputs.sheets.assumptions import write_assumptions
from staffing.outputs.view import PlanView
from staffing.shifts.schedule import Schedule
from tests.outputs.sheet_reading import cell_rows, one_sheet

TZ = "Europe/Berlin"


def test_a_time_among_the_schedule_s_facts_is_shown_in_the_plan_s_zone(tmp_path):
    view = PlanView(
        name="asm",
        timezone=TZ,
        interval_minutes=60,
        intervals=pd.DataFrame({"interval_start": pd.DatetimeIndex([], tz=TZ)}),
    )
    empty = pd.DataFrame()
    schedule = Schedule(
        shifts=empty,
        coverage=empty,
        skill_coverage=empty,
        uncovered=empty,
        daily=empty,
        weekly=empty,
        groups=empty,
        paid_hours=math.nan,
        mip_gap=0.0,
        meta={"solved_at": pd.Timestamp("2026-03-01T10:00:00", tz="UTC")},
    )
    ws, _ = one_sheet(
        tmp_path,
        "Assumptions",
        lambda wb, ws, formats: write_assumptions(ws, view, formats, schedule=schedule),
    )
    values = {r[0]: r[1] for r in cell_rows(ws) if r and r[0]}
    assert values["schedule.solved_at"] == dt.datetime(2026, 3, 1, 11, 0)
