"""The per-agent event loop: chat with least-loaded routing, every agent its own state.

Agent a holds ``load[a]`` conversations, each worked off at speed 1/h_load, tracked by the
agent's own virtual clock; an indexed heap orders agents by their next completion. The
rules are in ``docs/simulation.md``.

:func:`run_agents` is one long loop on purpose: cut into compiled steps (restaffing,
routing, a completion, an interval boundary) it ran three times slower under numba, the
steps' inlining notwithstanding (measured in issue 18), so it keeps its body whole and takes
its heaps, buckets and closing rule from :mod:`staffing.simulation.kernel_jit`.
"""

from __future__ import annotations

import numpy as np

from staffing.simulation.kernel_jit import (
    bucket_add,
    bucket_remove,
    iheap_remove,
    iheap_set,
    jit,
    next_staffing,
)

__all__ = ["run_agents"]


@jit
def run_agents(
    arrival_s, arrival_iv, work, deadline_s, agents, h, interval_s, within_s, drain, stats
):  # pragma: no cover - jitted
    """One replication of chat with least-loaded routing: every agent has its own state.

    Agent a holds ``load[a]`` conversations, each worked off at speed 1/h_load, tracked by
    the agent's own virtual clock; an indexed heap orders agents by their next completion.
    States: 0 absent, 1 on shift (routable, in bucket ``load``), 2 leaving (finishes the
    conversations in hand, takes no new one, leaves when empty).

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
                        bucket_add(bk, bk_n, bpos, a, load[a])
                        on_shift += 1
                while on_shift < target:
                    n_free -= 1
                    a = free[n_free]
                    state[a] = 1
                    load[a] = 0
                    vt[a] = 0.0
                    vt_at[a] = now
                    bucket_add(bk, bk_n, bpos, a, 0)
                    on_shift += 1
            elif on_shift > target:
                for level in range(k + 1):  # the least loaded leave first
                    while on_shift > target and bk_n[level] > 0:
                        a = bk[level, bk_n[level] - 1]
                        bucket_remove(bk, bk_n, bpos, a, level)
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
            bucket_remove(bk, bk_n, bpos, a, level)
            load[a] = level + 1
            bucket_add(bk, bk_n, bpos, a, level + 1)
            if level == 0:
                busy += 1
            spd[a] = 1.0 / h[min(cur, n_t - 1), level]
            first = np.inf
            for s in range(k):
                first = min(first, tgt[a, s])
            hsize = iheap_set(hp, hpos, key, hsize, a, now + max(first - vt[a], 0.0) / spd[a])
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
                bucket_remove(bk, bk_n, bpos, a, old)
                bucket_add(bk, bk_n, bpos, a, old - 1)
            if old == 1:
                busy -= 1
                hsize = iheap_remove(hp, hpos, key, hsize, a)
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
                hsize = iheap_set(hp, hpos, key, hsize, a, now + max(first - vt[a], 0.0) / spd[a])
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
                    hsize = iheap_set(
                        hp, hpos, key, hsize, a, now + max(first - vt[a], 0.0) / spd[a]
                    )
            target, qhead, draining = next_staffing(
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
