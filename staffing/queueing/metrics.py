"""The metrics of a given staffing for any model: :func:`evaluate`.

One dispatcher by model name (``erlang_c``, ``erlang_a``, ``chat``) over the Erlang C
formulas and the chain, with the limits of very long patience worked out in closed form.
``docs/models.md`` has the definitions.
"""

from __future__ import annotations

import numpy as np

from staffing.queueing.chain import chain_metrics
from staffing.queueing.erlang import erlang_c_metrics
from staffing.queueing.inputs import (
    MAX_AGENTS,
    PATIENCE_LIMIT,
    ArrayLike,
    as_array,
    check,
    check_load,
    prepare,
)
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C

__all__ = ["QueueMetrics", "evaluate", "model_metrics"]


class QueueMetrics(dict):
    """Metrics of one staffing, as numpy arrays; keys also read as attributes.

    Keys: ``p_wait``, ``service_level``, ``asa_s``, ``p_abandon``, ``occupancy``,
    and for chat ``mean_concurrency``.
    """

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _effective_patience(n, lam, h, theta):
    """Patience with very long values made infinite, and the cells overloaded then.

    Where lambda*theta or mu_q*theta exceeds PATIENCE_LIMIT, abandonment no longer
    changes a stable cell's figures in double precision (see docs/models.md, Numerical
    limits), and the exact sums would run over ~sqrt(lambda*theta) states: theta becomes
    inf. Cells with lambda >= mu_q there are returned as the theta -> inf limit of
    Erlang A instead (``_overloaded_limit``).
    """
    mu_q = n * h.shape[1] / h[:, -1]
    with np.errstate(over="ignore", invalid="ignore"):
        long = np.isfinite(theta) & (np.maximum(lam, mu_q) * theta > PATIENCE_LIMIT)
    eff = np.where(long, np.inf, theta)
    over = long & (lam >= mu_q) & (lam > 0)
    return eff, over


def _overloaded_limit(out, over, n, lam, h, theta):
    """theta -> inf limit of an overloaded cell with patience: the queue grows like
    (lambda - mu_q) theta, every contact waits, the excess abandons, agents are always
    busy; an answered contact waited theta log(lambda / mu_q) (the fluid wait)."""
    k = h.shape[1]
    mu_q = n[over] * k / h[over, -1]
    lam_o = lam[over]
    out["p_wait"][over] = 1.0
    out["service_level"][over] = 0.0
    out["p_abandon"][over] = np.where(mu_q > 0, 1.0 - mu_q / lam_o, 1.0)
    out["occupancy"][over] = np.where(mu_q > 0, 1.0, 1.0)
    if "mean_concurrency" in out:
        out["mean_concurrency"][over] = float(k)
    if "asa_s" in out:
        with np.errstate(divide="ignore"):
            out["asa_s"][over] = np.where(mu_q > 0, theta[over] * np.log(lam_o / mu_q), np.inf)


def model_metrics(
    model: str,
    n: np.ndarray,
    lam: np.ndarray,
    h: np.ndarray,
    theta: np.ndarray,
    t: np.ndarray,
    want_asa: bool = True,
) -> dict[str, np.ndarray]:
    """Metrics of ``n`` agents for any model, on flat checked arrays.

    Parameters
    ----------
    model : str
        One of ``MODELS``.
    n : numpy.ndarray
        Agents per cell [-].
    lam : numpy.ndarray
        Arrival rate [1/s].
    h : numpy.ndarray
        Handle time at each load, shape (cells, k) [s].
    theta : numpy.ndarray
        Mean patience [s] (inf: patient).
    t : numpy.ndarray
        Answer-within time of the service level [s].
    want_asa : bool, default True
        Whether to compute ``asa_s``.

    Returns
    -------
    dict
        The metrics per cell, as :func:`evaluate` returns them.
    """
    if model == ERLANG_C:
        return erlang_c_metrics(n, lam, h[:, 0], t, want_asa)
    theta_eff, over = _effective_patience(n, lam, h, theta)
    if model == ERLANG_A and np.all(np.isinf(theta_eff)):
        out = erlang_c_metrics(n, lam, h[:, 0], t, want_asa)
    else:
        out = chain_metrics(n, lam, h, theta_eff, t, want_asa)
    stable_long = np.isinf(theta_eff) & np.isfinite(theta) & ~over & (lam > 0)
    if np.any(stable_long) and "asa_s" in out:
        # First order in 1/theta: a waiting contact abandons at rate 1/theta, so
        # p_abandon = E[wait] / theta (E[wait] over all contacts = the Erlang C ASA).
        # This keeps p_abandon (and Erlang A occupancy) continuous across the switch.
        wait = out["p_wait"][stable_long] * _erlang_c_wait(out, stable_long)
        out["p_abandon"][stable_long] = np.clip(wait / theta[stable_long], 0.0, 1.0)
        if h.shape[1] == 1:
            sl = stable_long
            out["occupancy"][sl] = np.clip(
                lam[sl] * (1 - out["p_abandon"][sl]) * h[sl, 0] / n[sl], 0.0, 1.0
            )
    if np.any(over):
        _overloaded_limit(out, over, n, lam, h, theta)
    return out


def _erlang_c_wait(out, idx):
    """Mean wait of the contacts that wait, from an Erlang C ``out`` (asa / p_wait)."""
    pw = out["p_wait"][idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pw > 0, out["asa_s"][idx] / np.where(pw > 0, pw, 1.0), 0.0)


def evaluate(
    model: str,
    agents: ArrayLike,
    *,
    volume: ArrayLike,
    handle_time_s: ArrayLike,
    interval_s: ArrayLike = 3600,
    answer_within_s: ArrayLike = 0,
    patience_s: ArrayLike | None = None,
) -> QueueMetrics:
    """Service metrics of a given staffing.

    Parameters
    ----------
    model : {"erlang_c", "erlang_a", "chat"}
        Queueing model.
    agents : array_like
        On-queue agents n >= 0 [-]. Integers for erlang_a and chat; real values allowed
        for erlang_c.
    volume : array_like
        Contacts arriving per interval [-].
    handle_time_s : array_like
        Mean handle time [s]. For chat a sequence ``[h_1 .. h_k]`` along the last axis:
        h_j is the mean handle time of one conversation while its agent holds j.
    interval_s : array_like, default 3600
        Interval length [s].
    answer_within_s : array_like, default 0
        Service-level threshold t [s].
    patience_s : array_like or None, default None
        Mean (exponential) patience [s] for erlang_a and chat; None or inf: infinitely
        patient. Erlang A requires it.

    Returns
    -------
    QueueMetrics
        numpy arrays of the broadcast shape: ``p_wait`` [-], ``service_level`` [-] (share of
        all contacts answered within t; abandoned contacts count against it), ``asa_s`` [s]
        (mean wait of answered contacts), ``p_abandon`` [-], ``occupancy`` [-], and for chat
        ``mean_concurrency`` [conversations per busy agent].

    Raises
    ------
    ValueError
        Unknown model, NaN, negative volume, handle time <= 0, interval <= 0, negative
        threshold, patience <= 0, negative or infinite agents, shapes that do not
        broadcast, non-integer agents for erlang_a or chat, erlang_a without
        ``patience_s`` or erlang_c with a finite one; the message names the argument and
        value.

    Notes
    -----
    Unstable cells (erlang_c with n <= a, or chat without patience with
    lambda >= n k / h_k) give p_wait 1, service level 0, ASA inf and occupancy 1.
    Zero volume gives p_wait 0, service level 1, ASA 0 and occupancy 0.
    """
    if model == ERLANG_A and patience_s is None:
        raise ValueError("erlang_a needs patience_s (mean patience in seconds)")
    n = as_array("agents", agents)
    check("agents", n, np.isfinite(n) & (n >= 0), "finite and >= 0")
    check("agents", n, n <= MAX_AGENTS, f"at most {MAX_AGENTS:.0e}")
    if model != ERLANG_C:
        check("agents", n, n == np.round(n), f"whole numbers for {model}")
    shape, (volume, interval_s, t, theta, nb), hb = prepare(
        model, volume, handle_time_s, interval_s, answer_within_s, patience_s, extra=(n,)
    )
    lam = volume / interval_s
    check_load(lam, hb)
    res = model_metrics(model, nb, lam, hb, theta, t)
    keys = ["p_wait", "service_level", "asa_s", "p_abandon", "occupancy"]
    if model == CHAT:
        keys.append("mean_concurrency")
    return QueueMetrics({key: res[key].reshape(shape) for key in keys})
