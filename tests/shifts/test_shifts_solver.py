"""The coverage MILP (staffing.shifts.solver) on instances whose optimum is known.

Every expected optimum below is derived in its comment: a lower bound (each paid hour of a
head covers at most one head-hour of requirement, so paid hours >= the required head-hours)
met by a schedule written out by hand, or a brute-force enumeration of every whole-heads
vector (independent of HiGHS: numpy only).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from staffing.shifts.patterns import pattern_coverage
from staffing.shifts.solver import solve_coverage

# ---------------------------------------------------------------------------
# Known optima
# ---------------------------------------------------------------------------


def test_staircase_is_covered_exactly_at_the_lower_bound():
    # Requirement 1, 1, 2, 2, 1, 1 heads over six hours = 8 head-hours, so paid >= 8 h.
    # Starts at hours 0 and 2 of a 4-hour shift give exactly 1, 1, 2, 2, 1, 1: 8 h, optimal.
    a = pattern_coverage([0, 60, 120], 240, 0, 0, interval_minutes=60, n_intervals=6, wrap=False)
    sol = solve_coverage([1, 1, 2, 2, 1, 1], a, 4.0)
    assert sol.paid_hours == 8.0
    np.testing.assert_array_equal(sol.heads, [1, 0, 1])
    assert sol.mip_gap == 0.0 and sol.status == "optimal"
    assert not sol.shortfall.any()


def _break_instance(offsets_h: list[int]):
    # One 5-hour shift starting at hour 0 with a 1-hour unpaid break at each allowed offset.
    offsets = np.array(offsets_h) * 60
    a = pattern_coverage(0, 300, offsets, 60, interval_minutes=60, n_intervals=5, wrap=False)
    return a, np.zeros(len(offsets), dtype=int)


def test_break_window_decides_between_one_and_two_heads():
    # Requirement: 1 head in hours 1..4, none in hour 0. Each head works 4 of its 5 hours
    # and is paid 4 h.
    required = [0, 1, 1, 1, 1]
    # Window 0..3 h: a break in hour 0 leaves hours 1..4 covered by one head: 4 h, and
    # 4 h is the lower bound (4 head-hours required).
    a, group = _break_instance([0, 1, 2, 3])
    sol = solve_coverage(required, a, 4.0, start_group=group)
    assert sol.paid_hours == 4.0
    np.testing.assert_array_equal(sol.heads, [1, 0, 0, 0])
    # Window 1..3 h: any single head's break falls in a required hour, so one head leaves a
    # gap and two are needed (8 h); two heads with breaks in different hours cover all.
    a, group = _break_instance([1, 2, 3])
    sol = solve_coverage(required, a, 4.0, start_group=group)
    assert sol.paid_hours == 8.0
    assert sol.heads.sum() == 2 and sol.heads.max() == 1  # staggered breaks
    assert not sol.shortfall.any() and sol.mip_gap == 0.0


def test_infeasible_in_places_covers_the_rest_and_lists_the_gaps():
    # Hours 0..5. Patterns: 4-hour shifts starting at hours 1 and 2, at most 1 head each.
    # Hour 0 is reached by no pattern (uncoverable). Hour 3 needs 3 heads but at most 2
    # can be there, so 1 head short. Least shortfall: 1 head in hour 0 + 1 in hour 3 = 2,
    # reached only with both starts at 1 head (any fewer heads adds shortfall in hour 3),
    # so paid = 2 × 4 h = 8 h.
    a = pattern_coverage([60, 120], 240, 0, 0, interval_minutes=60, n_intervals=6, wrap=False)
    sol = solve_coverage([1, 1, 1, 3, 1, 1], a, 4.0, max_heads=1)
    np.testing.assert_array_equal(sol.heads, [1, 1])
    np.testing.assert_array_equal(sol.uncoverable, [True, False, False, False, False, False])
    np.testing.assert_array_equal(sol.shortfall, [1, 0, 0, 1, 0, 0])
    assert sol.paid_hours == 8.0 and sol.relaxed_blocks == 1 and sol.mip_gap == 0.0


def test_fractional_requirement_needs_whole_heads_and_float_noise_is_not_a_head():
    a = pattern_coverage(0, 120, 0, 0, interval_minutes=60, n_intervals=2, wrap=False)
    # 2.3 heads needed: whole heads with share 1, so 3 (6 paid hours)
    assert solve_coverage([2.3, 0.0], a, 2.0).heads.tolist() == [3]
    # 7 agents / (1 - 0.3) is 10.000000000000002 in floating point: that is 10 heads
    assert solve_coverage([7 / (1 - 0.3), 0.0], a, 2.0).heads.tolist() == [10]


def test_min_heads_forces_a_start_without_requirement_and_max_heads_caps_it():
    a = pattern_coverage([0, 120], 120, 0, 0, interval_minutes=60, n_intervals=4, wrap=False)
    # nothing required, but start 1 must have 2 heads: 2 × 2 h paid
    sol = solve_coverage([0, 0, 0, 0], a, 2.0, min_heads=[0, 2])
    assert sol.heads.tolist() == [0, 2] and sol.paid_hours == 4.0
    # 3 heads needed in hours 0-1, at most 2 at start 0 (the only start there): 1 short
    sol = solve_coverage([3, 3, 0, 0], a, 2.0, max_heads=[2, np.inf])
    assert sol.heads.tolist() == [2, 0] and sol.shortfall.tolist() == [1, 1, 0, 0]


def test_a_week_of_day_shifts_splits_into_one_block_per_day_solved_once():
    # 7 days × 24 hourly intervals, a requirement of 2 heads 9-17 each day, 8-hour shifts
    # starting 9:00 each day: 2 heads × 8 h × 7 days = 112 h (the lower bound: 112 head-hours).
    # The seven day blocks are identical: one is solved, six reuse its answer.
    starts = np.arange(7) * 1440 + 9 * 60
    a = pattern_coverage(starts, 480, 0, 0, interval_minutes=60, n_intervals=168)
    required = np.tile(np.where((np.arange(24) >= 9) & (np.arange(24) < 17), 2.0, 0.0), 7)
    sol = solve_coverage(required, a, 8.0)
    assert sol.paid_hours == 112.0
    assert (sol.blocks, sol.reused_blocks) == (1, 6)
    # a different Sunday makes a second distinct block
    required[-24 + 9] = 3
    sol = solve_coverage(required, a, 8.0)
    assert (sol.blocks, sol.reused_blocks, sol.paid_hours) == (2, 5, 120.0)


def test_bad_inputs_are_refused():
    a = pattern_coverage(0, 120, 0, 0, interval_minutes=60, n_intervals=2)
    with pytest.raises(ValueError, match="required has 3 intervals"):
        solve_coverage([1, 1, 1], a, 2.0)
    with pytest.raises(ValueError, match="finite and >= 0"):
        solve_coverage([1, -1], a, 2.0)
    with pytest.raises(ValueError, match="min_heads"):
        solve_coverage([1, 1], a, 2.0, min_heads=3, max_heads=2)


# ---------------------------------------------------------------------------
# Brute force
# ---------------------------------------------------------------------------


def _brute_force(required, a, cost, group, g_max, top):
    """Least total shortfall, then fewest paid hours, over every heads vector 0..top."""
    best = None
    for y in itertools.product(range(top + 1), repeat=a.shape[1]):
        y = np.array(y)
        per_start = np.bincount(group, weights=y, minlength=len(g_max))
        if (per_start > g_max).any():
            continue
        short = np.maximum(required - a @ y, 0).sum()
        key = (round(short, 9), round(float(cost @ y), 9))
        if best is None or key < best:
            best = key
    return best


@pytest.mark.parametrize("engine", ["highspy", "scipy"])
@pytest.mark.parametrize("seed", range(12))
def test_milp_agrees_with_brute_force_on_small_instances(seed, engine):
    # Random small instances: 8 hourly intervals, two templates (3 h without a break; 4 h
    # with a 1-hour break after 1 or 2 h), a few starts, requirements 0..2, and on odd
    # seeds at most 1 head per start (which makes some instances infeasible in places).
    # With whole shares a pattern never needs more heads than the largest requirement, so
    # enumerating 0..max(required) heads per pattern is exhaustive. Both LP engines.
    if engine == "highspy":
        pytest.importorskip("highspy")
    rng = np.random.default_rng(seed)
    n_t = 8
    starts_a = rng.choice(np.arange(0, 6), size=2, replace=False) * 60
    starts_b = rng.choice(np.arange(0, 5), size=1, replace=False) * 60
    start = np.concatenate([starts_a, np.repeat(starts_b, 2)])
    length = np.array([180, 180, 240, 240])
    brk = np.array([0, 0, 60, 120])
    brk_len = np.array([0, 0, 60, 60])
    group = np.array([0, 1, 2, 2])
    cost = (length - brk_len) / 60.0
    a = pattern_coverage(
        start, length, brk, brk_len, interval_minutes=60, n_intervals=n_t, wrap=False
    )
    required = rng.integers(0, 3, n_t).astype(float)
    g_max = np.array([1.0, 1.0, 1.0]) if seed % 2 else np.full(3, np.inf)
    sol = solve_coverage(
        required,
        a,
        cost,
        start_group=group,
        max_heads=np.where(np.isinf(g_max), np.inf, g_max),
        engine=engine,
    )
    top = int(required.max())
    expected = _brute_force(required, a.toarray(), cost, group, g_max, top)
    got = (round(float(sol.shortfall.sum()), 9), round(sol.paid_hours, 9))
    assert got == expected
    assert sol.mip_gap == 0.0 and sol.status == "optimal"
