"""The planner's files: NHT history CSV and volume forecast (CSV or xlsx), DataFrames out.

History comes out in the history store's shape (UTC); a volume forecast in the plan's
local time zone. Every error names the file, the column and the row.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from staffing.errors import DataError
from staffing.forecast import require_columns

__all__ = ["check_volume_frame", "read_history_file", "read_volume_file"]

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
            raise DataError(f"{where}: interval_start mixes times with and without a UTC offset "
                            f"(row {row + 2}: {text.iloc[row]!r})")
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
                parts = [times.loc[index].dt.tz_localize(naive_tz, ambiguous="infer",
                                                         nonexistent="raise")
                         for index in groups.groupby(groups, sort=False).groups.values()]
                return pd.concat(parts).reindex(times.index)
            except Exception as exc:
                problem = exc
        raise DataError(f"{where}: local time that does not exist or is ambiguous in "
                        f"{naive_tz} (give a UTC offset): {problem}") from None
    return times


def _skill_ids(values: pd.Series, where: str) -> pd.Series:
    ids = pd.to_numeric(values, errors="coerce")
    bad = ids.isna() | (ids != np.round(ids))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{where}: skill_id is not a whole number in row {row + 2}: "
                        f"{values.iloc[row]!r}")
    return ids.astype("int64")


def read_history_file(path: str | Path) -> pd.DataFrame:
    """Read an NHT history CSV (``nht.source: file``) into the history-store shape.

    Parameters
    ----------
    path : str or Path
        CSV with ``skill_id``, ``interval_start`` (ISO; with an offset, or UTC when
        naive), ``net_handle_time_s`` [s], ``arrivals`` and ``handled_segments``;
        ``interval_minutes`` optional (default 60). Empty cells and -1 mean no data.

    Returns
    -------
    DataFrame
        Columns :data:`HISTORY_COLUMNS` (plus any others in the file), UTC times.

    Raises
    ------
    DataError
        Naming the file, the column and the row.
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
        frame, ["skill_id", "interval_start", "net_handle_time_s", "arrivals", "handled_segments"],
        where,
    )
    frame["skill_id"] = _skill_ids(frame["skill_id"], where)
    frame["interval_start"] = _parse_times(frame["interval_start"], naive_tz="UTC", where=where)
    frame["interval_start"] = frame["interval_start"].dt.tz_convert("UTC")
    if "interval_minutes" not in frame.columns:
        frame["interval_minutes"] = 60
    for column in ("net_handle_time_s", "arrivals", "handled_segments"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{where}: {column} is not a number in row {row + 2}: "
                            f"{frame[column].iloc[row]!r}")
        frame[column] = values.astype(float)
    return frame


def read_volume_file(
    path: str | Path, *, timezone: str, sheet: str | None = None
) -> pd.DataFrame:
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
    path = Path(path)
    where = str(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, sheet_name=sheet or 0)
        else:
            frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DataError(f"{where}: file not found") from None
    except ImportError:
        raise DataError(f"{where}: reading .xlsx needs the openpyxl package "
                        "(pip install openpyxl), or save the forecast as CSV") from None
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise DataError(f"{where}: cannot read the volume forecast: {exc}") from None
    return check_volume_frame(frame, timezone=timezone, where=where)


def check_volume_frame(frame: pd.DataFrame, *, timezone: str, where: str) -> pd.DataFrame:
    """Validate a volume frame's columns and values; times to local tz.

    Does not check that the times lie on the plan's interval grid or cover it (the
    planning run does).

    Parameters
    ----------
    frame : DataFrame
        Columns ``skill_id``, ``interval_start`` (ISO text or timestamps; naive means local
        in ``timezone``) and ``volume`` (contacts per interval [-]); other columns are dropped.
    timezone : str
        IANA zone of the plan.
    where : str
        What the frame is (a file name), for the error messages.

    Returns
    -------
    DataFrame
        ``skill_id`` (int64), ``interval_start`` (tz-aware in ``timezone``), ``volume``
        (float, contacts per interval [-]), in the input's order.

    Raises
    ------
    DataError
        A missing column, a skill id that is not a whole number, an unparsable, empty,
        mixed (offset and naive), non-existent or ambiguous local time, a volume that is
        missing, not a number, infinite or negative, or a skill given twice for the same
        time; naming ``where``, the skill and time or the row.
    """
    require_columns(frame, ["skill_id", "interval_start", "volume"], where)
    skill_ids = _skill_ids(frame["skill_id"], where)
    out = pd.DataFrame({
        "skill_id": skill_ids,
        "interval_start": _parse_times(frame["interval_start"], naive_tz=timezone, where=where,
                                       groups=skill_ids).dt.tz_convert(timezone),
        "volume": pd.to_numeric(frame["volume"], errors="coerce").astype(float),
    })
    bad = out["volume"].isna() | ~np.isfinite(out["volume"])
    if bad.any():
        row = out[bad].iloc[0]
        raise DataError(f"{where}: volume is missing or not a number for skill "
                        f"{row.skill_id} at {row.interval_start.isoformat()}")
    negative = out["volume"] < 0
    if negative.any():
        row = out[negative].iloc[0]
        raise DataError(f"{where}: negative volume {row.volume:g} for skill {row.skill_id} "
                        f"at {row.interval_start.isoformat()}")
    dup = out.duplicated(["skill_id", "interval_start"])
    if dup.any():
        row = out[dup].iloc[0]
        raise DataError(f"{where}: skill {row.skill_id} has two rows for "
                        f"{row.interval_start.isoformat()}")
    return out
