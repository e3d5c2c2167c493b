"""The fewest agents meeting service targets for any model: :func:`required_agents`.

A lower bound from the load, a bracket by doubling and a bisection on whole agents (or a
real-valued one for Erlang C), every candidate judged by
:func:`staffing.queueing.metrics.model_metrics`. ``docs/models.md`` has the definitions.
"""

from __future__ import annotations

import numpy as np

from staffing.queueing.inputs import ArrayLike, check_load, prepare, target
from staffing.queueing.metrics import model_metrics
from staffing.vocabulary import ERLANG_A, ERLANG_C

__all__ = ["required_agents"]


_MAX_STEP = 1e8  # an upper bracket beyond this many agents means "target unattainable"


def _feasible(model, n, lam, h, theta, t, targets):
    sl, asa, ab, occ = targets
    res = model_metrics(model, n, lam, h, theta, t, want_asa=asa is not None)
    ok = np.ones(n.size, dtype=bool)
    if sl is not None:
        ok &= np.isnan(sl) | (res["service_level"] >= sl * (1 - 1e-12))
    if asa is not None:
        ok &= np.isnan(asa) | (res["asa_s"] <= asa * (1 + 1e-12))
    if ab is not None:
        ok &= np.isnan(ab) | (res["p_abandon"] <= ab * (1 + 1e-12))
    if occ is not None:
        ok &= np.isnan(occ) | (res["occupancy"] <= occ * (1 + 1e-12))
    # Never accept an unstable cell, whatever the targets say.
    ok &= np.isfinite(theta) | (n * h.shape[1] / h[:, -1] > lam)
    return ok


def required_agents(
    model: str,
    *,
    volume: ArrayLike,
    handle_time_s: ArrayLike,
    interval_s: ArrayLike = 3600,
    service_level: ArrayLike | None = None,
    answer_within_s: ArrayLike = 0,
    asa_s: ArrayLike | None = None,
    max_abandon: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    patience_s: ArrayLike | None = None,
    integer: bool = True,
) -> np.ndarray:
    """Smallest number of agents meeting every target given, per element.

    Parameters
    ----------
    model : {"erlang_c", "erlang_a", "chat"}
        Queueing model (see :func:`evaluate`).
    volume, handle_time_s, interval_s, answer_within_s, patience_s
        As in :func:`evaluate` ([-], [s], [s], [s], [s]).
    service_level : array_like, optional
        Target share of contacts answered within ``answer_within_s``, in (0, 1] [-].
    asa_s : array_like, optional
        Maximum mean wait of answered contacts [s].
    max_abandon : array_like, optional
        Maximum share of contacts abandoning, in (0, 1] [-].
    max_occupancy : array_like, optional
        Maximum occupancy, in (0, 1] [-].
    integer : bool, default True
        Whole agents. With False, erlang_c returns the real-valued minimum (through the
        continuation of Erlang B); other models ignore it.

    Returns
    -------
    numpy.ndarray
        Agents [-], float array of the broadcast shape (whole numbers unless
        ``integer=False``). Zero volume needs 0. Targets are compared with a relative
        tolerance of 1e-12; a target still missed at 10^8 agents gives inf, never a small
        number.

    Raises
    ------
    ValueError
        As in :func:`evaluate`; no target at all; a target out of range. An array target
        may hold NaN elements, meaning "no target" for those elements; a scalar NaN is an
        error.

    Notes
    -----
    Each target is monotone in n, so the search brackets the answer by doubling a step
    from a lower bound known to fail (stability, occupancy), then bisects, over whole
    arrays at once.
    """
    if model == ERLANG_A and patience_s is None:
        raise ValueError("erlang_a needs patience_s (mean patience in seconds)")
    sl = target("service_level", service_level, 0.0, 1.0, "in (0, 1]")
    asa = target("asa_s", asa_s, 0.0, np.inf, "> 0")
    ab = target("max_abandon", max_abandon, 0.0, 1.0, "in (0, 1]")
    occ = target("max_occupancy", max_occupancy, 0.0, 1.0, "in (0, 1]")
    if sl is None and asa is None and ab is None and occ is None:
        raise ValueError(
            "give at least one target: service_level, asa_s, max_abandon or max_occupancy"
        )
    given = [x for x in (sl, asa, ab, occ) if x is not None]
    shape, flat, hb = prepare(
        model, volume, handle_time_s, interval_s, answer_within_s, patience_s, extra=tuple(given)
    )
    volume, interval_s, t, theta = flat[:4]
    rest = iter(flat[4:])
    targets = tuple(next(rest) if x is not None else None for x in (sl, asa, ab, occ))
    lam = volume / interval_s
    check_load(lam, hb)
    result = np.zeros(lam.size)
    work = np.flatnonzero(lam > 0)
    if work.size:
        sub = _solve(model, lam[work], hb[work], theta[work], t[work], _take(targets, work))
        if not integer and model == ERLANG_C:
            sub = _solve_real(lam[work], hb[work, 0], t[work], _take(targets, work), sub)
        result[work] = sub
    return result.reshape(shape)


def _take(targets, idx):
    return tuple(None if x is None else x[idx] for x in targets)


def _lower_bound(lam, h, theta, targets):
    """A number of agents known to fail (the answer is above it), per element; -1 if none."""
    patient = np.isinf(theta)
    load = lam * h[:, -1] / h.shape[1]  # without patience n must exceed this (stability)
    lo = np.where(patient, np.floor(load), -1.0)
    occ = targets[3]
    if occ is not None and h.shape[1] == 1:
        # Without abandonment occupancy is a / n exactly, so n < a / cap fails.
        cap = np.where(np.isnan(occ), 1.0, occ)
        bound = np.ceil(lam * h[:, 0] / cap * (1 - 1e-12)) - 1
        lo = np.where(patient, np.maximum(lo, bound), lo)
    return lo


def _solve(model, lam, h, theta, t, targets):
    """Smallest whole number of agents meeting ``targets`` (flat arrays, lam > 0)."""
    lo = _lower_bound(lam, h, theta, targets)
    if model == ERLANG_C:
        step = np.maximum(1.0, np.ceil(np.sqrt(lam * h[:, 0])))
        start = lo + step
    else:
        start = _erlang_c_guess(lam, h, t, targets)
        step = np.maximum(1.0, np.ceil(np.sqrt(start) / 4))
    lo, hi = _bracket(model, lam, h, theta, t, targets, lo, np.maximum(start, lo + 1), step)
    return _bisect(model, lam, h, theta, t, targets, lo, hi)


def _erlang_c_guess(lam, h, t, targets):
    """Erlang C answer with one server per agent at the full-load rate k / h_k: cheap, and
    close to the answer of erlang_a and chat, whose search then starts there."""
    sl, asa, _, occ = targets
    if sl is None and asa is None and occ is None:
        occ = np.ones(lam.size)
    k = h.shape[1]
    patient = np.full(lam.size, np.inf)
    guess = _solve(ERLANG_C, lam, h[:, -1:] / k, patient, t, (sl, asa, None, occ))
    return np.where(np.isfinite(guess), guess, np.ceil(lam * h[:, -1] / k) + 1)


def _bracket(model, lam, h, theta, t, targets, lo, start, step):
    """Find lo < hi with lo failing and hi meeting every target, starting the search at
    ``start``: upwards by doubling steps where it fails, downwards where it meets them.
    lo becomes inf where nothing up to _MAX_STEP agents meets the targets."""

    def feasible(idx, n):
        return _feasible(model, n, lam[idx], h[idx], theta[idx], t[idx], _take(targets, idx))

    hi = start.copy()
    ok = feasible(np.arange(lam.size), hi)
    up = np.flatnonzero(~ok)
    while up.size:
        lo[up] = hi[up]
        hi[up] += step[up]
        step[up] *= 2.0
        hopeless = step[up] > _MAX_STEP
        lo[up[hopeless]] = np.inf
        up = up[~hopeless]
        up = up[~feasible(up, hi[up])]
    down = np.flatnonzero(ok & (hi - lo > 1))
    while down.size:
        probe = np.maximum(hi[down] - step[down], lo[down] + 1)
        meets = feasible(down, probe)
        lo[down[~meets]] = probe[~meets]
        hi[down[meets]] = probe[meets]
        step[down[meets]] *= 2.0
        down = down[meets]
        down = down[hi[down] - lo[down] > 1]
    return lo, hi


def _bisect(model, lam, h, theta, t, targets, lo, hi):
    """Bisect integer brackets (lo fails, hi meets every target); inf lo = unattainable."""
    answer = np.full(lam.size, np.inf)
    found = np.isfinite(lo)
    active = np.flatnonzero(found & (hi - lo > 1))
    while active.size:
        mid = np.floor((lo[active] + hi[active]) / 2.0)
        ok = _feasible(
            model, mid, lam[active], h[active], theta[active], t[active], _take(targets, active)
        )
        hi[active[ok]] = mid[ok]
        lo[active[~ok]] = mid[~ok]
        active = active[hi[active] - lo[active] > 1]
    answer[found] = hi[found]
    return answer


def _solve_real(lam, h, t, targets, whole):
    """Real-valued minimum for erlang_c by bisection between whole - 1 and whole."""
    a = lam * h
    hi = whole.copy()
    lo = np.maximum(whole - 1.0, a)
    fin = np.isfinite(whole)
    theta = np.full(lam.size, np.inf)
    h2 = h[:, None]
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        ok = _feasible(ERLANG_C, mid, lam, h2, theta, t, targets) & (mid > a)
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
        if np.all(hi[fin] - lo[fin] <= 1e-12 * np.maximum(1.0, hi[fin])):
            break
    return np.where(fin, hi, np.inf)
