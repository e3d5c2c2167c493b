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
- :mod:`staffing.report` and :mod:`staffing.plots`: the workbook, CSV and pictures.
- :mod:`staffing.liveperson` and :mod:`staffing.store`: the NHT fetcher and the SQLite
  history store (imported on use).
"""

from __future__ import annotations

from staffing import queueing
from staffing.config import PlanConfig, load_config
from staffing.errors import (
    APIError,
    AuthenticationError,
    ConfigError,
    DataError,
    OutputError,
    StaffingError,
)
from staffing.plan import Plan, plan
from staffing.scenarios import scenarios
from staffing.shifts.schedule import Schedule, schedule
from staffing.simulation import SimulationResult, simulate
from staffing.vocabulary import VERSION

__version__ = VERSION

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigError",
    "DataError",
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
