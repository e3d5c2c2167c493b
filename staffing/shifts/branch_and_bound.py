"""One block of the coverage programme by HiGHS's branch and bound (``scipy.optimize.milp``).

Pure maths on arrays. Full coverage at the fewest paid hours first; when the per-start
limits make full coverage impossible, lexicographically: the least total shortfall, then
the fewest paid hours at that shortfall. ``docs/shifts.md`` has the model.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from staffing.errors import DataError
from staffing.shifts.blocks import TOL, Block, BlockModel

__all__ = ["BranchAndBound", "solve_block"]


class BranchAndBound(NamedTuple):
    """What :func:`solve_block` found for one block."""

    heads: np.ndarray  # whole heads per pattern
    paid_hours: float  # their paid hours [h]
    bound: float  # HiGHS's proven lower bound [h]
    hit_limit: bool  # the time limit stopped HiGHS
    relaxed: bool  # solved by the shortfall stages (full coverage impossible)


def solve_block(
    block: Block,
    model: BlockModel,
    time_limit_s: float,
    gap: float,
    *,
    lp_infeasible: bool = False,
) -> BranchAndBound:
    """One block by branch and bound: (heads, paid hours, dual bound, hit limit, stage B).

    ``block.req_whole`` is ``block.req`` rounded up in rows whose coverage shares are all
    whole (there whole heads cover 2.3 exactly when they cover 3): the same whole-heads
    solutions, and a tighter LP relaxation, so HiGHS proves optimality sooner. The
    shortfall stage measures shortfall against the unrounded ``req``.

    Parameters
    ----------
    block : Block
        The block.
    model : BlockModel
        Its per-start limits.
    time_limit_s : float
        HiGHS time budget [s].
    gap : float
        Relative optimality gap [-].
    lp_infeasible : bool, default False
        The LP relaxation has no solution, so neither has the MILP: go straight to the
        shortfall stage.

    Returns
    -------
    BranchAndBound

    Raises
    ------
    DataError
        The time limit ran out before HiGHS found any schedule.
    """
    started = time.perf_counter()
    a, req, cost = block.a, block.req, block.cost
    lo, hi, rows_g, g_lo, g_hi = model
    constraints = [] if rows_g is None else [LinearConstraint(rows_g, g_lo, g_hi)]
    if not lp_infeasible:
        cover = [LinearConstraint(a, block.req_whole, np.inf)] if req.size else []
        result = _milp(cost, Bounds(lo, hi), [*cover, *constraints], time_limit_s, gap)
        if result.status != 2:  # 2: infeasible
            x, bound, hit = _outcome(result, "a block of intervals")
            y = np.round(x).astype(np.int64)
            return BranchAndBound(y, float(cost @ y), bound, hit, False)
    return _least_shortfall(block, model, constraints, time_limit_s, gap, started)


def _least_shortfall(
    block: Block,
    model: BlockModel,
    constraints: list[LinearConstraint],
    time_limit_s: float,
    gap: float,
    started: float,
) -> BranchAndBound:
    """Limits make full coverage impossible: least shortfall first, then fewest paid hours."""
    a, req, cost = block.a, block.req, block.cost
    n_p, n_r = cost.size, req.size
    eye = sparse.eye_array(n_r, format="csr")
    cover_u = LinearConstraint(sparse.hstack([a, eye], format="csr"), req, np.inf)
    pad = [
        LinearConstraint(
            sparse.hstack([c.A, sparse.csr_array((c.A.shape[0], n_r))], format="csr"), c.lb, c.ub
        )
        for c in constraints
    ]
    bounds = Bounds(np.concatenate([model.lo, np.zeros(n_r)]), np.concatenate([model.hi, req]))
    shortfall_cost = np.concatenate([np.zeros(n_p), np.ones(n_r)])
    left = max(time_limit_s - (time.perf_counter() - started), 1.0)
    stage_b = _milp(shortfall_cost, bounds, [cover_u, *pad], left, gap, n_integer=n_p)
    x, _, hit_b = _outcome(stage_b, "the least shortfall")
    least = float(x[n_p:].sum())
    cap = LinearConstraint(
        sparse.csr_array(np.concatenate([np.zeros(n_p), np.ones(n_r)])[None]),
        -np.inf,
        least + TOL * max(1.0, least),
    )
    left = max(time_limit_s - (time.perf_counter() - started), 1.0)
    stage_c = _milp(
        np.concatenate([cost, np.zeros(n_r)]),
        bounds,
        [cover_u, *pad, cap],
        left,
        gap,
        n_integer=n_p,
    )
    x, bound, hit_c = _outcome(stage_c, "the fewest paid hours at the least shortfall")
    y = np.round(x[:n_p]).astype(np.int64)
    return BranchAndBound(y, float(cost @ y), bound, hit_b or hit_c, True)


def _milp(
    cost: np.ndarray,
    bounds: Bounds,
    constraints: list[LinearConstraint],
    time_limit_s: float,
    gap: float,
    n_integer: int | None = None,
) -> OptimizeResult:
    """``scipy.optimize.milp`` with whole heads (the first ``n_integer`` variables)."""
    integrality = np.ones(cost.size)
    if n_integer is not None:
        integrality[n_integer:] = 0  # shortfall variables are real
    return milp(
        cost,
        integrality=integrality,
        bounds=bounds,
        constraints=constraints,
        options={
            "time_limit": float(time_limit_s),
            "mip_rel_gap": float(gap),
            "presolve": True,
            "disp": False,
        },
    )


def _outcome(result: OptimizeResult, what: str) -> tuple[np.ndarray, float, bool]:
    """(x, dual bound, hit the limit) of a HiGHS result that has a solution."""
    if result.x is None:
        raise DataError(
            f"no schedule found for {what} within the time limit (HiGHS: "
            f"{result.message}); give more time or fewer starts and breaks"
        )
    bound = result.mip_dual_bound
    bound = result.fun if bound is None or not np.isfinite(bound) else bound
    return result.x, float(bound), result.status != 0
