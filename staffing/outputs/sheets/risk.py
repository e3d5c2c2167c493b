"""The Risk sheet: the cost of confidence (``Plan.risk``), a table and a chart.

Per day- or week-scope skill with a forecast error, the agent-hours and FTE per week of the
plan staffed so that each day (week) meets its targets with probability 0.5, 0.8, 0.9,
0.95 and 0.99, the probability reached, and the agent-hours a flat volume buffer (every
interval staffed for its own targets at forecast × uplift) needs to reach the same
probability. The chart draws both against the confidence, one pair of lines per skill.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from staffing.outputs.cells import Formats, Widths, write_frame
from staffing.outputs.layout import landscape
from staffing.outputs.view import PlanView

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter import Workbook
    from xlsxwriter.worksheet import Worksheet

__all__ = ["RISK_SHEET", "write_risk"]

#: The sheet's name.
RISK_SHEET = "Risk"
#: Row of the table's header (title and two notes above it).
_HEADER = 4


def write_risk(workbook: Workbook, ws: Worksheet, view: PlanView, formats: Formats) -> None:
    """Write the cost-of-confidence table and its chart (nothing without ``view.risk``).

    Parameters
    ----------
    workbook : Workbook
        The workbook (for the chart).
    ws : Worksheet
        The Risk sheet.
    view : PlanView
        The plan; ``view.risk`` is the table.
    formats : Formats
        The workbook's formats.
    """
    risk = view.risk
    widths = Widths()
    landscape(ws)
    ws.write_string(0, 0, f"The cost of confidence in plan {view.name}", formats.title)
    ws.write_string(
        1,
        0,
        "Confidence: the probability, with the forecast's day-level error (Plan.uncertainty),"
        " that every day (week) meets its targets; the plan is staffed for the volume times"
        " the multiplier at that quantile, at the fewest FTE-hours.",
        formats.note,
    )
    ws.write_string(
        2,
        0,
        "Flat buffer: every interval staffed for its own targets at forecast x the uplift,"
        " the smallest uplift reaching the same probability. Agent hours over the plan.",
        formats.note,
    )
    if risk is None or risk.empty:
        ws.write_string(_HEADER, 0, "No day- or week-scope skill with a forecast error.")
        return
    write_frame(ws, risk, _HEADER, formats, widths, view.timezone)
    ws.freeze_panes(_HEADER + 1, 0)
    widths.apply(ws)
    _chart(workbook, ws, risk.reset_index(drop=True))


def _chart(workbook: Workbook, ws: Worksheet, risk: pd.DataFrame) -> None:
    """Agent-hours against confidence: confidence staffing and flat buffer, per skill."""
    chart = workbook.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    column = risk.columns.get_loc
    x = column("confidence")
    for (_, name), rows in risk.groupby(["skill_id", "skill_name"], sort=False).groups.items():
        first, last = _HEADER + 1 + int(min(rows)), _HEADER + 1 + int(max(rows))
        for key, label, dash in (
            ("agent_hours", "confidence", "solid"),
            ("buffer_agent_hours", "flat buffer", "dash"),
        ):
            chart.add_series(
                {
                    "name": f"{name}: {label}",
                    "categories": [RISK_SHEET, first, x, last, x],
                    "values": [RISK_SHEET, first, column(key), last, column(key)],
                    "line": {"width": 1.5, "dash_type": dash},
                }
            )
    chart.set_title({"name": "Agent hours by confidence", "name_font": {"size": 11}})
    chart.set_x_axis({"name": "Confidence", "num_format": "0%", "min": 0.5, "max": 1.0})
    chart.set_y_axis({"name": "Agent hours", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 360})
    ws.insert_chart(_HEADER + 2 + len(risk), 0, chart, {"object_position": 3})
