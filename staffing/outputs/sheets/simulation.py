"""The Simulation sheet(s) of a :class:`~staffing.simulation.SimulationResult`, and the
Summary's simulated columns.

Per skill and day, the planned against the simulated service level (with its 95 %
half-width and 10th percentile), abandonment and ASA and the probability that the day meets
its targets; below it, per skill and interval, planned against simulated service level, ASA,
abandonment and occupancy with their 95 % half-widths, the rows whose target is missed with
confidence highlighted by a conditional format, with filters. The interval table continues on
``Simulation 2``, ... past Excel's row limit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell

from staffing.errors import DataError, OutputError
from staffing.outputs import cells, layout
from staffing.outputs.cells import Formats, Widths, prepare, write_frame, write_rows
from staffing.outputs.layout import landscape
from staffing.outputs.view import PlanView

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter import Workbook
    from xlsxwriter.worksheet import Worksheet

    from staffing.simulation import SimulationResult

__all__ = [
    "check_simulation",
    "simulation_note",
    "simulation_sheets",
    "with_simulation",
    "write_simulation",
]

# SimulationResult.summary() columns the Summary shows right after the planned service level.
_SUMMARY_SIMULATED = ("service_level_sim", "worst_day_sl_sim", "p_day_meets_target")
# The plan's analytic figures in the simulation's tables, shown as "planned ..." (*_plan).
_PLANNED = {name: f"{name}_plan" for name in ("service_level", "asa_s", "p_abandon", "occupancy")}
# Rows of the Simulation sheet above the daily table: title, two notes, a blank row, section.
_SIMULATION_TOP = 5


def simulation_note(simulation: SimulationResult) -> str:
    """The Summary's note on its simulated columns.

    Parameters
    ----------
    simulation : staffing.simulation.SimulationResult
        The simulation.

    Returns
    -------
    str
        Text to append to the Summary's note.
    """
    return (
        f"; simulated columns: {simulation.meta.get('replications')} replications "
        "(sheet Simulation)"
    )


def check_simulation(view: PlanView, simulation: SimulationResult) -> None:
    """Refuse a simulation of another plan.

    Parameters
    ----------
    view : PlanView
        The plan.
    simulation : staffing.simulation.SimulationResult
        The simulation to write with it.

    Raises
    ------
    DataError
        ``simulation`` does not simulate the plan of ``view`` (skills, intervals).
    """
    planned = view.intervals["skill_id"].value_counts()
    simulated = (
        simulation.intervals["skill_id"].value_counts()
        if len(simulation.intervals.columns)
        else pd.Series(dtype="int64")
    )
    wrong = [sid for sid, count in simulated.items() if planned.get(sid) != count]
    if wrong:
        raise DataError(
            f"the simulation is not of plan {view.name!r}: skill(s) "
            f"{', '.join(str(s) for s in wrong[:5])} differ in the plan's skills or intervals"
        )


def simulation_sheets(simulation: SimulationResult) -> list[tuple[str, int, int]]:
    """``(sheet name, first, stop)`` of the interval rows each Simulation sheet holds.

    The first sheet has the notes and the daily table above its interval table; the
    interval table continues on ``Simulation 2``, ... past Excel's row limit.

    Parameters
    ----------
    simulation : staffing.simulation.SimulationResult
        The simulation.

    Returns
    -------
    list of (str, int, int)

    Raises
    ------
    OutputError
        The daily table alone does not fit one sheet.
    """
    n_days, n_intervals = len(simulation.daily), len(simulation.intervals)
    # + gap, section, header
    first_sheet = layout.EXCEL_MAX_ROWS - (_SIMULATION_TOP + 1 + n_days + 3)
    if first_sheet < 1:
        raise OutputError(
            f"the simulation's daily table ({n_days:,} rows) does not fit one "
            f"Excel sheet ({layout.EXCEL_MAX_ROWS:,} rows)"
        )
    sheets = [("Simulation", 0, min(n_intervals, first_sheet))]
    while sheets[-1][2] < n_intervals:
        start = sheets[-1][2]
        sheets.append(
            (
                f"Simulation {len(sheets) + 1}",
                start,
                min(n_intervals, start + layout.rows_per_sheet()),
            )
        )
    return sheets


def with_simulation(summary: pd.DataFrame, simulation: SimulationResult) -> pd.DataFrame:
    """The Summary table with the simulated columns after ``service_level`` (by skill id).

    Parameters
    ----------
    summary : DataFrame
        The plan's summary (a total row has no skill id).
    simulation : staffing.simulation.SimulationResult
        A simulation of the plan.

    Returns
    -------
    DataFrame
        A copy with the simulated service level, the worst simulated day and P(day meets
        target); NaN where a row is not a simulated skill.
    """
    if "skill_id" not in summary.columns:
        return summary
    simulated = simulation.summary()
    keys = pd.to_numeric(summary["skill_id"], errors="coerce").tolist()
    ids = pd.to_numeric(simulated["skill_id"], errors="coerce").tolist()
    out = summary.copy()
    at = (
        list(out.columns).index("service_level") + 1
        if "service_level" in out.columns
        else len(out.columns)
    )
    for offset, name in enumerate(_SUMMARY_SIMULATED):
        by_id = dict(zip(ids, simulated[name].astype(float).tolist(), strict=True))
        values = [by_id.get(key, math.nan) if not pd.isna(key) else math.nan for key in keys]
        out.insert(at + offset, name, np.asarray(values, dtype=float))
    return out


def write_simulation(
    workbook: Workbook, view: PlanView, simulation: SimulationResult, formats: Formats
) -> None:
    """The Simulation sheet(s): notes, the daily table, the interval table (highlighted).

    Parameters
    ----------
    workbook : Workbook
        The workbook (the sheets are added to it, named :func:`simulation_sheets`).
    view : PlanView
        The plan.
    simulation : staffing.simulation.SimulationResult
        A simulation of the plan.
    formats : Formats
        The workbook's formats.
    """
    daily = simulation.daily.rename(columns=_PLANNED)
    intervals = simulation.intervals.rename(columns=_PLANNED)
    for number, (name, start, stop) in enumerate(simulation_sheets(simulation)):
        ws = workbook.add_worksheet(name)
        widths = Widths()
        landscape(ws)
        if number == 0:
            _write_simulation_head(ws, view, simulation, daily, formats, widths)
            row = _SIMULATION_TOP + 1 + len(daily) + 1
            ws.write_string(
                row,
                0,
                "Per skill and interval: planned against simulated (rows in red "
                "miss a target with 95 % confidence; under day or week scope no interval "
                "is missed, and its shortfalls are information)",
                formats.section,
            )
            header = row + 1
        else:
            header = 0
            ws.freeze_panes(1, 0)
        _write_simulation_intervals(ws, intervals, start, stop, header, view, formats, widths)
        widths.apply(ws)


def _simulation_text(view: PlanView, simulation: SimulationResult) -> tuple[str, str]:
    """The two notes of the first Simulation sheet: how it was simulated; how to read it."""
    meta = simulation.meta
    shape = meta.get("handle_time", "")
    if shape != "exponential":
        shape = f"{shape} (CV {meta.get('handle_time_cv', math.nan):g})"
    how = (
        f"{meta.get('replications')} replications, seed {meta.get('seed')}; {shape} handle "
        f"times, {'ramped' if meta.get('ramp') else 'constant'} arrivals per interval, chat "
        f"routing {meta.get('routing')}, at close: {meta.get('at_close')}; "
        f"{meta.get('contacts', 0):,} contacts simulated on {meta.get('executor')}; "
        f"{_forecast_error_text(meta.get('forecast_error'))}. Times are local to "
        f"{view.timezone}. Rules: staffing simulate --help."
    )
    skipped = [
        f"{s['skill_id']} {s['skill_name']}: {s['note']}"
        for s in meta.get("skills", [])
        if s.get("note")
    ]
    reading = (
        "Planned: the plan's formulas, volume-weighted over a day. Simulated: the mean over "
        "replications (a day's service level is answered within the threshold over all its "
        "arrivals) and its 95 % half-width (±). P(meets every target) is with the forecast "
        "error drawn, beside it with the volume known. Under day or week scope an interval "
        "below a per-interval target is not a miss: 'Below an interval target' lists it "
        "as information." + (f" {'; '.join(skipped)}." if skipped else "")
    )
    return how, reading


def _forecast_error_text(drawn: dict[str, Any] | None) -> str:
    """The forecast error the simulation drew, in words."""
    if not drawn:
        return "the forecast taken as exact (no forecast error drawn)"
    cvs = ", ".join(f"skill {sid} {cv:.1%}" for sid, cv in drawn["daily_cv"].items())
    return (
        f"forecast error drawn per skill and day (daily CV {cvs}; "
        f"correlation {drawn['correlation']:g})"
    )


def _write_simulation_head(
    ws: Worksheet,
    view: PlanView,
    simulation: SimulationResult,
    daily: pd.DataFrame,
    formats: Formats,
    widths: Widths,
) -> None:
    """Title, notes and the daily table of the first Simulation sheet."""
    ws.write_string(
        0, 0, f"Simulation of plan {view.name}: planned against simulated", formats.title
    )
    how, reading = _simulation_text(view, simulation)
    ws.write_string(1, 0, how, formats.note)
    ws.write_string(2, 0, reading, formats.note)
    ws.write_string(
        _SIMULATION_TOP - 1,
        0,
        "Per skill and day: planned against simulated, "
        "the 10th percentile of the day's service level over replications and "
        "the probability that the day meets every target",
        formats.section,
    )
    if len(daily.columns):
        write_frame(ws, daily, _SIMULATION_TOP, formats, widths, view.timezone)
    else:
        ws.write_string(_SIMULATION_TOP, 0, "no skill was simulated")


def _write_simulation_intervals(
    ws: Worksheet,
    intervals: pd.DataFrame,
    start: int,
    stop: int,
    header: int,
    view: PlanView,
    formats: Formats,
    widths: Widths,
) -> None:
    """Interval rows ``start:stop`` below ``header``, filtered, missed targets highlighted."""
    if not len(intervals.columns):
        return
    labels = [c.label for c in prepare(intervals.iloc[:1], view.timezone)]
    for col, label in enumerate(labels):
        ws.write_string(header, col, label, formats.header)
        widths.see(col, min(len(label), 40) + 2)  # + the filter button
    if stop <= start:
        return
    first, last = header + 1, header + stop - start
    ws.autofilter(header, 0, last, len(labels) - 1)
    flag = xl_rowcol_to_cell(first, list(intervals.columns).index("target_missed"), col_abs=True)
    ws.conditional_format(
        first,
        0,
        last,
        len(labels) - 1,
        {"type": "formula", "criteria": f"={flag}=TRUE", "format": formats.highlight},
    )
    for chunk in range(start, stop, cells.CHUNK_ROWS):
        end = min(stop, chunk + cells.CHUNK_ROWS)
        columns = prepare(intervals.iloc[chunk:end], view.timezone)
        write_rows(ws, columns, first + chunk - start, 0, end - chunk, formats)
        for col, column in enumerate(columns):
            widths.see(col, column.width)
