"""Erlang A and the chat model: the birth-death chain with patience and concurrency.

n agents each hold up to k conversations; the chain is summed block by block in log space
(:func:`staffing.queueing.numerics.chain_block`). The service level uses the closed form of
the answered-within-t probability of Erlang A (sums of exponentials with rates in
arithmetic progression are order statistics, hence incomplete beta/gamma functions).
``docs/models.md`` has the definitions.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from staffing.queueing.erlang import set_idle
from staffing.queueing.numerics import (
    CHUNK,
    MAX_TERMS,
    SERIES_EPS,
    SERIES_RATIO,
    TINY,
    chain_block,
    log_gamma_prefactor,
)

__all__ = ["chain_metrics"]


_STEPWISE_CELLS = 256  # from this many cells on, a series adds one term per numpy operation


_STEPWISE_CHECK = 8  # terms between convergence checks of a term-by-term series


def chain_metrics(
    n: np.ndarray,
    lam: np.ndarray,
    h: np.ndarray,
    theta: np.ndarray,
    t: np.ndarray,
    want_asa: bool = True,
) -> dict[str, np.ndarray]:
    """Metrics of the chat chain (k = h.shape[1]; k = 1 is Erlang A / Erlang C).

    Parameters
    ----------
    n : numpy.ndarray
        Agents per cell [-], flat.
    lam : numpy.ndarray
        Arrival rate per cell [1/s].
    h : numpy.ndarray
        Handle time at each load 1..k, shape (cells, k) [s].
    theta : numpy.ndarray
        Mean patience [s] (inf: patient).
    t : numpy.ndarray
        Answer-within time of the service level [s].
    want_asa : bool, default True
        Whether to compute ``asa_s`` (one more series per cell).

    Returns
    -------
    dict
        ``p_wait``, ``service_level``, ``p_abandon``, ``occupancy``, ``mean_concurrency``
        [-] and, when asked, ``asa_s`` [s], per cell.
    """
    m, k = h.shape
    out = {
        "p_wait": np.ones(m),
        "service_level": np.zeros(m),
        "p_abandon": np.zeros(m),
        "occupancy": np.ones(m),
        "mean_concurrency": np.full(m, float(k)),
    }
    if want_asa:
        out["asa_s"] = np.full(m, np.inf)
    patient = np.isinf(theta)
    mu_q = n * k / h[:, -1]  # queue service rate when all slots are full [1/s]
    gamma = np.where(patient, 0.0, 1.0 / theta)
    unstable = (patient & (lam >= mu_q)) | (n <= 0)
    out["p_abandon"][(n <= 0) & ~patient & (lam > 0)] = 1.0
    idle = lam == 0
    live = ~unstable & ~idle
    if np.any(live):
        sub = _chain_live(n[live], lam[live], h[live], gamma[live], t[live], want_asa)
        for key, val in sub.items():
            out[key][live] = val
    if np.any(idle):
        set_idle(out, idle)
    return out


def _chain_live(n, lam, h, gamma, t, want_asa):
    m, k = h.shape
    # Blocks q = 0..k-1 of n states each: death rate alpha_q + i beta_q.
    rate = np.arange(1, k + 1) / h  # total completion rate j/h_j of an agent holding j
    rate_prev = np.concatenate([np.zeros((m, 1)), rate[:, :-1]], axis=1)
    alphas = n[:, None] * rate_prev
    betas = rate - rate_prev
    # h_j = NHT * j gives a constant total rate; do not let rounding make beta 1e-20.
    betas = np.where(np.abs(betas) <= 1e-12 * rate, 0.0, betas)
    count = np.broadcast_to(n[:, None], (m, k))
    lam_k = np.broadcast_to(lam[:, None], (m, k))
    ls, mr, lj = chain_block(
        lam_k.ravel(), alphas.ravel(), betas.ravel(), count.ravel().astype(float)
    )
    ls, mr, lj = ls.reshape(m, k), mr.reshape(m, k), lj.reshape(m, k)
    log_start = np.concatenate([np.zeros((m, 1)), np.cumsum(lj, axis=1)], axis=1)
    # Queue block: death rate mu_q + j gamma.
    mu_q = n * rate[:, -1]
    # P and Q(mu_q / gamma, lam / gamma) where evaluated, shared with the service level
    p_queue, q_queue = np.empty(m), np.empty(m)
    lq, mrq, _ = chain_block(lam, mu_q, gamma, np.full(m, np.inf), lower=p_queue, upper=q_queue)
    log_mass = np.concatenate([log_start[:, :k] + ls, (log_start[:, k] + lq)[:, None]], axis=1)
    # The first state's log mass is log_sum >= 0 (its own term is 1): the largest column
    # is finite, and the masses are the exponentials relative to it, normalised.
    mass = np.exp(log_mass - np.max(log_mass, axis=1)[:, None])
    mass /= np.sum(mass, axis=1)[:, None]
    p_wait = mass[:, k]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_ab = np.where(gamma > 0, p_wait * mrq * gamma / lam, 0.0)
    p_ab = np.clip(p_ab, 0.0, 1.0)
    # Busy agents: states below n hold r busy agents; at or above n all n are busy.
    busy = mass[:, 0] * mr[:, 0] + n * (1.0 - mass[:, 0])
    q_idx = np.arange(k)
    in_service = np.sum(mass[:, :k] * (q_idx * n[:, None] + mr), axis=1) + n * k * p_wait
    if k == 1:
        occupancy = lam * (1.0 - p_ab) * h[:, 0] / n  # the definition of Erlang A occupancy
    else:
        occupancy = busy / n
    out = {
        "p_wait": p_wait,
        "p_abandon": p_ab,
        "occupancy": np.clip(occupancy, 0.0, 1.0),
        "mean_concurrency": np.where(busy > 0, in_service / np.where(busy > 0, busy, 1), 0.0),
    }
    answered_late = _queue_answered_within(lam, mu_q, gamma, t, p_queue, q_queue)
    p_nowait = np.sum(mass[:, :k], axis=1)  # not 1 - p_wait: keeps digits when p_wait ~ 1
    out["service_level"] = np.clip(p_nowait + p_wait * answered_late, 0.0, 1.0)
    if want_asa:
        wait_served = _queue_mean_wait_served(lam, mu_q, gamma)  # per queued contact
        with np.errstate(divide="ignore", invalid="ignore"):
            asa = p_wait * wait_served / (1.0 - p_ab)
        out["asa_s"] = np.where(p_ab < 1.0, asa, np.inf)
    return out


def _queue_answered_within(lam, mu, gamma, t, p_queue, q_queue):
    """Share of queued contacts answered within t (the queue part of the service level).

    ``p_queue`` and ``q_queue`` are P and Q(mu / gamma, lam / gamma) where the queue
    block's sum evaluated them (NaN elsewhere), reused here instead of evaluated again.
    """
    out = np.zeros(lam.size)
    patient = gamma == 0
    if np.any(patient):
        with np.errstate(over="ignore"):  # an overflow here is exp(-inf) = 0, exact
            out[patient] = -np.expm1(-(mu[patient] - lam[patient]) * t[patient])
    imp = ~patient & (t > 0)
    if not np.any(imp):
        return out
    ii = np.flatnonzero(imp)
    g, lm, mq, tt = gamma[ii], lam[ii], mu[ii], t[ii]
    s = mq / g
    x = lm / g
    gt = g * tt
    xz = x * np.exp(-gt)
    res = np.full(ii.size, np.nan)
    use_gamma = x > SERIES_RATIO * (s + 1)
    if np.any(use_gamma):
        gi = np.flatnonzero(use_gamma)
        sg, xg, xzg = s[gi], x[gi], xz[gi]
        p0 = p_queue[ii[gi]]
        again = np.isnan(p0)
        p0[again] = special.gammainc(sg[again], xg[again])
        # P(s+1, x) = P(s, x) - x^s e^-x / Gamma(s+1): one incomplete gamma function
        # fewer; evaluated afresh where the step cancels more than two bits of P(s, x).
        step = np.exp(-log_gamma_prefactor(sg, xg))
        p1x = p0 - step
        direct = ~(p1x >= 0.25 * p0)
        p1x[direct] = special.gammainc(sg[direct] + 1, xg[direct])
        # P(s+1, x) - P(s+1, xz), from the upper tails where P(s+1, x) > 1/2, with
        # Q(s+1, x) = Q(s, x) + x^s e^-x / Gamma(s+1) where the queue block gave Q(s, x)
        up = p1x > 0.5
        lo = ~up
        diff = np.empty_like(p1x)
        q1x = q_queue[ii[gi[up]]] + step[up]
        again = np.isnan(q1x)
        q1x[again] = special.gammaincc(sg[up][again] + 1, xg[up][again])
        diff[up] = special.gammaincc(sg[up] + 1, xzg[up]) - q1x
        diff[lo] = p1x[lo] - special.gammainc(sg[lo] + 1, xzg[lo])
        with np.errstate(divide="ignore", invalid="ignore"):
            val = (sg / xg) * diff / p0
        good = (p0 > TINY) & np.isfinite(val)
        res[gi[good]] = val[good]
    todo = np.isnan(res)
    if np.any(todo):
        si = np.flatnonzero(todo)
        ss, xs, lms, gs, xzs, gts = s[si], x[si], lm[si], g[si], xz[si], gt[si]
        inf = np.full(si.size, np.inf)
        # S(c, u) = sum_r u^r Gamma(c+1)/Gamma(c+1+r): a block with alpha = c gamma, rate u gamma
        l0, _, _ = chain_block(lms, ss * gs, gs, inf)
        l1x, _, _ = chain_block(lms, (ss + 1) * gs, gs, inf)
        l1z, _, _ = chain_block(xzs * gs, (ss + 1) * gs, gs, inf)
        scale = (ss + 1) * (-gts) + xs * (-np.expm1(-gts))
        val = (ss / (ss + 1)) * (np.exp(l1x - l0) - np.exp(scale + l1z - l0))
        res[si] = val
    out[ii] = np.clip(res, 0.0, 1.0)
    return out


def _queue_mean_wait_served(lam, mu, gamma):
    """E[wait; answered] / P(queued) for contacts that find all slots busy [s].

    A contact finding j ahead is answered with probability s/(s+j+1) (s = mu/gamma) and,
    when answered, waited on average sum_{i=0..j} 1/(mu + (i+1) gamma) [2]_.
    """
    out = np.empty(lam.size)
    patient = gamma == 0
    out[patient] = 1.0 / (mu[patient] - lam[patient])
    ii = np.flatnonzero(~patient)
    if not ii.size:
        return out
    g = gamma[ii]
    s = mu[ii] / g
    x = lam[ii] / g
    # Sum over j from a start below the peak of T_j (j* = x - s) where terms are negligible:
    # term by term while many cells are summed, then a chunk of terms per vectorised step.
    j = np.maximum(0.0, np.floor(x - s - 12.0 * np.sqrt(x) - 10.0))
    harm = _digamma_diff(s + 1.0, j + 1.0)  # sum_{i<=j} 1/(s+1+i)
    lt = np.zeros(ii.size)  # log T_j relative to the first term
    ref = np.zeros(ii.size)
    sum_t = np.zeros(ii.size)
    sum_w = np.zeros(ii.size)
    active, formed = _wait_sums_stepwise(x, s, j, harm, lt, ref, sum_t, sum_w)
    width = 32
    while active.size and formed < MAX_TERMS:
        steps = np.arange(width)
        ja, sa = j[active, None] + steps, s[active, None]
        inv = 1.0 / (sa + ja + 1.0)
        # T_{j+1}/T_j = x/(s+j+1); harm_{j+1} = harm_j + 1/(s+j+2)
        lr = np.log(x[active, None] * inv)
        lts = lt[active, None] + np.concatenate(
            [np.zeros((active.size, 1)), np.cumsum(lr[:, :-1], axis=1)], axis=1
        )
        hs = harm[active, None] + np.concatenate(
            [
                np.zeros((active.size, 1)),
                np.cumsum(inv[:, 1:] if width > 1 else inv[:, :0], axis=1),
            ],
            axis=1,
        )
        new_ref = np.maximum(ref[active], np.max(lts, axis=1))
        shrink = np.exp(ref[active] - new_ref)
        w = np.exp(lts - new_ref[:, None])
        sum_t[active] = sum_t[active] * shrink + w.sum(axis=1)
        sum_w[active] = sum_w[active] * shrink + (w * hs * inv).sum(axis=1)
        ref[active] = new_ref
        lt[active] = lts[:, -1] + lr[:, -1]
        harm[active] = hs[:, -1] + 1.0 / (sa[:, 0] + ja[:, -1] + 2.0)
        j[active] = ja[:, -1] + 1.0
        done = (lr[:, -1] < 0) & (lt[active] - ref[active] < np.log(SERIES_EPS * sum_t[active]))
        active = active[~done]
        formed += width
        width = min(width * 2, CHUNK if active.size <= 64 else 64)
    out[ii] = (s / g) * sum_w / sum_t
    return out


def _wait_sums_stepwise(x, s, j, harm, lt, ref, sum_t, sum_w):
    """Sum the series of ``_queue_mean_wait_served`` one term per numpy operation.

    Runs while at least ``_STEPWISE_CELLS`` cells are unconverged: typical cells need 40
    to 120 terms, and here a term costs eight plain arithmetic operations on contiguous
    arrays, against log, exp and cumulative sums over a whole chunk (whose last terms are
    mostly wasted) in the chunked loop. T_j is kept in linear scale: from the start j0 it
    rises at most ~e^161 (x ~ 166, s ~ 0), far from overflow. Per-cell cost stays below
    the chunked loop's, so the bound on one interval's time holds.

    Converged cells get ``sum_t`` and ``sum_w`` (relative to T_j0 = 1, ``ref`` 0); the
    others get the state the chunked loop continues from: ``j`` and ``harm`` of the next
    term, ``lt`` its log, ``sum_t`` and ``sum_w`` relative to exp(``ref``). The arrays
    are updated in place.

    Returns
    -------
    active : numpy.ndarray
        Indices of the cells not yet converged.
    formed : int
        Terms formed for each of those cells.
    """
    idx = np.arange(x.size)
    if idx.size < _STEPWISE_CELLS:
        return idx, 0
    xa = x.copy()
    d = s + j + 1.0  # s + j + 1 of the next term
    inv = 1.0 / d
    h = harm.copy()  # harm of the next term
    cur = np.ones(x.size)  # the next term, T_j / T_{j0}
    st = np.zeros(x.size)
    sw = np.zeros(x.size)
    w = np.empty(x.size)
    formed = 0
    while idx.size >= _STEPWISE_CELLS and formed < MAX_TERMS:
        for _ in range(_STEPWISE_CHECK):
            np.multiply(cur, inv, out=w)  # T_j / (s+j+1)
            st += cur
            np.multiply(w, xa, out=cur)  # T_{j+1} = T_j x / (s+j+1)
            w *= h
            sw += w
            d += 1.0
            np.divide(1.0, d, out=inv)
            h += inv
        formed += _STEPWISE_CHECK
        done = (xa < d - 1.0) & (cur < SERIES_EPS * st)
        if np.any(done):
            fin = idx[done]
            sum_t[fin] = st[done]
            sum_w[fin] = sw[done]
            keep = ~done
            idx, xa, d, inv, h, cur, st, sw = (a[keep] for a in (idx, xa, d, inv, h, cur, st, sw))
            w = np.empty(idx.size)
    # Hand over: sums relative to exp(ref) = st, log of the next term, its j and harm.
    ref[idx] = np.log(st)
    sum_t[idx] = 1.0
    sum_w[idx] = sw / st
    with np.errstate(divide="ignore"):
        lt[idx] = np.log(cur)
    j[idx] += formed
    harm[idx] = h
    return idx, formed


def _digamma_diff(z: np.ndarray, d: np.ndarray) -> np.ndarray:
    """psi(z + d) - psi(z) for z > 0, d >= 0, without cancellation at large z."""
    out = special.digamma(z + d) - special.digamma(z)
    big = z > 1e4
    if np.any(big):
        zb, db = z[big], d[big]
        zd = zb + db
        inv_z, inv_zd = 1.0 / zb, 1.0 / zd
        out[big] = (
            np.log1p(db / zb)
            - 0.5 * (inv_zd - inv_z)
            - (inv_zd**2 - inv_z**2) / 12.0
            + (inv_zd**4 - inv_z**4) / 120.0
            - (inv_zd**6 - inv_z**6) / 252.0
        )
    return out
