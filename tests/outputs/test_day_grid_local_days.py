"""The day-by-time grid the skill sheets and plots show, on both clock changes, by hand.

Rule protected: :func:`staffing.outputs.view.day_grid` lays a skill's column out by local
day and clock time; on the day clocks go back the repeated hour shows the larger of its two
intervals, on the day they go forward the skipped hour is empty, and the totals per day,
per clock time and overall count every interval once (value x interval hours), both
intervals of the repeated hour included. The expected numbers are sums written out here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from staffing.errors import DataError
from staffing.outputs.view import PlanView, day_grid, interval_grid

TZ = "Europe/Berlin"


def _rows(first_day: str, days: int, minutes: int) -> pd.DataFrame:
    start = pd.Timestamp(first_day).tz_localize(TZ)
    grid = pd.date_range(
        start, start + pd.Timedelta(days=days), freq=f"{minutes}min", inclusive="left"
    )
    # consecutive values make every interval's value unique, so a swap shows
    return pd.DataFrame({"interval_start": grid, "fte": np.arange(1.0, len(grid) + 1)})


def _local(rows: pd.DataFrame) -> pd.Series:
    return rows["interval_start"].dt.tz_localize(None)


@pytest.mark.parametrize("minutes", [60, 30])
def test_autumn_repeated_hour_shows_the_larger_and_counts_both(minutes):
    rows = _rows("2026-10-24", 3, minutes)  # Sunday 2026-10-25 has 25 hours
    grid = day_grid(rows, "fte", minutes)
    local = _local(rows)
    hours = minutes / 60
    dates = [dt.date(2026, 10, 24), dt.date(2026, 10, 25), dt.date(2026, 10, 26)]
    assert list(grid.cells.index) == dates
    assert len(grid.cells.columns) == 24 * 60 // minutes
    assert grid.cells.columns[1] == dt.time(minutes // 60, minutes % 60)
    twice = rows[local == pd.Timestamp("2026-10-25 02:00")]["fte"].to_numpy()
    assert len(twice) == 2
    assert grid.cells.loc[dt.date(2026, 10, 25), dt.time(2, 0)] == twice.max()
    for day in dates:
        mine = rows[local.dt.date == day]["fte"]
        assert grid.per_day[dates.index(day)] == pytest.approx(mine.sum() * hours)
    assert len(rows[local.dt.date == dates[1]]) == 25 * 60 // minutes
    slot = list(grid.cells.columns).index(dt.time(2, 0))
    at_two = rows[(local.dt.hour == 2) & (local.dt.minute == 0)]["fte"]
    assert len(at_two) == 4  # three days, the Sunday's 02:00 twice
    assert grid.per_slot[slot] == pytest.approx(at_two.sum() * hours)
    assert grid.total == pytest.approx(rows["fte"].sum() * hours)
    assert grid.per_slot.sum() == pytest.approx(grid.total)


def test_spring_skipped_hour_is_empty_and_the_day_has_23_hours():
    rows = _rows("2026-03-28", 3, 60)  # Sunday 2026-03-29 has 23 hours
    grid = day_grid(rows, "fte", 60)
    sunday = dt.date(2026, 3, 29)
    assert np.isnan(grid.cells.loc[sunday, dt.time(2, 0)])
    assert not np.isnan(grid.cells.loc[sunday, dt.time(3, 0)])
    local = _local(rows)
    assert (local.dt.date == sunday).sum() == 23
    assert grid.per_day[1] == pytest.approx(rows[local.dt.date == sunday]["fte"].sum())
    # the cell at 03:00 on the Sunday is the interval that starts at 03:00 local time
    three = rows[local == pd.Timestamp("2026-03-29 03:00")]["fte"].iloc[0]
    assert grid.cells.loc[sunday, dt.time(3, 0)] == three


def test_missing_values_are_empty_cells_and_add_nothing():
    rows = _rows("2026-03-02", 2, 60)
    rows.loc[5, "fte"] = np.nan
    rows["text"] = rows["fte"].astype(object)
    rows.loc[6, "text"] = "n/a"
    grid = day_grid(rows, "text", 60)
    assert np.isnan(grid.cells.iloc[0, 5]) and np.isnan(grid.cells.iloc[0, 6])
    assert grid.total == pytest.approx(rows["fte"].drop(index=[5, 6]).sum())
    assert grid.per_day[0] == pytest.approx(rows["fte"].iloc[:24].drop(index=[5, 6]).sum())


def test_a_late_first_day_starts_the_grid_at_its_date():
    rows = _rows("2026-03-02", 2, 60).iloc[30:]  # starts at 06:00 on the second day
    grid = day_grid(rows, "fte", 60)
    assert list(grid.cells.index) == [dt.date(2026, 3, 3)]
    assert np.isnan(grid.cells.iloc[0, 5]) and grid.cells.iloc[0, 6] == rows["fte"].iloc[0]
    assert grid.per_day.tolist() == [pytest.approx(rows["fte"].sum())]


class _Plan:
    """The plan attributes :meth:`PlanView.from_plan` reads, set by hand."""

    def __init__(self, intervals: pd.DataFrame):
        self.intervals = intervals
        self.timezone = TZ
        self.interval_minutes = 30
        self.name = "by hand"
        self.skills = self.backtest = self.weekly = self.weekly_total = pd.DataFrame()
        self.history = self.nht_profile = pd.DataFrame()
        self.config = None

    def run_facts(self) -> dict:
        return {"days": 1}

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame({"skill_id": [1]})


def _intervals() -> pd.DataFrame:
    from staffing.vocabulary import INTERVAL_COLUMNS

    starts = pd.date_range("2026-10-25 00:00", periods=4, freq="30min")  # naive local
    frame = pd.DataFrame({c: np.zeros(4) for c in INTERVAL_COLUMNS})
    frame["interval_start"] = starts
    frame["skill_id"] = [7, 7, 8, 8]
    frame["skill_name"] = ["Seven", "Seven", "Eight", "Eight"]
    frame["fte"] = [1.0, 2.0, 3.0, 4.0]
    return frame


def test_a_plan_without_later_columns_gets_fte_hours_from_its_fte():
    frame = _intervals().drop(columns=["fte_hours", "binding"])
    frame.insert(0, "extra", 1)
    view = PlanView.from_plan(_Plan(frame), with_summary=True)
    # fte x interval hours: 30-minute intervals
    assert view.intervals["fte_hours"].tolist() == [0.5, 1.0, 1.5, 2.0]
    assert (view.intervals["binding"] == "").all()
    assert view.intervals.columns[-1] == "extra"  # the plan's own columns come first
    assert str(view.intervals["interval_start"].dt.tz) == TZ
    assert view.intervals["interval_start"].iloc[0] == pd.Timestamp("2026-10-25", tz=TZ)
    assert view.summary is not None and view.skills is None
    assert PlanView.from_plan(_Plan(frame)).summary is None


def test_utc_times_are_shown_in_the_plan_zone_and_skills_found_by_id_or_name():
    frame = _intervals()
    frame["interval_start"] = frame["interval_start"].dt.tz_localize(TZ).dt.tz_convert("UTC")
    view = PlanView.from_plan(_Plan(frame))
    assert view.intervals["interval_start"].dt.hour.tolist() == [0, 0, 1, 1]
    assert view.skill_rows(8)["fte"].tolist() == [3.0, 4.0]
    assert view.skill_rows("8")["fte"].tolist() == [3.0, 4.0]
    assert view.skill_rows("Seven")["fte"].tolist() == [1.0, 2.0]
    assert view.skill_order()["skill_id"].tolist() == [7, 8]
    with pytest.raises(DataError, match=r"no skill 'Nine' in the plan; skills: 7 \(Seven\), 8"):
        view.skill_rows("Nine")


def test_a_plan_missing_a_column_or_a_readable_time_is_refused():
    with pytest.raises(DataError, match="lacks the columns volume"):
        PlanView.from_plan(_Plan(_intervals().drop(columns=["volume"])))
    frame = _intervals()
    frame["interval_start"] = ["2026-10-25 00:00", "soon", "later", "never"]
    with pytest.raises(DataError, match="interval_start is not a time"):
        PlanView.from_plan(_Plan(frame))
    spring = _intervals()
    spring["interval_start"] = pd.date_range("2026-03-29 02:00", periods=4, freq="30min")
    with pytest.raises(DataError, match="cannot be read as Europe/Berlin local time"):
        PlanView.from_plan(_Plan(spring))


@pytest.mark.parametrize("skills", [2, 12, 13])
def test_an_unknown_skill_names_the_first_twelve_skills_and_says_when_there_are_more(skills):
    frame = pd.concat([_intervals().iloc[:1]] * skills, ignore_index=True)
    frame["skill_id"] = range(1, skills + 1)
    frame["skill_name"] = [f"S{i}" for i in range(1, skills + 1)]
    view = PlanView.from_plan(_Plan(frame))
    with pytest.raises(DataError) as info:
        view.skill_rows(99)
    listed = ", ".join(f"{i} (S{i})" for i in range(1, min(skills, 12) + 1))
    more = " ..." if skills > 12 else ""
    assert str(info.value) == f"no skill 99 in the plan; skills: {listed}{more}"


def test_interval_grid_lays_out_one_skill_and_refuses_an_unknown_column():
    plan = _Plan(_intervals())
    grid = interval_grid(plan, "Eight", "fte")
    assert interval_grid(plan, 8).equals(grid)  # the FTE by default
    assert grid.index.name == "date"
    assert list(grid.index) == [dt.date(2026, 10, 25)]
    assert grid.loc[dt.date(2026, 10, 25), dt.time(1, 0)] == 3.0
    assert grid.loc[dt.date(2026, 10, 25), dt.time(1, 30)] == 4.0
    assert np.isnan(grid.loc[dt.date(2026, 10, 25), dt.time(0, 0)])
    with pytest.raises(DataError, match=r"plan\.intervals has no column 'nope'"):
        interval_grid(plan, 7, "nope")


def test_no_rows_give_an_empty_grid_with_every_slot_and_zero_totals():
    grid = day_grid(_rows("2026-03-02", 1, 30).iloc[:0], "fte", 30)
    assert grid.cells.shape == (0, 48)
    assert grid.per_day.shape == (0,)
    assert grid.per_slot.tolist() == [0.0] * 48
    assert grid.total == 0.0


def test_infinite_values_show_in_their_cell_and_add_nothing():
    # an unstable queue's ASA is inf: shown where it is, left out of the sums
    rows = _rows("2026-03-02", 1, 60)
    rows.loc[3, "fte"] = np.inf
    rows.loc[4, "fte"] = -np.inf
    grid = day_grid(rows, "fte", 60)
    assert grid.cells.iloc[0, 3] == np.inf
    kept = rows["fte"].drop(index=[3, 4]).sum()
    assert grid.total == pytest.approx(kept)
    assert grid.per_day[0] == pytest.approx(kept)
    assert grid.per_slot[3] == 0.0 and grid.per_slot[4] == 0.0


def test_naive_times_through_the_repeated_hour_are_read_in_order():
    frame = pd.concat([_intervals().iloc[:1]] * 6, ignore_index=True)
    clock = ["01:30", "02:00", "02:30", "02:00", "02:30", "03:00"]  # 02:xx twice: CEST, CET
    frame["interval_start"] = pd.to_datetime([f"2026-10-25 {c}" for c in clock])
    starts = PlanView.from_plan(_Plan(frame)).intervals["interval_start"]
    utc = starts.dt.tz_convert("UTC").dt.strftime("%H:%M").tolist()
    assert utc == ["23:30", "00:00", "00:30", "01:00", "01:30", "02:00"]


def test_every_missing_column_is_named():
    with pytest.raises(DataError) as info:
        PlanView.from_plan(_Plan(_intervals().drop(columns=["volume", "agents"])))
    assert str(info.value) == "plan.intervals lacks the columns volume, agents"


def test_the_view_hands_the_plots_the_plan_history_and_nht_profile():
    plan = _Plan(_intervals())
    plan.history = pd.DataFrame({"nht_s": [300.0]})
    plan.nht_profile = pd.DataFrame({"nht_s": [310.0]})
    view = PlanView.from_plan(plan)
    assert view.history is plan.history and view.nht_profile is plan.nht_profile
    assert view.name == "by hand" and view.interval_minutes == 30 and view.meta == {"days": 1}


def test_a_plan_with_its_own_fte_hours_and_binding_keeps_them():
    frame = _intervals()
    frame["fte_hours"] = [9.0, 8.0, 7.0, 6.0]  # not fte x hours: the plan's own are shown
    frame["binding"] = ["service_level", "", "occupancy", ""]
    view = PlanView.from_plan(_Plan(frame))
    assert view.intervals["fte_hours"].tolist() == [9.0, 8.0, 7.0, 6.0]
    assert view.intervals["binding"].tolist() == ["service_level", "", "occupancy", ""]
