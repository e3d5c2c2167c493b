"""The planning run's teams stage: agents per team and interval, and what they promise.

For the skills of ``teams:`` (:mod:`staffing.config.teams`) the stage

1. builds each skill's served volume, handle times (by load for chat) and targets;
2. splits the teams into components (teams linked by a shared skill) and computes the
   bounds of :mod:`staffing.teams_bounds`: the pooled bound per component and the
   separate bound (each skill's agents staffed alone, the plan's ``agents``) split to its
   teams;
3. staffs every component: a component of one team is one queue in arrival order (the
   team holds all its skills), staffed at its pooled bound; a component of several teams
   keeps the separate bound split to the teams (each skill keeps the agents it needs
   alone), until the simulation-based search staffs it;
4. raises each team to its ``min_agents`` wherever one of its skills has contacts, and
   reports the agents, FTE and occupancy per team and interval (:class:`TeamPlan`), each
   skill's promised service level, ASA and abandonment, and the agent-hours against
   staffing each skill alone and against the pooled bound.

Skills in no team are untouched: the plan staffs them alone as before teams existed, and
:attr:`staffing.plan.Plan.intervals` keeps every skill's separate staffing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffing import skill_queue
from staffing.config import ResolvedSkill
from staffing.config.teams import ResolvedTeam
from staffing.forecast import hour_of_week, weighted_mean
from staffing.plan.team_arrays import (
    Staffed,
    TeamsData,
    TeamSkills,
    components,
    handle_of,
    targets,
    team_skills,
)
from staffing.plan.teams_sim import search_staffing
from staffing.teams_bounds import pooled_agents, pooled_queue, split_to_teams
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C

if TYPE_CHECKING:  # pragma: no cover
    from staffing.simulation.teams_inputs import TeamsInput

__all__ = [
    "ALONE",
    "ANALYTIC",
    "POOLED",
    "TEAM_COLUMNS",
    "TEAM_SKILL_COLUMNS",
    "TeamPlan",
    "TeamsData",
    "team_plan",
]

#: Where a skill's promised figures come from: the component's one queue (one team).
POOLED = "one queue of the team"
#: ... or the skill staffed alone (a component of several teams keeps the separate bound).
ALONE = "the skill alone"

#: How the teams are staffed without the simulation-based search.
ANALYTIC = "analytic: one team per component pooled, shared skills staffed alone"

#: Columns of :attr:`TeamPlan.intervals`.
TEAM_COLUMNS = (
    "team",
    "interval_start",
    "agents",
    "alone_agents",
    "fte",
    "fte_hours",
    "occupancy",
)
#: Columns of :attr:`TeamPlan.skills`.
TEAM_SKILL_COLUMNS = (
    "skill_id",
    "skill_name",
    "teams",
    "method",
    "volume",
    "service_level",
    "service_level_target",
    "asa_s",
    "asa_target_s",
    "p_abandon",
    "max_abandon",
    "meets_targets",
    "figures_from",
)


@dataclass
class TeamPlan:
    """The staffing of the teams of a plan (:attr:`staffing.plan.Plan.teams`).

    Attributes
    ----------
    intervals : DataFrame
        One row per team and interval (:data:`TEAM_COLUMNS`): ``agents`` on queue [-],
        ``alone_agents`` (the separate bound: its skills staffed alone, split evenly to
        the teams holding them) [-], ``fte`` = agents / (1 − the team's shrinkage) [FTE],
        ``fte_hours`` [FTE-h], ``occupancy`` = the workload of the team's share of its
        skills (volume × NHT / interval, shared in proportion to the team's agents)
        over agents × max_concurrency [-] (NaN with no agents).
    skills : DataFrame
        One row per skill held by a team (:data:`TEAM_SKILL_COLUMNS`): the team
        staffing's ``service_level`` [-], ``asa_s`` [s] and ``p_abandon`` [-],
        volume-weighted over the served intervals, beside the skill's targets;
        ``meets_targets`` (every served interval meets every target); ``figures_from``:
        :data:`POOLED` or :data:`ALONE`.
    skill_intervals : DataFrame
        ``skill_id, interval_start, service_level, asa_s, p_abandon`` per team skill and
        interval (NaN where nothing is served).
    totals : dict
        ``agent_hours`` of the teams, ``alone_agent_hours`` (their skills staffed alone),
        ``pooled_agent_hours`` (the pooled bound), ``saving_agent_hours`` = alone −
        teams and ``saving_pct`` (of alone) [%], ``pooling_distance_agent_hours`` =
        teams − pooled and ``pooling_distance_pct`` (of pooled) [%], ``components``
        (groups of teams linked by a shared skill) and ``method`` (how the teams were
        staffed); by simulation also ``met_in_simulation``, ``replications``, ``seed``.
    simulated_weeks : DataFrame, optional
        By simulation: per team skill and plan week the simulated service level, ASA and
        abandonment with their 95 % half-widths (the teams engine's weekly table).
    inputs : TeamsInput, optional
        By simulation: the teams engine's input with the staffing found, to simulate it
        again (``staffing.simulation.teams.run_teams(plan.teams.inputs, 30, seed=1)``).
    """

    intervals: pd.DataFrame
    skills: pd.DataFrame
    skill_intervals: pd.DataFrame
    totals: dict[str, object]
    simulated_weeks: pd.DataFrame | None = None
    inputs: TeamsInput | None = None


def _pooled_figures(
    sk: TeamSkills, picked: np.ndarray, agents: np.ndarray, k: int, interval_s: float
) -> dict[int, dict[str, np.ndarray]]:
    """Each skill's figures in its component's one queue (arrival order: one wait for all)."""
    members = [sk.skills[int(s)] for s in picked]
    total, h, patience = pooled_queue(
        sk.volume[picked], handle_of(sk, picked, k), [m.patience_s for m in members]
    )
    model = CHAT if members[0].method == CHAT else None
    if model is None:
        model = ERLANG_C if not np.isfinite(patience).any() else ERLANG_A
    served = (total > 0) & (agents > 0)
    out = {}
    for s, skill in zip(picked, members, strict=True):
        figures = {name: np.full(total.shape, np.nan) for name in skill_queue.QUEUE_FIGURES}
        mine = served & (sk.volume[int(s)] > 0)
        if mine.any():
            got = skill_queue.evaluate(
                model,
                agents[mine],
                volume=total[mine],
                handle_time_s=h[mine],
                interval_s=interval_s,
                answer_within_s=skill.answer_within_s,
                patience_s=patience[mine] if model != ERLANG_C else np.inf,
            )
            for name in figures:
                figures[name][mine] = got[name]
        out[int(s)] = figures
    return out


def _alone_figures(sk: TeamSkills, s: int, interval_s: float) -> dict[str, np.ndarray]:
    """A skill's figures with its own separate staffing (what a shared team at least gives)."""
    skill = sk.skills[s]
    figures = {name: np.full(sk.volume.shape[1], np.nan) for name in skill_queue.QUEUE_FIGURES}
    mine = (sk.volume[s] > 0) & (sk.alone[s] > 0)
    if mine.any():
        k = (skill.max_concurrency or 1) if skill.method == CHAT else 1
        h = sk.handle[s][:, :k] if skill.method == CHAT else sk.handle[s][:, 0]
        got = skill_queue.evaluate(
            skill.method,
            sk.alone[s][mine],
            volume=sk.volume[s][mine],
            handle_time_s=h[mine],
            interval_s=interval_s,
            answer_within_s=skill.answer_within_s,
            patience_s=np.inf if skill.patience_s is None else skill.patience_s,
        )
        for name in figures:
            figures[name][mine] = got[name]
    return figures


def _staff(
    sk: TeamSkills, teams: list[ResolvedTeam], interval_s: float
) -> tuple[Staffed, list[np.ndarray]]:
    """Every component staffed analytically (the module's steps 2 to 4), and each
    component's pooled bound (T,)."""
    n_t = sk.volume.shape[1]
    alone = split_to_teams(sk.alone, sk.membership)
    agents = alone.copy()
    pooled = np.zeros(n_t)
    figures: dict[int, dict[str, np.ndarray]] = {}
    sources: dict[int, str] = {}
    bounds = []
    for picked, team_pos in components(sk.membership):
        k = teams[int(team_pos[0])].max_concurrency
        members = [sk.skills[int(s)] for s in picked]
        bound = pooled_agents(
            [m.method for m in members],
            sk.volume[picked],
            handle_of(sk, picked, k),
            interval_s,
            **targets(members),
        )
        pooled += bound
        bounds.append(bound)
        if team_pos.size == 1:
            r = int(team_pos[0])
            busy = sk.volume[picked].sum(axis=0) > 0
            agents[r] = np.where(busy, np.maximum(bound, teams[r].min_agents), 0)
            figures |= _pooled_figures(sk, picked, agents[r], k, interval_s)
            sources |= {int(s): POOLED for s in picked}
            continue
        for r in team_pos:
            busy = sk.volume[sk.membership[:, r]].sum(axis=0) > 0
            agents[r] = np.where(busy, np.maximum(agents[r], teams[int(r)].min_agents), 0)
        for s in picked:
            figures[int(s)] = _alone_figures(sk, int(s), interval_s)
            sources[int(s)] = ALONE
    facts = {"method": ANALYTIC}
    return Staffed(agents, alone, pooled, figures, sources, facts=facts), bounds


def _team_table(
    data: TeamsData, sk: TeamSkills, teams: list[ResolvedTeam], staffed: Staffed
) -> pd.DataFrame:
    """:attr:`TeamPlan.intervals`."""
    n_t, n_r = len(data.grid), len(teams)
    workload = sk.volume * sk.nht / data.interval_s  # [Erlang] per skill
    holders = sk.membership.astype(float)
    share = np.zeros((len(sk.skills), n_r, n_t))
    for s in range(len(sk.skills)):
        given = holders[s][:, None] * staffed.agents
        total = given.sum(axis=0)
        share[s] = np.where(total > 0, given / np.where(total > 0, total, 1), 0.0)
    load = np.einsum("st,srt->rt", workload, share)
    slots = staffed.agents * np.array([t.max_concurrency for t in teams])[:, None]
    how = hour_of_week(data.grid)
    shrink = np.stack([t.shrinkage.hour_of_week()[how] for t in teams])
    fte = staffed.agents / (1.0 - shrink)
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = np.where(slots > 0, load / slots, np.nan)
    if staffed.occupancy is not None:  # simulated
        occupancy = np.where(slots > 0, staffed.occupancy, np.nan)
    return pd.DataFrame(
        {
            "team": pd.Categorical(
                np.repeat([t.name for t in teams], n_t), categories=[t.name for t in teams]
            ),
            "interval_start": data.grid.append([data.grid] * (n_r - 1)) if n_r > 1 else data.grid,
            "agents": staffed.agents.ravel(),
            "alone_agents": staffed.alone.ravel(),
            "fte": fte.ravel(),
            "fte_hours": fte.ravel() * data.interval_s / 3600.0,
            "occupancy": occupancy.ravel(),
        }
    )[list(TEAM_COLUMNS)]


def _meets(skill: ResolvedSkill, figures: dict[str, np.ndarray], served: np.ndarray) -> bool:
    """Whether every served interval meets each of the skill's targets."""
    checks = [
        ("service_level", skill.service_level_target, np.greater_equal),
        ("asa_s", skill.asa_s, np.less_equal),
        ("p_abandon", skill.max_abandon if skill.method != ERLANG_C else None, np.less_equal),
    ]
    ok = True
    for name, target, compare in checks:
        if target is not None and served.any():
            values = figures[name][served]
            ok &= bool(
                np.all(compare(values, target + (-1e-9 if name == "service_level" else 1e-9)))
            )
    return ok


def _skill_tables(
    data: TeamsData, sk: TeamSkills, teams: list[ResolvedTeam], staffed: Staffed
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:attr:`TeamPlan.skills` and :attr:`TeamPlan.skill_intervals`."""
    rows, per_interval = [], []
    for s, skill in enumerate(sk.skills):
        figures = staffed.figures[s]
        served = np.isfinite(figures["service_level"]) | np.isfinite(figures["occupancy"])
        weights = pd.Series(sk.volume[s])
        rows.append(
            {
                "skill_id": skill.skill_id,
                "skill_name": skill.skill_name,
                "teams": ", ".join(
                    t.name for t, m in zip(teams, sk.membership[s], strict=True) if m
                ),
                "method": skill.method,
                "volume": float(sk.volume[s].sum()),
                "service_level": weighted_mean(pd.Series(figures["service_level"]), weights),
                "service_level_target": skill.service_level_target,
                "asa_s": weighted_mean(pd.Series(figures["asa_s"]), weights),
                "asa_target_s": skill.asa_s,
                "p_abandon": weighted_mean(pd.Series(figures["p_abandon"]), weights),
                "max_abandon": skill.max_abandon,
                "meets_targets": _meets(skill, figures, served),
                "figures_from": staffed.sources[s],
            }
        )
        per_interval.append(
            pd.DataFrame(
                {
                    "skill_id": skill.skill_id,
                    "interval_start": data.grid,
                    "service_level": figures["service_level"],
                    "asa_s": figures["asa_s"],
                    "p_abandon": figures["p_abandon"],
                }
            )
        )
    return pd.DataFrame(rows)[list(TEAM_SKILL_COLUMNS)], pd.concat(per_interval, ignore_index=True)


def _totals(sk: TeamSkills, staffed: Staffed, interval_s: float, n_components: int) -> dict:
    """:attr:`TeamPlan.totals`: agent-hours against alone and the pooled bound."""
    hours = interval_s / 3600.0
    teams_h = float(staffed.agents.sum() * hours)
    alone_h = float(sk.alone.sum() * hours)
    pooled_h = float(staffed.pooled.sum() * hours)
    return {
        "agent_hours": teams_h,
        "alone_agent_hours": alone_h,
        "pooled_agent_hours": pooled_h,
        "saving_agent_hours": alone_h - teams_h,
        "saving_pct": 100.0 * (alone_h - teams_h) / alone_h if alone_h else 0.0,
        "pooling_distance_agent_hours": teams_h - pooled_h,
        "pooling_distance_pct": 100.0 * (teams_h - pooled_h) / pooled_h if pooled_h else 0.0,
        "components": n_components,
        **{k: v for k, v in staffed.facts.items() if k not in ("weekly", "inputs")},
    }


def team_plan(
    data: TeamsData, teams: list[ResolvedTeam], options: dict[str, Any] | None = None
) -> TeamPlan | None:
    """The teams stage: :class:`TeamPlan` of the plan's teams (None without any).

    Parameters
    ----------
    data : TeamsData
        The plan's skills, volume, NHT, open hours and separate staffing.
    teams : list of ResolvedTeam
        The config's teams; a skill not planned (a scenario's subset) is left out of its
        teams, and a team left with no planned skill is dropped.
    options : dict, optional
        ``search`` (default True: staffed by :func:`staffing.teams_search.staff_teams`;
        False: the analytic staffing of steps 2 to 4) and the search's keyword arguments
        (``replications`` 20, ``seed`` 0, ``workers``, ``scheduler``, ...).

    Returns
    -------
    TeamPlan or None
    """
    planned = {s.skill_id for s in data.skills}
    kept = []
    for team in teams:
        ids = tuple(sid for sid in team.skill_ids if sid in planned)
        if ids:
            kept.append(replace(team, skill_ids=ids))
    if not kept:
        return None
    sk = team_skills(data, kept)
    staffed, bounds = _staff(sk, kept, data.interval_s)
    search = dict(options or {})
    if search.pop("search", True):
        staffed = search_staffing(data, sk, kept, staffed, bounds, search)
    skills, skill_intervals = _skill_tables(data, sk, kept, staffed)
    return TeamPlan(
        intervals=_team_table(data, sk, kept, staffed),
        skills=skills,
        skill_intervals=skill_intervals,
        totals=_totals(sk, staffed, data.interval_s, len(components(sk.membership))),
        simulated_weeks=staffed.facts.get("weekly"),
        inputs=staffed.facts.get("inputs"),
    )
