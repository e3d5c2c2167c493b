"""Checks and broadcasting of the queueing engine's inputs, and its limits.

Every public function of :mod:`staffing.queueing` takes scalars, numpy arrays or pandas
Series; here they are checked (a wrong value raises ``ValueError`` naming the argument and
the value) and broadcast to flat arrays, the handle times by load on a last axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from staffing.errors import shown
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C

__all__ = [
    "MAX_AGENTS",
    "MAX_LOAD_ERLANGS",
    "MODELS",
    "PATIENCE_LIMIT",
    "ArrayLike",
    "as_array",
    "check",
    "check_load",
    "prepare",
    "target",
]


#: Names accepted by :func:`evaluate` and :func:`required_agents`.
MODELS = (ERLANG_C, ERLANG_A, CHAT)


#: Largest offered load accepted by :func:`evaluate` and :func:`required_agents`,
#: lambda * h_k / k [Erlang]; larger inputs are refused (ValueError).
MAX_LOAD_ERLANGS = 1e7


#: Most agents :func:`evaluate` accepts [-]; more are refused (ValueError).
MAX_AGENTS = 1e9


#: Patience counts as infinite once lambda*theta or mu_q*theta exceeds this [-]: stable
#: cells are then Erlang C, overloaded ones the theta -> inf limit of Erlang A.
PATIENCE_LIMIT = 1e10


ArrayLike = Any


def as_array(name: str, value: ArrayLike) -> np.ndarray:
    """A numeric argument as a float array, refused when it is not numeric or has NaN.

    Parameters
    ----------
    name : str
        The argument's name, for the error.
    value : array_like
        Its value.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        Not numeric, or NaN somewhere.
    """
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


def check(name: str, arr: np.ndarray, ok: np.ndarray, rule: str) -> None:
    """Refuse an argument where ``ok`` is False, naming it and its first bad value.

    Parameters
    ----------
    name : str
        The argument's name.
    arr : numpy.ndarray
        Its values.
    ok : numpy.ndarray of bool
        Where they keep the rule.
    rule : str
        The rule, worded for the error ("finite and >= 0").

    Raises
    ------
    ValueError
        Some value breaks the rule.
    """
    bad = ~ok
    if np.any(bad):
        first = arr[bad].ravel()[0] if arr.ndim else arr.item()
        raise ValueError(f"{name} must be {rule}, got {shown(first)}")


def target(name: str, value: ArrayLike, lo_open: float, hi: float, rule: str) -> np.ndarray | None:
    """A target array; NaN elements of an array mean "no target" there; a scalar NaN is an error.

    Parameters
    ----------
    name : str
        The target's name.
    value : array_like or None
        Its value; None for no target.
    lo_open : float
        Values must be above this.
    hi : float
        Values must be at most this.
    rule : str
        The rule, worded for the error.

    Returns
    -------
    numpy.ndarray or None
    """
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
    check(name, arr, finite, rule)
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
    volume = as_array("volume", volume)
    check("volume", volume, np.isfinite(volume) & (volume >= 0), "finite and >= 0")
    h = as_array("handle_time_s", handle_time_s)
    check("handle_time_s", h, np.isfinite(h) & (h > 0), "finite and > 0")
    if model == CHAT:
        if h.ndim == 0:
            h = h[None]
    else:
        h = h[..., None]  # a chain with one load level
    interval_s = as_array("interval_s", interval_s)
    check("interval_s", interval_s, np.isfinite(interval_s) & (interval_s > 0), "finite and > 0")
    answer_within_s = as_array("answer_within_s", answer_within_s)
    check(
        "answer_within_s",
        answer_within_s,
        np.isfinite(answer_within_s) & (answer_within_s >= 0),
        "finite and >= 0",
    )
    if patience_s is None:
        theta = np.asarray(np.inf)
    else:
        theta = as_array("patience_s", patience_s)
        check("patience_s", theta, theta > 0, "> 0 (np.inf for infinitely patient)")
    if model == ERLANG_C and np.any(np.isfinite(theta)):
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


def prepare(
    model: str,
    volume: ArrayLike,
    handle_time_s: ArrayLike,
    interval_s: ArrayLike,
    answer_within_s: ArrayLike,
    patience_s: ArrayLike | None,
    extra: tuple[np.ndarray, ...] = (),
) -> tuple[tuple[int, ...], tuple[np.ndarray, ...], np.ndarray]:
    """The common arguments checked and broadcast to flat arrays.

    Parameters
    ----------
    model : str
        One of :data:`MODELS`.
    volume : array_like
        Contacts per interval [-].
    handle_time_s : array_like
        Handle time [s] (for chat: by load on the last axis).
    interval_s : array_like
        Interval length [s].
    answer_within_s : array_like
        Answer-within time of the service level [s].
    patience_s : array_like or None
        Mean patience [s]; None for patient contacts.
    extra : tuple of numpy.ndarray
        More per-cell arrays to broadcast with them.

    Returns
    -------
    (shape, flat arrays, handle times)
        The broadcast shape; volume, interval, answer-within, patience and ``extra`` flat;
        handle times of shape (cells, k) [s].
    """
    volume, h, interval_s, answer_within_s, theta = _common_inputs(
        model, volume, handle_time_s, interval_s, answer_within_s, patience_s
    )
    arrays = (volume, interval_s, answer_within_s, theta, *extra)
    flat, hb = _broadcast(*arrays, h=h)
    shape = np.broadcast_shapes(*(a.shape for a in arrays), h.shape[:-1])
    return shape, flat, hb


def check_load(lam: np.ndarray, h: np.ndarray) -> None:
    """Refuse offered loads above MAX_LOAD_ERLANGS (lambda h_k / k, flat arrays).

    Parameters
    ----------
    lam : numpy.ndarray
        Arrival rate per cell [1/s].
    h : numpy.ndarray
        Handle time at each load, shape (cells, k) [s].

    Raises
    ------
    ValueError
        A load above :data:`MAX_LOAD_ERLANGS`.
    """
    load = lam * h[:, -1] / h.shape[1]
    too_big = load > MAX_LOAD_ERLANGS
    if np.any(too_big):
        raise ValueError(
            f"offered load volume / interval_s * handle_time_s = {load[too_big][0]:.4g} Erlang "
            f"is above the limit of {MAX_LOAD_ERLANGS:.0e} Erlang; check volume, interval_s "
            "and handle_time_s"
        )
