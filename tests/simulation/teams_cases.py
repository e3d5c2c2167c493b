"""Small teams instances for the teams simulation and staffing tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from staffing.simulation.inputs import SkillInput
from staffing.simulation.teams_inputs import TeamsInput
from staffing.vocabulary import ERLANG_C

MONDAY = dt.date(2026, 3, 2)


def calendar(n_t: int, interval_s: float) -> dict:
    """Interval starts, day and week codes of ``n_t`` intervals from a Monday."""
    start = pd.date_range(
        pd.Timestamp(MONDAY, tz="Europe/Berlin"), periods=n_t, freq=pd.Timedelta(seconds=interval_s)
    )
    day = np.asarray((start.normalize() - start[0].normalize()).days, dtype=np.int64)
    dates = np.array([MONDAY + dt.timedelta(days=int(d)) for d in range(day.max() + 1)])
    week = day // 7
    week_start = tuple(MONDAY + dt.timedelta(days=7 * int(w)) for w in range(week.max() + 1))
    return {
        "interval_start": start,
        "day": day,
        "dates": dates,
        "week": week.astype(np.int64),
        "week_start": week_start,
    }


def make_teams(
    volume: np.ndarray,
    handle_s: np.ndarray | float,
    membership: np.ndarray,
    *,
    agents: np.ndarray | None = None,
    interval_s: float = 1800.0,
    method: str = ERLANG_C,
    patience_s: float | None = None,
    service_level: float | None = 0.8,
    within_s: float = 20.0,
    asa_s: float | None = None,
    max_abandon: float | None = None,
    max_concurrency: int | np.ndarray = 1,
    priority: np.ndarray | None = None,
    skill_ids: tuple[int, ...] | None = None,
) -> TeamsInput:
    """A TeamsInput of S skills and R teams with the same targets for every skill."""
    volume = np.atleast_2d(np.asarray(volume, dtype=float))
    n_s, n_t = volume.shape
    membership = np.asarray(membership, dtype=bool)
    handle = np.asarray(handle_s, dtype=float)
    if handle.ndim == 0:
        handle = np.full((n_s, n_t), float(handle))
    return TeamsInput(
        skill_ids=skill_ids or tuple(range(1, n_s + 1)),
        skill_names=tuple(f"skill {s + 1}" for s in range(n_s)),
        methods=(method,) * n_s,
        volume=volume,
        handle_s=handle,
        is_open=np.ones((n_s, n_t), dtype=bool),
        interval_s=interval_s,
        answer_within_s=within_s,
        patience_s=(patience_s,) * n_s,
        service_level_target=(service_level,) * n_s,
        asa_s=(asa_s,) * n_s,
        max_abandon=(max_abandon,) * n_s,
        team_names=tuple(f"team {r + 1}" for r in range(membership.shape[1])),
        membership=membership,
        max_concurrency=max_concurrency,
        agents=agents,
        priority=priority,
        **calendar(n_t, interval_s),
    )


def as_skill(inputs: TeamsInput, s: int, agents: np.ndarray) -> SkillInput:
    """Skill ``s`` of ``inputs`` alone, as the single-skill engine takes it."""
    return SkillInput(
        skill_id=inputs.skill_ids[s],
        skill_name=inputs.skill_names[s],
        method=inputs.methods[s],
        interval_start=inputs.interval_start,
        volume=inputs.volume[s],
        agents=np.asarray(agents, dtype=np.int64),
        handle_time_s=inputs.handle_s[s]
        if inputs.handle_s.shape[2] > 1
        else inputs.handle_s[s, :, 0],
        is_open=inputs.is_open[s],
        interval_s=inputs.interval_s,
        answer_within_s=float(inputs.answer_within_s[s]),
        patience_s=inputs.patience_s[s],
        service_level_target=inputs.service_level_target[s],
        asa_s=inputs.asa_s[s],
        max_abandon=inputs.max_abandon[s],
        day=inputs.day,
        dates=inputs.dates,
        week=inputs.week,
        week_start=inputs.week_start,
    )
