"""Volume forecast from history: the weekly trend of arrivals and the hour-of-week profile."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from staffing.forecast.history import WEEK, history_window, slot_of_week


def weekly_trend(
    history: pd.DataFrame, skill_ids: Iterable[int], *, weeks: int, end: pd.Timestamp
) -> pd.Series:
    """Per skill, the multiplicative weekly trend of arrivals over the weeks before ``end``.

    Parameters
    ----------
    history : DataFrame
        Hourly history (:func:`hourly_history`), UTC; ``arrivals`` NaN = no data.
    skill_ids : iterable of int
        Skills to fit.
    weeks : int
        Whole weeks before ``end`` that count [weeks].
    end : Timestamp
        Exclusive end of the window (UTC).

    Returns
    -------
    pandas.Series
        Indexed by skill id: the slope b of the least-squares line ln Lₖ = a + b·k through
        the skill's weeks k (oldest first) [1/week], where Lₖ is the week's mean arrivals
        per hour with data (so a missing hour does not read as a fall). ``exp(b) − 1`` is
        the growth per week. NaN for a skill with fewer than 3 weeks of positive Lₖ.
    """
    ids = np.fromiter(skill_ids, dtype=np.int64)
    frame = history[history["skill_id"].isin(ids) & history["arrivals"].notna()]
    starts = frame["interval_start"]
    frame = frame[(starts < end) & (starts >= end - weeks * WEEK)]
    week = ((frame["interval_start"] - (end - weeks * WEEK)) // WEEK).to_numpy(dtype=np.int64)
    level = pd.DataFrame(
        {
            "skill_id": frame["skill_id"].to_numpy(),
            "k": week,
            "a": frame["arrivals"].to_numpy(dtype=float),
        }
    )
    level = level.groupby(["skill_id", "k"], as_index=False)["a"].mean()
    level = level[level["a"] > 0]
    level["y"] = np.log(level["a"])
    by = level.groupby("skill_id")
    dk = level["k"] - by["k"].transform("mean")
    dy = level["y"] - by["y"].transform("mean")
    sums = (
        pd.DataFrame({"skill_id": level["skill_id"], "kk": dk * dk, "ky": dk * dy, "n": 1})
        .groupby("skill_id")
        .sum()
    )
    slope = (sums["ky"] / sums["kk"]).where(sums["n"] >= 3)
    return slope.reindex(ids).astype(float)


def trend_factor(
    slope: ArrayLike, times: pd.Series | pd.DatetimeIndex, end: pd.Timestamp
) -> np.ndarray:
    """The trend's factor at ``times`` relative to ``end``: ``exp(b · (t − end) / 1 week)``.

    Parameters
    ----------
    slope : array_like
        b per row [1/week] (:func:`weekly_trend`); NaN is no trend (factor 1).
    times : pandas.Series or pandas.DatetimeIndex
        tz-aware instants, one per row (or broadcast against ``slope``).
    end : Timestamp
        The instant where the factor is 1 (the end of the history window).

    Returns
    -------
    numpy.ndarray
        The factor [-] per row.
    """
    weeks = (pd.DatetimeIndex(times) - end) / WEEK
    b = np.nan_to_num(np.asarray(slope, dtype=float))
    return np.exp(b * np.asarray(weeks, dtype=float))


def volume_profile(
    history: pd.DataFrame,
    skill_ids: Iterable[int],
    *,
    timezone: str,
    weeks: int,
    decay: float = 0.75,
    end: pd.Timestamp | None = None,
    trend: pd.Series | None = None,
    minutes: int = 60,
) -> pd.DataFrame:
    """Seasonal profile of arrivals per interval of the week, recent weeks weighted more.

    Parameters
    ----------
    history : DataFrame
        History of ``minutes`` intervals (:func:`hourly_history` or
        :func:`interval_history`), UTC; ``arrivals`` NaN = no data.
    skill_ids : iterable of int
        Skills to forecast; a skill without arrivals in the window gets 0.
    timezone : str
        Zone whose wall clock defines the hour of the week.
    weeks : int
        Number of whole weeks before ``end`` that count [weeks].
    decay : float
        Weight of a week relative to the next more recent one [-]: the week ending at
        ``end`` weighs 1, the one before ``decay``, then ``decay**2``, ...
    end : Timestamp, optional
        Exclusive end of the window (default: one hour after the newest history row).
    trend : pandas.Series, optional
        Slope b per skill id (:func:`weekly_trend`) [1/week]: each hour's arrivals are first
        divided by :func:`trend_factor` at its start, so the profile is the level at ``end``
        (multiply a forecast by :func:`trend_factor` at its own times). Default no trend.
    minutes : int
        The history's interval length [min]: the profile's cells are the intervals of the
        week (:func:`slot_of_week`); 60 gives hours of the week.

    Returns
    -------
    DataFrame
        ``skill_id, hour_of_week, volume`` (arrivals per interval of ``minutes`` [-]),
        7·1440/``minutes`` rows per skill; ``hour_of_week`` holds the interval of the week
        (the hour of the week at 60 minutes).

    Notes
    -----
    Each cell is Σ wₖ·aₖ / Σ wₖ over the weeks k with data for that interval (missing
    intervals are left out, not counted as zero: closed hours count as zero only where the
    history has zero rows for them, :func:`staffing.special_days.fill_closed`). A cell with
    no data in any week takes the skill's weighted mean for the same local time of day;
    failing that, 0.
    """
    ids = np.fromiter(skill_ids, dtype=np.int64)
    if end is None:
        _, end = history_window(history, weeks)
    frame = history[history["skill_id"].isin(ids) & history["arrivals"].notna()]
    starts = frame["interval_start"]
    frame = frame[(starts < end) & (starts >= end - weeks * WEEK)]
    age = ((end - frame["interval_start"]) // WEEK).to_numpy(dtype=np.int64)
    weight = decay ** age.astype(float)
    arrivals = frame["arrivals"].to_numpy(dtype=float)
    if trend is not None:
        slope = trend.reindex(frame["skill_id"].to_numpy()).to_numpy(dtype=float)
        arrivals = arrivals / trend_factor(slope, frame["interval_start"], end)
    work = pd.DataFrame(
        {
            "skill_id": frame["skill_id"].to_numpy(),
            "how": slot_of_week(frame["interval_start"].dt.tz_convert(timezone), minutes),
            "w": weight,
            "wa": weight * arrivals,
        }
    )
    per_day = 1440 // minutes
    work["hod"] = work["how"] % per_day
    cell = work.groupby(["skill_id", "how"])[["w", "wa"]].sum()
    hod = work.groupby(["skill_id", "hod"])[["w", "wa"]].sum()
    grid = pd.DataFrame(
        {
            "skill_id": np.repeat(ids, 7 * per_day),
            "hour_of_week": np.tile(np.arange(7 * per_day, dtype=np.int64), len(ids)),
        }
    )
    c = cell.reindex(pd.MultiIndex.from_arrays([grid["skill_id"], grid["hour_of_week"]]))
    h = hod.reindex(pd.MultiIndex.from_arrays([grid["skill_id"], grid["hour_of_week"] % per_day]))
    with np.errstate(invalid="ignore", divide="ignore"):
        own = c["wa"].to_numpy() / c["w"].to_numpy()
        same_hour = h["wa"].to_numpy() / h["w"].to_numpy()
    grid["volume"] = np.where(
        np.isfinite(own), own, np.where(np.isfinite(same_hour), same_hour, 0.0)
    )
    return grid
