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

One job: simulate one replication of one skill's queue. The random inputs, the two event
loops (pooled and per-agent) and their heaps share one layout of contacts and per-interval
statistics, so they stay in one module.

The event loops are compiled with numba when it is installed (``pip install
staffing[simulate]``); without numba the same functions run as plain Python, about two
orders of magnitude slower, and :func:`simulate_replication` warns once.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

try:  # numba is the optional extra `staffing[simulate]`
    import numba

    HAVE_NUMBA = True

    def _jit(function: Any) -> Any:
        return numba.njit(cache=True, nogil=True)(function)

except ImportError:  # pragma: no cover - exercised only without the extra
    HAVE_NUMBA = False

    def _jit(function: Any) -> Any:
        return function


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
        times = (interval + rng.random(interval.size)) * interval_s
        order = np.argsort(times, kind="stable")
        return times[order], interval[order]
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
    order = np.argsort(times, kind="stable")
    return times[order], (segment[order] // 2).astype(np.int64)


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
        patience = rng.standard_exponential(count) * patience_s
    return work, patience


# --------------------------------------------------------------------------- heaps


@_jit
def _heap_push(heap, size, value):  # pragma: no cover - jitted
    i = size
    heap[i] = value
    while i > 0:
        parent = (i - 1) >> 1
        if heap[parent] <= heap[i]:
            break
        heap[parent], heap[i] = heap[i], heap[parent]
        i = parent
    return size + 1


@_jit
def _heap_pop(heap, size):  # pragma: no cover - jitted
    top = heap[0]
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and heap[left + 1] < heap[left]:
            child = left + 1
        if heap[i] <= heap[child]:
            break
        heap[i], heap[child] = heap[child], heap[i]
        i = child
    return top, size


@_jit
def _iheap_up(hp, hpos, key, i):  # pragma: no cover - jitted
    while i > 0:
        parent = (i - 1) >> 1
        if key[hp[parent]] <= key[hp[i]]:
            break
        a, b = hp[parent], hp[i]
        hp[parent], hp[i] = b, a
        hpos[b], hpos[a] = parent, i
        i = parent


@_jit
def _iheap_down(hp, hpos, key, i, size):  # pragma: no cover - jitted
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and key[hp[left + 1]] < key[hp[left]]:
            child = left + 1
        if key[hp[i]] <= key[hp[child]]:
            break
        a, b = hp[i], hp[child]
        hp[i], hp[child] = b, a
        hpos[b], hpos[a] = i, child
        i = child


@_jit
def _iheap_set(hp, hpos, key, size, agent, value):  # pragma: no cover - jitted
    """Insert ``agent`` with ``value`` or change its key; returns the new size."""
    key[agent] = value
    i = hpos[agent]
    if i < 0:
        hp[size] = agent
        hpos[agent] = size
        _iheap_up(hp, hpos, key, size)
        return size + 1
    _iheap_up(hp, hpos, key, i)
    _iheap_down(hp, hpos, key, hpos[agent], size)
    return size


@_jit
def _iheap_remove(hp, hpos, key, size, agent):  # pragma: no cover - jitted
    i = hpos[agent]
    if i < 0:
        return size
    size -= 1
    hpos[agent] = -1
    if i == size:
        return size
    last = hp[size]
    hp[i] = last
    hpos[last] = i
    _iheap_up(hp, hpos, key, i)
    _iheap_down(hp, hpos, key, hpos[last], size)
    return size


# --------------------------------------------------------------------------- pooled loop


@_jit
def _pooled_speed(m, cap, k, h, cur):  # pragma: no cover - jitted
    """Work-off speed of every conversation in service [1/s] under even spread."""
    if k == 1 or m == 0:
        return 1.0 / h[cur, 0]
    n_eff = max(cap, (m + k - 1) // k)
    q = m // n_eff
    r = m - q * n_eff
    rate = 0.0
    if r > 0:
        rate += r * (q + 1) / h[cur, q]
    if q > 0:
        rate += (n_eff - r) * q / h[cur, q - 1]
    return rate / m


@_jit
def _next_staffing(
    agents, cur, n_t, staffed, qhead, nxt, now, deadline_s, arrival_iv, stats, drain, draining
):  # pragma: no cover - jitted
    """The agents on shift from interval ``cur`` on: the closing rule of docs/simulation.md.

    An open interval takes its planned agents. At a closed one the contacts whose patience
    ran out are counted as abandoned; with ``drain`` the agents stay until the queue is
    empty, else nobody is on shift. Returns (agents on shift, queue head, draining).
    """
    planned = agents[cur] if cur < n_t else 0
    if planned > 0:
        return planned, qhead, False
    while qhead < nxt and deadline_s[qhead] <= now:
        stats[arrival_iv[qhead], 3] += 1.0
        qhead += 1
    if drain and (draining or qhead < nxt):
        return staffed, qhead, True
    return 0, qhead, False


@_jit
def _run_pooled(
    arrival_s, arrival_iv, work, deadline_s, agents, h, interval_s, within_s, drain, stats
):  # pragma: no cover - jitted
    """One replication with a pooled state: k = 1, or chat with even spread.

    All conversations in service are worked off at one speed, so a single virtual clock V
    (work done per conversation since the start) and a heap of finishing values of V hold
    the whole service state. Fills ``stats`` (T + 1, 6) in place; row T is after the horizon.
    """
    n_t = agents.shape[0]
    k = h.shape[1]
    n = arrival_s.shape[0]
    size_max = 1
    for i in range(n_t):
        size_max = max(size_max, agents[i] * k + 1)
    heap = np.empty(size_max, dtype=np.float64)
    m = 0
    v = 0.0
    now = 0.0
    cur = 0
    cap = agents[0] if n_t > 0 else 0
    draining = False
    nxt = 0
    qhead = 0
    speed = _pooled_speed(m, cap, k, h, 0)
    while True:
        t_arr = arrival_s[nxt] if nxt < n else np.inf
        t_bnd = (cur + 1) * interval_s if cur < n_t else np.inf
        t_cmp = np.inf
        if m > 0:
            t_cmp = now + max(heap[0] - v, 0.0) / speed
        t_next = min(t_arr, t_bnd, t_cmp)
        if t_next == np.inf:
            break
        dt = t_next - now
        if m > 0:
            busy = m
            if k > 1:
                busy = min(m, max(cap, (m + k - 1) // k))
            stats[cur, 5] += busy * dt
            v += speed * dt
        now = t_next
        if t_cmp <= t_bnd and t_cmp <= t_arr:
            _, m = _heap_pop(heap, m)
        elif t_bnd <= t_arr:
            cur += 1
            cap, qhead, draining = _next_staffing(
                agents,
                cur,
                n_t,
                cap,
                qhead,
                nxt,
                now,
                deadline_s,
                arrival_iv,
                stats,
                drain,
                draining,
            )
        else:
            stats[arrival_iv[nxt], 0] += 1.0
            nxt += 1
        # start waiting contacts on free slots, first come first served
        while m < cap * k and qhead < nxt:
            j = qhead
            qhead += 1
            if deadline_s[j] <= now:
                stats[arrival_iv[j], 3] += 1.0
                continue
            wait = now - arrival_s[j]
            row = arrival_iv[j]
            stats[row, 1] += 1.0
            stats[row, 4] += wait
            if wait <= within_s:
                stats[row, 2] += 1.0
            m = _heap_push(heap, m, v + work[j])
        if draining and qhead >= nxt:
            cap = 0
            draining = False
        speed = _pooled_speed(m, cap, k, h, min(cur, n_t - 1))
    while qhead < nxt:  # nobody left to answer them within the run
        stats[arrival_iv[qhead], 3] += 1.0
        qhead += 1


# --------------------------------------------------------------------------- per-agent loop


@_jit
def _bucket_add(bk, bk_n, bpos, agent, load):  # pragma: no cover - jitted
    bk[load, bk_n[load]] = agent
    bpos[agent] = bk_n[load]
    bk_n[load] += 1


@_jit
def _bucket_remove(bk, bk_n, bpos, agent, load):  # pragma: no cover - jitted
    i = bpos[agent]
    last = bk[load, bk_n[load] - 1]
    bk[load, i] = last
    bpos[last] = i
    bk_n[load] -= 1
    bpos[agent] = -1


@_jit
def _run_agents(
    arrival_s, arrival_iv, work, deadline_s, agents, h, interval_s, within_s, drain, stats
):  # pragma: no cover - jitted
    """One replication of chat with least-loaded routing: every agent has its own state.

    Agent a holds ``load[a]`` conversations, each worked off at speed 1/h_load, tracked by
    the agent's own virtual clock; an indexed heap orders agents by their next completion.
    States: 0 absent, 1 on shift (routable, in bucket ``load``), 2 leaving (finishes the
    conversations in hand, takes no new one, leaves when empty).
    """
    n_t = agents.shape[0]
    k = h.shape[1]
    n = arrival_s.shape[0]
    size = 1
    for i in range(n_t):
        size = max(size, agents[i] + 1)
    load = np.zeros(size, dtype=np.int64)
    state = np.zeros(size, dtype=np.int64)
    vt = np.zeros(size)
    vt_at = np.zeros(size)
    spd = np.zeros(size)
    tgt = np.full((size, k), np.inf)
    bk = np.zeros((k + 1, size), dtype=np.int64)
    bk_n = np.zeros(k + 1, dtype=np.int64)
    bpos = np.full(size, -1, dtype=np.int64)
    free = np.arange(size - 1, -1, -1).astype(np.int64)  # stack of absent agent ids
    n_free = size
    hp = np.zeros(size, dtype=np.int64)
    hpos = np.full(size, -1, dtype=np.int64)
    key = np.full(size, np.inf)
    hsize = 0
    on_shift = 0  # routable agents
    busy = 0  # present agents holding at least one conversation
    now = 0.0
    cur = 0
    draining = False
    nxt = 0
    qhead = 0
    target = agents[0] if n_t > 0 else 0
    change = True  # apply the staffing of interval 0 first
    while True:
        if change:
            change = False
            if on_shift < target:
                for a in range(size):  # take back leaving agents first
                    if on_shift >= target:
                        break
                    if state[a] == 2:
                        state[a] = 1
                        _bucket_add(bk, bk_n, bpos, a, load[a])
                        on_shift += 1
                while on_shift < target:
                    n_free -= 1
                    a = free[n_free]
                    state[a] = 1
                    load[a] = 0
                    vt[a] = 0.0
                    vt_at[a] = now
                    _bucket_add(bk, bk_n, bpos, a, 0)
                    on_shift += 1
            elif on_shift > target:
                for level in range(k + 1):  # the least loaded leave first
                    while on_shift > target and bk_n[level] > 0:
                        a = bk[level, bk_n[level] - 1]
                        _bucket_remove(bk, bk_n, bpos, a, level)
                        on_shift -= 1
                        if level == 0:
                            state[a] = 0
                            free[n_free] = a
                            n_free += 1
                        else:
                            state[a] = 2
        # route waiting conversations to the least-loaded agent with a free slot
        while qhead < nxt:
            level = -1
            for j in range(k):
                if bk_n[j] > 0:
                    level = j
                    break
            if level < 0:
                break
            c = qhead
            qhead += 1
            if deadline_s[c] <= now:
                stats[arrival_iv[c], 3] += 1.0
                continue
            wait = now - arrival_s[c]
            row = arrival_iv[c]
            stats[row, 1] += 1.0
            stats[row, 4] += wait
            if wait <= within_s:
                stats[row, 2] += 1.0
            a = bk[level, bk_n[level] - 1]
            vt[a] += spd[a] * (now - vt_at[a])
            vt_at[a] = now
            for s in range(k):
                if tgt[a, s] == np.inf:
                    tgt[a, s] = vt[a] + work[c]
                    break
            _bucket_remove(bk, bk_n, bpos, a, level)
            load[a] = level + 1
            _bucket_add(bk, bk_n, bpos, a, level + 1)
            if level == 0:
                busy += 1
            spd[a] = 1.0 / h[min(cur, n_t - 1), level]
            first = np.inf
            for s in range(k):
                first = min(first, tgt[a, s])
            hsize = _iheap_set(hp, hpos, key, hsize, a, now + max(first - vt[a], 0.0) / spd[a])
        if draining and qhead >= nxt:
            draining = False
            target = 0
            change = True
            continue
        t_arr = arrival_s[nxt] if nxt < n else np.inf
        t_bnd = (cur + 1) * interval_s if cur < n_t else np.inf
        t_cmp = key[hp[0]] if hsize > 0 else np.inf
        t_next = min(t_arr, t_bnd, t_cmp)
        if t_next == np.inf:
            break
        stats[cur, 5] += busy * (t_next - now)
        now = t_next
        if t_cmp <= t_bnd and t_cmp <= t_arr:
            a = hp[0]
            vt[a] += spd[a] * (now - vt_at[a])
            vt_at[a] = now
            best = 0
            for s in range(1, k):
                if tgt[a, s] < tgt[a, best]:
                    best = s
            tgt[a, best] = np.inf
            old = load[a]
            load[a] = old - 1
            if state[a] == 1:
                _bucket_remove(bk, bk_n, bpos, a, old)
                _bucket_add(bk, bk_n, bpos, a, old - 1)
            if old == 1:
                busy -= 1
                hsize = _iheap_remove(hp, hpos, key, hsize, a)
                spd[a] = 0.0
                if state[a] == 2:
                    state[a] = 0
                    free[n_free] = a
                    n_free += 1
            else:
                spd[a] = 1.0 / h[min(cur, n_t - 1), old - 2]
                first = np.inf
                for s in range(k):
                    first = min(first, tgt[a, s])
                hsize = _iheap_set(hp, hpos, key, hsize, a, now + max(first - vt[a], 0.0) / spd[a])
        elif t_bnd <= t_arr:
            cur += 1
            row = min(cur, n_t - 1)
            for a in range(size):  # the interval's handle times apply from now on
                if load[a] > 0:
                    vt[a] += spd[a] * (now - vt_at[a])
                    vt_at[a] = now
                    spd[a] = 1.0 / h[row, load[a] - 1]
                    first = np.inf
                    for s in range(k):
                        first = min(first, tgt[a, s])
                    hsize = _iheap_set(
                        hp, hpos, key, hsize, a, now + max(first - vt[a], 0.0) / spd[a]
                    )
            target, qhead, draining = _next_staffing(
                agents,
                cur,
                n_t,
                target,
                qhead,
                nxt,
                now,
                deadline_s,
                arrival_iv,
                stats,
                drain,
                draining,
            )
            change = True
        else:
            stats[arrival_iv[nxt], 0] += 1.0
            nxt += 1
    while qhead < nxt:
        stats[arrival_iv[qhead], 3] += 1.0
        qhead += 1


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
    # Intervals without agents never use their handle time: give them a harmless one.
    h = np.where(np.isfinite(h) & (h > 0), h, 1.0)
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
    loop = _run_pooled if (h.shape[1] == 1 or routing == "even_spread") else _run_agents
    if HAVE_NUMBA and not compiled:
        loop = loop.py_func
    loop(
        times,
        interval,
        work,
        times + patience,
        agents_f.astype(np.int64),
        np.ascontiguousarray(h),
        float(interval_s),
        float(answer_within_s),
        at_close == "drain",
        stats,
    )
    return stats[:n_t]
