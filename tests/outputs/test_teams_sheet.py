"""The Teams sheet, read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import staffing
from staffing.outputs import write_workbook
from staffing.outputs.sheets.teams import TEAMS_SHEET, team_grid
from tests.conftest import per_module

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope=per_module)
def teams_plan():
    config = staffing.load_config(
        ROOT / "config" / "example-teams.yaml", overrides={"plan": {"weeks": 1}}
    )
    return staffing.plan(config, teams={"replications": 10})


def _rows(ws) -> list[list]:
    return [[v for v in row] for row in ws.iter_rows(values_only=True)]


def test_the_teams_sheet_shows_totals_skills_and_the_heat_map(teams_plan, tmp_path):
    path = tmp_path / "teams.xlsx"
    write_workbook(teams_plan, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.index(TEAMS_SHEET) == book.sheetnames.index("Weekly") + 1
    rows = _rows(book[TEAMS_SHEET])
    by_label = {row[0]: row[1] for row in rows if isinstance(row[0], str)}
    totals = teams_plan.teams.totals
    assert by_label["teams [agent-hours]"] == pytest.approx(totals["agent_hours"])
    assert by_label["saving against alone [%]"] == pytest.approx(totals["saving_pct"])
    skill_ids = [row[0] for row in rows if row[0] in {2001, 2002, 1001, 3001, 3002}]
    assert skill_ids == teams_plan.teams.skills["skill_id"].tolist()
    header = next(i for i, row in enumerate(rows) if row[1] == "Messaging")
    assert rows[header][1:4] == ["Messaging", "Voice Sales", "Voice Service"]
    grid = team_grid(teams_plan.teams, "agents")
    written = [row[1:4] for row in rows[header + 1 : header + 1 + len(grid)]]
    assert written == grid.to_numpy().tolist()
    assert book[TEAMS_SHEET].conditional_formatting  # the heat map's colour scale


def test_a_plan_without_teams_has_no_teams_sheet(tmp_path):
    config = ROOT / "config" / "example.yaml"
    plan = staffing.plan(config)
    path = tmp_path / "plain.xlsx"
    write_workbook(plan, path)
    assert TEAMS_SHEET not in openpyxl.load_workbook(path, read_only=True).sheetnames
