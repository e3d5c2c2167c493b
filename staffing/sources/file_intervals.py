"""A planner's file brought to the plan's interval, and its columns to the reader's names.

Exports from ACDs and contact-centre reports come at 5 or 10 minutes, under their own
column names. Rows of any length that divides the plan's interval are summed to it:
counts and volumes added, the NHT weighted by handled segments (by arrivals when no row of
the interval has segments). Longer rows than the plan's interval are refused with the
reason. ``columns:`` maps the reader's names to the file's headers, and ``skill_id:``
gives a single-skill file its skill.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from staffing.errors import DataError
from staffing.sources.file_problems import FileProblems
from staffing.vocabulary import INTERVAL_MINUTES, PATIENCE_COLUMNS

__all__ = [
    "history_row_lengths",
    "map_columns",
    "merge_rows",
    "off_grid",
    "row_minutes",
    "sum_history_rows",
    "sum_volume_rows",
]


def map_columns(
    frame: pd.DataFrame, columns: Mapping[str, str] | None, skill_id: int | None, where: str
) -> pd.DataFrame:
    """Rename the file's headers to the reader's names, and add a fixed ``skill_id``.

    Parameters
    ----------
    frame : DataFrame
        The table as read.
    columns : mapping of str to str, optional
        Reader's name -> the file's header, e.g. ``{"interval_start": "DateTime",
        "volume": "Calls"}``; a header matches ignoring case and surrounding spaces.
    skill_id : int, optional
        The skill of every row, for a file without a ``skill_id`` column.
    where : str
        The file, for the messages.

    Returns
    -------
    DataFrame
        The frame with the mapped headers renamed (the input is not changed).

    Raises
    ------
    DataError
        A mapped header is not in the file, or two names map to one header, or the file
        has a ``skill_id`` column while ``skill_id`` is given; naming the file's headers.
    """
    problems = FileProblems(where)
    headers = {str(h).strip().lower(): h for h in frame.columns}
    renames: dict[object, str] = {}
    for ours, theirs in (columns or {}).items():
        found = headers.get(str(theirs).strip().lower())
        if found is None:
            listed = ", ".join(repr(str(h)) for h in frame.columns)
            problems.add(f"columns.{ours}: no column {theirs!r} in the file (it has {listed})")
        elif found in renames:
            problems.add(f"columns: {theirs!r} is given for both {renames[found]} and {ours}")
        else:
            renames[found] = ours
    clash = [
        str(h)
        for h in frame.columns
        if h not in renames and str(h).lower() in set(renames.values())
    ]
    for header in clash:
        problems.add(f"the file has a column {header!r} as well as the one columns: maps to it")
    problems.raise_any()
    frame = frame.rename(columns=renames)
    if skill_id is not None:
        if any(
            str(h).replace(" ", "").replace("_", "").lower() == "skillid" for h in frame.columns
        ):
            raise DataError(
                f"{where}: the file has a skill_id column and the config gives skill_id "
                f"{skill_id}: remove one of them"
            )
        frame = frame.assign(skill_id=skill_id)
    return frame


def row_minutes(starts: pd.Series, skills: pd.Series) -> int | None:
    """The most common gap between a skill's consecutive interval starts [min].

    Parameters
    ----------
    starts : Series
        tz-aware interval starts (NaT ignored).
    skills : Series
        Skill of each row.

    Returns
    -------
    int or None
        The gap in whole minutes, or None when no skill has two distinct times.
    """
    frame = pd.DataFrame({"s": skills.to_numpy(), "t": starts.to_numpy()}).dropna()
    frame = frame.drop_duplicates().sort_values(["s", "t"])
    gaps = frame.groupby("s")["t"].diff().dropna()
    gaps = gaps[gaps > pd.Timedelta(0)]
    if gaps.empty:
        return None
    return max(1, round(gaps.mode().iloc[0].total_seconds() / 60))


def _local_minute(starts: pd.Series, zone: str) -> pd.Series:
    local = starts.dt.tz_convert(zone)
    return local.dt.hour * 60 + local.dt.minute


def off_grid(starts: pd.Series, minutes: pd.Series | int, zone: str) -> pd.Series:
    """True where a start is not on the grid of its row length in ``zone``'s wall clock.

    Parameters
    ----------
    starts : Series
        tz-aware interval starts.
    minutes : Series or int
        Row length of each row [min].
    zone : str
        IANA zone whose clock the grid follows.

    Returns
    -------
    Series of bool
    """
    return (
        (_local_minute(starts, zone) % minutes != 0)
        | (starts.dt.second != 0)
        | (starts.dt.microsecond != 0)
    )


def _buckets(starts: pd.Series, target: int, zone: str) -> pd.Series:
    return starts - pd.to_timedelta(_local_minute(starts, zone) % target, unit="min")


def history_row_lengths(
    frame: pd.DataFrame, target: int, zone: str, problems: FileProblems
) -> pd.Series:
    """Each history row's length [min]: its ``interval_minutes``, or the common gap.

    Without the column, the most common gap between a skill's rows is the length when
    it divides 60, else 60. Rows of 15, 30 or 60 minutes are kept; shorter ones must
    divide ``target``. Refused and off-grid rows are recorded.

    Parameters
    ----------
    frame : DataFrame
        The history as read, ``interval_start`` tz-aware.
    target : int
        The plan's interval [min].
    zone : str
        IANA zone whose clock the grid follows.
    problems : FileProblems
        Where refused rows are recorded.

    Returns
    -------
    Series of int
        Row length [min] of each row (60 where the given value was unusable).
    """
    if "interval_minutes" in frame.columns:
        given = frame["interval_minutes"]
        minutes = pd.to_numeric(given, errors="coerce")
        bad = minutes.isna() | (minutes <= 0) | (minutes != np.round(minutes))
        problems.rows("interval_minutes", bad, given, "is not a whole number of minutes")
    else:
        found = row_minutes(frame["interval_start"], frame["skill_id"])
        guess = found if found is not None and found < 60 and 60 % found == 0 else 60
        minutes = pd.Series(guess, index=frame.index, dtype=float)
        given, bad = minutes, pd.Series(False, index=frame.index)
    minutes = minutes.where(~bad, 60).astype("int64")
    standard = minutes.isin(INTERVAL_MINUTES)
    refused = ~bad & ~standard & ((minutes > target) | (target % minutes != 0))
    problems.rows(
        "interval_minutes",
        refused,
        given,
        f"is not 15, 30 or 60 and does not divide the plan's {target}-minute interval",
    )
    starts = frame["interval_start"]
    problems.rows(
        "interval_start",
        ~bad & ~refused & starts.notna() & off_grid(starts, minutes, zone).fillna(False),
        starts.dt.strftime("%Y-%m-%d %H:%M"),
        "is not on the grid of its interval_minutes",
    )
    return minutes


def sum_history_rows(frame: pd.DataFrame, rows: pd.Series, target: int, zone: str) -> pd.DataFrame:
    """History rows summed to ``target`` minutes; other rows returned as they are.

    Parameters
    ----------
    frame : DataFrame
        History in the store's shape (checked values, -1 or empty for "no data").
    rows : Series of bool
        The rows to sum (their length divides ``target``).
    target : int
        Interval length to sum to [min].
    zone : str
        IANA zone whose clock the intervals follow.

    Returns
    -------
    DataFrame
        ``arrivals`` and ``handled_segments`` summed (empty when no row has data);
        ``net_handle_time_s`` [s] the mean weighted by handled segments, or by arrivals
        when no row of the interval has segments; ``abandoned`` and ``total_wait_s``
        summed when present; ``interval_minutes`` = ``target``.
    """
    part = frame[rows.to_numpy()]
    if part.empty:
        return frame
    nht = part["net_handle_time_s"].where(part["net_handle_time_s"] > 0)
    seg = part["handled_segments"].where(part["handled_segments"] >= 0)
    arr = part["arrivals"].where(part["arrivals"] >= 0)
    keys = [part["skill_id"], _buckets(part["interval_start"], target, zone)]
    known = nht.notna()
    by_seg = ((nht * seg).groupby(keys).sum(), seg.where(known).groupby(keys).sum())
    by_arr = ((nht * arr).groupby(keys).sum(), arr.where(known).groupby(keys).sum())
    mean = nht.groupby(keys).mean()
    weighted = np.where(
        by_seg[1] > 0,
        by_seg[0] / by_seg[1].where(by_seg[1] > 0),
        np.where(by_arr[1] > 0, by_arr[0] / by_arr[1].where(by_arr[1] > 0), mean),
    )
    summed = pd.DataFrame(
        {
            "arrivals": arr.groupby(keys).sum(min_count=1),
            "handled_segments": seg.groupby(keys).sum(min_count=1),
            "net_handle_time_s": weighted,
        }
    )
    for column in PATIENCE_COLUMNS:  # optional counts, summed as arrivals are
        if column in part.columns:
            summed[column] = part[column].where(part[column] >= 0).groupby(keys).sum(min_count=1)
    summed.index.names = ["skill_id", "interval_start"]
    summed = summed.reset_index()
    summed["interval_minutes"] = target
    kept = frame[~rows.to_numpy()]
    return pd.concat([kept, summed[kept.columns.intersection(summed.columns)]], ignore_index=True)


def sum_volume_rows(
    frame: pd.DataFrame, target: int, *, zone: str, where: str, moved: np.ndarray | None = None
) -> pd.DataFrame:
    """A checked volume forecast at ``target`` minutes: shorter rows summed to it.

    The row length is the most common gap between a skill's consecutive times. Volumes are
    added; any other value column (a handle time) is averaged weighted by volume. Rows
    moved out of a DST gap are added to the interval they land in.

    Parameters
    ----------
    frame : DataFrame
        ``skill_id``, tz-aware ``interval_start``, ``volume`` and other value columns.
    target : int
        The plan's interval [min].
    zone : str
        The plan's IANA zone (whose clock the intervals follow).
    where : str
        The file, for the messages.
    moved : ndarray of bool, optional
        Rows whose nonexistent local time was moved forward.

    Returns
    -------
    DataFrame
        The same columns, one row per skill and interval.

    Raises
    ------
    DataError
        Rows longer than ``target`` or of a length that does not divide it, or rows off
        the grid of their own length (naming the rows).
    """
    length = row_minutes(frame["interval_start"], frame["skill_id"])
    shifted = moved is not None and bool(moved.any())
    if (length is None or length == target) and not shifted:
        return frame
    if length is not None and length != target:
        if length > target or target % length:
            raise DataError(
                f"{where}: rows are {length} minutes apart, "
                + ("longer than" if length > target else "which does not divide")
                + f" the plan's {target}-minute interval: give the forecast at {target} "
                f"minutes or at a length that divides it (5, 10, 15 ...), or set "
                f"plan.interval_minutes to match"
            )
        problems = FileProblems(where)
        problems.rows(
            "interval_start",
            off_grid(frame["interval_start"], length, zone),
            frame["interval_start"].dt.strftime("%Y-%m-%d %H:%M"),
            f"is not on the {length}-minute grid of the file's other rows",
        )
        problems.raise_any()
    return merge_rows(frame, _buckets(frame["interval_start"], target, zone), "volume")


def merge_rows(frame: pd.DataFrame, starts: pd.Series, column: str) -> pd.DataFrame:
    """One row per skill and start: ``column`` added, other value columns volume-weighted.

    Parameters
    ----------
    frame : DataFrame
        ``skill_id``, ``interval_start``, ``column`` and other value columns (a handle
        time [s]).
    starts : Series
        The interval each row goes to (``frame["interval_start"]``, or its bucket).
    column : str
        The count column that is added (``"volume"``, ``"scheduled"``); the others are
        averaged weighted by it (plain mean where it is zero), NaN cells left out.

    Returns
    -------
    DataFrame
        The same columns, in the same order.
    """
    keys = [frame["skill_id"], starts]
    others = [c for c in frame.columns if c not in ("skill_id", "interval_start", column)]
    weight = frame[column]
    out = pd.DataFrame({column: weight.groupby(keys, sort=False).sum()})
    for other in others:
        num = (frame[other] * weight).groupby(keys, sort=False).sum()
        den = weight.where(frame[other].notna()).groupby(keys, sort=False).sum()
        plain = frame[other].groupby(keys, sort=False).mean()
        out[other] = np.where(den > 0, num / den.where(den > 0), plain)
    out.index.names = ["skill_id", "interval_start"]
    return out.reset_index()[list(frame.columns)]
