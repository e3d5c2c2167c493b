"""Whole heads near an LP optimum: rounding up, completing, and dropping what is not needed.

Pure maths on arrays, for blocks without per-start limits. The LP-first path
(:mod:`staffing.shifts.lp_first`) accepts a rounding only when its paid hours reach a
proven lower bound; these functions only propose roundings. They read each block's
coverage by columns (:class:`staffing.shifts.blocks.Columns`), kept with the block, and
never build a scipy matrix. ``docs/shifts.md`` has the model.
"""

from __future__ import annotations

import math

import numpy as np

from staffing.shifts.blocks import TOL, Block

__all__ = ["INTEGRAL_TOL", "REPAIR_HEADS", "drop_redundant", "repair", "rounding_at_bound"]

#: A variable of an LP optimum this close to a whole number counts as whole.
INTEGRAL_TOL = 1e-6
#: Most heads :func:`repair` adds to complete a rounding.
REPAIR_HEADS = 200


def drop_redundant(block: Block, y: np.ndarray) -> np.ndarray:
    """Remove heads the coverage does not need, dearest pattern first.

    The patterns with heads are taken once each, by paid hours, dearest first (ties: the
    first pattern); each loses as many heads as every row it covers can spare,
    ``min(heads, floor(min over its rows of slack / share))``. A pattern that can spare
    none at first never can later (slack only falls), so only the others are visited.
    Heads of patterns that cover nothing all go.

    Parameters
    ----------
    block : Block
        The block (no per-start limits).
    y : numpy.ndarray
        Whole heads per pattern [-] covering the block; changed in place.

    Returns
    -------
    numpy.ndarray
        ``y``, with the heads not needed removed.
    """
    ptr, rows, share, _ = block.cols
    lengths = block.lengths
    slack = block.cover(y) - block.req_whole
    y[lengths == 0] = 0  # heads that cover nothing
    cols = np.flatnonzero(y > 0)  # only patterns with heads can lose some
    if cols.size == 0:
        return y
    # the entries of those columns, one contiguous run per column
    begin, counts = ptr[cols], lengths[cols]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    take = np.repeat(begin - starts, counts) + np.arange(int(counts.sum()))
    ratio = np.minimum.reduceat(slack[rows[take]] / share[take], starts)
    can = np.flatnonzero(np.minimum(y[cols], np.floor(ratio + 1e-9)) > 0)
    if can.size == 0:
        return y
    # the few patterns that can spare heads, in turn, on Python floats (the same IEEE
    # arithmetic as numpy's, without its per-call cost on a dozen entries)
    left = slack.tolist()
    ptr_l, rows_l, share_l = block.lists
    for p in cols[can[np.argsort(-block.cost[cols[can]], kind="stable")]].tolist():
        span = range(ptr_l[p], ptr_l[p + 1])
        spare = min(y[p], math.floor(min([left[rows_l[i]] / share_l[i] for i in span]) + 1e-9))
        if spare > 0:
            for i in span:
                left[rows_l[i]] -= spare * share_l[i]
            y[p] -= spare
    return y


def repair(block: Block, y: np.ndarray) -> np.ndarray | None:
    """Add heads until ``y`` covers the block: each time the pattern covering most of what
    is missing per paid hour (the first one on a tie).

    Parameters
    ----------
    block : Block
        The block (no per-start limits).
    y : numpy.ndarray
        Whole heads per pattern [-]; changed in place.

    Returns
    -------
    numpy.ndarray or None
        ``y`` completed, or None if that takes more than :data:`REPAIR_HEADS` heads.
    """
    ptr, rows, share, _ = block.cols
    slack = block.cover(y) - block.req_whole
    filled = block.lengths > 0
    starts = ptr[:-1][filled]
    per_hour = np.maximum(block.cost, 1e-12)
    gain = np.zeros(y.size)
    for _ in range(REPAIR_HEADS):
        need = np.maximum(-slack, 0.0)
        if not (need > TOL).any():
            return y
        if ptr[-1] == 0:
            return None
        gain[filled] = np.add.reduceat(np.minimum(share, need[rows]), starts)
        p = int(np.argmax(gain / per_hour))
        y[p] += 1
        span = slice(ptr[p], ptr[p + 1])
        slack[rows[span]] += share[span]
    return None


def rounding_at_bound(
    block: Block, y: np.ndarray, z: np.ndarray, bound: float
) -> np.ndarray | None:
    """``y + ceil(z)``, else ``y + round(z)`` completed, whichever first reaches the bound.

    Each rounding has the heads it does not need dropped first (:func:`drop_redundant`);
    the second is completed by :func:`repair`.

    Parameters
    ----------
    block : Block
        The block (no per-start limits).
    y : numpy.ndarray
        Whole heads fixed so far [-].
    z : numpy.ndarray
        An LP optimum of what ``y`` leaves uncovered [-].
    bound : float
        A proven lower bound on the block's paid hours [h].

    Returns
    -------
    numpy.ndarray or None
        Whole heads covering the block with paid hours at most ``bound`` (within 1e-9
        relative), or None when neither rounding reaches it.
    """
    limit = bound + 1e-9 * max(1.0, bound)
    for rounding in ("up", "nearest"):
        candidate = (
            y + np.ceil(z - INTEGRAL_TOL) if rounding == "up" else repair(block, y + np.round(z))
        )
        if candidate is None:
            continue
        if block.cost @ candidate > limit:  # at the bound no head is redundant
            candidate = drop_redundant(block, candidate)
        if block.cost @ candidate <= limit:
            return candidate
    return None
