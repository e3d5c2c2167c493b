"""The coverage programme cut into independent blocks, each distinct block kept once.

Pure maths on arrays. Intervals linked through patterns that cover both (and patterns
linked through a shared start) form one block; blocks share nothing, so each is solved on
its own. A block equal to one already found (same requirement, patterns and limits, as the
same weekday of a forecast that repeats every week) is kept once and its answer reused.
``docs/shifts.md`` has the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

__all__ = [
    "TOL",
    "Block",
    "BlockModel",
    "BlockResult",
    "Columns",
    "Decomposition",
    "block_diagonal",
    "decompose",
    "free_model",
    "joint_columns",
    "rows_and_columns",
]

#: Tolerance of coverage, limits and shortfall [heads].
TOL = 1e-6
#: Blocks of at most this many cells (rows x patterns) also keep a dense copy of their
#: coverage: a product with it costs microseconds where scipy.sparse's costs tens.
_DENSE_CELLS = 250_000


class BlockModel(NamedTuple):
    """The per-start limits of one block as bounds and rows of a programme."""

    lo: np.ndarray  # lower bound per pattern [heads]
    hi: np.ndarray  # upper bound per pattern [heads] (inf: none)
    rows_g: sparse.csr_array | None  # one row per limited start of several patterns
    g_lo: np.ndarray | None  # its fewest heads
    g_hi: np.ndarray | None  # its most heads


def free_model(n_p: int) -> BlockModel:
    """The limits of a block of ``n_p`` patterns without limits.

    Parameters
    ----------
    n_p : int
        Patterns in the block.

    Returns
    -------
    BlockModel
    """
    return BlockModel(np.zeros(n_p), np.full(n_p, np.inf), None, None, None)


class Columns(NamedTuple):
    """A coverage matrix by columns (compressed sparse columns as plain arrays).

    Column ``j``'s entries are ``ptr[j]:ptr[j + 1]`` of ``rows`` and ``share``, rows
    increasing, no zeros and no duplicates.
    """

    ptr: np.ndarray  # int64, (n_cols + 1,)
    rows: np.ndarray  # int64 row of each entry
    share: np.ndarray  # share of the interval of each entry [-]
    n_rows: int

    @classmethod
    def of(cls, a: sparse.sparray | np.ndarray) -> Columns:
        """The columns of a matrix (any scipy.sparse format, or dense).

        Parameters
        ----------
        a : scipy.sparse array or numpy.ndarray
            Shape (n_rows, n_cols).

        Returns
        -------
        Columns
        """
        csc = sparse.csc_array(a, dtype=float, copy=True)
        csc.sum_duplicates()
        csc.eliminate_zeros()
        return cls(
            csc.indptr.astype(np.int64), csc.indices.astype(np.int64), csc.data, csc.shape[0]
        )

    def reversed(self) -> Columns:
        """The same matrix with its columns in reverse order."""
        lengths = np.diff(self.ptr)[::-1]
        ptr = np.concatenate([[0], np.cumsum(lengths)])
        take = np.repeat(self.ptr[:-1][::-1] - ptr[:-1], lengths) + np.arange(ptr[-1])
        return Columns(ptr, self.rows[take], self.share[take], self.n_rows)


def joint_columns(parts: Sequence[Columns]) -> Columns:
    """The block-diagonal matrix of ``parts``, in order, by columns.

    Parameters
    ----------
    parts : sequence of Columns
        The diagonal blocks.

    Returns
    -------
    Columns
    """
    row_at = np.cumsum([0, *(part.n_rows for part in parts)])
    nnz_at = np.cumsum([0, *(part.ptr[-1] for part in parts)])
    return Columns(
        np.concatenate([[0], *(part.ptr[1:] + nnz_at[k] for k, part in enumerate(parts))]),
        np.concatenate([part.rows + row_at[k] for k, part in enumerate(parts)]),
        np.concatenate([part.share for part in parts]),
        int(row_at[-1]),
    )


@dataclass
class Block:
    """One independent programme: coverage rows x patterns of one block.

    Build one from a matrix with :meth:`from_matrix`; the solver's hot loops read the
    columns' arrays and, for a small block, a dense copy, computed once per block.
    """

    cols: Columns  # coverage of the block's rows by its patterns
    req: np.ndarray  # the requirement (for the shortfall stage)
    req_whole: np.ndarray  # ceil(req) in rows whose shares are all whole
    cost: np.ndarray  # paid hours per pattern
    group: np.ndarray  # the global start of each pattern

    @classmethod
    def from_matrix(
        cls,
        a: sparse.sparray | np.ndarray,
        req: np.ndarray,
        req_whole: np.ndarray,
        cost: np.ndarray,
        group: np.ndarray,
    ) -> Block:
        """A block from its coverage matrix (rows x patterns) and the rest.

        Parameters
        ----------
        a : scipy.sparse array or numpy.ndarray
            Coverage of the block's rows by its patterns [-].
        req, req_whole : numpy.ndarray
            The requirement per row, and it rounded up where the row's shares are whole [-].
        cost : numpy.ndarray
            Paid hours per pattern [h].
        group : numpy.ndarray of int
            The global start of each pattern.

        Returns
        -------
        Block
        """
        return cls(Columns.of(a), req, req_whole, cost, group)

    @cached_property
    def a(self) -> sparse.csr_array:
        """The coverage as a scipy matrix by rows (for scipy's solvers)."""
        ptr, rows, share, n_rows = self.cols
        return sparse.csc_array((share, rows, ptr), shape=(n_rows, ptr.size - 1)).tocsr()

    @cached_property
    def lengths(self) -> np.ndarray:
        """Entries of each pattern's column [-]."""
        return np.diff(self.cols.ptr)

    @cached_property
    def lists(self) -> tuple[list[int], list[int], list[float]]:
        """(column starts, rows, shares) as Python lists, for loops over a few columns
        where numpy's per-call cost outweighs the work."""
        ptr, rows, share, _ = self.cols
        return ptr.tolist(), rows.tolist(), share.tolist()

    @cached_property
    def _dense(self) -> np.ndarray | None:
        """The coverage as a dense array, for a small block; None for a large one."""
        ptr, rows, share, n_rows = self.cols
        if n_rows * (ptr.size - 1) > _DENSE_CELLS:
            return None
        dense = np.zeros((n_rows, ptr.size - 1))
        dense[rows, np.repeat(np.arange(ptr.size - 1), self.lengths)] = share
        return dense

    def reversed(self) -> Block:
        """The same block with its patterns in reverse order."""
        return Block(
            self.cols.reversed(), self.req, self.req_whole, self.cost[::-1], self.group[::-1]
        )

    def cover(self, y: np.ndarray) -> np.ndarray:
        """Heads at work per row of the block, ``a @ y`` [-].

        Parameters
        ----------
        y : numpy.ndarray
            Heads per pattern of the block [-].

        Returns
        -------
        numpy.ndarray
        """
        dense = self._dense
        if dense is not None:
            return dense @ y
        _, rows, share, n_rows = self.cols
        return np.bincount(rows, share * np.repeat(y, self.lengths), minlength=n_rows)

    def model(self, g_min: np.ndarray, g_max: np.ndarray) -> BlockModel:
        """(lo, hi, start rows, their lower and upper limits) of the per-start limits.

        A start with one pattern becomes bounds on that pattern; a start with several, one
        row summing its patterns. ``None`` rows when no start of several is limited.

        Parameters
        ----------
        g_min, g_max : numpy.ndarray
            Fewest and most heads per global start [-] (inf: no limit).

        Returns
        -------
        BlockModel
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
            return BlockModel(lo, hi, None, None, None)
        pick = limited[local]
        which = np.flatnonzero(limited)
        index = np.searchsorted(which, local[pick])
        rows_g = sparse.csr_array(
            (np.ones(index.size), (index, np.flatnonzero(pick))), shape=(which.size, n_p)
        )
        return BlockModel(lo, hi, rows_g, g_min[starts[which]], g_max[starts[which]])


@dataclass(frozen=True)
class BlockResult:
    """The whole heads chosen for one distinct block, and how they were proven."""

    heads: np.ndarray
    bound: float  # proven lower bound on the block's paid hours (at its shortfall)
    lp_value: float  # the LP relaxation's optimum (the MILP bound where there is none)
    method: str  # "lp", "rounded", "milp" or "relaxed"
    hit_limit: bool = False


@dataclass(frozen=True)
class Decomposition:
    """The distinct blocks of a programme and where each one occurs.

    Attributes
    ----------
    distinct : list of Block
        Each distinct block once.
    occurrences : list of (int, numpy.ndarray)
        Per block of the programme: the index of its distinct block and its patterns.
    uncoverable : numpy.ndarray of bool
        Intervals with a requirement that no pattern reaches at all.
    """

    distinct: list[Block]
    occurrences: list[tuple[int, np.ndarray]]
    uncoverable: np.ndarray


@dataclass(frozen=True)
class _Rows:
    """The intervals that need heads and that some pattern reaches, and their entries."""

    rows: np.ndarray  # their indices
    sub: Columns  # their coverage rows (renumbered 0 .. rows.size - 1), by columns
    req_whole: np.ndarray  # their requirement, rounded up where every share is whole
    uncoverable: np.ndarray  # intervals with a requirement no pattern reaches


def decompose(
    req: np.ndarray,
    matrix: sparse.csc_array,
    cost: np.ndarray,
    group: np.ndarray,
    g_min: np.ndarray,
    g_max: np.ndarray,
) -> Decomposition:
    """Cut ``cost @ y`` subject to ``matrix @ y >= req`` and the per-start limits into
    independent blocks, each distinct one kept once.

    Parameters
    ----------
    req : numpy.ndarray
        Heads needed per interval [-], checked.
    matrix : scipy.sparse.csc_array
        Coverage, shape (n_intervals, n_patterns) [-], in canonical form (sorted rows, no
        duplicates) with no negative share.
    cost : numpy.ndarray
        Paid hours per pattern [h].
    group : numpy.ndarray of int
        Start of each pattern.
    g_min, g_max : numpy.ndarray
        Fewest and most heads per start [-].

    Returns
    -------
    Decomposition
    """
    found = _coverable_rows(req, matrix)
    n_r, n_p, n_g = found.rows.size, matrix.shape[1], g_min.size
    # Blocks: a graph on rows + patterns + starts, an edge from each pattern to its rows
    # and to its start (connected_components reads the edges both ways).
    ptr = found.sub.ptr
    size = n_r + n_p + n_g
    out_ptr = ptr + np.arange(n_p + 1)  # each pattern's rows, then its start
    targets = np.empty(int(out_ptr[-1]), dtype=np.int64)
    is_start = np.zeros(targets.size, dtype=bool)
    is_start[out_ptr[1:] - 1] = True
    targets[is_start] = n_r + n_p + group
    targets[~is_start] = found.sub.rows
    indptr = np.concatenate([np.zeros(n_r, np.int64), out_ptr, np.full(n_g, out_ptr[-1])])
    graph = sparse.csr_array(
        (np.ones(targets.size), targets, indptr), shape=(size, size), copy=False
    )
    _, label = connected_components(graph, directed=False)
    distinct, occurrences = _distinct_blocks(
        found, req, label[:n_r], label[n_r : n_r + n_p], size, cost, group, g_min, g_max
    )
    return Decomposition(distinct, occurrences, found.uncoverable)


def _coverable_rows(req: np.ndarray, matrix: sparse.csc_array) -> _Rows:
    """The rows of the programme: intervals with a requirement that a pattern reaches."""
    n_t = matrix.shape[0]
    rows_all, data = matrix.indices, matrix.data
    positive = data > 0
    reach = np.zeros(n_t, dtype=bool)
    reach[rows_all[positive]] = True
    active = req > 0
    keep = active & reach
    rows = np.flatnonzero(keep)
    entry = positive & keep[rows_all]
    renumber = np.cumsum(keep) - 1
    kept_before = np.concatenate([[0], np.cumsum(entry, dtype=np.int64)])
    sub = Columns(
        kept_before[matrix.indptr],
        renumber[rows_all[entry]].astype(np.int64),
        data[entry],
        rows.size,
    )
    # Rows whose shares are all whole: whole heads cover r exactly when they cover ceil(r).
    req_whole = req[rows].copy()
    whole_rows = np.ones(rows.size, dtype=bool)
    whole_rows[sub.rows[np.abs(sub.share - np.round(sub.share)) > 1e-9]] = False
    req_whole[whole_rows] = np.ceil(req_whole[whole_rows] - TOL)
    return _Rows(rows, sub, req_whole, active & ~reach)


def _distinct_blocks(
    found: _Rows,
    req: np.ndarray,
    row_label: np.ndarray,
    pat_label: np.ndarray,
    size: int,
    cost: np.ndarray,
    group: np.ndarray,
    g_min: np.ndarray,
    g_max: np.ndarray,
) -> tuple[list[Block], list[tuple[int, np.ndarray]]]:
    """Each labelled block cut out of the rows, kept once when it repeats."""
    rows, req_whole, sub = found.rows, found.req_whole, found.sub
    order_r = np.argsort(row_label, kind="stable")
    order_p = np.argsort(pat_label, kind="stable")
    cuts_r = np.searchsorted(row_label[order_r], np.arange(size + 1)).tolist()
    cuts_p = np.searchsorted(pat_label[order_p], np.arange(size + 1)).tolist()
    # each row's place in its block, and the columns in block order (contiguous per block)
    local_row = np.empty(rows.size, dtype=np.int64)
    local_row[order_r] = np.arange(rows.size) - np.asarray(cuts_r)[row_label[order_r]]
    perm = _columns_in_order(sub, order_p)
    forced = np.zeros(size, dtype=bool)
    forced[pat_label[g_min[group] > 0]] = True

    free = not (g_min > 0).any() and bool(np.isinf(g_max).all())  # no limits anywhere
    distinct: list[Block] = []
    occurrences: list[tuple[int, np.ndarray]] = []
    index_of: dict[bytes, int] = {}
    for block in np.unique(pat_label).tolist():
        r0, r1, c0, c1 = cuts_r[block], cuts_r[block + 1], cuts_p[block], cuts_p[block + 1]
        if r0 == r1 and not forced[block]:
            continue  # nothing to cover and nothing forced: no heads
        pats = order_p[c0:c1]
        brows = order_r[r0:r1]
        lo, hi = perm.ptr[c0], perm.ptr[c1]
        cols = Columns(
            perm.ptr[c0 : c1 + 1] - lo, local_row[perm.rows[lo:hi]], perm.share[lo:hi], r1 - r0
        )
        parts = (req[rows[brows]], req_whole[brows], cost[pats])
        if free:  # the starts change nothing
            key = _block_key(cols, *parts)
        else:
            starts, local = np.unique(group[pats], return_inverse=True)
            key = _block_key(cols, *parts, local, g_min[starts], g_max[starts])
        if key not in index_of:  # else the same block again (the same weekday next week)
            index_of[key] = len(distinct)
            distinct.append(Block(cols, *parts, group[pats]))
        occurrences.append((index_of[key], pats))
    return distinct, occurrences


def _columns_in_order(cols: Columns, order: np.ndarray) -> Columns:
    """The columns ``order`` of ``cols``, in that order."""
    lengths = np.diff(cols.ptr)[order]
    ptr = np.concatenate([[0], np.cumsum(lengths)])
    take = np.repeat(cols.ptr[order] - ptr[:-1], lengths) + np.arange(ptr[-1])
    return Columns(ptr, cols.rows[take], cols.share[take], cols.n_rows)


def _block_key(cols: Columns, *parts: np.ndarray) -> bytes:
    """Bytes equal for two blocks exactly when their programmes are the same."""
    return b"|".join(
        np.ascontiguousarray(part).tobytes()
        for part in (
            np.array([cols.n_rows, cols.ptr.size]),
            cols.ptr,
            cols.rows,
            cols.share,
            *parts,
        )
    )


def block_diagonal(parts: list[sparse.csr_array]) -> sparse.csr_array:
    """``scipy.sparse.block_diag`` of CSR matrices, assembled from their arrays (faster).

    Parameters
    ----------
    parts : list of scipy.sparse.csr_array
        The diagonal blocks, in order.

    Returns
    -------
    scipy.sparse.csr_array
    """
    rows = np.cumsum([0, *(part.shape[0] for part in parts)])
    cols = np.cumsum([0, *(part.shape[1] for part in parts)])
    nnz = np.cumsum([0, *(part.indptr[-1] for part in parts)])
    indptr = np.concatenate([[0], *(part.indptr[1:] + nnz[k] for k, part in enumerate(parts))])
    indices = np.concatenate(
        [part.indices[: part.indptr[-1]] + cols[k] for k, part in enumerate(parts)]
    )
    data = np.concatenate([part.data[: part.indptr[-1]] for part in parts])
    return sparse.csr_array((data, indices, indptr), shape=(int(rows[-1]), int(cols[-1])))


def rows_and_columns(a: sparse.csr_array, rows: np.ndarray) -> tuple[sparse.csr_array, np.ndarray]:
    """(the given rows of ``a`` restricted to the columns they touch, those columns).

    Parameters
    ----------
    a : scipy.sparse.csr_array
        A coverage matrix with sorted indices.
    rows : numpy.ndarray of int
        The rows to keep.

    Returns
    -------
    (scipy.sparse.csr_array, numpy.ndarray)
    """
    begin, end = a.indptr[rows], a.indptr[rows + 1]
    lengths = end - begin
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    take = np.repeat(begin - indptr[:-1], lengths) + np.arange(indptr[-1])
    used, local = np.unique(a.indices[take], return_inverse=True)
    return sparse.csr_array(
        (a.data[take], local.ravel(), indptr), shape=(rows.size, used.size)
    ), used
