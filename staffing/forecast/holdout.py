"""The backtest: the last week of history held out and forecast from the weeks before it."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from staffing.forecast.history import WEEK, history_window, slot_of_week
from staffing.forecast.volume import trend_factor, volume_profile, weekly_trend


def backtest(
    history: pd.DataFrame,
    skills: Iterable,
    *,
    timezone: str,
    weeks: int,
    decay: float = 0.75,
    trend: bool = False,
    minutes: int = 60,
) -> pd.DataFrame:
    """Hold out the last week of history, forecast it from the weeks before, report WAPE.

    Parameters
    ----------
    history : DataFrame
        Hourly history (:func:`hourly_history`), UTC; ``arrivals`` NaN = no data.
    skills : iterable of ResolvedSkill
        Uses ``skill_id`` and ``skill_name``.
    timezone : str
        IANA zone whose wall clock defines the hour of the week.
    weeks : int
        Weeks before the held-out week that the forecast uses [weeks] (as
        :func:`volume_profile`).
    decay : float
        Weight of each older week relative to the next newer one [-].
    trend : bool
        Also forecast the held-out week with a weekly trend (:func:`weekly_trend` fitted on
        the same weeks before it) and keep it per skill only where its WAPE is lower.
    minutes : int
        The history's interval length [min] (:func:`interval_history`): the WAPE is that of
        the forecast per interval of ``minutes``.

    Returns
    -------
    DataFrame
        ``skill_id, skill_name, wape, actual_volume, hours``, one row per skill (with
        ``trend``, also ``wape_no_trend``, ``wape_trend`` (NaN when no trend could be fitted)
        and ``trend_used``, True where ``wape_trend < wape_no_trend``; ``wape`` is then the
        chosen forecast's): WAPE =
        Σ|actual − forecast| / Σ actual over the held-out hours that have data [-] (NaN
        when Σ actual = 0 or the skill has no held-out data); ``actual_volume`` [-]
        and ``hours`` [h] count those intervals (their number × ``minutes`` / 60). No rows
        when the history is empty, or has no week before the held-out one, or no held-out
        arrivals. Growth factors are not
        applied: they describe the future, not the held-out week.
    """
    skills = list(skills)
    ids = [s.skill_id for s in skills]
    columns = ["skill_id", "skill_name", "wape", "actual_volume", "hours"]
    if trend:
        columns += ["wape_no_trend", "wape_trend", "trend_used"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    _, end = history_window(history, weeks)
    cut = end - WEEK
    train = history[history["interval_start"] < cut]
    held = history[
        (history["interval_start"] >= cut)
        & history["skill_id"].isin(ids)
        & history["arrivals"].notna()
    ]
    if train.empty or held.empty:
        return pd.DataFrame(columns=columns)
    fit = {"timezone": timezone, "weeks": weeks, "decay": decay, "cut": cut, "minutes": minutes}
    out, wape = _held_out_wape(train, held, ids, slope=None, **fit)
    held_hours = out["hours"].fillna(0).to_numpy(dtype=np.int64)  # intervals, then hours
    names = pd.Series({s.skill_id: s.skill_name for s in skills})
    table = pd.DataFrame(
        {
            "skill_id": np.asarray(ids, dtype=np.int64),
            "skill_name": names.reindex(ids).to_numpy(),
            "wape": wape.to_numpy(dtype=float),
            "actual_volume": out["actual_volume"].fillna(0).to_numpy(dtype=float),
            "hours": held_hours if minutes == 60 else held_hours * (minutes / 60),
        }
    )
    if trend:
        slope = weekly_trend(train, ids, weeks=weeks, end=cut)
        with_trend = _held_out_wape(train, held, ids, slope=slope, **fit)[1].to_numpy(
            dtype=float, copy=True
        )
        with_trend[np.isnan(slope.to_numpy())] = np.nan
        used = with_trend < table["wape"].to_numpy()  # NaN compares False: no trend
        table["wape_no_trend"] = table["wape"]
        table["wape_trend"] = with_trend
        table["trend_used"] = used
        table["wape"] = np.where(used, with_trend, table["wape_no_trend"])
    return table


def _held_out_wape(
    train: pd.DataFrame,
    held: pd.DataFrame,
    ids: list[int],
    *,
    slope: pd.Series | None,
    timezone: str,
    weeks: int,
    decay: float,
    cut: pd.Timestamp,
    minutes: int = 60,
) -> tuple[pd.DataFrame, pd.Series]:
    """Forecast the held-out hours from the training weeks and sum the errors per skill.

    Parameters
    ----------
    train : DataFrame
        Hourly history before ``cut``, UTC.
    held : DataFrame
        The held-out hours (from ``cut``) of the skills, with arrivals.
    ids : list of int
        Skill ids, the order of the result.
    slope : pandas.Series or None
        Weekly trend per skill id [1/week] (:func:`weekly_trend`); None for no trend.
    timezone : str
        IANA zone whose wall clock defines the hour of the week.
    weeks : int
        Training weeks before ``cut`` [weeks].
    decay : float
        Weight of each older week relative to the next newer one [-].
    cut : Timestamp
        Start of the held-out week (UTC).
    minutes : int
        The history's interval length [min]: the cells are the intervals of the week.

    Returns
    -------
    (DataFrame, pandas.Series)
        Per skill id (``ids`` order): ``abs_err``, ``actual_volume`` [-] and ``hours`` [-]
        sums, and the WAPE [-] (NaN when Σ actual = 0 or no held-out data).
    """
    how = slot_of_week(held["interval_start"].dt.tz_convert(timezone), minutes)
    cells = pd.MultiIndex.from_arrays([held["skill_id"], how])
    profile = volume_profile(
        train,
        ids,
        timezone=timezone,
        weeks=weeks,
        decay=decay,
        end=cut,
        trend=slope,
        minutes=minutes,
    )
    predicted = profile.set_index(["skill_id", "hour_of_week"])["volume"].reindex(cells).to_numpy()
    if slope is not None:
        predicted = predicted * trend_factor(
            slope.reindex(held["skill_id"].to_numpy()).to_numpy(), held["interval_start"], cut
        )
    err = pd.DataFrame(
        {
            "skill_id": held["skill_id"].to_numpy(),
            "abs_err": np.abs(held["arrivals"].to_numpy() - predicted),
            "actual": held["arrivals"].to_numpy(),
        }
    )
    sums = (
        err.groupby("skill_id")
        .agg(
            abs_err=("abs_err", "sum"),
            actual_volume=("actual", "sum"),
            hours=("actual", "size"),
        )
        .reindex(ids)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        wape = sums["abs_err"] / sums["actual_volume"].where(sums["actual_volume"] > 0)
    return sums, wape
