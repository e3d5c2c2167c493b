"""The teams event loop: skills served by teams of multi-skilled agents, one replication.

Contacts of every skill arrive (drawn up front by :func:`staffing.simulation.teams.
draw_team_contacts`); each skill has its own first-come-first-served queue. The rules
(``docs/simulation.md``, "Teams: routing"):

- **An arriving contact** goes to an on-shift agent of a team holding its skill with a free
  slot, the least loaded first (fewest conversations in hand). Ties between teams: the team
  with more agents at that load, then the lower team position; within a team, the agent
  who reached that load last (as :func:`staffing.simulation.kernel_agents.run_agents`).
  With no such agent it waits in its skill's queue.
- **An agent freeing a slot** takes the head of the queue of highest ``priority`` among
  its team's skills, the one waiting longest among equal priorities. Contacts whose
  patience ran out are counted as abandoned when they reach the head.
- **Service:** a contact's work (mean 1) is worked off at 1 / h[s, t, j] per second, s its
  skill, t the current interval, j the load of its agent, so an agent's conversations can
  run at different speeds; every change of load or interval updates them.
- **Staffing** changes per team at interval boundaries as in the single-skill kernel:
  leaving agents come back first, the least loaded leave first, a busy leaver finishes
  what it holds; at a team's closing (0 planned) ``drain`` keeps its agents until the
  queues of its skills are empty.

Everything is compiled with numba through :func:`staffing.simulation.kernel_jit.jit` and
runs as plain Python without it. The loop is cut into steps to keep each under a screen.
"""

from __future__ import annotations

import numpy as np

from staffing.simulation.kernel_jit import (
    bucket_add,
    bucket_remove,
    iheap_remove,
    iheap_set,
    jit,
)

__all__ = ["TEAM_STATS", "run_teams_loop"]

#: Columns of the per-team statistics: agent-seconds holding at least one contact [s],
#: conversation-seconds in service [s], agent-seconds on shift [s].
TEAM_STATS = ("busy_s", "conversation_s", "on_shift_s")

# agent state: absent, on shift (routable), leaving (finishes what it holds)
_ABSENT, _ON, _LEAVING = 0, 1, 2


@jit
def _progress(a, now, at, slot_c, rem, rate):  # pragma: no cover - jitted
    """Work agent ``a``'s conversations off up to ``now``."""
    dt = now - at[a]
    if dt > 0.0:
        for j in range(slot_c.shape[1]):
            if slot_c[a, j] >= 0:
                rem[a, j] = max(rem[a, j] - rate[a, j] * dt, 0.0)
    at[a] = now


@jit
def _rekey(a, now, row, load, slot_c, rem, rate, skill, h, hp, hpos, key, hs):  # pragma: no cover
    """Speeds of agent ``a``'s conversations at its load in interval ``row``; its next end."""
    col = min(load[a] - 1, h.shape[2] - 1)
    first = np.inf
    for j in range(slot_c.shape[1]):
        c = slot_c[a, j]
        if c >= 0:
            rate[a, j] = 1.0 / h[skill[c], row, col]
            first = min(first, rem[a, j] / rate[a, j])
    hs[0] = iheap_set(hp, hpos, key, hs[0], a, now + first)


@jit
def _speed_changes(a, row, load, slot_c, rate, skill, h):  # pragma: no cover - jitted
    """True if a conversation of agent ``a`` runs at another speed in interval ``row``."""
    col = min(load[a] - 1, h.shape[2] - 1)
    for j in range(slot_c.shape[1]):
        c = slot_c[a, j]
        if c >= 0 and rate[a, j] != 1.0 / h[skill[c], row, col]:
            return True
    return False


@jit
def _pick_agent(s, sk_teams, sk_nt, kcap, bk, bk_n):  # pragma: no cover - jitted
    """The agent an arriving contact of skill ``s`` goes to (the routing rule), or -1."""
    best_r, best_level, best_n = -1, 1 << 30, 0
    for i in range(sk_nt[s]):
        r = sk_teams[s, i]
        for level in range(min(kcap[r], best_level + 1)):
            n = bk_n[r, level]
            if n > 0:
                if level < best_level or n > best_n:
                    best_r, best_level, best_n = r, level, n
                break
    if best_r < 0:
        return -1
    return bk[best_r, best_level, best_n - 1]


@jit
def _purge(s, now, q, deadline, arr_iv, stats):  # pragma: no cover - jitted
    """Count the dead contacts at the head of skill ``s``'s queue as abandoned."""
    qhead, qtail, qnext = q
    c = qhead[s]
    while c >= 0 and deadline[c] <= now:
        stats[s, arr_iv[c], 3] += 1.0
        c = qnext[c]
    qhead[s] = c
    if c < 0:
        qtail[s] = -1


@jit
def _push(s, c, q):  # pragma: no cover - jitted
    """Contact ``c`` joins the back of skill ``s``'s queue."""
    qhead, qtail, qnext = q
    qnext[c] = -1
    if qtail[s] >= 0:
        qnext[qtail[s]] = c
    else:
        qhead[s] = c
    qtail[s] = c


@jit
def _pop(s, q):  # pragma: no cover - jitted
    """Take the head of skill ``s``'s queue off; returns it."""
    qhead, qtail, qnext = q
    c = qhead[s]
    qhead[s] = qnext[c]
    if qhead[s] < 0:
        qtail[s] = -1
    return c


@jit
def _best_waiting(
    r, now, tm_sk, tm_ns, priority, q, deadline, arr_s, arr_iv, stats
):  # pragma: no cover
    """The skill whose head a freed slot of team ``r`` takes (priority, then longest wait)."""
    qhead = q[0]
    best = -1
    for i in range(tm_ns[r]):
        s = tm_sk[r, i]
        _purge(s, now, q, deadline, arr_iv, stats)
        c = qhead[s]
        if c < 0:
            continue
        if best < 0 or priority[s] > priority[best]:
            best = s
        elif priority[s] == priority[best] and arr_s[c] < arr_s[qhead[best]]:
            best = s
    return best


@jit
def _assign(c, a, now, row, ag, ti, fl, cf, h, within_s, stats):  # pragma: no cover - jitted
    """Contact ``c`` starts with agent ``a``: statistics, slot, load, bucket, next end."""
    team_of, load, _state, slot_c, bk, bk_n, bpos, hp, hpos = ag
    busy, convs, hs = ti
    at, rem, rate, key = fl
    arr_s, arr_iv, skill, work = cf
    s = skill[c]
    wait = now - arr_s[c]
    stats[s, arr_iv[c], 1] += 1.0
    stats[s, arr_iv[c], 4] += wait
    if wait <= within_s[s]:
        stats[s, arr_iv[c], 2] += 1.0
    _progress(a, now, at, slot_c, rem, rate)
    for j in range(slot_c.shape[1]):
        if slot_c[a, j] < 0:
            slot_c[a, j] = c
            rem[a, j] = work[c]
            break
    r = team_of[a]
    level = load[a]
    bucket_remove(bk[r], bk_n[r], bpos, a, level)
    bucket_add(bk[r], bk_n[r], bpos, a, level + 1)
    load[a] = level + 1
    if level == 0:
        busy[r] += 1
    convs[r] += 1
    _rekey(a, now, row, load, slot_c, rem, rate, skill, h, hp, hpos, key, hs)


@jit
def _complete(a, now, row, ag, ti, fl, cf, h, free, off, n_free):  # pragma: no cover - jitted
    """Agent ``a`` finishes its first-ending conversation; True if it can take another."""
    team_of, load, state, slot_c, bk, bk_n, bpos, hp, hpos = ag
    busy, convs, hs = ti
    at, rem, rate, key = fl
    skill = cf[2]
    _progress(a, now, at, slot_c, rem, rate)
    done, left = -1, np.inf
    for j in range(slot_c.shape[1]):
        if slot_c[a, j] >= 0 and rem[a, j] / rate[a, j] < left:
            done, left = j, rem[a, j] / rate[a, j]
    slot_c[a, done] = -1
    r = team_of[a]
    old = load[a]
    load[a] = old - 1
    convs[r] -= 1
    if state[a] == _ON:
        bucket_remove(bk[r], bk_n[r], bpos, a, old)
        bucket_add(bk[r], bk_n[r], bpos, a, old - 1)
    if old == 1:
        busy[r] -= 1
        hs[0] = iheap_remove(hp, hpos, key, hs[0], a)
        if state[a] == _LEAVING:
            state[a] = _ABSENT
            free[off[r] + n_free[r]] = a
            n_free[r] += 1
    else:
        _rekey(a, now, row, load, slot_c, rem, rate, skill, h, hp, hpos, key, hs)
    return state[a] == _ON


@jit
def _restaff(r, now, target, on_shift, ag, at, free, off, n_free):  # pragma: no cover
    """Team ``r`` to ``target[r]`` agents on shift (the single-skill kernel's rules)."""
    _team_of, load, state, _slot_c, bk, bk_n, bpos, _hp, _hpos = ag
    if on_shift[r] < target[r]:
        for a in range(off[r], off[r + 1]):  # take back leaving agents first
            if on_shift[r] >= target[r]:
                break
            if state[a] == _LEAVING:
                state[a] = _ON
                bucket_add(bk[r], bk_n[r], bpos, a, load[a])
                on_shift[r] += 1
        while on_shift[r] < target[r]:
            n_free[r] -= 1
            a = free[off[r] + n_free[r]]
            state[a] = _ON
            load[a] = 0
            at[a] = now
            bucket_add(bk[r], bk_n[r], bpos, a, 0)
            on_shift[r] += 1
    elif on_shift[r] > target[r]:
        for level in range(bk_n.shape[1]):  # the least loaded leave first, every load
            while on_shift[r] > target[r] and bk_n[r, level] > 0:
                a = bk[r, level, bk_n[r, level] - 1]
                bucket_remove(bk[r], bk_n[r], bpos, a, level)
                on_shift[r] -= 1
                if level == 0:
                    state[a] = _ABSENT
                    free[off[r] + n_free[r]] = a
                    n_free[r] += 1
                else:
                    state[a] = _LEAVING


@jit
def _dispatch(now, row, ag, ti, fl, cf, deadline, q, tm, h, within_s, stats):  # pragma: no cover
    """Waiting contacts to agents with free slots, best waiting first, after a restaffing."""
    sk_teams, sk_nt, _tm_sk, _tm_ns, kcap, priority, _off = tm
    arr_s, arr_iv = cf[0], cf[1]
    bk, bk_n = ag[4], ag[5]
    qhead = q[0]
    while True:
        best_s, best_a = -1, -1
        for s in range(sk_nt.shape[0]):
            _purge(s, now, q, deadline, arr_iv, stats)
            c = qhead[s]
            if c < 0:
                continue
            a = _pick_agent(s, sk_teams, sk_nt, kcap, bk, bk_n)
            if a < 0:
                continue
            if (
                best_s < 0
                or priority[s] > priority[best_s]
                or (priority[s] == priority[best_s] and arr_s[c] < arr_s[qhead[best_s]])
            ):
                best_s, best_a = s, a
        if best_s < 0:
            return
        c = _pop(best_s, q)
        _assign(c, best_a, now, row, ag, ti, fl, cf, h, within_s, stats)


@jit
def _waiting(r, now, tm, q, deadline, arr_iv, stats):  # pragma: no cover - jitted
    """True if a live contact waits in the queue of one of team ``r``'s skills."""
    tm_sk, tm_ns = tm[2], tm[3]
    for i in range(tm_ns[r]):
        s = tm_sk[r, i]
        _purge(s, now, q, deadline, arr_iv, stats)
        if q[0][s] >= 0:
            return True
    return False


@jit
def _boundary(
    cur, now, agents, drain, st, ag, ti, fl, cf, deadline, q, tm, h, within_s, stats
):  # pragma: no cover
    """Interval ``cur`` begins: its handle times, each team's staffing (closing rule)."""
    target, on_shift, draining, free, n_free = st
    load = ag[1]
    n_t = agents.shape[1]
    row = min(cur, n_t - 1)
    for a in range(load.shape[0]):  # the interval's handle times apply from now on
        if load[a] > 0 and _speed_changes(a, row, load, ag[3], fl[2], cf[2], h):
            _progress(a, now, fl[0], ag[3], fl[1], fl[2])
            _rekey(a, now, row, load, ag[3], fl[1], fl[2], cf[2], h, ag[7], ag[8], fl[3], ti[2])
    for r in range(agents.shape[0]):
        planned = agents[r, cur] if cur < n_t else 0
        if planned > 0:
            target[r], draining[r] = planned, False
        elif drain and (draining[r] or _waiting(r, now, tm, q, deadline, cf[1], stats)):
            draining[r] = True
        else:
            target[r], draining[r] = 0, False
        _restaff(r, now, target, on_shift, ag, fl[0], free, tm[6], n_free)
    _dispatch(now, row, ag, ti, fl, cf, deadline, q, tm, h, within_s, stats)


@jit
def _loop(
    agents, drain, interval_s, st, ag, ti, fl, cf, deadline, q, tm, h, within_s, stats, team_stats
):  # pragma: no cover
    """The event loop: completions, interval boundaries and arrivals in time order."""
    target, on_shift, draining, free, n_free = st
    busy, convs, hs = ti
    hp, key, team_of = ag[7], fl[3], ag[0]
    n, n_t, n_r = deadline.shape[0], agents.shape[1], agents.shape[0]
    now, cur, nxt = 0.0, 0, 0
    _boundary(0, 0.0, agents, drain, st, ag, ti, fl, cf, deadline, q, tm, h, within_s, stats)
    while True:
        for r in range(n_r):  # a draining team leaves once its queues are empty
            if draining[r] and not _waiting(r, now, tm, q, deadline, cf[1], stats):
                target[r], draining[r] = 0, False
                _restaff(r, now, target, on_shift, ag, fl[0], free, tm[6], n_free)
        t_arr = cf[0][nxt] if nxt < n else np.inf
        t_bnd = (cur + 1) * interval_s if cur < n_t else np.inf
        t_cmp = key[hp[0]] if hs[0] > 0 else np.inf
        t_next = min(t_arr, t_bnd, t_cmp)
        if t_next == np.inf:
            break
        dt = t_next - now
        for r in range(n_r):
            team_stats[r, cur, 0] += busy[r] * dt
            team_stats[r, cur, 1] += convs[r] * dt
            team_stats[r, cur, 2] += on_shift[r] * dt
        now = t_next
        row = min(cur, n_t - 1)
        if t_cmp <= t_bnd and t_cmp <= t_arr:
            a = hp[0]
            if _complete(a, now, row, ag, ti, fl, cf, h, free, tm[6], n_free):
                s = _best_waiting(
                    team_of[a], now, tm[2], tm[3], tm[5], q, deadline, cf[0], cf[1], stats
                )
                if s >= 0:
                    _assign(_pop(s, q), a, now, row, ag, ti, fl, cf, h, within_s, stats)
        elif t_bnd <= t_arr:
            cur += 1
            _boundary(
                cur, now, agents, drain, st, ag, ti, fl, cf, deadline, q, tm, h, within_s, stats
            )
        else:
            c = nxt
            nxt += 1
            s = cf[2][c]
            stats[s, cf[1][c], 0] += 1.0
            a = _pick_agent(s, tm[0], tm[1], tm[4], ag[4], ag[5])
            if a >= 0:
                _assign(c, a, now, row, ag, ti, fl, cf, h, within_s, stats)
            else:
                _push(s, c, q)
    for s in range(q[0].shape[0]):  # still waiting when the run ends: abandoned
        c = q[0][s]
        while c >= 0:
            stats[s, cf[1][c], 3] += 1.0
            c = q[2][c]


def run_teams_loop(
    arrival_s: np.ndarray,
    arrival_iv: np.ndarray,
    skill: np.ndarray,
    work: np.ndarray,
    deadline_s: np.ndarray,
    agents: np.ndarray,
    h: np.ndarray,
    membership: np.ndarray,
    max_concurrency: np.ndarray,
    priority: np.ndarray,
    interval_s: float,
    within_s: np.ndarray,
    drain: bool,
    compiled: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """One replication of skills served by teams; per-skill and per-team statistics.

    Parameters
    ----------
    arrival_s : numpy.ndarray
        Arrival times of every skill's contacts, sorted [s].
    arrival_iv, skill : numpy.ndarray of int64
        Interval and skill position of each contact.
    work : numpy.ndarray
        Work content of each contact (mean 1) [-].
    deadline_s : numpy.ndarray
        Time each contact abandons if still waiting [s] (inf: never).
    agents : numpy.ndarray of int64
        Planned on-queue agents per team and interval [-], shape (R, T).
    h : numpy.ndarray
        Mean handle time of a contact by skill, interval and its agent's load [s],
        shape (S, T, K), column j-1 for load j (K = 1: the same at every load).
    membership : numpy.ndarray of bool
        (S, R): team r's agents hold skill s.
    max_concurrency, priority : numpy.ndarray of int64
        Slots per agent of each team (R,) and routing priority of each skill (S,) [-].
    interval_s : float
        Interval length [s].
    within_s : numpy.ndarray
        Service-level threshold of each skill [s], shape (S,).
    drain : bool
        At a team's closing its agents stay until its skills' queues are empty.
    compiled : bool, default True
        Run the numba-compiled loop; False runs the same steps as plain Python.

    Returns
    -------
    stats : numpy.ndarray
        (S, T, 6), the single-skill kernel's columns (``kernel.STATS``) per skill; busy
        time is per team, so column 5 is 0.
    team_stats : numpy.ndarray
        (R, T, 3), columns :data:`TEAM_STATS` [s].
    """
    n_s, n_r = membership.shape
    n_t = agents.shape[1]
    kmax = int(max(max_concurrency.max(initial=1), 1))
    size = agents.max(axis=1, initial=0).astype(np.int64) + 1
    off = np.concatenate([[0], np.cumsum(size)]).astype(np.int64)
    n_a = int(off[-1])
    team_of = np.repeat(np.arange(n_r, dtype=np.int64), size)
    sk_teams = np.zeros((n_s, max(n_r, 1)), np.int64)
    sk_nt = membership.sum(axis=1).astype(np.int64)
    tm_sk = np.zeros((max(n_r, 1), n_s), np.int64)
    tm_ns = membership.sum(axis=0).astype(np.int64)
    for s in range(n_s):
        sk_teams[s, : sk_nt[s]] = np.flatnonzero(membership[s])
    for r in range(n_r):
        tm_sk[r, : tm_ns[r]] = np.flatnonzero(membership[:, r])
    free = np.zeros(n_a, np.int64)  # per team a stack of absent agent ids
    for r in range(n_r):
        free[off[r] : off[r + 1]] = np.arange(off[r + 1] - 1, off[r] - 1, -1)
    ag = (
        team_of,
        np.zeros(n_a, np.int64),  # load
        np.zeros(n_a, np.int64),  # state
        np.full((n_a, kmax), -1, np.int64),  # the contact in each slot
        np.zeros((n_r, kmax + 1, int(size.max(initial=1))), np.int64),  # buckets
        np.zeros((n_r, kmax + 1), np.int64),
        np.full(n_a, -1, np.int64),
        np.zeros(n_a, np.int64),  # indexed heap of agents by next end
        np.full(n_a, -1, np.int64),
    )
    ti = (np.zeros(n_r, np.int64), np.zeros(n_r, np.int64), np.zeros(1, np.int64))
    fl = (np.zeros(n_a), np.zeros((n_a, kmax)), np.ones((n_a, kmax)), np.full(n_a, np.inf))
    st = (
        np.zeros(n_r, np.int64),
        np.zeros(n_r, np.int64),
        np.zeros(n_r, np.bool_),
        free,
        size.copy(),
    )
    q = (
        np.full(n_s, -1, np.int64),
        np.full(n_s, -1, np.int64),
        np.full(arrival_s.size, -1, np.int64),
    )
    tm = (
        sk_teams,
        sk_nt,
        tm_sk,
        tm_ns,
        max_concurrency.astype(np.int64),
        priority.astype(np.int64),
        off,
    )
    cf = (arrival_s, arrival_iv.astype(np.int64), skill.astype(np.int64), work)
    stats = np.zeros((n_s, n_t + 1, 6))
    team_stats = np.zeros((n_r, n_t + 1, len(TEAM_STATS)))
    loop = _loop if compiled or not hasattr(_loop, "py_func") else _loop.py_func
    loop(
        agents.astype(np.int64),
        bool(drain),
        float(interval_s),
        st,
        ag,
        ti,
        fl,
        cf,
        deadline_s,
        q,
        tm,
        np.ascontiguousarray(h, dtype=float),
        within_s.astype(float),
        stats,
        team_stats,
    )
    return stats[:, :n_t], team_stats[:, :n_t]
