"""Both LP engines against an independent LP, on blocks with start limits and partial floors.

Rules (``staffing.shifts.relaxations``, ``docs/shifts.md`` "LP first"): the LP relaxations
of several blocks, solved together, give each block its own LP optimum, start limits
included (a start of one pattern as bounds on it, a start of several as a row); a block
whose limits cannot be met is told apart as infeasible; above a floor of fixed heads the
LP optimum is that of the block with ``x >= floor``, whether the floor covers the block
or leaves rows short; both engines give the same optimal values. Expected values come from
``scipy.optimize.linprog`` on the programme written out here from the instance (coverage
rows, one row per start summing its patterns, the floor as lower bounds), not from the
engines' own matrices.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from staffing.shifts.blocks import Block, free_model
from staffing.shifts.relaxations import HighsRelaxations, ScipyRelaxations

pytest.importorskip("highspy")

ENGINES = {"highspy": HighsRelaxations, "scipy": ScipyRelaxations}


def _instance(rng: np.random.Generator, first_start: int) -> tuple[np.ndarray, ...]:
    """(coverage, requirement, paid hours, start of each pattern): 6-9 rows, 3-5 starts
    of 1-3 patterns each (the same first row, a half-share break row or none), runs of
    2-5 rows, paid hours = the run's length x 0.5 h, a requirement of 0-4 heads per row,
    every row with a requirement covered by some pattern."""
    n_r = int(rng.integers(6, 10))
    columns, group = [], []
    for s in range(int(rng.integers(3, 6))):
        first = int(rng.integers(0, n_r - 1))
        for _ in range(int(rng.integers(1, 4))):
            col = np.zeros(n_r)
            last = min(n_r, first + int(rng.integers(2, 6)))
            col[first:last] = 1.0
            if last - first > 2 and rng.random() < 0.5:
                col[first + int(rng.integers(1, last - first - 1))] = 0.5
            columns.append(col)
            group.append(first_start + s)
    a = np.column_stack(columns)
    req = rng.integers(0, 5, n_r).astype(float)
    req[a.sum(axis=1) == 0] = 0.0
    cost = a.astype(bool).sum(axis=0) * 0.5
    return a, req, cost, np.array(group, dtype=np.int64)


def _limits(rng: np.random.Generator, n_g: int) -> tuple[np.ndarray, np.ndarray]:
    """Fewest heads 0, 1 or 2 and most heads 2, 4 or none, per start."""
    g_min = rng.choice([0.0, 0.0, 1.0, 2.0], n_g)
    g_max = np.maximum(g_min, rng.choice([2.0, 4.0, np.inf, np.inf], n_g))
    return g_min, g_max


def _linprog(
    a: np.ndarray,
    req: np.ndarray,
    cost: np.ndarray,
    group: np.ndarray,
    g_min: np.ndarray,
    g_max: np.ndarray,
    floor: np.ndarray | None = None,
) -> tuple[float | None, bool]:
    """(the LP optimum's paid hours or None, whether the LP is infeasible), by linprog on
    min cost @ x, a @ x >= req, g_min[s] <= sum of start s's patterns <= g_max[s],
    x >= floor (0 without one)."""
    rows, rhs = [-a], [-req]
    for s in np.unique(group):
        member = (group == s).astype(float)
        rows.append(member[None])
        rhs.append(np.array([g_max[s] if np.isfinite(g_max[s]) else 1e9]))
        rows.append(-member[None])
        rhs.append(np.array([-g_min[s]]))
    low = np.zeros(cost.size) if floor is None else floor
    res = linprog(
        cost,
        A_ub=np.vstack(rows),
        b_ub=np.concatenate(rhs),
        bounds=list(zip(low, [None] * cost.size, strict=True)),
        method="highs",
    )
    return (float(res.fun), False) if res.status == 0 else (None, res.status == 2)


def _covers(a: np.ndarray, req: np.ndarray, x: np.ndarray) -> bool:
    return bool((a @ x >= req - 1e-7).all() and (x >= -1e-9).all())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", range(4))
def test_start_limits_give_each_block_the_lp_optimum_of_an_independent_solver(engine, seed):
    """Rule: per block, the LP optimum with its start limits (a lone pattern's start as its
    bounds, a start of several as a row), or None and "infeasible" where the limits cannot
    be met; all blocks solved together, warning of nothing. Expected: linprog on each
    block alone."""
    rng = np.random.default_rng(seed)
    parts = [_instance(rng, 10 * k) for k in range(4)]
    g_min, g_max = _limits(rng, 40)
    blocks = [Block.from_matrix(sparse.csr_array(a), r, r, c, g) for a, r, c, g in parts]
    models = [b.model(g_min, g_max) for b in blocks]
    # the instance has what this test is about: limited lone patterns and limited rows
    assert any(m.rows_g is not None for m in models)
    assert any(((m.lo > 0) | np.isfinite(m.hi)).any() for m in models)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. an option scipy does not know
        got = ENGINES[engine](blocks, models).optima()
    assert len(got) == len(blocks)
    solved = 0
    for (a, req, cost, group), (x, infeasible) in zip(parts, got, strict=True):
        value, want_infeasible = _linprog(a, req, cost, group, g_min, g_max)
        assert infeasible == want_infeasible
        if value is None:
            assert x is None
            continue
        solved += 1
        assert x is not None and _covers(a, req, x)
        for s in np.unique(group):
            heads = x[group == s].sum()
            assert g_min[s] - 1e-7 <= heads <= g_max[s] + 1e-7
        assert cost @ x == pytest.approx(value, rel=1e-9, abs=1e-9)
    assert solved >= 2


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", range(3))
def test_above_a_floor_is_the_lp_with_the_floor_as_lower_bounds(engine, seed):
    """Rule: above(which, floors) is, per block asked, the LP optimum with x >= its floor:
    the floor itself where it covers the block, else the floor plus the cheapest cover of
    what it leaves short; a block covered by its floor does not stop the blocks after it.
    Asked twice, with floors raised then lowered again (a dive's steps and a new dive),
    each answer is a fresh LP's. Expected: linprog with the floor as lower bounds."""
    rng = np.random.default_rng(100 + seed)
    parts = [_instance(rng, 10 * k) for k in range(4)]
    blocks = [Block.from_matrix(sparse.csr_array(a), r, r, c, g) for a, r, c, g in parts]
    lp = ENGINES[engine](blocks, [free_model(b.cost.size) for b in blocks])
    lp.optima()
    # block 3's floor covers it (8 heads on every pattern: every row needs at most 4 and
    # every row with a requirement has a share of at least 0.5); it is asked first
    big = np.full(blocks[3].cost.size, 8.0)
    for step in range(3):
        which = [3, 0, 2] if step < 2 else [2, 1]
        floors = [
            big if i == 3 else rng.integers(0, 2 if step < 2 else 1, blocks[i].cost.size)
            for i in which
        ]
        got = lp.above(which, [f.astype(float) for f in floors])
        assert len(got) == len(which)
        short = 0
        for i, floor, x in zip(which, floors, got, strict=True):
            a, req, cost, group = parts[i]
            no = np.full(40, np.inf)
            value, _ = _linprog(a, req, cost, group, np.zeros(40), no, floor.astype(float))
            assert x is not None and value is not None
            assert _covers(a, req, x) and (x >= floor - 1e-9).all()
            assert cost @ x == pytest.approx(value, rel=1e-9, abs=1e-9)
            short += bool((a @ floor < req - 1e-6).any())
            if i == 3:
                assert x.tolist() == big.tolist()  # the covering floor is the optimum
        assert short >= 1  # some floor left rows short: the residual LP was solved


@pytest.mark.parametrize("engine", ENGINES)
def test_floors_of_whole_heads_may_be_integer_arrays(engine):
    """Rule: a floor is heads per pattern; one given as an integer array is read as those
    heads (the optimum above it is a float array). Block: 2 rows needing 3 and 2 heads,
    patterns covering row 0 (1 h), row 1 (1 h), both (1.5 h). By hand, above floor
    (1, 0, 0): 2 more on the pattern of both rows (3 h) beats 2 + 2 singles (4 h), so
    x = (1, 0, 2) at 4 h."""
    a = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    block = Block.from_matrix(
        sparse.csr_array(a), np.array([3.0, 2.0]), np.array([3.0, 2.0]),
        np.array([1.0, 1.0, 1.5]), np.array([0, 1, 2]),
    )  # fmt: skip
    lp = ENGINES[engine]([block], [free_model(3)])
    lp.optima()
    (x,) = lp.above([0], [np.array([1, 0, 0], dtype=np.int64)])
    assert x is not None and x.dtype == np.float64
    np.testing.assert_allclose(x, [1.0, 0.0, 2.0], atol=1e-9)


@pytest.mark.parametrize("engine", ENGINES)
def test_one_floor_per_block_asked_or_an_error(engine):
    """Rule: above() takes one floor per block asked; a floor missing is a ValueError, not
    a block silently left out of the answer."""
    rng = np.random.default_rng(7)
    parts = [_instance(rng, 10 * k) for k in range(2)]
    blocks = [Block.from_matrix(sparse.csr_array(a), r, r, c, g) for a, r, c, g in parts]
    lp = ENGINES[engine](blocks, [free_model(b.cost.size) for b in blocks])
    lp.optima()
    with pytest.raises(ValueError):
        lp.above([0, 1], [np.zeros(blocks[0].cost.size)])


def test_blocks_and_models_that_do_not_pair_up_are_refused():
    """Rule: one model (the per-start limits) per block: a list of models longer than the
    blocks is a ValueError, not a model silently ignored (an empty extra model included)."""
    a = np.array([[1.0]])
    block = Block.from_matrix(sparse.csr_array(a), np.ones(1), np.ones(1), np.ones(1), np.zeros(1))
    models = [free_model(1), free_model(0)]
    with pytest.raises(ValueError):
        ScipyRelaxations([block], models).optima()
    with pytest.raises(ValueError):
        HighsRelaxations([block], models).optima()


def test_a_row_short_by_at_most_the_tolerance_counts_as_covered():
    """Rule: coverage is to within TOL = 1e-6 heads: above a floor that leaves a row short
    by exactly 1e-6 heads (a requirement of 1e-6, nothing fixed) the scipy engine returns
    the floor itself, nothing added; short by 2e-6, it adds the cheapest 2e-6 heads."""
    a = sparse.csr_array(np.array([[1.0, 1.0]]))
    for need, want in ((1e-6, [0.0, 0.0]), (2e-6, [2e-6, 0.0])):
        req = np.array([need])
        block = Block.from_matrix(a, req, req, np.array([1.0, 2.0]), np.arange(2))
        (x,) = ScipyRelaxations([block], [free_model(2)]).above([0], [np.zeros(2)])
        assert x is not None
        np.testing.assert_allclose(x, want, rtol=1e-6, atol=1e-12)


def test_a_block_once_dropped_stays_dropped():
    """Rule: retain(which) keeps only those blocks in the warm model; naming a dropped
    block again does not bring it back (above() on it is refused with that reason), and
    the block kept still re-solves to a fresh LP's optimum (linprog)."""
    rng = np.random.default_rng(11)
    parts = [_instance(rng, 10 * k) for k in range(3)]
    blocks = [Block.from_matrix(sparse.csr_array(a), r, r, c, g) for a, r, c, g in parts]
    lp = HighsRelaxations(blocks, [free_model(b.cost.size) for b in blocks])
    lp.optima()
    lp.retain([1, 2])
    lp.retain([0, 2])  # block 0 was dropped already: block 2 alone is left
    with pytest.raises(ValueError) as caught:
        lp.above([0], [np.zeros(blocks[0].cost.size)])
    assert str(caught.value) == "above() asked about a block that retain() dropped"
    with pytest.raises(ValueError, match="retain"):
        lp.above([1], [np.zeros(blocks[1].cost.size)])
    floors = [np.ones(blocks[2].cost.size)]
    for i, floor, x in zip([2], floors, lp.above([2], floors), strict=True):
        a, req, cost, group = parts[i]
        value, _ = _linprog(a, req, cost, group, np.zeros(40), np.full(40, np.inf), floor)
        assert x is not None and value is not None and x.size == cost.size
        assert cost @ x == pytest.approx(value, rel=1e-9, abs=1e-9)
