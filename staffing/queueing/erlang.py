"""Erlang B and Erlang C: the loss and delay formulas, for real numbers of agents.

Real-valued agents are supported through the incomplete-gamma continuation of Erlang B
(Jagerman 1974, Bell System Technical Journal 53(3), 525-551). ``docs/models.md`` has the
definitions.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from staffing.queueing.inputs import ArrayLike, as_array, check
from staffing.queueing.numerics import TINY

__all__ = ["erlang_b", "erlang_c", "erlang_c_metrics", "log_erlang_b", "set_idle"]


def log_erlang_b(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log B(n, a) of Erlang B for real n >= 0 and a >= 0, on checked flat arrays.

    Parameters
    ----------
    n : numpy.ndarray
        Agents [-].
    a : numpy.ndarray
        Offered load [Erlang], the shape of ``n``.

    Returns
    -------
    numpy.ndarray
        log B(n, a) [-] (0 where n = 0, -inf where a = 0 < n).
    """
    out = np.zeros_like(a)
    pos = a > 0
    out[~pos] = np.where(n[~pos] > 0, -np.inf, 0.0)
    n, a = n[pos], a[pos]
    q = special.gammaincc(n + 1, a)
    # B(0, a) = 1 exactly; the log form would leave a rounding residue there.
    res = special.xlogy(n, a) - a - special.gammaln(n + 1) - np.log(np.maximum(q, TINY))
    small = q < TINY
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
    n = as_array("agents", agents)
    check("agents", n, np.isfinite(n) & (n >= 0), "finite and >= 0")
    a = as_array("load", load)
    check("load", a, np.isfinite(a) & (a >= 0), "finite and >= 0")
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
    return np.exp(log_erlang_b(nb, ab)).reshape(shape)


def _erlang_c_prob(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """C(n, a) for flat arrays; 1 where n <= a."""
    out = np.ones_like(a)
    stable = n > a
    nn, aa = n[stable], a[stable]
    b = np.exp(log_erlang_b(nn, aa))
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


def erlang_c_metrics(
    n: np.ndarray, lam: np.ndarray, h: np.ndarray, t: np.ndarray, want_asa: bool = True
) -> dict[str, np.ndarray]:
    """Erlang C metrics per cell (flat arrays of equal shape).

    Parameters
    ----------
    n : numpy.ndarray
        Agents [-].
    lam : numpy.ndarray
        Arrival rate [1/s].
    h : numpy.ndarray
        Mean handle time [s].
    t : numpy.ndarray
        Answer-within time of the service level [s].
    want_asa : bool, default True
        Whether to compute ``asa_s``.

    Returns
    -------
    dict
        ``p_wait``, ``service_level``, ``p_abandon`` (0), ``occupancy`` [-] and, when asked,
        ``asa_s`` [s] (inf where unstable).
    """
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
        set_idle(out, idle)
    return out


def set_idle(out: dict[str, np.ndarray], idle: np.ndarray) -> None:
    """No arrivals: nobody waits, everything is answered at once, agents are idle.

    Parameters
    ----------
    out : dict
        Metrics per cell, changed in place.
    idle : numpy.ndarray of bool
        Cells without arrivals.
    """
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
