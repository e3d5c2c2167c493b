"""The planning run's uncertainty stage: the forecast error the plan assumes per skill.

``volume.uncertainty`` says where each skill's day-level coefficient of variation comes
from (:attr:`staffing.plan.Plan.uncertainty`, docs/models.md "Forecast uncertainty"):

- ``auto`` (the default): from the rolling one-week-ahead backtest of the history forecast
  (:func:`staffing.forecast.uncertainty.daily_errors` and
  :func:`~staffing.forecast.uncertainty.daily_cv`); when the volume comes from a file or a
  DataFrame, or the history has too few origins, :data:`DEFAULT_DAILY_CV` with a note;
- ``{daily_cv: 0.1, correlation: 0.0}``: those numbers for every skill;
- ``none``: no uncertainty (the forecast is taken as exact), the table is None.

The stage runs after the inputs and before the staffing, so the staffing can read it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffing import forecast
from staffing import special_days as specials
from staffing.config import PlanConfig, UncertaintySpec
from staffing.config.sections import UNCERTAINTY_NONE
from staffing.forecast import uncertainty
from staffing.plan.inputs import Inputs
from staffing.plan.progress import Progress, tell

__all__ = ["DEFAULT_DAILY_CV", "UNCERTAINTY_COLUMNS", "forecast_uncertainty"]

#: The day-level CV assumed when it cannot be measured (volume from a file) [-]: the
#: order of the one-week-ahead error of a history forecast on real contact-centre data
#: (bank_calls: see benchmarks/bench_forecast.py and docs/models.md).
DEFAULT_DAILY_CV = 0.10
#: Columns of :attr:`staffing.plan.Plan.uncertainty` (index ``skill_id``).
UNCERTAINTY_COLUMNS = ("daily_cv", "source", "origins")


def forecast_uncertainty(
    config: PlanConfig, inputs: Inputs, progress: Progress = None
) -> tuple[pd.DataFrame | None, list[str]]:
    """The uncertainty stage: each skill's day-level CV and where it came from.

    Parameters
    ----------
    config : PlanConfig
        The validated config (``volume.uncertainty``).
    inputs : Inputs
        The inputs stage's result (skills, where the volume came from, the history).
    progress : callable, optional
        The run's progress callback.

    Returns
    -------
    table : DataFrame or None
        :attr:`staffing.plan.Plan.uncertainty` (None with ``volume.uncertainty: none``).
    notes : list of str
        What the planner should know about it (a default taken, and why).
    """
    setting = config.volume.uncertainty
    ids = [s.skill_id for s in inputs.skills]
    if setting == UNCERTAINTY_NONE:
        return None, []
    if isinstance(setting, UncertaintySpec):
        return _table(
            ids,
            [setting.daily_cv] * len(ids),
            ["config"] * len(ids),
            [0] * len(ids),
            setting.correlation,
        ), []
    if inputs.history.volume.empty:  # the volume comes from a file or a DataFrame
        return _default(ids, inputs.forecast.source), [
            f"volume.uncertainty: the volume comes from {inputs.forecast.source}, so its error "
            "cannot be measured; each skill's day-level CV is the default "
            f"{DEFAULT_DAILY_CV:.2f} (give volume.uncertainty: {{daily_cv: ...}} or none)"
        ]
    tell(progress, "measuring the forecast's day-level error (rolling weekly backtest)")
    return _measured(config, inputs)


def _measured(config: PlanConfig, inputs: Inputs) -> tuple[pd.DataFrame, list[str]]:
    """``auto`` with a history forecast: each skill's CV from the rolling backtest."""
    ids = [s.skill_id for s in inputs.skills]
    backtest = inputs.forecast.backtest
    trend_ids: list[int] = []
    if "trend_used" in backtest.columns:  # the skills whose forecast applies the trend
        trend_ids = backtest.loc[backtest["trend_used"].astype(bool), "skill_id"].tolist()
    errors = uncertainty.daily_errors(
        _closed_as_zero(config, inputs),
        ids,
        timezone=config.plan.timezone,
        weeks=config.volume.history_weeks or config.nht.history_weeks,
        decay=config.volume.recency_decay,
        minutes=inputs.history.volume_minutes,
        trend_ids=trend_ids,
    )
    measured = uncertainty.daily_cv(errors, ids)
    enough = (measured["origins"] >= uncertainty.MIN_ORIGINS) & measured["daily_cv"].notna()
    cv = measured["daily_cv"].where(enough, DEFAULT_DAILY_CV)
    source = [
        f"backtest, {n} weekly origins" if ok else f"default {DEFAULT_DAILY_CV:.2f} ({n} origins)"
        for n, ok in zip(measured["origins"], enough, strict=True)
    ]
    origins = measured["origins"].where(enough, 0)
    kept = errors[errors["skill_id"].isin(measured.index[enough])]
    correlation = uncertainty.daily_correlation(kept, cv[enough])
    notes = []
    if not enough.all():
        names = {s.skill_id: s.skill_name for s in inputs.skills}
        listed = ", ".join(
            f"{names[i]!r} ({n})" for i, n in measured.loc[~enough, "origins"].items()
        )
        notes.append(
            f"volume.uncertainty: too few weekly backtest origins to measure the day-level "
            f"error (at least {uncertainty.MIN_ORIGINS}) for {listed}: the default CV "
            f"{DEFAULT_DAILY_CV:.2f} is used"
        )
    return _table(ids, cv.tolist(), source, origins.tolist(), correlation), notes


def _closed_as_zero(config: PlanConfig, inputs: Inputs) -> pd.DataFrame:
    """The history the backtest reads: closed hours zero over all its weeks.

    The volume stage fills closed hours with zero only in the weeks the forecast reads
    (:func:`staffing.plan.history.volume_history`); this fills the older weeks the backtest
    reads (a skill without ``open_hours`` has no closed hours). An older origin would
    otherwise forecast a closed day from the same time of day on open days
    (:func:`volume_profile`'s fallback) while the held-out day reads zero.
    """
    volume = inputs.history.volume
    hours = {s.skill_id: s.open_hours for s in inputs.skills if s.open_hours is not None}
    if not hours:  # always open: nothing closed to fill
        return volume
    weeks = config.volume.history_weeks or config.nht.history_weeks
    _, end = forecast.history_window(volume, 1)
    week = pd.Timedelta(weeks=1)
    start = end - (weeks + uncertainty.MAX_ORIGINS + 1) * week
    end = end - weeks * week  # the volume stage filled the weeks after (a week's overlap)
    filled, _ = specials.fill_closed(
        volume,
        hours,
        timezone=config.plan.timezone,
        minutes=inputs.history.volume_minutes,
        start=start,
        end=end,
    )
    return filled


def _default(ids: list[int], volume_source: str) -> pd.DataFrame:
    """Every skill at :data:`DEFAULT_DAILY_CV`, independent of each other."""
    n = len(ids)
    source = f"default {DEFAULT_DAILY_CV:.2f} (volume from {volume_source})"
    return _table(ids, [DEFAULT_DAILY_CV] * n, [source] * n, [0] * n, 0.0)


def _table(
    ids: list[int], cv: list[float], source: list[str], origins: list[int], correlation: float
) -> pd.DataFrame:
    """:attr:`staffing.plan.Plan.uncertainty` from its columns."""
    table = pd.DataFrame(
        {
            "daily_cv": np.asarray(cv, dtype=float),
            "source": list(source),
            "origins": np.asarray(origins, dtype=np.int64),
        },
        index=pd.Index(ids, dtype="int64", name="skill_id"),
        columns=list(UNCERTAINTY_COLUMNS),
    )
    table.attrs["correlation"] = float(correlation)
    return table
