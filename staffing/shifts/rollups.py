"""A schedule's coverage summed per skill group and local date or plan week, and its gaps.

The plan calendar lives here for the schedule: each interval's local date and plan week
(weeks start on the plan's first day), the same codes as the plan's.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from staffing import calendar

__all__ = ["day_codes", "rollups", "uncovered_rows"]


def day_codes(grid: pd.DatetimeIndex, plan_start: date) -> tuple[np.ndarray, np.ndarray]:
    """Each interval's local date and plan week (0 for the week starting on ``plan_start``).

    Parameters
    ----------
    grid : pandas.DatetimeIndex
        Interval starts, tz-aware local.
    plan_start : datetime.date
        The plan's first day.

    Returns
    -------
    (numpy.ndarray of date, numpy.ndarray of int)
    """
    return np.asarray(grid.date), calendar.week_codes(grid, plan_start)


def _week_start(plan_start: date, week: int) -> date:
    """The first day of plan week ``week``."""
    return plan_start + timedelta(weeks=int(week))


def rollups(
    coverage: pd.DataFrame,
    shifts: pd.DataFrame,
    optimised: set[str],
    local_date: np.ndarray,
    week_of: np.ndarray,
    plan_start: date,
    hours: float,
    n_t: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Over/under on-queue hours per group and local date / plan week, with paid hours.

    Parameters
    ----------
    coverage : DataFrame
        ``Schedule.coverage`` (``n_t`` rows per group).
    shifts : DataFrame
        ``Schedule.shifts``.
    optimised : set of str
        Groups whose shifts were optimised (others get NaN paid hours).
    local_date, week_of : numpy.ndarray
        Each interval's local date and plan week (:func:`day_codes`).
    plan_start : datetime.date
        The plan's first day.
    hours : float
        Interval length [h].
    n_t : int
        Intervals per group.

    Returns
    -------
    (DataFrame, DataFrame)
        Daily and weekly tables [h].
    """
    reps = len(coverage) // n_t
    frame = pd.DataFrame(
        {
            "skill_group": coverage["skill_group"],
            "date": np.tile(local_date, reps),
            "week_start": np.tile([_week_start(plan_start, w) for w in week_of], reps),
            "required_hours": coverage["required"] * hours,
            "scheduled_hours": coverage["scheduled"] * hours,
            "over_hours": np.maximum(coverage["gap"], 0) * hours,
            "under_hours": np.maximum(-coverage["gap"], 0) * hours,
        }
    )
    sums = ["required_hours", "scheduled_hours", "over_hours", "under_hours"]
    daily = frame.groupby(["skill_group", "date"], sort=False)[sums].sum().reset_index()
    weekly = frame.groupby(["skill_group", "week_start"], sort=False)[sums].sum().reset_index()
    paid = shifts.assign(
        week_start=[_week_start(plan_start, (d - plan_start).days // 7) for d in shifts["date"]]
    )
    for table, key in ((daily, "date"), (weekly, "week_start")):
        per = paid.groupby(["skill_group", key])["paid_hours"].sum()
        values = [
            per.get((g, k), 0.0) for g, k in zip(table["skill_group"], table[key], strict=True)
        ]
        table["paid_hours"] = np.where(table["skill_group"].isin(optimised), values, np.nan)
    return daily, weekly


def uncovered_rows(coverage: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    """The understaffed rows of ``coverage`` with their ``shortfall`` [-] and ``reason``.

    Parameters
    ----------
    coverage : DataFrame
        ``Schedule.coverage``.
    reasons : Series
        Why each row of ``coverage`` would be understaffed.

    Returns
    -------
    DataFrame
    """
    under = coverage["understaffed"]
    uncovered = coverage.loc[
        under, ["skill_group", "interval_start", "required", "scheduled"]
    ].copy()
    uncovered["shortfall"] = uncovered["required"] - uncovered["scheduled"]
    uncovered["required_heads"] = coverage.loc[under, "required_heads"]
    uncovered["heads"] = coverage.loc[under, "heads"]
    uncovered["reason"] = reasons[under]
    return uncovered.reset_index(drop=True)
