"""``staffing validate CONFIG``: check a planning config without running it."""

from __future__ import annotations

import argparse
import warnings

from staffing.config import PlanConfig, load_config
from staffing.errors import ConfigError, DataError, DataWarning
from staffing.plan import horizon
from staffing.plan.history import load_history, warn_shifted_history
from staffing.plan.volume import covered_skills, read_volume_source
from staffing.sources import files
from staffing.sources.handle_times import handle_times_on_grid


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` sub-command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The sub-parsers of the ``staffing`` parser; the ``validate`` parser is added to
        it with ``func=run``.
    """
    parser = subparsers.add_parser(
        "validate",
        help="check a planning config and list every problem (exit 0 valid, 2 invalid)",
        description=(
            "Validate a YAML planning config as a whole: every problem is listed with the "
            "file, the key path and what is wrong. A volume forecast file is read and checked "
            "too (its columns, values and that it covers the plan's interval grid). Nothing "
            "is run or written."
        ),
    )
    parser.add_argument("config", metavar="CONFIG", help="the YAML planning config")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate ``args.config`` and print a one-line description of the valid plan.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``validate`` options: ``config``, the YAML path.

    Returns
    -------
    int
        The exit status, 0 (the config is valid).

    Raises
    ------
    ConfigError
        Every problem of the config; it propagates to the CLI (exit 2).
    """
    config = load_config(args.config)
    notes = check_history_file(config) + check_forecast_file(config)
    p = config.plan
    horizon = f"{p.weeks} week(s)" if p.weeks is not None else f"to {p.end}"
    methods = ", ".join(sorted({s.method for s in config.resolved_skills}))
    print(
        f"{config.source}: valid: plan {p.name!r}, {len(config.skills)} skill(s) ({methods}), "
        f"from {p.start} {horizon}, {p.interval_minutes}-minute intervals in {p.timezone}; "
        f"NHT from {config.nht.source}, volume from {config.volume.source}"
    )
    for note in notes:
        print(f"note: {note}")
    for warning in config.warnings:  # valid, but not applied: e.g. workload targets
        print(f"warning: {warning}")
    return 0


def check_history_file(config: PlanConfig) -> list[str]:
    """Read the config's NHT history file as the planning run reads it, and say what to check.

    Parameters
    ----------
    config : PlanConfig
        A validated config; nothing is read unless ``nht.source`` is ``file``.

    Returns
    -------
    list of str
        The reader's notes (DST days, rows summed) and the warning that the times look
        shifted (many arrivals in closed hours, with the ``nht.timezone`` that fixes it).

    Raises
    ------
    ConfigError
        The file cannot be read or has bad rows: ``<config>: nht.path: <what is wrong>``.
    """
    if config.nht.source != "file" or config.nht.path is None:
        return []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        try:
            raw, source = load_history(config, None, None)
        except DataError as exc:
            raise ConfigError([f"{config.source}: nht.path: {exc}"]) from None
        warn_shifted_history(raw, config.resolved_skills, config.plan.timezone, source)
    return [str(w.message) for w in caught if issubclass(w.category, DataWarning)]


def check_forecast_file(config: PlanConfig) -> list[str]:
    """Check the config's volume forecast file as the planning run reads it.

    Parameters
    ----------
    config : PlanConfig
        A validated config; nothing is checked unless ``volume.source`` is ``file``.

    Returns
    -------
    list of str
        Notes for the planner (skills of the file that the config does not plan, implausible
        values), each naming the file.

    Raises
    ------
    ConfigError
        The file cannot be read, lacks a column, has a bad value, a time off the plan's
        interval grid or a planned skill and interval without a volume, or (with no
        ``nht`` section) a skill with neither ``nht_seconds`` nor a handle time in every
        interval: ``<config>: volume.path: <what is wrong>``.
    """
    if config.volume.source != "file" or config.volume.path is None:
        return []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        try:
            frame = read_volume_source(config)
            grid, ids = horizon(config), [s.skill_id for s in config.resolved_skills]
            files.volume_on_grid(frame, grid, ids, where=str(config.volume.path))
            # without history, each skill's NHT must come from nht_seconds or the file
            covered_skills(config, handle_times_on_grid(frame, grid, ids), grid)
        except DataError as exc:
            raise ConfigError([f"{config.source}: volume.path: {exc}"]) from None
    return [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
