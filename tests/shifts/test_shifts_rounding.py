"""Roundings of LP optima (staffing.shifts.rounding) and the blocks' column arrays.

``drop_redundant`` takes the patterns once each, dearest first; it must remove exactly the
heads that the loop it replaced removed (recompute every pattern's spare heads, drop the
dearest pattern that has some, repeat), written out below as the reference. Its result is
also checked by brute force: it still covers the block, and no single head of it can go.
``repair`` must return a covering schedule that keeps every head it was given. The column
arrays of a block (``Columns``) are compared with scipy.sparse's own conversions.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from staffing.shifts.blocks import Block, Columns, joint_columns
from staffing.shifts.rounding import drop_redundant, repair, rounding_at_bound


def _reference_drop(a: np.ndarray, req: np.ndarray, cost: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The former loop: all spares recomputed, the dearest pattern that can spare heads
    (the first on a tie) loses them all, until no pattern can spare any."""
    y = y.copy()
    y[(a > 0).sum(axis=0) == 0] = 0
    slack = a @ y - req
    while True:
        spare = np.zeros(y.size)
        for p in np.flatnonzero(y > 0):
            rows = np.flatnonzero(a[:, p] > 0)
            spare[p] = min(y[p], np.floor(np.min(slack[rows] / a[rows, p]) + 1e-9))
        if not (spare > 0).any():
            return y
        p = int(np.argmax(np.where(spare > 0, cost, -1.0)))
        slack -= spare[p] * a[:, p]
        y[p] -= spare[p]


def _random_block(rng: np.random.Generator, halves: bool) -> Block:
    """Runs of ones (or of halves and ones) over a few rows, a whole requirement, paid
    hours 4 or 8 (ties on purpose) and some columns that cover nothing."""
    n_rows, n_cols = int(rng.integers(3, 15)), int(rng.integers(2, 25))
    a = np.zeros((n_rows, n_cols))
    for p in range(n_cols):
        if rng.random() < 0.1:
            continue  # covers nothing
        first = int(rng.integers(0, n_rows))
        last = int(rng.integers(first, n_rows))
        a[first : last + 1, p] = 1.0
        if halves and rng.random() < 0.5:
            a[first, p] = 0.5
    covered = a.sum(axis=1) > 0
    a = a[covered]
    req = rng.integers(0, 6, a.shape[0]).astype(float)
    cost = rng.choice([4.0, 8.0], n_cols)
    return Block.from_matrix(a, req, req, cost, np.arange(n_cols))


@pytest.mark.parametrize("halves", [False, True])
def test_drop_redundant_removes_the_same_heads_as_the_former_loop(halves):
    rng = np.random.default_rng(7 if halves else 3)
    checked = 0
    for _ in range(400):
        block = _random_block(rng, halves)
        a = block.a.toarray()
        y = rng.integers(0, 4, block.cost.size).astype(float)
        if (a @ y < block.req_whole).any():
            continue  # drop_redundant starts from a covering schedule
        expected = _reference_drop(a, block.req_whole, block.cost, y)
        got = drop_redundant(block, y.copy())
        assert got.tolist() == expected.tolist()
        # brute force: still covering, and no single head can go
        assert (a @ got >= block.req_whole - 1e-9).all()
        for p in np.flatnonzero(got > 0):
            fewer = got.copy()
            fewer[p] -= 1
            assert (a @ fewer < block.req_whole - 1e-9).any()
        checked += 1
    assert checked > 100


def test_repair_covers_the_block_and_keeps_the_heads_it_was_given():
    rng = np.random.default_rng(11)
    for _ in range(200):
        block = _random_block(rng, halves=True)
        a = block.a.toarray()
        start = rng.integers(0, 2, block.cost.size).astype(float)
        got = repair(block, start.copy())
        assert got is not None
        assert (a @ got >= block.req_whole - 1e-9).all()
        assert (got >= start).all()


def test_rounding_at_bound_accepts_only_what_reaches_the_bound():
    # One row needing 3 heads; two patterns cover it fully, paid 4 h and 8 h. From the LP
    # value z = (2.5, 0), ceil gives 3 heads of the first pattern, 12 h, none redundant:
    # accepted at a bound of 12 h; at 11 h no schedule can reach it (3 heads cost >= 12 h).
    block = Block.from_matrix(
        np.array([[1.0, 1.0]]), np.array([3.0]), np.array([3.0]), np.array([4.0, 8.0]), [0, 1]
    )
    z = np.array([2.5, 0.0])
    got = rounding_at_bound(block, np.zeros(2), z, 12.0)
    assert got is not None and got.tolist() == [3.0, 0.0]
    assert rounding_at_bound(block, np.zeros(2), z, 11.0) is None


def test_columns_match_scipy_and_reverse_and_join():
    rng = np.random.default_rng(5)
    mats = [
        sparse.random_array((int(rng.integers(1, 9)), 7), density=0.4, rng=rng) for _ in range(3)
    ]
    parts = [Columns.of(m) for m in mats]
    for m, cols in zip(mats, parts, strict=True):
        csc = sparse.csc_array(m)
        csc.sort_indices()
        assert cols.ptr.tolist() == csc.indptr.tolist()
        assert cols.rows.tolist() == csc.indices.tolist()
        assert cols.share.tolist() == csc.data.tolist()
        back = cols.reversed()
        dense = sparse.csc_array((back.share, back.rows, back.ptr), shape=m.shape).toarray()
        assert np.array_equal(dense, m.toarray()[:, ::-1])
    joint = joint_columns(parts)
    dense = sparse.csc_array(
        (joint.share, joint.rows, joint.ptr), shape=(joint.n_rows, joint.ptr.size - 1)
    ).toarray()
    assert np.array_equal(dense, sparse.block_diag(mats).toarray())


def test_a_block_covers_by_its_dense_copy_and_by_its_columns_alike():
    rng = np.random.default_rng(9)
    small = _random_block(rng, halves=True)
    # 600 x 500 = 300,000 cells: above the size kept as a dense copy
    a = sparse.random_array((600, 500), density=0.02, rng=rng, format="csr")
    large = Block.from_matrix(a, np.ones(600), np.ones(600), np.ones(500), np.arange(500))
    for block in (small, large):
        y = rng.integers(0, 5, block.cost.size).astype(float)
        assert block.cover(y) == pytest.approx(block.a.toarray() @ y)
