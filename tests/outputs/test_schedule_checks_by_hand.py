"""The checks before a schedule or a simulation is written, and the edges of the Coverage sheet.

Rules protected:
- a schedule that does not say its time zone or interval length is taken as of the plan's
  (only a stated, different one is refused);
- the skill groups with another number of intervals than the plan are named in the
  schedule's order (the order of its groups, not alphabetical), three at most;
- the plan's number of intervals is read from its only skill as well as from several;
- an empty schedule of a plan without intervals is not refused, and the row count that
  decides whether it fits one sheet (title, notes, chart and sections: 34 rows) is exact;
- every skill group gets its Coverage sheet: a list of sheet names that does not match the
  groups is refused, never a group silently left out;
- a skill group without intervals gets its tables' headers but no filter, no highlight and
  no chart (there is no first week to draw);
- a simulation of another plan is refused naming five of the skills that differ at most;
- the Shifts sheet's heads grid gives each start's clock time to the minute (08:30 is not
  08:00 nor 07:30), the heads per template, start and local start date summed, a blank for
  none and each row's total; its header cells in the header look.

The plans, schedules and simulations here are small tables written by hand, and every
expected message and row count is written out from them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd
import pytest

from staffing.errors import DataError, OutputError
from staffing.outputs import layout
from staffing.outputs.sheets.coverage import write_coverage
from staffing.outputs.sheets.shifts import check_schedule, write_shifts_sheet
from staffing.outputs.sheets.simulation import check_simulation, with_simulation
from staffing.outputs.view import PlanView
from staffing.shifts.schedule import Schedule
from staffing.simulation import SimulationResult
from tests.outputs.sheet_reading import cell_rows, column_widths, one_sheet, written_book

TZ = "Europe/Paris"
#: One day of hours, from midnight local time.
DAY = pd.date_range("2026-03-02", periods=24, freq="h", tz=TZ)
#: Two days of hours from the same midnight, for a group with more intervals than the plan.
TWO_DAYS = pd.date_range("2026-03-02", periods=48, freq="h", tz=TZ)


#: A skill group's name longer than the 40 characters a column is widened for.
DESK = "Front desk, back office and mailroom (Paris)"


def _day(day: dt.date) -> dt.datetime:
    """A date header as openpyxl reads it back (a datetime at midnight)."""
    return dt.datetime(day.year, day.month, day.day)


def _view(skill_ids, starts=DAY) -> PlanView:
    """A plan of ``skill_ids`` on the grid ``starts`` (one row per skill and interval)."""
    intervals = pd.DataFrame(
        {
            "skill_id": [s for s in skill_ids for _ in starts],
            "interval_start": [t for _ in skill_ids for t in starts],
        }
    )
    return PlanView(name="p", timezone=TZ, interval_minutes=60, intervals=intervals)


def _schedule(groups: dict[str, tuple[str, int]], meta=None, starts=TWO_DAYS) -> Schedule:
    """Groups ``name: (skill ids, number of intervals)``: coverage rows from ``starts``."""
    coverage = pd.DataFrame(
        {
            "skill_group": [g for g, (_, n) in groups.items() for _ in range(n)],
            "interval_start": [t for _, (_, n) in groups.items() for t in starts[:n]],
        }
    )
    table = pd.DataFrame(
        {"skill_group": list(groups), "skill_ids": [ids for ids, _ in groups.values()]}
    )
    empty = pd.DataFrame({"skill_group": pd.Series(dtype=str)})
    return Schedule(
        shifts=pd.DataFrame({"heads": pd.Series(dtype="int64")}),
        coverage=coverage,
        skill_coverage=empty,
        uncovered=empty,
        daily=empty,
        weekly=empty,
        groups=table,
        paid_hours=math.nan,
        mip_gap=0.0,
        meta={} if meta is None else meta,
    )


def _refusal(view, schedule) -> str:
    with pytest.raises(DataError) as caught:
        check_schedule(view, schedule)
    return str(caught.value)


def test_a_schedule_silent_on_zone_and_interval_length_is_taken_as_the_plans():
    """Only a stated, different zone or interval length is refused."""
    view = _view([1, 2])
    check_schedule(view, _schedule({"A": ("1, 2", 24)}, meta={}))
    check_schedule(view, _schedule({"A": ("1, 2", 24)}, meta={"source": "roster.csv"}))
    check_schedule(
        view, _schedule({"A": ("1, 2", 24)}, meta={"timezone": TZ, "interval_minutes": 60})
    )
    assert _refusal(view, _schedule({"A": ("1, 2", 24)}, meta={"timezone": "UTC"})) == (
        f"the schedule is not of plan 'p': its time zone is UTC, the plan's {TZ}"
    )
    assert _refusal(view, _schedule({"A": ("1, 2", 24)}, meta={"interval_minutes": 30})) == (
        "the schedule is not of plan 'p': its intervals are 30 minutes, the plan's 60"
    )


def test_groups_of_another_length_are_named_in_the_schedules_order_three_at_most():
    """The groups named are the first three in the schedule's order, not sorted by name."""
    view = _view([1, 2, 3, 4])
    four = {"Zeta": ("1", 23), "Alpha": ("2", 22), "Mid": ("3", 21), "Beta": ("4", 20)}
    assert _refusal(view, _schedule(four)) == (
        "the schedule is not of plan 'p': skill group(s) Zeta, Alpha, Mid have another "
        "number of intervals than the plan's 24"
    )
    # two wrong, one right: the two in the schedule's order
    three = {"Zeta": ("1", 23), "Mid": ("3", 24), "Alpha": ("2, 4", 25)}
    assert _refusal(view, _schedule(three)) == (
        "the schedule is not of plan 'p': skill group(s) Zeta, Alpha have another "
        "number of intervals than the plan's 24"
    )


def test_a_one_skill_plan_gives_the_number_of_intervals():
    """A plan of one skill: its 24 intervals are the number each group must have."""
    view = _view([7])
    check_schedule(view, _schedule({"Only": ("7", 24)}))
    assert _refusal(view, _schedule({"Only": ("7", 23)})) == (
        "the schedule is not of plan 'p': skill group(s) Only have another number of "
        "intervals than the plan's 24"
    )


def test_an_empty_schedule_of_an_empty_plan_fits_exactly_34_rows(monkeypatch):
    """No interval, no group, no shift: 12 rows of the Shifts sheet, 16 + 18 (the chart) of
    a Coverage sheet; it fits a sheet of 34 rows, not one of 33."""
    empty = pd.DatetimeIndex([], tz=TZ)
    view = _view([], starts=empty)
    schedule = _schedule({}, starts=empty)
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", 34)
    check_schedule(view, schedule)
    monkeypatch.setattr(layout, "EXCEL_MAX_ROWS", 33)
    with pytest.raises(OutputError) as caught:
        check_schedule(view, schedule)
    assert str(caught.value) == (
        "the schedule's tables (34 rows) do not fit one Excel sheet (33 rows); write its "
        "CSVs instead (write_outputs with fmt='csv')"
    )


def _coverage_schedule(hours: dict[str, int]) -> Schedule:
    """Groups ``name: hours of coverage`` with the columns the Coverage sheet writes."""
    coverage = pd.DataFrame(
        {
            "skill_group": [g for g, n in hours.items() for _ in range(n)],
            "interval_start": [t for n in hours.values() for t in DAY[:n]],
            "required": [2.0 for n in hours.values() for _ in range(n)],
            "scheduled": [1.5 for n in hours.values() for _ in range(n)],
            "understaffed": [True for n in hours.values() for _ in range(n)],
        }
    )
    per_day = pd.DataFrame(
        {
            "skill_group": list(hours),
            "required_hours": [2.0 * n for n in hours.values()],
            "scheduled_hours": [1.5 * n for n in hours.values()],
        }
    )
    groups = pd.DataFrame(
        {
            "skill_group": list(hours),
            "skill_ids": [str(k + 1) for k in range(len(hours))],
            "source": ["roster.csv"] * len(hours),
            "paid_hours": [math.nan] * len(hours),
            "efficiency": [math.nan] * len(hours),
            "under_hours": [0.5 * n for n in hours.values()],
            "uncovered_intervals": list(hours.values()),
            "over_hours": [0.0] * len(hours),
        }
    )
    return Schedule(
        shifts=pd.DataFrame({"heads": pd.Series(dtype="int64")}),
        coverage=coverage,
        skill_coverage=coverage.iloc[:0],
        uncovered=coverage.iloc[:0],
        daily=per_day,
        weekly=per_day,
        groups=groups,
        paid_hours=math.nan,
        mip_gap=0.0,
        meta={"source": "roster.csv"},
    )


def test_every_group_gets_its_coverage_sheet_or_the_names_are_refused(tmp_path):
    """Sheet names one short of the groups (or one too many) are an error, not a lost sheet."""
    view = _view([1, 2])
    schedule = _coverage_schedule({"A": 24, "B": 24})
    for names in (["Coverage A"], ["Coverage A", "Coverage B", "Coverage C"]):
        with pytest.raises(ValueError, match="zip"):
            written_book(
                tmp_path,
                lambda wb, formats, names=names: write_coverage(wb, view, schedule, names, formats),
            )
    book, _ = written_book(
        tmp_path,
        lambda wb, formats: write_coverage(wb, view, schedule, ["Cov A", "Cov B"], formats),
    )
    assert book.sheetnames == ["Cov A", "Cov B"]


def test_a_group_without_intervals_gets_headers_but_no_filter_highlight_or_chart(tmp_path):
    """Group B has no coverage row: its interval table is a header alone; A keeps its chart."""
    view = _view([1, 2])
    schedule = _coverage_schedule({"A": 24, "B": 0})
    book, parts = written_book(
        tmp_path,
        lambda wb, formats: write_coverage(wb, view, schedule, ["Cov A", "Cov B"], formats),
    )
    charts = [part for part in parts if part.startswith("xl/charts/chart")]
    assert len(charts) == 1  # A's only
    drawings = [part for part in parts if part.startswith("xl/drawings/drawing")]
    assert len(drawings) == 1
    ws = book["Cov B"]
    rows = cell_rows(ws)
    column_a = [r[0] for r in rows]
    header = column_a.index("Per interval (under-staffed intervals in red)") + 1
    assert rows[header][:3] == [
        f"Interval start ({TZ})",
        "Required on-queue agents",
        "Scheduled on-queue agents",
    ]
    assert len(rows) == header + 1  # nothing below the header
    assert ws.auto_filter.ref is None
    assert list(ws.conditional_formatting) == []
    a = book["Cov A"]
    assert a.auto_filter.ref is not None and len(list(a.conditional_formatting)) == 1


def test_a_simulation_of_other_skills_names_five_at_most():
    """Six skills the plan does not have: the first five are named."""
    view = _view([1, 2])
    ids = [11, 12, 13, 14, 15, 16]
    intervals = pd.DataFrame({"skill_id": [s for s in ids for _ in range(24)]})
    simulation = SimulationResult(
        intervals=intervals, daily=pd.DataFrame(), weekly=pd.DataFrame(), meta={}
    )
    with pytest.raises(DataError) as caught:
        check_simulation(view, simulation)
    assert str(caught.value) == (
        "the simulation is not of plan 'p': skill(s) 11, 12, 13, 14, 15 differ in the plan's "
        "skills or intervals"
    )
    same = SimulationResult(
        intervals=pd.DataFrame({"skill_id": [s for s in (1, 2) for _ in range(24)]}),
        daily=pd.DataFrame(),
        weekly=pd.DataFrame(),
    )
    check_simulation(view, same)


def test_the_heads_grid_gives_each_start_to_the_minute(tmp_path):
    """Starts at 08:30 and 09:45 over eight days: one grid row per (template, clock time), a
    column per local start date (each as wide as a date, past the last column of the shifts'
    table too), heads summed, blank for none, the row's total last."""
    days = [dt.date(2026, 3, d) for d in range(2, 10)]  # Monday 2 to Monday 9 March
    early = "early_front_desk_and_mailroom"  # 29 characters
    rows = [  # (template, date, hour, minute, heads)
        (early, days[0], 8, 30, 2),
        (early, days[1], 8, 30, 3),
        (early, days[1], 8, 30, 1),  # a second row of the same start: summed
        ("late", days[0], 9, 45, 4),
        *[("late", day, 9, 45, 1) for day in days[2:]],
    ]
    starts = [pd.Timestamp(d.year, d.month, d.day, h, m, tz=TZ) for _, d, h, m, _ in rows]
    shifts = pd.DataFrame(
        {
            "skill_group": [DESK] * len(rows),
            "shift": [r[0] for r in rows],
            "date": [r[1] for r in rows],
            "day": [r[1].strftime("%a").lower() for r in rows],
            "start": starts,
            "end": [t + pd.Timedelta(hours=8) for t in starts],
            "break_start": pd.Series([pd.NaT] * len(rows), dtype=f"datetime64[ns, {TZ}]"),
            "break_end": pd.Series([pd.NaT] * len(rows), dtype=f"datetime64[ns, {TZ}]"),
            "heads": [r[4] for r in rows],
            "paid_hours": [8.0 * r[4] for r in rows],
        }
    )
    groups = pd.DataFrame({"skill_group": [DESK], "skill_ids": ["1"], "shifts": [16]})
    schedule = dataclasses.replace(
        _schedule({DESK: ("1", 24)}), shifts=shifts, groups=groups, paid_hours=128.0
    )
    ws, _ = one_sheet(
        tmp_path,
        "Shifts",
        lambda wb, ws, formats: write_shifts_sheet(ws, _view([1]), schedule, formats),
    )
    cells = cell_rows(ws)
    column_a = [r[0] for r in cells]
    top = column_a.index("Heads starting per template and start time (rows) and day (columns)")
    assert cells[top + 1][:12] == [
        "Skill group",
        "Shift",
        f"Start ({TZ})",
        *[_day(day) for day in days],
        "Heads",
    ]
    # every header cell of the grid in the header look: bold on light blue, a bottom border
    for col in range(1, 13):
        cell = ws.cell(top + 2, col)
        assert cell.font.b and cell.border.bottom.style == "thin", cell.coordinate
        assert cell.fill.fgColor.rgb == "FFDDEBF7", cell.coordinate
    assert cells[top + 2][:12] == [DESK, early, dt.time(8, 30), 2, 4, *[None] * 6, 6]
    assert cells[top + 3][:12] == [DESK, "late", dt.time(9, 45), 4, None, *[1] * 6, 10]
    # one blank row, then the table of every shift
    assert cells[top + 4][0] is None
    assert column_a[top + 5] == "Every shift: template, start, unpaid break and heads"
    # the eight date columns, D to K, each wide enough for "Mon 2026-03-02" (14 characters);
    # K is past the shifts' table (A to J), so nothing else widens it
    widths = column_widths(ws)
    assert all(widths.get(col, 0) >= 14 for col in range(4, 12)), widths
    # the group's name widens column A only (to 40 characters at most), the template's B only:
    # B stays below the group's 40, C ("Start (Europe/Paris)", 20) below the template's 29
    assert widths[1] >= 40 and widths[2] >= 29
    assert widths[2] < 40 and widths[3] < 29, widths


def test_a_total_row_named_by_text_gets_blank_simulated_columns():
    """A summary whose total row says "Total" in its skill id (as :func:`write_summary` reads
    totals) is matched by number: the total row's simulated columns are blank, no error."""
    meta = {
        "skills": [{"skill_id": 21, "skill_name": "Voice", "method": "erlang_c"}],
        "horizon": {},
    }
    empty = pd.DataFrame({"skill_id": pd.Series(dtype="int64")})
    simulation = SimulationResult(intervals=empty, daily=empty, weekly=empty, meta=meta)
    summary = pd.DataFrame(
        {"skill_id": ["21", "Total"], "skill_name": ["Voice", "All"], "service_level": [0.8, 0.8]}
    )
    out = with_simulation(summary, simulation)
    assert list(out.columns) == [
        "skill_id",
        "skill_name",
        "service_level",
        "service_level_sim",
        "worst_day_sl_sim",
        "p_day_meets_target",
    ]
    for name in ("service_level_sim", "worst_day_sl_sim", "p_day_meets_target"):
        assert out[name].isna().all()  # Voice was not simulated; the total has no id
