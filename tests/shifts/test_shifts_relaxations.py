"""The LP relaxations of the coverage blocks by both engines (staffing.shifts.relaxations).

highspy keeps the blocks in one HiGHS model and re-solves it warm after raising column
lower bounds; scipy builds a new programme each time. Expected optima come from an
independent solver: ``scipy.optimize.linprog`` on the same LP written out in the test (for
``x >= floor``, with the floor as the lower bound), or a value derived by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

import staffing.shifts.relaxations as relaxations_module
from staffing.shifts.blocks import Block, BlockModel, free_model
from staffing.shifts.relaxations import (
    HighsRelaxations,
    ScipyRelaxations,
    relaxations,
)
from staffing.shifts.solver import solve_coverage
from tests.shifts.benchmark_days import FAMILIES, HOUR, day_patterns

pytest.importorskip("highspy")


def _day_block(seed: int) -> Block:
    """One day of the benchmark's kind: 8.5-hour shifts with a 30-minute break 3-5 h in,
    4-hour part-timers, 30-minute grid, a noisy requirement of up to 40 heads."""
    rng = np.random.default_rng(seed)
    a, cost, _, _ = day_patterns((FAMILIES[0], FAMILIES[2]))
    need = np.ceil(
        rng.uniform(5, 40) * np.exp(-0.5 * ((HOUR - 13) / 3.5) ** 2) * rng.uniform(0.8, 1.2, 48)
    )
    rows_kept = np.flatnonzero((need > 0) & (a.toarray().sum(axis=1) > 0))
    return Block.from_matrix(
        sparse.csr_array(a.toarray()[rows_kept]),
        need[rows_kept],
        need[rows_kept],
        cost,
        np.arange(cost.size),
    )


def _linprog_value(block: Block, floor: np.ndarray) -> float:
    """min cost @ x s.t. a @ x >= req, x >= floor, by scipy's linprog (independent)."""
    res = linprog(
        block.cost,
        A_ub=-block.a.toarray(),
        b_ub=-block.req_whole,
        bounds=list(zip(floor, [None] * floor.size, strict=True)),
        method="highs",
    )
    assert res.status == 0
    return float(res.fun)


def test_both_engines_find_the_lp_optimum_of_several_blocks_at_once():
    blocks = [_day_block(seed) for seed in range(3)]
    models = [free_model(b.cost.size) for b in blocks]
    for lp in (HighsRelaxations(blocks, models), ScipyRelaxations(blocks, models)):
        for block, (x, infeasible) in zip(blocks, lp.optima(), strict=True):
            assert x is not None and not infeasible
            assert (block.a @ x >= block.req_whole - 1e-7).all() and (x >= -1e-9).all()
            assert block.cost @ x == pytest.approx(_linprog_value(block, np.zeros(x.size)))


def test_the_warm_re_solve_above_fixed_heads_equals_a_fresh_lp():
    # A dive's steps: raise the floor of some blocks, re-solve. After each step the warm
    # model's optimum equals a fresh LP with that floor (linprog), and the scipy engine's
    # residual LP gives the same value.
    blocks = [_day_block(seed) for seed in range(10, 13)]
    models = [free_model(b.cost.size) for b in blocks]
    warm, fresh = HighsRelaxations(blocks, models), ScipyRelaxations(blocks, models)
    xs = [x for x, _ in warm.optima()]
    floors = [np.zeros(b.cost.size) for b in blocks]
    for step in range(4):
        which = [0, 2] if step % 2 == 0 else [1]
        for i in which:
            floors[i] = np.floor(xs[i] + 1e-6)
            floors[i][int(np.argmax(xs[i] - floors[i]))] += 1
        got = warm.above(which, [floors[i] for i in which])
        again = fresh.above(which, [floors[i] for i in which])
        for i, x, y in zip(which, got, again, strict=True):
            assert x is not None and y is not None
            assert (x >= floors[i] - 1e-9).all() and (y >= floors[i] - 1e-9).all()
            value = _linprog_value(blocks[i], floors[i])
            assert blocks[i].cost @ x == pytest.approx(value, rel=1e-9)
            assert blocks[i].cost @ y == pytest.approx(value, rel=1e-9)
            xs[i] = x


def test_blocks_dropped_from_the_warm_model_leave_the_others_exact():
    # A dive drops the blocks it is done with (retain); the blocks kept re-solve from the
    # basis left behind, and each optimum still equals a fresh LP with that floor.
    blocks = [_day_block(seed) for seed in range(20, 25)]
    models = [free_model(b.cost.size) for b in blocks]
    warm = HighsRelaxations(blocks, models)
    xs = [x for x, _ in warm.optima()]
    floors = [np.zeros(b.cost.size) for b in blocks]
    for which in ([0, 1, 3, 4], [1, 4], [4], [4]):
        warm.retain(which)
        for i in which:
            floors[i] = np.floor(xs[i] + 1e-6)
            floors[i][int(np.argmax(xs[i] - floors[i]))] += 1
        for i, x in zip(which, warm.above(which, [floors[i] for i in which]), strict=True):
            assert x is not None and (x >= floors[i] - 1e-9).all()
            assert (blocks[i].a @ x >= blocks[i].req_whole - 1e-7).all()
            value = _linprog_value(blocks[i], floors[i])
            assert blocks[i].cost @ x == pytest.approx(value, rel=1e-9)
            xs[i] = x
    with pytest.raises(ValueError, match="retain"):
        warm.above([0], [floors[0]])  # block 0 was dropped


def test_a_block_whose_limits_fail_is_told_apart_and_the_others_still_solve():
    # Block 0: two patterns of one start, at most 1 head, but its one interval needs 2
    # (each pattern covers it fully): infeasible. Block 1: one pattern, 3 heads needed,
    # paid 4 h: LP optimum 3 heads, 12 h. The warm model then still re-solves block 1.
    bad = Block.from_matrix(
        sparse.csr_array(np.array([[1.0, 1.0]])),
        np.array([2.0]),
        np.array([2.0]),
        np.array([4.0, 4.0]),
        np.array([0, 0]),
    )
    good = Block.from_matrix(
        sparse.csr_array(np.array([[1.0]])),
        np.array([3.0]),
        np.array([3.0]),
        np.array([4.0]),
        np.array([1]),
    )
    bad_model = BlockModel(
        np.zeros(2),
        np.full(2, np.inf),
        sparse.csr_array(np.ones((1, 2))),
        np.array([0.0]),
        np.array([1.0]),
    )
    for lp in (
        HighsRelaxations([bad, good], [bad_model, free_model(1)]),
        ScipyRelaxations([bad, good], [bad_model, free_model(1)]),
    ):
        (x_bad, infeasible_bad), (x_good, infeasible_good) = lp.optima()
        assert x_bad is None and infeasible_bad
        assert x_good is not None and not infeasible_good and x_good.tolist() == [3.0]
        (above,) = lp.above([1], [np.array([5.0])])
        assert above is not None and above.tolist() == [5.0]


@pytest.mark.parametrize("seed", range(3))
def test_a_week_has_the_same_paid_hours_by_either_engine(seed):
    # Seven days of day blocks (the benchmark's case, smaller): both engines prove an
    # optimum (gap 0) and so must agree on the paid hours; heads may differ where several
    # schedules are optimal.
    blocks = [_day_block(100 * seed + day) for day in range(7)]
    a = sparse.block_diag([b.a for b in blocks], format="csc")
    required = np.concatenate([b.req for b in blocks])
    cost = np.concatenate([b.cost for b in blocks])
    by = {e: solve_coverage(required, a, cost, engine=e) for e in ("highspy", "scipy")}
    assert by["highspy"].paid_hours == pytest.approx(by["scipy"].paid_hours, abs=1e-9)
    assert by["highspy"].mip_gap == by["scipy"].mip_gap == 0.0
    assert not by["highspy"].shortfall.any()


def test_auto_takes_scipy_without_highspy_and_highspy_alone_says_it_is_missing(monkeypatch):
    block = _day_block(0)
    monkeypatch.setattr(relaxations_module, "highspy_available", lambda: False)
    assert isinstance(relaxations([block], [free_model(block.cost.size)]), ScipyRelaxations)
    monkeypatch.setitem(__import__("sys").modules, "highspy", None)  # as if not installed
    with pytest.raises(ImportError):
        relaxations([block], [free_model(block.cost.size)], "highspy")
    with pytest.raises(ValueError, match="engine"):
        relaxations([block], [free_model(block.cost.size)], "glpk")  # type: ignore[arg-type]
