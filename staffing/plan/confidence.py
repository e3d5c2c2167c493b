"""Staffing to a confidence level in the plan, and the cost of confidence (``Plan.risk``).

A day- or week-scope skill with ``service_level.confidence`` c is staffed by the period
optimiser at volume × :math:`q_c`, the c quantile of its period multiplier
(:mod:`staffing.confidence`): the probability that the period meets its targets, with the
skill's day-level CV from :attr:`staffing.plan.Plan.uncertainty`, is then at least c at
the fewest FTE-hours. :func:`risk_table` prices the confidence levels
:data:`RISK_LEVELS` and a flat volume buffer per interval against them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from staffing import calendar, confidence
from staffing.config import ResolvedSkill
from staffing.plan.inputs import Inputs
from staffing.plan.rows import INTERVAL, SkillRows
from staffing.plan.staff import group_handle_times, staff
from staffing.vocabulary import CHAT, ERLANG_C, WORKLOAD

__all__ = ["RISK_COLUMNS", "RISK_LEVELS", "confidence_volume", "risk_table", "skill_cv"]

#: The confidence levels :attr:`staffing.plan.Plan.risk` prices.
RISK_LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.99)
#: Columns of :attr:`staffing.plan.Plan.risk`.
RISK_COLUMNS: tuple[str, ...] = (
    "skill_id",
    "skill_name",
    "scope",
    "daily_cv",
    "confidence",
    "multiplier",
    "agent_hours",
    "fte_per_week",
    "probability",
    "buffer_uplift",
    "buffer_agent_hours",
    "buffer_fte_per_week",
)
#: Bisection steps of the flat buffer's uplift (precision 2^-11 of the search range).
_BUFFER_STEPS = 11


def skill_cv(skills: list[ResolvedSkill], uncertainty: pd.DataFrame | None) -> np.ndarray:
    """Each skill's day-level CV of the volume (0 where the plan has none).

    Parameters
    ----------
    skills : list of ResolvedSkill
        The planned skills.
    uncertainty : DataFrame, optional
        :attr:`staffing.plan.Plan.uncertainty` (index ``skill_id``, column ``daily_cv``).

    Returns
    -------
    ndarray
        CV per skill, in plan order [-].
    """
    if uncertainty is None or uncertainty.empty:
        return np.zeros(len(skills))
    by_id = uncertainty["daily_cv"]
    return np.array([float(by_id.get(s.skill_id, 0.0)) for s in skills])


def _eligible(skill: ResolvedSkill) -> bool:
    """A queueing skill staffed for its day or week (the confidence's domain)."""
    return skill.method != WORKLOAD and skill.scope != INTERVAL


def _period_codes(inputs: Inputs, scope: str, start: date) -> np.ndarray:
    """Day or plan-week code of each interval of the plan grid."""
    if scope == "week":
        return calendar.week_codes(inputs.grid, start)
    return calendar.day_codes(inputs.grid)[0]


def _skill_rows(inputs: Inputs, index: int) -> np.ndarray:
    """Rows of skill ``index`` (skill-major flat arrays)."""
    n_t = len(inputs.grid)
    return np.arange(index * n_t, (index + 1) * n_t)


def _one_skill(inputs: Inputs, index: int) -> Inputs:
    """The inputs of skill ``index`` alone (its rows, skill index 0)."""
    rows = _skill_rows(inputs, index)
    return replace(
        inputs,
        skills=[inputs.skills[index]],
        skill_index=np.zeros(rows.size, dtype=inputs.skill_index.dtype),
        volume=inputs.volume[rows],
        nht=inputs.nht[rows],
        basis=inputs.basis[rows],
        is_open=inputs.is_open[rows],
        shrinkage=inputs.shrinkage[rows],
        shrink_table=inputs.shrink_table[index : index + 1],
    )


def confidence_volume(
    inputs: Inputs, cv: np.ndarray, start: date, levels: dict[int, float] | None = None
) -> np.ndarray:
    """The volume each row's day or week is staffed for: forecast × :math:`q_c`.

    Parameters
    ----------
    inputs : Inputs
        The inputs stage's result.
    cv : ndarray
        Day-level CV per skill (:func:`skill_cv`) [-].
    start : date
        The plan's first day (plan weeks start on it).
    levels : dict of int to float, optional
        Confidence per skill index, instead of each skill's ``service_level.confidence``.

    Returns
    -------
    ndarray
        Volume per row [-]; the forecast where a skill has no confidence or no CV. A week
        uses the CV of the mean of its days with volume (:func:`staffing.confidence.period_cv`).
    """
    out = inputs.volume.astype(float).copy()
    served = inputs.is_open & (inputs.volume > 0)
    for index, skill in enumerate(inputs.skills):
        level = skill.confidence if levels is None else levels.get(index)
        if level is None or cv[index] <= 0 or not _eligible(skill):
            continue
        rows = _skill_rows(inputs, index)
        codes = _period_codes(inputs, skill.scope, start)
        days = np.ones(int(codes.max()) + 1)
        if skill.scope == "week":
            day = calendar.day_codes(inputs.grid)[0]
            mine = served[rows]
            pairs = np.unique(np.column_stack([codes[mine], day[mine]]), axis=0)
            days = np.maximum(np.bincount(pairs[:, 0], minlength=days.size), 1)
        q = confidence.confidence_multiplier(level, confidence.period_cv(cv[index], days))
        out[rows] = inputs.volume[rows] * q[codes]
    return out


def _day_arguments(
    inputs: Inputs, agents: np.ndarray, index: int, cv: float, interval_s: float, start: date
) -> tuple[tuple[str, np.ndarray, dict[str, Any]], np.ndarray] | None:
    """The arguments of :func:`staffing.confidence.period_probability` for skill ``index``
    (its served rows grouped by day or week), and each group's CV; None without volume."""
    skill = inputs.skills[index]
    rows = _skill_rows(inputs, index)
    served = inputs.is_open[rows] & (inputs.volume[rows] > 0)
    idx = rows[served]
    if idx.size == 0:
        return None
    k = (skill.max_concurrency or 1) if skill.method == CHAT else 1
    h = group_handle_times(inputs.skills, inputs.skill_index, inputs.nht, (skill.method, idx, k))
    settings = SkillRows.of([skill], 1)
    codes = _period_codes(inputs, skill.scope, start)[served]
    group = np.unique(codes, return_inverse=True)[1].ravel()
    n_groups = int(group.max()) + 1
    days = np.ones(n_groups)
    if skill.scope == "week":
        day = calendar.day_codes(inputs.grid)[0][served]
        pairs = np.unique(np.column_stack([group, day]), axis=0)
        days = np.bincount(pairs[:, 0], minlength=n_groups).astype(float)
    arguments = {
        "volume": inputs.volume[idx],
        "handle_time_s": h,
        "interval_s": interval_s,
        "answer_within_s": np.full(idx.size, settings.answer_within_s[0]),
        "patience_s": np.full(idx.size, settings.patience_s[0]),
        "group": group,
        "n_groups": n_groups,
        "service_level": settings.service_level[0],
        "asa_s": settings.asa_s[0],
        "max_abandon": None if skill.method == ERLANG_C else settings.max_abandon[0],
    }
    return (skill.method, agents[idx].astype(float), arguments), confidence.period_cv(cv, days)


def _probability(
    inputs: Inputs, agents: np.ndarray, index: int, cv: float, interval_s: float, start: date
) -> float:
    """The lowest probability, over the plan's days (weeks), that the skill meets its targets."""
    found = _day_arguments(inputs, agents, index, cv, interval_s, start)
    if found is None:
        return float("nan")
    (model, staffed, arguments), period = found
    probability, _ = confidence.period_probability(model, staffed, cv=period, **arguments)
    return float(np.nanmin(probability))


def _reaches(
    inputs: Inputs,
    agents: np.ndarray,
    index: int,
    cv: float,
    wanted: float,
    interval_s: float,
    start: date,
) -> bool:
    """Whether every day (week) of the skill meets its targets with probability ``wanted``:
    each meets them at volume × its ``wanted`` quantile (one evaluation, no search)."""
    found = _day_arguments(inputs, agents, index, cv, interval_s, start)
    if found is None:
        return True
    (model, staffed, arguments), period = found
    level = min(wanted, 1.0 - 1e-12)
    multiplier = confidence.confidence_multiplier(level, period) * (1.0 - 1e-9)
    return bool(np.all(confidence.period_meets(model, staffed, multiplier=multiplier, **arguments)))


def _totals(inputs: Inputs, arrays: dict[str, np.ndarray], index: int, interval_s: float):
    """Agent-hours [h] of skill ``index`` over the plan, and its FTE per week [FTE]
    (FTE-hours per week / ``fte_hours_per_week``)."""
    rows = _skill_rows(inputs, index)
    weeks = len(calendar.day_codes(inputs.grid)[1]) / 7.0
    agent_hours = float(arrays["agents"][rows].sum() * interval_s / 3600.0)
    per_fte = inputs.skills[index].fte_hours_per_week
    return agent_hours, float(arrays["fte_hours"][rows].sum() / weeks / per_fte)


def _buffer(
    alone: Inputs, cv: float, wanted: float, interval_s: float, start: date, low: float
) -> tuple[float, dict[str, np.ndarray]]:
    """The smallest flat uplift whose per-interval staffing reaches ``wanted``, and its arrays.

    The skill of ``alone`` (one skill's inputs) is staffed interval by interval for its own
    targets (scope interval) at forecast × uplift; the uplift is found by bisection above
    ``low`` (the probability grows with it).
    """
    flat = replace(alone.skills[0], scope=INTERVAL, interval_floor=None, confidence=None)

    def staffed(uplift: float) -> dict[str, np.ndarray]:
        return staff(
            replace(alone, skills=[flat], volume=alone.volume * uplift), interval_s, start, None
        )

    high = float(confidence.confidence_multiplier(0.9999, cv))
    best = staffed(high)
    for _ in range(_BUFFER_STEPS):
        mid = (low + high) / 2
        arrays = staffed(mid)
        if _reaches(alone, arrays["agents"], 0, cv, wanted, interval_s, start):
            high, best = mid, arrays
        else:
            low = mid
    return high, best


def _skill_risk(
    alone: Inputs, cv: float, interval_s: float, start: date
) -> list[dict[str, object]]:
    """The rows of :attr:`Plan.risk` of one skill (``alone``: its inputs only)."""
    skill = alone.skills[0]
    records: list[dict[str, object]] = []
    uplift = 0.5  # the buffers grow with the level: each search starts at the last one
    for level in RISK_LEVELS:
        volume = confidence_volume(alone, np.array([cv]), start, {0: level})
        arrays = staff(alone, interval_s, start, None, period_volume=volume)
        reached = _probability(alone, arrays["agents"], 0, cv, interval_s, start)
        uplift, flat = _buffer(alone, cv, reached, interval_s, start, uplift)
        hours, fte = _totals(alone, arrays, 0, interval_s)
        buffer_hours, buffer_fte = _totals(alone, flat, 0, interval_s)
        records.append(
            {
                "skill_id": skill.skill_id,
                "skill_name": skill.skill_name,
                "scope": skill.scope,
                "daily_cv": cv,
                "confidence": level,
                "multiplier": float(confidence.confidence_multiplier(level, cv)),
                "agent_hours": hours,
                "fte_per_week": fte,
                "probability": reached,
                "buffer_uplift": uplift,
                "buffer_agent_hours": buffer_hours,
                "buffer_fte_per_week": buffer_fte,
            }
        )
    return records


def risk_table(
    inputs: Inputs, cv: np.ndarray, interval_s: float, start: date
) -> pd.DataFrame | None:
    """:attr:`staffing.plan.Plan.risk`: the cost of each confidence level, and of a buffer.

    Parameters
    ----------
    inputs : Inputs
        The inputs stage's result.
    cv : ndarray
        Day-level CV per skill (:func:`skill_cv`) [-].
    interval_s : float
        Interval length [s].
    start : date
        The plan's first day.

    Returns
    -------
    DataFrame or None
        One row per day- or week-scope queueing skill with a CV > 0 and confidence level
        (:data:`RISK_LEVELS`), columns :data:`RISK_COLUMNS`; None when no skill qualifies.
    """
    chosen = [i for i, s in enumerate(inputs.skills) if _eligible(s) and cv[i] > 0]
    if not chosen:
        return None
    records: list[dict[str, object]] = []
    for index in chosen:
        records += _skill_risk(_one_skill(inputs, index), float(cv[index]), interval_s, start)
    return pd.DataFrame.from_records(records, columns=list(RISK_COLUMNS))
