"""The plan as every output sees it: :class:`PlanView`, and the day-by-time-of-day grid.

A :class:`PlanView` is built once from a :class:`staffing.plan.Plan` by its attributes
(``intervals``, ``skills``, ``backtest``, ``weekly``, ``weekly_total``, ``history``,
``nht_profile``, ``config``, ``meta`` and ``summary()``); the name, time zone and interval
length come from ``plan.meta`` (``name``, ``timezone``, ``interval_minutes``), which
:func:`staffing.plan.plan` always writes. The workbook, the intervals CSV and the plots all
read the plan through it, so the checks and the time-zone conversion happen once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffing.errors import DataError
from staffing.vocabulary import INTERVAL_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from staffing.config import PlanConfig
    from staffing.plan import Plan
    from staffing.plan.teams import TeamPlan

__all__ = ["DayGrid", "PlanView", "day_grid", "interval_grid"]


@dataclass
class PlanView:
    """What the outputs need from a plan, checked and converted once.

    Attributes
    ----------
    name : str
        Plan name (``plan.name``).
    timezone : str
        IANA zone of the plan's local times (``plan.timezone``).
    interval_minutes : int
        Interval length [min] (``plan.interval_minutes``).
    intervals : DataFrame
        ``plan.intervals`` with the columns of :data:`staffing.vocabulary.INTERVAL_COLUMNS`
        first, in that order, then any others; ``interval_start`` tz-aware in ``timezone``.
    summary : DataFrame or None
        ``plan.summary()`` when asked for (it costs a pass over the intervals), else None.
    skills, backtest, weekly, weekly_total : DataFrame or None
        The plan's tables of the same names; None for a table without columns.
    history, nht_profile : DataFrame
        The plan's NHT history (local times) and the NHT it used per hour of the week.
    uncertainty : DataFrame or None
        ``plan.uncertainty`` as a table (``skill_id, skill_name, daily_cv, source,
        origins``; ``attrs["correlation"]`` kept); None with ``volume.uncertainty: none``.
    meta : dict
        A copy of ``plan.meta``.
    config : PlanConfig or mapping or None
        The config the plan ran with.
    teams : TeamPlan or None
        ``plan.teams``: the staffing of the plan's teams (None without teams).
    risk : DataFrame or None
        ``plan.risk`` (the cost of confidence; None without it).
    """

    name: str
    timezone: str
    interval_minutes: int
    intervals: pd.DataFrame
    summary: pd.DataFrame | None = None
    skills: pd.DataFrame | None = None
    backtest: pd.DataFrame | None = None
    weekly: pd.DataFrame | None = None
    weekly_total: pd.DataFrame | None = None
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    nht_profile: pd.DataFrame = field(default_factory=pd.DataFrame)
    meta: dict[str, Any] = field(default_factory=dict)
    config: PlanConfig | Mapping[str, object] | None = None
    teams: TeamPlan | None = None
    uncertainty: pd.DataFrame | None = None
    risk: pd.DataFrame | None = None

    @classmethod
    def from_plan(cls, plan: Plan, with_summary: bool = False) -> PlanView:
        """Build the view of a plan.

        Parameters
        ----------
        plan : staffing.plan.Plan
            The planning result.
        with_summary : bool
            Also compute ``plan.summary()`` (the workbook needs it, the CSV and plots not).

        Returns
        -------
        PlanView

        Raises
        ------
        DataError
            ``plan.intervals`` lacks a column of ``INTERVAL_COLUMNS``, or its
            ``interval_start`` cannot be read as local time of ``plan.timezone``
            (naive times are taken as local wall-clock times).
        """
        meta = plan.run_facts()
        timezone = plan.timezone
        intervals = plan.intervals
        intervals = _with_later_columns(intervals, plan.interval_minutes)
        missing = [c for c in INTERVAL_COLUMNS if c not in intervals.columns]
        if missing:
            raise DataError("plan.intervals lacks the columns " + ", ".join(missing))
        extra = [c for c in intervals.columns if c not in INTERVAL_COLUMNS]
        intervals = intervals[[*INTERVAL_COLUMNS, *extra]]  # copy-on-write: no data copied
        starts = intervals["interval_start"]
        if not isinstance(starts.dtype, pd.DatetimeTZDtype):
            try:
                starts = pd.to_datetime(starts)
            except (TypeError, ValueError) as exc:
                raise DataError(f"plan.intervals.interval_start is not a time: {exc}") from exc
        try:
            if starts.dt.tz is None:  # naive: already local wall-clock time
                starts = starts.dt.tz_localize(timezone, ambiguous="infer", nonexistent="raise")
            else:
                starts = starts.dt.tz_convert(timezone)
        except (ValueError, TypeError, KeyError) as exc:  # pytz/zoneinfo errors are ValueErrors
            raise DataError(
                f"plan.intervals.interval_start cannot be read as {timezone} local time: {exc}"
            ) from exc
        return cls(
            name=plan.name,
            timezone=timezone,
            interval_minutes=plan.interval_minutes,
            intervals=intervals.assign(interval_start=starts),
            summary=plan.summary() if with_summary else None,
            skills=_table(plan.skills),
            backtest=_table(plan.backtest),
            weekly=_table(plan.weekly),
            weekly_total=_table(plan.weekly_total),
            history=plan.history,
            nht_profile=plan.nht_profile,
            meta=meta,
            config=plan.config,
            teams=getattr(plan, "teams", None),  # a plan made by hand may have none
            uncertainty=_uncertainty(plan),
            risk=getattr(plan, "risk", None),
        )

    def skill_order(self) -> pd.DataFrame:
        """Skills in their order of first appearance.

        Returns
        -------
        DataFrame
            Columns ``skill_id, skill_name``, one row per skill.
        """
        return self.intervals[["skill_id", "skill_name"]].drop_duplicates("skill_id")

    def skill_rows(self, skill: int | str) -> pd.DataFrame:
        """The intervals of one skill.

        Parameters
        ----------
        skill : int or str
            Skill id (or its text) or skill name.

        Returns
        -------
        DataFrame
            The rows of :attr:`intervals` of that skill.

        Raises
        ------
        DataError
            No such skill (the message lists the first skills of the plan).
        """
        ids = self.intervals["skill_id"]
        mask = ids == skill
        if not mask.any():
            mask = ids.astype(str) == str(skill)
        if not mask.any():
            mask = self.intervals["skill_name"].astype(str) == str(skill)
        if not mask.any():
            known = self.skill_order()
            listed = ", ".join(f"{i} ({n})" for i, n in known.head(12).itertuples(index=False))
            more = " ..." if len(known) > 12 else ""
            raise DataError(f"no skill {skill!r} in the plan; skills: {listed}{more}")
        return self.intervals.loc[mask]


def _with_later_columns(intervals: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    """Add the interval columns a plan made before them lacks: ``fte_hours`` (fte × interval
    hours) and ``binding`` (empty: not known)."""
    added: dict[str, object] = {}
    if "fte_hours" not in intervals.columns and "fte" in intervals.columns:
        added["fte_hours"] = intervals["fte"] * (interval_minutes / 60.0)
    if "binding" not in intervals.columns:
        added["binding"] = ""
    return intervals.assign(**added) if added else intervals


def _uncertainty(plan: Plan) -> pd.DataFrame | None:
    """``plan.uncertainty`` with the skill's name beside its id (None when it has none)."""
    table = getattr(plan, "uncertainty", None)  # a plan built by hand may not have one
    if table is None:
        return None
    names = plan.skills.set_index("skill_id")["skill_name"] if len(plan.skills) else None
    shown = table.reset_index()
    if names is not None:
        shown.insert(1, "skill_name", shown["skill_id"].map(names))
    shown.attrs = dict(table.attrs)
    return shown


def _table(frame: pd.DataFrame) -> pd.DataFrame | None:
    return frame if len(frame.columns) else None


@dataclass(frozen=True)
class DayGrid:
    """One skill's column laid out as local days by interval of the day, with totals.

    Attributes
    ----------
    cells : DataFrame
        Index: local dates (``datetime.date``); columns: the start of every interval of the
        day (``datetime.time``). On the day clocks go back the repeated clock time holds the
        larger of its two intervals; on the day they go forward the skipped time is NaN.
    per_day, per_slot : ndarray
        Sums of ``value x interval hours`` per day and per interval of the day, counting
        every interval (both of a repeated hour) [value-hours].
    total : float
        The sum over all intervals [value-hours].
    """

    cells: pd.DataFrame
    per_day: np.ndarray
    per_slot: np.ndarray
    total: float


def day_grid(rows: pd.DataFrame, column: str, interval_minutes: int) -> DayGrid:
    """Lay out one skill's column as local days x intervals of the day.

    Parameters
    ----------
    rows : DataFrame
        One skill's intervals (:meth:`PlanView.skill_rows`), tz-aware local
        ``interval_start``.
    column : str
        The column to lay out (``fte``, ``agents``, ...); non-numbers become NaN.
    interval_minutes : int
        Interval length [min].

    Returns
    -------
    DayGrid
        The grid and its exact totals.
    """
    local = rows["interval_start"].dt.tz_localize(None)
    values = pd.to_numeric(rows[column], errors="coerce").to_numpy(float, na_value=np.nan)
    slots = list(range(0, 24 * 60, interval_minutes))
    if len(local):
        midnight = local.dt.normalize()
        first = midnight.min()
        day_pos = ((midnight - first) // pd.Timedelta(days=1)).to_numpy(np.int64)
        dates = pd.date_range(first, periods=int(day_pos.max()) + 1, freq="D").date
    else:
        day_pos, dates = np.zeros(0, np.int64), []
    slot_pos = ((local.dt.hour * 60 + local.dt.minute) // interval_minutes).to_numpy(np.int64)
    cells = np.full((len(dates), len(slots)), -np.inf)
    np.fmax.at(cells, (day_pos, slot_pos), values)  # fmax skips NaN
    cells[np.isneginf(cells)] = np.nan
    grid = pd.DataFrame(
        cells,
        index=pd.Index(dates, name="date"),
        columns=[time(m // 60, m % 60) for m in slots],
    )
    hours = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0) * (interval_minutes / 60)
    return DayGrid(
        cells=grid,
        per_day=np.bincount(day_pos, weights=hours, minlength=len(dates)),
        per_slot=np.bincount(slot_pos, weights=hours, minlength=len(slots)),
        total=float(hours.sum()),
    )


def interval_grid(plan: Plan, skill: int | str, column: str = "fte") -> pd.DataFrame:
    """A day x interval-of-day grid of one skill's column, in local time.

    Parameters
    ----------
    plan : staffing.plan.Plan
        The planning result.
    skill : int or str
        Skill id or skill name.
    column : str
        Column of ``plan.intervals`` to lay out (``fte`` [FTE], ``agents``, ``volume``, ...).

    Returns
    -------
    DataFrame
        Index: local dates (``datetime.date``); columns: the start of each interval of the day
        (``datetime.time``, every slot of the day even if unplanned). Missing intervals are NaN.
        On the day clocks go back, the repeated clock time holds the larger of its two
        intervals; on the day they go forward, the skipped time is NaN.

    Raises
    ------
    DataError
        Unknown skill or column.
    """
    view = PlanView.from_plan(plan)
    rows = view.skill_rows(skill)
    if column not in rows.columns:
        raise DataError(f"plan.intervals has no column {column!r}")
    return day_grid(rows, column, view.interval_minutes).cells
