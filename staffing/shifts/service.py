"""The service a schedule achieves per skill, through the queueing engine.

Each skill is judged on its own queue with the whole on-queue agents it is given, by the
plan's rules (:mod:`staffing.skill_queue`: a chat skill's handle time by load, a workload
skill judged with Erlang C, or Erlang A when it has a patience); a skill group's figure is
a weighted mean of its skills'.
"""

from __future__ import annotations

import numpy as np

from staffing import skill_queue
from staffing.config import ResolvedSkill

__all__ = ["METRICS", "achieved_service", "weighted_mean"]

#: What :func:`achieved_service` returns per interval, in order.
METRICS = ("service_level", "asa_s", "p_abandon", "occupancy")


def achieved_service(
    skill: ResolvedSkill,
    agents: np.ndarray,
    volume: np.ndarray,
    nht: np.ndarray,
    served: np.ndarray,
    interval_s: float,
) -> dict[str, np.ndarray]:
    """What ``agents`` on queue achieve for one skill (NaN where no contact is served).

    Parameters
    ----------
    skill : ResolvedSkill
        The skill's settings.
    agents : numpy.ndarray
        Whole on-queue agents per interval [-].
    volume : numpy.ndarray
        Contacts per interval [-].
    nht : numpy.ndarray
        Net handle time per interval [s].
    served : numpy.ndarray of bool
        Intervals open with volume.
    interval_s : float
        Interval length [s].

    Returns
    -------
    dict
        :data:`METRICS` per interval: service level [-], ASA [s], P(abandon) [-],
        occupancy [-].
    """
    out = {k: np.full(agents.shape, np.nan) for k in METRICS}
    idx = np.flatnonzero(served)
    if idx.size == 0:
        return out
    h = skill_queue.handle_times(
        skill.method, nht[idx], skill.max_concurrency, skill.handle_time_by_load_s
    )
    result = skill_queue.evaluate(
        skill.method,
        agents[idx],
        volume=volume[idx],
        handle_time_s=h,
        interval_s=interval_s,
        answer_within_s=skill.answer_within_s,
        patience_s=np.inf if skill.patience_s is None else skill.patience_s,
    )
    for key in out:
        out[key][idx] = np.asarray(result[key], dtype=float)
    return out


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over axis 0 where the value is not NaN and the weight positive.

    Parameters
    ----------
    values : numpy.ndarray
        Values per skill and interval.
    weights : numpy.ndarray
        Their weights, same shape.

    Returns
    -------
    numpy.ndarray
        Per interval; NaN where no weight counts.
    """
    ok = ~np.isnan(values) & (weights > 0)
    w = np.where(ok, weights, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = np.where(ok, values * w, 0.0).sum(axis=0)
        den = w.sum(axis=0)
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
