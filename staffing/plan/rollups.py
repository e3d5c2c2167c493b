"""The planning run's roll-ups: per skill and local day, per skill and plan week, totals.

Days are local calendar days and weeks start on the plan's first day
(:mod:`staffing.calendar`). Service level, abandonment and NHT are volume-weighted over the
intervals where they are defined; a ``workload`` skill has no service-level target, so its
service level is NaN and the totals' are weighted over the skills with one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from staffing import calendar
from staffing.config import ResolvedSkill
from staffing.vocabulary import WORKLOAD

__all__ = ["RollUps", "rollups"]


@dataclass
class RollUps:
    """The plan's per-day and per-week tables (:class:`staffing.plan.Plan`'s attributes)."""

    daily: pd.DataFrame
    daily_total: pd.DataFrame
    weekly: pd.DataFrame
    weekly_total: pd.DataFrame


@dataclass
class _Periods:
    """The plan calendar of a grid, and sums per skill over its days or weeks."""

    n_sk: int
    day_codes: np.ndarray
    day_dates: np.ndarray
    week_codes: np.ndarray
    n_days: int
    n_weeks: int

    def per(self, codes: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
        """Sum over time groups for each skill -> (n_sk, n_groups)."""
        n_sk = self.n_sk
        flat = (np.arange(n_sk)[:, None] * n_groups + codes[None, :]).ravel()
        return np.bincount(flat, weights=values.ravel(), minlength=n_sk * n_groups).reshape(
            n_sk, n_groups
        )

    def weekly_mean(
        self, values: np.ndarray, weights: np.ndarray, compensated: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Weighted mean per skill and week, and over all skills per week.

        With ``compensated`` the all-skills mean sums every skill's rows of a week in one
        compensated (Kahan) sum, as pandas' groupby does: the service level's total is made
        so, as the workbook has always shown it.
        """
        ok = np.isfinite(values) & (weights > 0)
        products, counted = np.where(ok, values * weights, 0.0), np.where(ok, weights, 0.0)
        num = self.per(self.week_codes, self.n_weeks, products)
        den = self.per(self.week_codes, self.n_weeks, counted)
        if compensated:
            weeks = np.tile(self.week_codes, self.n_sk)
            total_num, total_den = (
                pd.Series(x.ravel()).groupby(weeks).sum().reindex(range(self.n_weeks)).to_numpy()
                for x in (products, counted)
            )
        else:
            total_num, total_den = num.sum(axis=0), den.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return num / den, total_num / total_den


def _periods(n_sk: int, grid: pd.DatetimeIndex, start: date) -> _Periods:
    """Day and week codes of the grid."""
    day_codes, days = calendar.day_codes(grid)
    week_codes = calendar.week_codes(grid, start)
    n_weeks = int(week_codes.max()) + 1 if len(grid) else 0
    return _Periods(n_sk, day_codes, days.date, week_codes, len(days), n_weeks)


def rollups(
    skills: list[ResolvedSkill],
    grid: pd.DatetimeIndex,
    start: date,
    arrays: dict[str, np.ndarray],
    interval_minutes: int,
) -> RollUps:
    """Daily and weekly tables per skill and in total.

    Parameters
    ----------
    skills : list of ResolvedSkill
        The planned skills.
    grid : DatetimeIndex
        The plan's interval starts, local.
    start : date
        The plan's first day.
    arrays : dict of str to ndarray
        The staffing stage's result (``volume``, ``agents``, ``fte``, ``nht_s``,
        ``service_level``, ``p_abandon``; flat, skill-major).
    interval_minutes : int
        Interval length [min].

    Returns
    -------
    RollUps
    """
    n_sk, n_t = len(skills), len(grid)
    periods = _periods(n_sk, grid, start)
    hours = interval_minutes / 60.0
    names = ("volume", "agents", "fte", "nht_s", "service_level", "p_abandon")
    table = {name: arrays[name].reshape(n_sk, n_t).astype(float) for name in names}
    workload = np.array([s.method == WORKLOAD for s in skills])
    table["service_level"] = np.where(workload[:, None], np.nan, table["service_level"])
    daily, daily_total = _daily(skills, periods, table, hours)
    weekly, weekly_total = _weekly(skills, periods, table, hours, start)
    return RollUps(daily, daily_total, weekly, weekly_total)


def _daily(
    skills: list[ResolvedSkill], periods: _Periods, table: dict[str, np.ndarray], hours: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Volume, agent-hours and FTE-hours per skill and local day, and in total."""
    n_sk, n_days, codes = len(skills), periods.n_days, periods.day_codes
    vol, ah, fh = (
        periods.per(codes, n_days, x)
        for x in (table["volume"], table["agents"] * hours, table["fte"] * hours)
    )
    daily = pd.DataFrame(
        {
            "skill_id": np.repeat(np.array([s.skill_id for s in skills], dtype=np.int64), n_days),
            "skill_name": np.repeat(np.array([s.skill_name for s in skills], dtype=object), n_days),
            "date": np.tile(periods.day_dates, n_sk),
            "volume": vol.ravel(),
            "agent_hours": ah.ravel(),
            "fte_hours": fh.ravel(),
        }
    )
    total = pd.DataFrame(
        {
            "date": periods.day_dates,
            "volume": vol.sum(0),
            "agent_hours": ah.sum(0),
            "fte_hours": fh.sum(0),
        }
    )
    return daily, total


def _weekly(
    skills: list[ResolvedSkill],
    periods: _Periods,
    table: dict[str, np.ndarray],
    hours: float,
    start: date,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per skill and plan week, and in total: sums, headcount, weighted means, peaks."""
    n_sk, n_weeks, codes = len(skills), periods.n_weeks, periods.week_codes
    vol, agents = table["volume"], table["agents"]
    w_vol, w_ah, w_fh = (
        periods.per(codes, n_weeks, x) for x in (vol, agents * hours, table["fte"] * hours)
    )
    w_nht, t_nht = periods.weekly_mean(table["nht_s"], vol)
    w_sl, t_sl = periods.weekly_mean(table["service_level"], vol, compensated=True)
    w_pab, t_pab = periods.weekly_mean(table["p_abandon"], vol)
    peak, total_peak = _weekly_peaks(agents, codes, n_weeks)
    week_start = np.array([start + timedelta(weeks=w) for w in range(n_weeks)])
    days_in_week = np.bincount(
        codes[np.unique(periods.day_codes, return_index=True)[1]], minlength=n_weeks
    )
    fte_week = np.array([s.fte_hours_per_week for s in skills], dtype=float)
    headcount = w_fh / fte_week[:, None]
    weekly = pd.DataFrame(
        {
            "skill_id": np.repeat(np.array([s.skill_id for s in skills], dtype=np.int64), n_weeks),
            "skill_name": np.repeat(
                np.array([s.skill_name for s in skills], dtype=object), n_weeks
            ),
            "week_start": np.tile(week_start, n_sk),
            "days": np.tile(days_in_week, n_sk),
            "volume": w_vol.ravel(),
            "agent_hours": w_ah.ravel(),
            "fte_hours": w_fh.ravel(),
            "fte_headcount": headcount.ravel(),
            "nht_s": w_nht.ravel(),
            "service_level": w_sl.ravel(),
            "p_abandon": w_pab.ravel(),
            "peak_agents": peak.ravel().astype(np.int64),
        }
    )
    total = pd.DataFrame(
        {
            "week_start": week_start,
            "days": days_in_week,
            "volume": w_vol.sum(0),
            "agent_hours": w_ah.sum(0),
            "fte_hours": w_fh.sum(0),
            "fte_headcount": headcount.sum(0),
            "nht_s": t_nht,
            "service_level": t_sl,
            "p_abandon": t_pab,
            "peak_agents": total_peak.astype(np.int64),
        }
    )
    return weekly, total


def _weekly_peaks(
    agents: np.ndarray, codes: np.ndarray, n_weeks: int
) -> tuple[np.ndarray, np.ndarray]:
    """Peak agents per skill and week, and of the summed agents per week."""
    peak = np.zeros((agents.shape[0], n_weeks))
    total_peak = np.zeros(n_weeks)
    sum_agents = agents.sum(axis=0)
    for week in range(n_weeks):  # one step per week, not per interval
        cols = codes == week
        peak[:, week] = agents[:, cols].max(axis=1)
        total_peak[week] = sum_agents[cols].max()
    return peak, total_peak
