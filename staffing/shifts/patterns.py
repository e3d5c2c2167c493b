"""Coverage matrices of shift patterns on a grid of equal intervals.

Pure maths on arrays: no config, no pandas. A *pattern* is one way a head can work: a
template started at one instant of the horizon with its unpaid break at one offset. Its
column in the coverage matrix holds, per interval, the share of the interval the head is at
work and not on break (1 for a whole interval, a fraction when a start or break does not
line up with the interval grid). ``docs/shifts.md`` has the model.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

__all__ = ["pattern_coverage"]


def pattern_coverage(
    start_min: ArrayLike,
    length_min: ArrayLike,
    break_start_min: ArrayLike,
    break_length_min: ArrayLike,
    *,
    interval_minutes: float,
    n_intervals: int,
    wrap: bool = True,
) -> sparse.csc_array:
    """Coverage matrix of shift patterns on a grid of equal intervals.

    Parameters
    ----------
    start_min : array_like
        Start of each pattern in elapsed minutes after the start of the horizon [min],
        shape (n_patterns,).
    length_min : array_like
        Span of each pattern from start to end, break included [min]; broadcast.
    break_start_min : array_like
        Start of the unpaid break after the shift start [min]; ignored where
        ``break_length_min`` is 0; broadcast.
    break_length_min : array_like
        Length of the break [min], 0 for none; broadcast.
    interval_minutes : float
        Length of every interval of the grid [min] (elapsed time, so a DST day simply has
        more or fewer intervals).
    n_intervals : int
        Intervals in the horizon.
    wrap : bool, default True
        True: time past the end of the horizon continues at its start (the horizon is
        treated as repeating, e.g. a Sunday night shift covers the first Monday morning).
        False: that time is dropped (still paid, covers nothing).

    Returns
    -------
    scipy.sparse.csc_array
        Shape (n_intervals, n_patterns): share of each interval [-] in [0, 1] during which a
        head of the pattern is at work and not on break.

    Raises
    ------
    ValueError
        A negative start, length or break, a break that does not end inside its shift, or a
        non-positive interval length.
    """
    start, length, brk, brk_len = _checked_patterns(
        start_min, length_min, break_start_min, break_length_min, interval_minutes, n_intervals
    )
    grids = [
        _segment_grid(seg_a, seg_e, interval_minutes, n_intervals, wrap)
        for seg_a, seg_e in _segments(start, length, brk, brk_len)
    ]
    # one row of the grids per pattern: its entries in order, the work before the break first
    index, share, ok = (np.hstack([grid[k] for grid in grids]) for k in range(3))
    counts = ok.sum(axis=1)
    rows, data = index[ok], share[ok]
    same_column = np.repeat(np.arange(start.size), counts)
    same_column = same_column[1:] == same_column[:-1]
    shape = (n_intervals, start.size)
    if np.all(np.diff(rows)[same_column] > 0):  # rows increasing in every column
        ptr = np.concatenate([[0], np.cumsum(counts)])
        return sparse.csc_array((data, rows, ptr), shape=shape)
    # a wrap onto the start of the horizon, or a break inside one interval: sort and sum
    cols = np.repeat(np.arange(start.size), counts)
    out = sparse.coo_array((data, (rows, cols)), shape=shape).tocsc()
    out.sum_duplicates()
    return out


def _checked_patterns(
    start_min: ArrayLike,
    length_min: ArrayLike,
    break_start_min: ArrayLike,
    break_length_min: ArrayLike,
    interval_minutes: float,
    n_intervals: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four pattern arrays broadcast to one flat shape, each checked [min].

    Raises
    ------
    ValueError
        As :func:`pattern_coverage`.
    """
    start, length, brk, brk_len = np.broadcast_arrays(
        *(
            np.asarray(x, dtype=float)
            for x in (start_min, length_min, break_start_min, break_length_min)
        )
    )
    start, length = start.ravel(), length.ravel()
    brk, brk_len = brk.ravel(), brk_len.ravel()
    if interval_minutes <= 0 or n_intervals < 0:
        raise ValueError(
            f"interval_minutes must be > 0 and n_intervals >= 0 (got "
            f"{interval_minutes}, {n_intervals})"
        )
    has_break = brk_len > 0
    bad = (
        ~np.isfinite(start)
        | (start < 0)
        | ~(length > 0)
        | (brk_len < 0)
        | (has_break & ((brk < 0) | (brk + brk_len > length)))
    )
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"pattern {first}: start {start[first]}, length {length[first]}, break "
            f"{brk[first]}+{brk_len[first]} min is not a shift with its break inside"
        )
    return start, length, brk, brk_len


def _segments(
    start: np.ndarray, length: np.ndarray, brk: np.ndarray, brk_len: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(begin, end) of the work before and after each pattern's break [min after start of
    the horizon]; the second segment is empty without a break."""
    has_break = brk_len > 0
    first_end = np.where(has_break, brk, length)
    return [
        (start, start + first_end),
        (start + np.where(has_break, brk + brk_len, length), start + length),
    ]


def _segment_grid(
    seg_a: np.ndarray, seg_e: np.ndarray, interval_minutes: float, n_intervals: int, wrap: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(interval rows, shares [-], whether the entry exists) of one segment per pattern,
    each of shape (n_patterns, span): column ``k`` is the ``k``-th interval from the
    segment's first."""
    horizon = n_intervals * interval_minutes
    keep = seg_e > seg_a
    if wrap and horizon > 0:
        shift = np.floor(seg_a / horizon) * horizon
        seg_a, seg_e = seg_a - shift, seg_e - shift
    first = np.floor(seg_a / interval_minutes)
    span = int(np.max(np.ceil(seg_e[keep] / interval_minutes) - first[keep], initial=0))
    index = first[:, None] + np.arange(span)[None, :]
    lo = np.maximum(seg_a[:, None], index * interval_minutes)
    hi = np.minimum(seg_e[:, None], (index + 1) * interval_minutes)
    share = (hi - lo) / interval_minutes
    ok = keep[:, None] & (share > 1e-12)
    rows = index.astype(np.int64)
    if wrap:
        rows %= max(n_intervals, 1)
    ok &= (rows >= 0) & (rows < n_intervals)
    return rows, share, ok
