"""The highspy engine: chosen when installed, silent, and still usable after a block fails.

Rules (``staffing.shifts.relaxations``, ``docs/shifts.md`` "LP first"): ``engine="auto"``
takes highspy when it is installed; the engine prints nothing (HiGHS's banner and log
would land in a planner's terminal or notebook); when the joint LP fails, each block is
solved alone to tell which failed, and the rows of the failed blocks are freed in the joint
model so that :meth:`HighsRelaxations.above` still answers for the blocks without limits.

The instance, by hand (paid hours in brackets; "a|b" covers rows a and b):

- block 0, L (limited): rows need (2, 2); patterns 0 [1 h], 1 [1 h], 0|1 [1.5 h], all of
  one start with at most 10 heads (a start row). LP optimum (0, 0, 2), 3 h: the pattern of
  both rows costs 0.75 h per row covered, a single one 1 h;
- block 1, U1 (no limits): rows need (1, 2), the same three patterns, each its own start.
  With a heads on 0|1 the singles make up the rest: 3 - 0.5 a for a <= 1, 2 + 0.5 a
  above, so (0, 1, 1) at 2.5 h is the one optimum;
- block 2, B: one row needing 3 heads, two patterns covering it (1 h each), of one start
  with at most 1 head (a start row): infeasible, and only freeing its rows (not its
  columns' bounds, which are none) makes the joint model feasible again;
- block 3, U2 (no limits): rows need (2, 1): by symmetry (1, 0, 1) at 2.5 h.

The joint LP is infeasible (B). Above floors, the optima of U1 and U2 by hand: a floor of
one head on pattern 0 of U1 covers row 0 and leaves row 1 two short, so (1, 2, 0) at 3 h
is x >= floor's optimum (with row 0 covered, a 1.5 h head on 0|1 buys no more than a 1 h
single); a zero floor gives the LP optimum again.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import sparse

from staffing.shifts.blocks import Block, free_model
from staffing.shifts.lp_first import solve_blocks
from staffing.shifts.relaxations import HighsRelaxations, highspy_available, relaxations

pytest.importorskip("highspy")

TWO_ROWS = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
PAID = np.array([1.0, 1.0, 1.5])
G_MIN = np.zeros(8)
G_MAX = np.array([10.0, np.inf, np.inf, np.inf, 1.0, np.inf, np.inf, np.inf])


def _block(a: np.ndarray, req: list[float], cost: np.ndarray, starts: list[int]) -> Block:
    r = np.array(req)
    return Block.from_matrix(sparse.csr_array(a), r, r, cost, np.array(starts, dtype=np.int64))


def _blocks() -> list[Block]:
    return [
        _block(TWO_ROWS, [2.0, 2.0], PAID, [0, 0, 0]),  # L
        _block(TWO_ROWS, [1.0, 2.0], PAID, [1, 2, 3]),  # U1
        _block(np.array([[1.0, 1.0]]), [3.0], np.array([1.0, 1.0]), [4, 4]),  # B
        _block(TWO_ROWS, [2.0, 1.0], PAID, [5, 6, 7]),  # U2
    ]


def test_auto_takes_highspy_when_it_is_installed():
    """Rule: highspy_available() says whether highspy is installed (it is here), and the
    "auto" engine is then the highspy one."""
    assert highspy_available() is True
    block = _blocks()[1]
    assert isinstance(relaxations([block], [free_model(3)], "auto"), HighsRelaxations)


def test_solve_blocks_takes_the_auto_engine_by_default():
    """Rule: solve_blocks' engine defaults to "auto" (a valid engine): block U1 alone, no
    limits, gives its whole LP optimum (0, 1, 1) at 2.5 h, an "lp" answer."""
    (got,) = solve_blocks([_blocks()[1]], G_MIN, np.full(8, np.inf), 0.0, 60.0, 0.0)
    assert got.heads.tolist() == [0, 1, 1] and got.method == "lp"
    assert got.bound == 2.5


SOLVE = (
    "import numpy as np; from scipy import sparse; "
    "from staffing.shifts.blocks import Block, free_model; "
    "from staffing.shifts.relaxations import relaxations; "
    "r = np.array([1.0, 2.0]); "
    "a = sparse.csr_array(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])); "
    "b = Block.from_matrix(a, r, r, np.array([1.0, 1.0, 1.5]), np.arange(3)); "
    "(x, _), = relaxations([b], [free_model(3)], 'highspy').optima(); "
    "assert x is not None"
)


def test_the_engine_prints_nothing_in_a_fresh_process(capfd):
    """Rule: solving with the highspy engine prints nothing on stdout or stderr. HiGHS
    prints its banner once per process, at the first ``highspy.Highs()``: a fresh Python
    process is the only place where that first time can be seen. The same solve in this
    process first (nothing printed here either; it also lets mutmut, which records only
    what a test calls in its own process, route the engine's mutants to this test)."""
    exec(SOLVE, {})
    assert capfd.readouterr() == ("", "")
    done = subprocess.run(
        [sys.executable, "-c", SOLVE], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_failed_block_leaves_the_others_solvable_above_floors(capfd):
    """Rule: with one block infeasible, optima() gives every other block its own LP
    optimum and the failed one None and "infeasible"; the failed block's rows are freed,
    so above() then answers for the blocks without limits, before and after it (expected
    values by hand in the module docstring). Nothing is printed on the way."""
    blocks = _blocks()
    models = [b.model(G_MIN, G_MAX) for b in blocks]
    # L and B have their start rows, as the docstring says
    assert models[0].rows_g is not None and models[2].rows_g is not None
    lp = HighsRelaxations(blocks, models)
    got = lp.optima()
    assert [(x is None, infeasible) for x, infeasible in got] == [
        (False, False),
        (False, False),
        (True, True),
        (False, False),
    ]
    for (x, _), want in zip(got, [(0, 0, 2), (0, 1, 1), None, (1, 0, 1)], strict=True):
        if want is not None:
            assert x is not None
            np.testing.assert_allclose(x, want, atol=1e-9)
    above = lp.above([1, 3], [np.array([1.0, 0.0, 0.0]), np.zeros(3)])
    assert all(x is not None for x in above)
    np.testing.assert_allclose(above[0], [1.0, 2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(above[1], [1.0, 0.0, 1.0], atol=1e-9)
    # a dive done with the others keeps U2 only: its answer is the same
    lp.retain([3])
    (only,) = lp.above([3], [np.array([0.0, 0.0, 1.0])])
    assert only is not None
    np.testing.assert_allclose(only, [1.0, 0.0, 1.0], atol=1e-9)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
