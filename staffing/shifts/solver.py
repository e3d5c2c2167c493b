"""Shift coverage as a mixed-integer programme, solved exactly with HiGHS (LP first).

Pure maths on arrays: no config, no pandas. The steps live apart:
:mod:`staffing.shifts.patterns` (the coverage matrix), :mod:`staffing.shifts.blocks` (the
independent blocks, each distinct one once), :mod:`staffing.shifts.lp_first` (LP first,
rounding to a proven bound) and :mod:`staffing.shifts.branch_and_bound` (the exact
fallback); this module checks the inputs and assembles the answer.

A *pattern* is one way a head can work: a template started at one instant of the horizon
with its unpaid break at one offset. Its column in the coverage matrix holds, per
interval, the share of the interval the head is at work and not on break (1 for a whole
interval, a fraction when a start or break does not line up with the interval grid).
:func:`pattern_coverage` builds that matrix; :func:`solve_coverage` chooses whole heads per pattern.

Model (``docs/shifts.md`` has the long form)::

    minimise    sum_p paid_p * y_p                         (paid hours)
    subject to  sum_p a_tp * y_p >= r_t    for every interval t with r_t > 0
                min_g <= sum_{p in g} y_p <= max_g   for every start g (heads per start)
                y_p >= 0 integer

When that has no solution (``max_heads`` too low somewhere) it is solved
lexicographically instead: first the least total shortfall ``sum_t u_t`` with
``sum_p a_tp y_p + u_t >= r_t`` and ``0 <= u_t <= r_t``, then the fewest paid hours among
the schedules with that shortfall. Intervals no pattern reaches are left out of the
programme and reported as uncovered whatever the limits.

The programme decomposes exactly into independent blocks: intervals linked through patterns
that cover both (and patterns linked through a shared start). A week of day shifts that do
not cross midnight is seven small programmes instead of one large one, and a block equal to
one already solved (the same weekday of a forecast that repeats every week) is solved once.

Each distinct block is solved LP first, with a proof of optimality, and only the rest by
branch and bound:

1. the LP relaxations of all distinct blocks in one HiGHS call (one block-diagonal LP);
   a whole LP optimum is a MILP optimum (gap 0);
2. otherwise, when every paid hour is a whole multiple of a unit q (whole seconds: q is
   their greatest common divisor), every schedule costs a multiple of q, so
   ``q * ceil(LP / q)`` is a proven lower bound, and a rounding of the LP optimum (LP
   diving, then dropping redundant heads) that reaches it is optimal (gap 0);
3. otherwise ``scipy.optimize.milp`` (HiGHS branch and bound) as before.

References: Dantzig (1954), *A comment on Edie's "Traffic delays at toll booths"*, Operations
Research 2(3), doi:10.1287/opre.2.3.339 (the set-covering model of shift scheduling);
Huangfu & Hall (2018), *Parallelizing the dual revised simplex method*, Mathematical
Programming Computation 10, doi:10.1007/s12532-017-0130-5 (HiGHS).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from staffing.shifts.blocks import TOL, BlockResult, Decomposition, decompose
from staffing.shifts.lp_first import solve_blocks
from staffing.shifts.patterns import pattern_coverage
from staffing.shifts.relaxations import Engine

__all__ = ["CoverageSolution", "pattern_coverage", "solve_coverage"]

#: Requirements are rounded to this many decimals before solving, so that 7 / (1 - 0.3)
#: = 10.000000000000002 asks for 10 heads, not 11.
REQUIREMENT_DECIMALS = 6


@dataclass(frozen=True)
class CoverageSolution:
    """Result of :func:`solve_coverage`.

    Attributes
    ----------
    heads : numpy.ndarray of int64
        Heads per pattern, shape (n_patterns,) [-].
    working : numpy.ndarray
        Heads at work and not on break per interval, ``coverage @ heads``, shape
        (n_intervals,) [-].
    shortfall : numpy.ndarray
        ``max(required - working, 0)`` per interval [-] (0 where covered).
    uncoverable : numpy.ndarray of bool
        Intervals with a requirement that no pattern reaches at all.
    paid_hours : float
        ``paid_hours @ heads`` [h].
    dual_bound : float
        HiGHS's proven lower bound on the paid hours of the chosen shortfall [h].
    mip_gap : float
        ``(paid_hours - dual_bound) / paid_hours`` [-]; 0 when proven optimal.
    status : str
        ``"optimal"``, or ``"time_limit"`` when the time limit stopped HiGHS with a schedule
        that is not proven optimal (``mip_gap`` says how far it may be).
    blocks : int
        Independent programmes solved.
    reused_blocks : int
        Blocks identical to one already solved (same requirement, patterns and limits, as
        the same weekday of a repeating forecast in another week), whose answer was reused.
    relaxed_blocks : int
        Blocks that needed the shortfall stage (limits made full coverage impossible).
    solve_s : float
        Wall time [s].
    lp_bound : float
        Sum over blocks of the LP relaxation's optimum [h] (HiGHS's MILP bound for relaxed
        blocks): ``paid_hours - lp_bound`` is the integrality gap the proof had to close.
    lp_blocks : int
        Distinct blocks whose LP optimum was whole (optimal without branching).
    rounded_blocks : int
        Distinct blocks whose LP optimum was rounded to whole heads whose paid hours reach
        the LP bound rounded up to the paid-hours unit (optimal without branching).
    milp_blocks : int
        Distinct blocks solved by HiGHS's branch and bound (``scipy.optimize.milp``),
        relaxed ones included.
    """

    heads: np.ndarray
    working: np.ndarray
    shortfall: np.ndarray
    uncoverable: np.ndarray
    paid_hours: float
    dual_bound: float
    mip_gap: float
    status: str
    blocks: int
    reused_blocks: int
    relaxed_blocks: int
    solve_s: float
    lp_bound: float = float("nan")
    lp_blocks: int = 0
    rounded_blocks: int = 0
    milp_blocks: int = 0


def solve_coverage(
    required: ArrayLike,
    coverage: sparse.sparray | np.ndarray,
    paid_hours: ArrayLike,
    *,
    start_group: ArrayLike | None = None,
    min_heads: ArrayLike | None = None,
    max_heads: ArrayLike | None = None,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 0.0,
    engine: Engine = "auto",
) -> CoverageSolution:
    """Fewest paid hours whose heads cover a requirement, solved exactly (HiGHS).

    Parameters
    ----------
    required : array_like
        Heads needed at work and not on break per interval [-], shape (n_intervals,);
        real values are fine (heads are whole, so 2.3 needs 3 where coverage is whole).
    coverage : sparse matrix or ndarray
        Shape (n_intervals, n_patterns), as from :func:`pattern_coverage` [-].
    paid_hours : array_like
        Paid hours of one head on each pattern [h], shape (n_patterns,) or scalar.
    start_group : array_like of int, optional
        The start (template, date, start time) of each pattern, 0 .. n_starts-1; patterns
        of one start differ only in their break. Default: every pattern is its own start.
    min_heads, max_heads : array_like, optional
        Fewest and most heads per start [-], shape (n_starts,) or scalar; ``max_heads``
        inf or None for no limit. Default 0 and no limit.
    time_limit_s : float, default 60
        Wall-time budget for all blocks together [s]. When it runs out the best schedule
        found is returned with ``status="time_limit"`` and its ``mip_gap``.
    mip_rel_gap : float, default 0
        Relative optimality gap at which HiGHS's branch and bound may stop [-]; 0 proves
        optimality (HiGHS still stops at its absolute gap of 1e-6 h). The LP-first path
        only ever accepts a proven optimum.
    engine : {"auto", "highspy", "scipy"}, default "auto"
        Who solves the LP relaxations: ``"highspy"`` (the optional ``highs`` extra) keeps
        them in one HiGHS model and re-solves it warm while rounding; ``"scipy"`` builds a
        new programme for each solve (``scipy.optimize.milp``); ``"auto"`` takes highspy
        when it is installed. The same optimal paid hours either way (the heads may differ
        where several schedules are optimal). Branch and bound is ``scipy.optimize.milp``
        in both.

    Returns
    -------
    CoverageSolution

    Raises
    ------
    ImportError
        ``engine="highspy"`` without highspy installed.
    ValueError
        An unknown ``engine``; shapes that do not match, a negative or non-finite
        requirement, negative paid hours or coverage shares, ``min_heads`` above
        ``max_heads``.
    DataError
        The time limit ran out before HiGHS found any schedule for a block.

    Notes
    -----
    Minimises ``paid_hours @ y`` subject to ``coverage @ y >= required`` and the per-start
    limits, ``y`` whole and >= 0. Intervals that no pattern reaches are dropped and
    reported in ``uncoverable``. The independent blocks are solved LP first: the LP
    relaxation of all distinct blocks in one HiGHS call; a block whose LP optimum is whole
    is solved (an integral LP optimum is a MILP optimum). Otherwise, when every paid hour
    is a multiple of a unit ``q`` (whole seconds: ``q`` is their greatest common divisor),
    every schedule's paid hours are a multiple of ``q``, so ``q * ceil(LP / q)`` is a
    proven lower bound; a rounding of the LP optimum (LP diving: fix the whole part, solve
    the LP of what is left, repeat; then drop heads not needed) that reaches it is optimal.
    Only blocks where neither holds go to HiGHS's branch and bound (``scipy.optimize.milp``),
    and a block whose limits make full coverage impossible is solved lexicographically:
    least total shortfall first, then fewest paid hours at that shortfall.
    """
    started = time.perf_counter()
    problem = _checked_inputs(required, coverage, paid_hours, start_group, min_heads, max_heads)
    parts = decompose(
        problem.req, problem.matrix, problem.cost, problem.group, problem.g_min, problem.g_max
    )
    results = solve_blocks(
        parts.distinct, problem.g_min, problem.g_max, started, time_limit_s, mip_rel_gap, engine
    )
    return _assemble(problem, parts, results, started)


@dataclass(frozen=True)
class _Problem:
    """The checked inputs of :func:`solve_coverage`."""

    req: np.ndarray  # heads needed per interval, rounded [-]
    matrix: sparse.csc_array  # coverage (n_intervals, n_patterns) [-]
    cost: np.ndarray  # paid hours per pattern [h]
    group: np.ndarray  # start of each pattern
    g_min: np.ndarray  # fewest heads per start [-]
    g_max: np.ndarray  # most heads per start [-] (inf: no limit)


def _checked_inputs(
    required: ArrayLike,
    coverage: sparse.sparray | np.ndarray,
    paid_hours: ArrayLike,
    start_group: ArrayLike | None,
    min_heads: ArrayLike | None,
    max_heads: ArrayLike | None,
) -> _Problem:
    """The inputs of :func:`solve_coverage` as arrays of matching shapes, checked.

    Raises
    ------
    ValueError
        As :func:`solve_coverage`.
    """
    req = np.round(np.asarray(required, dtype=float).ravel(), REQUIREMENT_DECIMALS)
    matrix = sparse.csc_array(coverage, dtype=float)
    matrix.sum_duplicates()  # canonical (rows sorted, no duplicates), as decompose reads it
    n_t, n_p = matrix.shape
    if req.shape != (n_t,):
        raise ValueError(f"required has {req.size} intervals, coverage has {n_t} rows")
    if not np.all(np.isfinite(req)) or (req < 0).any():
        raise ValueError("required must be finite and >= 0 in every interval")
    if matrix.nnz and matrix.data.min() < 0:
        raise ValueError("coverage shares must be >= 0")
    cost = np.broadcast_to(np.asarray(paid_hours, dtype=float), (n_p,)).copy()
    if not np.all(np.isfinite(cost)) or (cost < 0).any():
        raise ValueError("paid_hours must be finite and >= 0")
    group = (
        np.arange(n_p) if start_group is None else np.asarray(start_group, dtype=np.int64).ravel()
    )
    if group.shape != (n_p,) or (n_p and group.min() < 0):
        raise ValueError("start_group needs one start index >= 0 per pattern")
    n_g = int(group.max()) + 1 if n_p else 0
    g_min = np.broadcast_to(np.asarray(0 if min_heads is None else min_heads, dtype=float), (n_g,))
    g_max = np.broadcast_to(
        np.asarray(np.inf if max_heads is None else max_heads, dtype=float), (n_g,)
    )
    g_max = np.where(np.isnan(g_max), np.inf, g_max)
    if (g_min < 0).any() or (g_min > g_max).any():
        raise ValueError("min_heads must be >= 0 and <= max_heads for every start")
    return _Problem(req, matrix, cost, group, g_min, g_max)


def _assemble(
    problem: _Problem, parts: Decomposition, results: list[BlockResult], started: float
) -> CoverageSolution:
    """The heads of every block occurrence put together, with coverage, bounds and gap."""
    heads = np.zeros(problem.cost.size, dtype=np.int64)
    bound_total = lp_total = 0.0
    status = "optimal"
    relaxed = 0
    for which, pats in parts.occurrences:
        result = results[which]
        heads[pats] = result.heads
        bound_total += result.bound
        lp_total += result.lp_value
        relaxed += result.method == "relaxed"
        if result.hit_limit:
            status = "time_limit"
    methods = [result.method for result in results]
    working = problem.matrix @ heads.astype(float)
    shortfall = np.maximum(problem.req - working, 0.0)
    shortfall[shortfall < TOL] = 0.0
    paid_total = float(problem.cost @ heads)
    gap = 0.0 if paid_total <= 0 else max((paid_total - bound_total) / paid_total, 0.0)
    if gap < 1e-9:
        gap = 0.0
    return CoverageSolution(
        heads=heads,
        working=working,
        shortfall=shortfall,
        uncoverable=parts.uncoverable,
        paid_hours=paid_total,
        dual_bound=float(bound_total),
        mip_gap=float(gap),
        status=status,
        blocks=len(parts.distinct),
        reused_blocks=len(parts.occurrences) - len(parts.distinct),
        relaxed_blocks=relaxed,
        solve_s=time.perf_counter() - started,
        lp_bound=float(lp_total),
        lp_blocks=methods.count("lp"),
        rounded_blocks=methods.count("rounded"),
        milp_blocks=len(methods) - methods.count("lp") - methods.count("rounded"),
    )
