"""Forecasts for the planning run: expected NHT and volume per skill and hour of the week.

One module per job: :mod:`~staffing.forecast.history` (hourly history, hour of the week,
the history window), :mod:`~staffing.forecast.nht` (the NHT profile and its ``nht_basis``),
:mod:`~staffing.forecast.volume` (the weekly trend and the volume profile) and
:mod:`~staffing.forecast.holdout` (the backtest). Hour of the week is local wall time in
the plan's zone; history frames have the columns of
:meth:`staffing.sources.store.HistoryStore.read`.
"""

from __future__ import annotations

from staffing.forecast.history import (
    history_window,
    hour_band,
    hour_of_week,
    hourly_history,
    interval_history,
    require_columns,
    slot_of_week,
    weighted_mean,
)
from staffing.forecast.holdout import backtest
from staffing.forecast.nht import OUTLIER_MADS, nht_profile
from staffing.forecast.volume import trend_factor, volume_profile, weekly_trend
from staffing.vocabulary import (
    BASIS_BAND,
    BASIS_FALLBACK,
    BASIS_HOUR,
    BASIS_OVERRIDE,
    BASIS_SKILL,
    HISTORY_COLUMNS,
)

__all__ = [
    "BASIS_BAND",
    "BASIS_FALLBACK",
    "BASIS_HOUR",
    "BASIS_OVERRIDE",
    "BASIS_SKILL",
    "HISTORY_COLUMNS",
    "OUTLIER_MADS",
    "backtest",
    "history_window",
    "hour_band",
    "hour_of_week",
    "hourly_history",
    "interval_history",
    "nht_profile",
    "require_columns",
    "slot_of_week",
    "trend_factor",
    "volume_profile",
    "weekly_trend",
    "weighted_mean",
]
