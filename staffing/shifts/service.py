"""The service a schedule achieves per skill, through the queueing engine.

Each skill is judged on its own queue with the whole on-queue agents it is given (the plan's
rules: a chat skill's handle time by load, a workload skill judged with Erlang C, or Erlang
A when it has a patience); a skill group's figure is a weighted mean of its skills'.
"""

from __future__ import annotations

import numpy as np

from staffing import queueing
from staffing.config import ResolvedSkill
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C, WORKLOAD

__all__ = ["METRICS", "achieved_service", "handle_times_by_load", "queue_model", "weighted_mean"]

#: What :func:`achieved_service` returns per interval, in order.
METRICS = ("service_level", "asa_s", "p_abandon", "occupancy")


def handle_times_by_load(skill: ResolvedSkill, nht: np.ndarray) -> np.ndarray:
    """A chat skill's handle time at each load j = 1..k per interval [s].

    ``handle_time_by_load_seconds`` when configured, else NHT × j.

    Parameters
    ----------
    skill : ResolvedSkill
        The skill (``max_concurrency`` k, ``handle_time_by_load_s``).
    nht : numpy.ndarray
        Net handle time per interval [s].

    Returns
    -------
    numpy.ndarray
        Shape (intervals, k) [s].
    """
    k = int(skill.max_concurrency or 1)
    if skill.handle_time_by_load_s is not None:
        return np.broadcast_to(np.asarray(skill.handle_time_by_load_s), (nht.size, k))
    return nht[:, None] * np.arange(1, k + 1, dtype=float)


def queue_model(skill: ResolvedSkill) -> str:
    """The engine model a skill's service is judged with.

    Workload has no queue of its own: it is judged as the plan judges it, with Erlang C,
    or Erlang A when the skill has a patience.

    Parameters
    ----------
    skill : ResolvedSkill
        The skill.

    Returns
    -------
    str
        ``erlang_c``, ``erlang_a`` or ``chat``.
    """
    if skill.method != WORKLOAD:
        return skill.method
    return ERLANG_A if skill.patience_s is not None else ERLANG_C


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
    model = queue_model(skill)
    h = handle_times_by_load(skill, nht[idx]) if skill.method == CHAT else nht[idx]
    extra = {"patience_s": skill.patience_s} if model != ERLANG_C else {}
    result = queueing.evaluate(
        model,
        agents[idx],
        volume=volume[idx],
        handle_time_s=h,
        interval_s=interval_s,
        answer_within_s=skill.answer_within_s,
        **extra,
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
