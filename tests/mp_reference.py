"""Independent high-precision references for the queueing tests (mpmath, 40 digits).

These sum the birth-death chains state by state, in arbitrary precision, straight
from the definitions in docs/models.md; they share no code or
closed form with staffing.queueing.
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 40


def erlang_b(n, a):
    """B(x, a) = a^x e^-a / Gamma(x+1, a), real x."""
    n, a = mp.mpf(n), mp.mpf(a)
    return mp.power(a, n) * mp.exp(-a) / mp.gammainc(n + 1, a)


def erlang_c(n, a):
    n, a = mp.mpf(n), mp.mpf(a)
    b = erlang_b(n, a)
    return n * b / (n - a * (1 - b))


def erlang_c_metrics(n, lam, h, t):
    n, lam, h, t = (mp.mpf(v) for v in (n, lam, h, t))
    a = lam * h
    c = erlang_c(n, a)
    return {
        "p_wait": c,
        "service_level": 1 - c * mp.exp(-(n - a) * t / h),
        "asa_s": c * h / (n - a),
        "occupancy": a / n,
    }


def chain_metrics(n, lam, hs, theta, t, tail=None):
    """Chat chain (k = len(hs); k = 1 is Erlang A) summed state by state.

    theta None = infinitely patient. Queue states are summed until their weight is
    below 1e-45 of the total (or ``tail`` states).
    """
    n = int(n)
    lam, t = mp.mpf(lam), mp.mpf(t)
    hs = [mp.mpf(h) for h in hs]
    k = len(hs)
    gam = mp.mpf(0) if theta is None else 1 / mp.mpf(theta)
    slots = n * k

    def death(m):
        if m <= slots:
            q, r = divmod(m, n)
            if q >= k:  # m == slots exactly
                return n * k / hs[k - 1]
            low = q * (n - r) / hs[q - 1] if q > 0 else 0
            high = r * (q + 1) / hs[q]
            return low + high
        return slots / hs[k - 1] + (m - slots) * gam

    weights = [mp.mpf(1)]
    m = 0
    while True:
        m += 1
        w = weights[-1] * lam / death(m)
        weights.append(w)
        if m > slots + 5 and w < mp.mpf(10) ** -45 * sum(weights):
            break
        if tail is not None and m > slots + tail:
            break
    total = sum(weights)
    pi = [w / total for w in weights]
    p_wait = sum(pi[slots:])
    mu_q = slots / hs[k - 1]
    p_ab = sum(pi[slots + j] * j * gam for j in range(1, len(pi) - slots)) / lam
    served_within = mp.mpf(0)
    wait_served = mp.mpf(0)
    queue = len(pi) - slots
    # While i contacts wait ahead, the head of line moves at r_i = mu_q + i gam and the
    # tagged contact leaves at gam: answered within t with prob prod r_i/q_i P(S_j <= t),
    # S_j a sum of Exp(q_i), q_i = r_i + gam (docs/models.md, Erlang A metrics).
    qs = [mu_q + (i + 1) * gam for i in range(queue)]
    cdf = _phase_cdfs(qs, t)
    p_served = mp.mpf(1)
    harmonic = mp.mpf(0)
    for j in range(queue):
        p_served *= (qs[j] - gam) / qs[j]
        harmonic += 1 / qs[j]
        served_within += pi[slots + j] * p_served * cdf[j]
        wait_served += pi[slots + j] * p_served * harmonic
    busy = sum(pi[m] * min(m, n) for m in range(len(pi)))
    in_service = sum(pi[m] * min(m, slots) for m in range(len(pi)))
    return {
        "p_wait": p_wait,
        "p_abandon": p_ab,
        "service_level": (1 - p_wait) + served_within,
        "asa_s": wait_served / (1 - p_ab),
        "occupancy": busy / n,
        "occupancy_erlang_a": lam * (1 - p_ab) * hs[0] / n,
        "mean_concurrency": in_service / busy,
    }


def _phase_cdfs(rates, t):
    """P(S_j <= t) for every j, S_j = sum of independent Exp(rates[0..j]).

    S_j <= t exactly when a pure-birth process with these phase rates has passed phase j
    by time t; the process is solved by uniformisation (a Poisson mixture of jump-chain
    steps), truncated where the Poisson tail is below 1e-40.
    """
    phases = len(rates)
    if t == 0:
        return [mp.mpf(0)] * phases
    big = max(rates)
    x = big * t
    dist = [mp.mpf(0)] * (phases + 1)
    dist[0] = mp.mpf(1)
    passed = [mp.mpf(0)] * phases  # P(X(t) > j)
    pois = mp.exp(-x)
    cum = mp.mpf(0)
    step = 0
    while True:
        cum += pois
        tail = mp.mpf(0)
        for j in range(phases - 1, -1, -1):
            tail += dist[j + 1]
            passed[j] += pois * tail
        if 1 - cum < mp.mpf(10) ** -40:
            break
        new = [mp.mpf(0)] * (phases + 1)
        for i in range(phases):
            move = rates[i] / big
            new[i] += dist[i] * (1 - move)
            new[i + 1] += dist[i] * move
        new[phases] += dist[phases]
        dist = new
        step += 1
        pois = pois * x / step
    return passed


def erlang_a_closed(n, lam, h, theta):
    """Erlang A p_wait and p_abandon from closed-form block sums, for chains too long to
    sum state by state (docs/models.md, Erlang A chain and metrics).

    States below n sum to e^a Q(n, a) (a = lam h; Q the regularised upper incomplete
    gamma); the queue terms T_j = prod_{i<=j} lam/(mu + i gam) sum to
    S = Gamma(s+1) e^x x^-s P(s, x) (s = mu/gam, x = lam/gam), and (mu + j gam) T_j =
    lam T_{j-1} gives sum_j j T_j = x S - s (S - 1). Everything at 40 digits in mpmath.
    """
    n = int(n)
    lam, h, theta = mp.mpf(lam), mp.mpf(h), mp.mpf(theta)
    a = lam * h
    gam = 1 / theta
    mu = n / h
    s, x = mu / gam, lam / gam
    below = mp.exp(a) * mp.gammainc(n, a, mp.inf, regularized=True)
    at_n = mp.exp(n * mp.log(a) - mp.loggamma(n + 1))
    if x < s:
        p_sx = mp.gammainc(s, 0, x, regularized=True)
    else:
        p_sx = 1 - mp.gammainc(s, x, mp.inf, regularized=True)
    q_sum = mp.exp(mp.loggamma(s + 1) + x - s * mp.log(x)) * p_sx
    j_sum = x * q_sum - s * (q_sum - 1)
    p_wait = at_n * q_sum / (below + at_n * q_sum)
    return {"p_wait": p_wait, "p_abandon": p_wait * j_sum / q_sum / x}
