"""Hourly history and hour of the week: the frames every forecast starts from.

Hour of the week is always taken from **local wall time** in the plan's time zone
(``hour_of_week = weekday * 24 + hour``, Monday 00:00 = 0, so 0..167). A DST week
has 167 or 169 hourly intervals; the repeated autumn hour maps to the same hour of
the week twice and the skipped spring hour is simply absent.

History frames have the columns of the history store
(:meth:`staffing.sources.store.HistoryStore.read`): ``skill_id``, ``interval_start``
(tz-aware UTC), ``interval_minutes``, ``arrivals``, ``handled_segments``,
``net_handle_time_s`` and optional others, NaN meaning "no data".
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from staffing.errors import DataError
from staffing.vocabulary import HISTORY_COLUMNS

#: One week, the unit of the history windows and of the weekly trend.
WEEK = pd.Timedelta(days=7)


def hour_of_week(local_times: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Hour of the week of local timestamps, Monday 00:00 = 0 [-].

    Parameters
    ----------
    local_times : pandas.Series or pandas.DatetimeIndex
        Timestamps in the plan's zone (tz-aware); their wall clock is used as it is.

    Returns
    -------
    numpy.ndarray of int64
        ``weekday * 24 + hour``, 0..167 [-].
    """
    times = pd.DatetimeIndex(local_times)
    return (times.day_of_week * 24 + times.hour).to_numpy(dtype=np.int64)


def slot_of_week(local_times: pd.Series | pd.DatetimeIndex, minutes: int = 60) -> np.ndarray:
    """Interval of the week of local timestamps, Monday 00:00 = 0 [-].

    Parameters
    ----------
    local_times : pandas.Series or pandas.DatetimeIndex
        Timestamps in the plan's zone (tz-aware); their wall clock is used as it is.
    minutes : int
        Interval length [min] (15, 30 or 60): 60 gives :func:`hour_of_week`.

    Returns
    -------
    numpy.ndarray of int64
        ``(weekday * 1440 + hour * 60 + minute) // minutes``, 0 .. 7·1440/minutes − 1 [-].
    """
    times = pd.DatetimeIndex(local_times)
    minute_of_week = times.day_of_week * 1440 + times.hour * 60 + times.minute
    return (minute_of_week // minutes).to_numpy(dtype=np.int64)


def hour_band(how: np.ndarray) -> np.ndarray:
    """Band of an hour of the week: (weekend, six-hour block of the day) -> 0..7.

    Bands are 00-06, 06-12, 12-18, 18-24 on weekdays (0-3) and on Saturday/Sunday (4-7).

    Parameters
    ----------
    how : numpy.ndarray
        Hours of the week, 0..167 (as :func:`hour_of_week` gives them) [-].

    Returns
    -------
    numpy.ndarray
        The band of each hour, 0..7 [-].
    """
    how = np.asarray(how)
    return (how // 24 >= 5) * 4 + (how % 24) // 6


def weighted_mean(values: ArrayLike, weights: ArrayLike) -> float:
    """Weighted mean over the rows whose value is finite and whose weight is positive.

    The one rule for every mean NHT the project shows: NHT weighted by handled segments
    (``docs/models.md``), volume-weighted service levels and abandonment.

    Parameters
    ----------
    values : array_like
        Values, e.g. NHT [s]; NaN and infinite values are left out.
    weights : array_like
        Weights of the same length, e.g. handled segments [-]; rows with a weight that is
        not positive (or NaN) are left out.

    Returns
    -------
    float
        The weighted mean; NaN when no row is left.
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & (w > 0)
    if not ok.any():
        return float("nan")
    return float(np.sum(v[ok] * w[ok]) / np.sum(w[ok]))


def require_columns(frame: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise unless ``frame`` has every one of ``columns``.

    Parameters
    ----------
    frame : DataFrame
        The frame to check.
    columns : iterable of str
        Column names it must have.
    where : str
        What the frame is (a file name), for the error message.

    Raises
    ------
    DataError
        Naming ``where``, the missing columns and the columns the frame has.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{where}: missing column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, frame.columns))})"
        )


def hourly_history(history: pd.DataFrame, *, where: str = "NHT history") -> pd.DataFrame:
    """Bring history to one row per skill and UTC hour; -1 and negatives become NaN.

    At 15/30-minute intervals LivePerson copies the hourly-only metrics (NHT,
    handled segments) into every sub-bucket, so those are taken once per hour
    (first non-missing value) while arrivals are summed. An NHT of 0 is also "no data".
    At 60 minutes a repeated (skill, hour) keeps its last row.

    Parameters
    ----------
    history : DataFrame
        History in the store's shape: ``skill_id``, tz-aware ``interval_start``,
        ``net_handle_time_s`` [s], ``arrivals``, ``handled_segments`` and optionally
        ``interval_minutes`` [min] (60 when absent).
    where : str
        What the history is, for the error messages.

    Returns
    -------
    DataFrame
        Columns :data:`HISTORY_COLUMNS`, UTC hours, ``interval_minutes`` 60, sorted by
        skill and time; NaN for "no data".

    Raises
    ------
    DataError
        A required column is missing or ``interval_start`` is not timezone-aware.
    """
    require_columns(
        history,
        ["skill_id", "interval_start", "net_handle_time_s", "arrivals", "handled_segments"],
        where,
    )
    frame = history.copy()
    frame["skill_id"] = frame["skill_id"].astype("int64")
    starts = pd.DatetimeIndex(frame["interval_start"])
    if starts.tz is None:
        raise DataError(f"{where}: interval_start must be timezone-aware (UTC)")
    frame["interval_start"] = starts.tz_convert("UTC")
    for column in ("net_handle_time_s", "arrivals", "handled_segments"):
        values = frame[column].astype(float)
        frame[column] = values.where(values >= 0)
    frame.loc[frame["net_handle_time_s"] <= 0, "net_handle_time_s"] = np.nan
    minutes = frame["interval_minutes"] if "interval_minutes" in frame.columns else 60
    if np.any(np.asarray(minutes) < 60):
        frame["interval_start"] = frame["interval_start"].dt.floor("h")
        grouped = frame.groupby(["skill_id", "interval_start"], sort=True)
        frame = pd.DataFrame(
            {
                "arrivals": grouped["arrivals"].sum(min_count=1),
                "handled_segments": grouped["handled_segments"].first(),
                "net_handle_time_s": grouped["net_handle_time_s"].first(),
            }
        ).reset_index()
    else:
        frame = frame.drop_duplicates(["skill_id", "interval_start"], keep="last")
        frame = frame.sort_values(["skill_id", "interval_start"], ignore_index=True)
    frame["interval_minutes"] = 60
    return frame[list(HISTORY_COLUMNS)].reset_index(drop=True)


def interval_history(
    history: pd.DataFrame, minutes: int, *, where: str = "NHT history"
) -> tuple[pd.DataFrame, int]:
    """Arrivals per skill and interval of ``minutes`` when the history is that fine, else hourly.

    Parameters
    ----------
    history : DataFrame
        History in the store's shape (as :func:`hourly_history` takes it).
    minutes : int
        The plan's interval length [min].
    where : str
        What the history is, for the error messages.

    Returns
    -------
    frame : DataFrame
        ``skill_id, interval_start`` (UTC), ``interval_minutes``, ``arrivals`` (summed;
        NaN = no data), sorted by skill and time.
    grain : int
        The frame's interval length [min]: ``minutes`` when every row's length divides it,
        else 60 (:func:`hourly_history`'s arrivals, which a sub-hour plan splits evenly).
    """
    hourly = hourly_history(history, where=where)
    lengths = (
        history["interval_minutes"].to_numpy(dtype=float)
        if "interval_minutes" in history.columns
        else np.array([60.0])
    )
    fine = len(history) > 0 and bool(np.all(np.isfinite(lengths) & (minutes % lengths == 0)))
    if minutes >= 60 or not fine:
        return hourly[["skill_id", "interval_start", "interval_minutes", "arrivals"]], 60
    frame = pd.DataFrame(
        {
            "skill_id": history["skill_id"].astype("int64").to_numpy(),
            "interval_start": pd.DatetimeIndex(history["interval_start"])
            .tz_convert("UTC")
            .floor(f"{minutes}min"),
            "arrivals": history["arrivals"].astype(float).to_numpy(),
        }
    )
    frame["arrivals"] = frame["arrivals"].where(frame["arrivals"] >= 0)
    grouped = frame.groupby(["skill_id", "interval_start"], sort=True)["arrivals"]
    frame = grouped.sum(min_count=1).reset_index()
    frame.insert(2, "interval_minutes", minutes)
    return frame, minutes


def history_window(hourly: pd.DataFrame, weeks: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(start, end) in UTC of the last ``weeks`` weeks of the history; end is exclusive.

    Parameters
    ----------
    hourly : DataFrame
        Hourly history (:func:`hourly_history`), UTC.
    weeks : int
        Length of the window [weeks].

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        ``end`` is the end of the hour of the newest ``interval_start``; ``start`` is
        ``weeks`` weeks earlier.

    Raises
    ------
    DataError
        ``hourly`` is empty.
    """
    if hourly.empty:
        raise DataError("NHT history is empty: nothing to forecast from")
    end = hourly["interval_start"].max().floor("h") + pd.Timedelta(hours=1)
    return end - weeks * WEEK, end
