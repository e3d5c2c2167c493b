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

from collections.abc import Iterable
from datetime import date, timedelta

import numpy as np
import pandas as pd

__all__ = [
    "SPECIAL_DAY_COLUMNS",
    "day_effects",
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
    out.loc[hit, ["arrivals", "handled_segments", "net_handle_time_s"]] = np.nan
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
