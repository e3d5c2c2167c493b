"""The kernel's compiled building blocks: the numba switch, heaps, buckets, shared rules.

Both event loops (:mod:`staffing.simulation.kernel_pooled` and
:mod:`staffing.simulation.kernel_agents`) are made of these steps: the min-heap of
finishing values, the indexed heap of agents by next completion, the buckets of agents by
load, and the closing rule of
``docs/simulation.md``. Every function is compiled with numba when it is installed (``pip
install staffing[simulate]``) and runs as plain Python otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

try:  # numba is the optional extra `staffing[simulate]`
    import numba

    HAVE_NUMBA = True

    def jit(function: Callable[..., Any]) -> Any:
        """Compile ``function`` with numba (cached, without the GIL), lazily.

        Nothing is compiled here: the first call compiles the signature it needs, or
        loads it from numba's on-disk cache (``__pycache__`` beside the module, else the
        user's cache directory or ``NUMBA_CACHE_DIR``), which takes a fraction of a
        second instead of seconds (figures in ``benchmarks/bench_simulate.py``). Where no
        cache directory is writable (a read-only install without a home directory),
        numba refuses to cache; the function is then compiled in memory at each first
        call, with the same results.

        Parameters
        ----------
        function : callable
            The function to compile.
        """
        try:
            return numba.njit(cache=True, nogil=True)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(nogil=True)(function)

except ImportError:  # pragma: no cover - exercised only without the extra
    HAVE_NUMBA = False

    def jit(function: Callable[..., Any]) -> Any:
        """Without numba: ``function`` itself, run as plain Python.

        Parameters
        ----------
        function : callable
            The function to run uncompiled.
        """
        return function


__all__ = [
    "HAVE_NUMBA",
    "bucket_add",
    "bucket_remove",
    "heap_pop",
    "heap_push",
    "heap_replace",
    "iheap_remove",
    "iheap_set",
    "jit",
    "next_staffing",
    "sort_segments",
]


# --------------------------------------------------------------------------- heaps


@jit
def heap_push(heap, size, value):  # pragma: no cover - jitted
    """Push ``value`` onto the min-heap ``heap[:size]``; returns the new size.

    Parameters
    ----------
    heap : numpy.ndarray
        Min-heap storage of finishing values [-].
    size : int
        Entries in use [-].
    value : float
        Value pushed, or the agent's new key [s].
    """
    i = size
    heap[i] = value
    while i > 0:
        parent = (i - 1) >> 1
        if heap[parent] <= heap[i]:
            break
        heap[parent], heap[i] = heap[i], heap[parent]
        i = parent
    return size + 1


@jit
def heap_pop(heap, size):  # pragma: no cover - jitted
    """Pop the smallest value of the min-heap ``heap[:size]``; returns (value, new size).

    Parameters
    ----------
    heap : numpy.ndarray
        Min-heap storage of finishing values [-].
    size : int
        Entries in use [-].
    """
    top = heap[0]
    size -= 1
    heap_replace(heap, size, heap[size])
    return top, size


@jit
def heap_replace(heap, size, value):  # pragma: no cover - jitted
    """Replace the smallest value of the min-heap ``heap[:size]`` by ``value``.

    One sift down instead of a pop's and a push's: what a pop followed by a push of
    ``value`` leaves in the heap, the same values in another order.

    Parameters
    ----------
    heap : numpy.ndarray
        Min-heap storage of finishing values [-].
    size : int
        Entries in use [-], unchanged.
    value : float
        Value taking the smallest one's place [-].
    """
    heap[0] = value
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


@jit
def iheap_up(hp, hpos, key, i):  # pragma: no cover - jitted
    """Sift entry ``i`` of the indexed heap ``hp`` (positions ``hpos``) up by ``key``.

    Parameters
    ----------
    hp : numpy.ndarray of int64
        Indexed heap: agent ids in heap order.
    hpos : numpy.ndarray of int64
        Position of each agent in ``hp`` (-1: absent).
    key : numpy.ndarray
        Next completion time of each agent [s].
    i : int
        Heap position to sift from.
    """
    while i > 0:
        parent = (i - 1) >> 1
        if key[hp[parent]] <= key[hp[i]]:
            break
        a, b = hp[parent], hp[i]
        hp[parent], hp[i] = b, a
        hpos[b], hpos[a] = parent, i
        i = parent


@jit
def iheap_down(hp, hpos, key, i, size):  # pragma: no cover - jitted
    """Sift entry ``i`` of the indexed heap ``hp[:size]`` down by ``key``.

    Parameters
    ----------
    hp : numpy.ndarray of int64
        Indexed heap: agent ids in heap order.
    hpos : numpy.ndarray of int64
        Position of each agent in ``hp`` (-1: absent).
    key : numpy.ndarray
        Next completion time of each agent [s].
    i : int
        Heap position to sift from.
    size : int
        Entries in use [-].
    """
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


@jit
def iheap_set(hp, hpos, key, size, agent, value):  # pragma: no cover - jitted
    """Insert ``agent`` with ``value`` or change its key; returns the new size.

    Parameters
    ----------
    hp : numpy.ndarray of int64
        Indexed heap: agent ids in heap order.
    hpos : numpy.ndarray of int64
        Position of each agent in ``hp`` (-1: absent).
    key : numpy.ndarray
        Next completion time of each agent [s].
    size : int
        Entries in use [-].
    agent : int
        Agent id.
    value : float
        Value pushed, or the agent's new key [s].
    """
    key[agent] = value
    i = hpos[agent]
    if i < 0:
        hp[size] = agent
        hpos[agent] = size
        iheap_up(hp, hpos, key, size)
        return size + 1
    iheap_up(hp, hpos, key, i)
    iheap_down(hp, hpos, key, hpos[agent], size)
    return size


@jit
def iheap_remove(hp, hpos, key, size, agent):  # pragma: no cover - jitted
    """Take ``agent`` out of the indexed heap (if in it); returns the new size.

    Parameters
    ----------
    hp : numpy.ndarray of int64
        Indexed heap: agent ids in heap order.
    hpos : numpy.ndarray of int64
        Position of each agent in ``hp`` (-1: absent).
    key : numpy.ndarray
        Next completion time of each agent [s].
    size : int
        Entries in use [-].
    agent : int
        Agent id.
    """
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
    iheap_up(hp, hpos, key, i)
    iheap_down(hp, hpos, key, hpos[last], size)
    return size


# --------------------------------------------------------------------------- arrivals


@jit
def sort_segments(values, counts, width):  # pragma: no cover - jitted
    """Sort ``values`` in place, given that they lie in consecutive segments of ``width``.

    The first ``counts[0]`` values lie in [0, width), the next ``counts[1]`` in
    [width, 2 width), and so on, in any order within their segment. Each segment is
    distributed over as many buckets as it has values (by position within the segment),
    then finished by insertion sort, which also puts right any value a rounding sent to
    a neighbouring bucket: the result is the sorted array, the same values as a full
    sort gives, in linear expected time for values spread evenly over their segment
    (about five times faster than numpy's sort of the whole array).

    Parameters
    ----------
    values : numpy.ndarray
        Values to sort, grouped by segment (e.g. arrival times [s]).
    counts : numpy.ndarray of int64
        Values in each segment [-].
    width : float
        Segment width (e.g. the interval length [s]).
    """
    most = 1
    for i in range(counts.shape[0]):
        most = max(most, counts[i])
    fill = np.empty(most + 1, dtype=np.int64)
    bucket = np.empty(most, dtype=np.int64)
    scratch = np.empty(most, dtype=values.dtype)
    pos = 0
    for i in range(counts.shape[0]):
        c = counts[i]
        if c > 1:
            start = i * width
            scale = c / width
            fill[: c + 1] = 0
            for j in range(c):
                b = min(max(int((values[pos + j] - start) * scale), 0), c - 1)
                bucket[j] = b
                fill[b + 1] += 1
            for b in range(c):
                fill[b + 1] += fill[b]
            for j in range(c):
                b = bucket[j]
                scratch[fill[b]] = values[pos + j]
                fill[b] += 1
            for j in range(c):  # insertion sort of the nearly sorted scratch
                x = scratch[j]
                q = j - 1
                while q >= 0 and scratch[q] > x:
                    scratch[q + 1] = scratch[q]
                    q -= 1
                scratch[q + 1] = x
            values[pos : pos + c] = scratch[:c]
        pos += c


# --------------------------------------------------------------------------- buckets


@jit
def bucket_add(bk, bk_n, bpos, agent, load):  # pragma: no cover - jitted
    """Put ``agent`` in the bucket of agents holding ``load`` conversations.

    Parameters
    ----------
    bk : numpy.ndarray of int64
        Buckets (k + 1, agents): agent ids by load.
    bk_n : numpy.ndarray of int64
        Agents in each bucket [-].
    bpos : numpy.ndarray of int64
        Position of each agent in its bucket (-1: none).
    agent : int
        Agent id.
    load : int
        Conversations the agent holds [-].
    """
    bk[load, bk_n[load]] = agent
    bpos[agent] = bk_n[load]
    bk_n[load] += 1


@jit
def bucket_remove(bk, bk_n, bpos, agent, load):  # pragma: no cover - jitted
    """Take ``agent`` out of the bucket of load ``load`` (the last one fills its place).

    Parameters
    ----------
    bk : numpy.ndarray of int64
        Buckets (k + 1, agents): agent ids by load.
    bk_n : numpy.ndarray of int64
        Agents in each bucket [-].
    bpos : numpy.ndarray of int64
        Position of each agent in its bucket (-1: none).
    agent : int
        Agent id.
    load : int
        Conversations the agent holds [-].
    """
    i = bpos[agent]
    last = bk[load, bk_n[load] - 1]
    bk[load, i] = last
    bpos[last] = i
    bk_n[load] -= 1
    bpos[agent] = -1


# --------------------------------------------------------------------------- shared rules


@jit
def next_staffing(
    agents, cur, n_t, staffed, qhead, nxt, now, deadline_s, arrival_iv, stats, drain, draining
):  # pragma: no cover - jitted
    """The agents on shift from interval ``cur`` on: the closing rule of docs/simulation.md.

    An open interval takes its planned agents. At a closed one the contacts whose patience
    ran out are counted as abandoned; with ``drain`` the agents stay until the queue is
    empty, else nobody is on shift. Returns (agents on shift, queue head, draining).

    Parameters
    ----------
    agents : numpy.ndarray of int64
        Planned on-queue agents per interval [-], shape (T,).
    cur : int
        Current interval index.
    n_t : int
        Intervals T [-].
    staffed : int
        Agents on shift before the boundary [-].
    qhead : int
        Index of the first waiting contact.
    nxt : int
        Index of the next contact to arrive (contacts before it have arrived).
    now : float
        Current time [s].
    deadline_s : numpy.ndarray
        Time each contact abandons [s].
    arrival_iv : numpy.ndarray of int64
        Interval each contact arrives in.
    stats : numpy.ndarray
        Per-interval statistics (T + 1, 6), filled in place.
    drain : bool
        Agents stay at closing until the queue is empty.
    draining : bool
        The agents are draining the queue now.
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
