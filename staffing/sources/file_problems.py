"""Every problem of a planner's file at once: collected by column and row, raised together.

A reader records each kind of problem with the rows it affects (as the spreadsheet numbers
them: the header is row 1) and raises one :class:`~staffing.errors.DataError` listing them
all, so a planner fixes the file in one go instead of one error per run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffing.errors import DataError, shown

__all__ = ["ROWS_LISTED", "FileProblems", "cell_text", "row_list"]

#: How many row numbers a problem lists before it only counts the rest.
ROWS_LISTED = 10


def cell_text(value: object) -> str:
    """A cell as a message shows it to a planner: ``5``, ``-3.5``, ``'abc'``, ``''`` (empty).

    Numbers as :func:`staffing.errors.shown` shows them (never a NumPy repr), text in
    quotes, an empty cell as ``''``.

    Parameters
    ----------
    value : object
        The cell's value as read.

    Returns
    -------
    str
        The text to put in the message.
    """
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return "''"
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        return shown(value)
    if isinstance(value, np.generic):
        value = value.item()
    return repr(str(value))  # text, a timestamp: quoted as written


def row_list(positions: np.ndarray) -> str:
    """Spreadsheet row numbers of 0-based data positions: the first ten, then a count.

    Parameters
    ----------
    positions : numpy.ndarray of int
        Positions of the rows in the table as read (0 is the first row under the header).

    Returns
    -------
    str
        ``"row 3"``, or ``"rows 3, 4, 7"``, or ``"rows 3, 4, ... 12 and 5 more"``.
    """
    numbers = [str(int(p) + 2) for p in positions[:ROWS_LISTED]]
    more = f" and {len(positions) - ROWS_LISTED} more" if len(positions) > ROWS_LISTED else ""
    return ("row " if len(positions) == 1 else "rows ") + ", ".join(numbers) + more


class FileProblems:
    """The problems found in one file, each naming the column, the rows and a value.

    Parameters
    ----------
    where : str
        The file, for every message.
    """

    def __init__(self, where: str) -> None:
        self.where = where
        self.lines: list[str] = []

    def add(self, text: str) -> None:
        """Record one problem that is not about rows (a missing column, a setting).

        Parameters
        ----------
        text : str
            What is wrong, without the file name.
        """
        self.lines.append(f"{self.where}: {text}")

    def rows(
        self,
        column: str,
        bad: pd.Series | np.ndarray,
        values: pd.Series,
        what: str,
        context: pd.Series | None = None,
    ) -> None:
        """Record the rows where ``bad`` holds, e.g. ``volume is negative in rows 3, 9: '-2'``.

        Parameters
        ----------
        column : str
            The column the problem is in.
        bad : Series or ndarray of bool
            Per row of the table as read: True where the problem is.
        values : Series
            The column as read, for the first bad row's value.
        what : str
            What is wrong, e.g. ``"is negative"``.
        context : Series, optional
            Per row, what the row is about (``"skill 1 at 2026-03-02T09:00"``), shown
            for the first bad row.
        """
        mask = np.asarray(bad, dtype=bool)
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        first = cell_text(values.iloc[positions[0]])
        if context is not None:
            first = f"{first} for {context.iloc[positions[0]]}"
        example = f": {first}" if len(positions) == 1 else f" (row {positions[0] + 2}: {first})"
        self.add(f"{column} {what} in {row_list(positions)}{example}")

    def raise_any(self) -> None:
        """Raise one :class:`~staffing.errors.DataError` listing every problem, if any.

        Raises
        ------
        DataError
            One line per problem, each starting with the file name.
        """
        if self.lines:
            raise DataError("\n".join(self.lines))
