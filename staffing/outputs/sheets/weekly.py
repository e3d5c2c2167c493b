"""The Weekly sheet: per plan week, all skills and then each skill, in one filtered table.

Volume, agent-hours, FTE-hours, FTE headcount, NHT, service level, abandonment and peak
agents per week (``Plan.weekly_total`` in bold, then ``Plan.weekly``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from staffing.outputs.cells import Formats, Widths, write_frame
from staffing.outputs.layout import landscape
from staffing.outputs.view import PlanView

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter.worksheet import Worksheet

__all__ = ["write_weekly"]


def write_weekly(ws: Worksheet, view: PlanView, formats: Formats) -> None:
    """Per-week roll-ups in one filterable table: all skills first, then every skill.

    Parameters
    ----------
    ws : Worksheet
        The Weekly sheet.
    view : PlanView
        The plan.
    formats : Formats
        The workbook's formats.
    """
    widths = Widths()
    landscape(ws)
    ws.write_string(0, 0, f"Weekly requirements of plan {view.name}", formats.title)
    ws.write_string(
        1,
        0,
        f"Weeks start on the plan's first day ({view.timezone}). FTE headcount = FTE-hours / "
        "contracted hours per FTE per week; NHT, service level and abandonment are "
        "volume-weighted.",
        formats.note,
    )
    frame, n_total = _weekly_table(view)
    header = 3
    end = write_frame(
        ws, frame, header, formats, widths, view.timezone, bold_rows=set(range(n_total))
    )
    if len(frame):
        ws.autofilter(header, 0, end - 1, len(frame.columns) - 1)
        widths.see(0, 12)  # room for the filter button
    ws.freeze_panes(header + 1, 0)
    ws.repeat_rows(header)
    widths.apply(ws)


def _weekly_table(view: PlanView) -> tuple[pd.DataFrame, int]:
    """The all-skills rows and then each skill's, in one table; and how many are all-skills.

    The two share columns and filters: the all-skills rows get an empty skill id and the
    name ``All skills``; the columns are those of ``Plan.weekly`` first.
    """
    parts = []
    n_total = 0
    if view.weekly_total is not None:
        total = view.weekly_total.copy()
        n_total = len(total)
        if view.weekly is not None and "skill_id" in view.weekly.columns:
            total.insert(0, "skill_id", pd.array([pd.NA] * len(total), dtype="Int64"))
            total.insert(1, "skill_name", "All skills")
        parts.append(total)
    if view.weekly is not None:
        parts.append(view.weekly)
    frame = pd.concat(parts, ignore_index=True)
    columns = list(view.weekly.columns) if view.weekly is not None else list(frame.columns)
    return frame[columns + [c for c in frame.columns if c not in columns]], n_total
