"""The planner's files: NHT history CSV and volume forecast (CSV or xlsx), DataFrames out.

History comes out in the history store's shape (UTC); a volume forecast in the plan's
local time zone. Every error names the file, the column and the row.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from staffing.errors import DataError, DataWarning
from staffing.forecast import require_columns
from staffing.sources.file_intervals import (
    history_row_lengths,
    map_columns,
    merge_rows,
    sum_history_rows,
    sum_volume_rows,
)
from staffing.sources.file_problems import ROWS_LISTED, FileProblems, row_list
from staffing.sources.file_times import parse_interval_starts
from staffing.sources.handle_times import (
    HANDLE_TIME_COLUMN,
    handle_time_column,
    refuse_unreadable_handle_times,
)
from staffing.vocabulary import HISTORY_FILE_COLUMNS, INTERVAL_MINUTES, PATIENCE_COLUMNS

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


def _skill_ids(values: pd.Series, problems: FileProblems) -> tuple[pd.Series, np.ndarray]:
    """Whole-number skill ids, and where they are not (recorded, and set to -1)."""
    ids = pd.to_numeric(values, errors="coerce")
    bad = ids.isna() | (ids != np.round(ids))
    problems.rows("skill_id", bad, values, "is not a whole number")
    return ids.where(~bad, -1).astype("int64"), bad.to_numpy()


def read_history_file(
    path: str | Path,
    *,
    interval_minutes: int = 60,
    timezone: str | None = None,
    date_format: str | None = None,
    columns: Mapping[str, str] | None = None,
    skill_id: int | None = None,
) -> pd.DataFrame:
    """Read an NHT history CSV (``nht.source: file``) into the history-store shape.

    Parameters
    ----------
    path : str or Path
        CSV with ``skill_id``, ``interval_start``, ``arrivals``, and ``net_handle_time_s``
        [s] with ``handled_segments`` (both or neither: without them the history has
        arrivals only); ``interval_minutes`` optional (without it, the most common gap
        between a skill's rows when it divides 60, else 60); ``abandoned`` [-] and
        ``total_wait_s`` [s] optional (``patience_seconds: auto``). Headers match
        ignoring case, spaces and underscores. Empty cells and -1 mean no data.
    interval_minutes : int
        The plan's interval [min]: rows of a length that divides it and is not 15, 30 or
        60 (5, 10 minutes) are summed to it; 15, 30 and 60-minute rows are kept as they
        are.
    timezone : str, optional
        IANA zone the file's times are local wall-clock times in, whatever offset or ``Z``
        they carry. Without it, times with an offset are exact and naive times are UTC.
    date_format : str, optional
        strftime format of ``interval_start`` when day-first or month-first dates cannot be
        told apart (``'%d/%m/%Y %H:%M'``).
    columns : mapping of str to str, optional
        Column name -> the file's header (``{"interval_start": "DateTime", "arrivals":
        "Calls"}``).
    skill_id : int, optional
        The skill of every row, for a file without a ``skill_id`` column.

    Returns
    -------
    DataFrame
        Columns :data:`HISTORY_COLUMNS` (plus any others in the file), UTC times.

    Raises
    ------
    DataError
        Listing every problem of the file at once, each naming the column and the rows
        (the first ten and a count): a value that is not a number, infinite or negative
        (other than -1), a row length that does not divide ``interval_minutes``, a start
        off its row's grid, an unreadable time, or a skill and interval given twice with
        different values (identical repeats are dropped).

    Warns
    -----
    DataWarning
        Values above :data:`PLAUSIBLE_MAX`; local times moved out of a DST gap or read
        in file order in a repeated hour.
    """
    path = Path(path)
    where = str(path)
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DataError(f"{where}: file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{where}: not a readable CSV: {exc}") from None
    frame = map_columns(frame, columns, skill_id, where)
    frame = normalise_headers(frame, list(HISTORY_FILE_COLUMNS), where)
    metrics = ["net_handle_time_s", "handled_segments"]
    if not any(c in frame.columns for c in metrics):
        frame = frame.assign(net_handle_time_s=np.nan, handled_segments=np.nan)
    require_columns(frame, ["skill_id", "interval_start", *metrics, "arrivals"], where)
    problems = FileProblems(where)
    frame["skill_id"] = _skill_ids(frame["skill_id"], problems)[0]
    zone = timezone or "UTC"
    parsed = parse_interval_starts(
        frame["interval_start"],
        zone=zone,
        wall_clock=timezone is not None,
        date_format=date_format,
        groups=frame["skill_id"],
        problems=problems,
    )
    frame["interval_start"] = parsed.times.dt.tz_convert("UTC")
    patience = [c for c in PATIENCE_COLUMNS if c in frame.columns]  # optional
    for column in ("net_handle_time_s", "arrivals", "handled_segments", *patience):
        values = pd.to_numeric(frame[column], errors="coerce")
        problems.rows(
            column, values.isna() & frame[column].notna(), frame[column], "is not a number"
        )
        problems.rows(column, np.isinf(values), frame[column], "is not a finite number")
        # -1 is LivePerson's "no data"; any other negative is an error, never dropped.
        problems.rows(column, (values < 0) & (values != -1), frame[column], "is negative")
        frame[column] = values.astype(float)
    frame["interval_minutes"] = history_row_lengths(frame, interval_minutes, zone, problems)
    problems.raise_any()
    return _history_at_interval(frame, parsed.moved, interval_minutes, zone, where)


def _history_at_interval(
    frame: pd.DataFrame, moved: np.ndarray, target: int, zone: str, where: str
) -> pd.DataFrame:
    """Repeats checked, then short rows (and rows moved out of a DST gap) summed."""
    kept = _without_repeats(frame[~moved], where)
    frame = pd.concat([kept, frame[moved]], ignore_index=True)
    short = ~frame["interval_minutes"].isin(INTERVAL_MINUTES)
    frame = sum_history_rows(frame, short, target, zone)
    if moved.any():
        key = ["skill_id", "interval_start", "interval_minutes"]
        twins = frame.duplicated(key, keep=False)
        for minutes in frame.loc[twins, "interval_minutes"].unique():
            frame = sum_history_rows(
                frame, twins & (frame["interval_minutes"] == minutes), int(minutes), zone
            )
            twins = frame.duplicated(key, keep=False)
    warn_implausible(frame, where)
    return frame


def _without_repeats(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Identical repeated rows dropped; a skill and interval given two values refused."""
    key = ["skill_id", "interval_start", "interval_minutes"]
    counted = ["net_handle_time_s", "arrivals", "handled_segments", *PATIENCE_COLUMNS]
    values = [c for c in counted if c in frame.columns]  # the patience counts too
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


def read_volume_file(
    path: str | Path,
    *,
    timezone: str,
    sheet: str | None = None,
    interval_minutes: int | None = None,
    file_timezone: str | None = None,
    date_format: str | None = None,
    columns: Mapping[str, str] | None = None,
    skill_id: int | None = None,
) -> pd.DataFrame:
    """Read a planner's volume forecast (CSV or xlsx of skill_id, interval_start, volume).

    Parameters
    ----------
    path : str or Path
        ``.xlsx``/``.xlsm`` is read as a workbook (needs openpyxl), anything else as CSV.
        ``interval_start`` values without an offset are local times in ``timezone``
        (a repeated autumn hour is resolved by its order per skill; a time in the spring
        gap is moved to the first time after it and added to that interval); values with
        an offset are exact instants.
    timezone : str
        IANA zone of the plan.
    sheet : str, optional
        Sheet of a workbook; the first sheet when None. Ignored for CSV.
    interval_minutes : int, optional
        The plan's interval [min]: shorter rows whose length divides it are summed to it
        (:func:`~staffing.sources.file_intervals.sum_volume_rows`); None keeps the rows.
    file_timezone : str, optional
        IANA zone the file's times are local wall-clock times in, whatever offset or ``Z``
        they carry (``volume.timezone``).
    date_format : str, optional
        strftime format of ``interval_start`` when day-first and month-first dates cannot
        be told apart.
    columns : mapping of str to str, optional
        Column name -> the file's header (``{"volume": "Calls"}``).
    skill_id : int, optional
        The skill of every row, for a file without a ``skill_id`` column.

    Returns
    -------
    DataFrame
        As :func:`check_volume_frame`.

    Raises
    ------
    DataError
        The file is missing or unreadable, or (from :func:`check_volume_frame`) a column
        or value is wrong; the message names the file and lists every problem.
    """
    where = str(path)
    frame = read_table(path, sheet=sheet, what="the volume forecast")
    refuse_unreadable_handle_times(
        path, sheet, frame, header=(columns or {}).get(HANDLE_TIME_COLUMN)
    )
    frame = map_columns(frame, columns, skill_id, where)
    checked = check_volume_frame(
        frame, timezone=timezone, where=where, file_timezone=file_timezone, date_format=date_format
    )
    if interval_minutes is None:
        return checked
    return sum_volume_rows(checked, interval_minutes, zone=timezone, where=where)


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


def check_volume_frame(
    frame: pd.DataFrame,
    *,
    timezone: str,
    where: str,
    file_timezone: str | None = None,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Validate a volume frame's columns and values; times to local tz.

    Does not check that the times lie on the plan's interval grid or cover it (the
    planning run does).

    Parameters
    ----------
    frame : DataFrame
        Columns ``skill_id``, ``interval_start`` (ISO text or timestamps; naive means local
        in ``timezone``) and ``volume`` (contacts per interval [-]), matched ignoring case,
        spaces and underscores (``Skill ID``, ``Interval Start``); an optional handle time
        [s] (``handle_time_s``, ``aht_s`` or ``nht_s``: :mod:`staffing.sources.handle_times`;
        an empty cell means none); other columns are dropped.
    timezone, where, file_timezone, date_format : str
        As :func:`check_interval_frame`.

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
    handle_time = handle_time_column(frame, where)
    return check_interval_frame(
        frame,
        "volume",
        timezone=timezone,
        where=where,
        file_timezone=file_timezone,
        date_format=date_format,
        carried=None if handle_time is None else {HANDLE_TIME_COLUMN: handle_time},
    )


def check_interval_frame(
    frame: pd.DataFrame,
    column: str,
    *,
    timezone: str,
    where: str,
    file_timezone: str | None = None,
    date_format: str | None = None,
    carried: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Validate a per-skill, per-interval table of one value (a forecast, a schedule).

    Parameters
    ----------
    frame : DataFrame
        Columns ``skill_id``, ``interval_start`` (ISO text, dates as Excel saves them, or
        timestamps; naive means local in ``timezone``) and ``column``, matched ignoring
        case, spaces and underscores; other columns are dropped.
    column : str
        The value column, e.g. ``"volume"`` or ``"scheduled"``; values must be finite and
        >= 0.
    timezone : str
        IANA zone of the plan.
    where : str
        What the frame is (a file name), for the error messages.
    file_timezone : str, optional
        IANA zone the times are local wall-clock times in, whatever offset they carry.
    date_format : str, optional
        strftime format of ``interval_start``.
    carried : mapping of str to Series, optional
        Checked value columns to keep beside ``column`` (the handle time [s]), in the
        frame's row order.

    Returns
    -------
    DataFrame
        ``skill_id`` (int64), ``interval_start`` (tz-aware in ``timezone``), ``column``
        (float) and the ``carried`` columns, in the input's order; rows moved out of a DST
        gap added to the interval they land in (carried columns weighted by ``column``).

    Raises
    ------
    DataError
        As :func:`check_volume_frame`, for ``column``: every problem at once, with rows.
    """
    frame = normalise_headers(frame, ["skill_id", "interval_start", column], where)
    require_columns(frame, ["skill_id", "interval_start", column], where)
    problems = FileProblems(where)
    skill_ids, unknown_skill = _skill_ids(frame["skill_id"], problems)
    parsed = parse_interval_starts(
        frame["interval_start"],
        zone=file_timezone or timezone,
        wall_clock=file_timezone is not None,
        date_format=date_format,
        groups=skill_ids,
        problems=problems,
    )
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    local = parsed.times.dt.tz_convert(timezone)
    unusable, negative = ~np.isfinite(values), values < 0
    if (unusable | negative).any():
        when = local.map(lambda t: t.isoformat() if pd.notna(t) else "?")
        about = "skill " + skill_ids.astype(str).where(~unknown_skill, "?") + " at " + when
        problems.rows(column, unusable, frame[column], "is missing or not a number", about)
        problems.rows(column, negative, frame[column], "is negative", about)
    out = pd.DataFrame({"skill_id": skill_ids, "interval_start": local, column: values})
    for name, series in (carried or {}).items():
        out[name] = series.to_numpy()
    # a row without a readable skill is reported as such, not as a repeat of "skill -1"
    known = out["interval_start"].notna().to_numpy() & ~parsed.moved & ~unknown_skill
    twice = out[known].duplicated(["skill_id", "interval_start"], keep=False)
    for (sid, when), rows in (
        out[known][twice].groupby(["skill_id", "interval_start"]).groups.items()
    ):
        listed = row_list(frame.index.get_indexer(rows))
        problems.add(f"skill {sid} has two rows for {when.isoformat()} ({listed})")
        if len(problems.lines) >= ROWS_LISTED:
            break
    problems.raise_any()
    if parsed.moved.any():
        out = merge_rows(out, out["interval_start"], column)
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
