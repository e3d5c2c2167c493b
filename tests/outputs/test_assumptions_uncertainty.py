"""The Assumptions sheet lists the forecast uncertainty the plan assumes (Plan.uncertainty)."""

from __future__ import annotations

import openpyxl
import pandas as pd

from staffing.outputs import write_workbook
from tests.outputs.test_workbook import make_plan

HEADING = "Forecast uncertainty (day-level CV of each skill's volume)"


def _uncertainty() -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "daily_cv": [0.0687, 0.1],
            "source": ["backtest, 26 weekly origins", "default 0.10 (4 origins)"],
            "origins": [26, 0],
        },
        index=pd.Index([101, 202], name="skill_id"),
    )
    table.attrs["correlation"] = 0.35
    return table


def _rows(path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)["Assumptions"]
    return [row for row in ws.iter_rows(values_only=True) if any(c is not None for c in row)]


def test_each_skill_s_cv_its_source_and_the_correlation_are_read_back(tmp_path):
    plan = make_plan([(101, "Sales"), (202, "Billing")], days=7)
    plan.uncertainty = _uncertainty()
    rows = _rows(write_workbook(plan, tmp_path / "u.xlsx"))
    at = next(i for i, row in enumerate(rows) if row[0] == HEADING)
    assert rows[at + 1][:2] == ("correlation between skills", 0.35)
    header = list(rows[at + 2])
    assert header[:5] == [
        "Skill ID",
        "Skill",
        "Day-level CV of the volume",
        "Source",
        "Backtest origins (weeks)",
    ]
    assert rows[at + 3][:5] == (101, "Sales", 0.0687, "backtest, 26 weekly origins", 26)
    assert rows[at + 4][:5] == (202, "Billing", 0.1, "default 0.10 (4 origins)", 0)
    ws = openpyxl.load_workbook(tmp_path / "u.xlsx")["Assumptions"]
    cv_cell = next(r[2] for r in ws.iter_rows() if r[0].value == 101 and r[2].value == 0.0687)
    assert "%" in cv_cell.number_format  # a share shown as a percentage


def test_none_says_the_forecast_is_taken_as_exact(tmp_path):
    plan = make_plan([(101, "Sales")], days=7)
    plan.uncertainty = None
    rows = _rows(write_workbook(plan, tmp_path / "n.xlsx"))
    at = next(i for i, row in enumerate(rows) if row[0] == HEADING)
    assert rows[at + 1][0].startswith("none: volume.uncertainty is none")
