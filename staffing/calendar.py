"""The plan calendar: the local day of each interval, and day and week codes.

A plan's days are local calendar days of its time zone (a DST day has 23 or 25 hourly
intervals) and its weeks start on the plan's first day, whatever weekday that is. Every
table that groups intervals by day or week (roll-ups, period staffing, the simulation's
days and weeks, the schedule's weeks) takes its codes from here.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

__all__ = ["day_codes", "local_days", "week_codes"]


def local_days(grid: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The local calendar day of each interval, as naive midnights.

    Parameters
    ----------
    grid : DatetimeIndex
        Interval starts, tz-aware (their own zone is the plan's) or naive local.

    Returns
    -------
    DatetimeIndex
        Naive local midnight of each interval's day, same length as ``grid``.
    """
    naive = grid.tz_localize(None) if grid.tz is not None else grid
    return naive.normalize()


def day_codes(grid: pd.DatetimeIndex) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Code of each interval's local day (0 for the first day), and the days.

    Parameters
    ----------
    grid : DatetimeIndex
        Interval starts in time order, tz-aware or naive local.

    Returns
    -------
    codes : ndarray of int64
        Per interval, 0..n_days − 1 in order of appearance.
    days : DatetimeIndex
        The distinct local days (naive midnights), in that order.
    """
    codes, days = pd.factorize(local_days(grid))
    return np.asarray(codes, dtype=np.int64), pd.DatetimeIndex(days)


def week_codes(grid: pd.DatetimeIndex, start: date | pd.Timestamp) -> np.ndarray:
    """Plan week of each interval: whole weeks from the plan's first day.

    Parameters
    ----------
    grid : DatetimeIndex
        Interval starts, tz-aware or naive local.
    start : date or Timestamp
        The plan's first local day (``plan.start``).

    Returns
    -------
    ndarray of int64
        ⌊(local day − start) / 7 days⌋ per interval; 0 for the first seven days.
    """
    days = np.asarray((local_days(grid) - pd.Timestamp(start)).days)
    return (days // 7).astype(np.int64)
