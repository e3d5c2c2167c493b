"""LP relaxations of the coverage blocks: all solved together, then re-solved above fixed heads.

Pure maths on arrays. The LP-first path (:mod:`staffing.shifts.lp_first`) asks two things
of the LP relaxations of its distinct blocks: their optima, all blocks in one programme
(block-diagonal), and, while it rounds by LP diving, the optimum of a block with some heads
fixed (``x >= floor``). Two engines answer with the same optima:

- :class:`HighsRelaxations` (the optional ``highs`` extra: ``highspy``, the HiGHS project's
  own bindings): the blocks go into one HiGHS model built once; fixing heads raises column
  lower bounds and the model is re-solved from its last basis (a dual simplex warm start),
  instead of a new programme being built and solved from nothing;
- :class:`ScipyRelaxations` (always there): each solve is one ``scipy.optimize.milp`` call
  (HiGHS as well, through scipy, which exposes no model to change), a dive step solving the
  LP of the rows the fixed heads leave uncovered.

``x >= floor`` and the residual LP (``z = x - floor >= 0`` covering what ``floor`` leaves)
are the same programme, so both engines have the same optimal values; the vertex each
returns when the optimum is not unique may differ. ``docs/shifts.md`` has the model.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Any, Literal, Protocol

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from staffing.shifts.blocks import (
    TOL,
    Block,
    BlockModel,
    block_diagonal,
    free_model,
    joint_columns,
    rows_and_columns,
)

__all__ = [
    "Engine",
    "HighsRelaxations",
    "Relaxations",
    "ScipyRelaxations",
    "highspy_available",
    "relaxations",
]

#: ``"auto"``: highspy when it is installed, else scipy.
Engine = Literal["auto", "highspy", "scipy"]


class Relaxations(Protocol):
    """The LP relaxations of a list of blocks (the interface of both engines)."""

    blocks: list[Block]

    def optima(self) -> list[tuple[np.ndarray | None, bool]]:
        """Per block: its LP optimum [heads] or None, and whether its LP is infeasible."""
        ...

    def above(self, which: Sequence[int], floors: Sequence[np.ndarray]) -> list[np.ndarray | None]:
        """Per block ``which[k]`` (without limits): the LP optimum with ``x >= floors[k]``.

        Parameters
        ----------
        which : sequence of int
            The blocks (indices into ``blocks``), none of them with limits.
        floors : sequence of numpy.ndarray
            Per block of ``which``: the fewest heads per pattern [heads].

        Returns
        -------
        list of (numpy.ndarray or None)
            Per block of ``which``: its LP optimum above the floor [heads], or None.
        """
        ...

    def retain(self, which: Sequence[int]) -> None:
        """Only blocks ``which`` will be re-solved from now on: the rest may be dropped.

        Parameters
        ----------
        which : sequence of int
            The blocks (indices into ``blocks``) still to re-solve.
        """
        ...


def highspy_available() -> bool:
    """Whether the optional ``highspy`` package is installed.

    Returns
    -------
    bool
    """
    return importlib.util.find_spec("highspy") is not None


def relaxations(
    blocks: Sequence[Block], models: Sequence[BlockModel], engine: Engine = "auto"
) -> Relaxations:
    """The LP relaxations of ``blocks`` by the chosen engine.

    Parameters
    ----------
    blocks : sequence of Block
        The blocks.
    models : sequence of BlockModel
        Their per-start limits.
    engine : {"auto", "highspy", "scipy"}, default "auto"
        ``"auto"`` takes highspy when it is installed.

    Returns
    -------
    Relaxations

    Raises
    ------
    ImportError
        ``engine="highspy"`` without highspy installed.
    ValueError
        An unknown engine.
    """
    if engine not in ("auto", "highspy", "scipy"):
        raise ValueError(f"engine must be 'auto', 'highspy' or 'scipy', not {engine!r}")
    if engine == "highspy" or (engine == "auto" and highspy_available()):
        return HighsRelaxations(blocks, models)
    return ScipyRelaxations(blocks, models)


def _joint_rows(
    blocks: Sequence[Block], models: Sequence[BlockModel]
) -> tuple[sparse.csr_array, np.ndarray, np.ndarray, np.ndarray]:
    """(block-diagonal rows, their lower and upper bounds, first row of each block)."""
    parts, lb, ub = [], [], []
    for block, (_, _, rows_g, g_lo, g_hi) in zip(blocks, models, strict=True):
        parts.append(block.a if rows_g is None else sparse.vstack([block.a, rows_g], format="csr"))
        lb.append(block.req_whole)
        ub.append(np.full(block.req_whole.size, np.inf))
        if rows_g is not None and g_lo is not None and g_hi is not None:
            lb.append(g_lo)
            ub.append(g_hi)
    a = parts[0] if len(parts) == 1 else block_diagonal(parts)
    row_cuts = np.cumsum([0, *(part.shape[0] for part in parts)])
    return a, np.concatenate(lb), np.concatenate(ub), row_cuts


def _start_rows(model: BlockModel) -> int:
    """Rows the per-start limits of one block add to the joint LP."""
    return 0 if model.rows_g is None else model.rows_g.shape[0]


class ScipyRelaxations:
    """The LP relaxations by ``scipy.optimize.milp``: a new programme for every solve.

    Parameters
    ----------
    blocks : sequence of Block
        The blocks.
    models : sequence of BlockModel
        Their per-start limits.
    """

    def __init__(self, blocks: Sequence[Block], models: Sequence[BlockModel]) -> None:
        self.blocks = list(blocks)
        self.models = list(models)

    def optima(self) -> list[tuple[np.ndarray | None, bool]]:
        """Per block: its LP optimum [heads] or None, and whether its LP is infeasible.

        All blocks in one HiGHS call; when that fails, each block alone to tell which.
        """
        if not self.blocks:
            return []
        a, lb, ub, _ = _joint_rows(self.blocks, self.models)
        result = milp(
            np.concatenate([block.cost for block in self.blocks]),
            integrality=None,
            bounds=Bounds(
                np.concatenate([m.lo for m in self.models]),
                np.concatenate([m.hi for m in self.models]),
            ),
            constraints=[LinearConstraint(a, lb, ub)] if a.shape[0] else [],
            options={"presolve": False},
        )
        if result.status == 0 and result.x is not None:
            cuts = np.cumsum([0, *(block.cost.size for block in self.blocks)])
            return [(result.x[cuts[i] : cuts[i + 1]], False) for i in range(len(self.blocks))]
        if len(self.blocks) == 1:
            return [(None, result.status == 2)]  # 2: infeasible
        return [
            ScipyRelaxations([block], [model]).optima()[0]
            for block, model in zip(self.blocks, self.models, strict=True)
        ]

    def above(self, which: Sequence[int], floors: Sequence[np.ndarray]) -> list[np.ndarray | None]:
        """Per block ``which[k]`` (without limits): the LP optimum with ``x >= floors[k]``.

        Solved as the LP of the rows ``floors[k]`` leaves uncovered, all in one HiGHS call.

        Parameters
        ----------
        which : sequence of int
            The blocks (indices into ``blocks``), none of them with limits.
        floors : sequence of numpy.ndarray
            Per block of ``which``: the fewest heads per pattern [heads].

        Returns
        -------
        list of (numpy.ndarray or None)
            Per block of ``which``: its LP optimum above the floor [heads], or None.
        """
        out: list[np.ndarray | None] = [np.asarray(f, dtype=float).copy() for f in floors]
        parts, columns, solved = [], [], []
        for k, (i, floor) in enumerate(zip(which, floors, strict=True)):
            block = self.blocks[i]
            left = block.req_whole - block.cover(floor)
            need = np.flatnonzero(left > TOL)
            if not need.size:
                continue  # the floor covers the block: it is the optimum (costs are >= 0)
            # the rows left, and the patterns that cover them
            rows_left, used = rows_and_columns(block.a, need)
            columns.append(used)
            solved.append(k)
            parts.append(
                Block.from_matrix(
                    rows_left, left[need], left[need], block.cost[used], block.group[used]
                )
            )
        free = [free_model(part.cost.size) for part in parts]
        for k, used, (z, _) in zip(
            solved, columns, ScipyRelaxations(parts, free).optima(), strict=True
        ):
            x = out[k]
            if z is None or x is None:  # None should not happen without limits
                out[k] = None
            else:
                x[used] += z
        return out

    def retain(self, which: Sequence[int]) -> None:
        """Nothing to do: every solve builds its own programme.

        Parameters
        ----------
        which : sequence of int
            The blocks still to re-solve.
        """


class HighsRelaxations:
    """The LP relaxations in one highspy model, built once and re-solved warm.

    Parameters
    ----------
    blocks : sequence of Block
        The blocks.
    models : sequence of BlockModel
        Their per-start limits.
    """

    def __init__(self, blocks: Sequence[Block], models: Sequence[BlockModel]) -> None:
        self.blocks = list(blocks)
        self.models = list(models)
        self._sizes = np.array([block.cost.size for block in self.blocks], dtype=np.int64)
        self._row_sizes = np.array(
            [b.cols.n_rows + _start_rows(m) for b, m in zip(blocks, models, strict=True)],
            dtype=np.int64,
        )
        self._live = np.ones(len(self.blocks), dtype=bool)  # blocks still in the model
        self._cuts = np.cumsum([0, *self._sizes])  # first column of each live block
        self._highs: Any = None
        self._lower = np.concatenate([[], *(m.lo for m in self.models)])  # in the model
        if self.blocks:
            self._highs = _load(self.blocks, self.models)

    def optima(self) -> list[tuple[np.ndarray | None, bool]]:
        """Per block: its LP optimum [heads] or None, and whether its LP is infeasible.

        All blocks in the one model; when that fails, each block alone to tell which, and
        the rows of the blocks that failed are then freed in the joint model (their columns
        rest at 0), so that it stays feasible for :meth:`above`.
        """
        if not self.blocks:
            return []
        x, infeasible = _run(self._highs)
        if x is not None:
            return [(x[self._cuts[i] : self._cuts[i + 1]], False) for i in range(len(self.blocks))]
        if len(self.blocks) == 1:
            return [(None, infeasible)]
        out = [
            HighsRelaxations([block], [model]).optima()[0]
            for block, model in zip(self.blocks, self.models, strict=True)
        ]
        failed = [i for i, (x_i, _) in enumerate(out) if x_i is None]
        if failed:
            row_cuts = np.cumsum([0, *self._row_sizes])
            rows = np.concatenate([np.arange(row_cuts[i], row_cuts[i + 1]) for i in failed])
            cols = np.concatenate([np.arange(self._cuts[i], self._cuts[i + 1]) for i in failed])
            self._highs.changeRowsBounds(
                rows.size,
                rows.astype(np.int32),
                np.full(rows.size, -np.inf),
                np.full(rows.size, np.inf),
            )
            self._highs.changeColsBounds(
                cols.size, cols.astype(np.int32), np.zeros(cols.size), np.full(cols.size, np.inf)
            )
            self._lower[cols] = 0.0
        return out

    def above(self, which: Sequence[int], floors: Sequence[np.ndarray]) -> list[np.ndarray | None]:
        """Per block ``which[k]`` (without limits): the LP optimum with ``x >= floors[k]``.

        Sets the lower bounds of those blocks' columns to ``floors`` (passing HiGHS only
        the columns whose bound changes) and re-solves the model from its last basis; the
        other blocks keep the bounds they had.

        Parameters
        ----------
        which : sequence of int
            The blocks (indices into ``blocks``), none of them with limits.
        floors : sequence of numpy.ndarray
            Per block of ``which``: the fewest heads per pattern [heads].

        Returns
        -------
        list of (numpy.ndarray or None)
            Per block of ``which``: its LP optimum above the floor [heads], or None.
        """
        if not len(which):
            return []
        if not self._live[list(which)].all():
            raise ValueError("above() asked about a block that retain() dropped")
        cols = np.concatenate([np.arange(self._cuts[i], self._cuts[i + 1]) for i in which])
        lower = np.concatenate([np.asarray(f, dtype=float) for f in floors])
        changed = lower != self._lower[cols]
        cols, lower = cols[changed], lower[changed]
        if cols.size:
            self._highs.changeColsBounds(
                cols.size, cols.astype(np.int32), lower, np.full(cols.size, np.inf)
            )
            self._lower[cols] = lower
        x, _ = _run(self._highs)
        return [None if x is None else x[self._cuts[i] : self._cuts[i + 1]] for i in which]

    def retain(self, which: Sequence[int]) -> None:
        """Delete every other block's rows and columns from the model.

        HiGHS's run costs grow with the model even where nothing changed; a block is
        independent of the others, so deleting one whole (its basic variables with its
        rows) leaves the rest with a valid basis to re-solve from.

        Parameters
        ----------
        which : sequence of int
            The blocks (indices into ``blocks``) still to re-solve; :meth:`above` may then
            be asked about these only (a ValueError otherwise).
        """
        keep = np.zeros(self._live.size, dtype=bool)
        keep[list(which)] = True
        gone = np.flatnonzero(self._live & ~keep)
        if self._highs is None or not gone.size:
            return
        row_cuts = np.cumsum([0, *(self._row_sizes * self._live)])
        cols = np.concatenate([np.arange(self._cuts[i], self._cuts[i + 1]) for i in gone])
        rows = np.concatenate([np.arange(row_cuts[i], row_cuts[i + 1]) for i in gone])
        self._highs.deleteCols(cols.size, cols.astype(np.int32))
        self._highs.deleteRows(rows.size, rows.astype(np.int32))
        self._lower = np.delete(self._lower, cols)
        self._live &= keep
        self._cuts = np.cumsum([0, *(self._sizes * self._live)])


def _load(blocks: Sequence[Block], models: Sequence[BlockModel]) -> Any:
    """A quiet highspy model of the blocks' joint LP (no presolve, so re-solves start warm)."""
    import highspy

    if all(model.rows_g is None for model in models):
        # no start rows: the block-diagonal matrix straight from the blocks' columns
        ptr, rows, share, n_rows = joint_columns([block.cols for block in blocks])
        lb = np.concatenate([block.req_whole for block in blocks])
        ub = np.full(n_rows, np.inf)
    else:
        a, lb, ub, _ = _joint_rows(blocks, models)
        csc = sparse.csc_array(a)
        ptr, rows, share, n_rows = csc.indptr, csc.indices, csc.data, csc.shape[0]
    n_cols = ptr.size - 1
    highs = _quiet_highs(highspy)
    highs.passModel(
        n_cols,
        n_rows,
        int(ptr[-1]),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        np.concatenate([block.cost for block in blocks]),
        np.concatenate([m.lo for m in models]),
        np.concatenate([m.hi for m in models]),
        lb,
        ub,
        ptr.astype(np.int32),
        rows.astype(np.int32),
        share.astype(float),
        np.zeros(n_cols, dtype=np.int32),  # every column continuous
    )
    return highs


def _quiet_highs(highspy: Any) -> Any:
    """A highspy solver object that prints nothing, without presolve, with devex pricing.

    ``highspy.Highs`` adds a Python callback layer whose set-up prints HiGHS's banner on
    stdout before any option can be set; its base class, the compiled binding itself,
    does not (and the callbacks are not needed here).
    """
    core = next((k for k in highspy.Highs.__mro__[1:] if hasattr(k, "passModel")), highspy.Highs)
    highs = core()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")
    # Devex pricing: on these small LPs its cheaper iterations beat dual steepest edge's
    # fewer ones (the benchmark's first joint LP: about 3.2 -> 2.3 ms).
    highs.setOptionValue("simplex_dual_edge_weight_strategy", 1)
    return highs


def _run(highs: Any) -> tuple[np.ndarray | None, bool]:
    """(the optimum or None, whether the model is infeasible) of one HiGHS run."""
    import highspy

    highs.run()
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return np.asarray(highs.getSolution().col_value), False
    infeasible = status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    )
    return None, infeasible
