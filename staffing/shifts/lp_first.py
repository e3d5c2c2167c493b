"""The distinct blocks of the coverage programme solved LP first, each with its proof.

Pure maths on arrays. Each distinct block is solved LP first, with a proof of
optimality, and only the rest by branch and bound:

1. the LP relaxations of all distinct blocks in one HiGHS call (one block-diagonal LP);
   a whole LP optimum is a MILP optimum (gap 0);
2. otherwise, when every paid hour is a whole multiple of a unit q (whole seconds: q is
   their greatest common divisor), every schedule costs a multiple of q, so
   ``q * ceil(LP / q)`` is a proven lower bound, and a rounding of the LP optimum (LP
   diving, then dropping redundant heads) that reaches it is optimal (gap 0);
3. otherwise ``scipy.optimize.milp`` (HiGHS branch and bound,
   :mod:`staffing.shifts.branch_and_bound`).

``docs/shifts.md`` has the model.
"""

from __future__ import annotations

import time

import numpy as np

from staffing.shifts.blocks import TOL, Block, BlockModel, BlockResult, free_model
from staffing.shifts.branch_and_bound import solve_block
from staffing.shifts.relaxations import Engine, Relaxations, relaxations
from staffing.shifts.rounding import INTEGRAL_TOL, rounding_at_bound

__all__ = ["objective_unit", "solve_blocks"]

#: Paid hours are tested for being whole multiples of 1 / this (whole seconds).
_UNIT_SCALE = 3600.0
#: Most LP re-solves of a dive before a block goes to branch and bound.
_DIVE_ROUNDS = 40


def solve_blocks(
    blocks: list[Block],
    g_min: np.ndarray,
    g_max: np.ndarray,
    started: float,
    time_limit_s: float,
    gap: float,
    engine: Engine = "auto",
) -> list[BlockResult]:
    """Solve distinct blocks: LP first, then rounding to a proven bound, then MILP.

    Parameters
    ----------
    blocks : list of Block
        The distinct blocks.
    g_min, g_max : numpy.ndarray
        Fewest and most heads per start [-].
    started : float
        ``time.perf_counter()`` when the solve began [s].
    time_limit_s : float
        Wall-time budget for all blocks together [s].
    gap : float
        Relative optimality gap for branch and bound [-].
    engine : {"auto", "highspy", "scipy"}, default "auto"
        Who solves the LP relaxations (:func:`staffing.shifts.relaxations.relaxations`).

    Returns
    -------
    list of BlockResult
        One per block, in order.
    """
    free = not (g_min > 0).any() and bool(np.isinf(g_max).all())  # no limits anywhere
    models = [free_model(b.cost.size) if free else b.model(g_min, g_max) for b in blocks]
    lp = relaxations(blocks, models, engine)
    lps = lp.optima()
    out: list[BlockResult | None] = [None] * len(blocks)
    bounds = [0.0] * len(blocks)
    lp_values = [0.0] * len(blocks)
    optimum: dict[int, np.ndarray] = {}  # LP optima of the blocks left to round
    units: dict[bytes, float] = {}  # the paid-hours unit of each distinct cost vector
    for i, (block, model, (x, _)) in enumerate(zip(blocks, models, lps, strict=True)):
        if x is None:
            continue
        lp_values[i] = float(block.cost @ x)
        if (key := block.cost.tobytes()) not in units:
            units[key] = objective_unit(block.cost)
        bounds[i] = _rounded_bound(lp_values[i], units[key])
        y = np.round(x)
        if _whole(x) and _feasible(block, model, y):
            # an integral LP optimum is a MILP optimum: nothing to branch on
            out[i] = BlockResult(y.astype(np.int64), float(block.cost @ y), lp_values[i], "lp")
        elif _unlimited(model):
            optimum[i] = x
    to_round = list(optimum)
    for attempt in range(2):
        if not to_round:
            break
        chosen = [blocks[i] for i in to_round]
        targets = [bounds[i] for i in to_round]
        rounded = (
            _dive(lp, to_round, [optimum[i] for i in to_round], targets)
            if attempt == 0
            else _dive_reversed(chosen, targets, engine)
        )
        for i, heads in zip(to_round, rounded, strict=True):
            if heads is not None:
                out[i] = _proven_rounding(blocks[i], models[i], heads, bounds[i], lp_values[i])
        to_round = [i for i in to_round if out[i] is None]
    for i, block in enumerate(blocks):
        if out[i] is None:
            remaining = max(time_limit_s - (time.perf_counter() - started), 1.0)
            out[i] = _by_branch_and_bound(
                block, models[i], lps[i][1], bounds[i], lp_values[i], remaining, gap
            )
    return [result for result in out if result is not None]


def _dive_reversed(
    blocks: list[Block], bounds: list[float], engine: Engine
) -> list[np.ndarray | None]:
    """A second dive from other vertices: the same LPs with the patterns in reverse order.

    The LP optimum is often not unique, and the vertex HiGHS returns decides the rounding
    (on the benchmark: 2 of 3 failed dives succeed the second time).
    """
    flipped = [block.reversed() for block in blocks]
    lp = relaxations(flipped, [free_model(b.cost.size) for b in flipped], engine)
    xs_flipped = [x for x, _ in lp.optima()]
    keep = [k for k, x in enumerate(xs_flipped) if x is not None]
    got = _dive(
        lp,
        keep,
        [x for x in xs_flipped if x is not None],
        [bounds[k] for k in keep],
    )
    rounded: list[np.ndarray | None] = [None] * len(blocks)
    for k, y in zip(keep, got, strict=True):
        rounded[k] = None if y is None else y[::-1].copy()
    return rounded


def _proven_rounding(
    block: Block, model: BlockModel, y: np.ndarray, bound: float, lp_value: float
) -> BlockResult | None:
    """The rounding ``y`` as the block's answer when it reaches the proven bound, else None.

    Whole heads whose paid hours reach a proven lower bound are optimal.
    """
    paid = float(block.cost @ y)
    if paid <= bound + 1e-9 * max(1.0, bound) and _feasible(block, model, y):
        return BlockResult(y.astype(np.int64), min(bound, paid), lp_value, "rounded")
    return None


def _by_branch_and_bound(
    block: Block,
    model: BlockModel,
    lp_infeasible: bool,
    rounded_bound: float,
    lp_value: float,
    time_limit_s: float,
    gap: float,
) -> BlockResult:
    """A block neither the LP nor a rounding proved, by HiGHS's branch and bound."""
    found = solve_block(block, model, time_limit_s, gap, lp_infeasible=lp_infeasible)
    if found.relaxed:
        return BlockResult(found.heads, found.bound, found.bound, "relaxed", found.hit_limit)
    # both HiGHS's bound and the rounded LP bound are proven
    return BlockResult(
        found.heads,
        min(float(block.cost @ found.heads), max(found.bound, rounded_bound)),
        lp_value,
        "milp",
        found.hit_limit,
    )


def _feasible(block: Block, model: BlockModel, y: np.ndarray) -> bool:
    """Whether whole heads ``y`` cover the block and keep its limits."""
    lo, hi, rows_g, g_lo, g_hi = model
    if (y < lo - TOL).any() or (y > hi + TOL).any():
        return False
    if rows_g is not None and g_lo is not None and g_hi is not None:
        per_start = rows_g @ y
        if (per_start < g_lo - TOL).any() or (per_start > g_hi + TOL).any():
            return False
    return bool((block.cover(y) >= block.req_whole - TOL).all())


def _whole(x: np.ndarray) -> bool:
    """Whether every value of an LP optimum is whole (within ``INTEGRAL_TOL``)."""
    return bool(np.all(np.abs(x - np.round(x)) <= INTEGRAL_TOL))


def _unlimited(model: BlockModel) -> bool:
    """Whether a block's limits are none (what the rounding heuristics assume)."""
    lo, hi, rows_g, _, _ = model
    return rows_g is None and not (lo > 0).any() and bool(np.isinf(hi).all())


def _dive(
    lp: Relaxations, which: list[int], xs: list[np.ndarray], bounds: list[float]
) -> list[np.ndarray | None]:
    """Whole heads reaching the proven bound, rounded from LP optima by LP diving.

    Blocks without limits only: ``lp.blocks[which[k]]``, with LP optimum ``xs[k]`` and
    proven bound ``bounds[k]``. ``z`` is the LP optimum of the requirement still uncovered
    by the heads ``y`` fixed so far (at first: all of it, ``z = x``). Each round tries two
    roundings (:func:`staffing.shifts.rounding.rounding_at_bound`), ``y + ceil(z)`` and
    ``y + round(z)`` completed greedily, each with the heads it does not need dropped, and
    stops as soon as one reaches the block's bound. Else it fixes ``y += floor(z)`` (a head on the
    largest value when none reaches 1) and solves the LP with ``x >= y`` (``z = x - y``),
    the blocks of one round together (:meth:`Relaxations.above`). Returns per block the
    whole heads that reach the bound, or None (the block goes to the MILP).
    """
    y = [np.zeros_like(x) for x in xs]
    z = list(xs)
    out: list[np.ndarray | None] = [None] * len(which)
    todo = list(range(len(which)))
    for _ in range(_DIVE_ROUNDS):
        residual = []
        for k in todo:
            block = lp.blocks[which[k]]
            out[k] = rounding_at_bound(block, y[k], z[k], bounds[k])
            if out[k] is not None:
                continue
            fixed = np.floor(z[k] + INTEGRAL_TOL)
            # x stays an LP optimum above floor(z): also round the most fractional value up
            part = z[k] - fixed
            fixed[int(np.argmax(part))] += 1.0
            y[k] = y[k] + fixed
            if (block.cover(y[k]) < block.req_whole - TOL).any():
                residual.append(k)
            # else y[k] covers the block, and its rounding above did not reach the bound
        if not residual:
            break
        lp.retain([which[k] for k in residual])  # the others are done
        found = lp.above([which[k] for k in residual], [y[k] for k in residual])
        todo = []
        for k, x in zip(residual, found, strict=True):
            if x is not None:  # None should not happen without limits: then the MILP
                z[k] = np.maximum(x - y[k], 0.0)
                todo.append(k)
    return out


def objective_unit(cost: np.ndarray) -> float:
    """Largest q with every paid hour a whole multiple of q (whole seconds), 0 if none.

    Then the paid hours of every whole-heads schedule are a multiple of q, and the LP bound
    may be rounded up to one.

    Parameters
    ----------
    cost : numpy.ndarray
        Paid hours per pattern [h].

    Returns
    -------
    float
        q [h].
    """
    positive = cost[cost > 0] * _UNIT_SCALE
    if positive.size == 0 or positive.max() > 1e12:
        return 0.0
    whole = np.round(positive)
    # whole seconds up to float noise (1e-6 s): the margin of _rounded_bound covers that
    if (np.abs(positive - whole) > 1e-6).any():
        return 0.0
    return float(np.gcd.reduce(whole.astype(np.int64))) / _UNIT_SCALE


def _rounded_bound(lp_value: float, unit: float) -> float:
    """The LP bound rounded up to a multiple of ``unit`` (if any), with a safety margin.

    The margin (1e-6 of the bound in units) errs towards the lower multiple, which is
    always a valid bound: it only makes a rounding harder to prove optimal.
    """
    if unit <= 0:
        return lp_value
    units = lp_value / unit
    return unit * float(np.ceil(units - 1e-6 * max(1.0, abs(units))))
