r"""The forecast's day-level error, measured: a rolling one-week-ahead backtest of the daily totals.

The plan's history forecast (:func:`~staffing.forecast.volume.volume_profile`, the same
weeks, recency decay and weekly trend) is made at each of up to :data:`MAX_ORIGINS` weekly
origins going back from the end of the history, each forecasting the week after it from the
weeks before it only. Every held-out local day gives the actual total :math:`A` and the
forecast total :math:`F` over the same intervals (those with data).

The day multiplier (:mod:`staffing.forecast.day_multiplier`) models the error of the
forecast *rate*; the Poisson noise of the count around that rate is simulated anyway. With
:math:`A \mid M \sim \text{Poisson}(F M)`, :math:`E[M] = 1` and :math:`sd(M) = c`, the
relative error :math:`A/F - 1` has variance :math:`c^2 + 1/F`. Its scale is read from the
mean absolute error, :math:`s = \sqrt{\pi/2}\,\overline{|A/F - 1|}` (exact for normal
errors), which real daily errors' heavy tails (the day after a holiday, a campaign) sway
less than the root mean square: on bank_calls the root mean square gives 80 % intervals that
hold 85 % of days, the mean absolute error 82 % (benchmarks/bench_forecast.py). Then

.. math:: \hat c^2 = s^2 - \overline{1/F},

floored at :data:`CV_FLOOR` (a forecast is never exact, and the excess can come out
negative on short Poisson-dominated histories). The error is measured around the forecast
itself, not around its mean over the days: a biased forecast is an error too. The
correlation between skills is that of their daily :math:`\ln(A/F)` on common days, net of
the Poisson part in the variances, averaged over pairs and clipped to [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from staffing.forecast.history import WEEK, history_window, slot_of_week
from staffing.forecast.volume import trend_factor, volume_profile, weekly_trend

__all__ = [
    "CV_FLOOR",
    "MAX_ORIGINS",
    "MIN_CORRELATION_DAYS",
    "MIN_ORIGINS",
    "MIN_TRAIN_WEEKS",
    "daily_correlation",
    "daily_cv",
    "daily_errors",
]

#: Most weekly origins of the backtest (half a year).
MAX_ORIGINS = 26
#: Fewest weekly origins behind an estimate; with fewer the caller takes a default.
MIN_ORIGINS = 4
#: Fewest weeks of history an origin needs before it (fewer when the forecast uses fewer).
MIN_TRAIN_WEEKS = 4
#: Floor of the estimated day-level CV [-].
CV_FLOOR = 0.02
#: Fewest common days behind an estimated correlation between two skills.
MIN_CORRELATION_DAYS = 10

#: Columns of :func:`daily_errors`.
ERROR_COLUMNS = ["skill_id", "origin", "date", "actual", "forecast"]


def daily_errors(
    history: pd.DataFrame,
    skill_ids: Iterable[int],
    *,
    timezone: str,
    weeks: int,
    decay: float = 0.75,
    minutes: int = 60,
    origins: int = MAX_ORIGINS,
    trend_ids: Iterable[int] = (),
) -> pd.DataFrame:
    """Daily totals of a rolling one-week-ahead backtest of the history forecast.

    Parameters
    ----------
    history : DataFrame
        History of ``minutes`` intervals (:func:`~staffing.forecast.interval_history`), UTC;
        ``arrivals`` NaN = no data.
    skill_ids : iterable of int
        Skills to backtest.
    timezone : str
        IANA zone whose wall clock defines the hour of the week and the day.
    weeks, decay : int, float
        The forecast's window [weeks] and recency decay [-] (:func:`volume_profile`).
    minutes : int
        The history's interval length [min].
    origins : int
        Most weekly origins, the newest first: origin *k* holds out the *k*-th last week of
        the history and forecasts it from the ``weeks`` weeks before it. An origin needs
        ``min(weeks, MIN_TRAIN_WEEKS)`` weeks of history before it.
    trend_ids : iterable of int
        Skills whose forecast applies the weekly trend (:func:`weekly_trend`, fitted at each
        origin on the weeks before it).

    Returns
    -------
    DataFrame
        ``skill_id, origin, date, actual, forecast``: one row per skill, origin (its start,
        UTC) and local date held out with data; ``actual`` and ``forecast`` are the day's
        totals over its intervals with data [-]. Empty when the history is.
    """
    ids = np.fromiter(skill_ids, dtype=np.int64)
    known = history[history["skill_id"].isin(ids) & history["arrivals"].notna()]
    if known.empty:
        return pd.DataFrame(columns=ERROR_COLUMNS)
    _, end = history_window(known, 1)
    first = known["interval_start"].min()
    trended = np.fromiter(trend_ids, dtype=np.int64)
    frames = []
    for k in range(1, origins + 1):
        cut = end - k * WEEK
        if cut - min(weeks, MIN_TRAIN_WEEKS) * WEEK < first.floor("h"):
            break
        starts = known["interval_start"]
        held = known[(starts >= cut) & (starts < cut + WEEK)]
        if held.empty:
            continue
        slope = None
        if len(trended):
            slope = weekly_trend(known, trended, weeks=weeks, end=cut).reindex(ids)
        frames.append(_origin_days(known, held, ids, cut, slope, timezone, weeks, decay, minutes))
    if not frames:
        return pd.DataFrame(columns=ERROR_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _origin_days(
    known: pd.DataFrame,
    held: pd.DataFrame,
    ids: np.ndarray,
    cut: pd.Timestamp,
    slope: pd.Series | None,
    timezone: str,
    weeks: int,
    decay: float,
    minutes: int,
) -> pd.DataFrame:
    """One origin's held-out days: actual and forecast totals per skill and local date."""
    profile = volume_profile(
        known,
        ids,
        timezone=timezone,
        weeks=weeks,
        decay=decay,
        end=cut,
        trend=slope,
        minutes=minutes,
    )
    local = held["interval_start"].dt.tz_convert(timezone)
    cells = pd.MultiIndex.from_arrays([held["skill_id"], slot_of_week(local, minutes)])
    predicted = profile.set_index(["skill_id", "hour_of_week"])["volume"].reindex(cells)
    predicted = predicted.to_numpy(dtype=float)
    if slope is not None:
        rows = slope.reindex(held["skill_id"].to_numpy()).to_numpy(dtype=float)
        predicted = predicted * trend_factor(rows, held["interval_start"], cut)
    days = pd.DataFrame(
        {
            "skill_id": held["skill_id"].to_numpy(),
            "date": local.dt.date.to_numpy(),
            "actual": held["arrivals"].to_numpy(dtype=float),
            "forecast": predicted,
        }
    )
    days = days.groupby(["skill_id", "date"], as_index=False)[["actual", "forecast"]].sum()
    days.insert(1, "origin", cut)
    return days[ERROR_COLUMNS]


def daily_cv(
    errors: pd.DataFrame,
    skill_ids: Iterable[int],
    *,
    floor: float = CV_FLOOR,
) -> pd.DataFrame:
    """Each skill's day-level CV of the forecast rate, net of the Poisson noise.

    Parameters
    ----------
    errors : DataFrame
        :func:`daily_errors`.
    skill_ids : iterable of int
        The skills, the order of the result.
    floor : float
        Lowest CV returned [-] (:data:`CV_FLOOR`).

    Returns
    -------
    DataFrame
        Index ``skill_id``; ``daily_cv`` (:math:`\\max(floor, \\hat c)` [-], NaN without a
        day), ``raw_cv`` (:math:`\\hat c`, 0 where the excess over the Poisson part is
        negative [-]), ``total_cv`` (:math:`s`, the scale of :math:`A/F - 1` with the Poisson
        noise [-]), ``origins`` and ``days`` (weekly origins and days behind it); days with a
        forecast of 0 are left out.
    """
    ids = pd.Index(np.fromiter(skill_ids, dtype=np.int64), name="skill_id")
    used = errors[errors["forecast"] > 0]
    ratio = used["actual"].to_numpy(dtype=float) / used["forecast"].to_numpy(dtype=float)
    work = pd.DataFrame(
        {
            "skill_id": used["skill_id"].to_numpy(dtype=np.int64),
            "origin": used["origin"].to_numpy(),
            "abs": np.abs(ratio - 1.0),
            "poisson": 1.0 / used["forecast"].to_numpy(dtype=float),
        }
    )
    by = work.groupby("skill_id")
    stats = pd.DataFrame(
        {
            "scale": np.sqrt(np.pi / 2) * by["abs"].mean(),
            "poisson": by["poisson"].mean(),
            "origins": by["origin"].nunique(),
            "days": by.size(),
        }
    ).reindex(ids)
    excess = (stats["scale"] ** 2 - stats["poisson"]).to_numpy(dtype=float)
    raw = np.sqrt(np.clip(excess, 0.0, None))
    return pd.DataFrame(
        {
            "daily_cv": np.where(np.isnan(raw), np.nan, np.maximum(raw, floor)),
            "raw_cv": raw,
            "total_cv": stats["scale"].to_numpy(dtype=float),
            "origins": stats["origins"].fillna(0).to_numpy(dtype=np.int64),
            "days": stats["days"].fillna(0).to_numpy(dtype=np.int64),
        },
        index=ids,
    )


def daily_correlation(errors: pd.DataFrame, cv: pd.Series) -> float:
    """The one correlation between skills' day multipliers, from the same daily errors.

    Parameters
    ----------
    errors : DataFrame
        :func:`daily_errors` of two or more skills.
    cv : pandas.Series
        Each skill's day-level CV (:func:`daily_cv`'s ``daily_cv``), by skill id [-].

    Returns
    -------
    float
        The mean over pairs of skills with at least :data:`MIN_CORRELATION_DAYS` common days
        of :math:`cov(\\ln r_i, \\ln r_j) / (\\sigma_i \\sigma_j)`, with :math:`r = A/F` and
        :math:`\\sigma^2 = \\ln(1 + c^2)` the multiplier's own log-variance (the Poisson
        noise is independent between skills, so it adds nothing to the covariance), clipped
        to [0, 1]; 0 with fewer than two such skills.
    """
    used = errors[(errors["forecast"] > 0) & (errors["actual"] > 0)]
    logs = pd.Series(
        np.log(used["actual"].to_numpy(dtype=float) / used["forecast"].to_numpy(dtype=float)),
        index=pd.MultiIndex.from_arrays([used["origin"], used["date"], used["skill_id"]]),
    ).unstack("skill_id")
    if logs.shape[1] < 2:
        return 0.0
    covariance = logs.cov(min_periods=MIN_CORRELATION_DAYS).to_numpy()  # pairwise complete
    shape = np.sqrt(np.log1p(cv.reindex(logs.columns).to_numpy(dtype=float) ** 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = covariance / np.outer(shape, shape)
    pairs = scaled[np.triu_indices(len(shape), k=1)]
    pairs = pairs[np.isfinite(pairs)]
    if not len(pairs):
        return 0.0
    return float(np.clip(pairs.mean(), 0.0, 1.0))
