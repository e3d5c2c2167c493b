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

__all__ = ["CHECK_ROUNDS", "CHECK_SEED_OFFSET", "SIMULATION", "search_staffing", "teams_input"]

#: Where a skill's promised figures come from when the teams are staffed by simulation.
SIMULATION = "simulation"
#: The independent check's seed is the search's seed plus this (a sample the search never saw).
CHECK_SEED_OFFSET = 10_007
#: Rounds of the check that may add agents (one more round only measures).
CHECK_ROUNDS = 3
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
    from staffing.simulation.engine import connect
    from staffing.teams_search import staff_teams

    lower, pooled_total = _bounds(sk, teams, staffed, component_pooled)
    upper = np.maximum(staffed.alone, lower)
    inputs = teams_input(data, sk, teams)
    options = dict(options)
    check = options.pop("check", True)
    # One Dask connection for the search and the check (a LocalCluster starts once).
    client, to_close, _ = connect(
        options.pop("client", None), options.pop("scheduler", None), options.pop("workers", None)
    )
    try:
        found = staff_teams(
            inputs, lower, upper, pooled_total=pooled_total, client=client, **options
        )
        agents, run, added, clean = np.asarray(found.agents, np.int64), found.run, -1, True
        if check:
            agents, run, added, clean = _checked(inputs, agents, client, options)
    finally:
        for item in to_close or ():
            item.close()
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
            + _check_text(found.seed, added)
        ),
        "met_in_simulation": bool(found.met) and clean,
        "replications": found.replications,
        "seed": found.seed,
        "check_seed": found.seed + CHECK_SEED_OFFSET if added >= 0 else None,
        "check_added_agent_intervals": max(added, 0),
        "weekly": run.weekly,
        "inputs": inputs.with_agents(agents),
    }
    return Staffed(
        agents=agents,
        alone=staffed.alone,
        pooled=staffed.pooled,
        figures=figures,
        sources=dict.fromkeys(range(len(sk.skills)), SIMULATION),
        occupancy=occupancy,
        facts=facts,
    )


def _check_text(seed: int, added: int) -> str:
    if added < 0:
        return "; not checked on an independent sample"
    return (
        f"; checked on an independent sample (seed {seed + CHECK_SEED_OFFSET}), "
        f"{added} agent-interval(s) added where a skill missed a target there"
    )


def _missed(inputs: TeamsInput, run: Any) -> np.ndarray:
    """(S, T): where a served skill's simulated mean misses one of its interval targets
    (:func:`staffing.simulation.tables.meets` on the means, the tables' own rule)."""
    from staffing.simulation.tables import meets

    missed = np.zeros((inputs.n_skills, inputs.n_intervals), bool)
    table = run.intervals
    for s, skill_id in enumerate(inputs.skill_ids):
        rows = table[table["skill_id"] == skill_id]
        means = {name: rows[column].to_numpy(float) for name, column in _SIMULATED.items()}
        served = (inputs.volume[s] > 0) & inputs.is_open[s]
        missed[s] = served & ~meets(means, inputs.targets(s))
    return missed


def _checked(
    inputs: TeamsInput, agents: np.ndarray, client: Any, options: dict[str, Any]
) -> tuple[np.ndarray, Any, int, bool]:
    """The search's staffing checked on a sample it never saw, agents added where it misses.

    A search on one sample of replications meets the targets on that sample, helped by its
    lucky draws (the optimism of sample-average optimisation). The check simulates the
    staffing on an independent sample (the seed plus :data:`CHECK_SEED_OFFSET`, as many
    replications) and, where a skill's mean misses an interval target, gives one agent to
    the team holding the skill that holds the fewest skills (its agents serve it most; the
    first in config order on a tie), for at most :data:`CHECK_ROUNDS` rounds. The figures
    the plan reports are those of the last check. Returns the agents, the last check's run,
    the agent-intervals added and whether that check found no miss.
    """
    from staffing.simulation.teams import run_teams

    held_skills = inputs.membership.sum(axis=0)  # skills each team holds
    seed = int(options.get("seed", 0)) + CHECK_SEED_OFFSET
    replications = int(options.get("replications", 20))
    at_close = options.get("at_close", "drain")
    agents, added = agents.copy(), 0
    for round_ in range(CHECK_ROUNDS + 1):
        staffed = inputs.with_agents(agents)
        run = run_teams(staffed, replications, seed, at_close=at_close, client=client)
        missed = _missed(staffed, run)
        if not missed.any() or round_ == CHECK_ROUNDS:
            break
        more = np.zeros_like(agents, bool)
        for s, t in zip(*np.nonzero(missed), strict=True):
            held = np.flatnonzero(inputs.membership[s])
            more[held[np.argmin(held_skills[held])], t] = True
        agents += more
        added += int(more.sum())
    return agents, run, added, not missed.any()
