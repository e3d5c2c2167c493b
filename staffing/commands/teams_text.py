"""The teams' lines of ``staffing plan``'s summary (:attr:`staffing.plan.Plan.teams`)."""

from __future__ import annotations

import argparse
import math
from typing import Any

from staffing.plan import Plan

__all__ = ["format_teams", "team_options"]


def team_options(args: argparse.Namespace) -> dict[str, Any]:
    """The teams' search options of ``--seed``, ``--workers`` and ``--scheduler``.

    Parameters
    ----------
    args : argparse.Namespace
        ``staffing plan``'s parsed options.

    Returns
    -------
    dict
        Keyword arguments of :func:`staffing.teams_search.staff_teams` that were given.
    """
    names = ("seed", "workers", "scheduler")
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _pct(value: object) -> str:
    """A share as a percentage, ``-`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{float(value):.1%}"  # type: ignore[arg-type]  # a number when not missing


def format_teams(result: Plan) -> str:
    """The teams of a plan as terminal lines ("" without teams).

    Parameters
    ----------
    result : staffing.plan.Plan
        A planning result.

    Returns
    -------
    str
        A heading with the agent-hours of the teams, each skill alone and the pooled bound
        (saving and distance in agent-hours and per cent), one line per team (agent-hours,
        peak agents, mean occupancy) and one per team skill (promised service level,
        abandonment and ASA against its targets).
    """
    teams = result.teams
    if teams is None:
        return ""
    t = teams.totals
    lines = [
        f"Teams ({t['method']}): {t['agent_hours']:,.0f} agent-hours; each skill alone "
        f"{t['alone_agent_hours']:,.0f} (saving {t['saving_agent_hours']:,.0f}, "
        f"{t['saving_pct']:.1f} %); pooled bound {t['pooled_agent_hours']:,.0f} (distance "
        f"{t['pooling_distance_agent_hours']:,.0f}, {t['pooling_distance_pct']:.1f} %)",
    ]
    hours = result.interval_minutes / 60.0
    for name, part in teams.intervals.groupby("team", sort=False, observed=True):
        busy = part["agents"] > 0
        occupancy = part.loc[busy, "occupancy"].mean() if busy.any() else math.nan
        lines.append(
            f"  team {name}: {part['agents'].sum() * hours:,.0f} agent-hours, peak "
            f"{int(part['agents'].max())} agents, occupancy {_pct(occupancy)}"
        )
    for r in teams.skills.itertuples(index=False):
        verdict = "meets its targets" if r.meets_targets else "MISSES a target"
        asa = "-" if math.isnan(r.asa_s) else f"{r.asa_s:.0f} s"
        lines.append(
            f"  skill {r.skill_id} {r.skill_name} ({r.teams}): SL {_pct(r.service_level)}, "
            f"abandon {_pct(r.p_abandon)}, ASA {asa}: {verdict} ({r.figures_from})"
        )
    return "\n".join(lines)
