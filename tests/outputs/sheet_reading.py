"""Reading a written workbook back in the output tests: rows and tables by their labels, and
tables compared cell for cell with the result tables they were written from."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import pandas as pd
import pytest


def first_row(ws, text: str, after: int = 0) -> int:
    """Number of the first row after ``after`` whose first cell is ``text``."""
    for row in range(after + 1, ws.max_row + 1):
        if ws.cell(row, 1).value == text:
            return row
    raise AssertionError(f"no row starting with {text!r} in {ws.title}")


def read_table(ws, header: int) -> tuple[list, list[list]]:
    """Header labels and the rows below ``header`` until an empty row."""
    labels = []
    for col in range(1, ws.max_column + 1):
        value = ws.cell(header, col).value
        if value is None:
            break
        labels.append(value)
    rows = []
    for row in range(header + 1, ws.max_row + 1):
        values = [ws.cell(row, col).value for col in range(1, len(labels) + 1)]
        if all(value is None for value in values):
            break
        rows.append(values)
    return labels, rows


def same(cell, expected, timezone: str) -> bool:
    """A cell read back equals a value of a result table (local times in ``timezone``)."""
    if (
        expected is None
        or expected is pd.NaT
        or (isinstance(expected, float) and math.isnan(expected))
    ):
        return cell is None
    if isinstance(expected, str):
        return (cell or "") == expected
    if isinstance(expected, bool):
        return cell is expected
    if isinstance(expected, float) and math.isinf(expected):
        return cell == ("inf" if expected > 0 else "-inf")  # an unstable queue's ASA
    if isinstance(expected, pd.Timestamp):
        return cell == expected.tz_convert(timezone).tz_localize(None).to_pydatetime()
    if isinstance(expected, dt.date):
        return isinstance(cell, dt.datetime) and cell.date() == expected
    return cell == pytest.approx(float(expected), rel=1e-14, abs=1e-15)


def assert_table_equals(
    labels, rows, frame: pd.DataFrame, expected_labels: Mapping[str, str], timezone: str
) -> None:
    """The header ``labels`` and ``rows`` read back are ``frame``, cell for cell.

    ``expected_labels`` maps each column of ``frame`` to the header the sheet must show.
    """
    assert labels == [expected_labels[name] for name in frame.columns]
    assert len(rows) == len(frame)
    for i, record in enumerate(frame.astype(object).itertuples(index=False)):
        for j, (name, expected) in enumerate(zip(frame.columns, record, strict=True)):
            if isinstance(expected, (int, float)) and not isinstance(expected, bool):
                expected = float(expected)
            assert same(rows[i][j], expected, timezone), (i, name, rows[i][j], expected)


def written_book(tmp_path, write, name: str = "book") -> tuple:
    """Fill a workbook as the workbook writer does (constant memory, no string conversion)
    and read it back: the openpyxl workbook and the xlsx's XML parts by name.

    ``write(workbook, formats)`` adds and fills the sheets.
    """
    import zipfile

    import openpyxl
    import xlsxwriter

    from staffing.outputs.cells import Formats

    path = tmp_path / f"{name}.xlsx"
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False}
    )
    write(workbook, Formats(workbook))
    workbook.close()
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")}
    return openpyxl.load_workbook(path), parts


def one_sheet(tmp_path, name: str, write) -> tuple:
    """Write one sheet alone (:func:`written_book`) and read it back: the openpyxl sheet and
    the xlsx's parts by name. ``write(workbook, ws, formats)`` fills the sheet ``name``."""
    book, parts = written_book(
        tmp_path, lambda wb, formats: write(wb, wb.add_worksheet(name), formats), name
    )
    return book[name], parts


def cell_rows(ws) -> list[list]:
    """Every row of ``ws`` as a list of values (None for an empty cell)."""
    return [list(row) for row in ws.iter_rows(values_only=True)]


def column_widths(ws) -> dict[int, float]:
    """Set column widths by column number (1-based), a group of equal columns spread out."""
    out = {}
    for dim in ws.column_dimensions.values():
        if dim.width:
            for col in range(dim.min, dim.max + 1):
                out[col] = dim.width
    return out


#: The looks of the workbook's text cells (cells.Formats): (bold, italic, size, colour).
LOOKS = {
    "title": (True, False, 14, None),
    "note": (False, True, 11, "FF555555"),
    "section": (True, False, 12, None),
}


def assert_look(cell, look: str) -> None:
    """``cell`` is a title, a note or a section heading by its font (:data:`LOOKS`)."""
    bold, italic, size, colour = LOOKS[look]
    font = cell.font
    assert (bool(font.b), bool(font.i), font.sz) == (bold, italic, size), (cell.coordinate, look)
    if colour is not None:
        assert font.color is not None and font.color.rgb == colour, cell.coordinate
