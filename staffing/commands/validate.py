"""``staffing validate CONFIG``: check a planning config without running it."""

from __future__ import annotations

import argparse

from staffing.config import load_config


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
            "file, the key path and what is wrong. Nothing is run or written."
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
    p = config.plan
    horizon = f"{p.weeks} week(s)" if p.weeks is not None else f"to {p.end}"
    methods = ", ".join(sorted({s.method for s in config.resolved_skills}))
    print(f"{config.source}: valid: plan {p.name!r}, {len(config.skills)} skill(s) ({methods}), "
          f"from {p.start} {horizon}, {p.interval_minutes}-minute intervals in {p.timezone}; "
          f"NHT from {config.nht.source}, volume from {config.volume.source}")
    return 0
