"""Analytic bounds of a teams staffing: full pooling below, each skill alone above.

Skills linked by teams (a team holds them, or holds one that another team shares) form a
connected component; components are staffed independently.

- :func:`pooled_agents`, the **pooled bound** of a component: every agent of the component
  holding every one of its skills, one queue in arrival order. Its volume is the skills'
  summed volume, its handle time the volume-weighted mean (per load for chat), its
  abandonment rate the volume-weighted mean of the skills' 1 / patience. In one queue in
  arrival order every contact sees the same wait, so the queue must meet each skill's own
  targets: the bound is the largest of the per-skill requirements on that queue. It is
  the standard starting point of a multi-skill search (Cezik & L'Ecuyer 2008); it is a
  true lower bound when the skills' targets agree (with different targets, giving one
  skill priority can do a little better).
- :func:`split_to_teams`, the **separate bound** per team: each skill's agents staffed
  alone (today's staffing) split evenly over the teams that hold it, the remainder to the
  teams first in order. Every skill keeps at least the agents it needs alone.

Arrays in, numpy out (maths layer); ``docs/models.md`` (Teams) states the rules.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from staffing import skill_queue
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C

__all__ = ["pooled_agents", "pooled_queue", "split_to_teams"]


def pooled_queue(
    volume: np.ndarray, handle_s: np.ndarray, patience_s: Sequence[float | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The one queue of a component: summed volume, mean handle time and patience.

    Parameters
    ----------
    volume : ndarray
        Contacts per skill and interval [-], shape (S, T).
    handle_s : ndarray
        Handle time per skill and interval [s], shape (S, T) or (S, T, K) by load.
    patience_s : sequence of float or None
        Mean patience of each skill [s]; None or inf: never abandons.

    Returns
    -------
    volume : ndarray
        Summed volume per interval [-], shape (T,).
    handle : ndarray
        Volume-weighted handle time [s], shape (T,) or (T, K); where no skill has volume,
        the plain mean of the skills'.
    patience : ndarray
        1 / (volume-weighted mean of 1 / patience) [s], shape (T,); inf where nobody
        abandons.
    """
    volume = np.asarray(volume, dtype=float)
    handle = np.asarray(handle_s, dtype=float)
    total = volume.sum(axis=0)
    weights = np.where(total > 0, volume / np.where(total > 0, total, 1.0), 1.0 / len(volume))
    shaped = weights if handle.ndim == 2 else weights[:, :, None]
    pooled_h = (np.nan_to_num(handle) * shaped).sum(axis=0)
    rates = np.array([0.0 if p is None or not np.isfinite(p) else 1.0 / p for p in patience_s])
    theta = (weights * rates[:, None]).sum(axis=0)
    with np.errstate(divide="ignore"):
        patience = np.where(theta > 0, 1.0 / theta, np.inf)
    return total, pooled_h, patience


def _model(methods: Sequence[str], patience: np.ndarray) -> str:
    """The pooled queue's model: chat, Erlang A where anyone abandons, else Erlang C."""
    if CHAT in methods:
        return CHAT
    return ERLANG_A if np.isfinite(patience).any() else ERLANG_C


def pooled_agents(
    methods: Sequence[str],
    volume: np.ndarray,
    handle_s: np.ndarray,
    interval_s: float,
    *,
    service_level: Sequence[float | None],
    answer_within_s: Sequence[float],
    asa_s: Sequence[float | None],
    max_abandon: Sequence[float | None],
    max_occupancy: Sequence[float | None],
    patience_s: Sequence[float | None],
) -> np.ndarray:
    """The pooled bound of one component: agents per interval.

    Parameters
    ----------
    methods : sequence of str
        Each skill's method (``erlang_c``, ``erlang_a`` or ``chat``; one kind per
        component, as the config's teams allow).
    volume : ndarray
        Contacts per skill and interval [-], shape (S, T).
    handle_s : ndarray
        Handle time [s], (S, T), or (S, T, K) for chat by load.
    interval_s : float
        Interval length [s].
    service_level, answer_within_s, asa_s, max_abandon, max_occupancy : sequences
        Each skill's targets [-], [s], [s], [-], [-]; None: not given.
    patience_s : sequence of float or None
        Each skill's mean patience [s]; None: never abandons.

    Returns
    -------
    ndarray
        Agents per interval [-] (float, whole numbers; 0 where nothing arrives; inf where
        no staffing meets a target), shape (T,).
    """
    total, h, patience = pooled_queue(volume, handle_s, patience_s)
    model = _model(methods, patience)
    busy = total > 0
    out = np.zeros(total.shape)
    if not busy.any():
        return out

    def given(value: float | None) -> np.ndarray:
        return np.full(int(busy.sum()), np.nan if value is None else float(value))

    for s in range(len(methods)):
        if not (np.asarray(volume[s]) > 0).any():
            continue
        need = skill_queue.required_agents(
            model,
            volume=total[busy],
            handle_time_s=h[busy],
            interval_s=interval_s,
            service_level=given(service_level[s]),
            answer_within_s=float(answer_within_s[s]),
            asa_s=given(asa_s[s]),
            max_abandon=given(max_abandon[s]) if methods[s] != ERLANG_C else None,
            max_occupancy=given(max_occupancy[s]),
            patience_s=patience[busy],
        )
        out[busy] = np.maximum(out[busy], need)
    return out


def split_to_teams(skill_agents: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """Each skill's agents split evenly over the teams that hold it.

    Parameters
    ----------
    skill_agents : ndarray
        Agents of each skill staffed alone [-], whole numbers, shape (S, T).
    membership : ndarray of bool
        Shape (S, R): True where team r holds skill s.

    Returns
    -------
    ndarray of int64
        Agents per team and interval, shape (R, T): skill s's a agents give each of its
        m teams ⌊a / m⌋, and one more to the first a mod m of them (in team order). The
        column sums equal the skills' sums over skills held by some team.
    """
    agents = np.asarray(skill_agents, dtype=np.int64)
    member = np.asarray(membership, dtype=bool)
    out = np.zeros((member.shape[1], agents.shape[1]), dtype=np.int64)
    for s in range(member.shape[0]):
        teams = np.flatnonzero(member[s])
        if teams.size == 0:
            continue
        share, rest = np.divmod(agents[s], teams.size)
        for rank, r in enumerate(teams):
            out[r] += share + (rank < rest)
    return out
