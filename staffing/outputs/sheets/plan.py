"""The plan's own sheets: the Summary (table, warnings, chart), one grid per skill, Intervals.

``Summary``
    One row per skill plus a total (``Plan.summary()``), and a native line chart of the
    required FTE per interval in the first week (one series per skill, or the skills with the
    most FTE-hours when there are more than :data:`CHART_MAX_SERIES`), drawn from a block of
    chart data written in hidden columns far right of the table.
one sheet per skill
    A grid of local days (rows) by interval of the day (columns) of required FTE with a
    colour-scale heat map, and beside it the same grid of on-queue agents; totals per day and
    per interval of the day in FTE-hours and agent-hours.
``Intervals`` (``Intervals 2``, ...)
    The long table of ``Plan.intervals`` with filters and the header row frozen, split
    across sheets before Excel's row limit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell

from staffing.outputs import cells, layout
from staffing.outputs.cells import (
    DATE_WIDTHS,
    Formats,
    Widths,
    number_width,
    prepare,
    write_frame,
    write_rows,
)
from staffing.outputs.layout import Progress, finish_chart, landscape, page_header
from staffing.outputs.sheets.shifts import schedule_note
from staffing.outputs.sheets.simulation import simulation_note, with_simulation
from staffing.outputs.view import DayGrid, PlanView, day_grid
from staffing.vocabulary import COLUMN_META, VERSION, WORKLOAD

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter import Workbook
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

    from staffing.shifts.schedule import Schedule
    from staffing.simulation import SimulationResult

__all__ = [
    "CHART_DATA_COL",
    "CHART_MAX_SERIES",
    "SUMMARY_CHART_ROWS",
    "SUMMARY_TABLE_NAME",
    "SUMMARY_TABLE_ROW",
    "interval_sheet_names",
    "write_intervals",
    "write_skill_sheet",
    "write_summary",
]

#: Most series in the Summary chart; beyond this the skills with the most FTE-hours are drawn.
CHART_MAX_SERIES = 10
#: Rows (of 20 px) the Summary chart covers above the summary table.
SUMMARY_CHART_ROWS = 20
#: Row (0-based) of the summary table's header, below the chart, with or without a
#: simulation's columns (a plan without intervals has no chart: its table is at row 3).
SUMMARY_TABLE_ROW = 3 + SUMMARY_CHART_ROWS + 1
#: Workbook-level name of the summary table (header and rows), for links from other files.
SUMMARY_TABLE_NAME = "SummaryTable"
#: First column (0-based; ``AY``) of the Summary chart's data: hidden, far right of the table,
#: outside the print area.
CHART_DATA_COL = 50


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def write_summary(
    workbook: Workbook,
    ws: Worksheet,
    view: PlanView,
    formats: Formats,
    simulation: SimulationResult | None = None,
    schedule: Schedule | None = None,
    rows_note: str | None = None,
) -> None:
    """The Summary sheet: title, the chart on top, the summary table, the warnings.

    Pictures before tables: the chart sits on top, the summary below it, then the warnings;
    the chart's data in hidden columns far right (:data:`CHART_DATA_COL`), outside the
    print area.

    Parameters
    ----------
    workbook : Workbook
        The workbook (the chart is added to it).
    ws : Worksheet
        The Summary sheet.
    view : PlanView
        The plan, with its summary.
    formats : Formats
        The workbook's formats.
    simulation : staffing.simulation.SimulationResult, optional
        A simulation of the plan: its columns join the table.
    schedule : staffing.shifts.schedule.Schedule, optional
        A schedule of the plan: the note names its sheets.
    rows_note : str, optional
        Where the interval rows are when the workbook leaves the Intervals sheet or the
        skill sheets out (:func:`staffing.outputs.layout.rows_note`), shown with the
        warnings.
    """
    widths = Widths()
    landscape(ws)
    _write_summary_title(ws, view, formats, simulation, schedule)
    table_row = SUMMARY_TABLE_ROW if len(view.intervals) else 3
    row, last_col = _write_summary_table(ws, table_row, view, formats, widths, simulation)
    if view.summary is not None:  # a name links keep, whatever the table's columns
        end = xl_rowcol_to_cell(table_row + len(view.summary), last_col, True, True)
        workbook.define_name(SUMMARY_TABLE_NAME, f"=Summary!$A${table_row + 1}:{end}")
    row = _write_warnings(ws, row, view, formats, rows_note)
    last_row = row - 1
    if len(view.intervals):
        _write_summary_chart(workbook, ws, row + 1, view, formats)
    ws.print_area(0, 0, last_row, max(last_col, 9))
    widths.apply(ws)


def _write_summary_title(
    ws: Worksheet,
    view: PlanView,
    formats: Formats,
    simulation: SimulationResult | None,
    schedule: Schedule | None,
) -> None:
    """The title and the note: dates, interval length, time zone, version, other sheets."""
    ws.write_string(0, 0, f"Staffing plan: {view.name}", formats.title)
    starts = view.intervals["interval_start"]
    if len(starts):
        first, last = starts.min(), starts.max()
        span = f"{first:%a %Y-%m-%d} to {last:%a %Y-%m-%d}"
    else:
        span = "no intervals"
    ws.write_string(
        1,
        0,
        f"{span}; {view.interval_minutes}-minute intervals; times are local to {view.timezone}; "
        f"staffing {VERSION}"
        + (simulation_note(simulation) if simulation is not None else "")
        + (schedule_note(schedule) if schedule is not None else ""),
        formats.note,
    )


def _write_summary_table(
    ws: Worksheet,
    row: int,
    view: PlanView,
    formats: Formats,
    widths: Widths,
    simulation: SimulationResult | None,
) -> tuple[int, int]:
    """The summary table (totals bold) and its note; the next row and the table's last column."""
    if view.summary is None:
        return row + 1, 9
    summary = _with_agent_hours(view.summary.reset_index(drop=True), view)
    if simulation is not None:
        summary = with_simulation(summary, simulation)
    ws.repeat_rows(row)
    row = write_frame(
        ws, summary, row, formats, widths, view.timezone, bold_rows=_total_rows(summary)
    )
    row += 1
    if "method" in summary.columns and (summary["method"] == WORKLOAD).any():
        ws.write_string(
            row,
            0,
            "Service level: blank for workload skills, which have no "
            "service-level target (they staff volume x NHT / max occupancy); "
            "the total's is that of the other skills.",
            formats.note,
        )
        row += 2
    return row, len(summary.columns) - 1


def _write_warnings(
    ws: Worksheet, row: int, view: PlanView, formats: Formats, rows_note: str | None
) -> int:
    """The plan's notes to double-check (and where the intervals are); the next row."""
    notes = [str(n) for n in view.meta.get("notes") or []]
    if rows_note:
        notes.append(rows_note)
    ws.write_string(
        row,
        0,
        f"Warnings: what to double-check ({len(notes)})" if notes else "Warnings: none",
        formats.section,
    )
    row += 1
    for note in notes:
        ws.write_string(row, 0, note)
        row += 1
    return row


def _chart_table(view: PlanView) -> tuple[pd.DataFrame, str]:
    """Required FTE per interval over the first local week, one column per chart skill.

    Returns the table (index: interval start; columns: skill ids, in the plan's order) and
    the chart's title.
    """
    intervals = view.intervals
    t0 = intervals["interval_start"].min()
    week = intervals[intervals["interval_start"] < t0 + pd.DateOffset(days=7)]
    wide = week.pivot_table(
        index="interval_start", columns="skill_id", values="fte", aggfunc="sum", sort=False
    )
    load = wide.sum().sort_values(ascending=False, kind="stable")
    chosen = list(load.index[:CHART_MAX_SERIES])
    order = [s for s in view.skill_order()["skill_id"] if s in chosen]
    n_all = intervals["skill_id"].nunique()
    title = "Required FTE per interval, first week"
    if n_all > len(order):
        title += f" ({len(order)} of {n_all} skills with the most FTE-hours)"
    return wide[order].sort_index(), title


def _write_summary_chart(
    workbook: Workbook, ws: Worksheet, row: int, view: PlanView, formats: Formats
) -> None:
    """The chart's data from ``row`` down in hidden columns, and the chart over the table."""
    wide, title = _chart_table(view)
    skill_names = dict(view.skill_order().itertuples(index=False))
    c0 = CHART_DATA_COL
    ws.write_string(row, c0, title + " (chart data)", formats.section)
    header_row = row + 1
    ws.write_string(header_row, c0, f"Interval start ({view.timezone})", formats.header)
    for j, skill in enumerate(wide.columns, start=1):
        ws.write_string(header_row, c0 + j, str(skill_names[skill]), formats.header)
    n_series = len(wide.columns)
    frame = wide.reset_index()
    frame.columns = ["interval_start", *[f"fte_{j}" for j in range(n_series)]]
    metas = [COLUMN_META["interval_start"], *[COLUMN_META["fte"]] * n_series]
    columns = prepare(frame, view.timezone, metas=metas)
    write_rows(ws, columns, header_row + 1, 0, len(frame), formats, first_col=c0)
    ws.set_column(c0, c0, DATE_WIDTHS["datetime"], None, {"hidden": True})
    ws.set_column(c0 + 1, c0 + n_series, 10, None, {"hidden": True})
    first_data, last_data = header_row + 1, header_row + len(frame)

    chart = workbook.add_chart({"type": "line"})
    for j in range(1, n_series + 1):
        chart.add_series(
            {
                "name": ["Summary", header_row, c0 + j],
                "categories": ["Summary", first_data, c0, last_data, c0],
                "values": ["Summary", first_data, c0 + j, last_data, c0 + j],
                "line": {"width": 1.25},
            }
        )
    chart.show_hidden_data()  # its data sits in hidden columns
    finish_chart(
        ws,
        chart,
        title=title,
        y_name="Required FTE",
        rows=SUMMARY_CHART_ROWS,
        interval_minutes=view.interval_minutes,
        timezone=view.timezone,
    )


def _with_agent_hours(summary: pd.DataFrame, view: PlanView) -> pd.DataFrame:
    """Add weekly on-queue agent-hours per skill (and their sum on total rows) when missing."""
    if "skill_id" not in summary.columns or any("agent_hours" in str(c) for c in summary.columns):
        return summary
    iv = view.intervals
    weeks = max(float(view.meta["days"]), 1.0) / 7.0
    hours = iv["agents"].astype(float) * view.interval_minutes / 60.0
    per_skill = hours.groupby(iv["skill_id"].to_numpy(), sort=False).sum() / weeks
    values = summary["skill_id"].map(per_skill).astype(float)
    values[sorted(_total_rows(summary))] = float(per_skill.sum())
    after = "peak_at" if "peak_at" in summary.columns else summary.columns[-1]
    out = summary.copy()
    out.insert(list(out.columns).index(after) + 1, "weekly_agent_hours", values.to_numpy())
    return out


def _total_rows(summary: pd.DataFrame) -> set[int]:
    """Rows of a summary that are totals (bold): a skill id or name saying total or all."""
    rows: set[int] = set()
    for col in ("skill_id", "skill_name", "skill"):
        if col in summary.columns:
            text = summary[col].astype(str).str.strip().str.lower()
            total = text.str.match(r"^(total|all( skills)?)$").to_numpy()
            rows |= {int(i) for i in np.flatnonzero(total)}
    if "skill_id" in summary.columns and "skill_name" in summary.columns:
        rows |= {int(i) for i in np.flatnonzero(summary["skill_id"].isna().to_numpy())}
    return rows


# --------------------------------------------------------------------------------------------
# One sheet per skill
# --------------------------------------------------------------------------------------------


class _GridLayout:
    """Columns of a skill sheet: the date, the FTE grid and its total, a gap, the agents'."""

    def __init__(self, n_slots: int):
        self.n_slots = n_slots
        self.fte_col0 = 1
        self.fte_total_col = self.fte_col0 + n_slots
        self.agent_col0 = self.fte_total_col + 2
        self.agent_total_col = self.agent_col0 + n_slots


def write_skill_sheet(
    ws: Worksheet,
    rows: pd.DataFrame,
    skill_id: object,
    skill_name: object,
    view: PlanView,
    formats: Formats,
) -> None:
    """One skill's sheet: required FTE and on-queue agents by local day and time of day.

    Parameters
    ----------
    ws : Worksheet
        The skill's sheet.
    rows : DataFrame
        The skill's intervals (:attr:`PlanView.intervals` of one skill).
    skill_id, skill_name : object
        The skill, for the title and the printed page header.
    view : PlanView
        The plan.
    formats : Formats
        The workbook's formats.
    """
    fte_grid = day_grid(rows, "fte", view.interval_minutes)
    agent_grid = day_grid(rows, "agents", view.interval_minutes)
    at = _GridLayout(len(fte_grid.cells.columns))
    header = 3
    _write_grid_head(ws, header, at, fte_grid, skill_id, skill_name, view, formats)
    total_row = _write_grid_rows(ws, header + 1, at, fte_grid, agent_grid, view, formats)
    first, last = header + 1, total_row - 1
    if last >= first:
        scale = {
            "type": "3_color_scale",
            "min_color": "#FFFFFF",
            "mid_color": "#FFD966",
            "max_color": "#E06666",
        }
        ws.conditional_format(first, at.fte_col0, last, at.fte_col0 + at.n_slots - 1, scale)
        ws.conditional_format(first, at.agent_col0, last, at.agent_col0 + at.n_slots - 1, scale)
    ws.freeze_panes(header + 1, 1)
    ws.print_area(0, 0, total_row, at.agent_total_col)
    ws.repeat_rows(0, header)
    ws.set_header(page_header(f"{skill_name} (skill {skill_id})", view.name))
    slot_width = _grid_widths(ws, at, fte_grid, view.timezone)
    _print_maps(ws, at, slot_width, view.timezone)


#: Smallest print scale a skill sheet's page may have [%]: at 65 % Calibri 11 prints at
#: about 7 pt; a map too wide for it is split across pages by hours of the day.
MIN_PRINT_SCALE = 65
#: Printable width of a landscape page [px at 96 dpi]: US Letter (11 in, narrower than A4)
#: less xlsxwriter's default 0.7 in margins each side.
PAGE_WIDTH_PX = (11.0 - 2 * 0.7) * 96


def _column_px(chars: float) -> float:
    """Printed width of a column ``chars`` characters wide, as set by ``Widths.apply``
    (content + 2) [px]: 9 px a character, as LibreOffice prints Calibri 11 with its
    substitute font (Excel's own 7 px would leave LibreOffice's pages too narrow)."""
    return (chars + 2) * 9 + 5


def _print_maps(ws: Worksheet, at: _GridLayout, slot_width: float, timezone: str) -> None:
    """Print each heat map on its own pages, landscape, at a scale that fits a page across.

    A page holds the date column (repeated), a share of the day's slots and, on the last
    page of a map, its total: the fewest pages across a map takes at
    :data:`MIN_PRINT_SCALE` or more. Page breaks go before the agents' map and between the
    pages of a map. (Excel ignores manual page breaks under "fit to pages", so the scale is
    set instead.)
    """
    ws.set_landscape()
    ws.repeat_columns(0)
    date_px = _column_px(max(DATE_WIDTHS["date"], 5 + len(timezone)))

    def page_px(slots: int) -> float:
        return date_px + slots * _column_px(slot_width) + _column_px(15)  # the total

    n = at.n_slots
    per_page = next(
        (
            n // p
            for p in range(1, n + 1)
            if n % p == 0 and page_px(n // p) * MIN_PRINT_SCALE <= PAGE_WIDTH_PX * 100
        ),
        1,
    )
    breaks = [at.agent_col0 - 1]  # the gap column starts the agents' page
    for col0 in (at.fte_col0, at.agent_col0):
        breaks += [col0 + k for k in range(per_page, n, per_page)]
    ws.set_v_pagebreaks(sorted(breaks))
    # 90 %: room for a renderer's wider font, so the total never spills onto its own page
    ws.set_print_scale(max(10, min(100, int(PAGE_WIDTH_PX / page_px(per_page) * 90))))


def _write_grid_head(
    ws: Worksheet,
    header: int,
    at: _GridLayout,
    fte_grid: DayGrid,
    skill_id: object,
    skill_name: object,
    view: PlanView,
    formats: Formats,
) -> None:
    """Title, note, the two sections' names and the header row of times of day."""
    ws.write_string(
        0, 0, f"{skill_name} (skill {skill_id}): required FTE and on-queue agents", formats.title
    )
    ws.write_string(
        1,
        0,
        f"Times are local to {view.timezone}. FTE = on-queue agents / (1 - shrinkage). "
        "Totals are FTE-hours and agent-hours and count every interval; on the day clocks go "
        "back the repeated hour shows the larger of its two intervals.",
        formats.note,
    )
    ws.write_string(2, at.fte_col0, "Required FTE (scheduled staff)", formats.section)
    ws.write_string(2, at.agent_col0, "On-queue agents", formats.section)
    time_fmt = formats.get("time", header=True)
    ws.write_string(header, 0, f"Date ({view.timezone})", formats.header)
    slot_serials = [(t.hour * 60 + t.minute) / 1440 for t in fte_grid.cells.columns]
    for k, serial in enumerate(slot_serials):
        ws.write_number(header, at.fte_col0 + k, serial, time_fmt)
    ws.write_string(header, at.fte_total_col, "Total [FTE-h]", formats.header)
    for k, serial in enumerate(slot_serials):
        ws.write_number(header, at.agent_col0 + k, serial, time_fmt)
    ws.write_string(header, at.agent_total_col, "Total [agent-h]", formats.header)


def _write_grid_rows(
    ws: Worksheet,
    first: int,
    at: _GridLayout,
    fte_grid: DayGrid,
    agent_grid: DayGrid,
    view: PlanView,
    formats: Formats,
) -> int:
    """One row per local day from ``first``, then the totals row; return the totals row."""
    date_fmt = formats.get("date")
    fte_fmt, agent_fmt = formats.get("fte"), formats.get("int")
    total_fmt = formats.get("fte", bold=True)
    fte_values = fte_grid.cells.to_numpy(float)
    agent_values = agent_grid.cells.to_numpy(float)
    # Days are local dates: their serials are whole days since Excel's epoch.
    days = np.asarray(fte_grid.cells.index, dtype="datetime64[D]")
    serials = (days - np.datetime64(_EXCEL_EPOCH_DAY, "D")).astype(float).tolist()
    for i, serial in enumerate(serials):
        row = first + i
        ws.write_number(row, 0, serial, date_fmt)
        _write_numbers(ws, row, at.fte_col0, fte_values[i], fte_fmt)
        ws.write_number(row, at.fte_total_col, float(fte_grid.per_day[i]), total_fmt)
        _write_numbers(ws, row, at.agent_col0, agent_values[i], agent_fmt)
        ws.write_number(row, at.agent_total_col, float(agent_grid.per_day[i]), total_fmt)
    total_row = first + len(fte_grid.cells.index)
    ws.write_string(total_row, 0, "Total", formats.get(None, bold=True))
    for k in range(at.n_slots):
        ws.write_number(total_row, at.fte_col0 + k, float(fte_grid.per_slot[k]), total_fmt)
        ws.write_number(total_row, at.agent_col0 + k, float(agent_grid.per_slot[k]), total_fmt)
    ws.write_number(total_row, at.fte_total_col, fte_grid.total, total_fmt)
    ws.write_number(total_row, at.agent_total_col, agent_grid.total, total_fmt)
    return total_row


#: Excel's day zero (serial 0) as a date.
_EXCEL_EPOCH_DAY = "1899-12-30"


def _write_numbers(ws: Worksheet, row: int, col0: int, values: np.ndarray, fmt: Format) -> None:
    """The finite ``values`` from column ``col0`` on; a missing one leaves its cell empty.

    A row with none missing goes in one ``write_row`` of Python floats: the same cells as
    one ``write_number`` each, at a fraction of the calls (a year's skill sheets are
    millions of cells).
    """
    finite = np.isfinite(values)
    if finite.all():
        ws.write_row(row, col0, values.tolist(), fmt)
        return
    for k in np.flatnonzero(finite).tolist():
        ws.write_number(row, col0 + k, float(values[k]), fmt)


def _grid_widths(ws: Worksheet, at: _GridLayout, fte_grid: DayGrid, timezone: str) -> float:
    """Column widths of a skill sheet: every slot as wide as the widest FTE figure (that
    width, in characters, returned)."""
    widths = Widths()
    widths.see(0, max(DATE_WIDTHS["date"], 5 + len(timezone)))
    fte_values = fte_grid.cells.to_numpy(float)
    slot_width = max(5.0, number_width(np.append(fte_values.ravel(), fte_grid.per_slot), "fte"))
    for k in range(at.n_slots):
        widths.see(at.fte_col0 + k, slot_width)
        widths.see(at.agent_col0 + k, slot_width)
    widths.see(at.fte_total_col, 13)
    widths.see(at.agent_total_col, 15)
    widths.see(at.fte_total_col + 1, 1)
    widths.apply(ws, minimum=3)
    return slot_width


# --------------------------------------------------------------------------------------------
# Intervals
# --------------------------------------------------------------------------------------------


def interval_sheet_names(n_rows: int) -> list[str]:
    """The names of the Intervals sheets: ``Intervals``, ``Intervals 2``, ...

    Parameters
    ----------
    n_rows : int
        Interval rows to write.

    Returns
    -------
    list of str
        One name per sheet of :func:`staffing.outputs.layout.rows_per_sheet` rows; one
        sheet at least.
    """
    n_sheets = max(1, math.ceil(n_rows / layout.rows_per_sheet()))
    return ["Intervals" if i == 0 else f"Intervals {i + 1}" for i in range(n_sheets)]


def write_intervals(
    workbook: Workbook, view: PlanView, formats: Formats, progress: Progress | None = None
) -> None:
    """The Intervals sheet(s): ``Plan.intervals`` with filters, split at Excel's row limit.

    Parameters
    ----------
    workbook : Workbook
        The workbook (the sheets are added to it, named :func:`interval_sheet_names`).
    view : PlanView
        The plan.
    formats : Formats
        The workbook's formats.
    progress : Progress, optional
        Told how many rows are written.
    """
    progress = progress or Progress(None)
    frame = view.intervals  # INTERVAL_COLUMNS first, in order (PlanView)
    labels = [c.label for c in prepare(frame.iloc[:1], view.timezone)]
    per_sheet = layout.rows_per_sheet()
    total = len(frame)
    for number, name in enumerate(interval_sheet_names(total)):
        ws = workbook.add_worksheet(name)
        widths = Widths()
        start, stop = number * per_sheet, min(total, (number + 1) * per_sheet)
        if stop > start:
            # Filters over the whole range. An Excel table would be nicer, but xlsxwriter
            # refuses add_table() in constant_memory mode.
            ws.autofilter(0, 0, stop - start, len(labels) - 1)
        for col, label in enumerate(labels):
            ws.write_string(0, col, label, formats.header)
            widths.see(col, len(label) + 2)  # + the filter button
        # Python values for a chunk of rows at a time (cells.CHUNK_ROWS).
        for chunk in range(start, stop, cells.CHUNK_ROWS):
            end = min(stop, chunk + cells.CHUNK_ROWS)
            columns = prepare(frame.iloc[chunk:end], view.timezone)
            write_rows(ws, columns, 1 + chunk - start, 0, end - chunk, formats)
            for col, column in enumerate(columns):
                widths.see(col, column.width)
            progress.count("Intervals rows", end, total)
        ws.freeze_panes(1, 0)
        landscape(ws)
        ws.repeat_rows(0)
        widths.apply(ws)
