"""``staffing simulate CONFIG``: plan, then simulate the plan and print promised vs delivered.

With ``--out PATH.xlsx`` it writes the plan's workbook with the Simulation sheet; with any
other ``--out`` the simulation's tables as CSV files.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from staffing.commands.simulation_options import (
    add_engine_options,
    add_horizon_options,
    check_engine,
    load_with_horizon,
    run_simulation,
    whole_number,
)
from staffing.errors import OutputError
from staffing.outputs.safety import check_outputs
from staffing.outputs.workbook import write_workbook
from staffing.plan import plan
from staffing.simulation import SimulationResult


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"not a number > 0: {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` sub-command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The sub-parsers of the ``staffing`` parser; the ``simulate`` parser is added to it
        with ``func=run``.
    """
    parser = subparsers.add_parser(
        "simulate",
        help="simulate a plan and report the service level it really delivers, day by day",
        description=(
            "Plan the config, then simulate every queueing skill over the whole horizon "
            "(discrete-event, REPLICATIONS independent runs) and print, per skill, the "
            "planned against the simulated daily service level, abandonment and ASA, the "
            "probability that a day meets its targets and the share of intervals whose "
            "target is missed with 95%% confidence. Rules: docs/simulation.md."
        ),
    )
    parser.add_argument("config", metavar="CONFIG", help="the YAML planning config")
    parser.add_argument(
        "--replications",
        type=whole_number(2),
        default=30,
        metavar="N",
        help="independent replications of the horizon (default 30)",
    )
    add_engine_options(parser)
    parser.add_argument(
        "--out",
        metavar="PATH",
        help="PATH.xlsx: write the plan's workbook with the Simulation sheet "
        "and the Summary's simulated columns; otherwise write the "
        "interval table as CSV to PATH, and the daily, weekly and "
        "summary tables beside it (PATH-daily.csv, ...)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite existing CSV files, or a workbook this program did not write",
    )
    add_horizon_options(parser)
    parser.add_argument(
        "--ramp", action="store_true", help="arrival rate linear between interval midpoints"
    )
    parser.add_argument(
        "--handle-time",
        choices=["exponential", "lognormal"],
        default="exponential",
        help="handle-time distribution (default exponential)",
    )
    parser.add_argument(
        "--handle-time-cv",
        type=_positive_float,
        default=None,
        metavar="CV",
        help="coefficient of variation of a lognormal handle time (default 1)",
    )
    parser.add_argument(
        "--routing",
        choices=["least_loaded", "even_spread"],
        default="least_loaded",
        help="chat routing (default least_loaded)",
    )
    parser.add_argument(
        "--at-close",
        choices=["drain", "hold"],
        default="drain",
        help="waiting contacts when staffing drops to 0: agents stay until "
        "the queue is empty (drain, default) or it waits (hold)",
    )
    parser.add_argument(
        "--no-forecast-error",
        action="store_true",
        help="take the forecast as exact: do not draw the day multipliers of the plan's "
        "volume uncertainty (P(day ok) is then with the volume known)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(func=run)


def _pct(value: float) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.1%}"


def _secs(value: float) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:,.1f}"


def format_summary(result: SimulationResult) -> str:
    """The simulation summary as fixed-width text for the terminal.

    Parameters
    ----------
    result : staffing.simulation.SimulationResult
        A simulation result; its :meth:`~staffing.simulation.SimulationResult.summary` and
        ``meta`` are shown.

    Returns
    -------
    str
        A heading, one row per simulated skill (mean daily service level planned and
        simulated, worst day of the week simulated, abandonment and ASA [s] planned and
        simulated, P(day meets target), share of intervals missed with confidence) and
        footnotes, including the skills not simulated.
    """
    table = result.summary()
    rows = [
        (
            "skill",
            "method",
            "SL/day plan",
            "sim",
            "worst day",
            "abandon plan",
            "sim",
            "ASA s plan",
            "sim",
            "P(day ok)",
            "vol known",
            "missed ivals",
        )
    ]
    notes = []
    for r in table.itertuples(index=False):
        label = f"{r.skill_id} {r.skill_name}"
        if r.note:
            notes.append(f"{label}: {r.note}")
            continue
        rows.append(
            (
                label,
                r.method,
                _pct(r.daily_service_level),
                _pct(r.daily_service_level_sim),
                _pct(r.worst_day_sl_sim),
                _pct(r.p_abandon),
                _pct(r.p_abandon_sim),
                _secs(r.asa_s),
                _secs(r.asa_s_sim),
                _pct(r.p_day_meets_target),
                _pct(r.p_day_meets_target_known_volume),
                _pct(r.intervals_missed)
                if r.scope == "interval"
                else f"info {_pct(r.intervals_below_interval_target)}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    meta = result.meta
    head = (
        f"Simulation of plan {meta['plan']!r}: {meta['replications']} replications, "
        f"seed {meta['seed']}, {meta['handle_time']} handle times"
        + (f" (CV {meta['handle_time_cv']:g})" if meta["handle_time"] != "exponential" else "")
        + f", {'ramped' if meta['ramp'] else 'constant'} arrivals per interval, chat "
        f"routing {meta['routing']}, at close: {meta['at_close']}; "
        f"{meta['contacts']:,} contacts on {meta['executor']} ({meta['engine']}) in "
        f"{meta['wall_seconds']:.1f} s; " + _forecast_error_text(meta.get("forecast_error"))
    )
    foot = [
        "SL/day: mean over days of the day's service level (answered within the "
        "threshold over all arrivals); worst day: the week's worst simulated day, "
        "averaged; abandon and ASA over the horizon; P(day ok): share of simulated days "
        "meeting every target, with the forecast error drawn; vol known: the same with "
        "the volume known; missed ivals: share of staffed intervals whose target "
        "the simulation misses with 95% confidence (day or week scope: no interval is "
        "missed; 'info' gives the share below a per-interval target, traded away on "
        "purpose).",
        *notes,
    ]
    return "\n".join([head, "", *lines, "", *foot])


def _forecast_error_text(drawn: dict[str, Any] | None) -> str:
    """The forecast error the run drew, in words."""
    if not drawn:
        return "forecast taken as exact (no forecast error drawn)"
    cvs = ", ".join(f"skill {sid} {cv:.1%}" for sid, cv in drawn["daily_cv"].items())
    return f"forecast error drawn: daily CV {cvs}; correlation {drawn['correlation']:g}"


def _csv_paths(out: Path) -> dict[str, Path]:
    """The four CSV files of ``--out PATH``: PATH itself and PATH-daily.csv, ..."""
    stem = out.with_suffix("") if out.suffix.lower() == ".csv" else out
    paths = {"intervals": stem.with_suffix(".csv")}
    paths.update(
        {name: stem.parent / f"{stem.name}-{name}.csv" for name in ("daily", "weekly", "summary")}
    )
    return paths


def _refuse_existing(paths: dict[str, Path]) -> None:
    existing = [str(path) for path in paths.values() if path.exists()]
    if existing:
        one = len(existing) == 1
        raise OutputError(
            f"{', '.join(existing)} {'is' if one else 'are'} already there; give --force to "
            f"replace {'it' if one else 'them'}"
        )


def _write_tables(result: SimulationResult, paths: dict[str, Path]) -> list[Path]:
    frames = {
        "intervals": result.intervals,
        "daily": result.daily,
        "weekly": result.weekly,
        "summary": result.summary(),
    }
    for name, path in paths.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            frames[name].to_csv(path, index=False)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc}") from exc
    return list(paths.values())


def run(args: argparse.Namespace) -> int:
    """Run the simulate command: plan, simulate, print the summary, write the outputs.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``simulate`` options: ``config`` (YAML path), ``replications`` [-],
        ``seed`` (None: 0), ``workers`` [-] or ``scheduler`` (address) or neither
        (in-process), ``out`` (a ``.xlsx`` workbook, a CSV path or None), ``force``,
        ``start`` (ISO date or None), ``weeks``
        [weeks] or None, ``ramp``, ``handle_time``, ``handle_time_cv`` [-] or None,
        ``routing``, ``at_close``, ``no_forecast_error`` and ``quiet``.

    Returns
    -------
    int
        The exit status, 0.

    Raises
    ------
    ConfigError
        The config is invalid (the CLI exits with status 2).
    DataError
        History or forecast unusable (from `staffing.plan.plan`).
    OutputError
        A CSV exists (without ``--force``), the workbook target is refused
        (:func:`staffing.outputs.safety.check_outputs`), or a file cannot be written.
    ValueError
        Options the simulation refuses, e.g. a CV other than 1 with exponential handle
        times.
    """
    config = load_with_horizon(args)
    # Missing optional packages fail now, before any work or output.
    for note in check_engine(args.workers is not None or args.scheduler is not None):
        print(f"staffing simulate: note: {note}", file=sys.stderr)
    out = Path(args.out) if args.out else None
    workbook = out is not None and out.suffix.lower() == ".xlsx"
    paths = _csv_paths(out) if out is not None and not workbook else None
    # Refuse a target now, not after the run.
    if workbook and out is not None:
        check_outputs(out, fmt="xlsx", force=args.force)
    elif paths is not None and not args.force:
        _refuse_existing(paths)

    def message(text: str) -> None:
        if not args.quiet:
            print(f"staffing simulate: {text}", file=sys.stderr, flush=True)

    planned = plan(config, progress=message if not args.quiet else None)
    result = run_simulation(
        planned,
        args,
        args.replications,
        quiet=args.quiet,
        ramp=args.ramp,
        handle_time=args.handle_time,
        handle_time_cv=args.handle_time_cv if args.handle_time_cv is not None else 1.0,
        routing=args.routing,
        at_close=args.at_close,
        forecast_error=not args.no_forecast_error,
    )
    print(format_summary(result))
    if out is None:
        return 0
    if workbook:
        message(f"writing {out}")
        written = [write_workbook(planned, out, force=args.force, simulation=result)]
    else:
        assert paths is not None  # a CSV target: out is set and not a workbook
        written = _write_tables(result, paths)
    print()
    for path in written:
        print(f"wrote {path}")
    return 0
