"""The staffing workbook: a plan as an xlsx file for planners (xlsxwriter, public API only).

This module is the entry point of the writer: :func:`write_outputs` (every file of a plan:
the workbook, the intervals CSV or Parquet file, a schedule's CSVs; every target checked
once, before anything is written, and the plan read once into a
:class:`~staffing.outputs.view.PlanView`) and :func:`write_workbook` (the workbook alone),
which put the sheets in order. Each family of sheets is written by its module in
:mod:`staffing.outputs.sheets`, every cell through the toolkit :mod:`staffing.outputs.cells`.
The workbook (read by Excel and LibreOffice) has these sheets:

``Summary``
    One row per skill plus a total (``Plan.summary()``), and a native line chart of the
    required FTE per interval in the first week (one series per skill, or the skills with the
    most FTE-hours when there are more than :data:`CHART_MAX_SERIES`), drawn from a block of
    chart data written below the table.
``Weekly`` (when the plan has weekly roll-ups)
    Per plan week, all skills and then each skill: volume, agent-hours, FTE-hours, FTE
    headcount, NHT, service level, abandonment and peak agents, with filters.
``Teams`` (only when the plan has ``teams:``)
    :attr:`~staffing.plan.Plan.teams`: the teams' agent-hours against each skill staffed
    alone and the pooled bound, per team skill the promised service level, ASA and
    abandonment beside its targets, and a heat map of agents (and FTE) per interval and team.
``Risk`` (when the plan has ``Plan.risk``)
    The cost of confidence: per day- or week-scope skill with a forecast error, the
    agent-hours and FTE per week at confidence 0.5 to 0.99, the probability reached and the
    agent-hours of the flat volume buffer reaching it; a chart of both against confidence.
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
one sheet per skill (up to :data:`SKILL_SHEETS_MAX_ROWS` interval rows by default)
    A grid of local days (rows) by interval of the day (columns) of required FTE with a
    colour-scale heat map, and beside it the same grid of on-queue agents; totals per day and
    per interval of the day in FTE-hours and agent-hours. Else the Summary says where.
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

import contextlib
import os
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from staffing.errors import OutputError
from staffing.outputs.cells import NUMBER_FORMATS, Formats
from staffing.outputs.intervals_csv import (
    check_parquet_target,
    check_schedule_csvs,
    save_intervals_csv,
    save_intervals_csv_beside,
    save_intervals_parquet,
    save_schedule_csvs,
    schedule_csv_paths,
)
from staffing.outputs.layout import (
    EXCEL_MAX_ROWS,
    SHEET_NAME_MAX,
    BookParts,
    Progress,
    rows_note,
    sheet_names,
)
from staffing.outputs.output_set import OutputSet, WrittenFiles, replace_together
from staffing.outputs.plots import save_plots
from staffing.outputs.safety import (
    GENERATOR_PROPERTY,
    check_outputs,
    check_target,
    check_workbook_suffix,
    describe_os_error,
    is_staffing_workbook,
    open_files_allowed,
    temp_folder_beside,
)
from staffing.outputs.sheets.assumptions import write_assumptions
from staffing.outputs.sheets.coverage import (
    COVERAGE_CHART_ROWS,
    coverage_sheet_names,
    write_coverage,
)
from staffing.outputs.sheets.plan import (
    CHART_DATA_COL,
    CHART_MAX_SERIES,
    SUMMARY_CHART_ROWS,
    interval_sheet_names,
    write_intervals,
    write_skill_sheet,
    write_summary,
)
from staffing.outputs.sheets.risk import RISK_SHEET, write_risk
from staffing.outputs.sheets.shifts import check_schedule, write_shifts_sheet
from staffing.outputs.sheets.simulation import (
    check_simulation,
    simulation_sheets,
    write_simulation,
)
from staffing.outputs.sheets.teams import TEAMS_SHEET, write_teams_sheet
from staffing.outputs.sheets.weekly import write_weekly
from staffing.outputs.view import PlanView
from staffing.outputs.workbook_edits import keep_if_edited
from staffing.vocabulary import VERSION

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter import Workbook

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
    "SKILL_SHEETS_MAX_ROWS",
    "SUMMARY_CHART_ROWS",
    "check_output_targets",
    "sheet_names",
    "write_outputs",
    "write_workbook",
]

#: Most interval rows the workbook holds by default: above this the ``Intervals`` sheet is
#: left out (its rows go to the CSV or Parquet file beside the workbook). 200,000 rows are
#: about 20 s and 15 MB of workbook; a year of 15-minute intervals for 6 skills is 210,000.
INTERVALS_SHEET_MAX_ROWS = 200_000
#: Most interval rows for which the workbook has one sheet per skill by default
#: (``skill_sheets=None``, ``output.skill_sheets: auto``): above this the skill sheets are
#: left out and the rows are in the intervals CSV or Parquet file, which the Summary and
#: the returned notes name. The skill sheets cost ~10 us of CPU per row (17 s for the 200
#: hourly skills of a year in ``benchmarks/bench_year.py``): 500,000 rows (57 hourly skills
#: over a year) are ~5 s, and more tabs than a planner reads in Excel.
SKILL_SHEETS_MAX_ROWS = 500_000

# Open files a workbook needs besides one per sheet: the output, xlsxwriter's part files.
_FILES_BESIDES_SHEETS = 16


# --------------------------------------------------------------------------------------------
# Every output of a plan
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
    plots_dir: str | os.PathLike | None = None,
    skill_sheets: bool | None = None,
) -> WrittenFiles:
    """Write the outputs of a plan: the workbook (and optionally the CSV), or only the CSV.

    Every target is checked before anything is written (:func:`check_output_targets`), so
    a refusal writes nothing; the plan is then read once for every file. The files are one
    set (:func:`staffing.outputs.output_set.replace_together`): each is written to a
    temporary file beside its target and all are renamed at the end, so an error or a
    Ctrl-C leaves every previous file as it was, and its message names the files kept and
    the new ones not written. A workbook a planner changed since staffing wrote it (a
    sheet added, cells edited) is kept as a backup beside the new one
    (:mod:`staffing.outputs.workbook_edits`), said in the returned notes.

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
    plots_dir : path, optional
        Also save the plan's PNG plots in this folder
        (:func:`staffing.outputs.plots.save_plots`; needs matplotlib), in the same set.
    skill_sheets : bool, optional
        With ``fmt="xlsx"``: write one sheet per skill. None (the default): only when the
        plan has at most :data:`SKILL_SHEETS_MAX_ROWS` interval rows; when they are left
        out, the Summary and the returned notes say where the rows are.

    Returns
    -------
    WrittenFiles
        The files written (a list of Path), workbook first, then the intervals CSV (and
        Parquet file), the schedule's CSVs and the plots; its ``notes`` say what the planner
        should know (an edited workbook kept as a backup, and what changed in it).

    Raises
    ------
    OutputError
        Unknown format, a simulation with ``fmt="csv"``, a target that is a directory, open
        in another program, not ours to overwrite, or a write that failed (the previous
        file is then left as it was).
    """
    kind = check_output_targets(
        out_path,
        fmt=fmt,
        force=force,
        csv_path=csv_path,
        parquet_path=parquet_path,
        simulation=simulation is not None,
        schedule=schedule is not None,
    )
    out_path = Path(out_path)
    view = PlanView.from_plan(plan, with_summary=kind == "xlsx")
    say = Progress(progress)
    if kind == "csv":
        csv_path, parquet_path = None, None
    intervals_csv = out_path if kind == "csv" else csv_path
    targets = [out_path, *(Path(p) for p in (csv_path, parquet_path) if p is not None)]
    if schedule is not None and intervals_csv is not None:
        targets += schedule_csv_paths(intervals_csv).values()
    with replace_together([*targets, *([Path(plots_dir)] if plots_dir else [])]) as files:
        if kind == "csv":
            say.stage(f"writing the intervals CSV {out_path} ({len(view.intervals):,} rows)")
            written = [save_intervals_csv(view, out_path, files=files)]
        else:
            if intervals_sheet is None:
                intervals_sheet = len(view.intervals) <= INTERVALS_SHEET_MAX_ROWS
            parts = _parts(view, intervals_sheet, skill_sheets, csv_path, parquet_path)
            if not parts.skill_sheets and parts.note:
                files.notes.append(parts.note[0].lower() + parts.note[1:])
            with contextlib.ExitStack() as beside:
                if csv_path is not None:
                    say.stage(
                        f"writing the intervals CSV {csv_path} ({len(view.intervals):,} rows) "
                        "beside the workbook"
                    )
                    beside.enter_context(save_intervals_csv_beside(view, csv_path, files))
                book = _save_workbook(view, out_path, simulation, schedule, parts, say, files)
            written = [book]
            if csv_path is not None:
                written.append(Path(csv_path))
            if parquet_path is not None:
                say.stage(f"writing the intervals Parquet file {parquet_path}")
                written.append(save_intervals_parquet(view, parquet_path, files=files))
        if schedule is not None and intervals_csv is not None:
            written += save_schedule_csvs(schedule, intervals_csv, files=files)
        if plots_dir is not None:
            say.stage(f"saving plots in {plots_dir}")
            written += save_plots(plan, plots_dir, files=files)
        say.stage(f"replacing {len(files.targets):,} file(s) together")
    return WrittenFiles(written, notes=files.notes)


def check_output_targets(
    out_path: str | os.PathLike,
    *,
    fmt: str = "xlsx",
    force: bool = False,
    csv_path: str | os.PathLike | None = None,
    parquet_path: str | os.PathLike | None = None,
    simulation: bool = False,
    schedule: bool = False,
) -> str:
    """Check, without writing, every target :func:`write_outputs` would write.

    The workbook or CSV and the intervals CSV (:func:`staffing.outputs.safety.
    check_outputs`), the Parquet file, and a schedule's CSVs beside the intervals CSV. A
    command can call this before a long planning run, so that a refused target fails in a
    second, not after the run.

    Parameters
    ----------
    out_path, fmt, force, csv_path, parquet_path
        As for :func:`write_outputs` (``parquet_path`` only counts with ``fmt="xlsx"``).
    simulation : bool
        A simulation is to be written (only into a workbook).
    schedule : bool
        A schedule is to be written (its CSVs go beside the intervals CSV).

    Returns
    -------
    str
        The normalised format, ``"xlsx"`` or ``"csv"``.

    Raises
    ------
    OutputError
        A target is refused, or a simulation is to go into a CSV.
    """
    kind = check_outputs(out_path, fmt=fmt, force=force, csv_path=csv_path)
    if kind == "csv" and simulation:
        raise OutputError(
            f"cannot write a simulation to {Path(out_path)}: the simulation goes "
            "into the workbook (xlsx) only"
        )
    if kind == "xlsx" and parquet_path is not None:
        check_parquet_target(parquet_path, force=force)
    intervals_csv = out_path if kind == "csv" else csv_path
    if schedule and intervals_csv is not None:
        check_schedule_csvs(intervals_csv, force=force)
    return kind


# --------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------


def write_workbook(
    plan: Plan,
    path: str | os.PathLike,
    *,
    force: bool = False,
    simulation: SimulationResult | None = None,
    schedule: Schedule | None = None,
    intervals_sheet: bool = True,
    progress: Callable[[str], None] | None = None,
    skill_sheets: bool = True,
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
    skill_sheets : bool
        Write one sheet per skill (a grid of days by interval of the day). Without it the
        Summary says so.

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
    parts = _parts(view, intervals_sheet, skill_sheets, None, None)
    with replace_together([path]) as files:
        _save_workbook(view, path, simulation, schedule, parts, Progress(progress), files)
    for note in files.notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    return path


def _parts(
    view: PlanView,
    intervals_sheet: bool,
    skill_sheets: bool | None,
    csv_path: str | os.PathLike | None,
    parquet_path: str | os.PathLike | None,
) -> BookParts:
    """Decide the skill sheets (None: by :data:`SKILL_SHEETS_MAX_ROWS`) and word the note."""
    rows = len(view.intervals)
    why = "skill sheets turned off"
    if skill_sheets is None:
        skill_sheets = rows <= SKILL_SHEETS_MAX_ROWS
        why = f"skill sheets above {SKILL_SHEETS_MAX_ROWS:,} rows"
    files = [Path(p) for p in (csv_path, parquet_path) if p is not None]
    note = rows_note(
        rows, intervals_sheet=intervals_sheet, skill_sheets=skill_sheets, files=files, why=why
    )
    return BookParts(intervals_sheet, skill_sheets, note)


def _save_workbook(
    view: PlanView,
    path: Path,
    simulation: SimulationResult | None,
    schedule: Schedule | None,
    parts: BookParts,
    progress: Progress,
    files: OutputSet,
) -> Path:
    """Check what goes in, then write the workbook to ``path`` in the set ``files``."""
    n_sheets = 5 + (view.intervals["skill_id"].nunique() if parts.skill_sheets else 0)
    if parts.intervals_sheet:
        n_sheets += len(interval_sheet_names(len(view.intervals)))
    if simulation is not None:
        check_simulation(view, simulation)
        n_sheets += len(simulation_sheets(simulation))
    if schedule is not None:
        check_schedule(view, schedule)
        n_sheets += 1 + len(schedule.groups)
    with open_files_allowed(n_sheets + _FILES_BESIDES_SHEETS), files.stage(path) as tmp:
        try:
            _build_workbook(view, tmp, simulation, schedule, parts, progress)
        except XlsxWriterException as exc:
            cause = exc.__context__ if isinstance(exc.__context__, OSError) else None
            raise OutputError(
                describe_os_error(cause, path)
                if cause is not None
                else f"cannot write {path}: {exc}"
            ) from exc
        keep_if_edited(files, path, tmp)
    return path


def _build_workbook(
    view: PlanView,
    filename: Path,
    simulation: SimulationResult | None,
    schedule: Schedule | None,
    parts: BookParts,
    progress: Progress,
) -> None:
    """Open the workbook in ``constant_memory`` mode, fill it and close it."""
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
        _fill_workbook(workbook, view, simulation, schedule, parts, progress)
        progress.stage("compressing the workbook")
        workbook.close()
    finally:
        shutil.rmtree(rows, ignore_errors=True)


def _fill_workbook(
    workbook: Workbook,
    view: PlanView,
    simulation: SimulationResult | None,
    schedule: Schedule | None,
    parts: BookParts,
    progress: Progress,
) -> None:
    """Every sheet in order: Summary, Weekly, Simulation, Shifts, Coverage, skills, ..."""
    formats = Formats(workbook)
    workbook.set_properties(
        {
            "title": f"Staffing plan: {view.name}",
            "subject": "Required on-queue agents and FTE per skill and interval",
            "comments": f"Times are local to {view.timezone}.",
        }
    )
    workbook.set_custom_property(GENERATOR_PROPERTY, f"staffing {VERSION}")
    skill_sheets, coverage_sheets = _sheet_names(view, simulation, schedule)

    progress.stage("writing the Summary and Weekly sheets")
    summary = workbook.add_worksheet("Summary")
    write_summary(workbook, summary, view, formats, simulation, schedule, parts.note)
    if view.weekly is not None or view.weekly_total is not None:
        write_weekly(workbook.add_worksheet("Weekly"), view, formats)
    if view.teams is not None:
        write_teams_sheet(workbook.add_worksheet(TEAMS_SHEET), view.teams, view.timezone, formats)
    if view.risk is not None:
        write_risk(workbook, workbook.add_worksheet(RISK_SHEET), view, formats)
    if simulation is not None:
        write_simulation(workbook, view, simulation, formats)
    if schedule is not None:
        write_shifts_sheet(workbook.add_worksheet("Shifts"), view, schedule, formats)
        write_coverage(workbook, view, schedule, coverage_sheets, formats)
    if parts.skill_sheets:
        _write_skill_sheets(workbook, view, skill_sheets, formats, progress)
    if parts.intervals_sheet:
        write_intervals(workbook, view, formats, progress)
    write_assumptions(workbook.add_worksheet("Assumptions"), view, formats, schedule)


def _write_skill_sheets(
    workbook: Workbook, view: PlanView, names: list[str], formats: Formats, progress: Progress
) -> None:
    """One sheet per skill, named ``names``, in the plan's order of skills."""
    grouped = view.intervals.groupby("skill_id", sort=False)  # one skill copied at a time
    progress.stage(f"writing {len(names):,} skill sheet(s)")
    skills = view.skill_order().itertuples(index=False)
    for done, ((skill_id, skill_name), sheet) in enumerate(zip(skills, names, strict=True), 1):
        ws = workbook.add_worksheet(sheet)
        write_skill_sheet(ws, grouped.get_group(skill_id), skill_id, skill_name, view, formats)
        progress.count("skill sheets", done, len(names))


def _sheet_names(
    view: PlanView, simulation: SimulationResult | None, schedule: Schedule | None
) -> tuple[list[str], list[str]]:
    """The skill sheets' names and the Coverage sheets', clear of every other sheet's."""
    reserved = ["Summary", "Weekly", RISK_SHEET, "Assumptions"]
    reserved += interval_sheet_names(len(view.intervals))
    if view.teams is not None:
        reserved.append(TEAMS_SHEET)
    if simulation is not None:
        reserved += [name for name, _, _ in simulation_sheets(simulation)]
    coverage: list[str] = []
    if schedule is not None:
        coverage = coverage_sheet_names(schedule, reserved)
        reserved += ["Shifts", *coverage]
    skills = view.skill_order().itertuples(index=False)
    return sheet_names([n if str(n) else str(i) for i, n in skills], reserved=reserved), coverage
