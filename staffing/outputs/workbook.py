"""The staffing workbook: a plan as an xlsx file for planners (xlsxwriter, public API only).

One job: turning a :class:`~staffing.plan.Plan` into formatted, streamed sheets (the sheet
writers share the cell preparation, formats and widths, so they stay together). The
workbook (read by Excel and LibreOffice) has these sheets:

``Summary``
    One row per skill plus a total (``Plan.summary()``), and a native line chart of the
    required FTE per interval in the first week (one series per skill, or the skills with the
    most FTE-hours when there are more than :data:`CHART_MAX_SERIES`), drawn from a block of
    chart data written below the table.
``Weekly`` (when the plan has weekly roll-ups)
    Per plan week, all skills and then each skill: volume, agent-hours, FTE-hours, FTE
    headcount, NHT, service level, abandonment and peak agents, with filters.
``Simulation`` (``Simulation 2``, ...; only when a simulation of the plan is given)
    The :class:`~staffing.simulation.SimulationResult`: per skill and day, the planned
    against the simulated service level (with its 95 % half-width and 10th percentile),
    abandonment and ASA and the probability that the day meets its targets; below it, per
    skill and interval, planned against simulated service level, ASA, abandonment and
    occupancy with their 95 % half-widths, the rows whose target is missed with confidence
    highlighted by a conditional format, with filters. The Summary then also shows the
    simulated service level, the worst simulated day of the week and P(day meets target).
``Shifts`` (only when a schedule of the plan is given)
    The :class:`~staffing.shifts.schedule.Schedule`: per skill group its paid hours, shifts,
    coverage efficiency (required agent-hours / scheduled on-queue hours), over- and
    under-staffed hours, uncovered intervals and MILP gap; a grid of heads per template and
    start time (rows) by day (columns); and every shift (template, start, end, break,
    heads, paid hours) with filters.
``Coverage`` (``Coverage <group>`` per skill group when there are several)
    Per skill group: a native line chart of required against scheduled on-queue agents in
    the first week, the over/under agent-hours per day and per week, and per interval the
    required and scheduled on-queue agents, the gap, the heads and the service the schedule
    achieves, under-staffed intervals highlighted by a conditional format, with filters.
    The Assumptions sheet then also says how shrinkage and scheduled breaks combine.
one sheet per skill
    A grid of local days (rows) by interval of the day (columns) of required FTE with a
    colour-scale heat map, and beside it the same grid of on-queue agents; totals per day and
    per interval of the day in FTE-hours and agent-hours.
``Intervals`` (``Intervals 2``, ...)
    The long table of ``Plan.intervals`` with filters (an autofilter over the whole range)
    and the header row frozen, split across sheets before Excel's row limit
    (:data:`EXCEL_MAX_ROWS`).
``Assumptions``
    The plan's metadata (history window, sources, version, run time), the configuration as it
    was applied with every credential-like key redacted, the resolved settings per skill and
    the forecast backtest.

Times are the plan's local wall-clock times, written as real Excel datetimes (Excel has no
time zones, so the zone is named in the headers). Each column's label, unit and number
format come from :data:`staffing.vocabulary.COLUMN_META`.

The workbook is streamed in xlsxwriter's ``constant_memory`` mode. That mode cannot hold an
Excel table (``add_table`` refuses it), hence the autofilter; and it keeps one temporary file
open per sheet until the workbook is closed, hence :func:`~staffing.outputs.safety.
open_files_allowed` around the write. Files are replaced atomically and an existing file
this program did not write is only overwritten with ``force=True``
(:mod:`staffing.outputs.safety`).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xlsxwriter
from pydantic import SecretBytes, SecretStr
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_rowcol_to_cell

from staffing.errors import DataError, OutputError
from staffing.outputs.intervals_csv import (
    check_schedule_csvs,
    write_intervals_csv,
    write_intervals_parquet,
    write_schedule_csvs,
)
from staffing.outputs.safety import (
    GENERATOR_PROPERTY,
    atomic_replace,
    check_outputs,
    check_target,
    check_workbook_suffix,
    describe_os_error,
    is_staffing_workbook,
    open_files_allowed,
    temp_folder_beside,
)
from staffing.outputs.view import PlanView, day_grid, display_summary
from staffing.vocabulary import COLUMN_META, VERSION, ColumnMeta

if TYPE_CHECKING:  # pragma: no cover
    from staffing.plan import Plan
    from staffing.shifts.schedule import Schedule
    from staffing.simulation import SimulationResult

__all__ = [
    "CHART_DATA_COL",
    "CHART_MAX_SERIES",
    "COVERAGE_CHART_ROWS",
    "EXCEL_MAX_ROWS",
    "INTERVALS_SHEET_MAX_ROWS",
    "NUMBER_FORMATS",
    "SHEET_NAME_MAX",
    "SUMMARY_CHART_ROWS",
    "sheet_names",
    "write_outputs",
    "write_workbook",
]

#: Rows in one Excel worksheet. Tests lower it with monkeypatch to exercise the split cheaply.
EXCEL_MAX_ROWS = 1_048_576
#: Longest worksheet name Excel accepts, in UTF-16 code units.
SHEET_NAME_MAX = 31
#: Most series in the Summary chart; beyond this the skills with the most FTE-hours are drawn.
CHART_MAX_SERIES = 10
#: Rows (of 20 px) the Summary chart covers above the summary table.
SUMMARY_CHART_ROWS = 20
#: Rows (of 20 px) the chart of a Coverage sheet covers above its tables.
COVERAGE_CHART_ROWS = 18
#: First column (0-based; ``AY``) of the Summary chart's data: hidden, far right of the table,
#: outside the print area.
CHART_DATA_COL = 50
#: Most interval rows the workbook holds by default: above this the ``Intervals`` sheet is
#: left out (its rows go to the CSV or Parquet file beside the workbook). 200,000 rows are
#: about 20 s and 15 MB of workbook; a year of 15-minute intervals for 6 skills is 210,000.
INTERVALS_SHEET_MAX_ROWS = 200_000

#: Excel number format of each display kind of :class:`staffing.vocabulary.ColumnMeta`.
NUMBER_FORMATS = {
    "datetime": "ddd yyyy-mm-dd hh:mm",
    "date": "ddd yyyy-mm-dd",
    "time": "hh:mm",
    "percent": "0.0%",
    "seconds": '#,##0.0" s"',
    "fte": "#,##0.0",
    "hours": "#,##0.0",
    "erlang": "#,##0.00",
    "volume": "#,##0.0",
    "int": "#,##0",
    "id": "0",
    "float": "#,##0.00",
    "text": "@",
}

_CHUNK_ROWS = 50_000
_SETTING_WIDTH = 40  # characters of the Assumptions value column before text wraps
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEET_NAMES = {"summary", "assumptions", "history"}
# Keys whose values are never written anywhere: LivePerson's OAuth1 key, secret, token and
# token secret, and anything else that looks like a credential.
_SECRET_KEY = re.compile(
    r"secret|token|passw|credential|auth|(?:^|_)key$|^key_|consumer", re.IGNORECASE
)
_REDACTED = "[redacted]"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Open files a workbook needs besides one per sheet: the output, xlsxwriter's part files.
_FILES_BESIDES_SHEETS = 16

# Width in characters of a value shown with each date/time format.
_DATE_WIDTHS = {"datetime": 20, "date": 14, "time": 5}


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def write_outputs(
    plan: Plan,
    out_path: str | os.PathLike,
    *,
    fmt: str = "xlsx",
    force: bool = False,
    csv_path: str | os.PathLike | None = None,
    simulation: SimulationResult | None = None,
    schedule: Schedule | None = None,
    intervals_sheet: bool | None = None,
    parquet_path: str | os.PathLike | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the outputs of a plan: the workbook (and optionally the CSV), or only the CSV.

    Every target is checked before anything is written, so a refusal writes nothing.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    out_path : path
        The workbook (``fmt="xlsx"``, must end in ``.xlsx``) or the intervals CSV
        (``fmt="csv"``).
    fmt : {"xlsx", "csv"}
        Output format of ``out_path``.
    force : bool
        Overwrite existing files even when this program did not write them.
    csv_path : path, optional
        With ``fmt="xlsx"``: also write the intervals CSV here.
    simulation : staffing.simulation.SimulationResult, optional
        A simulation of ``plan`` (:func:`staffing.simulate`): the workbook gets the
        ``Simulation`` sheet and the Summary its simulated columns. Only with
        ``fmt="xlsx"``.
    schedule : staffing.shifts.schedule.Schedule, optional
        A schedule of ``plan`` (:func:`staffing.schedule`): the workbook gets the ``Shifts``
        and ``Coverage`` sheets, and beside the intervals CSV (``out_path`` with
        ``fmt="csv"``, else ``csv_path``) its shifts and coverage CSVs are written
        (:func:`staffing.outputs.intervals_csv.schedule_csv_paths`).
    intervals_sheet : bool, optional
        With ``fmt="xlsx"``: write the ``Intervals`` sheet(s). None (the default): only when
        the plan has at most :data:`INTERVALS_SHEET_MAX_ROWS` interval rows.
    parquet_path : path, optional
        With ``fmt="xlsx"``: also write the intervals as Parquet here (needs pyarrow, the
        ``parquet`` extra).
    progress : callable, optional
        Called with a short message as each part is written (the command line prints them).

    Returns
    -------
    list of Path
        The files written, workbook first, then the intervals CSV (and Parquet file) and the
        schedule's CSVs.

    Raises
    ------
    OutputError
        Unknown format, a simulation with ``fmt="csv"``, a target that is a directory, open
        in another program, not ours to overwrite, or a write that failed (the previous
        file is then left as it was).
    """
    kind = check_outputs(out_path, fmt=fmt, force=force, csv_path=csv_path)
    out_path = Path(out_path)
    if kind == "csv" and simulation is not None:
        raise OutputError(
            f"cannot write a simulation to {out_path}: the simulation goes "
            "into the workbook (xlsx) only"
        )
    intervals_csv = out_path if kind == "csv" else csv_path
    if schedule is not None and intervals_csv is not None:
        check_schedule_csvs(intervals_csv, force=force)
    if kind == "csv":
        _say(progress, f"writing the intervals CSV {out_path} ({len(plan.intervals):,} rows)")
        written = [write_intervals_csv(plan, out_path, force=force)]
    else:
        if intervals_sheet is None:
            intervals_sheet = len(plan.intervals) <= INTERVALS_SHEET_MAX_ROWS
        written = [
            write_workbook(
                plan,
                out_path,
                force=force,
                simulation=simulation,
                schedule=schedule,
                intervals_sheet=intervals_sheet,
                progress=progress,
            )
        ]
        if csv_path is not None:
            _say(progress, f"writing the intervals CSV {csv_path} ({len(plan.intervals):,} rows)")
            written.append(write_intervals_csv(plan, csv_path, force=force))
        if parquet_path is not None:
            _say(progress, f"writing the intervals Parquet file {parquet_path}")
            written.append(write_intervals_parquet(plan, parquet_path, force=force))
    if schedule is not None and intervals_csv is not None:
        written += write_schedule_csvs(schedule, intervals_csv, force=force)
    return written


def _say(progress: Callable[[str], None] | None, message: str) -> None:
    if progress is not None:
        progress(message)


class _Progress:
    """Progress of a workbook write: stage messages, and counts at most every 2 s."""

    def __init__(self, callback: Callable[[str], None] | None):
        self.callback = callback
        self.last = 0.0

    def stage(self, message: str) -> None:
        if self.callback is not None:
            self.callback(message)
            self.last = time.monotonic()

    def count(self, message: str, done: int, total: int) -> None:
        if self.callback is not None and (done == total or time.monotonic() - self.last >= 2):
            self.stage(f"{message}: {done:,} of {total:,}")


def write_workbook(
    plan: Plan,
    path: str | os.PathLike,
    *,
    force: bool = False,
    simulation: SimulationResult | None = None,
    schedule: Schedule | None = None,
    intervals_sheet: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the staffing workbook of a plan, atomically.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    path : path
        Target ``.xlsx`` file; missing parent folders are created.
    force : bool
        Overwrite an existing file even when it is not a workbook written by this program.
    simulation : staffing.simulation.SimulationResult, optional
        A simulation of ``plan`` (:func:`staffing.simulate`). With it the workbook gets the
        ``Simulation`` sheet (after ``Weekly``) and the Summary the simulated service
        level, the worst simulated day of the week and P(day meets target) beside the
        planned service level. Without it the workbook is the plan's alone.
    schedule : staffing.shifts.schedule.Schedule, optional
        A schedule of ``plan`` (:func:`staffing.schedule`). With it the workbook gets the
        ``Shifts`` sheet and one ``Coverage`` sheet per skill group (after ``Weekly`` and
        ``Simulation``), and the Assumptions sheet how shrinkage and scheduled breaks
        combine, the solver and its settings.
    intervals_sheet : bool
        Write the ``Intervals`` sheet(s) (the long table; most of a big workbook's size and
        time). Without it the Summary says where the intervals are not.
    progress : callable, optional
        Called with a short message per part written (sheets, rows of the Intervals table
        at most every 2 s, the final compression), e.g. ``print``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        The target is a directory, open in a spreadsheet program (lock file or file lock),
        not a staffing workbook (without ``force``), or the write failed; in every case the
        previous file is left byte-identical.
    DataError
        ``plan.intervals`` lacks a required column, or ``simulation`` is not a simulation
        of this plan (other skills, or another number of intervals), or ``schedule`` not
        a schedule of this plan (another time zone or interval grid).

    Notes
    -----
    The workbook is written in xlsxwriter's ``constant_memory`` mode (one row in memory per
    sheet), so a year of hourly intervals for hundreds of skills fits in modest memory. That
    mode keeps one temporary file open per sheet until the end, so this process's soft limit
    on open files is raised for the write when the sheets need more
    (:func:`staffing.outputs.safety.open_files_allowed`); a hard limit too low for them is
    an OutputError before anything is written.
    """
    path = Path(path)
    check_workbook_suffix(path)
    check_target(
        path, force=force, ours=is_staffing_workbook, what="a workbook written by staffing"
    )
    view = PlanView.from_plan(plan, with_summary=True)
    n_sheets = (
        4
        + view.intervals["skill_id"].nunique()
        + (math.ceil(len(view.intervals) / _rows_per_interval_sheet()) if intervals_sheet else 0)
    )
    if simulation is not None:
        _check_simulation(view, simulation)
        n_sheets += len(_simulation_sheets(simulation))
    if schedule is not None:
        _check_schedule(view, schedule)
        n_sheets += 1 + len(schedule.groups)
    with open_files_allowed(n_sheets + _FILES_BESIDES_SHEETS), atomic_replace(path) as tmp:
        try:
            _build_workbook(view, tmp, simulation, schedule, intervals_sheet, _Progress(progress))
        except XlsxWriterException as exc:
            cause = exc.__context__ if isinstance(exc.__context__, OSError) else None
            raise OutputError(
                describe_os_error(cause, path)
                if cause is not None
                else f"cannot write {path}: {exc}"
            ) from exc
    return path


def sheet_names(names: Sequence[str], reserved: Sequence[str] = ()) -> list[str]:
    """Excel-safe, unique worksheet names for ``names``, in the same order.

    Characters Excel forbids (``[ ] : * ? / \\``) become ``_``; leading and trailing
    apostrophes and spaces are dropped; names are cut to 31 UTF-16 code units; a name equal
    (case-insensitively, as Excel compares) to an earlier one, to ``reserved``, to
    ``Summary`` or ``Assumptions`` (sheets of every workbook) or to ``History`` (reserved
    by Excel) gets a
    `` (2)``, `` (3)``, ... suffix within the limit; an empty name becomes ``Sheet``.

    Parameters
    ----------
    names : sequence of str
        The wanted names (e.g. skill names); other values are turned into text.
    reserved : sequence of str
        Names already taken in the workbook.

    Returns
    -------
    list of str
        One name per entry of ``names``.
    """
    taken = {r.casefold() for r in reserved} | _RESERVED_SHEET_NAMES
    out = []
    for raw in names:
        base = _INVALID_SHEET_CHARS.sub("_", str(raw)).strip().strip("'").strip() or "Sheet"
        name = _cut_utf16(base, SHEET_NAME_MAX)
        number = 1
        while name.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            name = _cut_utf16(base, SHEET_NAME_MAX - len(suffix)).rstrip().rstrip("'") + suffix
        taken.add(name.casefold())
        out.append(name)
    return out


# --------------------------------------------------------------------------------------------
# Workbook
# --------------------------------------------------------------------------------------------


class _Formats:
    """Cached xlsxwriter formats by (number format kind, bold)."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self._wb = workbook
        self._cache: dict[tuple, Any] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.note = workbook.add_format({"italic": True, "font_color": "#555555"})
        self.section = workbook.add_format({"bold": True, "font_size": 12})
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    def get(
        self, kind: str | None, bold: bool = False, header: bool = False, left: bool = False
    ) -> Any:
        key = (kind, bold, header, left)
        if key not in self._cache:
            props: dict[str, Any] = {}
            if kind and kind != "text":
                props["num_format"] = NUMBER_FORMATS[kind]
            if bold:
                props["bold"] = True
            if left:
                props["align"] = "left"
            if header:
                props.update({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
            self._cache[key] = self._wb.add_format(props) if props else None
        return self._cache[key]


class _Widths:
    """Widest content seen per column of one sheet, applied at the end."""

    def __init__(self) -> None:
        self.chars: dict[int, float] = {}

    def see(self, col: int, chars: float) -> None:
        if chars > self.chars.get(col, 0):
            self.chars[col] = chars

    def apply(self, ws: Any, minimum: float = 4, maximum: float = 60) -> None:
        for col, chars in self.chars.items():
            ws.set_column(col, col, min(max(chars + 2, minimum), maximum))


@dataclass
class _Column:
    """One column prepared for fast row-wise writing."""

    label: str
    kind: str | None  # key of NUMBER_FORMATS, or None for text
    values: list
    writer: str  # "number" or "string" when every value is one (or None), else "any"
    width: float


def _meta_of(name: str, series: pd.Series) -> ColumnMeta:
    """The declared meaning of a column (COLUMN_META), else a plain one from its values."""
    declared = COLUMN_META.get(str(name))
    if declared is not None:
        return declared
    return ColumnMeta(str(name), _plain_kind(series))


def _plain_kind(series: pd.Series) -> str:
    """Display kind of an undeclared column, from its values alone."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return "text"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "datetime"
    if pd.api.types.is_integer_dtype(series.dtype):
        return "int"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "float"
    sample = series.dropna()
    if len(sample) and isinstance(sample.iloc[0], (datetime, pd.Timestamp)):
        return "datetime"
    if len(sample) and isinstance(sample.iloc[0], date):
        return "date"
    return "text"


def _setting_kind(key: str, value: int | float) -> str:
    """Display kind of a numeric setting ``a.b.c``: COLUMN_META of ``a.b.c``, ``b.c``, ``c``.

    List indices are dropped first (``skills[4].service_level.target`` is looked up as
    ``service_level.target``); an undeclared setting is an ``int`` or a ``float``.
    """
    parts = re.sub(r"\[\d+\]", "", key).split(".")
    for first in range(len(parts)):
        declared = COLUMN_META.get(".".join(parts[first:]))
        if declared is not None:
            return declared.kind
    return "int" if isinstance(value, int) else "float"


def _excel_serial(series: pd.Series, timezone: str) -> np.ndarray:
    """Excel serial day numbers of local wall-clock times (NaN where missing)."""
    values = series
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(values, utc=None)
    if values.dt.tz is not None:
        values = values.dt.tz_convert(timezone).dt.tz_localize(None)
    return ((values - _EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(float)


def _scalar_serial(value: Any, timezone: str) -> float | None:
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(timezone).tz_localize(None)
    return (stamp - _EXCEL_EPOCH) / pd.Timedelta(days=1)


def _number_width(values: np.ndarray, kind: str | None) -> float:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 4
    biggest = float(np.max(np.abs(finite)))
    decimals = {
        "percent": 1,
        "seconds": 1,
        "fte": 1,
        "hours": 1,
        "volume": 1,
        "erlang": 2,
        "float": 2,
    }
    text = f"{biggest * (100 if kind == 'percent' else 1):,.{decimals.get(kind or '', 0)}f}"
    extra = {"percent": 1, "seconds": 2}.get(kind or "", 0)
    return len(text) + extra + (1 if np.min(finite) < 0 else 0)


def _prepare(
    frame: pd.DataFrame,
    timezone: str,
    label_tz: bool = True,
    metas: Sequence[ColumnMeta] | None = None,
) -> list[_Column]:
    """Convert each column once into Python values ready for xlsxwriter.

    The values decide how a column is written (dates, numbers or text); its meaning
    (``metas``, else COLUMN_META by name) gives the label and the number format.
    """
    columns = []
    for index, name in enumerate(frame.columns):
        series = frame[name]
        meta = metas[index] if metas is not None else _meta_of(name, series)
        written_as = _plain_kind(series)
        if written_as in ("datetime", "date"):
            kind = meta.kind if meta.kind in ("datetime", "date") else written_as
        elif written_as == "text":
            kind = None
        else:
            kind = (
                meta.kind if meta.kind not in ("text", "datetime", "date", "time") else (written_as)
            )
        label = meta.label
        if label_tz and kind in ("datetime", "date"):
            label += f" ({timezone})"
        if kind in ("datetime", "date"):
            if kind == "date":
                series = pd.to_datetime(series)
            serial = _excel_serial(series, timezone)
            values = [None if math.isnan(v) else v for v in serial.tolist()]
            columns.append(_Column(label, kind, values, "number", _DATE_WIDTHS[kind]))
        elif kind is not None:
            array = pd.to_numeric(series, errors="coerce").to_numpy(float, na_value=np.nan)
            finite = np.isfinite(array)
            if finite.all():
                values, writer = array.tolist(), "number"
            else:
                # NaN -> blank cell; +-inf (an unstable queue's ASA) -> the text "inf".
                values = [
                    v if f else (None if math.isnan(v) else ("inf" if v > 0 else "-inf"))
                    for v, f in zip(array.tolist(), finite.tolist(), strict=True)
                ]
                writer = "any"
            columns.append(_Column(label, kind, values, writer, _number_width(array, kind)))
        else:
            values = [None if _is_missing(v) else v for v in series.tolist()]
            uniques = {str(v) for v in values if v is not None}
            width = max((len(u) for u in uniques), default=0)
            writer = "string" if all(isinstance(v, str) for v in values) else "any"
            columns.append(_Column(label, None, values, writer, width))
    return columns


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _write_cell(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    """Write one value of any type (None writes nothing)."""
    if value is None:
        return
    if isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if math.isfinite(number):
            ws.write_number(row, col, number, fmt)
        elif not math.isnan(number):
            ws.write_string(row, col, "inf" if number > 0 else "-inf", fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _write_rows(
    ws: Any,
    columns: list[_Column],
    first_row: int,
    start: int,
    stop: int,
    formats: _Formats,
    first_col: int = 0,
    bold_rows: set[int] | None = None,
) -> None:
    """Write records ``start:stop`` of ``columns`` from ``first_row`` down, row by row."""
    plain = [formats.get(c.kind) for c in columns]
    bold = [formats.get(c.kind, bold=True) for c in columns]
    writers = [c.writer for c in columns]
    lists = [c.values for c in columns]
    write_number, write_string = ws.write_number, ws.write_string
    cols = list(range(first_col, first_col + len(columns)))
    for offset, i in enumerate(range(start, stop)):
        row = first_row + offset
        fmts = bold if bold_rows and i in bold_rows else plain
        for j, col in enumerate(cols):
            value = lists[j][i]
            if value is None:
                continue
            if writers[j] == "number":
                write_number(row, col, value, fmts[j])
            elif writers[j] == "string":
                write_string(row, col, value, fmts[j])
            else:
                _write_cell(ws, row, col, value, fmts[j])


def _write_frame(
    ws: Any,
    frame: pd.DataFrame,
    row: int,
    formats: _Formats,
    widths: _Widths,
    timezone: str,
    bold_rows: set[int] | None = None,
) -> int:
    """Write a header and the rows of ``frame`` starting at ``row``; return the next free row."""
    columns = _prepare(frame, timezone)
    for col, column in enumerate(columns):
        ws.write_string(row, col, column.label, formats.header)
        widths.see(col, max(column.width, min(len(column.label), 40)))
    _write_rows(ws, columns, row + 1, 0, len(frame), formats, bold_rows=bold_rows)
    return row + 1 + len(frame)


def _build_workbook(
    view: PlanView,
    filename: Path,
    simulation: SimulationResult | None = None,
    schedule: Schedule | None = None,
    intervals_sheet: bool = True,
    progress: _Progress | None = None,
) -> None:
    # The sheets' row files go to a folder of their own beside the target (same disk; a
    # killed run's leftover is removed by the next write there), removed with everything in
    # it whether the workbook is finished or not (on POSIX even while a failed write still
    # holds them open).
    rows = temp_folder_beside(filename)
    try:
        workbook = xlsxwriter.Workbook(
            str(filename),
            {"constant_memory": True, "strings_to_numbers": False, "tmpdir": str(rows)},
        )
        progress = progress or _Progress(None)
        _fill_workbook(workbook, view, simulation, schedule, intervals_sheet, progress)
        progress.stage("compressing the workbook")
        workbook.close()
    finally:
        shutil.rmtree(rows, ignore_errors=True)


def _fill_workbook(
    workbook: xlsxwriter.Workbook,
    view: PlanView,
    simulation: SimulationResult | None = None,
    schedule: Schedule | None = None,
    intervals_sheet: bool = True,
    progress: _Progress | None = None,
) -> None:
    formats = _Formats(workbook)
    workbook.set_properties(
        {
            "title": f"Staffing plan: {view.name}",
            "subject": "Required on-queue agents and FTE per skill and interval",
            "comments": f"Times are local to {view.timezone}.",
        }
    )
    workbook.set_custom_property(GENERATOR_PROPERTY, f"staffing {VERSION}")

    progress = progress or _Progress(None)
    skills = view.skill_order()
    interval_sheets = max(1, math.ceil(len(view.intervals) / _rows_per_interval_sheet()))
    reserved = ["Summary", "Weekly", "Assumptions"] + [
        "Intervals" if i == 0 else f"Intervals {i + 1}" for i in range(interval_sheets)
    ]
    if simulation is not None:
        reserved += [name for name, _, _ in _simulation_sheets(simulation)]
    coverage_names: list[str] = []
    if schedule is not None:
        coverage_names = _coverage_sheet_names(schedule, reserved)
        reserved += ["Shifts", *coverage_names]
    names = sheet_names(
        [n if str(n) else str(i) for i, n in skills.itertuples(index=False)], reserved=reserved
    )

    progress.stage("writing the Summary and Weekly sheets")
    _write_summary(
        workbook,
        workbook.add_worksheet("Summary"),
        view,
        formats,
        simulation,
        schedule,
        intervals_sheet,
    )
    if view.weekly is not None or view.weekly_total is not None:
        _write_weekly(workbook.add_worksheet("Weekly"), view, formats)
    if simulation is not None:
        _write_simulation(workbook, view, simulation, formats)
    if schedule is not None:
        _write_schedule(workbook, view, schedule, coverage_names, formats)
    grouped = view.intervals.groupby("skill_id", sort=False)  # one skill copied at a time
    progress.stage(f"writing {len(names):,} skill sheet(s)")
    for done, ((skill_id, skill_name), sheet) in enumerate(
        zip(skills.itertuples(index=False), names, strict=True), start=1
    ):
        ws = workbook.add_worksheet(sheet)
        _write_skill_sheet(ws, grouped.get_group(skill_id), skill_id, skill_name, view, formats)
        progress.count("skill sheets", done, len(names))
    if intervals_sheet:
        _write_intervals(workbook, view, formats, progress)
    _write_assumptions(workbook.add_worksheet("Assumptions"), view, formats, schedule)


def _rows_per_interval_sheet() -> int:
    return EXCEL_MAX_ROWS - 1  # one header row


def _write_summary(
    workbook: Any,
    ws: Any,
    view: PlanView,
    formats: _Formats,
    simulation: SimulationResult | None = None,
    schedule: Schedule | None = None,
    intervals_sheet: bool = True,
) -> None:
    widths = _Widths()
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
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
        + (_simulation_note(simulation) if simulation is not None else "")
        + (_schedule_note(schedule) if schedule is not None else ""),
        formats.note,
    )
    # Pictures before tables: the chart sits on top, the summary below it, then the warnings;
    # the chart's data in hidden columns far right (CHART_DATA_COL), outside the print area.
    intervals = view.intervals
    row = 3 + (SUMMARY_CHART_ROWS + 1 if len(intervals) else 0)
    last_col = 9
    if view.summary is not None:
        summary = _with_agent_hours(view.summary.reset_index(drop=True), view)
        if simulation is not None:
            summary = _with_simulation(summary, simulation)
        summary = display_summary(summary, view.intervals)
        bold = _total_rows(summary)
        ws.repeat_rows(row)
        last_col = len(summary.columns) - 1
        row = _write_frame(ws, summary, row, formats, widths, view.timezone, bold_rows=bold)
        row += 1
        if "method" in summary.columns and (summary["method"] == "workload").any():
            ws.write_string(
                row,
                0,
                "Service level: blank for workload skills, which have no "
                "service-level target (they staff volume x NHT / max occupancy); "
                "the total's is that of the other skills.",
                formats.note,
            )
            row += 2
    else:
        row += 1
    notes = [str(n) for n in view.meta.get("notes") or []]
    if not intervals_sheet:
        notes.append(
            f"The {len(intervals):,} interval rows are not in this workbook (no "
            "Intervals sheet): they are in the intervals file written beside it."
        )
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
    last_row = row - 1
    row += 1

    # Chart data: required FTE per interval over the first local week, for the chart skills.
    if len(intervals):
        t0 = intervals["interval_start"].min()
        week = intervals[intervals["interval_start"] < t0 + pd.DateOffset(days=7)]
        wide = week.pivot_table(
            index="interval_start", columns="skill_id", values="fte", aggfunc="sum", sort=False
        )
        load = wide.sum().sort_values(ascending=False, kind="stable")
        chosen = list(load.index[:CHART_MAX_SERIES])
        order = [s for s in view.skill_order()["skill_id"] if s in chosen]
        wide = wide[order].sort_index()
        skill_names = dict(view.skill_order().itertuples(index=False))
        n_all = intervals["skill_id"].nunique()
        title = "Required FTE per interval, first week"
        if n_all > len(order):
            title += f" ({len(order)} of {n_all} skills with the most FTE-hours)"
        c0 = CHART_DATA_COL
        ws.write_string(row, c0, title + " (chart data)", formats.section)
        row += 1
        header_row = row
        ws.write_string(header_row, c0, f"Interval start ({view.timezone})", formats.header)
        for j, skill in enumerate(order, start=1):
            ws.write_string(header_row, c0 + j, str(skill_names[skill]), formats.header)
        frame = wide.reset_index()
        frame.columns = ["interval_start", *[f"fte_{j}" for j in range(len(order))]]
        metas = [COLUMN_META["interval_start"], *[COLUMN_META["fte"]] * len(order)]
        columns = _prepare(frame, view.timezone, metas=metas)
        _write_rows(ws, columns, header_row + 1, 0, len(frame), formats, first_col=c0)
        ws.set_column(c0, c0, _DATE_WIDTHS["datetime"], None, {"hidden": True})
        ws.set_column(c0 + 1, c0 + len(order), 10, None, {"hidden": True})
        first_data, last_data = header_row + 1, header_row + len(frame)

        chart = workbook.add_chart({"type": "line"})
        for j in range(1, len(order) + 1):
            chart.add_series(
                {
                    "name": ["Summary", header_row, c0 + j],
                    "categories": ["Summary", first_data, c0, last_data, c0],
                    "values": ["Summary", first_data, c0 + j, last_data, c0 + j],
                    "line": {"width": 1.25},
                }
            )
        chart.show_hidden_data()  # its data sits in hidden columns
        chart.set_title({"name": title, "name_font": {"size": 11}})
        # A category axis: a date axis would bin the hourly points into whole days.
        per_day = max(1, round(1440 / view.interval_minutes))
        chart.set_x_axis(
            {
                "text_axis": True,
                "num_format": "ddd dd hh:mm",
                "num_font": {"rotation": -45, "size": 8},
                "interval_unit": max(1, per_day // 2),
                "interval_tick": max(1, per_day // 2),
                "name": f"Local time ({view.timezone})",
            }
        )
        chart.set_y_axis({"name": "Required FTE", "min": 0, "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 960, "height": SUMMARY_CHART_ROWS * 20})
        ws.insert_chart(3, 0, chart, {"object_position": 3})
    ws.print_area(0, 0, last_row, max(last_col, 9))
    widths.apply(ws)


def _write_weekly(ws: Any, view: PlanView, formats: _Formats) -> None:
    """Per-week roll-ups in one filterable table: all skills first, then every skill."""
    widths = _Widths()
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, f"Weekly requirements of plan {view.name}", formats.title)
    ws.write_string(
        1,
        0,
        f"Weeks start on the plan's first day ({view.timezone}). FTE headcount = FTE-hours / "
        "contracted hours per FTE per week; NHT, service level and abandonment are "
        "volume-weighted.",
        formats.note,
    )
    # One table, so both share columns and filters: all skills first (bold), then each skill.
    parts = []
    if view.weekly_total is not None:
        total = view.weekly_total.copy()
        if view.weekly is not None and "skill_id" in view.weekly.columns:
            total.insert(0, "skill_id", pd.array([pd.NA] * len(total), dtype="Int64"))
            total.insert(1, "skill_name", "All skills")
        parts.append(total)
    if view.weekly is not None:
        parts.append(view.weekly)
    frame = pd.concat(parts, ignore_index=True)
    frame = _weekly_service_level(
        frame, view, n_total=len(parts[0]) if view.weekly_total is not None else 0
    )
    columns = list(view.weekly.columns) if view.weekly is not None else list(frame.columns)
    frame = frame[columns + [c for c in frame.columns if c not in columns]]
    header = 3
    n_total = len(view.weekly_total) if view.weekly_total is not None else 0
    end = _write_frame(
        ws, frame, header, formats, widths, view.timezone, bold_rows=set(range(n_total))
    )
    if len(frame):
        ws.autofilter(header, 0, end - 1, len(frame.columns) - 1)
        widths.see(0, 12)  # room for the filter button
    ws.freeze_panes(header + 1, 0)
    ws.repeat_rows(header)
    widths.apply(ws)


def _weekly_service_level(frame: pd.DataFrame, view: PlanView, n_total: int) -> pd.DataFrame:
    """The Weekly table with no service level for workload skills (they have no target).

    Their rows' service level is blank and the all-skills rows' (the first ``n_total``) is
    volume-weighted over the skills with a target, as on the Summary.
    """
    iv = view.intervals
    workload = iv["method"].astype(str) == "workload"
    if "service_level" not in frame.columns or not workload.any():
        return frame
    out = frame.copy()
    ids = set(iv.loc[workload, "skill_id"].unique())
    if "skill_id" in out.columns:
        out.loc[out["skill_id"].isin(ids).fillna(False).to_numpy(bool), "service_level"] = np.nan
    if n_total and "week_start" in out.columns:
        local = iv["interval_start"].dt.tz_localize(None).dt.normalize()
        start = pd.Timestamp(view.meta.get("start") or local.min())
        week = ((local - start) // pd.Timedelta(days=7)).to_numpy()
        sl, vol = iv["service_level"].to_numpy(float), iv["volume"].to_numpy(float)
        ok = ~workload.to_numpy() & np.isfinite(sl) & (vol > 0)
        num = pd.Series(np.where(ok, sl * vol, 0.0)).groupby(week).sum()
        den = pd.Series(np.where(ok, vol, 0.0)).groupby(week).sum()
        by_week = (num / den.where(den > 0)).to_dict()
        starts = pd.to_datetime(out["week_start"].iloc[:n_total])
        codes = ((starts - start) // pd.Timedelta(days=7)).tolist()
        out.loc[out.index[:n_total], "service_level"] = [by_week.get(c, np.nan) for c in codes]
    return out


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
    rows = set()
    for col in ("skill_id", "skill_name", "skill"):
        if col in summary.columns:
            text = summary[col].astype(str).str.strip().str.lower()
            rows |= set(np.flatnonzero(text.str.match(r"^(total|all( skills)?)$").to_numpy()))
    if "skill_id" in summary.columns and "skill_name" in summary.columns:
        rows |= set(np.flatnonzero(summary["skill_id"].isna().to_numpy()))
    return rows


def _write_skill_sheet(
    ws: Any,
    rows: pd.DataFrame,
    skill_id: Any,
    skill_name: Any,
    view: PlanView,
    formats: _Formats,
) -> None:
    widths = _Widths()
    fte_grid = day_grid(rows, "fte", view.interval_minutes)
    agent_grid = day_grid(rows, "agents", view.interval_minutes)
    fte, agents = fte_grid.cells, agent_grid.cells
    n_slots = len(fte.columns)
    fte_col0 = 1
    fte_total_col = fte_col0 + n_slots
    agent_col0 = fte_total_col + 2
    agent_total_col = agent_col0 + n_slots

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
    ws.write_string(2, fte_col0, "Required FTE (scheduled staff)", formats.section)
    ws.write_string(2, agent_col0, "On-queue agents", formats.section)
    header = 3
    time_fmt = formats.get("time", header=True)
    ws.write_string(header, 0, f"Date ({view.timezone})", formats.header)
    slot_serials = [(t.hour * 60 + t.minute) / 1440 for t in fte.columns]
    for k, serial in enumerate(slot_serials):
        ws.write_number(header, fte_col0 + k, serial, time_fmt)
    ws.write_string(header, fte_total_col, "Total [FTE-h]", formats.header)
    for k, serial in enumerate(slot_serials):
        ws.write_number(header, agent_col0 + k, serial, time_fmt)
    ws.write_string(header, agent_total_col, "Total [agent-h]", formats.header)

    date_fmt = formats.get("date")
    fte_fmt, agent_fmt = formats.get("fte"), formats.get("int")
    total_fmt = formats.get("fte", bold=True)
    fte_values = fte.to_numpy(float)
    agent_values = agents.to_numpy(float)
    first = header + 1
    for i, day in enumerate(fte.index):
        row = first + i
        ws.write_number(row, 0, _scalar_serial(day, view.timezone), date_fmt)
        for k in range(n_slots):
            value = fte_values[i, k]
            if math.isfinite(value):
                ws.write_number(row, fte_col0 + k, value, fte_fmt)
        ws.write_number(row, fte_total_col, float(fte_grid.per_day[i]), total_fmt)
        for k in range(n_slots):
            value = agent_values[i, k]
            if math.isfinite(value):
                ws.write_number(row, agent_col0 + k, value, agent_fmt)
        ws.write_number(row, agent_total_col, float(agent_grid.per_day[i]), total_fmt)
    last = first + len(fte.index) - 1
    total_row = last + 1
    ws.write_string(total_row, 0, "Total", formats.get(None, bold=True))
    for k in range(n_slots):
        ws.write_number(total_row, fte_col0 + k, float(fte_grid.per_slot[k]), total_fmt)
        ws.write_number(total_row, agent_col0 + k, float(agent_grid.per_slot[k]), total_fmt)
    ws.write_number(total_row, fte_total_col, fte_grid.total, total_fmt)
    ws.write_number(total_row, agent_total_col, agent_grid.total, total_fmt)

    if len(fte.index):
        scale = {
            "type": "3_color_scale",
            "min_color": "#FFFFFF",
            "mid_color": "#FFD966",
            "max_color": "#E06666",
        }
        ws.conditional_format(first, fte_col0, last, fte_col0 + n_slots - 1, scale)
        ws.conditional_format(first, agent_col0, last, agent_col0 + n_slots - 1, scale)
    ws.freeze_panes(header + 1, 1)
    # Print: one page wide, landscape, the title and the header on every page, the plan and
    # skill in the page header.
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, total_row, agent_total_col)
    ws.repeat_rows(0, header)
    ws.set_header(_page_header(f"{skill_name} (skill {skill_id})", view.name))

    widths.see(0, max(_DATE_WIDTHS["date"], 5 + len(view.timezone)))
    slot_width = max(5.0, _number_width(np.append(fte_values.ravel(), fte_grid.per_slot), "fte"))
    for k in range(n_slots):
        widths.see(fte_col0 + k, slot_width)
        widths.see(agent_col0 + k, slot_width)
    widths.see(fte_total_col, 13)
    widths.see(agent_total_col, 15)
    widths.see(fte_total_col + 1, 1)
    widths.apply(ws, minimum=3)


def _page_header(left: str, plan_name: str) -> str:
    """A printed page header: ``left`` in bold, the plan and page number on the right."""

    def escape(text: str) -> str:
        return text.replace("&", "&&")

    right = f"&RPlan {escape(plan_name)[:60]}, page &P of &N"
    return f'&L&"-,Bold"{escape(left)[:120]}{right}'


def _write_intervals(
    workbook: Any, view: PlanView, formats: _Formats, progress: _Progress | None = None
) -> None:
    progress = progress or _Progress(None)
    frame = view.intervals  # INTERVAL_COLUMNS first, in order (PlanView)
    labels = [c.label for c in _prepare(frame.iloc[:1], view.timezone)]
    per_sheet = _rows_per_interval_sheet()
    total = len(frame)
    n_sheets = max(1, math.ceil(total / per_sheet))
    for number in range(n_sheets):
        name = "Intervals" if number == 0 else f"Intervals {number + 1}"
        ws = workbook.add_worksheet(name)
        widths = _Widths()
        start, stop = number * per_sheet, min(total, (number + 1) * per_sheet)
        if stop > start:
            # Filters over the whole range. An Excel table would be nicer, but xlsxwriter
            # refuses add_table() in constant_memory mode.
            ws.autofilter(0, 0, stop - start, len(labels) - 1)
        for col, label in enumerate(labels):
            ws.write_string(0, col, label, formats.header)
            widths.see(col, len(label) + 2)  # + the filter button
        # Python values for a chunk of rows at a time: a year of hourly intervals for 200
        # skills as Python floats all at once would take about 1 GB.
        for chunk in range(start, stop, _CHUNK_ROWS):
            end = min(stop, chunk + _CHUNK_ROWS)
            columns = _prepare(frame.iloc[chunk:end], view.timezone)
            _write_rows(ws, columns, 1 + chunk - start, 0, end - chunk, formats)
            for col, column in enumerate(columns):
                widths.see(col, column.width)
            progress.count("Intervals rows", end, total)
        ws.freeze_panes(1, 0)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        widths.apply(ws)


# --------------------------------------------------------------------------------------------
# Simulation: the Simulation sheet(s) and the Summary's simulated columns
# --------------------------------------------------------------------------------------------

# SimulationResult.summary() columns the Summary shows right after the planned service level.
_SUMMARY_SIMULATED = ("service_level_sim", "worst_day_sl_sim", "p_day_meets_target")
# The plan's analytic figures in the simulation's tables, shown as "planned ..." (*_plan).
_PLANNED = {name: f"{name}_plan" for name in ("service_level", "asa_s", "p_abandon", "occupancy")}
# Rows of the Simulation sheet above the daily table: title, two notes, a blank row, section.
_SIMULATION_TOP = 5


def _simulation_note(simulation: SimulationResult) -> str:
    """The Summary's note on its simulated columns."""
    return (
        f"; simulated columns: {simulation.meta.get('replications')} replications "
        "(sheet Simulation)"
    )


def _check_simulation(view: PlanView, simulation: SimulationResult) -> None:
    """A DataError unless ``simulation`` simulates the plan of ``view`` (skills, intervals)."""
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


def _simulation_sheets(simulation: SimulationResult) -> list[tuple[str, int, int]]:
    """``(sheet name, first, stop)`` of the interval rows each Simulation sheet holds.

    The first sheet has the notes and the daily table above its interval table; the
    interval table continues on ``Simulation 2``, ... past Excel's row limit.

    Raises
    ------
    OutputError
        The daily table alone does not fit one sheet.
    """
    n_days, n_intervals = len(simulation.daily), len(simulation.intervals)
    first_sheet = EXCEL_MAX_ROWS - (_SIMULATION_TOP + 1 + n_days + 3)  # + gap, section, header
    if first_sheet < 1:
        raise OutputError(
            f"the simulation's daily table ({n_days:,} rows) does not fit one "
            f"Excel sheet ({EXCEL_MAX_ROWS:,} rows)"
        )
    sheets = [("Simulation", 0, min(n_intervals, first_sheet))]
    while sheets[-1][2] < n_intervals:
        start = sheets[-1][2]
        sheets.append(
            (
                f"Simulation {len(sheets) + 1}",
                start,
                min(n_intervals, start + _rows_per_interval_sheet()),
            )
        )
    return sheets


def _with_simulation(summary: pd.DataFrame, simulation: SimulationResult) -> pd.DataFrame:
    """The Summary table with the simulated columns after ``service_level`` (by skill id)."""
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


def _write_simulation(
    workbook: Any, view: PlanView, simulation: SimulationResult, formats: _Formats
) -> None:
    """The Simulation sheet(s): notes, the daily table, the interval table (highlighted)."""
    daily = simulation.daily.rename(columns=_PLANNED)
    intervals = simulation.intervals.rename(columns=_PLANNED)
    missed = workbook.add_format({"bg_color": "#F4CCCC", "font_color": "#9C0006"})
    for number, (name, start, stop) in enumerate(_simulation_sheets(simulation)):
        ws = workbook.add_worksheet(name)
        widths = _Widths()
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        if number == 0:
            _write_simulation_head(ws, view, simulation, daily, formats, widths)
            row = _SIMULATION_TOP + 1 + len(daily) + 1
            ws.write_string(
                row,
                0,
                "Per skill and interval: planned against simulated (rows in red "
                "miss a target with 95 % confidence)",
                formats.section,
            )
            header = row + 1
        else:
            header = 0
            ws.freeze_panes(1, 0)
        _write_simulation_intervals(
            ws, intervals, start, stop, header, view, formats, widths, missed
        )
        widths.apply(ws)


def _write_simulation_head(
    ws: Any,
    view: PlanView,
    simulation: SimulationResult,
    daily: pd.DataFrame,
    formats: _Formats,
    widths: _Widths,
) -> None:
    """Title, notes and the daily table of the first Simulation sheet."""
    meta = simulation.meta
    ws.write_string(
        0, 0, f"Simulation of plan {view.name}: planned against simulated", formats.title
    )
    shape = meta.get("handle_time", "")
    if shape != "exponential":
        shape = f"{shape} (CV {meta.get('handle_time_cv', math.nan):g})"
    ws.write_string(
        1,
        0,
        f"{meta.get('replications')} replications, seed {meta.get('seed')}; {shape} handle "
        f"times, {'ramped' if meta.get('ramp') else 'constant'} arrivals per interval, chat "
        f"routing {meta.get('routing')}, at close: {meta.get('at_close')}; "
        f"{meta.get('contacts', 0):,} contacts simulated on {meta.get('executor')}. Times "
        f"are local to {view.timezone}. Rules: docs/simulation.md.",
        formats.note,
    )
    skipped = [
        f"{s['skill_id']} {s['skill_name']}: {s['note']}"
        for s in meta.get("skills", [])
        if s.get("note")
    ]
    ws.write_string(
        2,
        0,
        "Planned: the plan's formulas, volume-weighted over a day. Simulated: the mean over "
        "replications (a day's service level is answered within the threshold over all its "
        "arrivals) and its 95 % half-width (±)." + (f" {'; '.join(skipped)}." if skipped else ""),
        formats.note,
    )
    ws.write_string(
        _SIMULATION_TOP - 1,
        0,
        "Per skill and day: planned against simulated, "
        "the 10th percentile of the day's service level over replications and "
        "the probability that the day meets every target",
        formats.section,
    )
    if len(daily.columns):
        _write_frame(ws, daily, _SIMULATION_TOP, formats, widths, view.timezone)
    else:
        ws.write_string(_SIMULATION_TOP, 0, "no skill was simulated")


def _write_simulation_intervals(
    ws: Any,
    intervals: pd.DataFrame,
    start: int,
    stop: int,
    header: int,
    view: PlanView,
    formats: _Formats,
    widths: _Widths,
    missed: Any,
) -> None:
    """Interval rows ``start:stop`` below ``header``, filtered, missed targets highlighted."""
    if not len(intervals.columns):
        return
    labels = [c.label for c in _prepare(intervals.iloc[:1], view.timezone)]
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
        {"type": "formula", "criteria": f"={flag}=TRUE", "format": missed},
    )
    for chunk in range(start, stop, _CHUNK_ROWS):
        end = min(stop, chunk + _CHUNK_ROWS)
        columns = _prepare(intervals.iloc[chunk:end], view.timezone)
        _write_rows(ws, columns, first + chunk - start, 0, end - chunk, formats)
        for col, column in enumerate(columns):
            widths.see(col, column.width)


# --------------------------------------------------------------------------------------------
# Shifts: the Shifts sheet, the Coverage sheets and the Assumptions' schedule rules
# --------------------------------------------------------------------------------------------

# Schedule.meta keys the Assumptions sheet lists first: how shrinkage and breaks combine.
_SCHEDULE_RULES = (
    "shrinkage_rule",
    "group_rule",
    "source",
    "wrap",
    "solver",
    "time_limit_s",
    "mip_rel_gap",
)
_BREAKS_IN_SHRINKAGE = (
    "if the configured shrinkage s already includes the unpaid break scheduled here (a share "
    "b of the shift's span), use s' = (s - b) / (1 - b) instead; paid short breaks, "
    "meetings, training and absence stay in s"
)


def _schedule_note(schedule: Schedule) -> str:
    """The Summary's note on the schedule's sheets."""
    return (
        f"; shifts: sheets Shifts and Coverage ({len(schedule.groups)} skill "
        f"group{'s' if len(schedule.groups) != 1 else ''})"
    )


def _check_schedule(view: PlanView, schedule: Schedule) -> None:
    """A DataError unless ``schedule`` schedules the plan of ``view`` (zone and grid)."""
    per_skill = view.intervals.groupby("skill_id", sort=False).size()
    n_intervals = int(per_skill.iloc[0]) if len(per_skill) else 0
    per_group = schedule.coverage.groupby("skill_group", sort=False).size()
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
    if max(shifts_rows, coverage_rows) > EXCEL_MAX_ROWS:
        raise OutputError(
            f"the schedule's tables ({max(shifts_rows, coverage_rows):,} rows) "
            f"do not fit one Excel sheet ({EXCEL_MAX_ROWS:,} rows); write its "
            "CSVs instead (write_outputs with fmt='csv')"
        )


def _coverage_sheet_names(schedule: Schedule, reserved: Sequence[str]) -> list[str]:
    """``Coverage`` for one skill group, else ``Coverage <group>`` per group (Excel-safe)."""
    groups = [str(g) for g in schedule.groups["skill_group"]]
    wanted = ["Coverage"] if len(groups) == 1 else [f"Coverage {g}" for g in groups]
    return sheet_names(wanted, reserved=[*reserved, "Shifts"])


def _write_schedule(
    workbook: Any, view: PlanView, schedule: Schedule, names: Sequence[str], formats: _Formats
) -> None:
    """The Shifts sheet, then one Coverage sheet per skill group."""
    _write_shifts_sheet(workbook.add_worksheet("Shifts"), view, schedule, formats)
    under = workbook.add_format({"bg_color": "#F4CCCC", "font_color": "#9C0006"})
    for label, name in zip(schedule.groups["skill_group"], names, strict=True):
        _write_coverage_sheet(
            workbook, workbook.add_worksheet(name), name, view, schedule, str(label), formats, under
        )


def _write_shifts_sheet(ws: Any, view: PlanView, schedule: Schedule, formats: _Formats) -> None:
    """Title, the groups table, the heads grid and every shift (filtered)."""
    widths = _Widths()
    tz = view.timezone
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
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
        f"on-queue hours. Times are local to {tz}. Rules: docs/shifts.md.",
        formats.note,
    )
    ws.write_string(3, 0, "Per skill group", formats.section)
    row = _write_frame(ws, schedule.groups, 4, formats, widths, tz) + 1
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
    end = _write_frame(ws, shifts, header, formats, widths, tz)
    if len(shifts):
        ws.autofilter(header, 0, end - 1, len(shifts.columns) - 1)
    widths.apply(ws)


def _write_heads_grid(
    ws: Any, shifts: pd.DataFrame, row: int, timezone: str, formats: _Formats, widths: _Widths
) -> int:
    """Heads per (group, template, start time) by local start date; return the next row."""
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
    grid = frame.pivot_table(
        index=["skill_group", "shift", "minute"],
        columns="date",
        values="heads",
        aggfunc="sum",
        fill_value=0,
    )
    days = list(grid.columns)
    ws.write_string(row, 0, "Skill group", formats.header)
    ws.write_string(row, 1, "Shift", formats.header)
    ws.write_string(row, 2, f"Start ({timezone})", formats.header)
    day_fmt = formats.get("date", header=True)
    for k, day in enumerate(days):
        ws.write_number(row, 3 + k, _scalar_serial(day, timezone), day_fmt)
        widths.see(3 + k, _DATE_WIDTHS["date"])
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


def _write_coverage_sheet(
    workbook: Any,
    ws: Any,
    name: str,
    view: PlanView,
    schedule: Schedule,
    label: str,
    formats: _Formats,
    under: Any,
) -> None:
    """One skill group: notes, the chart, the daily and weekly tables, every interval."""
    widths = _Widths()
    tz = view.timezone
    ws.set_landscape()
    ws.fit_to_pages(1, 0)

    def of_group(frame: pd.DataFrame) -> pd.DataFrame:
        return (
            frame[frame["skill_group"] == label].drop(columns="skill_group").reset_index(drop=True)
        )

    group = schedule.groups[schedule.groups["skill_group"] == label].iloc[0]
    coverage, daily, weekly = (
        of_group(schedule.coverage),
        of_group(schedule.daily),
        of_group(schedule.weekly),
    )
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
        f"each skill's own method). Times are local to {tz}. Rules: docs/shifts.md.",
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
    row = 3 + COVERAGE_CHART_ROWS + 1
    ws.write_string(
        row,
        0,
        "Per day: on-queue agent-hours required and scheduled, over- and "
        "under-staffed hours, paid hours of the shifts starting that day",
        formats.section,
    )
    row = _write_frame(ws, daily, row + 1, formats, widths, tz) + 1
    ws.write_string(row, 0, "Per plan week", formats.section)
    row = _write_frame(ws, weekly, row + 1, formats, widths, tz) + 1
    ws.write_string(row, 0, "Per interval (under-staffed intervals in red)", formats.section)
    header = row + 1
    columns = _prepare(coverage, tz)
    for col, column in enumerate(columns):
        ws.write_string(header, col, column.label, formats.header)
        widths.see(col, max(column.width, min(len(column.label), 40) + 2))  # + the filter
    n = len(coverage)
    if n:
        first, last = header + 1, header + n
        ws.autofilter(header, 0, last, len(columns) - 1)
        flag = xl_rowcol_to_cell(first, list(coverage.columns).index("understaffed"), col_abs=True)
        ws.conditional_format(
            first,
            0,
            last,
            len(columns) - 1,
            {"type": "formula", "criteria": f"={flag}=TRUE", "format": under},
        )
        _write_rows(ws, columns, first, 0, n, formats)
        starts = coverage["interval_start"]
        week = int((starts < starts.iloc[0] + pd.DateOffset(days=7)).sum())
        _insert_coverage_chart(workbook, ws, name, view, coverage, first, first + week - 1, label)
    widths.apply(ws)


def _insert_coverage_chart(
    workbook: Any,
    ws: Any,
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
    title = f"{label}: required against scheduled on-queue agents, first week"
    area.set_title({"name": title, "name_font": {"size": 11}})
    per_day = max(1, round(1440 / view.interval_minutes))
    area.set_x_axis(
        {
            "text_axis": True,
            "num_format": "ddd dd hh:mm",
            "num_font": {"rotation": -45, "size": 8},
            "interval_unit": max(1, per_day // 2),
            "interval_tick": max(1, per_day // 2),
            "name": f"Local time ({view.timezone})",
        }
    )
    area.set_y_axis({"name": "On-queue agents", "min": 0, "major_gridlines": {"visible": True}})
    area.set_legend({"position": "bottom"})
    area.set_size({"width": 960, "height": COVERAGE_CHART_ROWS * 20})
    ws.insert_chart(3, 0, area, {"object_position": 3})


def _write_schedule_assumptions(
    ws: Any,
    row: int,
    view: PlanView,
    schedule: Schedule,
    formats: _Formats,
    widths: _Widths,
) -> int:
    """The schedule's rules and solver settings on the Assumptions sheet; the next row."""
    ws.write_string(
        row,
        0,
        "Shifts: how shrinkage and scheduled breaks combine, and the solver (docs/shifts.md)",
        formats.section,
    )
    row += 1
    meta = dict(schedule.meta)
    items: list[tuple[str, Any]] = []
    for key in _SCHEDULE_RULES:
        if key in meta:
            items.append((key, meta.pop(key)))
        if key == "shrinkage_rule":
            items.append(("breaks_in_shrinkage", _BREAKS_IN_SHRINKAGE))
    items += list(meta.items())
    items += [("paid_hours", schedule.paid_hours), ("mip_gap", schedule.mip_gap)]
    for key, value in items:
        row = _write_setting(ws, row, f"schedule.{key}", value, view.timezone, formats, widths)
    return row + 1


def _write_assumptions(
    ws: Any, view: PlanView, formats: _Formats, schedule: Schedule | None = None
) -> None:
    widths = _Widths()
    ws.set_landscape()
    ws.write_string(0, 0, f"Assumptions of plan {view.name}", formats.title)
    ws.write_string(
        1, 0, f"Times are local to {view.timezone}. Credentials are never written.", formats.note
    )
    row = 3
    ws.write_string(row, 0, "Run", formats.section)
    row += 1
    for key, value in view.meta.items():
        key, value = _local_meta(str(key), value, view.timezone)
        row = _write_setting(ws, row, key, value, view.timezone, formats, widths)
    row += 1
    if schedule is not None:
        row = _write_schedule_assumptions(ws, row, view, schedule, formats, widths)

    config = _config_items(view.config)
    if config:
        ws.write_string(row, 0, "Configuration as applied", formats.section)
        row += 1
        for key, value in config:
            key, value = _local_meta(key, value, view.timezone)
            row = _write_setting(ws, row, key, value, view.timezone, formats, widths)
        row += 1
    if view.skills is not None:
        ws.write_string(row, 0, "Settings per skill (defaults resolved)", formats.section)
        row = _write_frame(ws, _redact_frame(view.skills), row + 1, formats, widths, view.timezone)
        row += 1
    if view.backtest is not None:
        ws.write_string(
            row, 0, "Volume forecast backtest (last history week held out)", formats.section
        )
        if len(view.backtest):
            row = _write_frame(ws, view.backtest, row + 1, formats, widths, view.timezone)
        else:
            ws.write_string(row + 1, 0, "none: the volume forecast did not come from history")
    widths.see(0, 18)
    widths.apply(ws)


_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _local_meta(key: str, value: Any, timezone: str) -> tuple[str, Any]:
    """ISO date and time strings as dates and local datetimes (a ``_utc`` key loses it)."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return key, date.fromisoformat(value)
    if isinstance(value, str) and _ISO_TIME.match(value):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(timezone)
            if key.lower().endswith("_utc"):
                key = key[:-4]
        return key, stamp
    return key, value


def _write_setting(
    ws: Any,
    row: int,
    key: str,
    value: Any,
    timezone: str,
    formats: _Formats,
    widths: _Widths,
) -> int:
    """Write one ``key | value`` row of the Assumptions sheet; return the next row."""
    if _SECRET_KEY.search(key.rsplit(".", 1)[-1]):
        value = _REDACTED
    value = _plain(value)
    if isinstance(value, str) and len(value) > _SETTING_WIDTH + 2:
        # Wrapped text needs its height set before the row is streamed out (constant_memory
        # rows are final once written, and neither Excel nor LibreOffice refits them).
        lines = math.ceil(len(value) / (_SETTING_WIDTH + 2))
        ws.set_row(row, 15 * lines, formats.wrap)
    ws.write_string(row, 0, key, formats.wrap)
    widths.see(0, len(key))
    if isinstance(value, (datetime, pd.Timestamp)):
        serial = _scalar_serial(value, timezone)
        if serial is not None:
            ws.write_number(row, 1, serial, formats.get("datetime", left=True))
        widths.see(1, _DATE_WIDTHS["datetime"])
    elif isinstance(value, date):
        ws.write_number(row, 1, _scalar_serial(value, timezone), formats.get("date", left=True))
        widths.see(1, _DATE_WIDTHS["date"])
    elif isinstance(value, bool):
        ws.write_boolean(row, 1, value, formats.get(None, left=True))
    elif isinstance(value, (int, float)):
        # The setting's declared meaning picks the format: 0.8 for a target shows as 80.0 %.
        kind = _setting_kind(key, value)
        if isinstance(value, float) and math.isfinite(value):
            value = float(f"{value:.12g}")  # 0.3500000000000001 -> 0.35
        _write_cell(ws, row, 1, value, formats.get(kind, left=True))
        widths.see(1, len(str(value)) + 2)
    else:
        text = "" if value is None else str(value)
        if text:
            # Long values (paths, source descriptions) wrap, so key and value print together.
            ws.write_string(row, 1, text, formats.wrap)
        widths.see(1, min(len(text), _SETTING_WIDTH))
    return row + 1


def _plain(value: Any) -> Any:
    """Unwrap numpy scalars, pydantic secrets, paths and containers into printable values."""
    if isinstance(value, (SecretStr, SecretBytes)):
        return _REDACTED
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(_plain(v)) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={_plain(v)}" for k, v in value.items())
    if isinstance(value, (pd.Timedelta,)):
        return str(value)
    return value


def _config_items(config: Any) -> list[tuple[str, Any]]:
    """Flatten a config (pydantic model or mapping) into ``key.path = value`` pairs."""
    if config is None:
        return []
    data = dict(config) if isinstance(config, Mapping) else config.model_dump(mode="json")
    items: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        leaf = prefix.rsplit(".", 1)[-1].split("[", 1)[0]
        if prefix and _SECRET_KEY.search(leaf):
            if value not in (None, "", [], {}):
                items.append((prefix, _REDACTED))
            return
        if ".open_hours." in f".{prefix}" and isinstance(value, list):
            items.append((prefix, _clock_ranges(value)))  # minutes -> 07:00-23:00
            return
        if isinstance(value, Mapping):
            if not value:
                items.append((prefix, ""))
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and any(isinstance(v, (Mapping, list)) for v in value):
            for i, sub in enumerate(value):
                walk(f"{prefix}[{i}]", sub)
        else:
            items.append((prefix, value))

    walk("", data)
    return items


def _clock_ranges(ranges: list) -> str:
    """Open-hours ranges in minutes (``[[420, 1380]]``) as ``07:00-23:00``; ``closed``."""

    def clock(minute: Any) -> str:
        return f"{int(minute) // 60:02d}:{int(minute) % 60:02d}"

    if not ranges:
        return "closed"
    try:
        return ", ".join(f"{clock(a)}-{clock(b)}" for a, b in ranges)
    except (TypeError, ValueError):
        return ", ".join(map(str, ranges))


def _redact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    secret = [c for c in frame.columns if _SECRET_KEY.search(str(c))]
    return frame.drop(columns=secret) if secret else frame


def _cut_utf16(text: str, limit: int) -> str:
    """The longest prefix of ``text`` at most ``limit`` UTF-16 code units long."""
    out, used = [], 0
    for char in text:
        units = 2 if ord(char) > 0xFFFF else 1
        if used + units > limit:
            break
        out.append(char)
        used += units
    return "".join(out)
