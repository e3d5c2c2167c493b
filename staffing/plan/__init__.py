"""The planning run: from a planning config to required agents and FTE per skill and interval.

:func:`plan` validates the config, loads the NHT history (a CSV, the SQLite
history store, optionally fetching first, or a DataFrame), forecasts NHT and
volume, computes the on-queue agents each skill needs in every interval of the
horizon with its method, and rolls the result up per day and week.

Everything a planner sees is in the plan's local time zone; a DST week has 167
or 169 hourly intervals.

Modules: :mod:`~staffing.plan.result` (the typed :class:`Plan`), the stages
:mod:`~staffing.plan.history`, :mod:`~staffing.plan.volume` and
:mod:`~staffing.plan.inputs` (inputs), :mod:`~staffing.plan.staff`,
:mod:`~staffing.plan.rows` and :mod:`~staffing.plan.period` (staffing),
:mod:`~staffing.plan.rollups` (roll-ups), :mod:`~staffing.plan.notes` (warnings),
:mod:`~staffing.plan.skills_table`, and :mod:`~staffing.plan.run` (:func:`plan`).
"""

from __future__ import annotations

from staffing.plan.history import horizon
from staffing.plan.notes import HISTORY_GAP_WEEKS, SHRINKAGE_WARN
from staffing.plan.result import INTERVAL_COLUMNS, STAFFING_METHODS, Plan
from staffing.plan.run import plan

__all__ = [
    "HISTORY_GAP_WEEKS",
    "INTERVAL_COLUMNS",
    "SHRINKAGE_WARN",
    "STAFFING_METHODS",
    "Plan",
    "horizon",
    "plan",
]
