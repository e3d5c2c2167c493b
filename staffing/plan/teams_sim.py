"""The teams staffed by simulation: the plan's teams as a TeamsInput, and the search.

:func:`teams_input` builds the engine's input (:class:`staffing.simulation.teams_inputs.
TeamsInput`) from the team skills' arrays; :func:`search_staffing` calls
:func:`staffing.teams_search.staff_teams` from the bounds of :mod:`staffing.teams_bounds`
(``lower``: the pooled bound for a component of one team, the teams' ``min_agents``
otherwise; ``upper``: the separate bound split to the teams; ``pooled_total``: each
component's pooled bound, a cut on its teams' sum) and reads the simulated figures back.
The simulation is imported inside the functions, so ``import staffing`` stays free of
numba and Dask (docs/architecture.md, rule 2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from staffing import calendar
from staffing.config.teams import ResolvedTeam
from staffing.plan.team_arrays import Staffed, TeamsData, TeamSkills, components

if TYPE_CHECKING:  # pragma: no cover
    from staffing.simulation.teams_inputs import TeamsInput

__all__ = ["SIMULATION", "search_staffing", "teams_input"]

#: Where a skill's promised figures come from when the teams are staffed by simulation.
SIMULATION = "simulation"
#: The simulated columns read back into a skill's figures, by figure name.
_SIMULATED = {
    "service_level": "service_level_sim",
    "asa_s": "asa_s_sim",
    "p_abandon": "p_abandon_sim",
}


def teams_input(data: TeamsData, sk: TeamSkills, teams: list[ResolvedTeam]) -> TeamsInput:
    """The teams simulation's input of the plan's teams (agents None: to be searched).

    Parameters
    ----------
    data : TeamsData
        The plan's arrays (grid, interval length, first day).
    sk : TeamSkills
        The team skills' arrays and membership.
    teams : list of ResolvedTeam
        The teams, in the order of ``sk.membership``'s columns.

    Returns
    -------
    TeamsInput
    """
    from datetime import timedelta

    from staffing.simulation.teams_inputs import TeamsInput

    day, days = calendar.day_codes(data.grid)
    week = calendar.week_codes(data.grid, data.start)
    week_start = tuple(data.start + timedelta(weeks=w) for w in range(int(week.max()) + 1))
    skills = sk.skills
    return TeamsInput(
        skill_ids=tuple(s.skill_id for s in skills),
        skill_names=tuple(s.skill_name for s in skills),
        methods=tuple(s.method for s in skills),
        interval_start=data.grid,
        volume=sk.volume,
        handle_s=sk.handle,
        is_open=sk.volume > 0,
        interval_s=data.interval_s,
        answer_within_s=np.array([s.answer_within_s for s in skills]),
        patience_s=tuple(s.patience_s for s in skills),
        service_level_target=tuple(s.service_level_target for s in skills),
        asa_s=tuple(s.asa_s for s in skills),
        max_abandon=tuple(s.max_abandon for s in skills),
        team_names=tuple(t.name for t in teams),
        membership=sk.membership,
        max_concurrency=np.array([t.max_concurrency for t in teams]),
        agents=None,
        day=day,
        dates=days.date,
        week=week,
        week_start=week_start,
        min_agents=np.array([t.min_agents for t in teams]),
        priority=np.array([s.priority for s in skills]),
    )


def _bounds(
    sk: TeamSkills, teams: list[ResolvedTeam], staffed: Staffed, component_pooled: list
) -> tuple[np.ndarray, np.ndarray]:
    """``lower`` and ``pooled_total`` (R, T) of the search."""
    lower = np.zeros_like(staffed.agents)
    pooled_total = np.zeros_like(staffed.agents)
    for (_, team_pos), bound in zip(components(sk.membership), component_pooled, strict=True):
        for r in team_pos:
            busy = sk.volume[sk.membership[:, r]].sum(axis=0) > 0
            lower[r] = np.where(busy, teams[int(r)].min_agents, 0)
            pooled_total[r] = bound
        if team_pos.size == 1:
            lower[team_pos[0]] = np.maximum(lower[team_pos[0]], bound)
    return lower, pooled_total


def search_staffing(
    data: TeamsData,
    sk: TeamSkills,
    teams: list[ResolvedTeam],
    staffed: Staffed,
    component_pooled: list[np.ndarray],
    options: dict[str, Any],
) -> Staffed:
    """The teams staffed by the simulation-based search, with their simulated figures.

    Parameters
    ----------
    data : TeamsData
        The plan's arrays.
    sk : TeamSkills
        The team skills' arrays.
    teams : list of ResolvedTeam
        The teams.
    staffed : Staffed
        The analytic staffing (its ``alone`` is the search's upper bound).
    component_pooled : list of ndarray
        The pooled bound (T,) of each component, in :func:`components` order.
    options : dict
        Keyword arguments of :func:`staffing.teams_search.staff_teams` (``replications``,
        ``seed``, ``workers``, ``scheduler``, ...).

    Returns
    -------
    Staffed
        ``agents`` of the search; figures per skill and occupancy per team from the
        simulation of the final staffing; ``facts`` its sample and convergence.
    """
    from staffing.teams_search import staff_teams

    lower, pooled_total = _bounds(sk, teams, staffed, component_pooled)
    upper = np.maximum(staffed.alone, lower)
    inputs = teams_input(data, sk, teams)
    found = staff_teams(inputs, lower, upper, pooled_total=pooled_total, **options)
    run = found.run
    figures: dict[int, dict[str, np.ndarray]] = {}
    n_t = len(data.grid)
    for s, skill in enumerate(sk.skills):
        rows = run.intervals[run.intervals["skill_id"] == skill.skill_id]
        figures[s] = {name: rows[column].to_numpy(float) for name, column in _SIMULATED.items()}
        figures[s]["occupancy"] = np.full(n_t, np.nan)
        served = sk.volume[s] > 0
        for name in _SIMULATED:
            figures[s][name] = np.where(served, figures[s][name], np.nan)
    occupancy = np.stack(
        [
            run.teams.loc[
                run.teams["team_name"] == t.name,
                "slot_use_sim" if t.max_concurrency > 1 else "occupancy_sim",
            ].to_numpy(float)
            for t in teams
        ]
    )
    facts = {
        "method": (
            f"simulation-based cutting planes ({found.replications} replications, seed "
            f"{found.seed}, {found.iterations} rounds, {found.simulations} staffings simulated"
            f"{', proven for the sample' if found.proven else ', repaired'})"
        ),
        "met_in_simulation": bool(found.met),
        "replications": found.replications,
        "seed": found.seed,
        "weekly": run.weekly,
        "inputs": inputs.with_agents(found.agents),
    }
    return Staffed(
        agents=np.asarray(found.agents, np.int64),
        alone=staffed.alone,
        pooled=staffed.pooled,
        figures=figures,
        sources=dict.fromkeys(range(len(sk.skills)), SIMULATION),
        occupancy=occupancy,
        facts=facts,
    )
