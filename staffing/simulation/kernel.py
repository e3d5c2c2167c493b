"""Discrete-event simulation of one skill over a horizon of intervals: the pure maths.

numpy arrays in, numpy arrays out; no pandas, no plan. :func:`simulate_replication` runs one
replication of one skill as one continuous run (the queue is never reset between intervals)
and returns per-interval counts. The rules are in ``docs/simulation.md``; in short:

- Arrivals: a non-homogeneous Poisson process at each interval's volume, piecewise constant
  or (``ramp=True``) linear between interval midpoints. Drawn up front with numpy
  (:func:`draw_arrivals`), together with each contact's work content and patience
  (:func:`draw_contacts`), so the event loop itself draws no random numbers: the jitted and
  the pure-Python loop give the same answer, and two routings compared on one seed see the
  same customers (common random numbers).
- Service: a contact's *work* W has mean 1 (exponential, or lognormal with a given CV); it
  is worked off at speed 1/h_j per second, h_j the interval's mean handle time of one
  conversation while its agent holds j. With W exponential this is exactly the model of
  ``queueing-models.md`` (each conversation completes at rate 1/h_j, its agent at j/h_j).
- Patience: exponential; a contact abandons when its deadline passes while it waits. FCFS
  makes the abandonments lazy: a dead contact is counted when it reaches the head.
- Staffing changes at interval boundaries; a leaving agent takes no new contact and finishes
  those in hand. When staffing drops to 0 (closing), ``at_close="drain"`` keeps the agents
  on shift until every waiting contact is answered or gone; ``"hold"`` lets them go and the
  queue waits for the next staffed interval.
- Chat routing: ``"least_loaded"`` sends a new conversation to an on-shift agent with the
  fewest conversations (below k), conversations never move; ``"even_spread"`` is the
  model's instant rebalancing (state = number of conversations only).

This module holds the random inputs and the public entry; the event loops are
:func:`staffing.simulation.kernel_pooled.run_pooled` (k = 1, or chat with even spread) and
:func:`staffing.simulation.kernel_agents.run_agents` (chat, least-loaded routing), built
from the compiled steps of :mod:`staffing.simulation.kernel_jit`. All share one layout of
contacts and per-interval statistics.

The event loops are compiled with numba when it is installed (``pip install
staffing[simulate]``); without numba the same functions run as plain Python, about two
orders of magnitude slower, and :func:`simulate_replication` warns once.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from staffing.simulation.kernel_agents import run_agents
from staffing.simulation.kernel_jit import HAVE_NUMBA, sort_segments
from staffing.simulation.kernel_pooled import run_pooled

__all__ = [
    "ABANDONED",
    "ANSWERED",
    "ARRIVALS",
    "AT_CLOSE",
    "BUSY_S",
    "HANDLE_TIME_SHAPES",
    "HAVE_NUMBA",
    "ROUTINGS",
    "STATS",
    "WAIT_S",
    "WITHIN",
    "draw_arrivals",
    "draw_contacts",
    "simulate_replication",
]

#: Columns of the per-interval statistics :func:`simulate_replication` returns: contacts
#: arriving, answered, answered within the threshold, abandoned (all by the interval the
#: contact *arrived* in), the summed wait of the answered [s], and agent-seconds busy in the
#: interval (an agent holding at least one contact) [s].
STATS = ("arrivals", "answered", "within", "abandoned", "wait_s", "busy_s")
ARRIVALS, ANSWERED, WITHIN, ABANDONED, WAIT_S, BUSY_S = range(len(STATS))

HANDLE_TIME_SHAPES = ("exponential", "lognormal")
ROUTINGS = ("least_loaded", "even_spread")
AT_CLOSE = ("drain", "hold")

_warned = False


# --------------------------------------------------------------------------- random input


def draw_arrivals(
    volume: np.ndarray,
    interval_s: float,
    rng: np.random.Generator,
    *,
    is_open: np.ndarray | None = None,
    ramp: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times of a non-homogeneous Poisson process over consecutive intervals.

    Parameters
    ----------
    volume : numpy.ndarray
        Expected contacts per interval [-], shape (T,), finite and >= 0.
    interval_s : float
        Interval length [s]; interval i covers [i·interval_s, (i+1)·interval_s).
    rng : numpy.random.Generator
        Source of randomness (two calls: Poisson counts, then uniforms).
    is_open : numpy.ndarray of bool, optional
        Shape (T,). Closed intervals get no arrivals, and the ramp is not drawn across an
        open/closed edge. Default: all open.
    ramp : bool, default False
        False: the rate is constant in each interval (volume / interval_s). True: linear
        between interval midpoints within each run of open intervals, flat over the outer
        half of its first and last interval; the total of each run is kept exactly, single
        intervals move a little volume to their neighbours.

    Returns
    -------
    times_s : numpy.ndarray
        Sorted arrival times [s] from the start of the horizon.
    interval : numpy.ndarray of int64
        Index of the interval each arrival falls in.

    Raises
    ------
    ValueError
        Negative or non-finite volume, or ``interval_s`` <= 0.
    """
    volume = np.asarray(volume, dtype=float)
    if volume.ndim != 1 or not np.all(np.isfinite(volume)) or np.any(volume < 0):
        raise ValueError("volume must be a 1-d array of finite values >= 0")
    if not interval_s > 0:
        raise ValueError(f"interval_s must be > 0, got {interval_s!r}")
    n_t = volume.size
    is_open = np.ones(n_t, dtype=bool) if is_open is None else np.asarray(is_open, dtype=bool)
    rate = np.where(is_open, volume, 0.0) / interval_s
    if not ramp:
        counts = rng.poisson(rate * interval_s)
        interval = np.repeat(np.arange(n_t, dtype=np.int64), counts)
        times = rng.random(interval.size)
        times += interval  # in place: the values of (interval + u) * interval_s
        times *= interval_s
        # Every time lies in its own interval and ``interval`` ascends, so sorting the
        # times alone gives what a stable argsort of them gives, at a fraction of the cost.
        _sort_within(times, counts, interval_s)
        return times, interval
    # Two half-interval segments per interval, each with a linear rate ra -> rb.
    prev_open = np.concatenate([[False], is_open[:-1]])
    next_open = np.concatenate([is_open[1:], [False]])
    prev_rate = np.concatenate([[0.0], rate[:-1]])
    next_rate = np.concatenate([rate[1:], [0.0]])
    start = np.where(prev_open & is_open, 0.5 * (prev_rate + rate), rate)
    end = np.where(next_open & is_open, 0.5 * (rate + next_rate), rate)
    ra = np.column_stack([start, rate]).ravel()
    rb = np.column_stack([rate, end]).ravel()
    half = 0.5 * interval_s
    counts = rng.poisson(0.5 * (ra + rb) * half)
    segment = np.repeat(np.arange(2 * n_t, dtype=np.int64), counts)
    u = rng.random(segment.size)
    a, b = ra[segment], rb[segment]
    # inverse of the CDF of a linear density on [0, half], in a form stable when a == b
    offset = half * u * (a + b) / (a + np.sqrt(a * a + u * (b * b - a * a)))
    times = segment * half + np.minimum(offset, half * (1 - 1e-12))
    _sort_within(times, counts, half)  # as above: each time lies in its own segment
    return times, segment // 2


#: From this many arrivals on they are sorted segment by segment with numba; below it one
#: numpy sort takes a few milliseconds, less than loading the compiled sort the first
#: time a process uses it (about 0.04 s), which would add to a first call's time.
_SEGMENT_SORT_FROM = 2**17


def _sort_within(times: np.ndarray, counts: np.ndarray, width_s: float) -> None:
    """Sort ``times`` in place, each lying in its own segment of ``width_s`` (counts per
    segment): segment by segment for many arrivals where numba is installed, else one
    numpy sort; both give the same sorted values."""
    if HAVE_NUMBA and times.size >= _SEGMENT_SORT_FROM:
        sort_segments(times, counts.astype(np.int64, copy=False), float(width_s))
    else:  # pragma: no cover - only without the extra
        times.sort()


def draw_contacts(
    count: int,
    rng: np.random.Generator,
    *,
    handle_time: str = "exponential",
    handle_time_cv: float = 1.0,
    patience_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Work content and patience of ``count`` contacts.

    Parameters
    ----------
    count : int
        Number of contacts [-].
    rng : numpy.random.Generator
        Source of randomness (work first, then patience).
    handle_time : {"exponential", "lognormal"}
        Shape of the work content.
    handle_time_cv : float, default 1.0
        Coefficient of variation of the work content [-] (lognormal only; an exponential
        has 1).
    patience_s : float or None
        Mean exponential patience [s]; None or inf: infinitely patient.

    Returns
    -------
    work : numpy.ndarray
        Work content with mean 1 [-]: a contact handled at load j in an interval with mean
        handle time h_j takes work·h_j seconds.
    patience_s : numpy.ndarray
        Patience of each contact [s] (inf when infinitely patient).

    Raises
    ------
    ValueError
        Unknown shape, a CV <= 0, or an exponential with a CV other than 1.
    """
    if handle_time not in HANDLE_TIME_SHAPES:
        raise ValueError(
            f"handle_time must be one of {', '.join(HANDLE_TIME_SHAPES)}; got {handle_time!r}"
        )
    if not (np.isfinite(handle_time_cv) and handle_time_cv > 0):
        raise ValueError(f"handle_time_cv must be finite and > 0, got {handle_time_cv!r}")
    if handle_time == "exponential":
        if handle_time_cv != 1.0:
            raise ValueError(
                "an exponential handle time has a CV of 1; use "
                "handle_time='lognormal' for another CV"
            )
        work = rng.standard_exponential(count)
    else:
        sigma2 = math.log1p(handle_time_cv**2)
        work = rng.lognormal(-0.5 * sigma2, math.sqrt(sigma2), count)
    if patience_s is None or not np.isfinite(patience_s):
        patience = np.full(count, np.inf)
    else:
        if not patience_s > 0:
            raise ValueError(f"patience_s must be > 0, got {patience_s!r}")
        patience = rng.standard_exponential(count)
        patience *= patience_s
    return work, patience


# --------------------------------------------------------------------------- public entry


def simulate_replication(
    volume: np.ndarray,
    agents: np.ndarray,
    handle_time_s: np.ndarray,
    rng: np.random.Generator,
    *,
    interval_s: float = 3600.0,
    answer_within_s: float = 0.0,
    patience_s: float | None = None,
    is_open: np.ndarray | None = None,
    ramp: bool = False,
    handle_time: str = "exponential",
    handle_time_cv: float = 1.0,
    routing: str = "least_loaded",
    at_close: str = "drain",
    compiled: bool = True,
) -> np.ndarray:
    """Simulate one skill over consecutive intervals once; per-interval counts.

    Parameters
    ----------
    volume : numpy.ndarray
        Expected arrivals per interval [-], shape (T,).
    agents : numpy.ndarray
        On-queue agents planned in each interval [-], whole numbers >= 0, shape (T,).
    handle_time_s : numpy.ndarray
        Mean handle time per interval [s]: shape (T,) for one contact at a time, or (T, k)
        for chat, column j-1 being h_j, the mean handle time of one conversation while its
        agent holds j (the agent then completes them at total rate j / h_j).
    rng : numpy.random.Generator
        Source of randomness; all of it is drawn before the event loop.
    interval_s : float, default 3600
        Interval length [s].
    answer_within_s : float, default 0
        Service-level threshold [s].
    patience_s : float or None
        Mean exponential patience [s]; None or inf: infinitely patient.
    is_open : numpy.ndarray of bool, optional
        Shape (T,); closed intervals get no arrivals. Default: all open.
    ramp : bool, default False
        Arrival rate linear between interval midpoints (see :func:`draw_arrivals`).
    handle_time : {"exponential", "lognormal"}, default "exponential"
        Shape of the work content (see :func:`draw_contacts`).
    handle_time_cv : float, default 1.0
        Its coefficient of variation [-] (lognormal only).
    routing : {"least_loaded", "even_spread"}, default "least_loaded"
        Chat routing (k > 1); with k = 1 both are the same queue.
    at_close : {"drain", "hold"}, default "drain"
        What happens to waiting contacts when staffing drops to 0.
    compiled : bool, default True
        Run the numba-compiled event loop; False runs the same loop as plain Python (what
        happens anyway without numba), for checking the two agree.

    Returns
    -------
    numpy.ndarray
        Shape (T, 6), columns :data:`STATS`: arrivals, answered, answered within
        ``answer_within_s``, abandoned (counts by arrival interval [-]), summed wait of the
        answered [s], busy agent-seconds in the interval [s]. Contacts still waiting when
        the run ends with nobody on shift count as abandoned.

    Raises
    ------
    ValueError
        Shapes that do not match, negative or fractional agents, handle times <= 0, or an
        unknown ``handle_time``, ``routing`` or ``at_close``.
    """
    global _warned
    if np.size(volume) == 0:
        return np.zeros((0, len(STATS)))
    if routing not in ROUTINGS:
        raise ValueError(f"routing must be one of {', '.join(ROUTINGS)}; got {routing!r}")
    if at_close not in AT_CLOSE:
        raise ValueError(f"at_close must be one of {', '.join(AT_CLOSE)}; got {at_close!r}")
    volume = np.asarray(volume, dtype=float)
    n_t = volume.size
    agents_f = np.asarray(agents, dtype=float)
    if agents_f.shape != (n_t,) or np.any(agents_f < 0) or np.any(agents_f != np.round(agents_f)):
        raise ValueError("agents must be whole numbers >= 0, one per interval")
    h = np.asarray(handle_time_s, dtype=float)
    if h.ndim == 1:
        h = h[:, None]
    if h.shape[0] != n_t or h.ndim != 2:
        raise ValueError(
            f"handle_time_s must have shape (T,) or (T, k), T = {n_t}; "
            f"got {np.shape(handle_time_s)}"
        )
    served = agents_f > 0
    if np.any(~np.isfinite(h[served])) or np.any(h[served] <= 0):
        raise ValueError("handle_time_s must be finite and > 0 where agents > 0")
    # An interval without agents takes no new contact, but agents draining a queue past
    # closing work on at its handle time: give it the last staffed one's (the first
    # staffed one's before any), never a made-up value.
    usable = np.all(np.isfinite(h) & (h > 0), axis=1)
    if not usable.all():
        last = np.maximum.accumulate(np.where(usable, np.arange(n_t), -1))
        fill = np.flatnonzero(usable)[0] if usable.any() else -1
        h = h[np.where(last >= 0, last, fill)] if fill >= 0 else np.ones_like(h)
    if not HAVE_NUMBA and not _warned:  # pragma: no cover - only without the extra
        warnings.warn(
            "numba is not installed: the simulation runs as plain Python, about "
            "100 times slower (pip install staffing[simulate])",
            RuntimeWarning,
            stacklevel=2,
        )
        _warned = True
    times, interval = draw_arrivals(volume, interval_s, rng, is_open=is_open, ramp=ramp)
    work, patience = draw_contacts(
        times.size,
        rng,
        handle_time=handle_time,
        handle_time_cv=handle_time_cv,
        patience_s=patience_s,
    )
    stats = np.zeros((n_t + 1, len(STATS)))
    loop = run_pooled if (h.shape[1] == 1 or routing == "even_spread") else run_agents
    if HAVE_NUMBA and not compiled:
        loop = loop.py_func
    deadline_s = np.add(times, patience, out=patience)  # patience is not used again
    loop(
        times,
        interval,
        work,
        deadline_s,
        agents_f.astype(np.int64),
        np.ascontiguousarray(h),
        float(interval_s),
        float(answer_within_s),
        at_close == "drain",
        stats,
    )
    return stats[:n_t]
