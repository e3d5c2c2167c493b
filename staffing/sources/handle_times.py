"""The planner's own handle times: the optional handle-time column of a volume forecast.

A voice planner's forecast often carries an AHT per interval beside the volume. Where a row
gives one, it replaces the NHT forecast of that skill and interval (``nht_basis``
``forecast_file``); an empty cell means none (the NHT forecast applies there). A value that
is not a number, infinite, zero or negative is an error naming the file and its rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from staffing.errors import DataError

__all__ = [
    "HANDLE_TIME_COLUMN",
    "HANDLE_TIME_NAMES",
    "handle_time_column",
    "handle_times_on_grid",
    "refuse_unreadable_handle_times",
]

#: The canonical name of the handle-time column [s] (in the checked volume frame too).
HANDLE_TIME_COLUMN = "handle_time_s"
#: Headers accepted for it, matched ignoring case, spaces and underscores (``AHT s``,
#: ``Handle Time S``); the first is the canonical name.
HANDLE_TIME_NAMES: tuple[str, ...] = (HANDLE_TIME_COLUMN, "aht_s", "nht_s")

_FIX = "give a handle time in seconds > 0, or leave the cell empty to use the NHT forecast there"


def _key(name: object) -> str:
    return re.sub(r"[\s_]+", "", str(name)).lower()


def _header(columns: pd.Index, where: str) -> object | None:
    """The frame's handle-time header (one of :data:`HANDLE_TIME_NAMES`), or None."""
    keys = {_key(name) for name in HANDLE_TIME_NAMES}
    found = [name for name in columns if _key(name) in keys]
    if len(found) > 1:
        listed = ", ".join(repr(str(name)) for name in found)
        raise DataError(f"{where}: columns {listed} are all a handle time; keep one")
    return found[0] if found else None


def _rows(positions: np.ndarray) -> str:
    """``rows 2, 5, 9`` as a spreadsheet numbers them (header row 1): ten and a count."""
    listed = ", ".join(str(int(p) + 2) for p in positions[:10])
    more = f" and {len(positions) - 10} more" if len(positions) > 10 else ""
    return f"row{'s' if len(positions) > 1 else ''} {listed}{more}"


def handle_time_column(frame: pd.DataFrame, where: str) -> pd.Series | None:
    """The frame's handle times [s], NaN where a row gives none; None without the column.

    Parameters
    ----------
    frame : DataFrame
        A volume forecast as read (any header of :data:`HANDLE_TIME_NAMES`).
    where : str
        What the frame is (a file name), for the error message.

    Returns
    -------
    Series or None
        Float handle times [s] in the frame's row order (NaN: an empty cell).

    Raises
    ------
    DataError
        Two handle-time columns; a value that is not a number, infinite, zero or negative,
        naming the column and the rows (the first ten and a count).
    """
    header = _header(frame.columns, where)
    if header is None:
        return None
    raw = frame[header]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    text = raw.astype(str).str.strip()
    checks = [
        (values.isna() & raw.notna() & (text != ""), "is not a number"),
        (np.isinf(values), "is not a finite number"),
        (values <= 0, "is zero or negative"),
    ]
    for bad, problem in checks:
        if bad.any():
            rows = np.flatnonzero(bad.to_numpy())
            raise DataError(
                f"{where}: {header} {problem} in {_rows(rows)} ({raw.iloc[rows[0]]!s}): {_FIX}"
            )
    return values.reset_index(drop=True)


def refuse_unreadable_handle_times(
    path: str | Path, sheet: str | None, frame: pd.DataFrame, header: str | None = None
) -> None:
    """Refuse handle-time cells the reader made "no value" although not empty (NaN, #N/A).

    The file's handle-time column is read again as text, so a failed spreadsheet lookup
    (``#N/A``) or a typed ``NaN`` is an error naming its rows, never an interval quietly
    falling back to the NHT forecast.

    Parameters
    ----------
    path : str or Path
        The volume forecast file (``.xlsx``/``.xlsm`` a workbook, anything else CSV).
    sheet : str, optional
        Sheet of a workbook; the first sheet when None.
    frame : DataFrame
        The file as :func:`staffing.sources.files.read_table` read it (headers as written).
    header : str, optional
        The file's handle-time header when ``volume.columns`` maps ``handle_time_s`` to it
        (matched ignoring case and surrounding spaces); else one of
        :data:`HANDLE_TIME_NAMES`.

    Raises
    ------
    DataError
        A non-empty cell read as no value, naming the file, column and rows.
    """
    where = str(path)
    if header is not None:
        wanted = header.strip().lower()
        found = [name for name in frame.columns if str(name).strip().lower() == wanted]
        column = found[0] if found else None  # a header not in the file: map_columns says so
    else:
        column = _header(frame.columns, where)
    if column is None or not frame[column].isna().any():
        return
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        text = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, keep_default_na=False)
    else:
        text = pd.read_csv(path, dtype=str, keep_default_na=False)
    cells = text[column].astype(str).str.strip()
    bad = frame[column].isna().to_numpy() & (cells != "").to_numpy()
    if bad.any():
        rows = np.flatnonzero(bad)
        raise DataError(
            f"{where}: {column} is not a number in {_rows(rows)} ({cells.iloc[rows[0]]}): {_FIX}"
        )


def handle_times_on_grid(
    volume: pd.DataFrame, grid: pd.DatetimeIndex, skill_ids: list[int]
) -> np.ndarray | None:
    """The forecast's own handle times on the plan's grid, skill-major; NaN where none.

    Parameters
    ----------
    volume : DataFrame
        As :func:`staffing.sources.files.check_volume_frame` returns it (rows off the
        grid are refused by :func:`staffing.sources.files.volume_on_grid` first).
    grid : pandas.DatetimeIndex
        The plan's interval starts (local, with a ``freq``).
    skill_ids : list of int
        The skills of the plan, in plan order.

    Returns
    -------
    numpy.ndarray or None
        The handle time [s] of each skill and interval, ``len(skill_ids) * len(grid)``
        values, NaN where the forecast gives none; None without a handle-time column.
    """
    if HANDLE_TIME_COLUMN not in volume.columns:
        return None
    known = np.asarray(skill_ids, dtype=np.int64)
    given = volume[volume["skill_id"].isin(known) & volume[HANDLE_TIME_COLUMN].notna()]
    utc = given["interval_start"].dt.tz_convert("UTC").dt.as_unit("ns").astype("int64")
    series = pd.Series(
        given[HANDLE_TIME_COLUMN].to_numpy(dtype=float),
        index=pd.MultiIndex.from_arrays([given["skill_id"].to_numpy(), utc.to_numpy()]),
    )
    utc_ns = grid.tz_convert("UTC").as_unit("ns").asi8
    wanted = pd.MultiIndex.from_arrays([np.repeat(known, len(grid)), np.tile(utc_ns, len(known))])
    return series.reindex(wanted).to_numpy(dtype=float)
