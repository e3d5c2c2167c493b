"""What every sheet of the workbook shares beyond its cells: limits, names, print, charts.

- Excel's limits: :data:`EXCEL_MAX_ROWS` (:func:`rows_per_sheet` below a header row) and
  :data:`SHEET_NAME_MAX`; Excel-safe, unique sheet names (:func:`sheet_names`);
- print setup (:func:`landscape`) and the printed page header (:func:`page_header`);
- charts over time: :func:`finish_chart`, the title, time axis, value axis, legend, size and
  place every chart of the workbook shares;
- :class:`Progress`, the messages of a long write;
- :func:`rows_note`, where the interval rows are when the workbook leaves them out.

The cells themselves are :mod:`staffing.outputs.cells`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter.chart import Chart
    from xlsxwriter.worksheet import Worksheet

__all__ = [
    "EXCEL_MAX_ROWS",
    "SHEET_NAME_MAX",
    "BookParts",
    "Progress",
    "finish_chart",
    "landscape",
    "page_header",
    "rows_note",
    "rows_per_sheet",
    "sheet_names",
]

#: Rows in one Excel worksheet. Tests lower it with monkeypatch to exercise the split cheaply
#: (the sheets read it here, when they write).
EXCEL_MAX_ROWS = 1_048_576
#: Longest worksheet name Excel accepts, in UTF-16 code units.
SHEET_NAME_MAX = 31

_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEET_NAMES = {"summary", "assumptions", "history"}


def rows_per_sheet() -> int:
    """Data rows one sheet holds below its header row: :data:`EXCEL_MAX_ROWS` - 1."""
    return EXCEL_MAX_ROWS - 1


def landscape(ws: Worksheet) -> None:
    """Print the sheet landscape, one page wide.

    Parameters
    ----------
    ws : Worksheet
        The sheet.
    """
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def page_header(left: str, plan_name: str) -> str:
    """A printed page header: ``left`` in bold, the plan and page number on the right.

    Parameters
    ----------
    left : str
        What the page shows (cut to 120 characters).
    plan_name : str
        The plan's name (cut to 60 characters).

    Returns
    -------
    str
        The header in Excel's header codes (``&`` escaped).
    """

    def escape(text: str) -> str:
        return text.replace("&", "&&")

    right = f"&RPlan {escape(plan_name)[:60]}, page &P of &N"
    return f'&L&"-,Bold"{escape(left)[:120]}{right}'


def finish_chart(
    ws: Worksheet,
    chart: Chart,
    *,
    title: str,
    y_name: str,
    rows: int,
    interval_minutes: int,
    timezone: str,
) -> None:
    """Title, time axis, value axis, legend and size of a chart over time; insert it at A4.

    Parameters
    ----------
    ws : Worksheet
        The sheet the chart goes on (cell A4, moving but not sizing with its cells).
    chart : Chart
        A chart with its series.
    title, y_name : str
        The chart's title and the name of its value axis.
    rows : int
        Rows of 20 px the chart covers.
    interval_minutes : int
        The plan's interval length [min]: the time axis labels every half day.
    timezone : str
        IANA zone of the local times, named on the time axis.
    """
    chart.set_title({"name": title, "name_font": {"size": 11}})
    # A category axis: a date axis would bin the hourly points into whole days.
    per_day = max(1, round(1440 / interval_minutes))
    chart.set_x_axis(
        {
            "text_axis": True,
            "num_format": "ddd dd hh:mm",
            "num_font": {"rotation": -45, "size": 8},
            "interval_unit": max(1, per_day // 2),
            "interval_tick": max(1, per_day // 2),
            "name": f"Local time ({timezone})",
        }
    )
    chart.set_y_axis({"name": y_name, "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 960, "height": rows * 20})
    ws.insert_chart(3, 0, chart, {"object_position": 3})


def sheet_names(names: Sequence[object], reserved: Sequence[str] = ()) -> list[str]:
    """Excel-safe, unique worksheet names for ``names``, in the same order.

    Characters Excel forbids (``[ ] : * ? / \\``) become ``_``; leading and trailing
    apostrophes and spaces are dropped; names are cut to 31 UTF-16 code units, and spaces and
    apostrophes the cut leaves at the end are dropped too; a name equal
    (case-insensitively, as Excel compares) to an earlier one, to ``reserved``, to
    ``Summary`` or ``Assumptions`` (sheets of every workbook) or to ``History`` (reserved
    by Excel) gets a
    `` (2)``, `` (3)``, ... suffix within the limit; an empty name becomes ``Sheet``.

    Parameters
    ----------
    names : sequence of str
        The wanted names (e.g. skill names); other values are turned into text.
    reserved : sequence of str
        Names already taken in the workbook.

    Returns
    -------
    list of str
        One name per entry of ``names``.
    """
    taken = {r.casefold() for r in reserved} | _RESERVED_SHEET_NAMES
    out = []
    for raw in names:
        base = _INVALID_SHEET_CHARS.sub("_", str(raw)).strip().strip("'").strip() or "Sheet"
        name = _cut_utf16(base, SHEET_NAME_MAX).rstrip().rstrip("'").rstrip() or "Sheet"
        number = 1
        while name.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            name = _cut_utf16(base, SHEET_NAME_MAX - len(suffix)).rstrip().rstrip("'") + suffix
        taken.add(name.casefold())
        out.append(name)
    return out


def _cut_utf16(text: str, limit: int) -> str:
    """The longest prefix of ``text`` at most ``limit`` UTF-16 code units long."""
    out, used = [], 0
    for char in text:
        units = 2 if ord(char) > 0xFFFF else 1
        if used + units > limit:
            break
        out.append(char)
        used += units
    return "".join(out)


class Progress:
    """Progress of a workbook write: stage messages, and counts at most every 2 s.

    Parameters
    ----------
    callback : callable, optional
        Called with each message; None says nothing.
    """

    def __init__(self, callback: Callable[[str], None] | None = None):
        self.callback = callback
        self.last = 0.0

    def stage(self, message: str) -> None:
        """Say ``message`` now.

        Parameters
        ----------
        message : str
            What is being written.
        """
        if self.callback is not None:
            self.callback(message)
            self.last = time.monotonic()

    def count(self, message: str, done: int, total: int) -> None:
        """Say ``message: done of total`` when done, or 2 s after the last message.

        Parameters
        ----------
        message : str
            What is counted.
        done, total : int
            How many are written, of how many.
        """
        if self.callback is not None and (done == total or time.monotonic() - self.last >= 2):
            self.stage(f"{message}: {done:,} of {total:,}")


class BookParts(NamedTuple):
    """Which of the plan's long sheets a workbook has, and the Summary's note if not all."""

    intervals_sheet: bool
    skill_sheets: bool
    note: str | None


def rows_note(
    rows: int,
    *,
    intervals_sheet: bool,
    skill_sheets: bool,
    files: Sequence[object] = (),
    why: str = "",
) -> str | None:
    """Where the interval rows are when the workbook leaves the Intervals or skill sheets out.

    Parameters
    ----------
    rows : int
        Interval rows of the plan [-].
    intervals_sheet, skill_sheets : bool
        Whether the workbook has the Intervals sheet(s), and one sheet per skill.
    files : sequence of path
        The files beside the workbook holding every row (intervals CSV, Parquet file).
    why : str
        Why the skill sheets are left out (e.g. ``above 500,000 rows``), said in brackets.

    Returns
    -------
    str or None
        E.g. ``The workbook has no Intervals sheet and no sheet per skill (1,747,200
        interval rows; skill sheets above 500,000 rows): the rows are in out/y.csv. ...``;
        None when the workbook has both.
    """
    left_out = [
        text
        for text, out in (
            ("no Intervals sheet", not intervals_sheet),
            ("no sheet per skill", not skill_sheets),
        )
        if out
    ]
    if not left_out:
        return None
    places = [*(["its Intervals sheet"] if intervals_sheet else []), *map(str, files)]
    where = (
        " and ".join(places)
        if places
        else "no file (write an intervals CSV or Parquet file to keep them)"
    )
    reason = f"; {why}" if why and not skill_sheets else ""
    note = (
        f"The workbook has {' and '.join(left_out)} ({rows:,} interval rows{reason}): "
        f"the rows are in {where}."
    )
    if not skill_sheets:
        note += (
            " The skill sheets are written whatever the size with output.skill_sheets: "
            "always in the config (skill_sheets=True in Python)."
        )
    return note
