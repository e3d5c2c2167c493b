"""The block arrays the LP engines are built from (staffing.shifts.blocks), against scipy.

Rules: ``block_diagonal`` is ``scipy.sparse.block_diag`` of its parts (the same entries
and the same shape, empty trailing rows and columns of the last part included);
``rows_and_columns`` keeps the given rows and exactly the columns they touch, in order;
``Block.reversed`` is the same block with its patterns in reverse order, every per-pattern
array (coverage columns, paid hours, start) reversed together and the per-row arrays kept.
Expected matrices come from scipy.sparse and numpy slicing of the dense matrix.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from staffing.shifts.blocks import Block, Columns, block_diagonal, rows_and_columns


def _random_csr(rng: np.random.Generator, n_r: int, n_c: int, empty_last: bool) -> sparse.csr_array:
    """A sparse matrix of ones and halves, about 40 % filled; its last row and column
    empty, or its last row with an entry in every column."""
    dense = np.where(rng.random((n_r, n_c)) < 0.4, rng.choice([0.5, 1.0], (n_r, n_c)), 0.0)
    dense[-1, :] = 0.0 if empty_last else 1.0
    if empty_last:
        dense[:, -1] = 0.0
    return sparse.csr_array(dense)


@pytest.mark.parametrize("seed", range(3))
def test_block_diagonal_is_scipys_block_diag(seed):
    """Rule: the parts on the diagonal, in order, the rest zero; the shape is the sum of
    the parts' shapes even where the last part ends with an empty row and column."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 6, (3, 2))
    parts = [_random_csr(rng, int(r), int(c), k == 2) for k, (r, c) in enumerate(sizes)]
    got = block_diagonal(parts)
    want = sparse.block_diag(parts, format="csr")
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.toarray(), want.toarray())
    # the shape adds up: the last part's empty last row and column are in it
    assert got.shape == (sum(p.shape[0] for p in parts), sum(p.shape[1] for p in parts))


@pytest.mark.parametrize("seed", range(3))
def test_rows_and_columns_keeps_the_rows_and_the_columns_they_touch(seed):
    """Rule: (the rows asked for, restricted to the columns with an entry in them; those
    columns, increasing)."""
    rng = np.random.default_rng(10 + seed)
    a = _random_csr(rng, 8, 9, empty_last=False)
    rows = np.sort(rng.choice(8, size=4, replace=False))
    got, used = rows_and_columns(a, rows)
    dense = a.toarray()[rows]
    want_used = np.flatnonzero((dense != 0).any(axis=0))
    np.testing.assert_array_equal(used, want_used)
    np.testing.assert_array_equal(got.toarray(), dense[:, want_used])


def test_a_reversed_block_reverses_every_per_pattern_array_together():
    """Rule: pattern j of the reversed block is pattern n - 1 - j of the block: its
    coverage column, paid hours and start; the requirement (per row) is unchanged."""
    rng = np.random.default_rng(3)
    a = _random_csr(rng, 5, 7, empty_last=True).toarray()
    req = np.array([1.0, 2.5, 0.0, 3.0, 1.0])
    req_whole = np.array([1.0, 3.0, 0.0, 3.0, 1.0])
    cost = np.arange(7) * 0.5 + 4.0
    group = np.array([0, 0, 1, 2, 2, 2, 3])
    back = Block.from_matrix(sparse.csr_array(a), req, req_whole, cost, group).reversed()
    want = Columns.of(a[:, ::-1])
    for got_part, want_part in zip(back.cols[:3], want[:3], strict=True):
        np.testing.assert_array_equal(got_part, want_part)
    assert back.cols.n_rows == 5
    np.testing.assert_array_equal(back.a.toarray(), a[:, ::-1])
    np.testing.assert_array_equal(back.cost, cost[::-1])
    np.testing.assert_array_equal(back.group, group[::-1])
    np.testing.assert_array_equal(back.req, req)
    np.testing.assert_array_equal(back.req_whole, req_whole)


def test_a_blocks_model_has_a_row_per_limited_start_of_several_patterns():
    """Rule (BlockModel): a start of one pattern limits that pattern by its bounds; a
    start of several patterns gets one row summing them, only when it is limited (fewest
    heads above 0 or a most); an unlimited start of several has no row. Starts here
    (global 5-8): 5 has patterns 0-1, at least 1 head; 6 has pattern 2, at most 3; 7 has
    patterns 3-4, no limit; 8 has patterns 5-6, at most 2."""
    a = np.eye(7)
    group = np.array([5, 5, 6, 7, 7, 8, 8])
    g_min = np.array([0, 0, 0, 0, 0, 1.0, 0, 0, 0])
    g_max = np.array([np.inf] * 5 + [np.inf, 3.0, np.inf, 2.0])
    block = Block.from_matrix(sparse.csr_array(a), np.ones(7), np.ones(7), np.ones(7), group)
    lo, hi, rows_g, g_lo, g_hi = block.model(g_min, g_max)
    np.testing.assert_array_equal(lo, np.zeros(7))
    np.testing.assert_array_equal(hi, [np.inf, np.inf, 3.0, np.inf, np.inf, np.inf, np.inf])
    assert rows_g is not None and g_lo is not None and g_hi is not None
    np.testing.assert_array_equal(rows_g.toarray(), [[1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1, 1]])
    np.testing.assert_array_equal(g_lo, [1.0, 0.0])
    np.testing.assert_array_equal(g_hi, [np.inf, 2.0])
