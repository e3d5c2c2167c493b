"""staffing: workforce-management staffing for LivePerson messaging and chat.

Public API
----------
- :func:`load_config`, :func:`plan` and :class:`Plan`: the planning run (a YAML planning
  config, or a dict, to required agents and FTE per skill and interval).
- :func:`scenarios`: what-if sweeps (service-level target, shrinkage, concurrency, method,
  growth) as one table per scenario, skill and week.
- :func:`simulate` and :class:`SimulationResult`: discrete-event simulation of a plan
  (service level per interval, day and week, with its spread over replications).
- :mod:`staffing.queueing`: vectorised Erlang B/C, Erlang A and chat-concurrency models.
- :func:`schedule` and :class:`Schedule`: shifts that cover a plan at the fewest paid hours.
- :mod:`staffing.outputs`: the workbook, CSV and pictures.
- :mod:`staffing.sources`: the history and forecast files, the SQLite history store and
  LivePerson's NHT API (imported on use). Layout: ``docs/architecture.md``.
"""

from __future__ import annotations

import os
import sys


def _from_the_command_line() -> bool:
    """Whether this import is the ``staffing`` command starting (not a notebook or script)."""
    program = os.path.basename(sys.argv[0]) if sys.argv else ""
    return sys.argv[:1] == ["-m"] or program in ("staffing", "staffing.exe", "staffing-script.py")


try:
    from staffing import queueing
    from staffing.config import PlanConfig, load_config
    from staffing.errors import (
        APIError,
        AuthenticationError,
        ConfigError,
        DataError,
        DataWarning,
        OutputError,
        StaffingError,
    )
    from staffing.plan import Plan, plan
    from staffing.scenarios import scenarios
    from staffing.shifts.schedule import Schedule, schedule
    from staffing.simulation import SimulationResult, simulate
    from staffing.vocabulary import VERSION
except KeyboardInterrupt:
    # Ctrl-C while the command starts (importing numpy, pandas, ... takes a second): end as
    # cleanly as a Ctrl-C later does, with exit status 130 and nothing written. A library
    # user (a notebook, a script) gets the KeyboardInterrupt as usual.
    if not _from_the_command_line():
        raise
    print("staffing: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

__version__ = VERSION

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigError",
    "DataError",
    "DataWarning",
    "OutputError",
    "Plan",
    "PlanConfig",
    "Schedule",
    "SimulationResult",
    "StaffingError",
    "__version__",
    "load_config",
    "plan",
    "queueing",
    "scenarios",
    "schedule",
    "simulate",
]
