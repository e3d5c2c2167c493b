"""The Shifts sheet of a :class:`~staffing.shifts.schedule.Schedule`, and its checks.

Per skill group its paid hours, shifts, coverage efficiency (required agent-hours /
scheduled on-queue hours), over- and under-staffed hours, uncovered intervals and MILP gap;
a grid of heads per template and start time (rows) by day (columns); and every shift
(template, start, end, break, heads, paid hours) with filters.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffing.errors import DataError, OutputError
from staffing.outputs import layout
from staffing.outputs.cells import DATE_WIDTHS, Formats, Widths, scalar_serial, write_frame
from staffing.outputs.layout import landscape
from staffing.outputs.sheets.coverage import COVERAGE_CHART_ROWS
from staffing.outputs.view import PlanView

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter.worksheet import Worksheet

    from staffing.shifts.schedule import Schedule

__all__ = ["check_schedule", "schedule_note", "write_shifts_sheet"]


def schedule_note(schedule: Schedule) -> str:
    """The Summary's note on the schedule's sheets.

    Parameters
    ----------
    schedule : staffing.shifts.schedule.Schedule
        The schedule.

    Returns
    -------
    str
        Text to append to the Summary's note.
    """
    return (
        f"; shifts: sheets Shifts and Coverage ({len(schedule.groups)} skill "
        f"group{'s' if len(schedule.groups) != 1 else ''})"
    )


def check_schedule(view: PlanView, schedule: Schedule) -> None:
    """Refuse a schedule of another plan, or one whose tables do not fit a sheet.

    Parameters
    ----------
    view : PlanView
        The plan.
    schedule : staffing.shifts.schedule.Schedule
        The schedule to write with it.

    Raises
    ------
    DataError
        ``schedule`` is not of the plan of ``view`` (time zone, interval grid, skills).
    OutputError
        The Shifts or a Coverage sheet would pass Excel's row limit.
    """
    per_skill = view.intervals.groupby("skill_id", sort=False).size()
    n_intervals = int(per_skill.iloc[0]) if len(per_skill) else 0
    per_group = schedule.coverage.groupby("skill_group", sort=False).size()
    problems = _grid_problems(view, schedule, n_intervals, per_group)
    if problems:
        raise DataError(f"the schedule is not of plan {view.name!r}: {'; '.join(problems)}")
    # xlsxwriter ignores a row past the sheet's end, so refuse before writing anything
    shifts_rows = 12 + len(schedule.groups) + 2 * len(schedule.shifts)
    coverage_rows = (
        16
        + COVERAGE_CHART_ROWS
        + len(schedule.daily)
        + len(schedule.weekly)
        + int(per_group.max() if len(per_group) else 0)
    )
    if max(shifts_rows, coverage_rows) > layout.EXCEL_MAX_ROWS:
        raise OutputError(
            f"the schedule's tables ({max(shifts_rows, coverage_rows):,} rows) "
            f"do not fit one Excel sheet ({layout.EXCEL_MAX_ROWS:,} rows); write its "
            "CSVs instead (write_outputs with fmt='csv')"
        )


def _grid_problems(
    view: PlanView, schedule: Schedule, n_intervals: int, per_group: pd.Series
) -> list[str]:
    """How the schedule's zone, interval grid and skills differ from the plan's."""
    problems = []
    zone = schedule.meta.get("timezone", view.timezone)
    if zone != view.timezone:
        problems.append(f"its time zone is {zone}, the plan's {view.timezone}")
    minutes = schedule.meta.get("interval_minutes", view.interval_minutes)
    if minutes != view.interval_minutes:
        problems.append(f"its intervals are {minutes} minutes, the plan's {view.interval_minutes}")
    wrong = [str(g) for g, n in per_group.items() if n != n_intervals]
    if wrong:
        problems.append(
            f"skill group(s) {', '.join(wrong[:3])} have another number of "
            f"intervals than the plan's {n_intervals}"
        )
    elif n_intervals:
        first = view.intervals["interval_start"].min()
        if schedule.coverage["interval_start"].min() != first:
            problems.append(
                f"its first interval is {schedule.coverage['interval_start'].min()}"
                f", the plan's {first}"
            )
    planned = {str(s) for s in view.intervals["skill_id"].unique()}
    unknown = sorted(
        {i.strip() for text in schedule.groups["skill_ids"] for i in str(text).split(",")} - planned
    )
    if unknown:
        problems.append(f"skill(s) {', '.join(unknown[:5])} are not in the plan")
    return problems


def write_shifts_sheet(ws: Worksheet, view: PlanView, schedule: Schedule, formats: Formats) -> None:
    """The Shifts sheet: title, the groups table, the heads grid and every shift (filtered).

    Parameters
    ----------
    ws : Worksheet
        The Shifts sheet.
    view : PlanView
        The plan.
    schedule : staffing.shifts.schedule.Schedule
        A schedule of the plan.
    formats : Formats
        The workbook's formats.
    """
    widths = Widths()
    tz = view.timezone
    landscape(ws)
    shifts = schedule.shifts
    ws.write_string(0, 0, f"Shifts of plan {view.name}", formats.title)
    if math.isnan(schedule.paid_hours):
        text = (
            f"No shifts were optimised: the Coverage sheets compare the schedule from "
            f"{schedule.meta.get('source')} with the requirement."
        )
    else:
        text = (
            f"{int(shifts['heads'].sum()):,} shifts, {schedule.paid_hours:,.1f} paid hours "
            f"(length minus the unpaid break), MILP gap {schedule.mip_gap:.2%} "
            f"({schedule.meta.get('solver')})."
        )
    ws.write_string(
        1,
        0,
        text + " Coverage efficiency = required agent-hours / scheduled "
        f"on-queue hours. Times are local to {tz}. Rules: "
        "python -m pydoc staffing.shifts.schedule.",
        formats.note,
    )
    ws.write_string(3, 0, "Per skill group", formats.section)
    row = write_frame(ws, schedule.groups, 4, formats, widths, tz) + 1
    if len(shifts):
        ws.write_string(
            row,
            0,
            "Heads starting per template and start time (rows) and day (columns)",
            formats.section,
        )
        row = _write_heads_grid(ws, shifts, row + 1, tz, formats, widths) + 1
    ws.write_string(row, 0, "Every shift: template, start, unpaid break and heads", formats.section)
    header = row + 1
    end = write_frame(ws, shifts, header, formats, widths, tz)
    if len(shifts):
        ws.autofilter(header, 0, end - 1, len(shifts.columns) - 1)
    widths.apply(ws)


def _heads_grid(shifts: pd.DataFrame) -> pd.DataFrame:
    """Heads per (group, template, start minute of the day) by local start date."""
    starts = pd.DatetimeIndex(shifts["start"])
    frame = pd.DataFrame(
        {
            "skill_group": shifts["skill_group"].astype(str).to_numpy(),
            "shift": shifts["shift"].astype(str).to_numpy(),
            "minute": np.asarray(starts.hour * 60 + starts.minute),
            "date": pd.to_datetime(shifts["date"]).to_numpy(),
            "heads": shifts["heads"].to_numpy(),
        }
    )
    return frame.pivot_table(
        index=["skill_group", "shift", "minute"],
        columns="date",
        values="heads",
        aggfunc="sum",
        fill_value=0,
    )


def _write_heads_grid(
    ws: Worksheet,
    shifts: pd.DataFrame,
    row: int,
    timezone: str,
    formats: Formats,
    widths: Widths,
) -> int:
    """Heads per (group, template, start time) by local start date; return the next row."""
    grid = _heads_grid(shifts)
    days = list(grid.columns)
    ws.write_string(row, 0, "Skill group", formats.header)
    ws.write_string(row, 1, "Shift", formats.header)
    ws.write_string(row, 2, f"Start ({timezone})", formats.header)
    day_fmt = formats.get("date", header=True)
    for k, day in enumerate(days):
        ws.write_number(row, 3 + k, scalar_serial(day, timezone), day_fmt)
        widths.see(3 + k, DATE_WIDTHS["date"])
    ws.write_string(row, 3 + len(days), "Heads", formats.header)
    widths.see(2, len(f"Start ({timezone})"))
    time_fmt, heads_fmt = formats.get("time"), formats.get("int")
    total_fmt = formats.get("int", bold=True)
    values = grid.to_numpy()
    for i, (group, shift, minute) in enumerate(grid.index):
        r = row + 1 + i
        ws.write_string(r, 0, group)
        ws.write_string(r, 1, shift)
        ws.write_number(r, 2, minute / 1440, time_fmt)
        for k in range(len(days)):
            if values[i, k]:
                ws.write_number(r, 3 + k, float(values[i, k]), heads_fmt)
        ws.write_number(r, 3 + len(days), float(values[i].sum()), total_fmt)
        widths.see(0, min(len(group), 40))
        widths.see(1, len(shift))
    return row + 1 + len(grid)
