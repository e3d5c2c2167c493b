"""The planning run's inputs stage: everything the staffing needs, on the plan's grid.

History (:mod:`staffing.plan.history`), NHT per hour of the week, volume
(:mod:`staffing.plan.volume`), special days, open hours and shrinkage, as flat
skill-major arrays (skill 0's intervals, then skill 1's, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from staffing import forecast
from staffing import special_days as specials
from staffing.config import PlanConfig, ResolvedSkill
from staffing.plan.history import HourlyHistory, horizon, hourly_history
from staffing.plan.patience import estimate_patience
from staffing.plan.progress import Progress, tell
from staffing.plan.volume import (
    VolumeForecast,
    apply_special_days,
    covered_skills,
    volume_forecast,
)
from staffing.vocabulary import BASIS_FILE

__all__ = ["Inputs", "prepare_inputs"]


@dataclass
class Inputs:
    """What the staffing stage needs, per skill and interval (flat, skill-major arrays).

    Attributes
    ----------
    grid : DatetimeIndex
        The plan's interval starts, local.
    skills : list of ResolvedSkill
        The planned skills, in plan order.
    skill_index : ndarray
        Index into ``skills`` of every row.
    volume, nht : ndarray
        Volume [-] and NHT [s], special days applied.
    basis : ndarray
        The rule behind each row's NHT (:data:`staffing.vocabulary.BASIS_NAMES`).
    is_open : ndarray of bool
        Open hours, special days' closures included.
    shrinkage : ndarray
        Shrinkage of each row's local hour of the week [-].
    shrink_table : ndarray
        Shrinkage per skill and hour of the week, shape (skills, 168) [-].
    history : HourlyHistory
        The hourly history and its window.
    nht_profile : DataFrame
        :attr:`staffing.plan.Plan.nht_profile`.
    forecast : VolumeForecast
        Where the volume came from, its backtest and notes.
    special : DataFrame
        The special days of the horizon (:func:`staffing.special_days.special_day_table`).
    patience : DataFrame, optional
        The totals behind each ``patience_seconds: auto`` estimate
        (:func:`staffing.plan.patience.estimate_patience`); None when no skill asks for it.
    uncertainty : DataFrame, optional
        :attr:`staffing.plan.Plan.uncertainty`, set by the uncertainty stage
        (:mod:`staffing.plan.uncertainty`) before the staffing; None with
        ``volume.uncertainty: none``.
    """

    grid: pd.DatetimeIndex
    skills: list[ResolvedSkill]
    skill_index: np.ndarray
    volume: np.ndarray
    nht: np.ndarray
    basis: np.ndarray
    is_open: np.ndarray
    shrinkage: np.ndarray
    shrink_table: np.ndarray
    history: HourlyHistory
    nht_profile: pd.DataFrame
    forecast: VolumeForecast
    special: pd.DataFrame
    patience: pd.DataFrame | None = None
    uncertainty: pd.DataFrame | None = None

    @property
    def ids(self) -> np.ndarray:
        """Skill ids in plan order (int64)."""
        return np.array([s.skill_id for s in self.skills], dtype=np.int64)


def prepare_inputs(
    config: PlanConfig,
    nht_history: pd.DataFrame | None,
    volume: pd.DataFrame | None,
    progress: Progress,
) -> Inputs:
    """The inputs stage: history, NHT and volume forecasts, special days, open hours.

    Parameters
    ----------
    config : PlanConfig
        The validated config.
    nht_history, volume : DataFrame, optional
        :func:`staffing.plan.plan`'s arguments of the same names.
    progress : callable, optional
        The run's progress callback.

    Returns
    -------
    Inputs
    """
    grid = horizon(config)
    history = hourly_history(config, nht_history, volume, progress)
    skills, patience = estimate_patience(
        config.resolved_skills, history.waiting, history.waiting_source
    )
    skill_index = np.repeat(np.arange(len(skills)), len(grid))
    flat_how = np.tile(forecast.hour_of_week(grid), len(skills))

    ids = np.array([s.skill_id for s in skills], dtype=np.int64)
    special = specials.special_day_table(
        config.special_days,
        ids,
        first=config.plan.start,
        last=config.plan.end_exclusive - timedelta(days=1),
    )
    effects = specials.day_effects(special, ids, grid)
    tell(progress, "forecasting volume")
    made = volume_forecast(config, volume, history, grid, effects, progress)

    tell(progress, "forecasting NHT")
    profile = forecast.nht_profile(
        history.hourly,
        skills,
        timezone=config.plan.timezone,
        history_weeks=config.nht.history_weeks,
        min_segments=config.nht.min_segments,
        covered=covered_skills(config, made.handle_time, grid),
    )
    nht = profile["nht_s"].to_numpy().reshape(len(skills), 168)[skill_index, flat_how]
    basis = profile["nht_basis"].to_numpy().reshape(len(skills), 168)[skill_index, flat_how]
    if made.handle_time is not None:  # the planner's own handle times come first
        given = ~np.isnan(made.handle_time)
        nht = np.where(given, made.handle_time, nht)
        basis = np.where(given, BASIS_FILE, basis)
    vol = made.values
    if len(special):
        vol, nht = apply_special_days(vol, nht, effects, made.reference, ids, grid)

    shrink_table = np.stack([s.shrinkage.hour_of_week() for s in skills])
    return Inputs(
        grid=grid,
        skills=skills,
        skill_index=skill_index,
        volume=vol,
        nht=nht,
        basis=basis,
        is_open=_open_hours(skills, grid, config.plan.interval_minutes) & ~effects["closed"],
        shrinkage=shrink_table[skill_index, flat_how],
        shrink_table=shrink_table,
        history=history,
        nht_profile=profile,
        forecast=made,
        special=special,
        patience=patience,
    )


def _open_hours(
    skills: list[ResolvedSkill], grid: pd.DatetimeIndex, interval_minutes: int
) -> np.ndarray:
    """Whether each skill is open in each interval of the grid (flat, skill-major)."""
    n_t = len(grid)
    weekday = np.asarray(grid.day_of_week)
    minute_of_day = np.asarray(grid.hour * 60 + grid.minute)
    is_open = np.ones(len(skills) * n_t, dtype=bool)
    for index, skill in enumerate(skills):
        if skill.open_hours is not None:
            is_open[index * n_t : (index + 1) * n_t] = skill.open_hours.is_open(
                weekday, minute_of_day, interval_minutes
            )
    return is_open
