"""A skill's queue: which engine a staffing method calls, its handle times, its figures.

One home for three rules every part of the pipeline applies to a skill's queue:

- :func:`handle_times`: the handle time per interval, and for ``chat`` the handle time by
  load, h_j = NHT × j for load j = 1..k unless the skill gives ``handle_time_by_load_s``;
- :func:`required_agents`: the method → engine call for the agents that meet a skill's
  targets (``workload``: the offered load over the occupancy cap);
- :func:`evaluate`: the service level, ASA, abandonment and occupancy of given agents
  (``workload`` has no queue of its own: judged with Erlang C, or Erlang A where the skill
  has a patience).

Arrays in, numpy out; a target that is NaN in every row is "not given" (the engine's
None). The models are in ``docs/models.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from staffing import queueing
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C, WORKLOAD

__all__ = ["QUEUE_FIGURES", "evaluate", "handle_times", "judging_model", "required_agents"]

#: The figures :func:`evaluate` returns, in order.
QUEUE_FIGURES: tuple[str, ...] = ("service_level", "asa_s", "p_abandon", "occupancy")
#: Slack below a whole number of workload agents, so 3.0000000001 stays 3 [-].
_FLOAT_NOISE = 1e-9


def handle_times(
    method: str,
    nht_s: ArrayLike,
    max_concurrency: int | None = None,
    handle_time_by_load_s: Sequence[float] | None = None,
) -> np.ndarray:
    """Handle times the engine takes for a skill's intervals.

    Parameters
    ----------
    method : str
        The skill's method (:data:`staffing.vocabulary.METHODS`).
    nht_s : array_like
        NHT per interval [s], shape (n,).
    max_concurrency : int, optional
        k, the conversations per agent of a ``chat`` skill [-] (1 when not given).
    handle_time_by_load_s : sequence of float, optional
        A ``chat`` skill's measured h_1..h_k [s]; replaces NHT × j.

    Returns
    -------
    ndarray
        ``nht_s`` as floats, shape (n,); for ``chat`` shape (n, k): h_j = NHT × j, or the
        given tuple in every row.
    """
    nht = np.asarray(nht_s, dtype=float)
    if method != CHAT:
        return nht
    if handle_time_by_load_s is not None:
        given = np.asarray(handle_time_by_load_s, dtype=float)
        return np.tile(given, (nht.size, 1))
    k = int(max_concurrency or 1)
    return nht[:, None] * np.arange(1, k + 1, dtype=float)


def judging_model(method: str, patience_s: float | None) -> str:
    """The queueing model that judges a method's staffing.

    Parameters
    ----------
    method : str
        The skill's method.
    patience_s : float, optional
        Mean patience [s]; None or inf for none.

    Returns
    -------
    str
        ``method`` itself, except ``workload``: ``erlang_a`` with a finite patience, else
        ``erlang_c``.
    """
    if method != WORKLOAD:
        return method
    finite = patience_s is not None and bool(np.isfinite(patience_s))
    return ERLANG_A if finite else ERLANG_C


def _given(values: ArrayLike | None) -> np.ndarray | None:
    """None where no row gives a value (the engine's "not given"), else the array."""
    if values is None:
        return None
    array = np.asarray(values, dtype=float)
    return None if np.isnan(array).all() else array


def required_agents(
    method: str,
    *,
    volume: ArrayLike,
    handle_time_s: ArrayLike,
    interval_s: float,
    service_level: ArrayLike | None = None,
    answer_within_s: ArrayLike = 0.0,
    asa_s: ArrayLike | None = None,
    max_abandon: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    patience_s: ArrayLike = np.inf,
) -> np.ndarray:
    """Agents that meet a skill's targets per interval: the method's engine call.

    Parameters
    ----------
    method : str
        The skill's method (:data:`staffing.vocabulary.METHODS`).
    volume : array_like
        Contacts per interval [-].
    handle_time_s : array_like
        Handle time [s], shape (n,), or (n, k) for ``chat`` (:func:`handle_times`).
    interval_s : float
        Interval length [s].
    service_level, asa_s, max_abandon, max_occupancy : array_like, optional
        Targets [-], [s], [-], [-]; NaN in every row (or None) is "not given".
        ``max_abandon`` is ignored by ``erlang_c`` (no abandonment).
    answer_within_s : array_like
        Answer-within time of the service level [s].
    patience_s : array_like
        Mean patience [s] of ``erlang_a`` and ``chat``; inf for none. Ignored by
        ``erlang_c`` and ``workload``.

    Returns
    -------
    ndarray
        Agents per row [-] (float; inf where nothing up to 10^8 agents meets the targets).
        ``workload``: ⌈volume · h / interval_s / max_occupancy⌉ (cap 1 when not given).
    """
    volume = np.asarray(volume, dtype=float)
    h = np.asarray(handle_time_s, dtype=float)
    if method == WORKLOAD:
        occupancy = np.asarray(max_occupancy if max_occupancy is not None else np.nan, dtype=float)
        cap = np.where(np.isnan(occupancy), 1.0, occupancy)
        return np.ceil(volume * h / interval_s / cap - _FLOAT_NOISE)
    queue = method != ERLANG_C  # Erlang C has no patience and no abandonment
    return queueing.required_agents(
        method,
        volume=volume,
        handle_time_s=h,
        interval_s=interval_s,
        service_level=_given(service_level),
        answer_within_s=answer_within_s,
        asa_s=_given(asa_s),
        max_abandon=_given(max_abandon) if queue else None,
        max_occupancy=_given(max_occupancy),
        patience_s=patience_s if queue else None,
    )


def evaluate(
    method: str,
    agents: ArrayLike,
    *,
    volume: ArrayLike,
    handle_time_s: ArrayLike,
    interval_s: float,
    answer_within_s: ArrayLike = 0.0,
    patience_s: ArrayLike = np.inf,
) -> dict[str, np.ndarray]:
    """What given agents achieve in a skill's queue.

    Parameters
    ----------
    method : str
        The skill's method.
    agents : array_like
        On-queue agents per row [-].
    volume : array_like
        Contacts per interval [-].
    handle_time_s : array_like
        Handle time [s], shape (n,), or (n, k) for ``chat`` (:func:`handle_times`).
    interval_s : float
        Interval length [s].
    answer_within_s : array_like
        Answer-within time of the service level [s].
    patience_s : array_like
        Mean patience [s], inf for none. A ``workload`` row with a finite patience is judged
        with Erlang A, the others with Erlang C (:func:`judging_model`).

    Returns
    -------
    dict of str to ndarray
        :data:`QUEUE_FIGURES`: ``service_level`` [-], ``asa_s`` [s], ``p_abandon`` [-],
        ``occupancy`` [-], each of shape (n,).
    """
    agents = np.atleast_1d(np.asarray(agents, dtype=float))
    n = agents.size
    volume = np.broadcast_to(np.asarray(volume, dtype=float), (n,))
    h = np.asarray(handle_time_s, dtype=float)
    h = np.broadcast_to(h, (n, h.shape[-1])) if h.ndim == 2 else np.broadcast_to(h, (n,))
    within = np.broadcast_to(np.asarray(answer_within_s, dtype=float), (n,))
    patience = np.broadcast_to(np.asarray(patience_s, dtype=float), (n,))
    if method == WORKLOAD:
        finite = np.isfinite(patience)
        parts = [(ERLANG_C, ~finite), (ERLANG_A, finite)]
    else:
        parts = [(method, np.ones(n, dtype=bool))]
    out = {name: np.full(n, np.nan) for name in QUEUE_FIGURES}
    for model, mask in parts:
        if not mask.any():
            continue
        result = queueing.evaluate(
            model,
            agents[mask],
            volume=volume[mask],
            handle_time_s=h[mask],
            interval_s=interval_s,
            answer_within_s=within[mask],
            patience_s=None if model == ERLANG_C else patience[mask],
        )
        for name in QUEUE_FIGURES:
            values = np.broadcast_to(np.asarray(result[name], dtype=float), (int(mask.sum()),))
            out[name][mask] = values
    return out
