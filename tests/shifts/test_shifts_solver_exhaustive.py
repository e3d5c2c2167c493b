"""The coverage solver against an exhaustive enumeration, and the figures it reports.

Rule (``solve_coverage``, ``docs/shifts.md``): the schedule has the least total shortfall
the per-start limits allow and, among those, the fewest paid hours; ``working`` is
``coverage @ heads``, ``shortfall`` is ``max(required - working, 0)`` per interval (float
noise below 1e-6 heads is no shortfall), ``paid_hours`` is ``paid @ heads``, intervals with
a requirement that no pattern reaches are ``uncoverable``, and the proven bound never
exceeds the paid hours. The expected optimum of every instance is found here by trying
every whole-heads vector (numpy only, independent of HiGHS).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from staffing.shifts.patterns import pattern_coverage
from staffing.shifts.solver import solve_coverage


def _exhaustive(required, a, cost, group, g_min, g_max, top):
    """(least shortfall, fewest paid hours at it) over every heads vector 0..top."""
    ys = np.array(list(itertools.product(range(top + 1), repeat=a.shape[1])), dtype=float)
    per_start = np.stack([ys[:, group == g].sum(axis=1) for g in range(g_min.size)], axis=1)
    ok = ((per_start >= g_min) & (per_start <= g_max)).all(axis=1)
    ys = ys[ok]
    short = np.maximum(required[None, :] - ys @ a.T, 0.0)
    short[short < 1e-6] = 0.0
    short_total = np.round(short.sum(axis=1), 9)
    least = short_total.min()
    paid = np.round(ys @ cost, 9)
    return least, paid[short_total == least].min()


def _instance(seed: int):
    """A small random programme: fractional shares, a start with two break offsets, limits."""
    rng = np.random.default_rng(1000 + seed)
    n_t = 6
    # two 3-hour shifts on half-hour starts (shares of 0.5 at their ends), one 4-hour shift
    # with a 30-minute break after 1 or 2 hours (two patterns of one start)
    starts_a = rng.choice(np.arange(0, 8), size=2, replace=False) * 30.0
    start_b = float(rng.integers(0, 3) * 60)
    start = np.array([*starts_a, start_b, start_b])
    length = np.array([180.0, 180.0, 240.0, 240.0])
    brk = np.array([0.0, 0.0, 60.0, 120.0])
    brk_len = np.array([0.0, 0.0, 30.0, 30.0])
    group = np.array([0, 1, 2, 2])
    cost = (length - brk_len) / 60.0
    wrap = bool(seed % 3 == 0)
    a = pattern_coverage(
        start, length, brk, brk_len, interval_minutes=60, n_intervals=n_t, wrap=wrap
    )
    required = rng.choice([0.0, 0.5, 1.0, 1.5, 2.0], size=n_t)
    g_min = np.where(rng.random(3) < 0.3, 1.0, 0.0) if seed % 2 else np.zeros(3)
    g_max = rng.choice([1.0, 2.0, np.inf], size=3) if seed % 4 in (1, 2) else np.full(3, np.inf)
    g_max = np.maximum(g_max, g_min)
    return required, a, cost, group, g_min, g_max


@pytest.mark.parametrize("seed", range(24))
def test_the_schedule_is_the_least_shortfall_then_the_fewest_paid_hours(seed):
    """Rule: least total shortfall under the limits, then fewest paid hours; the reported
    working heads, shortfall, paid hours, bound and uncoverable intervals follow from the
    heads chosen."""
    required, a, cost, group, g_min, g_max = _instance(seed)
    sol = solve_coverage(required, a, cost, start_group=group, min_heads=g_min, max_heads=g_max)
    dense = a.toarray()
    # shares are 0.5 or 1 and at most 2 heads are needed: 4 heads per pattern are enough
    expected = _exhaustive(required, dense, cost, group, g_min, g_max, top=4)
    assert (round(float(sol.shortfall.sum()), 9), round(sol.paid_hours, 9)) == expected
    np.testing.assert_allclose(sol.working, dense @ sol.heads)
    np.testing.assert_allclose(sol.shortfall, np.maximum(required - dense @ sol.heads, 0))
    assert sol.paid_hours == pytest.approx(float(cost @ sol.heads))
    per_start = np.bincount(group, weights=sol.heads, minlength=3)
    assert (per_start >= g_min).all() and (per_start <= g_max).all()
    np.testing.assert_array_equal(sol.uncoverable, (required > 0) & (dense.sum(axis=1) == 0))
    assert sol.dual_bound <= sol.paid_hours + 1e-9
    assert sol.mip_gap == 0.0 and sol.status == "optimal"
    assert sol.heads.dtype == np.int64


def test_float_noise_below_a_millionth_of_a_head_is_no_shortfall():
    """Rule: a shortfall under 1e-6 heads is float noise, reported as 0."""
    # a 9-minute pattern covers 0.15 of an hour; 0.45 heads needed: 3 heads, whose
    # coverage 3 × 0.15 is 0.44999999999999996 in floating point, just under 0.45
    a = pattern_coverage(51, 9, 0, 0, interval_minutes=60, n_intervals=1, wrap=False)
    sol = solve_coverage([0.45], a, 0.15)
    assert sol.heads.tolist() == [3] and sol.working[0] < 0.45
    assert sol.shortfall.tolist() == [0.0]


def test_requirements_are_rounded_to_six_decimals_before_solving():
    """Rule: a requirement is rounded to 6 decimals before solving (7 / (1 - 0.3) is 10
    heads), and more than that is a real need."""
    a = pattern_coverage(0, 60, 0, 0, interval_minutes=60, n_intervals=1, wrap=False)
    assert solve_coverage([1.0000004], a, 1.0).heads.tolist() == [1]
    assert solve_coverage([1.000002], a, 1.0).heads.tolist() == [2]
    # with a share of one half the row is not whole (no rounding up to whole heads):
    # 0.5000004 rounds to 0.5, which 1 head covers; 0.500001 needs 2
    half = pattern_coverage(30, 30, 0, 0, interval_minutes=60, n_intervals=1, wrap=False)
    assert solve_coverage([0.5000004], half, 0.5).heads.tolist() == [1]
    assert solve_coverage([0.500001], half, 0.5).heads.tolist() == [2]


def _two_days(cost_day_2, *, max_day_2=np.inf, required_day_2=(1, 1)):
    """Two identical days of two hourly intervals, each with two 2-hour patterns that cover
    both intervals; day 1 costs 2 h and 3 h (the first is cheaper)."""
    start = np.array([0.0, 0.0, 120.0, 120.0])
    a = pattern_coverage(start, 120, 0, 0, interval_minutes=60, n_intervals=4, wrap=False)
    cost = np.array([2.0, 3.0, *cost_day_2])
    return solve_coverage(
        [1, 1, *required_day_2],
        a,
        cost,
        max_heads=[np.inf, np.inf, max_day_2, np.inf],
    )


def test_a_day_is_reused_only_when_its_whole_programme_is_the_same():
    """Rule: a block's answer is reused only for a block with the same requirement,
    coverage, paid hours and limits; any difference is solved on its own."""
    same = _two_days([2.0, 3.0])
    assert (same.blocks, same.reused_blocks, same.paid_hours) == (1, 1, 4.0)
    assert same.heads.tolist() == [1, 0, 1, 0]
    # day 2's cheaper pattern is the second: reusing day 1's answer would pay 3 h for it
    swapped = _two_days([3.0, 2.0])
    assert (swapped.blocks, swapped.reused_blocks, swapped.paid_hours) == (2, 0, 4.0)
    assert swapped.heads.tolist() == [1, 0, 0, 1]
    # day 2's cheaper pattern may have no head: its dearer one (3 h) is needed
    limited = _two_days([2.0, 3.0], max_day_2=0)
    assert (limited.blocks, limited.paid_hours) == (2, 5.0)
    assert limited.heads.tolist() == [1, 0, 0, 1]
    # day 2 needs 2 heads in its first hour: 2 heads there
    busier = _two_days([2.0, 3.0], required_day_2=(2, 1))
    assert (busier.blocks, busier.paid_hours) == (2, 6.0)
    assert busier.heads.tolist() == [1, 0, 2, 0]


def test_patterns_of_one_start_share_its_limits():
    """Rule: ``max_heads`` and ``min_heads`` limit the heads of a start over all its break
    offsets together."""
    # one 3-hour start with a 1-hour break after 1 h or after 2 h (two patterns, one start):
    # hours 0, 2 and hours 0, 1 at work. 2 heads needed in hour 0, 1 in hours 1 and 2.
    a = pattern_coverage(0, 180, [60, 120], 60, interval_minutes=60, n_intervals=3, wrap=False)
    sol = solve_coverage([2, 1, 1], a, 2.0, start_group=[0, 0])
    assert sol.heads.tolist() == [1, 1] and sol.paid_hours == 4.0
    # at most 1 head for the start: one break offset only, hour 0 one head short and the
    # hour its break falls in short too: least shortfall 2 (either offset), 2 paid hours
    capped = solve_coverage([2, 1, 1], a, 2.0, start_group=[0, 0], max_heads=1)
    assert capped.heads.sum() == 1 and capped.paid_hours == 2.0
    assert capped.shortfall.sum() == 2.0 and capped.relaxed_blocks == 1
    # at least 3 heads for the start, though 2 cover it: 3 heads, 6 paid hours
    forced = solve_coverage([2, 1, 1], a, 2.0, start_group=[0, 0], min_heads=3)
    assert forced.heads.sum() == 3 and forced.paid_hours == 6.0
    assert not forced.shortfall.any()


def test_the_least_shortfall_is_measured_in_real_heads():
    """Rule: when the limits make full coverage impossible, the least total shortfall is
    measured against the unrounded requirement in real heads (0.5 short is 0.5, not 1),
    and then the fewest paid hours among the schedules with that shortfall."""
    # Two patterns of one start (at most 2 heads together): P0 covers hour 0 (1 h paid),
    # P1 hours 0 and 1 (2 h paid). Required 2.5 heads in hour 0 and 0.5 in hour 1. Hour 0
    # is at least 0.5 short (2 heads at most); hour 1 is covered only with a head on P1.
    # Least shortfall 0.5: P0 1 + P1 1 (3 h). Counting shortfall in whole heads would
    # make it 1 and allow the cheaper P0 2 (2 h, 1.0 short).
    a = np.array([[1.0, 1.0], [0.0, 1.0]])
    sol = solve_coverage([2.5, 0.5], a, [1.0, 2.0], start_group=[0, 0], max_heads=2)
    assert sol.heads.tolist() == [1, 1] and sol.paid_hours == 3.0
    assert sol.shortfall.tolist() == [0.5, 0.0] and sol.relaxed_blocks == 1


def test_a_forced_start_with_nothing_to_cover_is_its_own_block():
    """Rule: ``min_heads`` places heads on a start even where nothing is required, beside
    other blocks of the same programme."""
    # hour 0 needs 1 head (P0, 1 h); P1 covers hour 2, needed by nobody, but its start
    # must have 2 heads (min_heads): 1 + 2 × 1 h = 3 paid hours, two blocks
    a = pattern_coverage([0, 120], 60, 0, 0, interval_minutes=60, n_intervals=3, wrap=False)
    sol = solve_coverage([1, 0, 0], a, 1.0, min_heads=[0, 2])
    assert sol.heads.tolist() == [1, 2] and sol.paid_hours == 3.0
    assert sol.blocks == 2 and not sol.shortfall.any()


def test_the_solver_prints_nothing_and_warns_nothing(capfd):
    """Rule: solving prints nothing (HiGHS's log is off) and raises no warning (every
    option given to HiGHS is one it knows), on every path: the LP, the rounding, branch and
    bound and the least-shortfall stages."""
    odd = pattern_coverage([0, 60, 120], 120, 0, 0, interval_minutes=60, n_intervals=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        solve_coverage([1, 1, 1], odd, 2.0)  # rounded to the proven bound
        solve_coverage([1, 1, 1], odd, 2.001)  # branch and bound
        solve_coverage([2.5, 0.5], np.array([[1.0, 1.0], [0.0, 1.0]]), 1.0, max_heads=1)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def _cyclic(seed: int):
    """Five patterns on a wrapping day of 5 or 7 hours: 2-hour shifts (two neighbouring
    hours) and 3-hour shifts with the middle hour on break (hours t and t + 2), whose
    coverage has odd cycles, so the LP optimum is often fractional."""
    rng = np.random.default_rng(700 + seed)
    n_t = int(rng.choice([5, 7]))
    start = rng.choice(np.arange(n_t), size=5, replace=False) * 60.0
    kind = rng.integers(0, 2, size=5)
    a = pattern_coverage(
        start,
        np.where(kind == 1, 180.0, 120.0),
        np.where(kind == 1, 60.0, 0.0),
        np.where(kind == 1, 60.0, 0.0),
        interval_minutes=60,
        n_intervals=n_t,
        wrap=True,
    )
    return rng.integers(1, 4, n_t).astype(float), a


# seeds whose LP optimum is fractional (the rounding to a proven bound is exercised), and
# two whose LP optimum is whole
@pytest.mark.parametrize("seed", [0, 22, 29, 52, 55, 1, 2])
def test_fractional_lp_optima_are_rounded_to_the_true_optimum(seed):
    """Rule: whatever path closes a block (whole LP, rounding to the proven bound, branch
    and bound), its schedule covers the requirement at the fewest paid hours."""
    required, a = _cyclic(seed)
    cost = np.full(5, 2.0)
    sol = solve_coverage(required, a, cost)
    dense = a.toarray()
    # shares are whole and at most 3 heads are needed: 3 heads per pattern are enough
    top = int(required.max())
    expected = _exhaustive(
        required, dense, cost, np.arange(5), np.zeros(5), np.full(5, np.inf), top
    )
    assert (round(float(sol.shortfall.sum()), 9), round(sol.paid_hours, 9)) == expected
    np.testing.assert_allclose(sol.working, dense @ sol.heads)
    assert sol.mip_gap == 0.0 and sol.dual_bound <= sol.paid_hours + 1e-9
