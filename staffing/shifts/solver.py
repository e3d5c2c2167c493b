"""Shift coverage as a mixed-integer programme, solved exactly with HiGHS.

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
        *(np.asarray(x, dtype=float) for x in (start_min, length_min, break_start_min,
                                               break_length_min)))
    start, length = start.ravel(), length.ravel()
    brk, brk_len = brk.ravel(), brk_len.ravel()
    if interval_minutes <= 0 or n_intervals < 0:
        raise ValueError(f"interval_minutes must be > 0 and n_intervals >= 0 (got "
                         f"{interval_minutes}, {n_intervals})")
    has_break = brk_len > 0
    bad = (~np.isfinite(start) | (start < 0) | ~(length > 0) | (brk_len < 0)
           | (has_break & ((brk < 0) | (brk + brk_len > length))))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(f"pattern {first}: start {start[first]}, length {length[first]}, break "
                         f"{brk[first]}+{brk_len[first]} min is not a shift with its break inside")
    n_p = start.size
    horizon = n_intervals * interval_minutes
    first_end = np.where(has_break, brk, length)
    segments = [(start, start + first_end),
                (start + np.where(has_break, brk + brk_len, length), start + length)]
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
        (np.concatenate(data) if data else np.zeros(0),
         (np.concatenate(rows) if rows else np.zeros(0, np.int64),
          np.concatenate(cols) if cols else np.zeros(0, np.int64))),
        shape=(n_intervals, n_p))
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
    """Fewest paid hours whose heads cover a requirement, as an exact MILP (HiGHS).

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
        Relative optimality gap at which HiGHS may stop [-]; 0 proves optimality (HiGHS
        still stops at its absolute gap of 1e-6 h).

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
    reported in ``uncoverable``. A block whose limits make full coverage impossible is
    solved lexicographically: least total shortfall first, then fewest paid hours at that
    shortfall. The MILP gap is measured on the paid hours of the final stage.
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
    group = (np.arange(n_p) if start_group is None
             else np.asarray(start_group, dtype=np.int64).ravel())
    if group.shape != (n_p,) or (n_p and group.min() < 0):
        raise ValueError("start_group needs one start index >= 0 per pattern")
    n_g = int(group.max()) + 1 if n_p else 0
    g_min = np.broadcast_to(np.asarray(0 if min_heads is None else min_heads, dtype=float),
                            (n_g,))
    g_max = np.broadcast_to(np.asarray(np.inf if max_heads is None else max_heads,
                                       dtype=float), (n_g,))
    g_max = np.where(np.isnan(g_max), np.inf, g_max)
    if (g_min < 0).any() or (g_min > g_max).any():
        raise ValueError("min_heads must be >= 0 and <= max_heads for every start")

    active = req > 0
    reach = np.zeros(n_t, dtype=bool)
    if matrix.nnz:
        reach[np.unique(matrix.tocoo().row[matrix.tocoo().data > 0])] = True
    uncoverable = active & ~reach
    rows = np.flatnonzero(active & reach)
    sub = matrix[rows, :].tocsr() if rows.size else sparse.csr_array((0, n_p))
    # Rows whose shares are all whole: whole heads cover r exactly when they cover ceil(r).
    entries = sub.tocoo()
    fractional_rows = np.unique(entries.row[np.abs(entries.data - np.round(entries.data))
                                            > 1e-9])
    req_whole = req[rows].copy()
    whole_rows = np.ones(rows.size, dtype=bool)
    whole_rows[fractional_rows] = False
    req_whole[whole_rows] = np.ceil(req_whole[whole_rows] - _TOL)

    # Blocks: a graph on rows + patterns + starts, with row-pattern and pattern-start edges.
    n_r = rows.size
    coo = sub.tocoo()
    edges_a = np.concatenate([coo.row, n_r + np.arange(n_p)])
    edges_b = np.concatenate([n_r + coo.col, n_r + n_p + group])
    size = n_r + n_p + n_g
    graph = sparse.coo_array((np.ones(edges_a.size), (edges_a, edges_b)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    heads = np.zeros(n_p, dtype=np.int64)
    paid_total = bound_total = 0.0
    status = "optimal"
    blocks = relaxed = reused = 0
    solved: dict[bytes, tuple] = {}
    row_label, pat_label = label[:n_r], label[n_r:n_r + n_p]
    order_r = np.argsort(row_label, kind="stable")
    order_p = np.argsort(pat_label, kind="stable")
    cuts_r = np.searchsorted(row_label[order_r], np.arange(size + 1))
    cuts_p = np.searchsorted(pat_label[order_p], np.arange(size + 1))
    for block in np.unique(pat_label):
        pats = order_p[cuts_p[block]:cuts_p[block + 1]]
        brows = order_r[cuts_r[block]:cuts_r[block + 1]]
        groups_here = np.unique(group[pats])
        if brows.size == 0 and not (g_min[groups_here] > 0).any():
            continue  # nothing to cover and nothing forced: no heads
        a_block = sub[brows, :][:, pats].tocsr()
        a_block.sort_indices()
        starts, local = np.unique(group[pats], return_inverse=True)
        key = b"|".join(np.ascontiguousarray(part).tobytes() for part in (
            np.array(a_block.shape), a_block.indptr, a_block.indices, a_block.data,
            req[rows[brows]], req_whole[brows], cost[pats], local, g_min[starts],
            g_max[starts]))
        if key in solved:  # the same block again (e.g. the same weekday in another week)
            y, paid, bound, hit_limit, was_relaxed = solved[key]
            reused += 1
        else:
            blocks += 1
            remaining = max(time_limit_s - (time.perf_counter() - started), 1.0)
            solved[key] = _solve_block(
                a_block, req[rows[brows]], req_whole[brows], cost[pats], group[pats], g_min,
                g_max, remaining, mip_rel_gap)
            y, paid, bound, hit_limit, was_relaxed = solved[key]
        heads[pats] = y
        paid_total += paid
        bound_total += bound
        relaxed += was_relaxed
        if hit_limit:
            status = "time_limit"
    working = matrix @ heads.astype(float)
    shortfall = np.maximum(req - working, 0.0)
    shortfall[shortfall < _TOL] = 0.0
    paid_total = float(cost @ heads)
    gap = 0.0 if paid_total <= 0 else max((paid_total - bound_total) / paid_total, 0.0)
    if gap < 1e-9:
        gap = 0.0
    return CoverageSolution(
        heads=heads, working=working, shortfall=shortfall, uncoverable=uncoverable,
        paid_hours=paid_total, dual_bound=float(bound_total), mip_gap=float(gap),
        status=status, blocks=blocks, reused_blocks=reused, relaxed_blocks=relaxed,
        solve_s=time.perf_counter() - started,
    )


def _milp(cost, bounds, constraints, time_limit_s, gap, n_integer=None):
    integrality = np.ones(cost.size)
    if n_integer is not None:
        integrality[n_integer:] = 0  # shortfall variables are real
    return milp(cost, integrality=integrality, bounds=bounds, constraints=constraints,
                options={"time_limit": float(time_limit_s), "mip_rel_gap": float(gap),
                         "presolve": True, "disp": False})


def _outcome(result, what: str) -> tuple[np.ndarray, float, bool]:
    """(x, dual bound, hit the limit) of a HiGHS result that has a solution."""
    if result.x is None:
        raise DataError(f"no schedule found for {what} within the time limit (HiGHS: "
                        f"{result.message}); give more time or fewer starts and breaks")
    bound = result.mip_dual_bound
    bound = result.fun if bound is None or not np.isfinite(bound) else bound
    return result.x, float(bound), result.status != 0


def _solve_block(
    a: sparse.csr_array, req: np.ndarray, req_whole: np.ndarray, cost: np.ndarray,
    group: np.ndarray, g_min: np.ndarray, g_max: np.ndarray, time_limit_s: float, gap: float,
) -> tuple[np.ndarray, float, float, bool, bool]:
    """One independent block: (heads, paid hours, dual bound, hit limit, needed stage B).

    ``req_whole`` is ``req`` rounded up in rows whose coverage shares are all whole (there
    whole heads cover 2.3 exactly when they cover 3): the same whole-heads solutions, and a
    tighter LP relaxation, so HiGHS proves optimality sooner. The shortfall stage measures
    shortfall against the unrounded ``req``.
    """
    started = time.perf_counter()
    n_p = cost.size
    starts, local = np.unique(group, return_inverse=True)
    sizes = np.bincount(local, minlength=starts.size)
    lo, hi = np.zeros(n_p), np.full(n_p, np.inf)
    single = sizes[local] == 1
    lo[single] = g_min[group[single]]
    hi[single] = g_max[group[single]]
    limited = (sizes > 1) & ((g_min[starts] > 0) | np.isfinite(g_max[starts]))
    constraints = []
    if limited.any():
        pick = limited[local]
        which = np.flatnonzero(limited)
        index = np.searchsorted(which, local[pick])
        rows_g = sparse.csr_array((np.ones(index.size), (index, np.flatnonzero(pick))),
                                  shape=(which.size, n_p))
        constraints.append(LinearConstraint(rows_g, g_min[starts[which]], g_max[starts[which]]))

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
    pad = [LinearConstraint(sparse.hstack([c.A, sparse.csr_array((c.A.shape[0], n_r))],
                                          format="csr"), c.lb, c.ub) for c in constraints]
    bounds = Bounds(np.concatenate([lo, np.zeros(n_r)]), np.concatenate([hi, req]))
    shortfall_cost = np.concatenate([np.zeros(n_p), np.ones(n_r)])
    left = max(time_limit_s - (time.perf_counter() - started), 1.0)
    stage_b = _milp(shortfall_cost, bounds, [cover_u, *pad], left, gap, n_integer=n_p)
    x, _, hit_b = _outcome(stage_b, "the least shortfall")
    least = float(x[n_p:].sum())
    cap = LinearConstraint(sparse.csr_array(np.concatenate([np.zeros(n_p), np.ones(n_r)])[None]),
                           -np.inf, least + _TOL * max(1.0, least))
    left = max(time_limit_s - (time.perf_counter() - started), 1.0)
    stage_c = _milp(np.concatenate([cost, np.zeros(n_r)]), bounds, [cover_u, *pad, cap], left,
                    gap, n_integer=n_p)
    x, bound, hit_c = _outcome(stage_c, "the fewest paid hours at the least shortfall")
    y = np.round(x[:n_p]).astype(np.int64)
    return y, float(cost @ y), bound, hit_b or hit_c, True
