"""The teams stage's arrays: the plan's team skills as (skills, intervals) blocks.

:class:`TeamsData` is what the stage reads from the plan (flat, skill-major);
:class:`TeamSkills` the skills some team holds as (S, T) arrays, handle times (S, T, K) by
load, and the membership (S, R); :class:`Staffed` the staffing of every team before the
tables (:mod:`staffing.plan.teams`, :mod:`staffing.plan.teams_sim`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from staffing import skill_queue
from staffing.config import ResolvedSkill
from staffing.config.teams import ResolvedTeam
from staffing.vocabulary import CHAT

__all__ = [
    "Staffed",
    "TeamSkills",
    "TeamsData",
    "components",
    "handle_of",
    "targets",
    "team_skills",
]


@dataclass
class TeamsData:
    """What the teams stage reads from the plan: per skill × interval, skill-major.

    Attributes
    ----------
    grid : DatetimeIndex
        The plan's interval starts, local.
    skills : list of ResolvedSkill
        The planned skills, in plan order.
    volume, nht, agents : ndarray
        Volume [-], NHT [s] and the agents of each skill staffed alone [-], flat
        (skills × intervals).
    is_open : ndarray of bool
        Open hours, flat.
    interval_s : float
        Interval length [s].
    start : date
        The plan's first day (plan weeks start on it).
    """

    grid: pd.DatetimeIndex
    skills: list[ResolvedSkill]
    volume: np.ndarray
    nht: np.ndarray
    agents: np.ndarray
    is_open: np.ndarray
    interval_s: float
    start: date


@dataclass
class TeamSkills:
    """The team skills' arrays: (S, T), handle times (S, T, K)."""

    skills: list[ResolvedSkill]
    volume: np.ndarray  # served volume: 0 where closed
    nht: np.ndarray
    handle: np.ndarray
    alone: np.ndarray
    membership: np.ndarray  # (S, R)


def team_skills(data: TeamsData, teams: list[ResolvedTeam]) -> TeamSkills:
    """The planned skills some team holds, as (S, T) arrays, and the membership.

    Parameters
    ----------
    data : TeamsData
        The plan's arrays.
    teams : list of ResolvedTeam
        The teams (every skill id of theirs is planned).

    Returns
    -------
    TeamSkills
        Skills in plan order; served volume 0 where closed; handle times (S, T, K) with K the
        largest ``max_concurrency`` (a skill's last column repeated beyond its own k).
    """
    n_t = len(data.grid)
    position = {s.skill_id: i for i, s in enumerate(data.skills)}
    ids = sorted({sid for team in teams for sid in team.skill_ids}, key=position.__getitem__)
    k_max = max(team.max_concurrency for team in teams)
    rows = [position[sid] for sid in ids]

    def block(values: np.ndarray) -> np.ndarray:
        return values.reshape(len(data.skills), n_t)[rows]

    nht, skills = block(data.nht), [data.skills[i] for i in rows]
    handle = np.empty((len(ids), n_t, k_max))
    for s, skill in enumerate(skills):
        k = (skill.max_concurrency or 1) if skill.method == CHAT else 1
        h = skill_queue.handle_times(skill.method, nht[s], k, skill.handle_time_by_load_s)
        h = h.reshape(n_t, -1)
        handle[s] = np.concatenate([h, np.repeat(h[:, -1:], k_max - h.shape[1], axis=1)], 1)
    membership = np.array([[sid in team.skill_ids for team in teams] for sid in ids])
    return TeamSkills(
        skills=skills,
        volume=np.where(block(data.is_open), block(data.volume), 0.0),
        nht=nht,
        handle=handle,
        alone=block(data.agents).astype(np.int64),
        membership=membership,
    )


def components(membership: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Skills and teams linked by membership.

    Parameters
    ----------
    membership : ndarray of bool
        Shape (S, R): True where team r holds skill s.

    Returns
    -------
    list of (ndarray, ndarray)
        The skill positions and team positions of each component, by smallest team.
    """
    n_s, n_r = membership.shape
    label = np.arange(n_r)
    for s in range(n_s):
        teams = np.flatnonzero(membership[s])
        label[np.isin(label, label[teams])] = label[teams].min()
    out = []
    for root in np.unique(label):
        teams = np.flatnonzero(label == root)
        out.append((np.flatnonzero(membership[:, teams].any(axis=1)), teams))
    return out


def targets(skills: list[ResolvedSkill]) -> dict[str, list]:
    """The keyword targets of :func:`staffing.teams_bounds.pooled_agents`.

    Parameters
    ----------
    skills : list of ResolvedSkill
        The skills of a component.

    Returns
    -------
    dict
        ``service_level``, ``answer_within_s``, ``asa_s``, ``max_abandon``,
        ``max_occupancy``, ``patience_s``: one entry per skill (None: not given).
    """
    return {
        "service_level": [s.service_level_target for s in skills],
        "answer_within_s": [s.answer_within_s for s in skills],
        "asa_s": [s.asa_s for s in skills],
        "max_abandon": [s.max_abandon for s in skills],
        "max_occupancy": [s.max_occupancy for s in skills],
        "patience_s": [s.patience_s for s in skills],
    }


def handle_of(sk: TeamSkills, picked: np.ndarray, k: int) -> np.ndarray:
    """Handle times of some skills for the engine.

    Parameters
    ----------
    sk : TeamSkills
        The team skills' arrays.
    picked : ndarray of int
        Skill positions (one kind: all chat or all voice).
    k : int
        Slots per agent of their team(s) [-].

    Returns
    -------
    ndarray
        (S, T) for voice, (S, T, k) for chat [s].
    """
    if sk.skills[int(picked[0])].method == CHAT:
        return sk.handle[picked][:, :, :k]
    return sk.handle[picked][:, :, 0]


@dataclass
class Staffed:
    """The staffing of every team before the tables.

    Attributes
    ----------
    agents, alone : ndarray of int64
        Agents per team and interval, and the separate bound split to the teams, (R, T).
    pooled : ndarray
        The pooled bounds summed over the components, (T,).
    figures : dict
        Per skill position: ``service_level``, ``asa_s``, ``p_abandon``, ``occupancy``
        arrays (T,) of the team staffing.
    sources : dict
        Per skill position: where its figures come from.
    occupancy : ndarray, optional
        Simulated occupancy per team and interval (R, T); None: from the workload.
    facts : dict
        How the teams were staffed (``method`` and, by simulation, its sample).
    """

    agents: np.ndarray
    alone: np.ndarray
    pooled: np.ndarray
    figures: dict[int, dict[str, np.ndarray]]
    sources: dict[int, str]
    occupancy: np.ndarray | None = None
    facts: dict[str, Any] = field(default_factory=dict)
