"""The simulation engine's input: one queueing skill as numpy arrays and scalars.

:class:`SkillInput` is what :func:`staffing.simulation.engine.run` simulates and what the
tables of :mod:`staffing.simulation.tables` compare with; it knows neither the config nor
the plan (:func:`staffing.simulation.run.skill_inputs` builds it from a plan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffing.vocabulary import ERLANG_C

__all__ = ["PLANNED", "SkillInput"]

#: The analytic figures per interval a :class:`SkillInput` may carry.
PLANNED = ("service_level", "asa_s", "p_abandon", "occupancy")


@dataclass(frozen=True, eq=False)
class SkillInput:
    """One queueing skill's simulation input: arrays per interval (length T) and scalars.

    Attributes
    ----------
    skill_id : int
        Id of the skill; seeds its random streams.
    skill_name, method : str
        Name and queueing method (``erlang_c``, ``erlang_a`` or ``chat``).
    interval_start : DatetimeIndex
        Start of each interval (local, tz-aware).
    volume : numpy.ndarray
        Expected contacts per interval [-].
    agents : numpy.ndarray of int64
        On-queue agents per interval [-].
    handle_time_s : numpy.ndarray
        Mean handle time [s]: (T,), or (T, k) by load for chat (column j-1: h_j).
    is_open : numpy.ndarray of bool
        Intervals that take arrivals.
    interval_s : float
        Interval length [s].
    answer_within_s : float
        Service-level threshold [s].
    patience_s : float or None
        Mean patience [s]; None: infinitely patient.
    service_level_target, asa_s, max_abandon : float or None
        The skill's targets [-], [s], [-] (``max_abandon`` is ignored for ``erlang_c``).
    day, week : numpy.ndarray of int64
        Local day and plan week of each interval (codes 0, 1, ...).
    dates : numpy.ndarray
        The date of each day code (``datetime.date``).
    week_start : tuple of datetime.date
        The first day of each plan week.
    max_occupancy : float or None, default None
        Occupancy cap [-] (time-stable staffing only).
    min_agents : int, default 0
        Fewest agents of a staffed interval [-] (time-stable staffing only).
    daily_cv : float, default 0.0
        Coefficient of variation of the day's volume (forecast error) [-]; 0: the volume
        is known.
    scope : str, default "interval"
        The period of the targets (``interval``, ``day`` or ``week``): under day or week
        scope an interval below a per-interval target is information, not a miss.
    planned : mapping, optional
        The analytic ``service_level``, ``asa_s``, ``p_abandon`` and ``occupancy`` per
        interval the tables show beside the simulation; NaN where missing.
    """

    skill_id: int
    skill_name: str
    method: str
    interval_start: pd.DatetimeIndex
    volume: np.ndarray
    agents: np.ndarray
    handle_time_s: np.ndarray
    is_open: np.ndarray
    interval_s: float
    answer_within_s: float
    patience_s: float | None
    service_level_target: float | None
    asa_s: float | None
    max_abandon: float | None
    day: np.ndarray
    dates: np.ndarray
    week: np.ndarray
    week_start: tuple[dt.date, ...]
    max_occupancy: float | None = None
    min_agents: int = 0
    daily_cv: float = 0.0
    scope: str = "interval"
    planned: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def targets(self) -> dict[str, float | None]:
        """The targets the tables check: ``service_level``, ``asa_s``, ``max_abandon``."""
        return {
            "service_level": self.service_level_target,
            "asa_s": self.asa_s,
            "max_abandon": self.max_abandon if self.method != ERLANG_C else None,
        }

    def planned_figures(self) -> dict[str, np.ndarray]:
        """The analytic figures per interval (float arrays; NaN where not given)."""
        nan = np.full(self.volume.size, np.nan)
        return {name: np.asarray(self.planned.get(name, nan), dtype=float) for name in PLANNED}
