"""The Risk sheet written alone from a small cost-of-confidence table, read back.

Rules protected: the Risk sheet shows ``Plan.risk`` cell for cell under its title and the
two notes that say what confidence and the flat buffer mean; a plan without the table says
so in one line; the chart draws, per skill, the agent-hours of confidence staffing (solid)
and of the flat buffer (dashed) against the confidence over exactly that skill's rows of
the table, on a 50-100 % axis, below the table. The expected rows and cell references are
counted here by hand from the table's layout (title, two notes, a blank row, the header on
row 5).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from staffing.outputs.sheets.risk import RISK_SHEET, write_risk
from staffing.outputs.view import PlanView
from tests.outputs.sheet_reading import assert_look, cell_rows, column_widths, one_sheet

TZ = "Europe/Berlin"
TITLE = "The cost of confidence in plan small"
CONFIDENCE_NOTE = (
    "Confidence: the probability, with the forecast's day-level error (Plan.uncertainty),"
    " that every day (week) meets its targets; the plan is staffed for the volume times"
    " the multiplier at that quantile, at the fewest FTE-hours."
)
BUFFER_NOTE = (
    "Flat buffer: every interval staffed for its own targets at forecast x the uplift,"
    " the smallest uplift reaching the same probability. Agent hours over the plan."
)
LABELS = [
    "Skill ID",
    "Skill",
    "Scope",
    "Day-level CV of the volume",
    "Confidence",
    "Volume multiplier staffed for",
    "Agent hours",
    "FTE per week",
    "P(day meets its targets), lowest day",
    "Flat buffer: volume x",
    "Flat buffer: agent hours",
    "Flat buffer: FTE per week",
]


def _risk() -> pd.DataFrame:
    """Two skills: Voice (id 9) at three confidence levels, then Chat (id 7) at two: the
    table's order, not the ids', is the chart's (made-up figures)."""
    rows = []
    for sid, name, levels in ((9, "Voice", (0.5, 0.8, 0.9)), (7, "Chat", (0.5, 0.95))):
        for k, level in enumerate(levels):
            rows.append(
                {
                    "skill_id": sid,
                    "skill_name": name,
                    "scope": "day",
                    "daily_cv": 0.08,
                    "confidence": level,
                    "multiplier": 1.0 + 0.05 * k,
                    "agent_hours": 400.0 + 10 * k + sid,
                    "fte_per_week": 12.5 + k,
                    "probability": level + 0.01,
                    "buffer_uplift": 1.0 + 0.07 * k,
                    "buffer_agent_hours": 410.0 + 15 * k + sid,
                    "buffer_fte_per_week": 13.0 + k,
                }
            )
    return pd.DataFrame(rows)


def _view(risk: pd.DataFrame | None) -> PlanView:
    intervals = pd.DataFrame({"interval_start": pd.DatetimeIndex([], tz=TZ)})
    return PlanView(name="small", timezone=TZ, interval_minutes=60, intervals=intervals, risk=risk)


def _write(tmp_path, risk):
    return one_sheet(
        tmp_path, RISK_SHEET, lambda wb, ws, formats: write_risk(wb, ws, _view(risk), formats)
    )


def test_the_risk_table_sits_below_the_title_and_notes_cell_for_cell(tmp_path):
    risk = _risk()
    ws, _ = _write(tmp_path, risk)
    rows = cell_rows(ws)
    assert rows[0][0] == TITLE and rows[1][0] == CONFIDENCE_NOTE and rows[2][0] == BUFFER_NOTE
    assert_look(ws["A1"], "title")
    assert_look(ws["A2"], "note")
    assert_look(ws["A3"], "note")
    assert all(v is None for v in rows[3])  # a blank row above the header
    assert rows[4] == LABELS
    body = rows[5 : 5 + len(risk)]
    assert [r[0] for r in body] == risk["skill_id"].tolist()
    assert [r[6] for r in body] == pytest.approx(risk["agent_hours"].tolist())
    assert [r[10] for r in body] == pytest.approx(risk["buffer_agent_hours"].tolist())
    assert len(rows) == 5 + len(risk)  # nothing written below the table
    assert ws.freeze_panes == "A6"  # the header stays in view
    assert ws.page_setup.orientation == "landscape"
    # every column as wide as its header + 2 (the labels are wider than the figures)
    widths = column_widths(ws)
    assert [widths[col] for col in range(1, len(LABELS) + 1)] == pytest.approx(
        [len(label) + 2 for label in LABELS], abs=0.72
    )  # xlsxwriter stores a width of w characters as w + 0.71


@pytest.mark.parametrize("risk", [None, _risk().iloc[:0]], ids=["none", "empty"])
def test_without_a_risk_table_the_sheet_says_so(tmp_path, risk):
    ws, parts = _write(tmp_path, risk)
    rows = cell_rows(ws)
    assert [r[0] for r in rows] == [
        TITLE,
        CONFIDENCE_NOTE,
        BUFFER_NOTE,
        None,
        "No day- or week-scope skill with a forecast error.",
    ]
    assert ws.freeze_panes is None
    assert not [n for n in parts if "charts/chart" in n]


def _series(chart: str) -> list[tuple[str, str, str, str, str]]:
    """Per series: name, x and y references, line width (EMU) and dash."""
    out = []
    for ser in re.findall(r"<c:ser>(.*?)</c:ser>", chart, flags=re.S):
        name = re.search(r"<c:tx>.*?<c:v>(.*?)</c:v>", ser, flags=re.S).group(1)
        x = re.search(r"<c:xVal>.*?<c:f>(.*?)</c:f>", ser, flags=re.S).group(1)
        y = re.search(r"<c:yVal>.*?<c:f>(.*?)</c:f>", ser, flags=re.S).group(1)
        width = re.search(r'<a:ln w="(\d+)"', ser).group(1)
        dash = re.search(r'<a:prstDash val="(\w+)"', ser).group(1)
        out.append((name, x, y, width, dash))
    return out


def test_the_chart_draws_each_skill_s_own_rows_both_ways(tmp_path):
    _ws, parts = _write(tmp_path, _risk())
    charts = [text for name, text in parts.items() if "charts/chart" in name]
    assert len(charts) == 1
    chart = charts[0]
    assert '<c:scatterStyle val="lineMarker"/>' in chart  # straight lines with markers
    # Voice on table rows 6-8, Chat on 9-10; confidence in E, agent hours G, buffer K;
    # 1.5 pt lines = 19050 EMU
    assert _series(chart) == [
        ("Voice: confidence", "Risk!$E$6:$E$8", "Risk!$G$6:$G$8", "19050", "solid"),
        ("Voice: flat buffer", "Risk!$E$6:$E$8", "Risk!$K$6:$K$8", "19050", "dash"),
        ("Chat: confidence", "Risk!$E$9:$E$10", "Risk!$G$9:$G$10", "19050", "solid"),
        ("Chat: flat buffer", "Risk!$E$9:$E$10", "Risk!$K$9:$K$10", "19050", "dash"),
    ]
    titles = re.findall(r"<a:t>(.*?)</a:t>", chart)
    assert titles == ["Agent hours by confidence", "Confidence", "Agent hours"]
    assert '<a:defRPr sz="1100"' in chart.split("<c:autoTitleDeleted")[0]  # 11 pt title
    # the confidence axis runs from 50 % to 100 % in per cent, agent hours with gridlines
    assert '<c:max val="1.0"/>' in chart and '<c:min val="0.5"/>' in chart
    assert 'formatCode="0%"' in chart
    assert chart.count("<c:majorGridlines/>") == 1
    assert '<c:legendPos val="b"/>' in chart
    drawing = next(text for name, text in parts.items() if "drawings/drawing" in name)
    # anchored absolutely at A12, two rows below the table (0-based row 4 + 2 + 5 = 11),
    # 720 x 360 px: 18 rows of 20 px down; across, columns A-F are 10, 7, 7, 28, 12 and 31
    # characters wide, int(7 w + 0.5) + 5 px each (xlsxwriter's column arithmetic) = 695 px,
    # and the last 25 px fall in G (25 x 9525 EMU)
    assert '<xdr:twoCellAnchor editAs="absolute">' in drawing
    start = re.search(r"<xdr:from>(.*?)</xdr:from>", drawing).group(1)
    end = re.search(r"<xdr:to>(.*?)</xdr:to>", drawing).group(1)
    assert re.findall(r"<xdr:(?:col|row)>(\d+)<", start) == ["0", "11"]
    px = sum(int(7 * w + 0.5) + 5 for w in (10, 7, 7, 28, 12, 31))
    assert px == 695
    assert end == (
        f"<xdr:col>6</xdr:col><xdr:colOff>{(720 - px) * 9525}</xdr:colOff>"
        "<xdr:row>29</xdr:row><xdr:rowOff>0</xdr:rowOff>"
    )


def test_a_plan_s_risk_table_reaches_the_workbook(tmp_path):
    """Rule: ``Plan.risk`` is carried to the workbook: ``write_workbook`` on a plan with a
    risk table writes the Risk sheet with every row of it (Voice at three levels, Chat at
    two), and a plan without one gets no Risk sheet."""
    import openpyxl

    from staffing.outputs import write_workbook
    from tests.outputs.test_workbook import make_plan

    plan = make_plan([(9, "Voice"), (7, "Chat")])
    plain = openpyxl.load_workbook(write_workbook(plan, tmp_path / "plain.xlsx"))
    assert RISK_SHEET not in plain.sheetnames
    plan.risk = _risk()
    book = openpyxl.load_workbook(write_workbook(plan, tmp_path / "risk.xlsx"))
    column_a = [row[0] for row in cell_rows(book[RISK_SHEET])]
    assert column_a.count(9) == 3 and column_a.count(7) == 2
