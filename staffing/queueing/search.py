"""The fewest agents meeting service targets for any model: :func:`required_agents`.

Erlang C walks from a square-root-staffing start with the Erlang B recurrence; erlang_a
and chat search whole agents from the load and the Erlang C answer, interpolating the
targets' margins, every candidate judged by
:func:`staffing.queueing.metrics.model_metrics`; a real-valued Erlang C answer is bisected
below the whole one. ``docs/models.md`` has the definitions and the speed.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from staffing.queueing.erlang import log_erlang_b
from staffing.queueing.inputs import ArrayLike, check_load, prepare, target
from staffing.queueing.metrics import model_metrics
from staffing.vocabulary import ERLANG_A, ERLANG_C

__all__ = ["required_agents"]


_MAX_STEP = 1e8  # an upper bracket beyond this many agents means "target unattainable"


_WALK_STEPS = 40  # one-agent steps of the Erlang C walk before the bracket takes over


_LOG_B_FLOOR = -600.0  # below this log B(n0, a) the walk's recurrence could underflow


def _feasible(model, n, lam, h, theta, t, targets, margin=False):
    """Whether n agents meet every target; with ``margin``, also the smallest margin.

    The margin of a target is log(target / achieved) (for the service level, of the
    shares missed), >= 0 where met and rising with n; it only guides the search.
    """
    sl, asa, ab, occ = targets
    res = model_metrics(model, n, lam, h, theta, t, want_asa=asa is not None)
    ok = np.ones(n.size, dtype=bool)
    worst = np.full(n.size, np.inf)
    checks = [(sl, "service_level", False), (asa, "asa_s", True)]
    checks += [(ab, "p_abandon", True), (occ, "occupancy", True)]
    for goal, key, below in checks:
        if goal is None:
            continue
        got = res[key]
        if below:
            ok &= np.isnan(goal) | (got <= goal * (1 + 1e-12))
        else:
            ok &= np.isnan(goal) | (got >= goal * (1 - 1e-12))
        if margin:
            # a tiny achieved figure overflows goal / got: an infinite margin, as meant
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                m = np.log(goal / got) if below else np.log1p(-goal) - np.log1p(-got)
            worst = np.minimum(worst, np.where(np.isnan(goal), np.inf, m))
    # Never accept an unstable cell, whatever the targets say.
    stable = np.isfinite(theta) | (n * h.shape[1] / h[:, -1] > lam)
    ok &= stable
    if margin:
        return ok, np.where(stable, worst, -np.inf)
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
    if model == ERLANG_C:
        return _solve_erlang_c(lam, h, t, targets)
    return _solve_bracketed(model, lam, h, theta, t, targets)


def _solve_bracketed(model, lam, h, theta, t, targets):
    """:func:`_solve` by :func:`_search`, every candidate evaluated afresh."""
    lo = _lower_bound(lam, h, theta, targets)
    if model == ERLANG_C:
        step = np.maximum(1.0, np.ceil(np.sqrt(lam * h[:, 0])))
        start = lo + step
    else:
        start = _erlang_c_guess(lam, h, t, targets)
        step = np.maximum(1.0, np.ceil(np.sqrt(start) / 2))
        # The answer of erlang_a and chat lies mostly between the load and the Erlang C
        # guess: probing the load first lets the second round interpolate between them.
        load = np.ceil(lam * h[:, -1] / h.shape[1])
        return _search(
            model, lam, h, theta, t, targets, lo, start, step, np.minimum(load, start - 1)
        )
    return _search(model, lam, h, theta, t, targets, lo, start, step)


def _erlang_c_guess(lam, h, t, targets):
    """Erlang C answer with one server per agent at the full-load rate k / h_k: cheap, and
    close to the answer of erlang_a and chat, whose search then starts there."""
    sl, asa, _, occ = targets
    if sl is None and asa is None and occ is None:
        occ = np.ones(lam.size)
    k = h.shape[1]
    guess = _solve_erlang_c(lam, h[:, -1:] / k, t, (sl, asa, None, occ))
    return np.where(np.isfinite(guess), guess, np.ceil(lam * h[:, -1] / k) + 1)


def _solve_erlang_c(lam, h, t, targets):
    """Smallest whole number of Erlang C agents: a walk from the square-root staffing.

    Erlang B is evaluated once per cell, at the square-root-staffing guess n0 (Halfin and
    Whitt 1981); the walk then steps one agent at a time, up where n0 misses a target and
    down where it meets them all, with the exact recurrences of Erlang B,
    B(n+1) = a B(n) / (n + 1 + a B(n)) and B(n-1) = n B(n) / (a (1 - B(n))), until the
    answer is found: the first agent count meeting every target, after one that misses
    (or after the stability bound). Cells that would need more than ``_WALK_STEPS``
    steps, or whose B(n0) is too small for the recurrence, are solved by
    :func:`_solve_bracketed` instead, so the answer never depends on the guess.
    """
    a = lam * h[:, 0]
    patient = np.full(lam.size, np.inf)
    lo = _lower_bound(lam, h, patient, targets)
    n = np.maximum(_sqrt_staffing(a, h[:, 0], t, targets), lo + 1)
    log_b = log_erlang_b(n, a)
    answer = np.full(lam.size, np.nan)
    walk = np.flatnonzero(log_b > _LOG_B_FLOOR)
    b = np.exp(log_b[walk])
    n = n[walk]
    ok = _erlang_c_meets(n, b, lam[walk], h[walk, 0], t[walk], _take(targets, walk))
    for up, idx, nn, bb in ((True, walk[~ok], n[~ok], b[~ok]), (False, walk[ok], n[ok], b[ok])):
        found, value = _walk(up, nn, bb, lo[idx], lam[idx], h[idx, 0], t[idx], _take(targets, idx))
        answer[idx[found]] = value
    rest = np.flatnonzero(np.isnan(answer))
    if rest.size:
        answer[rest] = _solve_bracketed(
            ERLANG_C, lam[rest], h[rest], patient[rest], t[rest], _take(targets, rest)
        )
    return answer


def _walk(up, n, b, lo, lam, h, t, targets):
    """Walk one agent at a time from n (B(n, a) = b): up to the first count meeting every
    target, or down to the last one (the next below misses one, or is at ``lo``).
    Returns (found per cell, the answer where found)."""
    a = lam * h
    answer = np.full(n.size, np.nan)
    active = np.arange(n.size)
    if not up:
        answer[:] = n
    for _ in range(_WALK_STEPS):
        if not active.size:
            break
        na, ba = n[active], b[active]
        if up:
            ba = a[active] * ba / (na + 1.0 + a[active] * ba)
            na = na + 1.0
        else:
            below = na - 1.0 <= lo[active]
            active, na, ba = active[~below], na[~below], ba[~below]
            ba = na * ba / (a[active] * (1.0 - ba))
            na = na - 1.0
        meets = _erlang_c_meets(na, ba, lam[active], h[active], t[active], _take(targets, active))
        n[active], b[active] = na, ba
        if up:
            answer[active[meets]] = na[meets]
            active = active[~meets]
        else:
            answer[active[meets]] = na[meets]
            active = active[meets]
    found = ~np.isnan(answer)
    if active.size:
        found[active] = False
    return found, answer[found]


def _erlang_c_meets(n, b, lam, h, t, targets):
    """Whether n agents meet every target of Erlang C, given B(n, a) = b (flat arrays)."""
    sl, asa, _, occ = targets  # Erlang C abandons nobody: every max_abandon is met
    a = lam * h
    ok = n / h > lam  # stable, as in _feasible
    gap = np.where(ok, n - a, 1.0)
    c = n * b / (gap + a * b)
    if sl is not None:
        with np.errstate(over="ignore"):
            level = 1.0 - c * np.exp(-gap * t / h)
        ok &= np.isnan(sl) | (level >= sl * (1 - 1e-12))
    if asa is not None:
        ok &= np.isnan(asa) | (c * h / gap <= asa * (1 + 1e-12))
    if occ is not None:
        ok &= np.isnan(occ) | (a / np.where(n > 0, n, 1.0) <= occ * (1 + 1e-12))
    return ok


def _sqrt_staffing(a, h, t, targets):
    """Square-root staffing n = ceil(a + beta sqrt(a)), beta from the Halfin-Whitt limit.

    In that limit P(wait) = alpha(beta) = 1 / (1 + beta Phi(beta) / phi(beta)) (Halfin
    and Whitt 1981), so the service level is 1 - alpha e^(-beta sqrt(a) t / h) and the
    ASA alpha h / (beta sqrt(a)); beta is solved for each target by a few Newton steps
    and the largest is taken. Only a start: :func:`_walk` finds the exact answer.
    """
    sl, asa, _, _ = targets
    root = np.sqrt(a)
    beta = np.zeros(a.size)
    if sl is not None:
        s = root * t / h
        goal = np.log1p(-np.minimum(np.where(np.isnan(sl), 0.0, sl), 1.0 - 1e-15))
        x = np.zeros(a.size)
        for _ in range(6):  # F(x) = -log alpha(x) + x s + goal rises from goal < 0
            log_inv, slope = _halfin_whitt(x)
            x = np.clip(x - (log_inv + x * s + goal) / (slope + s), 0.0, 8.0)
        beta = np.maximum(beta, x)
    if asa is not None:
        goal = np.log(np.where(np.isnan(asa), np.inf, asa) * root / h)
        x = np.ones(a.size)
        for _ in range(6):  # G(x) = -log alpha(x) + log x + goal rises from -inf
            log_inv, slope = _halfin_whitt(x)
            x = np.clip(x - (log_inv + np.log(x) + goal) / (slope + 1.0 / x), 1e-3, 8.0)
        beta = np.maximum(beta, np.where(np.isnan(asa), 0.0, x))
    return np.ceil(a + beta * root)


def _halfin_whitt(x):
    """-log alpha(x) = log(1 + x R(x)), R = Phi / phi, and its derivative in x (0 <= x <= 8)."""
    r = special.ndtr(x) * np.sqrt(2 * np.pi) * np.exp(0.5 * x * x)
    one = 1.0 + x * r
    return np.log(one), (r + x + x * x * r) / one


def _search(model, lam, h, theta, t, targets, lo, start, step, second=None):
    """Smallest whole number of agents meeting ``targets``, searched from ``start``.

    ``lo`` fails for certain (a bound, not evaluated); with ``second``, the first round
    probes ``second`` and the next one ``start``. Each round evaluates one candidate
    per cell and keeps the closest count known to fail (lo) and to meet every target
    (hi), with their margins (:func:`_feasible`). The next candidate is interpolated
    where both margins are known, extrapolated (secant) from the last two candidates
    where only one side is, and a doubling step away otherwise; a cell is done when
    hi = lo + 1. Margins only choose candidates: every answer is a count evaluated as
    meeting the targets next to one evaluated (or bounded) as failing. lo becomes inf
    (unattainable) where even _MAX_STEP agents miss a target.
    """
    hi = np.full(lam.size, np.inf)
    m_lo = np.full(lam.size, np.nan)
    m_hi = np.full(lam.size, np.nan)
    last = np.full((2, lam.size), np.nan)  # the previous candidate and its margin
    streak = np.zeros(lam.size)  # rounds in a row that moved hi (> 0) or lo (< 0)
    cand = np.maximum(start, lo + 1)
    then = None
    if second is not None:  # probe ``second`` first, then ``start``
        then, cand = cand, np.maximum(second, lo + 1)
    active = np.arange(lam.size)
    while active.size:
        n = cand[active]
        ok, margin = _feasible(
            model, n, lam[active], h[active], theta[active], t[active], _take(targets, active), True
        )
        for side, bound, mar, sign in ((ok, hi, m_hi, 1.0), (~ok, lo, m_lo, -1.0)):
            idx = active[side]
            bound[idx] = n[side]
            mar[idx] = margin[side]
            streak[idx] = np.where(streak[idx] * sign > 0, streak[idx] + sign, sign)
        nxt, stepped = _next_candidate(
            n,
            margin,
            last[:, active],
            lo[active],
            hi[active],
            m_lo[active],
            m_hi[active],
            step[active],
            streak[active],
        )
        last[:, active] = n, margin
        step[active[stepped]] *= 2.0
        if then is not None:
            nxt = np.where(
                (then[active] > lo[active]) & (then[active] < hi[active]), then[active], nxt
            )
            then = None
        cand[active] = nxt
        hopeless = np.isinf(hi[active]) & (lo[active] >= _MAX_STEP)
        lo[active[hopeless]] = np.inf
        active = active[~hopeless & (hi[active] - lo[active] > 1)]
    return np.where(np.isfinite(lo), hi, np.inf)


def _next_candidate(n, margin, last, lo, hi, m_lo, m_hi, step, streak):
    """The next candidate of :func:`_search` per cell, and where it was a doubling step."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # within the bracket: where the margin crosses 0 between lo and hi
        inner = lo + (hi - lo) * (-m_lo) / (m_hi - m_lo)
        inner = np.where(np.abs(streak) >= 3, 0.5 * (lo + hi), inner)  # one-sided: bisect
        # outside it: the secant through the last two candidates
        slope = (margin - last[1]) / (n - last[0])
        root = n - 1.5 * margin / slope  # 1.5: margins are convex in n far from the root
    bracketed = np.isfinite(m_lo) & np.isfinite(m_hi) & (m_hi > m_lo) & np.isfinite(inner)
    # after five one-sided rounds the doubling step takes over, so the search ends
    secant = ~bracketed & np.isfinite(root) & (slope > 0) & np.isfinite(margin)
    secant &= np.abs(streak) < 6
    up = np.isinf(hi)
    # land just below the root when coming down (to fail), on it when going up (to meet)
    guess = np.where(bracketed, np.ceil(inner), np.where(up, np.ceil(root), np.ceil(root) - 1))
    stepped = ~bracketed & ~secant
    guess = np.where(stepped, np.where(up, lo + step, hi - step), guess)
    top = np.where(up, np.maximum(lo + 1, np.minimum(lo + 4 * step, _MAX_STEP)), hi - 1)
    return np.clip(guess, lo + 1, top), stepped


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
