"""``staffing plan CONFIG``: run a plan, print its summary and write the outputs.

With ``--simulate N`` the plan is also simulated (N replications, as ``staffing simulate``
does) and the workbook gets the Simulation sheet and the Summary's simulated columns. When
the config has ``shifts:`` (or ``scheduled:``) the plan is also scheduled
(:func:`staffing.schedule`) unless ``--no-schedule``: a summary per skill group is printed,
the workbook gets the Shifts and Coverage sheets and the intervals CSV its shifts and
coverage CSVs beside it.
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from staffing.commands.simulate import format_summary as format_simulation
from staffing.commands.simulation_options import (
    add_engine_options,
    run_simulation,
    whole_number,
)
from staffing.config import load_config
from staffing.errors import OutputError
from staffing.outputs.intervals_csv import check_schedule_csvs
from staffing.outputs.safety import check_outputs
from staffing.outputs.workbook import write_outputs
from staffing.plan import Plan, plan
from staffing.shifts.schedule import Schedule, schedule

#: Uncovered intervals the schedule summary names.
UNCOVERED_SHOWN = 5


def _iso_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of weeks >= 1: {text!r}")
    return value


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
    parser.add_argument("config", metavar="CONFIG", help="the YAML planning config")
    parser.add_argument("--out", metavar="PATH",
                        help="output file (default: output.path of the config, else "
                             "out/<plan name>.xlsx beside the config)")
    parser.add_argument("--start", type=_iso_date, metavar="DATE",
                        help="first day of the plan (YYYY-MM-DD), overriding plan.start")
    parser.add_argument("--weeks", type=_positive_int, metavar="N",
                        help="plan N weeks, overriding plan.weeks / plan.end")
    parser.add_argument("--format", choices=["xlsx", "csv"], dest="fmt",
                        help="output format (default: from the --out suffix, else xlsx)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite output files even if this program did not write them")
    parser.add_argument("--plots", metavar="DIR",
                        help="also save PNG plots in DIR (default: output.plots of the config)")
    parser.add_argument("--simulate", type=whole_number(2), metavar="N",
                        help="also simulate the plan with N replications (as staffing "
                             "simulate does), print the simulation summary and add the "
                             "Simulation sheet and the Summary's simulated columns to the "
                             "workbook (xlsx only)")
    add_engine_options(parser, when=" (with --simulate)")
    parser.add_argument("--no-schedule", action="store_true",
                        help="do not schedule shifts even when the config has shifts: or "
                             "scheduled: (by default the plan is scheduled, a summary per "
                             "skill group printed and the Shifts and Coverage sheets written)")
    parser.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    parser.set_defaults(func=run)


def _progress(message: str) -> None:
    print(f"staffing plan: {message}", file=sys.stderr, flush=True)


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

    rows = [("skill", "method", "volume/wk", "NHT s", "peak agents", "peak at", "FTE/wk",
             "SL", "abandon", "WAPE")]
    for r in table.itertuples(index=False):
        peak_at = "" if pd.isna(r.peak_at) else pd.Timestamp(r.peak_at).strftime("%a %d %b %H:%M")
        label = r.skill_name if pd.isna(r.skill_id) else f"{r.skill_id} {r.skill_name}"
        rows.append((label, r.method, num(r.weekly_volume), num(r.mean_nht_s),
                     str(r.peak_agents), peak_at, num(r.weekly_fte, 1),
                     num(r.service_level, pct=True), num(r.p_abandon, pct=True),
                     num(r.wape, pct=True)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if index == 0 or index == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    meta = result.meta
    head = (f"Plan {meta['name']!r}: {meta['start']} to {meta['end']} ({meta['timezone']}, "
            f"{meta['interval_minutes']}-minute intervals); NHT from {meta['nht_source']}; "
            f"volume from {meta['volume_source']}")
    foot = ("volume/wk, FTE/wk: means per 7 days; SL and abandon volume-weighted; WAPE: "
            "volume forecast error on the held-out last week of history")
    return "\n".join([head, "", *lines, "", foot])


def format_schedule(result: Schedule) -> str:
    """The schedule summary as fixed-width text for the terminal.

    Parameters
    ----------
    result : staffing.shifts.schedule.Schedule
        A schedule of a plan (:func:`staffing.schedule`); its ``groups``, ``uncovered``,
        ``mip_gap`` and ``meta`` are shown.

    Returns
    -------
    str
        A heading line, a table (one row per skill group and an ``All groups`` row: paid
        hours [h], shifts (heads started), coverage efficiency [%], under- and
        over-staffed on-queue agent-hours [h], uncovered intervals, MILP gap [%]; ``-``
        where a value is missing), a footnote and, when intervals are under-staffed, the
        first :data:`UNCOVERED_SHOWN` of them with their shortfall and reason.
    """
    groups = result.groups

    def num(value: float, digits: int = 0, pct: bool = False) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "-"
        return f"{value:.1%}" if pct else f"{value:,.{digits}f}"

    rows = [("skill group", "paid h", "shifts", "efficiency", "under h", "over h",
             "uncovered", "MILP gap")]
    for g in groups.itertuples(index=False):
        optimised = not math.isnan(g.paid_hours)
        rows.append((str(g.skill_group), num(g.paid_hours), f"{g.shifts:,}" if optimised else "-",
                     num(g.efficiency, pct=True), num(g.under_hours, 1), num(g.over_hours, 1),
                     f"{g.uncovered_intervals:,}", num(g.mip_gap, pct=True)))
    required, scheduled = groups["required_hours"].sum(), groups["scheduled_hours"].sum()
    rows.append(("All groups", num(result.paid_hours),
                 f"{int(groups['shifts'].sum()):,}" if not math.isnan(result.paid_hours)
                 else "-",
                 num(required / scheduled if scheduled > 0 else math.nan, pct=True),
                 num(float(groups["under_hours"].sum()), 1),
                 num(float(groups["over_hours"].sum()), 1),
                 f"{int(groups['uncovered_intervals'].sum()):,}",
                 num(result.mip_gap if not math.isnan(result.paid_hours) else math.nan,
                     pct=True)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if index == 0 or index == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    meta = result.meta
    source = ("optimal shifts (HiGHS MILP)" if meta.get("source") == "optimised"
              else f"the schedule from {meta.get('source')}")
    head = (f"Schedule: {len(groups)} skill group(s), {source}; "
            f"{meta.get('interval_minutes')}-minute intervals")
    foot = ["paid h: paid hours of the shifts (length minus the unpaid break); shifts: heads "
            "started over the horizon; efficiency: required agent-hours / scheduled on-queue "
            "hours;",
            "under h, over h: on-queue agent-hours below and above the requirement; "
            "uncovered: under-staffed intervals"]
    uncovered = result.uncovered
    if len(uncovered):
        first = uncovered.head(UNCOVERED_SHOWN)
        width = max(len(str(g)) for g in first["skill_group"])
        foot.append(f"note: {len(uncovered):,} interval(s) under-staffed (all of them in the "
                    f"Coverage sheets); the first {len(first)}:")
        foot += [f"  {str(row.skill_group).ljust(width)}  "
                 f"{pd.Timestamp(row.interval_start):%a %Y-%m-%d %H:%M}  short "
                 f"{row.shortfall:.1f} agents: {row.reason}"
                 for row in first.itertuples(index=False)]
        if len(uncovered) > len(first):
            foot.append(f"  and {len(uncovered) - len(first):,} more")
    return "\n".join([head, "", *lines, "", *foot])


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
        ``force``, ``plots`` (folder or None: the config's), ``simulate`` (replications
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
        An output target is refused or cannot be written, or ``--simulate`` with CSV
        output (the simulation goes into the workbook).
    ValueError
        ``--seed``, ``--workers`` or ``--scheduler`` without ``--simulate``, or simulation
        options the simulation refuses.
    """
    overrides: dict = {}
    if args.start:
        overrides.setdefault("plan", {})["start"] = args.start
    if args.weeks:
        overrides.setdefault("plan", {})["weeks"] = args.weeks
    config = load_config(args.config, overrides=overrides or None)
    out = Path(args.out) if args.out else config.default_output_path()
    fmt = args.fmt or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    plots_dir = Path(args.plots) if args.plots else config.output.plots
    progress = None if args.quiet else _progress

    csv_path = config.output.csv if fmt == "xlsx" else None
    if args.simulate is None:
        given = [name for name in ("seed", "workers", "scheduler")
                 if getattr(args, name) is not None]
        if given:
            raise ValueError(f"{', '.join('--' + name for name in given)} only apply with "
                             "--simulate N")
    elif fmt != "xlsx":
        raise OutputError(f"--simulate writes into the workbook, not into {out}; use xlsx "
                          "output, or staffing simulate --out PATH.csv for the tables")
    scheduling = not args.no_schedule and bool(config.shifts or config.scheduled)
    # Refuse a locked or foreign target now, not after the planning run.
    check_outputs(out, fmt=fmt, force=args.force, csv_path=csv_path)
    intervals_csv = out if fmt == "csv" else csv_path
    if scheduling and intervals_csv is not None:
        check_schedule_csvs(intervals_csv, force=args.force)

    result = plan(config, progress=progress)
    print(format_summary(result))
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

    if progress:
        progress(f"writing {out}")
    written = write_outputs(result, out, fmt=fmt, force=args.force, csv_path=csv_path,
                            simulation=simulation, schedule=shifts)
    if plots_dir is not None:
        from staffing.outputs.plots import save_plots

        if progress:
            progress(f"saving plots in {plots_dir}")
        written += save_plots(result, plots_dir)
    print()
    for path in written:
        print(f"wrote {path}")
    return 0
