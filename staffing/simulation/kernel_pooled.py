"""The pooled event loop: one queue whose conversations in service share one speed.

Used for k = 1 (one contact per agent) and for chat with the model's even spread: every
conversation in service is worked off at the same speed, so one virtual clock V (work done
per conversation since the start) and a min-heap of finishing values of V hold the whole
service state. The rules are in ``docs/simulation.md``.
"""

from __future__ import annotations

import numpy as np

from staffing.simulation.kernel_jit import heap_pop, heap_push, heap_replace, jit, next_staffing

__all__ = ["pooled_speed", "run_pooled"]


@jit
def pooled_speed(m, cap, k, h, cur):  # pragma: no cover - jitted
    """Work-off speed of every conversation in service [1/s] under even spread.

    Parameters
    ----------
    m : int
        Conversations in service [-].
    cap : int
        Agents on shift [-].
    k : int
        Concurrency (conversations an agent may hold) [-].
    h : numpy.ndarray
        Mean handle times (T, k) [s], column j-1: h_j.
    cur : int
        Current interval index.
    """
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


@jit
def run_pooled(
    arrival_s, arrival_iv, work, deadline_s, agents, h, interval_s, within_s, drain, stats
):  # pragma: no cover - jitted
    """One replication with a pooled state: k = 1, or chat with even spread.

    All conversations in service are worked off at one speed, so a single virtual clock V
    (work done per conversation since the start) and a heap of finishing values of V hold
    the whole service state. Fills ``stats`` (T + 1, 6) in place; row T is after the horizon.

    Parameters
    ----------
    arrival_s : numpy.ndarray
        Sorted arrival times [s].
    arrival_iv : numpy.ndarray of int64
        Interval each contact arrives in.
    work : numpy.ndarray
        Work content of each contact (mean 1) [-].
    deadline_s : numpy.ndarray
        Time each contact abandons [s].
    agents : numpy.ndarray of int64
        Planned on-queue agents per interval [-], shape (T,).
    h : numpy.ndarray
        Mean handle times (T, k) [s], column j-1: h_j.
    interval_s : float
        Interval length [s].
    within_s : float
        Service-level threshold [s].
    drain : bool
        Agents stay at closing until the queue is empty.
    stats : numpy.ndarray
        Per-interval statistics (T + 1, 6), filled in place.
    """
    n_t, k, n = agents.shape[0], h.shape[1], arrival_s.shape[0]
    size_max = 1
    for i in range(n_t):
        size_max = max(size_max, agents[i] * k + 1)
    heap = np.empty(size_max, dtype=np.float64)
    m, v, now, cur, draining, nxt, qhead = 0, 0.0, 0.0, 0, False, 0, 0
    cap = agents[0] if n_t > 0 else 0
    speed = pooled_speed(m, cap, k, h, 0)
    pace, speed_iv = 1.0 / speed, 0  # pace [s per unit of work]: a product per event
    # the next interval boundary [s]; busy agent-seconds of interval cur so far
    t_bnd, busy_s = (interval_s if n_t > 0 else np.inf), 0.0
    while True:
        t_arr = arrival_s[nxt] if nxt < n else np.inf
        t_cmp = np.inf
        if m > 0:
            t_cmp = now + max(heap[0] - v, 0.0) * pace
        t_next = min(t_arr, t_bnd, t_cmp)
        if t_next == np.inf:
            break
        dt = t_next - now
        if m > 0:  # busy agents: m with k = 1, else as the even spread has them
            busy_s += (m if k == 1 else min(m, max(cap, (m + k - 1) // k))) * dt
            v += speed * dt
        now = t_next
        done = int(t_cmp <= t_bnd and t_cmp <= t_arr)  # the heap's top has finished
        if not done and t_bnd <= t_arr:
            stats[cur, 5] += busy_s
            busy_s = 0.0
            cur += 1
            t_bnd = (cur + 1) * interval_s if cur < n_t else np.inf
            cap, qhead, draining = next_staffing(
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
        elif not done:
            stats[arrival_iv[nxt], 0] += 1.0
            nxt += 1
        # start waiting contacts on free slots, first come first served; the first one
        # takes the finished conversation's place in the heap (one sift instead of two)
        while m - done < cap * k and qhead < nxt:
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
            if done:
                heap_replace(heap, m, v + work[j])
                done = 0
            else:
                m = heap_push(heap, m, v + work[j])
        if done:
            _, m = heap_pop(heap, m)
        if draining and qhead >= nxt:
            cap = 0
            draining = False
        if k > 1 or cur != speed_iv:  # with k = 1 the speed changes only with the interval
            speed_iv = cur
            speed = pooled_speed(m, cap, k, h, min(cur, n_t - 1))
            pace = 1.0 / speed
    stats[cur, 5] += busy_s
    while qhead < nxt:  # nobody left to answer them within the run
        stats[arrival_iv[qhead], 3] += 1.0
        qhead += 1
