"""Shift coverage as a mixed-integer programme, solved exactly with HiGHS (LP first).

One job: the exact coverage optimisation; it is long because the LP-first path (one
block-diagonal LP, the rounding to a proven bound, the dive) and its exact fallback live
together, so that every schedule it returns carries its proof of optimality.

Pure maths on arrays: no config, no pandas. A *pattern* is one way a head can work: a
template started at one instant of the horizon with its unpaid break at one offset. Its
column in the coverage matrix holds, per interval, the share of the interval the head is at
work and not on break (1 for a whole interval, a fraction when a start or break does not
line up with the interval grid). :func:`pattern_coverage` builds that matrix;
:func:`solve_coverage` chooses whole heads per pattern.

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
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from staffing.errors import DataError

__all__ = ["CoverageSolution", "pattern_coverage", "solve_coverage"]

#: Requirements are rounded to this many decimals before solving, so that 7 / (1 - 0.3)
#: = 10.000000000000002 asks for 10 heads, not 11.
REQUIREMENT_DECIMALS = 6
_TOL = 1e-6


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
    n_p = start.size
    horizon = n_intervals * interval_minutes
    first_end = np.where(has_break, brk, length)
    segments = [
        (start, start + first_end),
        (start + np.where(has_break, brk + brk_len, length), start + length),
    ]
    rows, cols, data = [], [], []
    for seg_a, seg_e in segments:
        keep = seg_e > seg_a
        if wrap and horizon > 0:
            shift = np.floor(seg_a / horizon) * horizon
            seg_a, seg_e = seg_a - shift, seg_e - shift
        first = np.floor(seg_a / interval_minutes)
        span = int(np.max(np.ceil(seg_e[keep] / interval_minutes) - first[keep], initial=0))
        for k in range(span):
            index = first + k
            lo = np.maximum(seg_a, index * interval_minutes)
            hi = np.minimum(seg_e, (index + 1) * interval_minutes)
            share = (hi - lo) / interval_minutes
            ok = keep & (share > 1e-12)
            index = index[ok].astype(np.int64)
            if wrap:
                index %= max(n_intervals, 1)
            inside = (index >= 0) & (index < n_intervals)
            rows.append(index[inside])
            cols.append(np.flatnonzero(ok)[inside])
            data.append(share[ok][inside])
    matrix = sparse.coo_array(
        (
            np.concatenate(data) if data else np.zeros(0),
            (
                np.concatenate(rows) if rows else np.zeros(0, np.int64),
                np.concatenate(cols) if cols else np.zeros(0, np.int64),
            ),
        ),
        shape=(n_intervals, n_p),
    )
    out = matrix.tocsc()  # sums a pattern longer than the horizon that wraps onto itself
    out.sum_duplicates()
    return out


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

    Returns
    -------
    CoverageSolution

    Raises
    ------
    ValueError
        Shapes that do not match, a negative or non-finite requirement, negative paid hours
        or coverage shares, ``min_heads`` above ``max_heads``.
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
    req = np.round(np.asarray(required, dtype=float).ravel(), REQUIREMENT_DECIMALS)
    matrix = sparse.csc_array(coverage, dtype=float)
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

    active = req > 0
    entries = matrix.tocoo()
    reach = np.zeros(n_t, dtype=bool)
    reach[entries.row[entries.data > 0]] = True
    uncoverable = active & ~reach
    rows = np.flatnonzero(active & reach)
    sub = matrix[rows, :].tocsr() if rows.size else sparse.csr_array((0, n_p))
    sub.eliminate_zeros()
    # Rows whose shares are all whole: whole heads cover r exactly when they cover ceil(r).
    coo = sub.tocoo()
    req_whole = req[rows].copy()
    whole_rows = np.ones(rows.size, dtype=bool)
    whole_rows[coo.row[np.abs(coo.data - np.round(coo.data)) > 1e-9]] = False
    req_whole[whole_rows] = np.ceil(req_whole[whole_rows] - _TOL)

    # Blocks: a graph on rows + patterns + starts, with row-pattern and pattern-start edges.
    n_r = rows.size
    edges_a = np.concatenate([coo.row, n_r + np.arange(n_p)])
    edges_b = np.concatenate([n_r + coo.col, n_r + n_p + group])
    size = n_r + n_p + n_g
    graph = sparse.coo_array((np.ones(edges_a.size), (edges_a, edges_b)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    row_label, pat_label = label[:n_r], label[n_r : n_r + n_p]
    order_r = np.argsort(row_label, kind="stable")
    order_p = np.argsort(pat_label, kind="stable")
    cuts_r = np.searchsorted(row_label[order_r], np.arange(size + 1))
    cuts_p = np.searchsorted(pat_label[order_p], np.arange(size + 1))
    # rows and patterns sorted by block: each block is a contiguous slice of `perm`
    perm = sub[order_r, :][:, order_p].tocsr()
    perm.sort_indices()
    forced = np.zeros(size, dtype=bool)
    forced[pat_label[g_min[group] > 0]] = True

    distinct: list[_Block] = []
    occurrences: list[tuple[int, np.ndarray]] = []
    index_of: dict[bytes, int] = {}
    for block in np.unique(pat_label):
        r0, r1, c0, c1 = cuts_r[block], cuts_r[block + 1], cuts_p[block], cuts_p[block + 1]
        if r0 == r1 and not forced[block]:
            continue  # nothing to cover and nothing forced: no heads
        pats = order_p[c0:c1]
        brows = order_r[r0:r1]
        lo, hi = perm.indptr[r0], perm.indptr[r1]
        a_block = sparse.csr_array(
            (perm.data[lo:hi], perm.indices[lo:hi] - c0, perm.indptr[r0 : r1 + 1] - lo),
            shape=(r1 - r0, c1 - c0),
        )
        starts, local = np.unique(group[pats], return_inverse=True)
        key = b"|".join(
            np.ascontiguousarray(part).tobytes()
            for part in (
                np.array(a_block.shape),
                a_block.indptr,
                a_block.indices,
                a_block.data,
                req[rows[brows]],
                req_whole[brows],
                cost[pats],
                local,
                g_min[starts],
                g_max[starts],
            )
        )
        if key not in index_of:  # else the same block again (the same weekday next week)
            index_of[key] = len(distinct)
            distinct.append(
                _Block(a_block, req[rows[brows]], req_whole[brows], cost[pats], group[pats])
            )
        occurrences.append((index_of[key], pats))

    results = _solve_blocks(distinct, g_min, g_max, started, time_limit_s, mip_rel_gap)
    heads = np.zeros(n_p, dtype=np.int64)
    bound_total = lp_total = 0.0
    status = "optimal"
    relaxed = 0
    for which, pats in occurrences:
        result = results[which]
        heads[pats] = result.heads
        bound_total += result.bound
        lp_total += result.lp_value
        relaxed += result.method == "relaxed"
        if result.hit_limit:
            status = "time_limit"
    methods = [result.method for result in results]
    working = matrix @ heads.astype(float)
    shortfall = np.maximum(req - working, 0.0)
    shortfall[shortfall < _TOL] = 0.0
    paid_total = float(cost @ heads)
    gap = 0.0 if paid_total <= 0 else max((paid_total - bound_total) / paid_total, 0.0)
    if gap < 1e-9:
        gap = 0.0
    return CoverageSolution(
        heads=heads,
        working=working,
        shortfall=shortfall,
        uncoverable=uncoverable,
        paid_hours=paid_total,
        dual_bound=float(bound_total),
        mip_gap=float(gap),
        status=status,
        blocks=len(distinct),
        reused_blocks=len(occurrences) - len(distinct),
        relaxed_blocks=relaxed,
        solve_s=time.perf_counter() - started,
        lp_bound=float(lp_total),
        lp_blocks=methods.count("lp"),
        rounded_blocks=methods.count("rounded"),
        milp_blocks=len(methods) - methods.count("lp") - methods.count("rounded"),
    )


# ---------------------------------------------------------------------------
# Blocks: LP first, rounding to a proven bound, branch and bound last
# ---------------------------------------------------------------------------


@dataclass
class _Block:
    """One independent programme: coverage rows x patterns of one block."""

    a: sparse.csr_array  # coverage of the block's rows by its patterns
    req: np.ndarray  # the requirement (for the shortfall stage)
    req_whole: np.ndarray  # ceil(req) in rows whose shares are all whole
    cost: np.ndarray  # paid hours per pattern
    group: np.ndarray  # the global start of each pattern

    def reversed(self) -> _Block:
        """The same block with its patterns in reverse order."""
        return _Block(
            self.a[:, ::-1].tocsr(), self.req, self.req_whole, self.cost[::-1], self.group[::-1]
        )

    @cached_property
    def csc(self) -> sparse.csc_array:
        """The coverage by columns (one slice per pattern)."""
        return self.a.tocsc()

    def model(self, g_min: np.ndarray, g_max: np.ndarray):
        """(lo, hi, start rows, their lower and upper limits) of the per-start limits.

        A start with one pattern becomes bounds on that pattern; a start with several, one
        row summing its patterns. ``None`` rows when no start of several is limited.
        """
        n_p = self.cost.size
        starts, local = np.unique(self.group, return_inverse=True)
        sizes = np.bincount(local, minlength=starts.size)
        lo, hi = np.zeros(n_p), np.full(n_p, np.inf)
        single = sizes[local] == 1
        lo[single] = g_min[self.group[single]]
        hi[single] = g_max[self.group[single]]
        limited = (sizes > 1) & ((g_min[starts] > 0) | np.isfinite(g_max[starts]))
        if not limited.any():
            return lo, hi, None, None, None
        pick = limited[local]
        which = np.flatnonzero(limited)
        index = np.searchsorted(which, local[pick])
        rows_g = sparse.csr_array(
            (np.ones(index.size), (index, np.flatnonzero(pick))), shape=(which.size, n_p)
        )
        return lo, hi, rows_g, g_min[starts[which]], g_max[starts[which]]


@dataclass(frozen=True)
class _BlockResult:
    heads: np.ndarray
    bound: float  # proven lower bound on the block's paid hours (at its shortfall)
    lp_value: float  # the LP relaxation's optimum (the MILP bound where there is none)
    method: str  # "lp", "rounded", "milp" or "relaxed"
    hit_limit: bool = False


#: Paid hours are tested for being whole multiples of 1 / this (whole seconds).
_UNIT_SCALE = 3600.0
#: Most LP re-solves of a dive before a block goes to branch and bound.
_DIVE_ROUNDS = 40
#: Most heads :func:`_repair` adds to complete a rounding.
_REPAIR_HEADS = 200
#: A variable of an LP optimum this close to a whole number counts as whole.
_INTEGRAL_TOL = 1e-6


def _objective_unit(cost: np.ndarray) -> float:
    """Largest q with every paid hour a whole multiple of q (whole seconds), 0 if none.

    Then the paid hours of every whole-heads schedule are a multiple of q, and the LP bound
    may be rounded up to one.
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


def _block_diagonal(parts: list[sparse.csr_array]) -> sparse.csr_array:
    """``scipy.sparse.block_diag`` of CSR matrices, assembled from their arrays (faster)."""
    rows = np.cumsum([0, *(part.shape[0] for part in parts)])
    cols = np.cumsum([0, *(part.shape[1] for part in parts)])
    nnz = np.cumsum([0, *(part.indptr[-1] for part in parts)])
    indptr = np.concatenate([[0], *(part.indptr[1:] + nnz[k] for k, part in enumerate(parts))])
    indices = np.concatenate(
        [part.indices[: part.indptr[-1]] + cols[k] for k, part in enumerate(parts)]
    )
    data = np.concatenate([part.data[: part.indptr[-1]] for part in parts])
    return sparse.csr_array((data, indices, indptr), shape=(int(rows[-1]), int(cols[-1])))


def _rows_and_columns(a: sparse.csr_array, rows: np.ndarray):
    """(the given rows of ``a`` restricted to the columns they touch, those columns)."""
    begin, end = a.indptr[rows], a.indptr[rows + 1]
    lengths = end - begin
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    take = np.repeat(begin - indptr[:-1], lengths) + np.arange(indptr[-1])
    used, local = np.unique(a.indices[take], return_inverse=True)
    return sparse.csr_array(
        (a.data[take], local.ravel(), indptr), shape=(rows.size, used.size)
    ), used


def _solve_lps(blocks: list[_Block], models: list) -> list[tuple[np.ndarray | None, bool]]:
    """LP relaxations of several blocks in one HiGHS call (one block-diagonal LP).

    Returns per block (its LP optimum or None, whether its LP is infeasible). When the
    joint LP fails, each block is solved alone to tell which.
    """
    if not blocks:
        return []
    parts, lb, ub = [], [], []
    for block, (_, _, rows_g, g_lo, g_hi) in zip(blocks, models, strict=True):
        parts.append(block.a if rows_g is None else sparse.vstack([block.a, rows_g], format="csr"))
        lb.append(block.req_whole)
        ub.append(np.full(block.req_whole.size, np.inf))
        if rows_g is not None:
            lb.append(g_lo)
            ub.append(g_hi)
    a = parts[0] if len(parts) == 1 else _block_diagonal(parts)
    constraints = (
        [LinearConstraint(a, np.concatenate(lb), np.concatenate(ub))] if a.shape[0] else []
    )
    result = milp(
        np.concatenate([block.cost for block in blocks]),
        integrality=None,
        bounds=Bounds(
            np.concatenate([m[0] for m in models]), np.concatenate([m[1] for m in models])
        ),
        constraints=constraints,
        options={"presolve": False},
    )
    if result.status == 0 and result.x is not None:
        cuts = np.cumsum([0, *(block.cost.size for block in blocks)])
        return [(result.x[cuts[i] : cuts[i + 1]], False) for i in range(len(blocks))]
    if len(blocks) == 1:
        return [(None, result.status == 2)]  # 2: infeasible
    return [
        out
        for block, model in zip(blocks, models, strict=True)
        for out in _solve_lps([block], [model])
    ]


def _feasible(block: _Block, model, y: np.ndarray) -> bool:
    """Whether whole heads ``y`` cover the block and keep its limits."""
    lo, hi, rows_g, g_lo, g_hi = model
    if (y < lo - _TOL).any() or (y > hi + _TOL).any():
        return False
    if rows_g is not None:
        per_start = rows_g @ y
        if (per_start < g_lo - _TOL).any() or (per_start > g_hi + _TOL).any():
            return False
    return bool((block.a @ y >= block.req_whole - _TOL).all())


def _drop_redundant(block: _Block, y: np.ndarray) -> np.ndarray:
    """Remove heads the coverage does not need, dearest pattern first (no limits)."""
    a = block.csc
    slack = block.a @ y - block.req_whole
    filled = np.diff(a.indptr) > 0
    y[~filled] = 0  # heads that cover nothing
    if a.nnz == 0:
        return y
    starts = a.indptr[:-1][filled]
    spare = np.zeros(y.size)
    for _ in range(y.size + 1):
        # heads of each pattern that could go at once: min over its rows of slack / share
        spare[filled] = np.minimum.reduceat(slack[a.indices] / a.data, starts)
        spare = np.minimum(y, np.floor(spare + 1e-9))
        if not (spare > 0).any():
            break
        p = int(np.argmax(np.where(spare > 0, block.cost, -1.0)))
        span = slice(a.indptr[p], a.indptr[p + 1])
        slack[a.indices[span]] -= spare[p] * a.data[span]
        y[p] -= spare[p]
    return y


def _whole(x: np.ndarray) -> bool:
    """Whether every value of an LP optimum is whole (within ``_INTEGRAL_TOL``)."""
    return bool(np.all(np.abs(x - np.round(x)) <= _INTEGRAL_TOL))


def _unlimited(model) -> bool:
    """Whether a block's limits are none (what the rounding heuristics assume)."""
    lo, hi, rows_g, _, _ = model
    return rows_g is None and not (lo > 0).any() and bool(np.isinf(hi).all())


def _repair(block: _Block, y: np.ndarray) -> np.ndarray | None:
    """Add heads until ``y`` covers the block: each time the pattern covering most of what
    is missing per paid hour. None if that takes more than ``_REPAIR_HEADS`` heads."""
    a = block.csc
    slack = block.a @ y - block.req_whole
    filled = np.diff(a.indptr) > 0
    starts = a.indptr[:-1][filled]
    gain = np.zeros(y.size)
    for _ in range(_REPAIR_HEADS):
        need = np.maximum(-slack, 0.0)
        if not (need > _TOL).any():
            return y
        if a.nnz == 0:
            return None
        gain[filled] = np.add.reduceat(np.minimum(a.data, need[a.indices]), starts)
        p = int(np.argmax(gain / np.maximum(block.cost, 1e-12)))
        y[p] += 1
        span = slice(a.indptr[p], a.indptr[p + 1])
        slack[a.indices[span]] += a.data[span]
    return None


def _dive(
    blocks: list[_Block], xs: list[np.ndarray], bounds: list[float]
) -> list[np.ndarray | None]:
    """Whole heads reaching the proven bound, rounded from LP optima by LP diving.

    Blocks without limits only. ``z`` is the LP optimum of the requirement still
    uncovered by the heads ``y`` fixed so far (at first: all of it, ``z = x``). Each round
    tries two roundings, ``y + ceil(z)`` and ``y + round(z)`` completed greedily
    (:func:`_repair`), each with the heads it does not need dropped
    (:func:`_drop_redundant`), and stops as soon as one reaches the block's bound. Else it
    fixes ``y += floor(z)`` (a head on the largest value when none reaches 1) and solves the
    LP of what is left, the blocks of one round together in one HiGHS call. Returns per
    block the whole heads that reach the bound, or None (the block goes to the MILP).
    """
    y = [np.zeros_like(x) for x in xs]
    z = list(xs)
    out: list[np.ndarray | None] = [None] * len(blocks)
    todo = list(range(len(blocks)))
    for _ in range(_DIVE_ROUNDS):
        residual = {}
        for i in todo:
            block, limit = blocks[i], bounds[i] + 1e-9 * max(1.0, bounds[i])
            fixed = np.floor(z[i] + _INTEGRAL_TOL)
            for rounding in ("up", "nearest"):
                candidate = (
                    y[i] + np.ceil(z[i] - _INTEGRAL_TOL)
                    if rounding == "up"
                    else _repair(block, y[i] + np.round(z[i]))
                )
                if candidate is None:
                    continue
                candidate = _drop_redundant(block, candidate)
                if block.cost @ candidate <= limit:
                    out[i] = candidate
                    break
            if out[i] is not None:
                continue
            if not fixed.any():
                fixed[int(np.argmax(z[i]))] = 1.0
            y[i] = y[i] + fixed
            left = block.req_whole - block.a @ y[i]
            need = np.flatnonzero(left > _TOL)
            if need.size:
                residual[i] = (need, left[need])
            # else y[i] covers the block, and its rounding above did not reach the bound
        todo = list(residual)
        if not todo:
            break
        parts, columns = [], []
        for i in todo:
            # the rows left, and the patterns that cover them
            rows_left, used = _rows_and_columns(blocks[i].a, residual[i][0])
            columns.append(used)
            parts.append(
                _Block(
                    rows_left,
                    residual[i][1],
                    residual[i][1],
                    blocks[i].cost[used],
                    blocks[i].group[used],
                )
            )
        models = [
            (np.zeros(part.cost.size), np.full(part.cost.size, np.inf), None, None, None)
            for part in parts
        ]
        next_todo = []
        for i, used, (x_left, _) in zip(todo, columns, _solve_lps(parts, models), strict=True):
            if x_left is not None:  # None should not happen without limits: then the MILP
                z[i] = np.zeros_like(y[i])
                z[i][used] = x_left
                next_todo.append(i)
        todo = next_todo
    return out


def _solve_blocks(
    blocks: list[_Block],
    g_min: np.ndarray,
    g_max: np.ndarray,
    started: float,
    time_limit_s: float,
    gap: float,
) -> list[_BlockResult]:
    """Solve distinct blocks: LP first, then rounding to a proven bound, then MILP."""
    models = [block.model(g_min, g_max) for block in blocks]
    lps = _solve_lps(blocks, models)
    xs = [x for x, _ in lps]
    out: list[_BlockResult | None] = [None] * len(blocks)
    bounds = [0.0] * len(blocks)
    lp_values = [0.0] * len(blocks)
    to_round = []
    for i, (block, model, x) in enumerate(zip(blocks, models, xs, strict=True)):
        if x is None:
            continue
        lp_values[i] = float(block.cost @ x)
        bounds[i] = _rounded_bound(lp_values[i], _objective_unit(block.cost))
        y = np.round(x)
        if _whole(x) and _feasible(block, model, y):
            # an integral LP optimum is a MILP optimum: nothing to branch on
            out[i] = _BlockResult(y.astype(np.int64), float(block.cost @ y), lp_values[i], "lp")
        elif _unlimited(model):
            to_round.append(i)
    for attempt in range(2):
        if not to_round:
            break
        if attempt == 0:
            rounded = _dive(
                [blocks[i] for i in to_round],
                [xs[i] for i in to_round],
                [bounds[i] for i in to_round],
            )
        else:
            # Second chance: the LP optimum is often not unique, and the vertex HiGHS
            # returns decides the rounding. The same LPs with the patterns in reverse
            # order give other vertices (on the benchmark: 2 of 3 failed dives succeed).
            flipped = [blocks[i].reversed() for i in to_round]
            free = [
                (np.zeros(b.cost.size), np.full(b.cost.size, np.inf), None, None, None)
                for b in flipped
            ]
            xs_flipped = [x for x, _ in _solve_lps(flipped, free)]
            keep = [k for k, x in enumerate(xs_flipped) if x is not None]
            got = _dive(
                [flipped[k] for k in keep],
                [xs_flipped[k] for k in keep],
                [bounds[to_round[k]] for k in keep],
            )
            rounded = [None] * len(to_round)
            for k, y in zip(keep, got, strict=True):
                rounded[k] = None if y is None else y[::-1].copy()
        for i, y in zip(to_round, rounded, strict=True):
            if y is None:
                continue
            paid = float(blocks[i].cost @ y)
            # whole heads whose paid hours reach a proven lower bound are optimal
            if paid <= bounds[i] + 1e-9 * max(1.0, bounds[i]) and _feasible(
                blocks[i], models[i], y
            ):
                out[i] = _BlockResult(
                    y.astype(np.int64), min(bounds[i], paid), lp_values[i], "rounded"
                )
        to_round = [i for i in to_round if out[i] is None]
    for i, block in enumerate(blocks):
        if out[i] is not None:
            continue
        remaining = max(time_limit_s - (time.perf_counter() - started), 1.0)
        y, _, bound, hit, relaxed = _solve_block(
            block.a,
            block.req,
            block.req_whole,
            block.cost,
            block.group,
            g_min,
            g_max,
            remaining,
            gap,
            lp_infeasible=lps[i][1],
            model=models[i],
        )
        if relaxed:
            out[i] = _BlockResult(y, bound, bound, "relaxed", hit)
        else:  # both HiGHS's bound and the rounded LP bound are proven
            out[i] = _BlockResult(
                y, min(float(block.cost @ y), max(bound, bounds[i])), lp_values[i], "milp", hit
            )
    return out  # type: ignore[return-value]


def _milp(cost, bounds, constraints, time_limit_s, gap, n_integer=None):
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


def _outcome(result, what: str) -> tuple[np.ndarray, float, bool]:
    """(x, dual bound, hit the limit) of a HiGHS result that has a solution."""
    if result.x is None:
        raise DataError(
            f"no schedule found for {what} within the time limit (HiGHS: "
            f"{result.message}); give more time or fewer starts and breaks"
        )
    bound = result.mip_dual_bound
    bound = result.fun if bound is None or not np.isfinite(bound) else bound
    return result.x, float(bound), result.status != 0


def _solve_block(
    a: sparse.csr_array,
    req: np.ndarray,
    req_whole: np.ndarray,
    cost: np.ndarray,
    group: np.ndarray,
    g_min: np.ndarray,
    g_max: np.ndarray,
    time_limit_s: float,
    gap: float,
    *,
    lp_infeasible: bool = False,
    model=None,
) -> tuple[np.ndarray, float, float, bool, bool]:
    """One block by branch and bound: (heads, paid hours, dual bound, hit limit, stage B).

    ``req_whole`` is ``req`` rounded up in rows whose coverage shares are all whole (there
    whole heads cover 2.3 exactly when they cover 3): the same whole-heads solutions, and a
    tighter LP relaxation, so HiGHS proves optimality sooner. The shortfall stage measures
    shortfall against the unrounded ``req``. ``lp_infeasible``: the LP relaxation has no
    solution, so neither has the MILP: go straight to the shortfall stage.
    """
    started = time.perf_counter()
    n_p = cost.size
    if model is None:
        model = _Block(a, req, req_whole, cost, group).model(g_min, g_max)
    lo, hi, rows_g, g_lo, g_hi = model
    constraints = [] if rows_g is None else [LinearConstraint(rows_g, g_lo, g_hi)]
    if not lp_infeasible:
        cover = [LinearConstraint(a, req_whole, np.inf)] if req.size else []
        result = _milp(cost, Bounds(lo, hi), [*cover, *constraints], time_limit_s, gap)
        if result.status != 2:  # 2: infeasible
            x, bound, hit = _outcome(result, "a block of intervals")
            y = np.round(x).astype(np.int64)
            return y, float(cost @ y), bound, hit, False

    # Limits make full coverage impossible: least shortfall first, then fewest paid hours.
    n_r = req.size
    eye = sparse.eye_array(n_r, format="csr")
    cover_u = LinearConstraint(sparse.hstack([a, eye], format="csr"), req, np.inf)
    pad = [
        LinearConstraint(
            sparse.hstack([c.A, sparse.csr_array((c.A.shape[0], n_r))], format="csr"), c.lb, c.ub
        )
        for c in constraints
    ]
    bounds = Bounds(np.concatenate([lo, np.zeros(n_r)]), np.concatenate([hi, req]))
    shortfall_cost = np.concatenate([np.zeros(n_p), np.ones(n_r)])
    left = max(time_limit_s - (time.perf_counter() - started), 1.0)
    stage_b = _milp(shortfall_cost, bounds, [cover_u, *pad], left, gap, n_integer=n_p)
    x, _, hit_b = _outcome(stage_b, "the least shortfall")
    least = float(x[n_p:].sum())
    cap = LinearConstraint(
        sparse.csr_array(np.concatenate([np.zeros(n_p), np.ones(n_r)])[None]),
        -np.inf,
        least + _TOL * max(1.0, least),
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
    return y, float(cost @ y), bound, hit_b or hit_c, True
