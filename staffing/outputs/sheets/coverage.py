"""The Coverage sheets of a schedule: required against scheduled on-queue agents per group.

``Coverage`` (``Coverage <group>`` per skill group when there are several): a native chart of
required (line) against scheduled (area) on-queue agents in the first week, the over/under
agent-hours per day and per week, and per interval the required and scheduled on-queue
agents, the gap, the heads and the service the schedule achieves, under-staffed intervals
highlighted by a conditional format, with filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell

from staffing.outputs.cells import Formats, Widths, prepare, write_frame, write_rows
from staffing.outputs.layout import finish_chart, landscape, sheet_names
from staffing.outputs.view import PlanView

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter import Workbook
    from xlsxwriter.worksheet import Worksheet

    from staffing.shifts.schedule import Schedule

__all__ = ["COVERAGE_CHART_ROWS", "coverage_sheet_names", "write_coverage"]

#: Rows (of 20 px) the chart of a Coverage sheet covers above its tables.
COVERAGE_CHART_ROWS = 18


def coverage_sheet_names(schedule: Schedule, reserved: Sequence[str]) -> list[str]:
    """``Coverage`` for one skill group, else ``Coverage <group>`` per group (Excel-safe).

    Parameters
    ----------
    schedule : staffing.shifts.schedule.Schedule
        The schedule.
    reserved : sequence of str
        The workbook's other sheets (``Shifts`` is added).

    Returns
    -------
    list of str
        One name per skill group.
    """
    groups = [str(g) for g in schedule.groups["skill_group"]]
    wanted = ["Coverage"] if len(groups) == 1 else [f"Coverage {g}" for g in groups]
    return sheet_names(wanted, reserved=[*reserved, "Shifts"])


def write_coverage(
    workbook: Workbook,
    view: PlanView,
    schedule: Schedule,
    names: Sequence[str],
    formats: Formats,
) -> None:
    """One Coverage sheet per skill group.

    Parameters
    ----------
    workbook : Workbook
        The workbook (the sheets and their charts are added to it).
    view : PlanView
        The plan.
    schedule : staffing.shifts.schedule.Schedule
        A schedule of the plan.
    names : sequence of str
        The sheets' names, one per skill group (:func:`coverage_sheet_names`).
    formats : Formats
        The workbook's formats.
    """
    for label, name in zip(schedule.groups["skill_group"], names, strict=True):
        ws = workbook.add_worksheet(name)
        _write_coverage_sheet(workbook, ws, name, view, schedule, str(label), formats)


def _of_group(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """The rows of one skill group, without the group's column."""
    return frame[frame["skill_group"] == label].drop(columns="skill_group").reset_index(drop=True)


def _write_coverage_sheet(
    workbook: Workbook,
    ws: Worksheet,
    name: str,
    view: PlanView,
    schedule: Schedule,
    label: str,
    formats: Formats,
) -> None:
    """One skill group: notes, the chart, the daily and weekly tables, every interval."""
    widths = Widths()
    tz = view.timezone
    landscape(ws)
    group = schedule.groups[schedule.groups["skill_group"] == label].iloc[0]
    _write_coverage_notes(ws, label, group, tz, formats)
    row = 3 + COVERAGE_CHART_ROWS + 1
    ws.write_string(
        row,
        0,
        "Per day: on-queue agent-hours required and scheduled, over- and "
        "under-staffed hours, paid hours of the shifts starting that day",
        formats.section,
    )
    row = write_frame(ws, _of_group(schedule.daily, label), row + 1, formats, widths, tz) + 1
    ws.write_string(row, 0, "Per plan week", formats.section)
    row = write_frame(ws, _of_group(schedule.weekly, label), row + 1, formats, widths, tz) + 1
    ws.write_string(row, 0, "Per interval (under-staffed intervals in red)", formats.section)
    coverage = _of_group(schedule.coverage, label)
    first, week = _write_coverage_intervals(ws, coverage, row + 1, tz, formats, widths)
    if week:
        _insert_coverage_chart(workbook, ws, name, view, coverage, first, first + week - 1, label)
    widths.apply(ws)


def _write_coverage_notes(
    ws: Worksheet, label: str, group: pd.Series, timezone: str, formats: Formats
) -> None:
    """The title and the two notes: what is compared, and the group's figures."""
    ws.write_string(
        0, 0, f"Coverage of {label}: required against scheduled on-queue agents", formats.title
    )
    ws.write_string(
        1,
        0,
        f"Skills {group['skill_ids']}; schedule: {group['source']}. Required: the plan's "
        "on-queue agents summed over the group's skills; scheduled: heads at work and not on "
        "their unpaid break x (1 - shrinkage); gap = scheduled - required. Service level, "
        "ASA, abandonment and occupancy are what the scheduled agents achieve (whole agents, "
        f"each skill's own method). Times are local to {timezone}. Rules: "
        "python -m pydoc staffing.shifts.schedule.",
        formats.note,
    )
    paid = "" if pd.isna(group["paid_hours"]) else f"{group['paid_hours']:,.1f} paid hours, "
    efficiency = "-" if pd.isna(group["efficiency"]) else f"{group['efficiency']:.1%}"
    ws.write_string(
        2,
        0,
        f"{paid}coverage efficiency {efficiency}; under-staffed {group['under_hours']:,.1f} "
        f"agent-hours in {int(group['uncovered_intervals']):,} intervals (in red below), "
        f"over-staffed {group['over_hours']:,.1f} agent-hours.",
        formats.note,
    )


def _write_coverage_intervals(
    ws: Worksheet,
    coverage: pd.DataFrame,
    header: int,
    timezone: str,
    formats: Formats,
    widths: Widths,
) -> tuple[int, int]:
    """Every interval below ``header``, filtered, under-staffed ones highlighted.

    Returns the first data row and the number of rows in the first week (0 without rows).
    """
    columns = prepare(coverage, timezone)
    for col, column in enumerate(columns):
        ws.write_string(header, col, column.label, formats.header)
        widths.see(col, max(column.width, min(len(column.label), 40) + 2))  # + the filter
    n = len(coverage)
    first = header + 1
    if not n:
        return first, 0
    last = header + n
    ws.autofilter(header, 0, last, len(columns) - 1)
    flag = xl_rowcol_to_cell(first, list(coverage.columns).index("understaffed"), col_abs=True)
    ws.conditional_format(
        first,
        0,
        last,
        len(columns) - 1,
        {"type": "formula", "criteria": f"={flag}=TRUE", "format": formats.highlight},
    )
    write_rows(ws, columns, first, 0, n, formats)
    starts = coverage["interval_start"]
    return first, int((starts < starts.iloc[0] + pd.DateOffset(days=7)).sum())


def _insert_coverage_chart(
    workbook: Workbook,
    ws: Worksheet,
    name: str,
    view: PlanView,
    coverage: pd.DataFrame,
    first: int,
    last: int,
    label: str,
) -> None:
    """Scheduled (area) against required (line) on-queue agents, rows ``first:last``."""
    cols = list(coverage.columns)
    at, required, scheduled = (
        cols.index("interval_start"),
        cols.index("required"),
        cols.index("scheduled"),
    )
    categories = [name, first, at, last, at]
    area = workbook.add_chart({"type": "area"})
    area.add_series(
        {
            "name": "Scheduled on-queue agents",
            "categories": categories,
            "values": [name, first, scheduled, last, scheduled],
            "fill": {"color": "#9DC3E6", "transparency": 30},
            "border": {"none": True},
        }
    )
    line = workbook.add_chart({"type": "line"})
    line.add_series(
        {
            "name": "Required on-queue agents",
            "categories": categories,
            "values": [name, first, required, last, required],
            "line": {"color": "#C00000", "width": 1.5},
        }
    )
    area.combine(line)
    finish_chart(
        ws,
        area,
        title=f"{label}: required against scheduled on-queue agents, first week",
        y_name="On-queue agents",
        rows=COVERAGE_CHART_ROWS,
        interval_minutes=view.interval_minutes,
        timezone=view.timezone,
    )
