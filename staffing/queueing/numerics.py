"""Shared numerics of the birth-death chains: sums over blocks of states in log space.

A block of states whose death rates grow linearly (``alpha + i*beta``) has a closed form in
regularised incomplete gamma functions,
``sum_r y^r Gamma(c+1)/Gamma(c+1+r) = Gamma(c+1) e^y y^-c [P(c, y) - P(c+N, y)]``
with ``c = alpha/beta`` and ``y = lambda/beta``. Where that form would lose precision
(terms falling fast from the first, or rising fast to the last, or an underflowing ``P``),
the block is summed directly as a series, which then converges geometrically. No
factorials are formed. ``docs/models.md`` has the definitions.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = [
    "CHUNK",
    "MAX_TERMS",
    "SERIES_EPS",
    "SERIES_RATIO",
    "TINY",
    "chain_block",
    "log_gamma_prefactor",
]


TINY = 1e-280  # below this a regularised gamma value is treated as underflowed


SERIES_RATIO = 0.5  # a block whose terms fall (or rise) by this ratio is summed directly


SERIES_EPS = 1e-17  # series stop when a term is this small relative to the sum


CHUNK = 4096  # most terms a direct series forms in one vectorised step


MAX_TERMS = 2**23  # most terms a direct series forms (never reached within the limits)


_HUGE = 1e6  # above this gamma argument, log-gamma differences use Stirling forms


def _log1pmx(u: np.ndarray) -> np.ndarray:
    """log(1 + u) - u, accurate also for small |u| (u > -1)."""
    u = np.asarray(u, dtype=float)
    out = np.empty_like(u)
    small = np.abs(u) < 0.1
    with np.errstate(divide="ignore", invalid="ignore"):
        out[~small] = np.log1p(u[~small]) - u[~small]
    us = u[small]
    acc = np.zeros_like(us)
    power = us * us
    for k in range(2, 22):  # |u| < 0.1: 0.1^22/22 is far below double precision
        acc += (-1) ** (k + 1) * power / k
        power = power * us
    out[small] = acc
    return out


def _stirling_corr(z: np.ndarray) -> np.ndarray:
    """log Gamma(z + 1) - [(z + 1/2) log z - z + log(2 pi)/2] for z >= 10."""
    zi = 1.0 / z
    z2 = zi * zi
    return zi * (1 / 12 - z2 * (1 / 360 - z2 * (1 / 1260 - z2 / 1680)))


def log_gamma_prefactor(c: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log Gamma(c + 1) + y - c log y (c >= 0, y > 0), without cancellation at large c.

    Minus this is the log of y^c e^-y / Gamma(c + 1) = P(c, y) - P(c + 1, y), the step of
    the regularised lower incomplete gamma function P from c to c + 1.

    Parameters
    ----------
    c : numpy.ndarray
        Shape of the gamma function, >= 0 [-].
    y : numpy.ndarray
        Its argument, > 0 [-], the shape of ``c``.

    Returns
    -------
    numpy.ndarray
        The log [-], per element.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out = special.gammaln(c + 1) + y - special.xlogy(c, y)
        big = c > _HUGE
        if np.any(big):
            cb, yb = c[big], y[big]
            # c log c - c - c log y + y = -c log1pmx((y - c)/c)
            out[big] = (
                0.5 * np.log(2 * np.pi * cb) + _stirling_corr(cb) - cb * _log1pmx((yb - cb) / cb)
            )
    return out


def _log_rising(c: np.ndarray, count: np.ndarray) -> np.ndarray:
    """log Gamma(c + count + 1) - log Gamma(c + 1), without cancellation at large c."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = special.gammaln(c + count + 1) - special.gammaln(c + 1)
        big = c > _HUGE
        if np.any(big):
            cb, nb = c[big], count[big]
            u = nb / cb
            out[big] = (
                nb * np.log(cb + nb)
                + cb * _log1pmx(u)
                + 0.5 * np.log1p(u)
                + _stirling_corr(cb + nb)
                - _stirling_corr(cb)
            )
    return out


def _series(lam, alpha, beta, count, *, start_log=None, reverse=False):
    """Sum t_r = prod_{i<=r} lam/(alpha + i beta) directly, in vectorised chunks.

    Forward: r = 0..count-1 starting from t_0 = 1. Reverse: r = count-1 down to 0,
    starting from t_{count-1} = exp(start_log). Terms are formed in log space a chunk at
    a time (cumulative sums of log ratios), so one numpy operation covers up to
    ``CHUNK`` terms. Stops once terms are negligible and falling, at the block end, or
    after ``MAX_TERMS`` terms (callers keep within that: see ``_effective_patience``).
    Returns (log of the sum, mean r).
    """
    m = lam.size
    ref = np.zeros(m) if start_log is None else start_log.astype(float).copy()
    lt = ref.copy()  # log of the last term formed
    total = np.ones(m)  # sum of terms / exp(ref)
    r = np.where(reverse, count - 1, 0.0) * np.ones(m)
    first = r.copy()  # sum of r t_r / exp(ref)
    active = np.arange(m)
    width = 32
    done_terms = 0
    while active.size and done_terms < MAX_TERMS:
        steps = np.arange(1, width + 1)
        ra = r[active]
        la, aa, ba = lam[active, None], alpha[active, None], beta[active, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            if reverse:
                rs = ra[:, None] - steps
                valid = rs >= 0
                lr = np.log((aa + (rs + 1) * ba) / la)
            else:
                rs = ra[:, None] + steps
                valid = rs <= count[active, None] - 1
                lr = np.log(la / (aa + rs * ba))
        lr = np.where(valid, lr, 0.0)
        lts = lt[active, None] + np.cumsum(lr, axis=1)
        lts = np.where(valid, lts, -np.inf)
        new_ref = np.maximum(ref[active], np.max(lts, axis=1))
        shrink = np.exp(ref[active] - new_ref)
        w = np.exp(lts - new_ref[:, None])
        total[active] = total[active] * shrink + w.sum(axis=1)
        first[active] = first[active] * shrink + (np.where(valid, rs, 0.0) * w).sum(axis=1)
        ref[active] = new_ref
        last = np.maximum(valid.sum(axis=1) - 1, 0)
        rows = np.arange(active.size)
        any_valid = valid[:, 0]
        lt[active] = np.where(any_valid, lts[rows, last], lt[active])
        r[active] = np.where(any_valid, rs[rows, last], ra)
        falling = lr[rows, last] < 0
        small = lt[active] - ref[active] < np.log(SERIES_EPS * total[active])
        ended = ~valid[:, -1]
        active = active[~(ended | (falling & small))]
        done_terms += width
        width = min(width * 2, CHUNK if active.size <= 64 else 64)
    mean_r = first / total
    log_sum = ref + np.log(total)
    return log_sum, mean_r


def chain_block(lam, alpha, beta, count, lower=None, upper=None):
    """Sum over a block of ``count`` states (``count`` may be inf) of a birth-death chain.

    The block's states are r = 0..count-1 with weight t_r = prod_{i=1..r} lam/(alpha + i*beta)
    (death rate alpha + i*beta into state i), relative to its first state.

    Parameters
    ----------
    lam : numpy.ndarray
        Arrival rate per block [1/s].
    alpha, beta : numpy.ndarray
        Death rate alpha + i*beta into state i [1/s].
    count : numpy.ndarray
        States in the block [-] (inf allowed).
    lower : numpy.ndarray, optional
        Filled in place, where given, with the regularised lower incomplete gamma
        function P(alpha/beta, lam/beta) [-] of the blocks whose sum took the closed form
        (which evaluates it), NaN elsewhere: a caller needing it too need not evaluate it
        again.
    upper : numpy.ndarray, optional
        As ``lower``, for the upper function Q(alpha/beta, lam/beta) [-], which the closed
        form evaluates where P > 1/2 (NaN elsewhere).

    Returns
    -------
    log_sum : log sum_r t_r
    mean_r : sum_r r t_r / sum_r t_r
    log_jump : log prod_{i=1..count} lam/(alpha + i beta), the weight of the state after
        the block relative to its first state (NaN for an infinite block).
    """
    m = lam.size
    log_sum = np.empty(m)
    mean_r = np.empty(m)
    log_jump = np.full(m, np.nan)
    pos = beta > 0
    geo = beta == 0
    loop = beta < 0  # total completion rate falling with load: rare, summed directly
    for out in (lower, upper):
        if out is not None:
            out[:] = np.nan
    if np.any(geo):
        idx = np.flatnonzero(geo)
        log_sum[idx], mean_r[idx], log_jump[idx] = _geometric_blocks(
            lam[idx], alpha[idx], beta[idx], count[idx]
        )
    if np.any(pos):
        idx = np.flatnonzero(pos)
        p_lo, q_lo = np.full(idx.size, np.nan), np.full(idx.size, np.nan)
        log_sum[idx], mean_r[idx], log_jump[idx] = _rising_blocks(
            lam[idx], alpha[idx], beta[idx], count[idx], p_lo, q_lo
        )
        if lower is not None:
            lower[idx] = p_lo
        if upper is not None:
            upper[idx] = q_lo
    if np.any(loop):
        li = np.flatnonzero(loop)
        ls, mr, lj = _falling_block(lam[li], alpha[li], beta[li], count[li])
        log_sum[li] = ls
        mean_r[li] = mr
        log_jump[li] = lj
    return log_sum, mean_r, log_jump


def _geometric_blocks(lam, alpha, beta, count):
    """:func:`chain_block` of blocks with a constant death rate alpha (beta = 0)."""
    rho = lam / alpha
    nn = count
    log_rho = np.log(rho)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ls = np.where(
            rho < 1,
            np.log(-np.expm1(nn * log_rho)) - np.log1p(-rho),
            nn * log_rho + np.log(-np.expm1(-nn * log_rho)) - np.log(rho - 1),
        )
        ls = np.where(rho == 1, np.log(nn), ls)
        ls = np.where(np.isinf(nn) & (rho >= 1), np.inf, ls)
        # sum r rho^r / sum rho^r
        mr_inf = rho / (1 - rho)
        rn = np.exp(nn * log_rho)
        mr_fin = rho / (1 - rho) - nn * rn / (1 - rn)
        mr = np.where(np.isinf(nn), mr_inf, mr_fin)
        mr = np.where(rho == 1, (nn - 1) / 2, mr)
    mr = np.where(np.isfinite(mr), mr, np.where(rho >= 1, nn - 1, 0.0))
    return ls, mr, np.where(np.isfinite(nn), nn * log_rho, np.nan)


def _rising_blocks(lp, ap, bp, npos, p_lo, q_lo):
    """:func:`chain_block` of blocks whose death rates grow (beta > 0): the closed form
    where it keeps its digits, else a series from the end nearest the peak of the terms.
    ``p_lo`` and ``q_lo`` receive P(c, y) and Q(c, y) where the closed form evaluated them."""
    n = lp.size
    log_sum = np.empty(n)
    mean_r = np.empty(n)
    c = ap / bp
    y = lp / bp
    fin = np.isfinite(npos)
    jump = np.full(n, np.nan)
    # log of y^N Gamma(c+1)/Gamma(c+N+1); Stirling forms keep the digits at large c.
    jump[fin] = npos[fin] * np.log(y[fin]) - _log_rising(c[fin], npos[fin])
    fwd = y <= SERIES_RATIO * (c + 1)
    rev = fin & ~fwd & (c + npos - 1 <= SERIES_RATIO * y)
    mid = ~fwd & ~rev
    ok = np.zeros(n, dtype=bool)
    if np.any(mid):
        mi = np.flatnonzero(mid)
        ls, mr, good, p_mid, q_mid = _closed_form(c[mi], y[mi], npos[mi])
        log_sum[mi[good]] = ls[good]
        mean_r[mi[good]] = mr[good]
        ok[mi[good]] = True
        p_lo[mi[good]] = p_mid[good]
        q_lo[mi[good]] = q_mid[good]
    # Where the closed form underflows, the block lies far from the peak of its terms:
    # sum from the end nearest the peak (terms rising at the block end: reverse).
    rev |= ~ok & ~fwd & fin & (c + npos - 1 < y)
    if np.any(rev):
        ri = np.flatnonzero(rev)
        start = (npos[ri] - 1) * np.log(y[ri]) - _log_rising(c[ri], npos[ri] - 1)
        ls, mr = _series(lp[ri], ap[ri], bp[ri], npos[ri], start_log=start, reverse=True)
        log_sum[ri] = ls
        mean_r[ri] = mr
        ok[ri] = True
    rest = ~ok
    if np.any(rest):
        fi = np.flatnonzero(rest)
        ls, mr = _series(lp[fi], ap[fi], bp[fi], npos[fi])
        log_sum[fi] = ls
        mean_r[fi] = mr
    return log_sum, mean_r, jump


def _closed_form(cm, ym, nm):
    """(log sum, mean r, usable, P(c, y), Q(c, y)) of rising blocks by incomplete gammas.

    ``log sum = log[Gamma(c+1) e^y y^-c] + log[P(c, y) - P(c+N, y)]``; not usable where
    the difference underflows or a result is not finite.
    """
    finm = np.isfinite(nm)
    c_lo = np.maximum(cm, 1e-300)
    c_hi = cm + np.where(finm, nm, 0)
    # P(c, y) - P(c + N, y), as Q(c + N, y) - Q(c, y) where P(c, y) > 1/2; each
    # function is evaluated only where it is used (P(0, y) = 1, P(c + inf, y) = 0).
    # Where y >= c, P(c, y) > 1/2 for certain (the median of a gamma distribution lies
    # below its mean c): only Q is evaluated there, and P = 1 - Q keeps its digits.
    sure = (cm > 0) & (ym >= cm)
    q_sure = _gamma_where(special.gammaincc, sure, c_lo, ym, np.nan)
    p_lo = _gamma_where(special.gammainc, (cm > 0) & ~sure, c_lo, ym, 1.0)
    p_lo[sure] = 1.0 - q_sure[sure]
    up = p_lo > 0.5
    diff = np.empty_like(p_lo)
    q_lo = _gamma_where(special.gammaincc, (cm[up] > 0) & ~sure[up], c_lo[up], ym[up], 0.0)
    q_lo[sure[up]] = q_sure[up][sure[up]]
    q_hi = _gamma_where(special.gammaincc, finm[up], c_hi[up], ym[up], 1.0)
    diff[up] = q_hi - q_lo
    q_all = np.full(p_lo.shape, np.nan)  # Q(c, y) where evaluated
    q_all[up] = q_lo
    lo = ~up
    p_hi = _gamma_where(special.gammainc, finm[lo], c_hi[lo], ym[lo], 0.0)
    diff[lo] = p_lo[lo] - p_hi
    good = (diff > TINY) & np.isfinite(diff)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ls = log_gamma_prefactor(cm, ym) + np.log(diff)
        # mean r from (alpha + r beta) t_r = lam t_{r-1} summed over the block; the last
        # term's share is formed only for finite blocks (an infinite one's is 0)
        last = np.zeros(ls.shape)
        if np.any(finm):
            nf = nm[finm] - 1
            last[finm] = np.exp(nf * np.log(ym[finm]) - _log_rising(cm[finm], nf) - ls[finm])
        mr = ym * (1 - last) - cm * (1 - np.exp(-ls))
    good &= np.isfinite(ls) & np.isfinite(mr)
    return ls, mr, good, p_lo, q_all


def _gamma_where(fn, where, a, x, fill):
    """``np.where(where, fn(a, x), fill)``, evaluating the incomplete gamma function ``fn``
    only where it is used."""
    out = np.full(a.shape, fill)
    out[where] = fn(a[where], x[where])
    return out


def _log_product(lam, alpha, beta, count):
    """log prod_{i=1..count} lam/(alpha + i beta) for beta < 0 (finite counts).

    With b = -beta and C = alpha/b the product of the death rates is
    b^count Gamma(C)/Gamma(C - count), C - count > 0.
    """
    b = -beta
    return count * np.log(lam / b) - _log_rising(alpha / b - count - 1, count)


def _falling_block(lam, alpha, beta, count):
    """A block whose death rates fall (beta < 0): its log-terms are convex in r, so the
    terms fall from both ends towards r* where lam = alpha + r* beta. Each side is
    summed directly from its end, where its terms are largest."""
    split = np.clip(np.ceil((alpha - lam) / -beta), 0, count)
    log_jump = _log_product(lam, alpha, beta, count)
    log_sum = np.full(lam.size, -np.inf)
    first = np.zeros(lam.size)  # sum r t_r / sum t_r, combined below
    left = split > 0
    if np.any(left):
        ls, mr = _series(lam[left], alpha[left], beta[left], split[left])
        log_sum[left] = ls
        first[left] = mr
    right = split < count
    if np.any(right):
        ri = np.flatnonzero(right)
        at, bt, nt = alpha[ri] + split[ri] * beta[ri], beta[ri], count[ri] - split[ri]
        start = _log_product(lam[ri], at, bt, nt - 1)
        ls, mr = _series(lam[ri], at, bt, nt, start_log=start, reverse=True)
        ls = ls + _log_product(lam[ri], alpha[ri], beta[ri], split[ri])
        both = np.logaddexp(log_sum[ri], ls)
        w_left = np.exp(log_sum[ri] - both)
        first[ri] = w_left * first[ri] + (1 - w_left) * (split[ri] + mr)
        log_sum[ri] = both
    return log_sum, first, log_jump
