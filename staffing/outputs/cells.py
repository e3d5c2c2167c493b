"""The workbook's cells: what each cell holds and how it looks, apart from the sheets.

As pandas keeps building cells apart from writing them, the sheet modules
(:mod:`staffing.outputs.sheets`) decide what goes where, and this module holds what they all
share (their page layout, charts and names are in :mod:`staffing.outputs.layout`):

- formats: :data:`NUMBER_FORMATS` by display kind and :class:`Formats`, every xlsxwriter
  format of a workbook built once (the highlight of missed targets included);
- widths: :class:`Widths`, the widest content per column, applied at the end;
- values: the display kind of a column (:func:`meta_of`, :func:`plain_kind`), Excel serial
  day numbers of local times (:func:`excel_serial`, :func:`scalar_serial`), the width of
  numbers (:func:`number_width`);
- rows: :func:`prepare` turns each column of a DataFrame once into Python values, a kind and
  a label (:data:`staffing.vocabulary.COLUMN_META`); :func:`write_rows`,
  :func:`write_frame` and :func:`write_cell` stream them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffing.vocabulary import COLUMN_META, ColumnMeta

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter import Workbook
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

__all__ = [
    "CHUNK_ROWS",
    "DATE_WIDTHS",
    "NUMBER_FORMATS",
    "Column",
    "Formats",
    "Widths",
    "excel_serial",
    "meta_of",
    "number_width",
    "plain_kind",
    "prepare",
    "scalar_serial",
    "write_cell",
    "write_frame",
    "write_rows",
]

#: Rows converted into Python values at a time in the long tables: a year of hourly
#: intervals for 200 skills as Python floats all at once would take about 1 GB. (Tests lower
#: it with monkeypatch; the sheets read it here when they write.)
CHUNK_ROWS = 50_000

#: Excel number format of each display kind of :class:`staffing.vocabulary.ColumnMeta`.
NUMBER_FORMATS = {
    "datetime": "ddd yyyy-mm-dd hh:mm",
    "date": "ddd yyyy-mm-dd",
    "time": "hh:mm",
    "percent": "0.0%",
    "seconds": '#,##0.0" s"',
    "fte": "#,##0.0",
    "hours": "#,##0.0",
    "erlang": "#,##0.00",
    "volume": "#,##0.0",
    "int": "#,##0",
    "id": "0",
    "float": "#,##0.00",
    "text": "@",
}
#: Width in characters of a value shown with each date/time format.
DATE_WIDTHS = {"datetime": 20, "date": 14, "time": 5}

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_HEADER = {"bold": True, "bg_color": "#DDEBF7", "bottom": 1}
# Decimals shown by each number kind, and the characters its format adds (" s", "%").
_DECIMALS = {"percent": 1, "seconds": 1, "fte": 1, "hours": 1, "volume": 1, "erlang": 2, "float": 2}
_UNIT_CHARS = {"percent": 1, "seconds": 2}

# --------------------------------------------------------------------------------------------
# Formats and widths
# --------------------------------------------------------------------------------------------


class Formats:
    """The formats of one workbook, each built once: named ones, and by (kind, bold, ...).

    Parameters
    ----------
    workbook : xlsxwriter.Workbook
        The workbook the formats belong to.
    """

    def __init__(self, workbook: Workbook):
        self._wb = workbook
        self._cache: dict[tuple[str | None, bool, bool, bool], Format | None] = {}
        self._highlight: Format | None = None
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.note = workbook.add_format({"italic": True, "font_color": "#555555"})
        self.section = workbook.add_format({"bold": True, "font_size": 12})
        self.header = workbook.add_format(_HEADER)
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    @property
    def highlight(self) -> Format:
        """Red fill of a row that misses a target (conditional formats), built on first use."""
        if self._highlight is None:
            self._highlight = self._wb.add_format({"bg_color": "#F4CCCC", "font_color": "#9C0006"})
        return self._highlight

    def get(
        self, kind: str | None, bold: bool = False, header: bool = False, left: bool = False
    ) -> Format | None:
        """The format of a display kind, built on first use.

        Parameters
        ----------
        kind : str or None
            A key of :data:`NUMBER_FORMATS`; None (or ``text``) for no number format.
        bold, header, left : bool
            Bold; the header look (bold on light blue, a bottom border); aligned left.

        Returns
        -------
        Format or None
            None when nothing would be set (a plain text cell).
        """
        key = (kind, bold, header, left)
        if key not in self._cache:
            props: dict[str, Any] = {}
            if kind and kind != "text":
                props["num_format"] = NUMBER_FORMATS[kind]
            if bold:
                props["bold"] = True
            if left:
                props["align"] = "left"
            if header:
                props.update(_HEADER)
            self._cache[key] = self._wb.add_format(props) if props else None
        return self._cache[key]


class Widths:
    """Widest content seen per column of one sheet [characters], applied at the end."""

    def __init__(self) -> None:
        self.chars: dict[int, float] = {}

    def see(self, col: int, chars: float) -> None:
        """Note content ``chars`` characters wide in column ``col``.

        Parameters
        ----------
        col : int
            Column (0-based).
        chars : float
            Width of the content [characters].
        """
        if chars > self.chars.get(col, 0):
            self.chars[col] = chars

    def apply(self, ws: Worksheet, minimum: float = 4, maximum: float = 60) -> None:
        """Set each seen column's width: its content + 2, within ``minimum`` and ``maximum``.

        Parameters
        ----------
        ws : Worksheet
            The sheet.
        minimum, maximum : float
            Bounds of a column's width [characters].
        """
        for col, chars in self.chars.items():
            ws.set_column(col, col, min(max(chars + 2, minimum), maximum))


# --------------------------------------------------------------------------------------------
# Values: kinds, Excel serials, widths
# --------------------------------------------------------------------------------------------


@dataclass
class Column:
    """One column prepared for fast row-wise writing."""

    label: str
    kind: str | None  # key of NUMBER_FORMATS, or None for text
    values: list[Any]
    writer: str  # "number" or "string" when every value is one (or None), else "any"
    width: float


def meta_of(name: object, series: pd.Series) -> ColumnMeta:
    """The declared meaning of a column (COLUMN_META), else a plain one from its values.

    Parameters
    ----------
    name : object
        The column's name.
    series : Series
        Its values.

    Returns
    -------
    ColumnMeta
    """
    declared = COLUMN_META.get(str(name))
    if declared is not None:
        return declared
    return ColumnMeta(str(name), plain_kind(series))


def plain_kind(series: pd.Series) -> str:
    """Display kind of an undeclared column, from its values alone.

    Parameters
    ----------
    series : Series
        The column.

    Returns
    -------
    str
        ``text`` (booleans too), ``datetime``, ``date``, ``int`` or ``float``.
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        return "text"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "datetime"
    if pd.api.types.is_integer_dtype(series.dtype):
        return "int"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "float"
    sample = series.dropna()
    if len(sample) and isinstance(sample.iloc[0], (datetime, pd.Timestamp)):
        return "datetime"
    if len(sample) and isinstance(sample.iloc[0], date):
        return "date"
    return "text"


def excel_serial(series: pd.Series, timezone: str) -> np.ndarray:
    """Excel serial day numbers of local wall-clock times.

    Parameters
    ----------
    series : Series
        Times (tz-aware ones are converted to ``timezone``; naive ones are local already).
    timezone : str
        IANA zone of the local times.

    Returns
    -------
    ndarray
        Days since 1899-12-30 [d], NaN where missing.
    """
    values = series
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(values, utc=None)
    if values.dt.tz is not None:
        values = values.dt.tz_convert(timezone).dt.tz_localize(None)
    return ((values - _EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(float)


def scalar_serial(value: object, timezone: str) -> float | None:
    """Excel serial day number of one local time or date.

    Parameters
    ----------
    value : object
        A time or date (tz-aware: converted to ``timezone``).
    timezone : str
        IANA zone of the local times.

    Returns
    -------
    float or None
        Days since 1899-12-30 [d]; None when missing.
    """
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(timezone).tz_localize(None)
    return (stamp - _EXCEL_EPOCH) / pd.Timedelta(days=1)


def number_width(values: np.ndarray, kind: str | None) -> float:
    """Characters the widest finite number of ``values`` takes in the format of ``kind``.

    Parameters
    ----------
    values : ndarray
        The numbers.
    kind : str or None
        Their display kind (a key of :data:`NUMBER_FORMATS`).

    Returns
    -------
    float
        Width [characters]; 4 when no value is finite.
    """
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 4
    biggest = float(np.max(np.abs(finite)))
    text = f"{biggest * (100 if kind == 'percent' else 1):,.{_DECIMALS.get(kind or '', 0)}f}"
    return len(text) + _UNIT_CHARS.get(kind or "", 0) + (1 if np.min(finite) < 0 else 0)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


def prepare(
    frame: pd.DataFrame,
    timezone: str,
    label_tz: bool = True,
    metas: Sequence[ColumnMeta] | None = None,
) -> list[Column]:
    """Convert each column once into Python values ready for xlsxwriter.

    The values decide how a column is written (dates, numbers or text); its meaning
    (``metas``, else COLUMN_META by name) gives the label and the number format.

    Parameters
    ----------
    frame : DataFrame
        The table.
    timezone : str
        IANA zone of the local times (tz-aware times are converted to it).
    label_tz : bool
        Name the time zone in the labels of date and time columns.
    metas : sequence of ColumnMeta, optional
        The meaning of each column, instead of COLUMN_META by name.

    Returns
    -------
    list of Column
    """
    columns = []
    for index, name in enumerate(frame.columns):
        series = frame[name]
        meta = metas[index] if metas is not None else meta_of(name, series)
        kind = _shown_kind(meta, plain_kind(series))
        label = meta.label
        if label_tz and kind in ("datetime", "date"):
            label += f" ({timezone})"
        if kind in ("datetime", "date"):
            columns.append(_time_column(series, label, kind, timezone))
        elif kind is not None:
            columns.append(_number_column(series, label, kind))
        else:
            columns.append(_text_column(series, label))
    return columns


def _shown_kind(meta: ColumnMeta, written_as: str) -> str | None:
    """The display kind of a column: its declared kind where its values allow, None for text."""
    if written_as in ("datetime", "date"):
        return meta.kind if meta.kind in ("datetime", "date") else written_as
    if written_as == "text":
        return None
    return meta.kind if meta.kind not in ("text", "datetime", "date", "time") else written_as


def _time_column(series: pd.Series, label: str, kind: str, timezone: str) -> Column:
    if kind == "date":
        series = pd.to_datetime(series)
    serial = excel_serial(series, timezone)
    values = [None if math.isnan(v) else v for v in serial.tolist()]
    return Column(label, kind, values, "number", DATE_WIDTHS[kind])


def _number_column(series: pd.Series, label: str, kind: str) -> Column:
    array = pd.to_numeric(series, errors="coerce").to_numpy(float, na_value=np.nan)
    finite = np.isfinite(array)
    if finite.all():
        values, writer = array.tolist(), "number"
    else:
        # NaN -> blank cell; +-inf (an unstable queue's ASA) -> the text "inf".
        values = [
            v if f else (None if math.isnan(v) else ("inf" if v > 0 else "-inf"))
            for v, f in zip(array.tolist(), finite.tolist(), strict=True)
        ]
        writer = "any"
    return Column(label, kind, values, writer, number_width(array, kind))


def _text_column(series: pd.Series, label: str) -> Column:
    values = [None if _is_missing(v) else v for v in series.tolist()]
    uniques = {str(v) for v in values if v is not None}
    width = max((len(u) for u in uniques), default=0)
    writer = "string" if all(isinstance(v, str) for v in values) else "any"
    return Column(label, None, values, writer, width)


def write_cell(ws: Worksheet, row: int, col: int, value: object, fmt: Format | None) -> None:
    """Write one value of any type (None and NaN write nothing, +-inf the text ``inf``).

    Parameters
    ----------
    ws : Worksheet
        The sheet.
    row, col : int
        The cell (0-based).
    value : object
        A boolean, number or anything else (written as text).
    fmt : Format or None
        The cell's format.
    """
    if value is None:
        return
    if isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if math.isfinite(number):
            ws.write_number(row, col, number, fmt)
        elif not math.isnan(number):
            ws.write_string(row, col, "inf" if number > 0 else "-inf", fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def write_rows(
    ws: Worksheet,
    columns: list[Column],
    first_row: int,
    start: int,
    stop: int,
    formats: Formats,
    first_col: int = 0,
    bold_rows: set[int] | None = None,
) -> None:
    """Write records ``start:stop`` of ``columns`` from ``first_row`` down, row by row.

    Parameters
    ----------
    ws : Worksheet
        The sheet.
    columns : list of Column
        Prepared columns (:func:`prepare`).
    first_row : int
        Sheet row of record ``start`` (0-based).
    start, stop : int
        The records to write.
    formats : Formats
        The workbook's formats.
    first_col : int
        Sheet column of the first column (0-based).
    bold_rows : set of int, optional
        Records written in bold (totals).
    """
    plain = [formats.get(c.kind) for c in columns]
    bold = [formats.get(c.kind, bold=True) for c in columns]
    writers = [c.writer for c in columns]
    lists = [c.values for c in columns]
    write_number, write_string = ws.write_number, ws.write_string
    cols = list(range(first_col, first_col + len(columns)))
    for offset, i in enumerate(range(start, stop)):
        row = first_row + offset
        fmts = bold if bold_rows and i in bold_rows else plain
        for j, col in enumerate(cols):
            value = lists[j][i]
            if value is None:
                continue
            if writers[j] == "number":
                write_number(row, col, value, fmts[j])
            elif writers[j] == "string":
                write_string(row, col, value, fmts[j])
            else:
                write_cell(ws, row, col, value, fmts[j])


def write_frame(
    ws: Worksheet,
    frame: pd.DataFrame,
    row: int,
    formats: Formats,
    widths: Widths,
    timezone: str,
    bold_rows: set[int] | None = None,
) -> int:
    """Write a header and the rows of ``frame`` starting at ``row``.

    Parameters
    ----------
    ws : Worksheet
        The sheet.
    frame : DataFrame
        The table.
    row : int
        Row of the header (0-based).
    formats : Formats
        The workbook's formats.
    widths : Widths
        The sheet's column widths, updated.
    timezone : str
        IANA zone of the local times.
    bold_rows : set of int, optional
        Rows of ``frame`` written in bold (totals).

    Returns
    -------
    int
        The next free row.
    """
    columns = prepare(frame, timezone)
    for col, column in enumerate(columns):
        ws.write_string(row, col, column.label, formats.header)
        widths.see(col, max(column.width, min(len(column.label), 40)))
    write_rows(ws, columns, row + 1, 0, len(frame), formats, bold_rows=bold_rows)
    return row + 1 + len(frame)
