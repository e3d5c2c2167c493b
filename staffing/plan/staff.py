"""The planning run's staffing stage: agents and achieved figures per skill and interval.

1. Required agents per method through the skill's queue (:mod:`staffing.skill_queue`),
   once per distinct set of inputs; day- and week-scope skills for their period
   (:mod:`staffing.plan.period`).
2. Floors and closures: ``min_agents`` where contacts are served, 0 elsewhere.
3. The achieved figures of the final agents (NaN where no contact is served).
4. What set each interval's agents (``binding``, :mod:`staffing.plan.binding`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from staffing import skill_queue
from staffing.config import ResolvedSkill
from staffing.errors import DataError
from staffing.plan.binding import final_binding, interval_binding
from staffing.plan.inputs import Inputs
from staffing.plan.period import period_agents
from staffing.plan.progress import Progress, tell
from staffing.plan.rows import INTERVAL, Group, SkillRows, unique_rows
from staffing.vocabulary import (
    BINDING_CONFIDENCE,
    BINDING_DAY,
    BINDING_WEEK,
    CHAT,
    ERLANG_A,
    ERLANG_C,
    WORKLOAD,
)

__all__ = ["group_handle_times", "staff"]


def _groups(skills: list[ResolvedSkill], rows: SkillRows, served: np.ndarray) -> list[Group]:
    """The served rows by method, chat rows also by concurrency k."""
    groups: list[Group] = []
    for name in (WORKLOAD, ERLANG_C, ERLANG_A):
        found = np.flatnonzero(served & (rows.method == name))
        if found.size:
            groups.append((name, found, 1))
    for k in sorted({s.max_concurrency or 1 for s in skills if s.method == CHAT}):
        found = np.flatnonzero(served & (rows.method == CHAT) & (rows.max_concurrency == k))
        if found.size:
            groups.append((CHAT, found, k))
    return groups


def group_handle_times(
    skills: list[ResolvedSkill],
    skill_index: np.ndarray,
    nht: np.ndarray,
    group: Group,
) -> np.ndarray:
    """Handle times of a group's rows (shape (rows, k) for chat), skill by skill.

    Parameters
    ----------
    skills : list of ResolvedSkill
        The planned skills.
    skill_index : ndarray
        Index into ``skills`` of every row.
    nht : ndarray
        NHT of every row [s].
    group : tuple
        ``(method, rows, k)``.

    Returns
    -------
    ndarray
        :func:`staffing.skill_queue.handle_times` of each skill's rows.
    """
    name, rows, k = group
    if name != CHAT:
        return nht[rows]
    out = np.empty((rows.size, k))
    owners = skill_index[rows]
    for index in np.unique(owners):
        skill, mine = skills[index], owners == index
        out[mine] = skill_queue.handle_times(CHAT, nht[rows[mine]], k, skill.handle_time_by_load_s)
    return out


def _interval_agents(
    group: Group,
    h: np.ndarray,
    volume: np.ndarray,
    rows: SkillRows,
    interval_s: float,
    progress: Progress,
) -> tuple[np.ndarray, np.ndarray]:
    """Required agents of a group's rows and what set them (one engine call per distinct
    set of inputs and target)."""
    name, idx_all, k = group
    if name == WORKLOAD:  # no queue: the offered load at the occupancy cap
        agents = skill_queue.required_agents(
            WORKLOAD,
            volume=volume[idx_all],
            handle_time_s=h,
            interval_s=interval_s,
            max_occupancy=rows.max_occupancy[idx_all],
        )
        return agents, interval_binding(
            WORKLOAD,
            agents,
            volume=volume[idx_all],
            handle_time_s=h,
            interval_s=interval_s,
            rows=rows,
            idx=idx_all,
        )
    first, inverse = unique_rows(
        volume[idx_all],
        h,
        rows.answer_within_s[idx_all],
        rows.patience_s[idx_all],
        rows.service_level[idx_all],
        rows.asa_s[idx_all],
        rows.max_abandon[idx_all],
        rows.max_occupancy[idx_all],
    )
    idx = idx_all[first]
    tell(
        progress,
        f"staffing {idx_all.size:,} intervals with {name}"
        + (f" (k={k})" if name == CHAT else "")
        + f": {idx.size:,} distinct cases",
    )
    agents = skill_queue.required_agents(
        name,
        volume=volume[idx],
        handle_time_s=h[first],
        interval_s=interval_s,
        service_level=rows.service_level[idx],
        answer_within_s=rows.answer_within_s[idx],
        asa_s=rows.asa_s[idx],
        max_abandon=rows.max_abandon[idx],
        max_occupancy=rows.max_occupancy[idx],
        patience_s=rows.patience_s[idx],
    )
    binding = interval_binding(
        name,
        agents,
        volume=volume[idx],
        handle_time_s=h[first],
        interval_s=interval_s,
        rows=rows,
        idx=idx,
    )
    return agents[inverse], binding[inverse]


def _achieved(
    groups: list[Group],
    handle_times: list[np.ndarray],
    agents: np.ndarray,
    volume: np.ndarray,
    rows: SkillRows,
    interval_s: float,
) -> dict[str, np.ndarray]:
    """The figures the final agents achieve (NaN where no contact is served)."""
    out = {name: np.full(agents.size, np.nan) for name in skill_queue.QUEUE_FIGURES}
    for (name, idx_all, _), h in zip(groups, handle_times, strict=True):
        within, patience = rows.answer_within_s, rows.patience_s
        first, inverse = unique_rows(
            volume[idx_all], h, within[idx_all], patience[idx_all], agents[idx_all]
        )
        idx = idx_all[first]
        result = skill_queue.evaluate(
            name,
            agents[idx],
            volume=volume[idx],
            handle_time_s=h[first],
            interval_s=interval_s,
            answer_within_s=within[idx],
            patience_s=patience[idx],
        )
        for key in out:
            out[key][idx_all] = result[key][inverse]
    return out


def _check_met(
    agents: np.ndarray, skills: list[ResolvedSkill], skill_index: np.ndarray, grid: pd.DatetimeIndex
) -> None:
    """Raise when the engine found no staffing that meets a skill's targets."""
    unmet = np.flatnonzero(~np.isfinite(agents))
    if unmet.size:  # the engine's answer when nothing up to 10^8 agents meets the targets
        first = unmet[0]
        raise DataError(
            f"skill {skills[skill_index[first]].skill_id}: no staffing up to 10^8 agents meets "
            f"its targets at {grid[first % len(grid)]} ({unmet.size} interval(s) in all); "
            "check service_level, asa_seconds and max_abandon"
        )


def staff(
    inputs: Inputs,
    interval_s: float,
    start: date,
    progress: Progress,
    fixed_agents: np.ndarray | None = None,
    period_volume: np.ndarray | None = None,
    computed: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Agents and achieved figures for every skill-interval (flat, skill-major arrays).

    Skills with ``service_level.scope`` day or week are staffed by
    :func:`staffing.daily.fewest_hours` (their day's or week's targets at the fewest
    FTE-hours); ``fixed_agents`` (where not NaN) replaces the computed agents before the
    floors, as time-stable staffing does.

    Parameters
    ----------
    inputs : Inputs
        The inputs stage's result.
    interval_s : float
        Interval length [s].
    start : date
        The plan's first day (plan weeks start on it).
    progress : callable, optional
        The run's progress callback.
    fixed_agents : ndarray, optional
        Agents per row that replace the computed ones where not NaN [-].
    period_volume : ndarray, optional
        The volume day- and week-scope rows meet their period's targets at (forecast × the
        confidence multiplier, :func:`staffing.plan.confidence.confidence_volume`); default
        the forecast. Their floors (interval floor, occupancy cap, ``min_agents``) and the
        achieved figures stay at the forecast.
    computed : tuple of ndarray, optional
        ``(computed, computed_binding)`` of an earlier call on the same inputs and
        ``period_volume``: the agents and what set them, before ``fixed_agents`` and the
        floors. The skills are then not staffed again (a plan re-staffed with fixed agents
        only applies them), with the same answer.

    Returns
    -------
    dict of str to ndarray
        ``agents`` (int64), ``service_level``, ``asa_s``, ``p_abandon``, ``occupancy``,
        ``volume``, ``nht_s``, ``fte`` (agents / (1 − shrinkage), the FTE needed during the
        interval), ``fte_hours`` (fte × interval hours [FTE-h]), ``binding`` (what set the
        agents, :data:`staffing.vocabulary.BINDINGS`), ``staffing_method``
        (:data:`staffing.plan.STAFFING_METHODS`), and ``computed`` and
        ``computed_binding`` (for ``computed`` of a later call).

    Raises
    ------
    DataError
        No staffing up to 10^8 agents meets a skill's targets.
    """
    skills, skill_index, volume = inputs.skills, inputs.skill_index, inputs.volume
    grid = inputs.grid
    rows = SkillRows.of(skills, len(grid))
    served = inputs.is_open & (volume > 0)
    groups = _groups(skills, rows, served)
    handle_times = [group_handle_times(skills, skill_index, inputs.nht, g) for g in groups]
    if computed is None:
        agents, binding = _computed(
            inputs, groups, handle_times, rows, interval_s, start, progress, period_volume
        )
    else:
        agents, binding = computed[0].copy(), computed[1].copy()
    before = (agents.copy(), binding.copy())
    if fixed_agents is not None:
        agents = np.where(np.isnan(fixed_agents), agents, fixed_agents)
    _check_met(agents, skills, skill_index, grid)
    computed_agents = agents
    agents = np.where(served, np.maximum(agents, rows.min_agents), 0.0)
    binding = final_binding(
        binding,
        agents,
        computed_agents,
        min_agents=rows.min_agents,
        is_open=inputs.is_open,
        served=served,
        fixed=fixed_agents,
    )

    out = _achieved(groups, handle_times, agents, volume, rows, interval_s)
    out["agents"] = agents.astype(np.int64)
    method = np.where(rows.scope == INTERVAL, "stationary", rows.scope + "_scope")
    if fixed_agents is not None:
        method = np.where(np.isnan(fixed_agents), method, "time_stable")
    out["staffing_method"] = method
    out["volume"], out["nht_s"] = volume, inputs.nht
    out["fte"] = out["agents"] / (1.0 - inputs.shrinkage)
    out["fte_hours"] = out["fte"] * (interval_s / 3600.0)
    out["binding"] = binding
    out["computed"], out["computed_binding"] = before
    return out


def _computed(
    inputs: Inputs,
    groups: list[Group],
    handle_times: list[np.ndarray],
    rows: SkillRows,
    interval_s: float,
    start: date,
    progress: Progress,
    period_volume: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The agents every skill needs and what set them, before fixed agents and floors."""
    skills, skill_index, volume = inputs.skills, inputs.skill_index, inputs.volume
    agents = np.zeros(volume.shape[0], dtype=float)
    binding = np.full(volume.shape[0], "", dtype=object)
    for group, h in zip(groups, handle_times, strict=True):
        name, idx_all, k = group
        here = rows.scope[idx_all] == INTERVAL
        if here.any():
            sub = (name, idx_all[here], k)
            agents[sub[1]], binding[sub[1]] = _interval_agents(
                sub, h[here], volume, rows, interval_s, progress
            )
    for group, h in zip(groups, handle_times, strict=True):
        name, idx_all, k = group
        there = rows.scope[idx_all] != INTERVAL
        if there.any():
            sub = (name, idx_all[there], k)
            agents[sub[1]], binding[sub[1]] = period_agents(
                skills,
                skill_index,
                sub,
                h[there],
                volume,
                rows,
                interval_s,
                inputs.grid,
                start,
                inputs.shrinkage,
                progress,
                target_volume=period_volume,
            )
            if period_volume is not None:  # where a confidence's volume set the agents
                mine = binding[sub[1]]
                scaled = period_volume[sub[1]] != volume[sub[1]]
                binding[sub[1][scaled & ((mine == BINDING_DAY) | (mine == BINDING_WEEK))]] = (
                    BINDING_CONFIDENCE
                )
    return agents, binding
