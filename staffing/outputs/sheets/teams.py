"""The Teams sheet: the staffing of ``teams:`` (:attr:`staffing.plan.Plan.teams`).

From the top: the agent-hours of the teams against each skill staffed alone and against
the pooled bound (the saving and the distance, in agent-hours and per cent); per team skill
the promised service level, ASA and abandonment beside its targets; then the heat map,
one row per local interval and one column per team of on-queue agents (a colour scale),
beside the same columns of FTE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from staffing.outputs.cells import Formats, Widths, write_frame
from staffing.outputs.layout import landscape

if TYPE_CHECKING:  # pragma: no cover
    from xlsxwriter.worksheet import Worksheet

    from staffing.plan.teams import TeamPlan

__all__ = ["TEAMS_SHEET", "team_grid", "write_teams_sheet"]

#: The sheet's name.
TEAMS_SHEET = "Teams"

_SCALE = {
    "type": "3_color_scale",
    "min_color": "#FFFFFF",
    "mid_color": "#FFD966",
    "max_color": "#E06666",
}


def team_grid(teams: TeamPlan, column: str) -> pd.DataFrame:
    """One row per interval, one column per team, of ``column`` (``agents`` or ``fte``).

    Parameters
    ----------
    teams : TeamPlan
        The plan's teams.
    column : str
        A column of :attr:`TeamPlan.intervals`.

    Returns
    -------
    DataFrame
        Index ``interval_start`` (local), columns the team names in config order.
    """
    grid = teams.intervals.pivot(index="interval_start", columns="team", values=column)
    grid.columns = [str(c) for c in grid.columns]
    return grid


def _totals_frame(teams: TeamPlan) -> pd.DataFrame:
    """The totals as a two-column table (what, value)."""
    t = teams.totals
    rows = [
        ("teams [agent-hours]", t["agent_hours"]),
        ("each skill alone [agent-hours]", t["alone_agent_hours"]),
        ("pooled bound [agent-hours]", t["pooled_agent_hours"]),
        ("saving against alone [agent-hours]", t["saving_agent_hours"]),
        ("saving against alone [%]", t["saving_pct"]),
        ("distance to the pooled bound [agent-hours]", t["pooling_distance_agent_hours"]),
        ("distance to the pooled bound [%]", t["pooling_distance_pct"]),
    ]
    return pd.DataFrame(rows, columns=["what", "value"])


def write_teams_sheet(ws: Worksheet, teams: TeamPlan, timezone: str, formats: Formats) -> None:
    """The Teams sheet: totals, the per-skill figures and the team × interval heat map.

    Parameters
    ----------
    ws : Worksheet
        The Teams sheet.
    teams : TeamPlan
        The plan's teams.
    timezone : str
        IANA zone of the local times.
    formats : Formats
        The workbook's formats.
    """
    widths = Widths()
    landscape(ws)
    ws.write_string(0, 0, "Teams: agents who hold several skills", formats.title)
    ws.write_string(
        1,
        0,
        f"Staffed by {teams.totals['method']}. Each skill alone: today's staffing of the "
        "skill (the plan's other sheets); pooled bound: every agent of a group of linked "
        f"teams holding all its skills. Times are local to {timezone}. Rules: docs/models.md.",
        formats.note,
    )
    ws.write_string(3, 0, "Agent-hours", formats.section)
    row = write_frame(ws, _totals_frame(teams), 4, formats, widths, timezone) + 1
    ws.write_string(row, 0, "Per skill: what the team staffing promises", formats.section)
    row = write_frame(ws, teams.skills, row + 1, formats, widths, timezone) + 1
    ws.write_string(row, 0, "On-queue agents per interval and team, then FTE", formats.section)
    agents = team_grid(teams, "agents")
    fte = team_grid(teams, "fte").add_suffix(" FTE")
    grid = pd.concat([agents, fte], axis=1).reset_index()
    header = row + 1
    end = write_frame(ws, grid, header, formats, widths, timezone)
    n = agents.shape[1]
    if end > header + 1:
        ws.conditional_format(header + 1, 1, end - 1, n, _SCALE)
        ws.conditional_format(header + 1, n + 1, end - 1, 2 * n, _SCALE)
    ws.freeze_panes(header + 1, 1)
    widths.apply(ws)
