"""The Teams sheet written alone from a small hand-made TeamPlan, read back cell for cell.

Rules protected: the Teams sheet says how the teams were staffed and in which time zone;
its totals table names each figure with its unit and shows ``TeamPlan.totals`` in that
order; the per-skill table is ``TeamPlan.skills``; the heat map has one row per local
interval, the teams' on-queue agents first and then their FTE (columns ``<team> FTE``),
each block under its own colour scale; the interval column and the header stay in view.
Every expected row and range below is counted by hand from that layout.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from staffing.outputs.sheets.teams import TEAMS_SHEET, team_grid, write_teams_sheet
from staffing.plan.teams import TeamPlan
from tests.outputs.sheet_reading import assert_look, cell_rows, column_widths, one_sheet

TZ = "America/New_York"
TEAMS = ["Sales", "Service"]


def _teams() -> TeamPlan:
    starts = pd.date_range("2026-05-04 09:00", periods=3, freq="60min", tz=TZ)
    intervals = pd.DataFrame(
        {
            "team": [t for t in TEAMS for _ in starts],
            "interval_start": list(starts) * 2,
            "agents": [3, 4, 5, 1, 2, 6],
            "alone_agents": [3.5, 4.5, 5.5, 1.5, 2.5, 6.5],
            "fte": [3 / 0.7, 4 / 0.7, 5 / 0.7, 1 / 0.8, 2 / 0.8, 6 / 0.8],
            "fte_hours": [3 / 0.7, 4 / 0.7, 5 / 0.7, 1 / 0.8, 2 / 0.8, 6 / 0.8],
            "occupancy": [0.8] * 6,
        }
    )
    skills = pd.DataFrame(
        {
            "skill_id": [11, 12],
            "skill_name": ["Voice", "Chat"],
            "teams": ["Sales", "Sales, Service"],
            "method": ["erlang_a", "erlang_a"],
            "volume": [120.0, 80.0],
            "service_level": [0.83, 0.91],
            "service_level_target": [0.8, 0.8],
            "asa_s": [12.0, 7.0],
            "asa_target_s": [30.0, 30.0],
            "p_abandon": [0.02, 0.01],
            "max_abandon": [0.05, 0.05],
            "meets_targets": [True, True],
            "figures_from": ["one queue of the team", "the skill alone"],
        }
    )
    totals = {
        "agent_hours": 21.0,
        "alone_agent_hours": 24.0,
        "pooled_agent_hours": 19.0,
        "saving_agent_hours": 3.0,
        "saving_pct": 12.5,
        "pooling_distance_agent_hours": 2.0,
        "pooling_distance_pct": 10.5,
        "components": 1,
        "method": "simulation search (test)",
    }
    return TeamPlan(
        intervals=intervals, skills=skills, skill_intervals=pd.DataFrame(), totals=totals
    )


@pytest.fixture
def written(tmp_path):
    # written anew for every test: the mutation job runs a test only for the functions
    # called while that test (not another test's module fixture) ran
    teams = _teams()
    ws, parts = one_sheet(
        tmp_path,
        TEAMS_SHEET,
        lambda wb, ws, formats: write_teams_sheet(ws, teams, TZ, formats),
    )
    return teams, ws, cell_rows(ws), parts


def test_the_title_and_the_note_say_how_and_where(written):
    _, ws, rows, _ = written
    assert rows[0][0] == "Teams: agents who hold several skills"
    assert rows[1][0] == (
        "Staffed by simulation search (test). Each skill alone: today's staffing of the "
        "skill (the plan's other sheets); pooled bound: every agent of a group of linked "
        f"teams holding all its skills. Times are local to {TZ}. Rules: docs/models.md."
    )
    assert rows[2][0] is None and rows[3][0] == "Agent-hours"
    for cell, look in (("A1", "title"), ("A2", "note"), ("A4", "section")):
        assert_look(ws[cell], look)
    assert_look(ws["A14"], "section")  # the skills' section
    assert_look(ws["A19"], "section")  # the heat map's


def test_the_totals_name_each_figure_in_order(written):
    _, ws, rows, _ = written
    assert rows[4][:2] == ["what", "value"]
    got = [tuple(r[:2]) for r in rows[5:12]]
    assert got == [
        ("teams [agent-hours]", 21.0),
        ("each skill alone [agent-hours]", 24.0),
        ("pooled bound [agent-hours]", 19.0),
        ("saving against alone [agent-hours]", 3.0),
        ("saving against alone [%]", 12.5),
        ("distance to the pooled bound [agent-hours]", 2.0),
        ("distance to the pooled bound [%]", 10.5),
    ]
    assert all(v is None for v in rows[12])
    # column A as wide as its longest label, "distance to the pooled bound [agent-hours]"
    # (42 characters), + 2
    assert column_widths(ws)[1] == pytest.approx(42 + 2 + 0.71, abs=0.01)


def test_the_skills_table_follows_the_totals(written):
    teams, _, rows, _ = written
    assert rows[13][0] == "Per skill: what the team staffing promises"
    assert [r[0] for r in rows[15:17]] == teams.skills["skill_id"].tolist()
    assert [r[1] for r in rows[15:17]] == ["Voice", "Chat"]
    assert all(v is None for v in rows[17])


def test_the_heat_map_is_agents_then_fte_per_interval_and_team(written):
    _, ws, rows, _ = written
    assert rows[18][0] == "On-queue agents per interval and team, then FTE"
    header = rows[19]
    assert header[1:5] == ["Sales", "Service", "Sales FTE", "Service FTE"]
    body = rows[20:23]
    assert [r[0] for r in body] == [dt.datetime(2026, 5, 4, h) for h in (9, 10, 11)]
    assert [r[1:3] for r in body] == [[3, 1], [4, 2], [5, 6]]
    assert [v for r in body for v in r[3:5]] == pytest.approx(
        [3 / 0.7, 1 / 0.8, 4 / 0.7, 2 / 0.8, 5 / 0.7, 6 / 0.8]
    )
    assert len(rows) == 23  # nothing below the map
    # the two colour scales: agents B21:C23, FTE D21:E23 (header on row 20)
    ranges = sorted(str(r.sqref) for r in ws.conditional_formatting)
    assert ranges == ["B21:C23", "D21:E23"]
    for rule_range in ws.conditional_formatting:
        (rule,) = rule_range.rules
        assert rule.type == "colorScale"
        colours = [c.rgb for c in rule.colorScale.color]
        assert colours == ["FFFFFFFF", "FFFFD966", "FFE06666"]
    assert ws.freeze_panes == "B21"  # the time column and the map's header stay in view
    assert ws.page_setup.orientation == "landscape"


def test_team_grid_is_one_column_per_team_named_as_text(written):
    teams, *_ = written
    grid = team_grid(teams, "fte")
    assert list(grid.columns) == TEAMS
    assert all(isinstance(c, str) for c in grid.columns)
    assert grid.loc[grid.index[2], "Service"] == pytest.approx(6 / 0.8)


def test_no_intervals_no_colour_scale(tmp_path):
    """Without interval rows the heat map is its header alone, and no colour scale is set
    over the header or the empty rows below it."""
    teams = _teams()
    empty = TeamPlan(
        intervals=teams.intervals.iloc[:0],
        skills=teams.skills,
        skill_intervals=teams.skill_intervals,
        totals=teams.totals,
    )
    ws, _ = one_sheet(
        tmp_path, TEAMS_SHEET, lambda wb, ws, formats: write_teams_sheet(ws, empty, TZ, formats)
    )
    rows = cell_rows(ws)
    assert rows[-1][0] == f"Interval start ({TZ})"
    assert list(ws.conditional_formatting) == []
    assert ws.freeze_panes == "B21"


def test_one_interval_gets_its_colour_scales(tmp_path):
    teams = _teams()
    first = teams.intervals["interval_start"].min()
    one = TeamPlan(
        intervals=teams.intervals[teams.intervals["interval_start"] == first],
        skills=teams.skills,
        skill_intervals=teams.skill_intervals,
        totals=teams.totals,
    )
    ws, _ = one_sheet(
        tmp_path, TEAMS_SHEET, lambda wb, ws, formats: write_teams_sheet(ws, one, TZ, formats)
    )
    assert sorted(str(r.sqref) for r in ws.conditional_formatting) == ["B21:C21", "D21:E21"]
