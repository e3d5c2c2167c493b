"""The planner's files: NHT history CSV and volume forecast (CSV or xlsx), DataFrames out.

History comes out in the history store's shape (UTC); a volume forecast in the plan's
local time zone. Every error names the file, the column and the row.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from staffing.errors import DataError, DataWarning, shown
from staffing.forecast import require_columns
from staffing.sources.handle_times import (
    HANDLE_TIME_COLUMN,
    handle_time_column,
    refuse_unreadable_handle_times,
)
from staffing.vocabulary import INTERVAL_MINUTES, PATIENCE_COLUMNS

__all__ = [
    "PLAUSIBLE_MAX",
    "check_interval_frame",
    "check_volume_frame",
    "normalise_headers",
    "read_history_file",
    "read_table",
    "read_volume_file",
    "volume_on_grid",
    "warn_implausible",
]

_OFFSET_RE = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


def _parse_times(
    values: pd.Series, *, naive_tz: str, where: str, groups: pd.Series | None = None
) -> pd.Series:
    """Parse ISO timestamps; with an offset -> exact instant, naive -> in ``naive_tz``.

    A naive wall time repeated by a DST fall-back is resolved by its order within its group
    (e.g. per skill: the first 02:00 is summer time, the second winter time).
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        times = values
    else:
        text = values.astype(str).str.strip()
        has_offset = text.str.contains(_OFFSET_RE)
        if has_offset.any() and not has_offset.all():
            row = int(np.flatnonzero(~has_offset.to_numpy())[0])
            raise DataError(
                f"{where}: interval_start mixes times with and without a UTC offset "
                f"(row {row + 2}: {text.iloc[row]!r})"
            )
        try:
            times = pd.to_datetime(text, format="ISO8601", utc=bool(has_offset.all()))
        except (ValueError, TypeError) as exc:
            raise DataError(f"{where}: interval_start is not an ISO timestamp: {exc}") from None
    if times.isna().any():
        row = int(np.flatnonzero(times.isna().to_numpy())[0])
        raise DataError(f"{where}: interval_start is empty in row {row + 2}")
    if times.dt.tz is None:
        try:
            return times.dt.tz_localize(naive_tz, ambiguous="raise", nonexistent="raise")
        except Exception as exc:  # pytz/zoneinfo raise different classes for DST gaps
            problem = exc
        if groups is not None:
            try:
                parts = [
                    times.loc[index].dt.tz_localize(
                        naive_tz, ambiguous="infer", nonexistent="raise"
                    )
                    for index in groups.groupby(groups, sort=False).groups.values()
                ]
                return pd.concat(parts).reindex(times.index)
            except Exception as exc:
                problem = exc
        raise DataError(
            f"{where}: local time that does not exist or is ambiguous in "
            f"{naive_tz} (give a UTC offset): {problem}"
        ) from None
    return times


def _skill_ids(values: pd.Series, where: str) -> pd.Series:
    ids = pd.to_numeric(values, errors="coerce")
    bad = ids.isna() | (ids != np.round(ids))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{where}: skill_id is not a whole number in row {row + 2}: {shown(values.iloc[row])}"
        )
    return ids.astype("int64")


def read_history_file(path: str | Path) -> pd.DataFrame:
    """Read an NHT history CSV (``nht.source: file``) into the history-store shape.

    Parameters
    ----------
    path : str or Path
        CSV with ``skill_id``, ``interval_start`` (ISO; with an offset, or UTC when
        naive), ``net_handle_time_s`` [s], ``arrivals`` and ``handled_segments``;
        ``interval_minutes`` optional (default 60); ``abandoned`` [-] and
        ``total_wait_s`` [s] optional (``patience_seconds: auto``). Empty cells and -1
        mean no data.

    Returns
    -------
    DataFrame
        Columns :data:`HISTORY_COLUMNS` (plus any others in the file), UTC times.

    Raises
    ------
    DataError
        Naming the file, the column and the row: a value that is not a number, infinite
        or negative (other than -1), an ``interval_minutes`` other than 15/30/60, a start
        off its interval grid, or a skill and interval given twice with different values
        (identical repeats are dropped).

    Warns
    -----
    DataWarning
        Values above :data:`PLAUSIBLE_MAX` (possible, but worth a look).
    """
    path = Path(path)
    where = str(path)
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DataError(f"{where}: file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{where}: not a readable CSV: {exc}") from None
    require_columns(
        frame,
        ["skill_id", "interval_start", "net_handle_time_s", "arrivals", "handled_segments"],
        where,
    )
    frame["skill_id"] = _skill_ids(frame["skill_id"], where)
    frame["interval_start"] = _parse_times(frame["interval_start"], naive_tz="UTC", where=where)
    frame["interval_start"] = frame["interval_start"].dt.tz_convert("UTC")
    if "interval_minutes" not in frame.columns:
        frame["interval_minutes"] = 60
    minutes = pd.to_numeric(frame["interval_minutes"], errors="coerce")
    _refuse_rows(
        where, "interval_minutes", ~minutes.isin(INTERVAL_MINUTES), frame, "is not 15, 30 or 60"
    )
    frame["interval_minutes"] = minutes.astype("int64")
    start = frame["interval_start"]
    off_grid = (
        ((start.dt.minute % frame["interval_minutes"]) != 0)
        | (start.dt.second != 0)
        | (start.dt.microsecond != 0)
    )
    _refuse_rows(
        where, "interval_start", off_grid, frame, "is not on the grid of its interval_minutes"
    )
    for column in ("net_handle_time_s", "arrivals", "handled_segments"):
        values = pd.to_numeric(frame[column], errors="coerce")
        _refuse_rows(where, column, values.isna() & frame[column].notna(), frame, "is not a number")
        _refuse_rows(where, column, np.isinf(values), frame, "is not a finite number")
        # -1 is LivePerson's "no data"; any other negative is an error, never dropped.
        _refuse_rows(where, column, (values < 0) & (values != -1), frame, "is negative")
        frame[column] = values.astype(float)
    _check_patience_columns(frame, where)
    frame = _without_repeats(frame, where)
    warn_implausible(frame, where)
    return frame


def _check_patience_columns(frame: pd.DataFrame, where: str) -> None:
    """The optional ``abandoned`` [-] and ``total_wait_s`` [s] as numbers, in place.

    Empty cells and -1 are "no data" (left out of the patience estimate); anything else
    that is not a finite number >= 0 is refused, naming the row.
    """
    for column in PATIENCE_COLUMNS:
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        _refuse_rows(where, column, values.isna() & frame[column].notna(), frame, "is not a number")
        _refuse_rows(where, column, np.isinf(values), frame, "is not a finite number")
        _refuse_rows(where, column, (values < 0) & (values != -1), frame, "is negative")
        frame[column] = values.astype(float)


def _refuse_rows(
    where: str, column: str, bad: pd.Series, frame: pd.DataFrame, problem: str
) -> None:
    """Raise naming the first bad row (as the spreadsheet numbers it) and how many there are."""
    if not bad.any():
        return
    rows = np.flatnonzero(bad.to_numpy())
    more = f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""
    raise DataError(
        f"{where}: {column} {problem} in row {rows[0] + 2}: "
        f"{shown(frame[column].iloc[rows[0]])}{more}"
    )


def _without_repeats(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Identical repeated rows dropped; a skill and interval given two values refused."""
    key = ["skill_id", "interval_start", "interval_minutes"]
    values = ["net_handle_time_s", "arrivals", "handled_segments"]
    same = frame.duplicated([*key, *values])
    frame = frame[~same]
    clash = frame.duplicated(key, keep=False)
    if clash.any():
        rows = np.flatnonzero(clash.to_numpy())
        first = frame.iloc[rows[0]]
        twin = frame.iloc[rows[1:]]
        twin = twin[
            (twin["skill_id"] == first["skill_id"])
            & (twin["interval_start"] == first["interval_start"])
        ].index[0]
        raise DataError(
            f"{where}: skill {first['skill_id']} at {first['interval_start']:%Y-%m-%d %H:%M} "
            f"UTC is given twice with different values (rows {frame.index[rows[0]] + 2} and "
            f"{twin + 2}); refusing to pick one"
        )
    return frame.reset_index(drop=True)


#: Above these a value is possible but implausible, and the planner is warned.
PLAUSIBLE_MAX = {"arrivals": 1e6, "handled_segments": 1e6, "net_handle_time_s": 86_400.0}


def warn_implausible(frame: pd.DataFrame, where: str) -> None:
    """Warn (:class:`~staffing.errors.DataWarning`) about values above :data:`PLAUSIBLE_MAX`.

    Parameters
    ----------
    frame : DataFrame
        History with ``skill_id``, ``interval_start`` and the metric columns.
    where : str
        What the history is, for the message.
    """
    for column, limit in PLAUSIBLE_MAX.items():
        if column not in frame.columns:
            continue
        high = frame[column] > limit
        if high.any():
            row = frame[high].iloc[0]
            warnings.warn(
                f"{where}: {int(high.sum())} value(s) of {column} above {limit:g}, e.g. "
                f"{row[column]:.4g} for skill {row['skill_id']} at {row['interval_start']}: "
                "check the history",
                DataWarning,
                stacklevel=3,
            )


def read_volume_file(path: str | Path, *, timezone: str, sheet: str | None = None) -> pd.DataFrame:
    """Read a planner's volume forecast (CSV or xlsx of skill_id, interval_start, volume).

    Parameters
    ----------
    path : str or Path
        ``.xlsx``/``.xlsm`` is read as a workbook (needs openpyxl), anything else as CSV.
        ``interval_start`` values without an offset are local times in ``timezone``
        (a repeated autumn hour is resolved by its order per skill); values with an offset
        are exact instants.
    timezone : str
        IANA zone of the plan.
    sheet : str, optional
        Sheet of a workbook; the first sheet when None. Ignored for CSV.

    Returns
    -------
    DataFrame
        As :func:`check_volume_frame`.

    Raises
    ------
    DataError
        The file is missing or unreadable, or (from :func:`check_volume_frame`) a column
        or value is wrong; the message names the file.
    """
    frame = read_table(path, sheet=sheet, what="the volume forecast")
    refuse_unreadable_handle_times(path, sheet, frame)
    return check_volume_frame(frame, timezone=timezone, where=str(path))


def read_table(
    path: str | Path, *, sheet: str | None = None, what: str = "the file"
) -> pd.DataFrame:
    """Read a planner's CSV or xlsx table as it is (the checks are the caller's).

    Parameters
    ----------
    path : str or Path
        ``.xlsx``/``.xlsm`` is read as a workbook (needs openpyxl), anything else as CSV.
    sheet : str, optional
        Sheet of a workbook; the first sheet when None. Ignored for CSV.
    what : str
        What the file holds, for the error message (``"the volume forecast"``).

    Returns
    -------
    DataFrame
        The table, headers as written.

    Raises
    ------
    DataError
        The file is missing, truncated or unreadable, naming it.
    """
    path = Path(path)
    where = str(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=sheet or 0)
        return pd.read_csv(path)
    except zipfile.BadZipFile:
        raise DataError(
            f"{where}: not a readable xlsx workbook (truncated or not an Excel "
            "file?): save it again from Excel, or as CSV"
        ) from None
    except FileNotFoundError:
        raise DataError(f"{where}: file not found") from None
    except ImportError:
        raise DataError(
            f"{where}: reading .xlsx needs the openpyxl package "
            "(pip install openpyxl), or save it as CSV"
        ) from None
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise DataError(f"{where}: cannot read {what}: {exc}") from None


def _header_key(name: object) -> str:
    return re.sub(r"[\s_]+", "", str(name)).lower()


def normalise_headers(frame: pd.DataFrame, columns: list[str], where: str) -> pd.DataFrame:
    """Rename headers that match ``columns`` ignoring case, spaces and underscores.

    A spreadsheet's ``Skill ID``, ``Interval Start`` and ``Volume`` become ``skill_id``,
    ``interval_start`` and ``volume``; other headers are left as they are.

    Parameters
    ----------
    frame : DataFrame
        The frame as read.
    columns : list of str
        The canonical column names.
    where : str
        What the frame is (a file name), for the error message.

    Returns
    -------
    DataFrame
        The frame with matching headers renamed (the input is not changed).

    Raises
    ------
    DataError
        Two headers match the same column (``Volume`` and ``volume``), naming both.
    """
    wanted = {_header_key(c): c for c in columns}
    renames: dict[object, str] = {}
    for name in frame.columns:
        target = wanted.get(_header_key(name))
        if target is None:
            continue
        twin = next((k for k, v in renames.items() if v == target), None)
        if twin is not None:
            raise DataError(f"{where}: columns {twin!r} and {name!r} are both {target}; keep one")
        renames[name] = target
    return frame.rename(columns=renames)


def check_volume_frame(frame: pd.DataFrame, *, timezone: str, where: str) -> pd.DataFrame:
    """Validate a volume frame's columns and values; times to local tz.

    Does not check that the times lie on the plan's interval grid or cover it (the
    planning run does).

    Parameters
    ----------
    frame : DataFrame
        Columns ``skill_id``, ``interval_start`` (ISO text or timestamps; naive means local
        in ``timezone``) and ``volume`` (contacts per interval [-]), matched ignoring case,
        spaces and underscores (``Skill ID``, ``Interval Start``); other columns are
        dropped.
    timezone : str
        IANA zone of the plan.
    where : str
        What the frame is (a file name), for the error messages.

        An optional handle-time column (``handle_time_s``, ``aht_s`` or ``nht_s``:
        :mod:`staffing.sources.handle_times`) gives the planner's own handle time [s];
        an empty cell means none.

    Returns
    -------
    DataFrame
        ``skill_id`` (int64), ``interval_start`` (tz-aware in ``timezone``), ``volume``
        (float, contacts per interval [-]), in the input's order; and ``handle_time_s``
        (float [s], NaN where a row gives none) when the frame has a handle-time column.

    Raises
    ------
    DataError
        A missing column, a skill id that is not a whole number, an unparsable, empty,
        mixed (offset and naive), non-existent or ambiguous local time, a volume that is
        missing, not a number, infinite or negative, or a skill given twice for the same
        time; naming ``where``, the skill and time or the row. A handle time that is not
        a number, infinite, zero or negative, naming the rows.
    """
    out = check_interval_frame(frame, "volume", timezone=timezone, where=where)
    handle_time = handle_time_column(frame, where)
    if handle_time is not None:
        out[HANDLE_TIME_COLUMN] = handle_time.to_numpy()
    return out


def check_interval_frame(
    frame: pd.DataFrame, column: str, *, timezone: str, where: str
) -> pd.DataFrame:
    """Validate a per-skill, per-interval table of one value (a forecast, a schedule).

    Parameters
    ----------
    frame : DataFrame
        Columns ``skill_id``, ``interval_start`` (ISO text or timestamps; naive means local
        in ``timezone``) and ``column``, matched ignoring case, spaces and underscores;
        other columns are dropped.
    column : str
        The value column, e.g. ``"volume"`` or ``"scheduled"``; values must be finite and
        >= 0.
    timezone : str
        IANA zone of the plan.
    where : str
        What the frame is (a file name), for the error messages.

    Returns
    -------
    DataFrame
        ``skill_id`` (int64), ``interval_start`` (tz-aware in ``timezone``), ``column``
        (float), in the input's order.

    Raises
    ------
    DataError
        As :func:`check_volume_frame`, for ``column``.
    """
    frame = normalise_headers(frame, ["skill_id", "interval_start", column], where)
    require_columns(frame, ["skill_id", "interval_start", column], where)
    skill_ids = _skill_ids(frame["skill_id"], where)
    out = pd.DataFrame(
        {
            "skill_id": skill_ids,
            "interval_start": _parse_times(
                frame["interval_start"], naive_tz=timezone, where=where, groups=skill_ids
            ).dt.tz_convert(timezone),
            column: pd.to_numeric(frame[column], errors="coerce").astype(float),
        }
    )
    bad = out[column].isna() | ~np.isfinite(out[column])
    if bad.any():
        row = out[bad].iloc[0]
        raise DataError(
            f"{where}: {column} is missing or not a number for skill "
            f"{row.skill_id} at {row.interval_start.isoformat()}"
        )
    negative = out[column] < 0
    if negative.any():
        row = out[negative].iloc[0]
        raise DataError(
            f"{where}: negative {column} {row[column]:g} for skill "
            f"{row.skill_id} at {row.interval_start.isoformat()}"
        )
    dup = out.duplicated(["skill_id", "interval_start"])
    if dup.any():
        row = out[dup].iloc[0]
        raise DataError(
            f"{where}: skill {row.skill_id} has two rows for {row.interval_start.isoformat()}"
        )
    return out


def volume_on_grid(
    volume: pd.DataFrame, grid: pd.DatetimeIndex, skill_ids: list[int], *, where: str
) -> tuple[np.ndarray, str | None]:
    """A checked volume forecast on the plan's grid, skill-major; unknown skills left out.

    Parameters
    ----------
    volume : DataFrame
        As :func:`check_volume_frame` returns it (local ``interval_start``).
    grid : pandas.DatetimeIndex
        The plan's interval starts (local, with a ``freq``).
    skill_ids : list of int
        The skills of the plan, in plan order.
    where : str
        What the forecast is (a file name), for the messages.

    Returns
    -------
    (numpy.ndarray, str or None)
        The volume [-] of each skill and interval, ``len(skill_ids) * len(grid)`` values,
        skill-major; and a note naming the skills of the forecast that are not in the plan
        (left out, with their volume in the horizon), or None. The note is also warned as a
        :class:`~staffing.errors.DataWarning`.

    Raises
    ------
    DataError
        A planned skill's time not on the grid (naming skill and time and the interval
        length), or a planned skill and interval of the horizon without a volume.
    """
    start, end = grid[0], grid[-1] + grid.freq
    known = np.asarray(skill_ids, dtype=np.int64)
    unknown = volume[~volume["skill_id"].isin(known)]
    note = None
    if len(unknown):
        ids = sorted(unknown["skill_id"].unique().tolist())
        inside = unknown[(unknown["interval_start"] >= start) & (unknown["interval_start"] < end)]
        listed = ", ".join(map(str, ids[:10])) + (
            f" and {len(ids) - 10} more" if len(ids) > 10 else ""
        )
        note = (
            f"{where}: {len(ids)} skill(s) not in the config left out ({listed}; "
            f"{inside['volume'].sum():,.0f} contacts in the horizon)"
        )
        warnings.warn(note, DataWarning, stacklevel=3)
    vol = volume[volume["skill_id"].isin(known)]
    vol = vol[(vol["interval_start"] >= start) & (vol["interval_start"] < end)]
    utc_ns = grid.tz_convert("UTC").as_unit("ns").asi8
    series = pd.Series(
        vol["volume"].to_numpy(),
        index=pd.MultiIndex.from_arrays(
            [
                vol["skill_id"].to_numpy(),
                vol["interval_start"]
                .dt.tz_convert("UTC")
                .dt.as_unit("ns")
                .astype("int64")
                .to_numpy(),
            ]
        ),
    )
    wanted = pd.MultiIndex.from_arrays([np.repeat(known, len(grid)), np.tile(utc_ns, len(known))])
    off_grid = ~series.index.isin(wanted)
    if off_grid.any():
        sid, ns = series.index[int(np.flatnonzero(off_grid)[0])]
        when = pd.Timestamp(ns, tz="UTC").tz_convert(grid.tz).isoformat()
        minutes = int(pd.Timedelta(grid.freq).total_seconds() // 60)
        raise DataError(
            f"{where}: skill {sid} at {when} is not on the plan's {minutes}-minute "
            "interval grid (the forecast's intervals must match "
            "plan.interval_minutes)"
        )
    values = series.reindex(wanted).to_numpy(dtype=float)
    missing = np.isnan(values)
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        sid = known[first // len(grid)]
        when = grid[first % len(grid)].isoformat()
        raise DataError(
            f"{where}: no volume for skill {sid} at {when} "
            f"({int(missing.sum())} skill-interval(s) missing in the horizon)"
        )
    return values, note
