"""The plan calendar (staffing.calendar): local days, day codes and plan weeks, across DST."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from staffing import calendar

TZ = "America/New_York"


def _grid(start: str, days: int, tz: str = TZ) -> pd.DatetimeIndex:
    first = pd.Timestamp(start).tz_localize(tz)
    last = (pd.Timestamp(start) + pd.Timedelta(days=days)).tz_localize(tz)
    return pd.date_range(first, last, freq="60min", inclusive="left")


def test_a_local_day_is_the_wall_clock_date_not_the_utc_one():
    # 2026-03-02 23:00 in New York (UTC-5) is 2026-03-03 04:00 UTC: its day is the 2nd.
    grid = pd.DatetimeIndex([pd.Timestamp("2026-03-02 23:00", tz=TZ)])
    assert calendar.local_days(grid)[0] == pd.Timestamp("2026-03-02")
    assert calendar.local_days(grid).tz is None


def test_the_spring_forward_day_has_23_hours():
    # US clocks go forward on the second Sunday of March (Energy Policy Act of 2005):
    # 2026-03-08, so that local day has 23 hourly intervals and the others 24.
    grid = _grid("2026-03-02", 14)
    codes, days = calendar.day_codes(grid)
    assert len(days) == 14 and days[0] == pd.Timestamp("2026-03-02")
    counts = np.bincount(codes)
    assert counts[6] == 23 and (np.delete(counts, 6) == 24).all()
    assert codes.dtype == np.int64 and (np.diff(codes) >= 0).all()


def test_plan_weeks_start_on_the_plans_first_day():
    # A plan starting on a Wednesday: days 0-6 are week 0, days 7-9 week 1, whatever the
    # weekday; 10 days x 24 h, less the hour DST skips on 2026-03-08 (day 4).
    grid = _grid("2026-03-04", 10)
    weeks = calendar.week_codes(grid, date(2026, 3, 4))
    assert len(grid) == 239
    assert (weeks[: 7 * 24 - 1] == 0).all() and (weeks[7 * 24 - 1 :] == 1).all()
    assert weeks.dtype == np.int64
