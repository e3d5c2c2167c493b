"""A given schedule (``scheduled:``): on-queue agents per skill and interval, from a file.

Read like the volume forecast (``volume.path``): a CSV or xlsx with ``skill_id``,
``interval_start`` (local when it has no UTC offset) and ``scheduled`` on-queue agents,
then aligned to the plan's interval grid. See ``docs/shifts.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from staffing.errors import DataError
from staffing.sources.files import check_interval_frame, read_table

__all__ = ["align_scheduled", "read_scheduled_file"]


def read_scheduled_file(
    path: str | Path | pd.DataFrame, *, timezone: str, sheet: str | None = None
) -> pd.DataFrame:
    """Read a schedule to compare: ``skill_id, interval_start, scheduled`` per row.

    Parameters
    ----------
    path : str, Path or DataFrame
        A CSV, or an ``.xlsx``/``.xlsm`` workbook, or the same columns as a DataFrame.
        ``interval_start`` without an offset is local time in ``timezone`` (a repeated
        autumn hour is resolved by its order per skill); with an offset, an exact instant.
        ``scheduled`` is on-queue agents [-] (real values allowed, >= 0).
    timezone : str
        IANA zone of the plan.
    sheet : str, optional
        Sheet of a workbook (first sheet when None); ignored for CSV.

    Returns
    -------
    DataFrame
        ``skill_id`` (int64), ``interval_start`` (tz-aware local), ``scheduled`` (float).

    Raises
    ------
    DataError
        Missing file or column, a skill id that is not whole, a bad time, a missing,
        negative or non-finite ``scheduled``, or a skill twice at one time; naming the file
        (or "scheduled DataFrame"), the row or skill and time.
    """
    if isinstance(path, pd.DataFrame):
        frame, where = path, "scheduled DataFrame"
    else:
        frame, where = read_table(path, sheet=sheet, what="the schedule"), str(path)
    return check_interval_frame(frame, "scheduled", timezone=timezone, where=where)


def align_scheduled(
    frame: pd.DataFrame,
    grid: pd.DatetimeIndex,
    ids: list[int],
    interval_minutes: int,
    where: str,
) -> tuple[np.ndarray, np.ndarray]:
    """A schedule on the plan's grid.

    Parameters
    ----------
    frame : DataFrame
        As returned by :func:`read_scheduled_file`.
    grid : DatetimeIndex
        The plan's interval starts (tz-aware local).
    ids : list of int
        The plan's skill ids, in its order.
    interval_minutes : int
        The plan's interval length [min].
    where : str
        What the schedule is (a file name), for the messages.

    Returns
    -------
    scheduled : numpy.ndarray
        Shape (len(ids), len(grid)): on-queue agents [-], 0 where the schedule has no row.
    present : numpy.ndarray of bool
        Per skill: the schedule has at least one row for it in the horizon.

    Raises
    ------
    DataError
        A skill not in the config, no row inside the horizon, or a time inside the horizon
        that is not an interval start of the grid.
    """
    unknown = sorted(set(frame["skill_id"]) - set(ids))
    if unknown:
        raise DataError(f"{where}: skill {unknown[0]} is not in the config")
    step = pd.Timedelta(minutes=interval_minutes)
    start, end = grid[0], grid[-1] + step
    frame = frame[(frame["interval_start"] >= start) & (frame["interval_start"] < end)]
    if frame.empty:
        raise DataError(
            f"{where}: no row falls in the plan's horizon, {start.isoformat()} to {end.isoformat()}"
        )
    utc = grid.tz_convert("UTC").as_unit("ns").asi8
    when = frame["interval_start"].dt.tz_convert("UTC").dt.as_unit("ns").astype("int64")
    col = np.searchsorted(utc, when.to_numpy())
    col_ok = np.minimum(col, len(utc) - 1)
    off = utc[col_ok] != when.to_numpy()
    if off.any():
        first = frame.iloc[int(np.flatnonzero(off)[0])]
        raise DataError(
            f"{where}: skill {first.skill_id} at {first.interval_start.isoformat()} "
            f"is not on the plan's {interval_minutes}-minute interval grid"
        )
    position = {sid: k for k, sid in enumerate(ids)}
    row = frame["skill_id"].map(position).to_numpy(dtype=np.int64)
    out = np.zeros((len(ids), len(grid)))
    out[row, col] = frame["scheduled"].to_numpy()
    present = np.zeros(len(ids), dtype=bool)
    present[np.unique(row)] = True
    return out, present
