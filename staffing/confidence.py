"""Staffing to a confidence level: the probability that a day (week) meets its targets.

With forecast error the actual volume of every interval of a day is the forecast times
one day multiplier :math:`M` (:mod:`staffing.forecast.day_multiplier`: lognormal, mean 1,
coefficient of variation ``cv``). For fixed agents, scaling every interval's volume by
:math:`m` lowers each interval's service level and raises its abandonment, so the day's
volume-weighted figures (whose weights :math:`v_t m / \\sum v m` do not depend on
:math:`m`) get worse as :math:`m` grows. The day therefore meets its targets exactly for
:math:`m \\le m^*`, and

.. math::

    P(\\text{day meets its targets}) = P(M \\le m^*)
    = \\Phi\\big((\\ln m^* + \\sigma^2/2)/\\sigma\\big).

:func:`period_probability` finds :math:`m^*` of every group by bisection (evaluating
the day with :func:`staffing.daily.group_metrics` at volume × m). It follows that a
staffing reaches confidence :math:`c` if and only if the day meets its targets at
volume × :math:`q_c`, the :math:`c` quantile of :math:`M` (:func:`confidence_multiplier`):
the fewest agent-hours at confidence :math:`c` are the day-scope optimiser's
(:func:`staffing.daily.fewest_hours`) at that volume. docs/models.md, "Staffing to a
confidence level", states what is proven (the ASA target is not monotone in :math:`m` by
proof; it is checked at every step of the bisection's bracket).

A week's error is the mean of its days' independent multipliers; it is approximated by one
lognormal multiplier with the same mean (1) and variance (cv² / days) (Fenton-Wilkinson
moment matching), :func:`period_cv`.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from staffing import daily
from staffing.forecast import day_multiplier

__all__ = ["confidence_multiplier", "period_cv", "period_meets", "period_probability"]

#: Bisection steps over the standard normal z in [-_Z_RANGE, _Z_RANGE]: the bracket ends
#: 16 · 2^-30 ≈ 1.5e-8 wide, so the probability is within 1e-8.
_STEPS = 30
_Z_RANGE = 8.0
#: Relative slack of a target comparison (floating-point sums), as in staffing.daily.
_TOLERANCE = 1e-9


def period_cv(cv: ArrayLike, days: ArrayLike) -> NDArray[np.float64]:
    """CV of a period's mean multiplier: ``cv / sqrt(days)`` (independent days).

    Parameters
    ----------
    cv : array_like of float
        Coefficient of variation of a day's volume [-].
    days : array_like of int
        Days of the period with volume (1 for a day) [-], at least 1.

    Returns
    -------
    ndarray of float
        The CV of the mean of ``days`` independent multipliers with CV ``cv`` [-].
    """
    count = np.asarray(days, dtype=float)
    if np.any(count < 1):
        raise ValueError(f"days must be at least 1, got {count!r}")
    return np.asarray(cv, dtype=float) / np.sqrt(count)


def confidence_multiplier(confidence: ArrayLike, cv: ArrayLike) -> NDArray[np.float64]:
    """The volume multiplier a period is staffed for to meet its targets with ``confidence``.

    Parameters
    ----------
    confidence : array_like of float
        Probability that the period meets its targets, in (0, 1).
    cv : array_like of float
        CV of the period's multiplier [-] (:func:`period_cv` for a week); 0 gives 1.

    Returns
    -------
    ndarray of float
        :math:`q_c`, the ``confidence`` quantile of the multiplier [-].
    """
    return day_multiplier.quantile(confidence, cv)


def _meets(
    metrics: dict[str, np.ndarray],
    service_level: np.ndarray,
    asa_s: np.ndarray,
    max_abandon: np.ndarray,
) -> np.ndarray:
    """Whether each group meets every target it has (NaN: no such target)."""
    slack = _TOLERANCE
    with np.errstate(invalid="ignore"):
        ok = ~(metrics["service_level"] < service_level - slack)
        ok &= ~(metrics["p_abandon"] > max_abandon + slack)
        ok &= ~(metrics["asa_s"] > asa_s * (1 + slack))
    return ok


def period_meets(
    model: str,
    agents: np.ndarray,
    *,
    volume: np.ndarray,
    handle_time_s: np.ndarray,
    interval_s: float,
    answer_within_s: np.ndarray,
    patience_s: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    multiplier: ArrayLike,
    service_level: ArrayLike | None = None,
    asa_s: ArrayLike | None = None,
    max_abandon: ArrayLike | None = None,
) -> NDArray[np.bool_]:
    """Whether each group meets all its targets when its volume is scaled by ``multiplier``.

    Parameters
    ----------
    model : {"erlang_c", "erlang_a", "chat"}
        Queueing model of :func:`staffing.queueing.evaluate`.
    agents, volume, answer_within_s, patience_s : ndarray
        Per interval (rows): agents [-], forecast contacts [-], threshold [s], patience [s]
        (inf: none).
    handle_time_s : ndarray
        Per interval [s] (chat: (rows, k)).
    interval_s : float
        Interval length [s].
    group, n_groups : ndarray, int
        Group code of each row (0 .. n_groups − 1).
    multiplier : array_like of float
        Each group's volume multiplier [-] (scalar or shape (n_groups,)).
    service_level, asa_s, max_abandon : array_like, optional
        Each group's targets, as for :func:`period_probability`. A group without volume
        counts as meeting them.

    Returns
    -------
    ndarray of bool
        Per group.
    """
    group = np.asarray(group, dtype=np.int64)
    scale = np.broadcast_to(np.asarray(multiplier, dtype=float), (n_groups,))
    targets = [
        np.broadcast_to(np.nan if t is None else np.asarray(t, dtype=float), (n_groups,))
        for t in (service_level, asa_s, max_abandon)
    ]
    metrics = daily.group_metrics(
        model,
        agents,
        volume=np.asarray(volume, dtype=float) * scale[group],
        handle_time_s=handle_time_s,
        interval_s=interval_s,
        answer_within_s=answer_within_s,
        patience_s=patience_s,
        group=group,
        n_groups=n_groups,
    )
    has_volume = np.isfinite(metrics["service_level"])
    return _meets(metrics, *targets) | ~has_volume


def _distinct_groups(group: np.ndarray, n_groups: int, *columns: np.ndarray) -> np.ndarray:
    """For every group, the first group with exactly the same rows (itself when unique)."""
    size = group.size
    matrix = np.ascontiguousarray(
        np.column_stack([np.asarray(c, dtype=float).reshape(size, -1) for c in columns])
    )
    keys = matrix.view(np.dtype((np.void, matrix.dtype.itemsize * matrix.shape[1]))).ravel()
    codes = np.unique(keys, return_inverse=True)[1].ravel().astype(np.int64)
    bounds = np.r_[0, np.flatnonzero(np.diff(group)) + 1, size]
    seen: dict[bytes, int] = {}
    first = np.arange(n_groups)
    for start, stop in itertools.pairwise(bounds):
        code = int(group[start])
        first[code] = seen.setdefault(codes[start:stop].tobytes(), code)
    return first


def period_probability(
    model: str,
    agents: np.ndarray,
    *,
    volume: np.ndarray,
    handle_time_s: np.ndarray,
    interval_s: float,
    answer_within_s: np.ndarray,
    patience_s: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    cv: ArrayLike,
    service_level: ArrayLike | None = None,
    asa_s: ArrayLike | None = None,
    max_abandon: ArrayLike | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The probability that each group (a day or week) meets its targets, with forecast error.

    Parameters
    ----------
    model : {"erlang_c", "erlang_a", "chat"}
        Queueing model of :func:`staffing.queueing.evaluate`.
    agents, volume, answer_within_s, patience_s : ndarray
        Per interval (rows): agents [-], forecast contacts [-], threshold [s], patience [s]
        (inf: none).
    handle_time_s : ndarray
        Per interval [s] (chat: (rows, k)).
    interval_s : float
        Interval length [s].
    group, n_groups : ndarray, int
        Group code of each row (0 .. n_groups − 1).
    cv : array_like of float
        CV of each group's multiplier [-] (scalar or shape (n_groups,)).
    service_level, asa_s, max_abandon : array_like, optional
        Each group's targets (scalar or shape (n_groups,); NaN or None: none): the
        volume-weighted service level [-], the mean wait of the answered [s], the share
        abandoning [-].

    Returns
    -------
    probability : ndarray
        :math:`P(M \\le m^*)` per group [-] (NaN for a group without volume).
    threshold : ndarray
        :math:`m^*`, the largest multiplier at which the group meets its targets [-]
        (0 when it misses them at any volume, inf when it meets them at every volume
        searched, :math:`\\Phi(\\pm 8)`).
    """
    shape = np.broadcast_to(day_multiplier.sigma(cv), (n_groups,)).astype(float)
    group = np.asarray(group, dtype=np.int64)
    if np.any(np.diff(group) < 0):
        raise ValueError("group must be non-decreasing (rows grouped by day or week)")
    targets = [
        np.broadcast_to(np.nan if t is None else np.asarray(t, dtype=float), (n_groups,))
        for t in (service_level, asa_s, max_abandon)
    ]
    first = _distinct_groups(
        group,
        n_groups,
        agents,
        volume,
        handle_time_s,
        answer_within_s,
        patience_s,
        shape[group],
        *(t[group] for t in targets),
    )
    if np.any(first != np.arange(n_groups)):  # identical days (weeks) solved once
        unique, slot = np.unique(first, return_inverse=True)
        keep = np.isin(group, unique)
        probability, threshold = period_probability(
            model,
            np.asarray(agents)[keep],
            volume=np.asarray(volume)[keep],
            handle_time_s=np.asarray(handle_time_s)[keep],
            interval_s=interval_s,
            answer_within_s=np.asarray(answer_within_s)[keep],
            patience_s=np.asarray(patience_s)[keep],
            group=np.searchsorted(unique, group[keep]),
            n_groups=unique.size,
            cv=np.broadcast_to(np.asarray(cv, dtype=float), (n_groups,))[unique],
            service_level=targets[0][unique],
            asa_s=targets[1][unique],
            max_abandon=targets[2][unique],
        )
        return probability[slot], threshold[slot]
    has_volume = np.bincount(group, weights=np.asarray(volume, float), minlength=n_groups) > 0

    def meets(z: np.ndarray) -> np.ndarray:
        return period_meets(
            model,
            agents,
            volume=volume,
            handle_time_s=handle_time_s,
            interval_s=interval_s,
            answer_within_s=answer_within_s,
            patience_s=patience_s,
            group=group,
            n_groups=n_groups,
            multiplier=np.exp(shape * z - shape**2 / 2),
            service_level=service_level,
            asa_s=asa_s,
            max_abandon=max_abandon,
        )

    low = np.full(n_groups, -_Z_RANGE)
    high = np.full(n_groups, _Z_RANGE)
    ok_low, ok_high = meets(low), meets(high)
    for _ in range(_STEPS):
        mid = (low + high) / 2
        ok = meets(mid)
        low = np.where(ok, mid, low)
        high = np.where(ok, high, mid)
    z = np.where(ok_high, np.inf, np.where(ok_low, low, -np.inf))
    exact = shape == 0.0  # no forecast error: the day meets its targets at m = 1 or not
    z = np.where(exact, np.where(meets(np.zeros(n_groups)), np.inf, -np.inf), z)
    with np.errstate(over="ignore", invalid="ignore"):
        threshold = np.where(z == np.inf, np.inf, np.exp(shape * z - shape**2 / 2))
    threshold = np.where(z == -np.inf, 0.0, threshold)
    return np.where(has_volume, special.ndtr(z), np.nan), threshold
