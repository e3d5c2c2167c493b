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
_CHUNK = 4096  # most terms a direct series forms in one vectorised step
_MAX_TERMS = 2**23  # most terms a direct series forms (never reached within the limits)
_STEPWISE_CELLS = 256  # from this many cells on, a series adds one term per numpy operation
_STEPWISE_CHECK = 8  # terms between convergence checks of a term-by-term series
_HUGE = 1e6  # above this gamma argument, log-gamma differences use Stirling forms

#: Largest offered load accepted by :func:`evaluate` and :func:`required_agents`,
#: lambda * h_k / k [Erlang]; larger inputs are refused (ValueError).
MAX_LOAD_ERLANGS = 1e7
#: Most agents :func:`evaluate` accepts [-]; more are refused (ValueError).
MAX_AGENTS = 1e9
#: Patience counts as infinite once lambda*theta or mu_q*theta exceeds this [-]: stable
#: cells are then Erlang C, overloaded ones the theta -> inf limit of Erlang A.
PATIENCE_LIMIT = 1e10

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
        raise ValueError(f"agents {n.shape} and load {a.shape} do not broadcast together") from None
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
    with np.errstate(over="ignore"):  # gap * t / h beyond 1e308: exp(-inf) = 0, exact
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


# --------------------------------------------------------------------------- log-gamma helpers


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


def _log_pref(c: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log Gamma(c + 1) + y - c log y (c >= 0, y > 0), without cancellation at large c."""
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


# --------------------------------------------------------------------------- chain blocks


def _series(lam, alpha, beta, count, *, start_log=None, reverse=False):
    """Sum t_r = prod_{i<=r} lam/(alpha + i beta) directly, in vectorised chunks.

    Forward: r = 0..count-1 starting from t_0 = 1. Reverse: r = count-1 down to 0,
    starting from t_{count-1} = exp(start_log). Terms are formed in log space a chunk at
    a time (cumulative sums of log ratios), so one numpy operation covers up to
    ``_CHUNK`` terms. Stops once terms are negligible and falling, at the block end, or
    after ``_MAX_TERMS`` terms (callers keep within that: see ``_effective_patience``).
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
    while active.size and done_terms < _MAX_TERMS:
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
        small = lt[active] - ref[active] < np.log(_SERIES_EPS * total[active])
        ended = ~valid[:, -1]
        active = active[~(ended | (falling & small))]
        done_terms += width
        width = min(width * 2, _CHUNK if active.size <= 64 else 64)
    mean_r = first / total
    log_sum = ref + np.log(total)
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
        # log of y^N Gamma(c+1)/Gamma(c+N+1); Stirling forms keep the digits at large c.
        jump[fin] = npos[fin] * np.log(y[fin]) - _log_rising(c[fin], npos[fin])
        log_jump[idx] = jump
        fwd = y <= _SERIES_RATIO * (c + 1)
        rev = fin & ~fwd & (c + npos - 1 <= _SERIES_RATIO * y)
        mid = ~fwd & ~rev
        ok = np.zeros(idx.size, dtype=bool)
        if np.any(mid):
            mi = np.flatnonzero(mid)
            cm, ym, nm = c[mi], y[mi], npos[mi]
            finm = np.isfinite(nm)
            c_lo = np.maximum(cm, 1e-300)
            c_hi = cm + np.where(finm, nm, 0)
            # P(c, y) - P(c + N, y), as Q(c + N, y) - Q(c, y) where P(c, y) > 1/2; each
            # function is evaluated only where it is used (P(0, y) = 1, P(c + inf, y) = 0).
            p_lo = _gamma_where(special.gammainc, cm > 0, c_lo, ym, 1.0)
            up = p_lo > 0.5
            diff = np.empty_like(p_lo)
            q_lo = _gamma_where(special.gammaincc, cm[up] > 0, c_lo[up], ym[up], 0.0)
            q_hi = _gamma_where(special.gammaincc, finm[up], c_hi[up], ym[up], 1.0)
            diff[up] = q_hi - q_lo
            lo = ~up
            p_hi = _gamma_where(special.gammainc, finm[lo], c_hi[lo], ym[lo], 0.0)
            diff[lo] = p_lo[lo] - p_hi
            good = (diff > _TINY) & np.isfinite(diff)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                ls = _log_pref(cm, ym) + np.log(diff)
                # mean r from (alpha + r beta) t_r = lam t_{r-1} summed over the block
                last = np.where(
                    finm,
                    np.exp(
                        (nm - 1) * np.log(ym) - _log_rising(cm, np.where(finm, nm - 1, 0.0)) - ls
                    ),
                    0.0,
                )
                mr = ym * (1 - last) - cm * (1 - np.exp(-ls))
            good &= np.isfinite(ls) & np.isfinite(mr)
            log_sum[idx[mi[good]]] = ls[good]
            mean_r[idx[mi[good]]] = mr[good]
            ok[mi[good]] = True
        # Where the closed form underflows, the block lies far from the peak of its terms:
        # sum from the end nearest the peak (terms rising at the block end: reverse).
        rev |= ~ok & ~fwd & fin & (c + npos - 1 < y)
        if np.any(rev):
            ri = np.flatnonzero(rev)
            start = (npos[ri] - 1) * np.log(y[ri]) - _log_rising(c[ri], npos[ri] - 1)
            ls, mr = _series(lp[ri], ap[ri], bp[ri], npos[ri], start_log=start, reverse=True)
            log_sum[idx[ri]] = ls
            mean_r[idx[ri]] = mr
            ok[ri] = True
        rest = ~ok
        if np.any(rest):
            fi = np.flatnonzero(rest)
            ls, mr = _series(lp[fi], ap[fi], bp[fi], npos[fi])
            log_sum[idx[fi]] = ls
            mean_r[idx[fi]] = mr

    if np.any(loop):
        li = np.flatnonzero(loop)
        ls, mr, lj = _falling_block(lam[li], alpha[li], beta[li], count[li])
        log_sum[li] = ls
        mean_r[li] = mr
        log_jump[li] = lj
    return log_sum, mean_r, log_jump


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
    use_gamma = x > _SERIES_RATIO * (s + 1)
    if np.any(use_gamma):
        gi = np.flatnonzero(use_gamma)
        sg, xg, xzg = s[gi], x[gi], xz[gi]
        p0 = special.gammainc(sg, xg)
        p1x = special.gammainc(sg + 1, xg)
        # P(s+1, x) - P(s+1, xz), from the upper tails where P(s+1, x) > 1/2
        up = p1x > 0.5
        lo = ~up
        diff = np.empty_like(p1x)
        diff[up] = special.gammaincc(sg[up] + 1, xzg[up]) - special.gammaincc(sg[up] + 1, xg[up])
        diff[lo] = p1x[lo] - special.gammainc(sg[lo] + 1, xzg[lo])
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
    while active.size and formed < _MAX_TERMS:
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
        done = (lr[:, -1] < 0) & (lt[active] - ref[active] < np.log(_SERIES_EPS * sum_t[active]))
        active = active[~done]
        formed += width
        width = min(width * 2, _CHUNK if active.size <= 64 else 64)
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
    while idx.size >= _STEPWISE_CELLS and formed < _MAX_TERMS:
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
        done = (xa < d - 1.0) & (cur < _SERIES_EPS * st)
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


# --------------------------------------------------------------------------- public API


def _prepare(model, volume, handle_time_s, interval_s, answer_within_s, patience_s, extra=()):
    volume, h, interval_s, answer_within_s, theta = _common_inputs(
        model, volume, handle_time_s, interval_s, answer_within_s, patience_s
    )
    arrays = (volume, interval_s, answer_within_s, theta, *extra)
    flat, hb = _broadcast(*arrays, h=h)
    shape = np.broadcast_shapes(*(a.shape for a in arrays), h.shape[:-1])
    return shape, flat, hb


def _check_load(lam, h):
    """Refuse offered loads above MAX_LOAD_ERLANGS (lambda h_k / k, flat arrays)."""
    load = lam * h[:, -1] / h.shape[1]
    too_big = load > MAX_LOAD_ERLANGS
    if np.any(too_big):
        raise ValueError(
            f"offered load volume / interval_s * handle_time_s = {load[too_big][0]:.4g} Erlang "
            f"is above the limit of {MAX_LOAD_ERLANGS:.0e} Erlang; check volume, interval_s "
            "and handle_time_s"
        )


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


def _metrics(model, n, lam, h, theta, t, want_asa=True):
    if model == "erlang_c":
        return _erlang_c_metrics(n, lam, h[:, 0], t, want_asa)
    theta_eff, over = _effective_patience(n, lam, h, theta)
    if model == "erlang_a" and np.all(np.isinf(theta_eff)):
        out = _erlang_c_metrics(n, lam, h[:, 0], t, want_asa)
    else:
        out = _chain_metrics(n, lam, h, theta_eff, t, want_asa)
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
    if model == "erlang_a" and patience_s is None:
        raise ValueError("erlang_a needs patience_s (mean patience in seconds)")
    n = _array("agents", agents)
    _check("agents", n, np.isfinite(n) & (n >= 0), "finite and >= 0")
    _check("agents", n, n <= MAX_AGENTS, f"at most {MAX_AGENTS:.0e}")
    if model != "erlang_c":
        _check("agents", n, n == np.round(n), f"whole numbers for {model}")
    shape, (volume, interval_s, t, theta, nb), hb = _prepare(
        model, volume, handle_time_s, interval_s, answer_within_s, patience_s, extra=(n,)
    )
    lam = volume / interval_s
    _check_load(lam, hb)
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
    _check_load(lam, hb)
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
        ok = _feasible("erlang_c", mid, lam, h2, theta, t, targets) & (mid > a)
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
        if np.all(hi[fin] - lo[fin] <= 1e-12 * np.maximum(1.0, hi[fin])):
            break
    return np.where(fin, hi, np.inf)
