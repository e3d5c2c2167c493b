"""Day- and week-scope staffing: a period's targets at the fewest FTE-hours.

A queueing skill with ``service_level.scope`` day or week is staffed for its local day or
plan week as a whole (:func:`staffing.daily.fewest_hours`), over floors per interval.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from staffing import calendar, daily, skill_queue
from staffing.config import ResolvedSkill
from staffing.errors import DataError
from staffing.plan.binding import period_binding
from staffing.plan.progress import Progress, tell
from staffing.plan.rows import Group, SkillRows, unique_rows
from staffing.vocabulary import (
    BINDING_INTERVAL_FLOOR,
    BINDING_MIN_AGENTS,
    BINDING_OCCUPANCY,
    ERLANG_C,
)

__all__ = ["period_agents"]


def _floors(
    group: Group, h: np.ndarray, volume: np.ndarray, rows: SkillRows, interval_s: float
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Agents per interval below which no period staffing goes, and its named parts.

    ``min_agents``, ``service_level.interval_floor``, the occupancy cap, and more agents
    than the offered load (λ·h_k/k), where the service level is concave in the agents and
    the optimiser is exact (docs/models.md). The parts (interval floor, occupancy cap,
    minimum agents; NaN where not set) name what a row at its floor was set by.
    """
    name, idx_all, _ = group
    floor_sl = rows.interval_floor[idx_all]
    cap = rows.max_occupancy[idx_all]
    floor_sl = np.where(np.isnan(floor_sl) & np.isnan(cap), 1e-9, floor_sl)
    within, patience = rows.answer_within_s[idx_all], rows.patience_s[idx_all]
    first, inverse = unique_rows(volume[idx_all], h, within, patience, floor_sl, cap)
    idx = idx_all[first]
    floor = skill_queue.required_agents(
        name,
        volume=volume[idx],
        handle_time_s=h[first],
        interval_s=interval_s,
        service_level=floor_sl[first],
        answer_within_s=rows.answer_within_s[idx],
        max_occupancy=cap[first],
        patience_s=rows.patience_s[idx],
    )[inverse]
    stable = _stable(group, h, volume, interval_s)
    parts: dict[str, np.ndarray] = {}
    for label, values in (
        (BINDING_INTERVAL_FLOOR, rows.interval_floor[idx_all]),
        (BINDING_OCCUPANCY, cap),
    ):
        if np.isnan(values).all():
            continue
        key = "service_level" if label == BINDING_INTERVAL_FLOOR else "max_occupancy"
        alone = skill_queue.required_agents(
            name,
            volume=volume[idx],
            handle_time_s=h[first],
            interval_s=interval_s,
            answer_within_s=rows.answer_within_s[idx],
            patience_s=rows.patience_s[idx],
            **{key: values[first]},
        )[inverse]
        parts[label] = np.where(np.isnan(values), np.nan, np.maximum(alone, stable))
    min_agents = rows.min_agents[idx_all]
    parts[BINDING_MIN_AGENTS] = np.where(min_agents > 0, min_agents, np.nan)
    return np.maximum(np.maximum(floor, stable), min_agents), parts


def _stable(group: Group, h: np.ndarray, volume: np.ndarray, interval_s: float) -> np.ndarray:
    """More agents than the offered load (λ·h_k/k) of each of the group's rows."""
    _, idx_all, k = group
    h_last = h[:, -1] / k if h.ndim == 2 else h
    return np.floor(volume[idx_all] * h_last / interval_s * (1 + 1e-12)) + 1.0


def _period_groups(
    group: Group,
    skill_index: np.ndarray,
    rows: SkillRows,
    grid: pd.DatetimeIndex,
    start: date,
) -> np.ndarray:
    """The period of each row as one code per (skill, local day or plan week)."""
    _, idx_all, _ = group
    days, _ = calendar.day_codes(grid)
    weeks = calendar.week_codes(grid, start)
    n_days = int(days.max()) + 1
    t = idx_all % len(grid)
    period = np.where(rows.scope[idx_all] == "day", days[t], n_days + weeks[t])
    return skill_index[idx_all] * (n_days + int(weeks.max()) + 1) + period


def period_agents(
    skills: list[ResolvedSkill],
    skill_index: np.ndarray,
    group: Group,
    h: np.ndarray,
    volume: np.ndarray,
    rows: SkillRows,
    interval_s: float,
    grid: pd.DatetimeIndex,
    start: date,
    shrinkage: np.ndarray | None,
    progress: Progress,
    target_volume: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Agents of day- and week-scope rows: the period's targets at the fewest FTE-hours.

    Parameters
    ----------
    skills : list of ResolvedSkill
        The planned skills.
    skill_index : ndarray
        Index into ``skills`` of every row.
    group : tuple
        ``(method, rows, k)``: the day- and week-scope rows of one method.
    h : ndarray
        Their handle times [s] (shape (rows, k) for chat).
    volume : ndarray
        Volume of every row [-].
    rows : SkillRows
        Every row's settings.
    interval_s : float
        Interval length [s].
    grid : DatetimeIndex
        The plan's interval starts.
    start : date
        The plan's first day (weeks start on it).
    shrinkage : ndarray, optional
        Shrinkage of every row [-] (the FTE cost of an agent-hour); None for none.
    progress : callable, optional
        The run's progress callback.
    target_volume : ndarray, optional
        Volume of every row the period's targets are met at (a confidence's scaled
        forecast); the floors other than stability stay at ``volume``. Default ``volume``.

    Returns
    -------
    agents : ndarray
        Agents of the group's rows [-].
    binding : ndarray of object
        What set them (:func:`staffing.plan.binding.period_binding`): a floor they sit on
        (interval floor, occupancy cap, minimum agents), else the day or week scope.

    Raises
    ------
    DataError
        No staffing of a period meets its targets.
    """
    name, idx_all, _ = group
    floor, parts = _floors(group, h, volume, rows, interval_s)
    if target_volume is not None:  # the targets at another volume: stable there too
        floor = np.maximum(floor, _stable(group, h, target_volume, interval_s))
        volume = target_volume
    shrink = np.zeros(idx_all.size) if shrinkage is None else shrinkage[idx_all]
    tell(
        progress,
        f"staffing {idx_all.size:,} intervals with {name} for their day or week "
        "at the fewest FTE-hours",
    )
    try:
        agents = daily.fewest_hours(
            name,
            floor,
            volume=volume[idx_all],
            handle_time_s=h,
            interval_s=interval_s,
            answer_within_s=rows.answer_within_s[idx_all],
            patience_s=rows.patience_s[idx_all],
            group=_period_groups(group, skill_index, rows, grid, start),
            cost=interval_s / 3600.0 / (1.0 - shrink),
            service_level=rows.service_level[idx_all],
            asa_s=rows.asa_s[idx_all],
            max_abandon=rows.max_abandon[idx_all] if name != ERLANG_C else None,
        )
    except ValueError as exc:
        skill = skills[skill_index[idx_all[0]]]
        raise DataError(f"skill {skill.skill_id} ({name}): {exc}") from None
    return agents, period_binding(agents, parts, rows.scope[idx_all])
