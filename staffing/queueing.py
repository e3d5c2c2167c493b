"""Vectorised queueing models for contact-centre staffing.

One job: the exact stationary queueing maths (Erlang B/C, Erlang A, chat), with the
numerical methods that keep it exact from one agent to tens of thousands.

Every function takes scalars, numpy arrays or pandas Series, broadcasts them
together and returns numpy arrays: a year of hourly intervals for hundreds of
skills is one call. Durations are in seconds (names end in ``_s``), ``volume``
is contacts arriving per interval of ``interval_s`` seconds.

Models (definitions: ``docs/models.md``):

``erlang_c``
    M/M/n, infinitely patient contacts. Real-valued agents are supported through
    the incomplete-gamma continuation of Erlang B.
``erlang_a``
    M/M/n+M (Palm): exponential patience with mean ``patience_s``.
``chat``
    n agents each holding up to k conversations at once; ``handle_time_s`` is a
    sequence ``[h_1 .. h_k]`` (last axis), h_j the mean handle time of one
    conversation while its agent holds j. Optional patience.

Numerical method
----------------
All models are birth-death chains. Their stationary distributions are summed
block by block in log space: a block of states whose death rates grow linearly
(``alpha + i*beta``) has a closed form in regularised incomplete gamma functions,
``sum_r y^r Gamma(c+1)/Gamma(c+1+r) = Gamma(c+1) e^y y^-c [P(c, y) - P(c+N, y)]``
with ``c = alpha/beta`` and ``y = lambda/beta``. Where that form would lose
precision (terms falling fast from the first, or rising fast to the last, or an
underflowing ``P``), the block is summed directly as a series, which then
converges geometrically. No factorials are formed, so 20,000 Erlangs work.
Service level uses the closed form of the answered-within-t probability of
Erlang A (sums of exponentials with rates in arithmetic progression are
order statistics, hence incomplete beta/gamma functions).

References
----------
.. [1] Gans, N., Koole, G., Mandelbaum, A. (2003). Telephone call centers:
   tutorial, review, and research prospects. MSOM 5(2), 79-141.
   https://doi.org/10.1287/msom.5.2.79.16071
.. [2] Mandelbaum, A., Zeltyn, S. (2007). Service engineering in action: the
   Palm/Erlang-A queue, with applications to call centers. In Advances in
   Services Innovations, Springer, 17-45.
.. [3] Garnett, O., Mandelbaum, A., Reiman, M. (2002). Designing a call center
   with impatient customers. MSOM 4(3), 208-227.
   https://doi.org/10.1287/msom.4.3.208.7753
.. [4] Jagerman, D. L. (1974). Some properties of the Erlang loss function.
   Bell System Technical Journal 53(3), 525-551 (continuation to real n).
.. [5] Tezcan, T., Zhang, J. (2014). Routing and staffing in customer service
   chat systems with impatient customers. Operations Research 62(4), 943-956.
   https://doi.org/10.1287/opre.2014.1284
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

__all__ = [
    "MODELS",
    "QueueMetrics",
    "erlang_b",
    "erlang_c",
    "evaluate",
    "required_agents",
]

#: Names accepted by :func:`evaluate` and :func:`required_agents`.
MODELS = ("erlang_c", "erlang_a", "chat")

_TINY = 1e-280  # below this a regularised gamma value is treated as underflowed
_SERIES_RATIO = 0.5  # a block whose terms fall (or rise) by this ratio is summed directly
_SERIES_EPS = 1e-17  # series stop when a term is this small relative to the sum
_MAX_STEP = 1e8  # an upper bracket beyond this many agents means "target unattainable"

ArrayLike = Any


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


# --------------------------------------------------------------------------- input checks


def _array(name: str, value: ArrayLike) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric, got {value!r}") from None
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN: {_show(value)}")
    return arr


def _show(value: ArrayLike) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(arr.item())
    return np.array2string(arr.ravel()[:5], threshold=5) + (" ..." if arr.size > 5 else "")


def _check(name: str, arr: np.ndarray, ok: np.ndarray, rule: str) -> None:
    bad = ~ok
    if np.any(bad):
        first = arr[bad].ravel()[0] if arr.ndim else arr.item()
        raise ValueError(f"{name} must be {rule}, got {first!r}")


def _target(name: str, value: ArrayLike, lo_open: float, hi: float, rule: str) -> np.ndarray | None:
    """A target array; NaN elements of an array mean "no target" there; a scalar NaN is an error."""
    if value is None:
        return None
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric, got {value!r}") from None
    if arr.ndim == 0 and np.isnan(arr):
        raise ValueError(f"{name} is NaN; pass None for no target")
    if np.all(np.isnan(arr)):
        raise ValueError(f"{name} has no value that is not NaN; pass None for no target")
    finite = np.isnan(arr) | ((arr > lo_open) & (arr <= hi))
    _check(name, arr, finite, rule)
    return arr


def _common_inputs(
    model: str,
    volume: ArrayLike,
    handle_time_s: ArrayLike,
    interval_s: ArrayLike,
    answer_within_s: ArrayLike,
    patience_s: ArrayLike | None,
) -> tuple[np.ndarray, ...]:
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}; got {model!r}")
    volume = _array("volume", volume)
    _check("volume", volume, np.isfinite(volume) & (volume >= 0), "finite and >= 0")
    h = _array("handle_time_s", handle_time_s)
    _check("handle_time_s", h, np.isfinite(h) & (h > 0), "finite and > 0")
    if model == "chat":
        if h.ndim == 0:
            h = h[None]
    else:
        h = h[..., None]  # a chain with one load level
    interval_s = _array("interval_s", interval_s)
    _check("interval_s", interval_s, np.isfinite(interval_s) & (interval_s > 0), "finite and > 0")
    answer_within_s = _array("answer_within_s", answer_within_s)
    _check(
        "answer_within_s",
        answer_within_s,
        np.isfinite(answer_within_s) & (answer_within_s >= 0),
        "finite and >= 0",
    )
    if patience_s is None:
        theta = np.asarray(np.inf)
    else:
        theta = _array("patience_s", patience_s)
        _check("patience_s", theta, theta > 0, "> 0 (np.inf for infinitely patient)")
    if model == "erlang_c" and np.any(np.isfinite(theta)):
        raise ValueError("patience_s is not used by erlang_c; use model='erlang_a'")
    return volume, h, interval_s, answer_within_s, theta


def _broadcast(*arrays: np.ndarray, h: np.ndarray) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Broadcast scalar-per-cell arrays with the leading axes of ``h`` (last axis = load level)."""
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays), h.shape[:-1])
    except ValueError:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(
            f"argument shapes do not broadcast together: {shapes}, handle_time_s {h.shape}"
        ) from None
    out = tuple(np.broadcast_to(a, shape).ravel() for a in arrays)
    hb = np.broadcast_to(h, (*shape, h.shape[-1])).reshape(-1, h.shape[-1])
    return out, hb


# --------------------------------------------------------------------------- Erlang B and C


def _log_erlang_b(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log B(n, a) for real n >= 0 and a >= 0 (flat arrays of equal shape)."""
    out = np.zeros_like(a)
    pos = a > 0
    out[~pos] = np.where(n[~pos] > 0, -np.inf, 0.0)
    n, a = n[pos], a[pos]
    q = special.gammaincc(n + 1, a)
    # B(0, a) = 1 exactly; the log form would leave a rounding residue there.
    res = special.xlogy(n, a) - a - special.gammaln(n + 1) - np.log(np.maximum(q, _TINY))
    small = q < _TINY
    if np.any(small):  # a far above n: Legendre continued fraction for Gamma(n+1, a)
        res[small] = -np.log(a[small] * _upper_gamma_cf(n[small] + 1, a[small]))
    out[pos] = np.where(n == 0, 0.0, res)
    return np.minimum(out, 0.0)


def _upper_gamma_cf(s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Gamma(s, x) e^x x^-s by the modified Lentz method (for x well above s)."""
    fpmin = 1e-300
    b = x + 1.0 - s
    c = np.full_like(x, 1.0 / fpmin)
    d = 1.0 / b
    h = d.copy()
    for i in range(1, 1000):
        an = -i * (i - s)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < fpmin, fpmin, d)
        c = b + an / c
        c = np.where(np.abs(c) < fpmin, fpmin, c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1.0) < 1e-16):
            break
    return h


def _agents_and_load(agents: ArrayLike, load: ArrayLike) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Checked, broadcast and flattened (agents, load) of the classic formulas, and their shape."""
    n = _array("agents", agents)
    _check("agents", n, np.isfinite(n) & (n >= 0), "finite and >= 0")
    a = _array("load", load)
    _check("load", a, np.isfinite(a) & (a >= 0), "finite and >= 0")
    try:
        shape = np.broadcast_shapes(n.shape, a.shape)
    except ValueError:
        raise ValueError(
            f"agents {n.shape} and load {a.shape} do not broadcast together"
        ) from None
    return np.broadcast_to(n, shape).ravel(), np.broadcast_to(a, shape).ravel(), shape


def erlang_b(agents: ArrayLike, load: ArrayLike) -> np.ndarray:
    """Erlang B blocking probability, real-valued agents allowed.

    Parameters
    ----------
    agents : array_like
        Number of servers n >= 0 [-]; real values use the continuation below.
    load : array_like
        Offered load a >= 0 [Erlang].

    Returns
    -------
    numpy.ndarray
        B(n, a) [-], broadcast shape of the inputs.

    Raises
    ------
    ValueError
        NaN, negative or infinite input, naming the argument.

    Notes
    -----
    B(n, a) = (a^n/n!) / sum_{i<=n} a^i/i!, continued to real n by
    B(x, a) = a^x e^-a / Gamma(x+1, a) [4]_, computed in log space.

    Examples
    --------
    >>> float(erlang_b(1, 1.0))  # one server, one Erlang: a/(1+a)
    0.5
    """
    nb, ab, shape = _agents_and_load(agents, load)
    return np.exp(_log_erlang_b(nb, ab)).reshape(shape)


def _erlang_c_prob(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """C(n, a) for flat arrays; 1 where n <= a."""
    out = np.ones_like(a)
    stable = n > a
    nn, aa = n[stable], a[stable]
    b = np.exp(_log_erlang_b(nn, aa))
    out[stable] = nn * b / ((nn - aa) + aa * b)
    return out


def erlang_c(agents: ArrayLike, load: ArrayLike) -> np.ndarray:
    """Erlang C waiting probability of M/M/n, real-valued agents allowed.

    Parameters
    ----------
    agents : array_like
        Number of agents n >= 0 [-].
    load : array_like
        Offered load a >= 0 [Erlang].

    Returns
    -------
    numpy.ndarray
        C(n, a) = n B / (n - a (1 - B)) for n > a, 1 for n <= a (unstable), and 0 where
        a = 0 (nobody arrives, whatever n) [-]; broadcast shape of the inputs.

    Raises
    ------
    ValueError
        NaN, negative or infinite input, or shapes that do not broadcast, naming the
        argument.

    Examples
    --------
    >>> float(erlang_c(1, 0.5))  # M/M/1: P(wait) = utilisation
    0.5
    """
    nb, ab, shape = _agents_and_load(agents, load)
    out = _erlang_c_prob(nb, ab)
    out[ab == 0] = 0.0
    return out.reshape(shape)


def _erlang_c_metrics(n, lam, h, t, want_asa=True) -> dict[str, np.ndarray]:
    a = lam * h
    c = _erlang_c_prob(n, a)
    stable = n > a
    gap = np.where(stable, n - a, 1.0)
    sl = np.where(stable, 1.0 - c * np.exp(-gap * t / h), 0.0)
    out = {
        "p_wait": c,
        "service_level": sl,
        "p_abandon": np.zeros_like(a),
        "occupancy": np.where(stable, a / np.where(n > 0, n, 1.0), 1.0),
    }
    if want_asa:
        out["asa_s"] = np.where(stable, c * h / gap, np.inf)
    idle = lam == 0
    if np.any(idle):
        _set_idle(out, idle)
    return out


def _set_idle(out: dict[str, np.ndarray], idle: np.ndarray) -> None:
    """No arrivals: nobody waits, everything is answered at once, agents are idle."""
    for key, value in (
        ("p_wait", 0.0),
        ("service_level", 1.0),
        ("asa_s", 0.0),
        ("p_abandon", 0.0),
        ("occupancy", 0.0),
        ("mean_concurrency", 0.0),
    ):
        if key in out:
            out[key][idle] = value


# --------------------------------------------------------------------------- chain blocks


def _series(lam, alpha, beta, count, *, start_log=None, reverse=False):
    """Sum t_r = prod_{i<=r} lam/(alpha + i beta) directly.

    Forward: r = 0..count-1 starting from t_0 = 1. Reverse: r = count-1 down to 0,
    starting from t_{count-1} = exp(start_log). Stops once terms are negligible and
    falling. Returns (log of the sum, mean r).
    """
    m = lam.size
    total = np.ones(m)
    first = np.zeros(m)  # sum of r t_r, in the same scale as total
    logscale = np.zeros(m) if start_log is None else start_log.copy()
    term = np.ones(m)
    r = np.where(reverse, count - 1, 0.0) * np.ones(m)
    if reverse:
        first = r.copy()
    active = np.arange(m)
    step = 0
    while active.size:
        step += 1
        ra = r[active]
        if reverse:
            ratio = (alpha[active] + ra * beta[active]) / lam[active]
            r_new = ra - 1
            alive = r_new >= 0
        else:
            r_new = ra + 1
            ratio = lam[active] / (alpha[active] + r_new * beta[active])
            alive = r_new <= count[active] - 1
        t_new = term[active] * ratio
        t_new = np.where(alive, t_new, 0.0)
        idx = active
        total[idx] += t_new
        first[idx] += r_new * t_new
        term[idx] = t_new
        r[idx] = r_new
        big = total[idx] > 1e250
        if np.any(big):
            bi = idx[big]
            logscale[bi] += np.log(total[bi])
            first[bi] /= total[bi]
            term[bi] /= total[bi]
            total[bi] = 1.0
        done = ~alive | ((t_new < _SERIES_EPS * total[idx]) & (ratio < 1.0))
        active = idx[~done]
    mean_r = first / total
    log_sum = logscale + np.log(total)
    return log_sum, mean_r


def _block(lam, alpha, beta, count):
    """Sum over a block of ``count`` states (``count`` may be inf) of a birth-death chain.

    The block's states are r = 0..count-1 with weight t_r = prod_{i=1..r} lam/(alpha + i*beta)
    (death rate alpha + i*beta into state i), relative to its first state.

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

    # Geometric blocks: constant death rate alpha.
    if np.any(geo):
        rho = lam[geo] / alpha[geo]
        nn = count[geo]
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
        log_sum[geo] = ls
        mean_r[geo] = mr
        log_jump[geo] = np.where(np.isfinite(nn), nn * log_rho, np.nan)

    if np.any(pos):
        idx = np.flatnonzero(pos)
        lp, ap, bp, npos = lam[idx], alpha[idx], beta[idx], count[idx]
        c = ap / bp
        y = lp / bp
        fin = np.isfinite(npos)
        jump = np.full(idx.size, np.nan)
        jump[fin] = (
            npos[fin] * np.log(y[fin])
            + special.gammaln(c[fin] + 1)
            - special.gammaln(c[fin] + npos[fin] + 1)
        )
        log_jump[idx] = jump
        fwd = y <= _SERIES_RATIO * (c + 1)
        rev = fin & ~fwd & (c + npos - 1 <= _SERIES_RATIO * y)
        huge = fin & (c > 1e6) & ~fwd & ~rev  # gammaln differences would lose digits
        mid = ~fwd & ~rev & ~huge
        ok = np.zeros(idx.size, dtype=bool)
        if np.any(mid):
            mi = np.flatnonzero(mid)
            cm, ym, nm = c[mi], y[mi], npos[mi]
            p_lo = np.where(cm > 0, special.gammainc(np.maximum(cm, 1e-300), ym), 1.0)
            q_lo = np.where(cm > 0, special.gammaincc(np.maximum(cm, 1e-300), ym), 0.0)
            finm = np.isfinite(nm)
            p_hi = np.where(finm, special.gammainc(cm + np.where(finm, nm, 0), ym), 0.0)
            q_hi = np.where(finm, special.gammaincc(cm + np.where(finm, nm, 0), ym), 1.0)
            diff = np.where(p_lo > 0.5, q_hi - q_lo, p_lo - p_hi)
            good = (diff > _TINY) & np.isfinite(diff)
            with np.errstate(divide="ignore", invalid="ignore"):
                ls = special.gammaln(cm + 1) + ym - special.xlogy(cm, ym) + np.log(diff)
                # mean r from (alpha + r beta) t_r = lam t_{r-1} summed over the block
                last = np.where(
                    finm,
                    np.exp(
                        (nm - 1) * np.log(ym)
                        + special.gammaln(cm + 1)
                        - special.gammaln(cm + nm)
                        - ls
                    ),
                    0.0,
                )
                mr = ym * (1 - last) - cm * (1 - np.exp(-ls))
            good &= np.isfinite(ls) & np.isfinite(mr)
            log_sum[idx[mi[good]]] = ls[good]
            mean_r[idx[mi[good]]] = mr[good]
            ok[mi[good]] = True
        if np.any(rev):
            ri = np.flatnonzero(rev)
            start = (
                (npos[ri] - 1) * np.log(y[ri])
                + special.gammaln(c[ri] + 1)
                - special.gammaln(c[ri] + npos[ri])
            )
            ls, mr = _series(lp[ri], ap[ri], bp[ri], npos[ri], start_log=start, reverse=True)
            log_sum[idx[ri]] = ls
            mean_r[idx[ri]] = mr
            ok[ri] = True
        rest = ~ok & ~huge
        if np.any(rest):
            fi = np.flatnonzero(rest)
            ls, mr = _series(lp[fi], ap[fi], bp[fi], npos[fi])
            log_sum[idx[fi]] = ls
            mean_r[idx[fi]] = mr
        if np.any(huge):
            loop[idx[huge]] = True

    if np.any(loop):
        li = np.flatnonzero(loop)
        ls, mr = _series(lam[li], alpha[li], beta[li], count[li])
        log_sum[li] = ls
        mean_r[li] = mr
        log_jump[li] = _log_product(lam[li], alpha[li], beta[li], count[li])
    return log_sum, mean_r, log_jump


def _log_product(lam, alpha, beta, count):
    """log prod_{i=1..count} lam/(alpha + i beta) by summing logs (finite counts)."""
    out = np.zeros(lam.size)
    top = int(np.max(count)) if count.size else 0
    for i in range(1, top + 1):
        live = count >= i
        out[live] += np.log(lam[live] / (alpha[live] + i * beta[live]))
    return out


# --------------------------------------------------------------------------- chain model


def _chain_metrics(n, lam, h, theta, t, want_asa=True) -> dict[str, np.ndarray]:
    """Metrics of the chat chain (k = h.shape[1]; k = 1 is Erlang A / Erlang C)."""
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
        _set_idle(out, idle)
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
    ls, mr, lj = _block(lam_k.ravel(), alphas.ravel(), betas.ravel(), count.ravel().astype(float))
    ls, mr, lj = ls.reshape(m, k), mr.reshape(m, k), lj.reshape(m, k)
    log_start = np.concatenate([np.zeros((m, 1)), np.cumsum(lj, axis=1)], axis=1)
    # Queue block: death rate mu_q + j gamma.
    mu_q = n * rate[:, -1]
    lq, mrq, _ = _block(lam, mu_q, gamma, np.full(m, np.inf))
    log_mass = np.concatenate([log_start[:, :k] + ls, (log_start[:, k] + lq)[:, None]], axis=1)
    log_z = special.logsumexp(log_mass, axis=1)
    mass = np.exp(log_mass - log_z[:, None])
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
    answered_late = _queue_answered_within(lam, mu_q, gamma, t, lq)
    p_nowait = np.sum(mass[:, :k], axis=1)  # not 1 - p_wait: keeps digits when p_wait ~ 1
    out["service_level"] = np.clip(p_nowait + p_wait * answered_late, 0.0, 1.0)
    if want_asa:
        wait_served = _queue_mean_wait_served(lam, mu_q, gamma)  # per queued contact
        with np.errstate(divide="ignore", invalid="ignore"):
            asa = p_wait * wait_served / (1.0 - p_ab)
        out["asa_s"] = np.where(p_ab < 1.0, asa, np.inf)
    return out


def _queue_answered_within(lam, mu, gamma, t, log_w):
    """Share of queued contacts answered within t (the queue part of the service level).

    ``log_w`` is log sum_j T_j, T_j = prod_{i<=j} lam/(mu + i gamma).
    """
    out = np.zeros(lam.size)
    patient = gamma == 0
    if np.any(patient):
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
    use_gamma = x > _SERIES_RATIO * (s + 1)
    if np.any(use_gamma):
        gi = np.flatnonzero(use_gamma)
        sg, xg, xzg = s[gi], x[gi], xz[gi]
        p0 = special.gammainc(sg, xg)
        p1x = special.gammainc(sg + 1, xg)
        diff = np.where(
            p1x > 0.5,
            special.gammaincc(sg + 1, xzg) - special.gammaincc(sg + 1, xg),
            p1x - special.gammainc(sg + 1, xzg),
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            val = (sg / xg) * diff / p0
        good = (p0 > _TINY) & np.isfinite(val)
        res[gi[good]] = val[good]
    todo = np.isnan(res)
    if np.any(todo):
        si = np.flatnonzero(todo)
        ss, xs, lms, gs, xzs, gts = s[si], x[si], lm[si], g[si], xz[si], gt[si]
        inf = np.full(si.size, np.inf)
        # S(c, u) = sum_r u^r Gamma(c+1)/Gamma(c+1+r): a block with alpha = c gamma, rate u gamma
        l0, _, _ = _block(lms, ss * gs, gs, inf)
        l1x, _, _ = _block(lms, (ss + 1) * gs, gs, inf)
        l1z, _, _ = _block(xzs * gs, (ss + 1) * gs, gs, inf)
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
    # Sum over j from a start below the peak of T_j (j* = x - s) where terms are negligible.
    j = np.maximum(0.0, np.floor(x - s - 12.0 * np.sqrt(x) - 10.0))
    harm = special.digamma(s + j + 2.0) - special.digamma(s + 1.0)  # sum_{i<=j} 1/(s+1+i)
    term = np.ones(ii.size)
    sum_t = np.zeros(ii.size)
    sum_w = np.zeros(ii.size)
    active = np.arange(ii.size)
    while active.size:
        ja, sa = j[active], s[active]
        ta = term[active]
        sum_t[active] += ta
        sum_w[active] += ta * harm[active] / (sa + ja + 1.0)
        nxt = ja + 1.0
        ratio = x[active] / (sa + nxt)
        term[active] = ta * ratio
        harm[active] += 1.0 / (sa + nxt + 1.0)
        j[active] = nxt
        big = sum_t[active] > 1e250
        if np.any(big):
            bi = active[big]
            term[bi] /= sum_t[bi]
            sum_w[bi] /= sum_t[bi]
            sum_t[bi] = 1.0
        done = (ratio < 1.0) & (term[active] < _SERIES_EPS * sum_t[active])
        active = active[~done]
    out[ii] = (s / g) * sum_w / sum_t
    return out


# --------------------------------------------------------------------------- public API


def _prepare(model, volume, handle_time_s, interval_s, answer_within_s, patience_s, extra=()):
    volume, h, interval_s, answer_within_s, theta = _common_inputs(
        model, volume, handle_time_s, interval_s, answer_within_s, patience_s
    )
    arrays = (volume, interval_s, answer_within_s, theta, *extra)
    flat, hb = _broadcast(*arrays, h=h)
    shape = np.broadcast_shapes(*(a.shape for a in arrays), h.shape[:-1])
    return shape, flat, hb


def _metrics(model, n, lam, h, theta, t, want_asa=True):
    if model == "erlang_c" or (model == "erlang_a" and np.all(np.isinf(theta))):
        return _erlang_c_metrics(n, lam, h[:, 0], t, want_asa)
    return _chain_metrics(n, lam, h, theta, t, want_asa)


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
    if model == "erlang_a" and patience_s is None:
        raise ValueError("erlang_a needs patience_s (mean patience in seconds)")
    n = _array("agents", agents)
    _check("agents", n, np.isfinite(n) & (n >= 0), "finite and >= 0")
    if model != "erlang_c":
        _check("agents", n, n == np.round(n), f"whole numbers for {model}")
    shape, (volume, interval_s, t, theta, nb), hb = _prepare(
        model, volume, handle_time_s, interval_s, answer_within_s, patience_s, extra=(n,)
    )
    lam = volume / interval_s
    res = _metrics(model, nb, lam, hb, theta, t)
    keys = ["p_wait", "service_level", "asa_s", "p_abandon", "occupancy"]
    if model == "chat":
        keys.append("mean_concurrency")
    return QueueMetrics({key: res[key].reshape(shape) for key in keys})


def _feasible(model, n, lam, h, theta, t, targets):
    sl, asa, ab, occ = targets
    res = _metrics(model, n, lam, h, theta, t, want_asa=asa is not None)
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
    if model == "erlang_a" and patience_s is None:
        raise ValueError("erlang_a needs patience_s (mean patience in seconds)")
    sl = _target("service_level", service_level, 0.0, 1.0, "in (0, 1]")
    asa = _target("asa_s", asa_s, 0.0, np.inf, "> 0")
    ab = _target("max_abandon", max_abandon, 0.0, 1.0, "in (0, 1]")
    occ = _target("max_occupancy", max_occupancy, 0.0, 1.0, "in (0, 1]")
    if sl is None and asa is None and ab is None and occ is None:
        raise ValueError(
            "required_agents needs at least one target: service_level, asa_s, max_abandon "
            "or max_occupancy"
        )
    given = [x for x in (sl, asa, ab, occ) if x is not None]
    shape, flat, hb = _prepare(
        model, volume, handle_time_s, interval_s, answer_within_s, patience_s, extra=tuple(given)
    )
    volume, interval_s, t, theta = flat[:4]
    rest = iter(flat[4:])
    targets = tuple(next(rest) if x is not None else None for x in (sl, asa, ab, occ))
    lam = volume / interval_s
    result = np.zeros(lam.size)
    work = np.flatnonzero(lam > 0)
    if work.size:
        sub = _solve(model, lam[work], hb[work], theta[work], t[work], _take(targets, work))
        if not integer and model == "erlang_c":
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
    if model == "erlang_c":
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
    guess = _solve("erlang_c", lam, h[:, -1:] / k, patient, t, (sl, asa, None, occ))
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
        ok = _feasible(model, mid, lam[active], h[active], theta[active], t[active],
                       _take(targets, active))
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
        ok = _feasible("erlang_c", mid, lam, h2, theta, t, targets) & (mid > a)
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
        if np.all(hi[fin] - lo[fin] <= 1e-12 * np.maximum(1.0, hi[fin])):
            break
    return np.where(fin, hi, np.inf)
