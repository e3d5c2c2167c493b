"""Shifts for teams: the templates that name a ``team:``, optimised against the team.

A template with ``team:`` serves its team's skills (``staffing.config.teams``); the
templates of one team form its group. The group's requirement is the team's staffing
(:attr:`staffing.plan.Plan.teams`): on-queue agents ``agents_t`` and heads at work
``fte_t`` = agents / (1 − the team's shrinkage), not the sum of its skills staffed alone.
The optimiser (:func:`staffing.shifts.optimise.optimise_group`) covers ``fte_t`` at the
fewest paid hours; a head at work is on queue 1 − shrinkage of the time.

Coverage per team and interval: ``required`` = the team's agents, ``scheduled`` = heads ×
(1 − shrinkage), the gap, ``volume`` = its skills' volume (a skill shared by m teams counts
1/m in each). The service a team's schedule achieves depends on the other teams sharing
its skills: with a simulated staffing (``Plan.teams.inputs``) the schedule's on-queue
agents of every team are simulated together (the teams engine) and each team's row gets
its skills' service level and abandonment, volume-weighted, and ASA weighted by answered
volume; otherwise those columns are NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from staffing.config import ShiftTemplate
from staffing.errors import DataError
from staffing.forecast import hour_of_week
from staffing.plan import Plan
from staffing.shifts.optimise import Horizon, optimise_group
from staffing.shifts.parts import GroupPart, group_row

__all__ = ["SERVICE_REPLICATIONS", "team_groups"]

#: Replications of the simulation of a team schedule [-].
SERVICE_REPLICATIONS = 10


def _team_rows(plan: Plan, name: str) -> pd.DataFrame:
    """The team's rows of ``Plan.teams.intervals`` (a DataError if the plan has none)."""
    teams = plan.teams
    rows = None if teams is None else teams.intervals[teams.intervals["team"] == name]
    if rows is None or rows.empty:
        raise DataError(
            f"shift templates name team {name!r}, and the plan has no staffing for it "
            "(none of its skills is planned)"
        )
    return rows


def _team_volume(plan: Plan, name: str) -> np.ndarray:
    """The team's skills' volume per interval, a shared skill split evenly over its teams."""
    config = plan.config
    held: dict[int, int] = {}
    for team in config.resolved_teams:
        for skill_id in team.skill_ids:
            held[skill_id] = held.get(skill_id, 0) + 1
    mine = next(t for t in config.resolved_teams if t.name == name)
    iv = plan.intervals
    volume = 0.0
    for skill_id in mine.skill_ids:
        part = iv.loc[iv["skill_id"] == skill_id, "volume"].to_numpy(float)
        if part.size:
            volume = volume + part / held[skill_id]
    return np.asarray(volume, dtype=float)


def _service(plan: Plan, on_queue: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """Per team with templates: its skills' service under the schedule, by simulation."""
    teams = plan.teams
    if teams is None or teams.inputs is None:
        return {}
    from staffing.simulation.teams import run_teams

    inputs = teams.inputs
    agents = np.array(inputs.agents, dtype=np.int64)
    for r, name in enumerate(inputs.team_names):
        if name in on_queue:
            agents[r] = np.floor(on_queue[name] + 1e-9)
    run = run_teams(inputs.with_agents(agents), SERVICE_REPLICATIONS, seed=0)
    iv = run.intervals
    out = {}
    for r, name in enumerate(inputs.team_names):
        if name not in on_queue:
            continue
        ids = [inputs.skill_ids[s] for s in np.flatnonzero(inputs.membership[:, r])]
        part = iv[iv["skill_id"].isin(ids)]
        out[name] = _weighted(part, len(inputs.interval_start))
    return out


def _weighted(part: pd.DataFrame, n_t: int) -> dict[str, np.ndarray]:
    """Volume-weighted service level and abandonment, ASA by answered volume, per interval."""
    volume = part["volume"].to_numpy(float).reshape(-1, n_t)
    out = {}
    answered = volume * (1 - np.nan_to_num(part["p_abandon_sim"].to_numpy(float).reshape(-1, n_t)))
    for name, weights in (
        ("service_level", volume),
        ("p_abandon", volume),
        ("asa_s", answered),
    ):
        values = part[f"{name}_sim"].to_numpy(float).reshape(-1, n_t)
        w = np.where(np.isfinite(values), weights, 0.0)
        total = w.sum(axis=0)
        with np.errstate(invalid="ignore"):
            out[name] = np.where(total > 0, (np.nan_to_num(values) * w).sum(axis=0) / total, np.nan)
    return out


def team_groups(
    plan: Plan,
    templates: list[ShiftTemplate],
    horizon: Horizon,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
) -> list[GroupPart]:
    """One optimised group per team named by ``templates``, in order of first template.

    Parameters
    ----------
    plan : Plan
        The plan (with ``teams``).
    templates : list of ShiftTemplate
        The templates with ``team:``.
    horizon : Horizon
        The plan's dates and grid.
    time_limit_s, mip_rel_gap : float
        HiGHS time budget per group [s] and relative gap [-].

    Returns
    -------
    list of GroupPart
        One per team; its coverage has the schedule's columns, its ``skill_coverage`` is
        empty (a team's heads serve its skills together).

    Raises
    ------
    DataError
        A team the plan has no staffing for.
    """
    names = list(dict.fromkeys(str(t.team) for t in templates))
    solved: dict[str, Any] = {}
    on_queue: dict[str, np.ndarray] = {}
    for name in names:
        rows = _team_rows(plan, name)
        mine = [t for t in templates if t.team == name]
        fte = rows["fte"].to_numpy(float)
        solution, shift_rows = optimise_group(
            mine, fte, horizon, name, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap
        )
        agents = rows["agents"].to_numpy(float)
        on_share = np.where(fte > 0, agents / np.where(fte > 0, fte, 1.0), 0.0)
        shrink = next(t for t in plan.config.resolved_teams if t.name == name).shrinkage
        how = hour_of_week(pd.DatetimeIndex(rows["interval_start"]))
        on_share = np.where(fte > 0, on_share, 1.0 - shrink.hour_of_week()[how])
        on_queue[name] = solution.working * on_share
        solved[name] = (rows, mine, solution, shift_rows)
    service = _service(plan, on_queue)
    parts = []
    hours = plan.interval_minutes / 60.0
    for name in names:
        rows, mine, solution, shift_rows = solved[name]
        cov = _coverage(plan, name, rows, solution, on_queue[name], service.get(name))
        members = list(next(t for t in plan.config.resolved_teams if t.name == name).skill_ids)
        row = group_row(members, name, "optimised", mine, solution, cov, hours)
        parts.append(GroupPart(name, solution, shift_rows, cov, [], row))
    return parts


def _coverage(
    plan: Plan,
    name: str,
    rows: pd.DataFrame,
    solution: Any,
    on_queue: np.ndarray,
    service: dict[str, np.ndarray] | None,
) -> pd.DataFrame:
    """The team group's coverage rows (the schedule's coverage columns and ``reason``)."""
    agents = rows["agents"].to_numpy(float)
    gap = on_queue - agents
    n_t = len(rows)
    nan = np.full(n_t, np.nan)
    service = service or {}
    reasons = np.full(n_t, "max_heads or min_heads limits", dtype=object)
    reasons[solution.uncoverable] = "no shift template covers this interval"
    return pd.DataFrame(
        {
            "skill_group": name,
            "interval_start": pd.DatetimeIndex(rows["interval_start"]),
            "volume": _team_volume(plan, name),
            "required": agents,
            "scheduled": on_queue,
            "gap": gap,
            "required_heads": rows["fte"].to_numpy(float),
            "heads": solution.working,
            "service_level": service.get("service_level", nan),
            "asa_s": service.get("asa_s", nan),
            "p_abandon": service.get("p_abandon", nan),
            "occupancy": nan,
            "understaffed": gap < -1e-6,
            "reason": reasons,
        }
    )
