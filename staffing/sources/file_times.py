"""Interval starts as planners' files write them: ISO, Excel's dates, local wall-clock times.

A file's ``interval_start`` may be ISO text with or without a UTC offset, a date as Excel
saves it in a CSV (``3/2/2026 0:00``: day-first or month-first, detected where the file
allows only one reading, else the config's ``date_format``), or a workbook's date cell.
With the source's ``timezone:`` key every time is a local wall-clock time in that zone,
whatever offset or ``Z`` the file writes after it. Local times that do not exist (clocks
go forward) are moved to the first time that does; times that occur twice (clocks go
back) are read in file order per skill: the first is summer time, the second winter time.
Both are named in a :class:`~staffing.errors.DataWarning` the planner sees.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from staffing.errors import DataWarning
from staffing.sources.file_problems import FileProblems, row_list

__all__ = ["DAILY_GAP_DAYS", "LocalTimes", "parse_interval_starts"]

_OFFSET_RE = re.compile(r"\s*(?:Z|[+-]\d\d:?\d\d)$")
_SLASHED_RE = (
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_EXAMPLE_FORMATS = "'%d/%m/%Y %H:%M' for 2/3/2026 0:00 = 2 March, or '%m/%d/%Y %H:%M'"
#: A reading of slashed dates whose distinct days are never further apart than this is a
#: plausible series of days; the other reading of a March week spreads it over months.
DAILY_GAP_DAYS = 7


@dataclass
class LocalTimes:
    """Parsed interval starts.

    Attributes
    ----------
    times : Series
        tz-aware (UTC for times written with an offset, else the zone); NaT where a row
        could not be read (recorded as a problem).
    moved : ndarray of bool
        Rows whose local time did not exist and was moved forward (they are added to the
        interval they land in).
    """

    times: pd.Series
    moved: np.ndarray


def parse_interval_starts(
    values: pd.Series,
    *,
    zone: str,
    wall_clock: bool,
    date_format: str | None,
    groups: pd.Series | None,
    problems: FileProblems,
) -> LocalTimes:
    """Read a file's ``interval_start`` column, recording every unreadable row.

    Parameters
    ----------
    values : Series
        The column as read (text, or datetimes from a workbook).
    zone : str
        IANA zone of times written without an offset (of every time when ``wall_clock``).
    wall_clock : bool
        True when the config's ``timezone:`` says the times are local: an offset or ``Z``
        after them is ignored.
    date_format : str, optional
        strftime format of the times (``'%d/%m/%Y %H:%M'``); detected when None.
    groups : Series, optional
        Skill of each row: a repeated autumn time is resolved in file order per skill.
    problems : FileProblems
        Where unreadable, empty or mixed rows are recorded.

    Returns
    -------
    LocalTimes
    """
    column = "interval_start"
    empty = values.isna() | values.astype(str).str.strip().isin(["", "nan", "NaT"])
    problems.rows(column, empty, values, "is empty")
    if pd.api.types.is_datetime64_any_dtype(values):
        naive = values
        if values.dt.tz is not None:
            if not wall_clock:
                return LocalTimes(values.dt.tz_convert("UTC"), np.zeros(len(values), bool))
            naive = values.dt.tz_localize(None)
    else:
        text = values.astype(str).str.strip().where(~empty)
        has_offset = text.str.contains(_OFFSET_RE).fillna(False).astype(bool)
        if wall_clock:
            text = text.str.replace(_OFFSET_RE, "", regex=True)
        elif has_offset.any():
            if not has_offset[~empty].all():
                problems.rows(
                    column,
                    ~has_offset & ~empty,
                    values,
                    "has no UTC offset while other rows have one (write one for every "
                    "row, or none)",
                )
            aware = pd.to_datetime(
                text.where(has_offset), format="ISO8601", utc=True, errors="coerce"
            )
            problems.rows(column, aware.isna() & has_offset, values, "is not an ISO timestamp")
            return LocalTimes(aware, np.zeros(len(values), bool))
        naive = _parse_naive(text, date_format, values, problems)
    return _localise(naive, zone, groups, problems.where)


def _parse_naive(
    text: pd.Series, date_format: str | None, values: pd.Series, problems: FileProblems
) -> pd.Series:
    """Naive times from text: the given format, else ISO or slashed dates (order detected)."""
    present = text.notna()
    if date_format is not None:
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
        problems.rows(
            "interval_start",
            parsed.isna() & present,
            values,
            f"does not match date_format {date_format!r}",
        )
        return parsed
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    parts = text.str.extract(_SLASHED_RE)
    slashed = parts[0].notna().to_numpy()
    if slashed.any():
        parsed = parsed.where(~slashed, _slashed_dates(parts, slashed, values, problems))
    problems.rows(
        "interval_start",
        parsed.isna() & present & ~slashed,
        values,
        "is not a date and time (write ISO 2026-03-02 08:00, or a date as Excel saves it, "
        "3/2/2026 8:00)",
    )
    return parsed


def _slashed_dates(
    parts: pd.DataFrame, slashed: np.ndarray, values: pd.Series, problems: FileProblems
) -> pd.Series:
    """Dates written ``a/b/year [h:mm[:ss] [AM|PM]]``, day-first or month-first."""
    first = parts[0].astype(float)
    second = parts[1].astype(float)
    readings = {"day-first": (first, second), "month-first": (second, first)}
    big_first, big_second = (first > 12).to_numpy(), (second > 12).to_numpy()
    if big_first.any() and big_second.any():
        problems.rows(
            "interval_start",
            big_second,
            values,
            "is month-first while other rows are day-first (e.g. "
            f"{row_list(np.flatnonzero(big_first)[:1])})",
        )
        return pd.Series(pd.NaT, index=parts.index)
    if big_first.any() or big_second.any():
        order = "day-first" if big_first.any() else "month-first"
        return _build(parts, *readings[order], slashed, values, problems)
    quiet = FileProblems(problems.where)
    built = {name: _build(parts, *pair, slashed, values, quiet) for name, pair in readings.items()}
    if built["day-first"].equals(built["month-first"]):
        return _build(parts, first, second, slashed, values, problems)
    plausible = [name for name, times in built.items() if _daily(times)]
    if len(plausible) == 1:
        return _build(parts, *readings[plausible[0]], slashed, values, problems)
    example = values[slashed].iloc[0]
    problems.add(
        f"interval_start: dates such as {str(example)!r} can be read day-first or "
        f"month-first; set date_format in the config (e.g. {_EXAMPLE_FORMATS})"
    )
    return pd.Series(pd.NaT, index=parts.index)


def _build(
    parts: pd.DataFrame,
    day: pd.Series,
    month: pd.Series,
    slashed: np.ndarray,
    values: pd.Series,
    problems: FileProblems,
) -> pd.Series:
    """Timestamps from the parts; rows that are no calendar date or clock time recorded."""
    year = parts[2].astype(float)
    year = year.where(year >= 100, year + 2000)
    hour = parts[3].astype(float).fillna(0)
    pm = parts[6].str.lower().eq("pm").to_numpy()
    am = parts[6].str.lower().eq("am").to_numpy()
    bad_clock = (hour > 23) | ((pm | am) & ((hour > 12) | (hour == 0)))
    hour = hour.where(~(pm | am), hour % 12 + np.where(pm, 12, 0))
    stamps = pd.to_datetime(
        pd.DataFrame(
            {
                "year": year,
                "month": month,
                "day": day,
                "hour": hour.where(~bad_clock),
                "minute": parts[4].astype(float).fillna(0),
                "second": parts[5].astype(float).fillna(0),
            }
        ),
        errors="coerce",
    )
    problems.rows(
        "interval_start",
        stamps.isna().to_numpy() & slashed,
        values,
        "is not a calendar date and clock time",
    )
    return stamps


def _daily(times: pd.Series) -> bool:
    """True when the distinct days are a series of days (no gap over DAILY_GAP_DAYS)."""
    days = times.dropna().dt.normalize().drop_duplicates().sort_values()
    if days.empty:
        return False
    return bool((days.diff().dropna() <= pd.Timedelta(days=DAILY_GAP_DAYS)).all())


def _localise(naive: pd.Series, zone: str, groups: pd.Series | None, where: str) -> LocalTimes:
    """Naive local times to tz-aware; DST gaps moved forward, repeats read in file order."""
    keys = [naive] if groups is None else [groups, naive]
    first = (naive.groupby(keys, sort=False, dropna=False).cumcount() == 0).to_numpy()
    probe = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    settled = naive.dt.tz_localize(zone, ambiguous=first, nonexistent="NaT")
    moved = (settled.isna() & naive.notna()).to_numpy()
    repeated = (probe.isna() & naive.notna()).to_numpy() & ~moved
    times = naive.dt.tz_localize(zone, ambiguous=first, nonexistent="shift_forward")
    if moved.any():
        warnings.warn(
            f"{where}: local time(s) {_listed(naive[moved])} do not exist in {zone} "
            "(clocks go forward); their rows are counted in the interval starting at "
            f"{times[moved].iloc[0]:%H:%M}",
            DataWarning,
            stacklevel=4,
        )
    if repeated.any():
        warnings.warn(
            f"{where}: local time(s) {_listed(naive[repeated])} occur twice in {zone} "
            "(clocks go back); read in file order for each skill: the first is summer "
            "time, the second winter time",
            DataWarning,
            stacklevel=4,
        )
    return LocalTimes(times, moved)


def _listed(times: pd.Series) -> str:
    """The distinct times, first five, as ``2026-03-08 02:00, 02:30``."""
    distinct = times.drop_duplicates().sort_values()
    text = [f"{t:%Y-%m-%d %H:%M}" for t in distinct.iloc[:5]]
    more = f" and {len(distinct) - 5} more" if len(distinct) > 5 else ""
    return ", ".join(text) + more
