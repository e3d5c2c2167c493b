"""``staffing plan CONFIG``: run a plan, print its summary and write the outputs.

With ``--simulate N`` the plan is also simulated (N replications, as ``staffing simulate``
does) and the workbook gets the Simulation sheet and the Summary's simulated columns. When
the config has ``shifts:`` (or ``scheduled:``) the plan is also scheduled
(:func:`staffing.schedule`) unless ``--no-schedule``: a summary per skill group is printed,
the workbook gets the Shifts and Coverage sheets and the intervals CSV its shifts and
coverage CSVs beside it.

Where the files go: ``--out`` decides for the whole run. The intervals CSV follows the
workbook's name (``<stem>-intervals.csv`` beside ``--out``) unless ``--csv PATH`` or
``--no-csv``; without ``--out`` the config's ``output`` paths apply. Above
:data:`~staffing.outputs.workbook.INTERVALS_SHEET_MAX_ROWS` interval rows the workbook leaves
the Intervals sheet out and the CSV beside it holds them (``--intervals`` chooses); above
:data:`~staffing.outputs.workbook.SKILL_SHEETS_MAX_ROWS` it leaves the skill sheets out too
(``output.skill_sheets`` chooses) and a note says where the rows are. Optional
dependencies (matplotlib for ``--plots``, pyarrow for Parquet, dask for ``--workers`` /
``--scheduler``) are checked before any work.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import warnings
from pathlib import Path

import pandas as pd

from staffing.commands.plan_paths import INTERVALS_CHOICES, output_paths
from staffing.commands.schedule_text import format_schedule
from staffing.commands.simulate import format_summary as format_simulation
from staffing.commands.simulation_options import (
    add_engine_options,
    add_horizon_options,
    check_engine,
    load_with_horizon,
    run_simulation,
    whole_number,
)
from staffing.commands.teams_text import format_teams, team_options
from staffing.config import PlanConfig
from staffing.errors import DataWarning, OutputError
from staffing.outputs.intervals_csv import check_schedule_csvs
from staffing.outputs.output_set import WrittenFiles
from staffing.outputs.safety import check_outputs, check_target
from staffing.outputs.workbook import INTERVALS_SHEET_MAX_ROWS, write_outputs
from staffing.plan import Plan, plan
from staffing.shifts.schedule import schedule
from staffing.vocabulary import WORKLOAD


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plan`` sub-command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The sub-parsers of the ``staffing`` parser; the ``plan`` parser is added to it
        with ``func=run``.
    """
    parser = subparsers.add_parser(
        "plan",
        help="compute required agents and FTE per skill and interval from a planning config",
        description=(
            "Validate the config, forecast NHT and volume, compute the on-queue agents and FTE "
            "every skill needs in every interval, print a summary and write the outputs "
            "(workbook, optional intervals CSV and plots)."
        ),
    )
    _add_output_arguments(parser)
    add_horizon_options(parser)
    _add_file_arguments(parser)
    _add_run_arguments(parser)
    parser.set_defaults(func=run)


def _add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """Add CONFIG and the options of where the workbook and the intervals go."""
    parser.add_argument("config", metavar="CONFIG", help="the YAML planning config")
    parser.add_argument(
        "--out",
        metavar="PATH",
        help="output file (default: output.path of the config, else "
        "out/<plan name>.xlsx beside the config); decides where every "
        "file of the run goes: the intervals CSV becomes "
        "<stem>-intervals.csv beside it",
    )
    csv = parser.add_mutually_exclusive_group()
    csv.add_argument(
        "--csv",
        metavar="PATH",
        help="write the intervals CSV here (default: <stem>-intervals.csv beside "
        "--out, else output.csv of the config)",
    )
    csv.add_argument(
        "--no-csv", action="store_true", help="do not write the intervals CSV (xlsx output)"
    )
    parser.add_argument(
        "--intervals",
        choices=INTERVALS_CHOICES,
        default="auto",
        help="where the table of every interval goes: auto (default: in the "
        f"workbook up to {INTERVALS_SHEET_MAX_ROWS:,} rows, above that "
        "only in the CSV), workbook (Intervals sheet as well), csv (the "
        "CSV only), parquet (<stem>-intervals.parquet instead of the "
        "CSV; needs staffing[parquet]) or none",
    )


def _add_file_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the output format, ``--force`` and the plots folder."""
    parser.add_argument(
        "--format",
        choices=["xlsx", "csv"],
        dest="fmt",
        help="output format (default: from the --out suffix, else xlsx)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite output files even if this program did not write them",
    )
    parser.add_argument(
        "--plots",
        metavar="DIR",
        help="also save PNG plots in DIR (default: output.plots of the config)",
    )


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the simulation and engine options, ``--no-schedule`` and ``--quiet``."""
    parser.add_argument(
        "--simulate",
        type=whole_number(2),
        metavar="N",
        help="also simulate the plan with N replications (as staffing "
        "simulate does), print the simulation summary and add the "
        "Simulation sheet and the Summary's simulated columns to the "
        "workbook (xlsx only)",
    )
    add_engine_options(parser, when=" (with --simulate, and the teams' staffing search)")
    parser.add_argument(
        "--no-schedule",
        action="store_true",
        help="do not schedule shifts even when the config has shifts: or "
        "scheduled: (by default the plan is scheduled, a summary per "
        "skill group printed and the Shifts and Coverage sheets written)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress messages on stderr")


def _progress(message: str) -> None:
    print(f"staffing plan: {message}", file=sys.stderr, flush=True)


def check_optional_dependencies(
    plots: bool = False,
    parquet: bool = False,
    simulate: bool = False,
    distributed: bool = False,
) -> list[str]:
    """Check the optional packages a run needs, before any work or output.

    Parameters
    ----------
    plots : bool
        The run saves plots (matplotlib, the ``plots`` extra).
    parquet : bool
        The run writes Parquet (pyarrow, the ``parquet`` extra).
    simulate : bool
        The run simulates (numba, the ``simulate`` extra, only speeds it up).
    distributed : bool
        The run simulates on Dask (``--workers`` / ``--scheduler``: the ``distributed``
        extra).

    Returns
    -------
    list of str
        Notes on what is missing but not needed (numba).

    Raises
    ------
    OutputError
        A package the run needs is missing, naming the extra that brings it.
    """
    needed = []
    if plots and importlib.util.find_spec("matplotlib") is None:
        needed.append("--plots needs matplotlib: pip install 'staffing[plots]'")
    if parquet and importlib.util.find_spec("pyarrow") is None:
        needed.append("--intervals parquet needs pyarrow: pip install 'staffing[parquet]'")
    if needed:
        raise OutputError("; ".join(needed) + " (nothing was run or written)")
    return check_engine(distributed) if simulate else []


def format_summary(result: Plan) -> str:
    """The summary table as fixed-width text for the terminal.

    Parameters
    ----------
    result : staffing.plan.Plan
        A planning result; its :meth:`~staffing.plan.Plan.summary` and ``meta`` are shown.

    Returns
    -------
    str
        A heading line, the table (one row per skill and an ``All skills`` row: weekly
        volume, NHT [s], peak agents and when, FTE per week [FTE], service level and
        abandonment [%], WAPE [%]; ``-`` where a value is missing) and a footnote.
    """
    table = result.summary()

    def num(value: float, digits: int = 0, pct: bool = False) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "-"
        return f"{value:.1%}" if pct else f"{value:,.{digits}f}"

    rows = [
        (
            "skill",
            "method",
            "volume/wk",
            "NHT s",
            "peak agents",
            "peak at",
            "FTE/wk",
            "SL",
            "abandon",
            "WAPE",
        )
    ]
    for r in table.itertuples(index=False):
        peak_at = "" if pd.isna(r.peak_at) else pd.Timestamp(r.peak_at).strftime("%a %d %b %H:%M")
        label = r.skill_name if pd.isna(r.skill_id) else f"{r.skill_id} {r.skill_name}"
        sl = "no target" if r.method == WORKLOAD else num(r.service_level, pct=True)
        rows.append(
            (
                label,
                r.method,
                num(r.weekly_volume),
                num(r.mean_nht_s),
                str(r.peak_agents),
                peak_at or "-",
                num(r.weekly_fte, 1),
                sl,
                num(r.p_abandon, pct=True),
                num(r.wape, pct=True),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if index == 0 or index == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    meta = result.meta
    head = (
        f"Plan {result.name!r}: {meta['start']} to {meta['end']} ({result.timezone}, "
        f"{result.interval_minutes}-minute intervals); NHT from {meta['nht_source']}; "
        f"volume from {meta['volume_source']}"
    )
    foot = (
        "volume/wk, FTE/wk: means per 7 days; SL and abandon volume-weighted (SL "
        '"no target" for workload skills); WAPE: volume forecast error on the held-out '
        "last week of history"
    )
    notes = [f"warning: {note}" for note in result.warnings]
    risk = format_risk(result)
    return "\n".join(
        [
            head,
            "",
            *lines,
            "",
            foot,
            *(["", *risk] if risk else []),
            *(["", *notes] if notes else []),
        ]
    )


def format_risk(result: Plan) -> list[str]:
    """The cost of confidence (``Plan.risk``) as summary lines, one per skill.

    Parameters
    ----------
    result : staffing.plan.Plan
        A planning result.

    Returns
    -------
    list of str
        A heading and, per skill, FTE per week at each confidence level, the lowest day's
        probability reached and the flat buffer's FTE per week; empty without ``Plan.risk``.
    """
    risk = result.risk
    if risk is None or risk.empty:
        return []
    levels = " / ".join(f"{c:.0%}" for c in risk["confidence"].unique())
    lines = [
        f"cost of confidence (FTE/wk at P(day meets targets) {levels}, forecast error "
        "from Plan.uncertainty; flat buffer: every interval staffed at forecast x uplift "
        "to the same probability):"
    ]
    for (skill_id, name), rows in risk.groupby(["skill_id", "skill_name"], sort=False):
        own = " / ".join(f"{v:.1f}" for v in rows["fte_per_week"])
        flat = " / ".join(f"{v:.1f}" for v in rows["buffer_fte_per_week"])
        cv = rows["daily_cv"].iloc[0]
        lines.append(f"  {skill_id} {name} (day CV {cv:.0%}): {own}; flat buffer {flat}")
    return lines


def run(args: argparse.Namespace) -> int:
    """Run the plan command: plan, print the summary, write the outputs.

    The output targets are checked before the planning run, so a refused target fails
    at once.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``plan`` options: ``config`` (YAML path), ``out`` (None: the config's
        output path), ``start`` (ISO date or None), ``weeks`` [weeks] (None: the
        config's), ``fmt`` (``"xlsx"``, ``"csv"`` or None: from the ``--out`` suffix),
        ``force``, ``csv`` (path or None), ``no_csv``, ``intervals`` (one of
        :data:`INTERVALS_CHOICES`; see :func:`output_paths`), ``plots`` (folder or None:
        the config's), ``simulate`` (replications
        [-] or None: no simulation), ``seed``, ``workers``, ``scheduler`` (as for
        ``staffing simulate``), ``no_schedule`` (skip the schedule of a config with
        ``shifts:`` or ``scheduled:``) and ``quiet``.

    Returns
    -------
    int
        The exit status, 0.

    Raises
    ------
    ConfigError
        The config is invalid (the CLI exits with status 2).
    DataError
        History or forecast unusable (from `staffing.plan.plan`), or the ``scheduled:``
        file unusable (from `staffing.schedule`).
    OutputError
        An output target is refused or cannot be written, ``--simulate`` with CSV
        output (the simulation goes into the workbook), contradicting output options, or an
        optional package the run needs is missing (before any work).
    ValueError
        ``--seed``, ``--workers`` or ``--scheduler`` without ``--simulate``, or simulation
        options the simulation refuses.
    """
    config = load_with_horizon(args)
    paths = output_paths(args, config)
    out, fmt, csv_path = paths["out"], paths["fmt"], paths["csv"]
    plots_dir = Path(args.plots) if args.plots else config.output.plots
    progress = None if args.quiet else _progress
    scheduling = _check_before_planning(args, config, paths, plots_dir)

    with warnings.catch_warnings():
        # DataWarnings are in the plan's warnings, printed with the summary.
        warnings.simplefilter("ignore", DataWarning)
        result = plan(config, progress=progress, teams=team_options(args))
    sheet = paths["sheet"]
    if fmt == "xlsx" and not sheet:
        _note_intervals_sheet(result, args, paths)
    print(format_summary(result))
    if result.teams is not None:
        print()
        print(format_teams(result))
    simulation = None
    if args.simulate is not None:
        if progress:
            progress(f"simulating with {args.simulate} replications")
        simulation = run_simulation(result, args, args.simulate, quiet=args.quiet)
        print()
        print(format_simulation(simulation))
    shifts = None
    if scheduling:
        if progress:
            progress("scheduling shifts")
        shifts = schedule(result)
        print()
        print(format_schedule(shifts))

    existed = {p for p in (csv_path, paths["parquet"]) if p is not None and Path(p).exists()}
    if progress:
        progress(f"writing {out}")
    written = write_outputs(
        result,
        out,
        fmt=fmt,
        force=args.force,
        csv_path=csv_path,
        simulation=simulation,
        schedule=shifts,
        intervals_sheet=sheet if fmt == "xlsx" else None,
        parquet_path=paths["parquet"],
        progress=progress,
        plots_dir=plots_dir,
        skill_sheets=paths["skill_sheets"],
    )
    print()
    _print_written(written, paths, existed)
    return 0


def _check_before_planning(
    args: argparse.Namespace, config: PlanConfig, paths: dict, plots_dir: Path | None
) -> bool:
    """Refuse, before any work, what would fail later; say whether the plan is scheduled.

    Missing optional packages, simulation options without ``--simulate`` (or teams),
    ``--simulate`` with CSV output, and locked or foreign output targets fail now, not
    after the planning run. Notes on the engine are printed on stderr.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``plan`` options (as for :func:`run`).
    config : PlanConfig
        The validated config.
    paths : dict
        Where the run writes (:func:`output_paths`).
    plots_dir : Path or None
        Folder of the plots, None for none.

    Returns
    -------
    bool
        Whether the plan is scheduled (the config has shifts and no ``--no-schedule``).
    """
    out, fmt, csv_path = paths["out"], paths["fmt"], paths["csv"]
    # Missing optional packages fail now, before any work or output.
    engine_notes = check_optional_dependencies(
        plots=plots_dir is not None,
        parquet=paths["parquet"] is not None,
        simulate=args.simulate is not None or bool(config.teams),
        distributed=args.workers is not None or args.scheduler is not None,
    )
    for note in engine_notes:
        print(f"staffing plan: note: {note}", file=sys.stderr)
    if args.simulate is None:
        given = [
            name
            for name in ("seed", "workers", "scheduler")
            if getattr(args, name) is not None and not config.teams  # teams: by simulation
        ]
        if given:
            raise ValueError(
                f"{', '.join('--' + name for name in given)} only apply with --simulate N"
            )
    elif fmt != "xlsx":
        raise OutputError(
            f"--simulate writes into the workbook, not into {out}; use xlsx "
            "output, or staffing simulate --out PATH.csv for the tables"
        )
    scheduling = not args.no_schedule and bool(config.shifts or config.scheduled)
    # Refuse a locked or foreign target now, not after the planning run.
    check_outputs(out, fmt=fmt, force=args.force, csv_path=csv_path)
    if paths["parquet"] is not None:
        from staffing.outputs.intervals_csv import is_staffing_parquet

        check_target(
            paths["parquet"],
            force=args.force,
            ours=is_staffing_parquet,
            what="a Parquet file written by staffing",
        )
    intervals_csv = out if fmt == "csv" else csv_path
    if scheduling and intervals_csv is not None:
        check_schedule_csvs(intervals_csv, force=args.force)
    return scheduling


def _note_intervals_sheet(result: Plan, args: argparse.Namespace, paths: dict) -> None:
    """Add to the plan's warnings where the intervals are when the workbook leaves them out.

    Parameters
    ----------
    result : staffing.plan.Plan
        The planning result; a warning is appended to its ``warnings``.
    args : argparse.Namespace
        The parsed ``plan`` options (``intervals``).
    paths : dict
        Where the run writes (:func:`output_paths`).
    """
    csv_path = paths["csv"]
    where = csv_path or paths["parquet"]
    why = (
        f"above {INTERVALS_SHEET_MAX_ROWS:,} rows"
        if args.intervals == "auto"
        else f"--intervals {args.intervals}"
    )
    result.warnings.append(
        f"the workbook has no Intervals sheet ({len(result.intervals):,} interval rows, "
        f"{why}): "
        + (
            f"they are in {where}"
            if where
            else "they are written nowhere; use --csv PATH, --intervals parquet or "
            "--intervals workbook"
        )
    )


def _print_written(written: WrittenFiles, paths: dict, existed: set) -> None:
    """Print a line per file written, saying which holds the intervals and what it replaced.

    Parameters
    ----------
    written : WrittenFiles
        The files written, and the notes on files kept (an edited workbook's backup).
    paths : dict
        Where the run writes (:func:`output_paths`).
    existed : set of Path
        The intervals files that were there before the run.
    """
    csv_path = paths["csv"]
    for path in written:
        why = ""
        if csv_path is not None and Path(path) == Path(csv_path):
            why = f" (the intervals, {paths['why']}" + (
                "; replaced the file that was there)" if path in existed else ")"
            )
        elif paths["parquet"] is not None and Path(path) == Path(paths["parquet"]):
            why = " (the intervals" + (
                "; replaced the file that was there)" if path in existed else ")"
            )
        print(f"wrote {path}{why}")
    for note in written.notes:
        print(f"note: {note}")
