"""Reading a written workbook back in the output tests: rows and tables by their labels."""

from __future__ import annotations


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
