"""Special days on DataFrames: which local dates and skills are planned differently, and how.

A special day is a local date (in the plan's zone) with, per skill, any of: ``closed`` (no
volume, no agents), a ``volume_factor`` and an ``nht_factor`` (multipliers of the forecast)
and ``like`` (the volume of another date's forecast, copied by local time of day). Entries
that cover the same date and skill combine: closed wins over everything, factors multiply,
and a date takes ``like`` from one entry only (the config refuses two).

The functions take the entries duck-typed (``start``, ``last``, ``skills``, ``closed``,
``volume_factor``, ``nht_factor``, ``like``: :class:`staffing.config.SpecialDay`), so this
module stays in the maths layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "SPECIAL_DAY_COLUMNS",
    "day_effects",
    "fill_closed",
    "find_holidays",
    "leave_out_special_days",
    "like_volume",
    "local_days",
    "special_day_table",
]

#: Columns of :func:`special_day_table` (and of ``Plan.special_days``, with ``skill_name``).
SPECIAL_DAY_COLUMNS = ["date", "skill_id", "closed", "volume_factor", "nht_factor", "like"]


def special_day_table(
    entries: Iterable,
    skill_ids: Iterable[int],
    *,
    first: date | None = None,
    last: date | None = None,
) -> pd.DataFrame:
    """One row per local date and skill that an entry covers, the entries combined.

    Parameters
    ----------
    entries : iterable of SpecialDay
        ``start`` and ``last`` (dates, inclusive), ``skills`` (ids, None for every skill),
        ``closed`` (bool), ``volume_factor`` and ``nht_factor`` (floats or None [-]) and
        ``like`` (a date or None).
    skill_ids : iterable of int
        The skills of the plan; an entry's other skills are ignored.
    first, last : datetime.date, optional
        Keep only dates in ``[first, last]`` (inclusive); default every date.

    Returns
    -------
    DataFrame
        :data:`SPECIAL_DAY_COLUMNS`, sorted by date and skill: ``date`` (datetime.date),
        ``skill_id``, ``closed`` (any entry closes it), ``volume_factor`` and ``nht_factor``
        (the product of the entries' factors, 1.0 when none [-]), ``like`` (a date or None).
    """
    ids = [int(s) for s in skill_ids]
    rows: dict[tuple[date, int], dict] = {}
    for entry in entries:
        lo = entry.start if first is None else max(entry.start, first)
        hi = entry.last if last is None else min(entry.last, last)
        days = [lo + timedelta(days=k) for k in range((hi - lo).days + 1)]
        targets = ids if entry.skills is None else [s for s in entry.skills if s in ids]
        for day in days:
            for sid in targets:
                row = rows.setdefault(
                    (day, sid),
                    {
                        "date": day,
                        "skill_id": sid,
                        "closed": False,
                        "volume_factor": 1.0,
                        "nht_factor": 1.0,
                        "like": None,
                    },
                )
                row["closed"] |= bool(entry.closed)
                if entry.volume_factor is not None:
                    row["volume_factor"] *= float(entry.volume_factor)
                if entry.nht_factor is not None:
                    row["nht_factor"] *= float(entry.nht_factor)
                if entry.like is not None:
                    row["like"] = entry.like
    table = pd.DataFrame(list(rows.values()), columns=SPECIAL_DAY_COLUMNS)
    table["skill_id"] = table["skill_id"].astype("int64")
    table["closed"] = table["closed"].astype(bool)
    table[["volume_factor", "nht_factor"]] = table[["volume_factor", "nht_factor"]].astype(float)
    return table.sort_values(["date", "skill_id"], ignore_index=True)


def day_effects(
    table: pd.DataFrame, skill_ids: Iterable[int], local_times: pd.DatetimeIndex
) -> dict[str, np.ndarray]:
    """The special-day effects of every skill and interval, skill-major.

    Parameters
    ----------
    table : DataFrame
        :func:`special_day_table`.
    skill_ids : iterable of int
        The skills, in plan order.
    local_times : pandas.DatetimeIndex
        The interval starts in the plan's zone; their local date decides.

    Returns
    -------
    dict of numpy.ndarray
        ``closed`` (bool), ``volume_factor`` and ``nht_factor`` (1.0 on ordinary days [-])
        and ``like`` (``datetime64[D]``, NaT without one), each ``len(skill_ids) *
        len(local_times)`` long: skill by skill, the intervals in order.
    """
    ids = np.asarray(list(skill_ids), dtype=np.int64)
    days = local_times.tz_localize(None).normalize().to_numpy().astype("datetime64[D]")
    n = len(days)
    keys = pd.MultiIndex.from_arrays([np.repeat(ids, n), np.tile(days, len(ids))])
    found = table.set_index(
        [
            table["skill_id"].to_numpy(),
            pd.to_datetime(table["date"]).to_numpy().astype("datetime64[D]"),
        ]
    )
    found = found.reindex(keys)
    like = pd.to_datetime(found["like"]).to_numpy().astype("datetime64[D]")
    return {
        # True only where an entry closes the day (reindexing leaves the others missing).
        "closed": found["closed"].eq(True).to_numpy(dtype=bool),
        "volume_factor": found["volume_factor"].fillna(1.0).to_numpy(dtype=float),
        "nht_factor": found["nht_factor"].fillna(1.0).to_numpy(dtype=float),
        "like": like,
    }


def like_volume(
    reference: pd.DataFrame,
    skill_ids: Iterable[int],
    local_times: pd.DatetimeIndex,
    like: np.ndarray,
) -> np.ndarray:
    """The volume a ``like`` date copies: the reference date's volume at the same local time.

    Parameters
    ----------
    reference : DataFrame
        ``skill_id``, ``interval_start`` (tz-aware, in the plan's zone) and ``volume``
        [-]: the forecast of (at least) the reference dates, on the plan's interval grid.
    skill_ids : iterable of int
        The skills, in plan order.
    local_times : pandas.DatetimeIndex
        The plan's interval starts in its zone.
    like : numpy.ndarray of datetime64[D]
        Skill-major as :func:`day_effects` gives it: the reference date, NaT where none.

    Returns
    -------
    numpy.ndarray
        Skill-major volume [-]: the reference date's volume of the skill at the interval's
        local time of day (a wall time the reference date lacks, at a DST change, takes the
        nearest one it has; the repeated autumn hour takes the mean of its two); NaN where
        ``like`` is NaT or the reference has no volume at all for that skill and date.
    """
    ids = np.asarray(list(skill_ids), dtype=np.int64)
    n = len(local_times)
    out = np.full(len(ids) * n, np.nan)
    wanted = ~np.isnat(like)
    if not wanted.any() or reference.empty:
        return out
    starts = pd.DatetimeIndex(reference["interval_start"])
    ref = (
        pd.DataFrame(
            {
                "skill_id": reference["skill_id"].to_numpy(dtype=np.int64),
                "day": starts.tz_localize(None).normalize().to_numpy().astype("datetime64[D]"),
                "minute": (starts.hour * 60 + starts.minute).to_numpy(dtype=np.int64),
                "volume": reference["volume"].to_numpy(dtype=float),
            }
        )
        .groupby(["skill_id", "day", "minute"], as_index=False)["volume"]
        .mean()
    )
    minute = np.tile(
        (local_times.hour * 60 + local_times.minute).to_numpy(dtype=np.int64), len(ids)
    )
    rows = np.flatnonzero(wanted)
    target = pd.DataFrame(
        {
            "row": rows,
            "skill_id": np.repeat(ids, n)[rows],
            "day": like[rows],
            "minute": minute[rows],
        }
    )
    target = target.sort_values("minute", kind="stable")
    ref = ref.sort_values("minute", kind="stable")
    merged = pd.merge_asof(target, ref, on="minute", by=["skill_id", "day"], direction="nearest")
    out[merged["row"].to_numpy()] = merged["volume"].to_numpy(dtype=float)
    return out


def leave_out_special_days(
    history: pd.DataFrame, table: pd.DataFrame, *, timezone: str
) -> tuple[pd.DataFrame, list[str]]:
    """History with the special days' hours made "no data", so no profile learns from them.

    Parameters
    ----------
    history : DataFrame
        Hourly history (:func:`staffing.forecast.hourly_history`), UTC.
    table : DataFrame
        :func:`special_day_table` over every date of the entries.
    timezone : str
        The plan's IANA zone: a special day is a local date.

    Returns
    -------
    (DataFrame, list of str)
        The history with ``arrivals``, ``handled_segments`` and ``net_handle_time_s`` NaN in
        the hours of a special day of their skill (rows kept: the forecasts skip missing
        hours rather than counting them as zero); and the ISO dates that had history.
    """
    if history.empty or table.empty:
        return history, []
    days = (
        history["interval_start"]
        .dt.tz_convert(timezone)
        .dt.tz_localize(None)
        .dt.normalize()
        .to_numpy()
        .astype("datetime64[D]")
    )
    special = pd.MultiIndex.from_arrays(
        [
            table["skill_id"].to_numpy(dtype=np.int64),
            pd.to_datetime(table["date"]).to_numpy().astype("datetime64[D]"),
        ]
    )
    hit = pd.MultiIndex.from_arrays([history["skill_id"].to_numpy(dtype=np.int64), days]).isin(
        special
    )
    if not hit.any():
        return history, []
    out = history.copy()
    measured = ["arrivals", "handled_segments", "net_handle_time_s"]
    out.loc[hit, [c for c in measured if c in out.columns]] = np.nan
    dates = sorted({str(d) for d in days[hit]})
    return out, dates


def local_days(days: np.ndarray, timezone: str, minutes: int) -> pd.DatetimeIndex:
    """The interval starts of each distinct local date in ``days``, in date order.

    Parameters
    ----------
    days : numpy.ndarray of datetime64[D]
        Dates (NaT ignored, repeats once).
    timezone : str
        IANA zone of the dates.
    minutes : int
        Interval length [min].

    Returns
    -------
    pandas.DatetimeIndex
        tz-aware local interval starts from each date's midnight to the next (23 or 25
        hours on a DST change).
    """
    distinct = np.unique(days[~np.isnat(days)])
    parts = [
        pd.date_range(
            pd.Timestamp(d).tz_localize(timezone, nonexistent="shift_forward"),
            (pd.Timestamp(d) + pd.Timedelta(days=1)).tz_localize(
                timezone, nonexistent="shift_forward"
            ),
            freq=f"{minutes}min",
            inclusive="left",
        )
        for d in distinct
    ]
    if not parts:
        return pd.DatetimeIndex([], tz=timezone).as_unit("ns")
    return parts[0].append(parts[1:]).as_unit("ns") if len(parts) > 1 else parts[0].as_unit("ns")


def fill_closed(
    history: pd.DataFrame,
    open_hours: Mapping[int, Any],
    *,
    timezone: str,
    minutes: int,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """History with a zero for every absent interval in closed hours, and the open ones.

    Parameters
    ----------
    history : DataFrame
        ``skill_id, interval_start`` (UTC), ``interval_minutes``, ``arrivals``
        (:func:`staffing.forecast.interval_history`): one row per skill and interval.
    open_hours : mapping of int to OpenHours or None
        Per skill id, an object whose ``is_open(weekday, minute_of_day, length_min)`` says
        which local intervals are open (:class:`staffing.config.OpenHours`); None is always
        open.
    timezone : str
        The plan's IANA zone: opening hours are local.
    minutes : int
        The history's interval length [min].
    start, end : Timestamp
        The span to complete, ``[start, end)`` in UTC, each skill from its first row on.

    Returns
    -------
    filled : DataFrame
        ``history`` plus a row with ``arrivals`` 0 for every absent closed interval (rows
        already there, with NaN for "no data", are kept as they are).
    absent_open : DataFrame
        ``skill_id, interval_start`` (UTC), ``date`` (local ISO date): the absent intervals
        in open hours, which stay absent (the profiles skip them).
    """
    step = pd.Timedelta(minutes=minutes)
    rows, gaps = [history], []
    for sid, hours in open_hours.items():
        own = history.loc[history["skill_id"] == sid, "interval_start"]
        if own.empty:
            continue
        first = max(own.min(), start.ceil(step))
        grid = pd.date_range(first, end, freq=step, inclusive="left").as_unit("ns")
        absent = grid[~grid.isin(pd.DatetimeIndex(own).as_unit("ns"))]
        local = absent.tz_convert(timezone)
        is_open: np.ndarray = (
            np.ones(len(absent), dtype=np.bool_)
            if hours is None
            else np.asarray(
                hours.is_open(
                    np.asarray(local.day_of_week),
                    np.asarray(local.hour * 60 + local.minute),
                    minutes,
                ),
                dtype=np.bool_,
            )
        )
        closed = absent[~is_open]
        rows.append(
            pd.DataFrame(
                {
                    "skill_id": np.full(len(closed), sid, dtype=np.int64),
                    "interval_start": closed,
                    "interval_minutes": minutes,
                    "arrivals": 0.0,
                }
            )
        )
        gaps.append(
            pd.DataFrame(
                {
                    "skill_id": np.full(int(is_open.sum()), sid, dtype=np.int64),
                    "interval_start": absent[is_open],
                    "date": local[is_open].strftime("%Y-%m-%d"),
                }
            )
        )
    filled = pd.concat([r for r in rows if len(r)] or [history], ignore_index=True)
    filled = filled.sort_values(["skill_id", "interval_start"], ignore_index=True)
    empty = pd.DataFrame({"skill_id": [], "interval_start": [], "date": []})
    return filled, pd.concat(gaps, ignore_index=True) if gaps else empty


#: Longest run of consecutive open days without volume still read as holidays [days].
HOLIDAY_RUN_DAYS = 3


def find_holidays(
    history: pd.DataFrame,
    open_hours: Mapping[int, Any],
    *,
    timezone: str,
    declared: Iterable[tuple[int, date]] = (),
) -> pd.DataFrame:
    """Open days of the history without volume between open days with volume: holidays.

    Parameters
    ----------
    history : DataFrame
        ``skill_id, interval_start`` (UTC), ``arrivals`` (NaN = no data), closed hours
        already completed (:func:`fill_closed`).
    open_hours : mapping of int to OpenHours or None
        Per skill id, as :func:`fill_closed` takes it; a weekday is open when any of its
        hours is.
    timezone : str
        The plan's IANA zone: days are local dates.
    declared : iterable of (int, datetime.date)
        Skill and date of the ``special_days`` entries: those decide, never found here.

    Returns
    -------
    DataFrame
        ``skill_id, date`` (datetime.date): per skill, each open weekday, not declared,
        whose arrivals are zero or absent all day, in a run of at most
        :data:`HOLIDAY_RUN_DAYS` such open days that the nearest open days before and after
        close with arrivals (so the first and last days of the history are never
        holidays). Sorted by skill and date.
    """
    local = history["interval_start"].dt.tz_convert(timezone).dt.tz_localize(None)
    days = pd.DataFrame(
        {
            "skill_id": history["skill_id"].to_numpy(dtype=np.int64),
            "date": local.dt.normalize().to_numpy(),
            "arrivals": history["arrivals"].to_numpy(dtype=float),
        }
    )
    totals = days.groupby(["skill_id", "date"])["arrivals"].sum(min_count=1)
    skip = {(int(s), pd.Timestamp(d)) for s, d in declared}
    found: list[tuple[int, date]] = []
    for sid, hours in open_hours.items():
        if sid not in totals.index.get_level_values(0):
            continue
        own = totals.loc[sid]
        span = pd.date_range(own.index.min(), own.index.max(), freq="D")
        week = np.arange(7)
        opens = (
            np.ones(7, dtype=bool)
            if hours is None
            else np.array([hours.is_open(np.full(1440, d), np.arange(1440), 1).any() for d in week])
        )
        span = span[opens[span.day_of_week]]
        span = span[[(sid, d) not in skip for d in span]]
        busy = np.nan_to_num(own.reindex(span).to_numpy(dtype=float)) > 0
        run: list[pd.Timestamp] = []
        for index, day in enumerate(span):
            if not busy[index]:
                run.append(day)
                continue
            if run and len(run) <= HOLIDAY_RUN_DAYS and index - len(run) > 0:
                found += [(sid, d.date()) for d in run]
            run = []
    return pd.DataFrame(found, columns=["skill_id", "date"])
