"""Bad shift patterns and solver inputs are refused with a message naming what and where.

Rule (``pattern_coverage`` and ``solve_coverage`` docstrings): a negative or non-finite
start, a non-positive length, a negative break or one that does not end inside its shift,
a non-positive interval length, a requirement that is negative or not finite, negative
coverage shares or paid hours, a start index per pattern that is missing or negative, and
``min_heads`` above ``max_heads`` are errors; the message names the first bad pattern with
its minutes. Each boundary (a start at 0, a break ending exactly at the shift's end, no
break with any offset, nothing required, paid hours of 0, ``min_heads == max_heads``) is
accepted, and its expected matrix or schedule is derived in the test by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from staffing.shifts.patterns import pattern_coverage
from staffing.shifts.solver import solve_coverage


def _dense(*args, **kwargs) -> np.ndarray:
    return pattern_coverage(*args, **kwargs).toarray()


@pytest.mark.parametrize(
    ("start", "length", "brk", "brk_len", "message"),
    [
        # the second pattern is the bad one: the message names it and its four figures
        ([0, -30], 240, 0, 0, "pattern 1: start -30.0, length 240.0, break 0.0+0.0 min"),
        ([0, np.nan], 240, 0, 0, "pattern 1: start nan, length 240.0, break 0.0+0.0 min"),
        ([0, np.inf], 240, 0, 0, "pattern 1: start inf, length 240.0"),
        ([0, 60], [240, 0], 0, 0, "pattern 1: start 60.0, length 0.0, break 0.0+0.0 min"),
        ([0, 60], [240, -60], 0, 0, "pattern 1: start 60.0, length -60.0"),
        ([0, 60], [240, np.nan], 0, 0, "pattern 1: start 60.0, length nan"),
        ([0, 60], 240, 0, [0, -30], "pattern 1: start 60.0, length 240.0, break 0.0+-30.0 min"),
        ([0, 60], 240, [60, -30], 30, "pattern 1: start 60.0, length 240.0, break -30.0+30.0"),
        # a break of 60 min from 181 min ends at 241 min, after the 240-minute shift
        ([0, 60], 240, [120, 181], 60, "pattern 1: start 60.0, length 240.0, break 181.0+60.0"),
    ],
)
def test_a_pattern_that_is_not_a_shift_with_its_break_inside_is_named(
    start, length, brk, brk_len, message
):
    """Rule: the first bad pattern is named with its start, length and break [min]."""
    with pytest.raises(ValueError) as caught:
        pattern_coverage(start, length, brk, brk_len, interval_minutes=60, n_intervals=6)
    assert str(caught.value).startswith(message)
    assert str(caught.value).endswith("is not a shift with its break inside")


@pytest.mark.parametrize(
    ("interval_minutes", "n_intervals", "got"),
    [(0, 4, "(got 0, 4)"), (-15, 4, "(got -15, 4)"), (60, -1, "(got 60, -1)")],
)
def test_a_grid_without_positive_intervals_is_refused(interval_minutes, n_intervals, got):
    """Rule: the interval length must be > 0 and the count >= 0; the message gives both."""
    with pytest.raises(ValueError) as caught:
        pattern_coverage(0, 60, 0, 0, interval_minutes=interval_minutes, n_intervals=n_intervals)
    assert str(caught.value) == f"interval_minutes must be > 0 and n_intervals >= 0 {got}"


def test_boundaries_of_the_pattern_checks_are_accepted():
    """Rule: a start at minute 0, a break that ends exactly at the shift's end, and a break
    offset of any value when the break has no length are all valid shifts."""
    # 4-hour shift at 0, break 180..240 (ends at the shift's end): at work hours 0, 1, 2
    got = _dense(0, 240, 180, 60, interval_minutes=60, n_intervals=4, wrap=False)
    np.testing.assert_array_equal(got[:, 0], [1, 1, 1, 0])
    # a break at offset 0 covers the first hour: at work hours 1, 2, 3
    got = _dense(0, 240, 0, 60, interval_minutes=60, n_intervals=4, wrap=False)
    np.testing.assert_array_equal(got[:, 0], [0, 1, 1, 1])
    # no break (length 0): its offset, even negative or past the end, is ignored
    for offset in (-60, 999):
        got = _dense(0, 240, offset, 0, interval_minutes=60, n_intervals=4, wrap=False)
        np.testing.assert_array_equal(got[:, 0], [1, 1, 1, 1])
    # an empty grid is a grid: no rows
    assert pattern_coverage(0, 60, 0, 0, interval_minutes=60, n_intervals=0).shape == (0, 1)


def test_a_start_past_the_horizon_wraps_to_its_place_or_covers_nothing():
    """Rule: with wrap, time past the end of the horizon continues at its start (even a
    start a whole horizon later); without wrap it is dropped."""
    # 4-hour horizon (240 min); a 60-minute shift starting at minute 250 = minute 10 of the
    # horizon's repeat: 50 min of hour 0 and 10 min of hour 1
    wrapped = _dense(250, 60, 0, 0, interval_minutes=60, n_intervals=4, wrap=True)
    np.testing.assert_allclose(wrapped[:, 0], [50 / 60, 10 / 60, 0, 0])
    # two horizons later (490 = 2 × 240 + 10): the same place
    again = _dense(490, 60, 0, 0, interval_minutes=60, n_intervals=4, wrap=True)
    np.testing.assert_allclose(again[:, 0], [50 / 60, 10 / 60, 0, 0])
    dropped = _dense(250, 60, 0, 0, interval_minutes=60, n_intervals=4, wrap=False)
    np.testing.assert_array_equal(dropped[:, 0], [0, 0, 0, 0])


def test_a_shift_longer_than_the_horizon_covers_its_repeat_twice():
    """Rule: a pattern that wraps onto itself counts each time it is at work."""
    # 5-hour shift from 0 on a 4-hour horizon: hours 0..3 once, and hour 0 again (240..300)
    got = _dense(0, 300, 0, 0, interval_minutes=60, n_intervals=4, wrap=True)
    np.testing.assert_array_equal(got[:, 0], [2, 1, 1, 1])


def test_shares_are_the_minutes_at_work_in_each_interval():
    """Rule: a column holds, per interval, the share of the interval at work and not on
    break; intervals without work hold no entry."""
    # 30-minute grid, shift 10..130 min with a 20-minute break at 50..70 (40 min after the
    # start): intervals [0,30) 20 min (10..30), [30,60) 20 min (30..50), [60,90) 20 min
    # (70..90), [90,120) 30 min, [120,150) 10 min (120..130)
    got = pattern_coverage(10, 120, 40, 20, interval_minutes=30, n_intervals=6, wrap=False)
    np.testing.assert_allclose(got.toarray()[:, 0], [20 / 30, 20 / 30, 20 / 30, 1.0, 10 / 30, 0.0])
    assert got.nnz == 5  # the empty last interval holds no stored zero
    # a shift aligned on the grid stores exactly its intervals
    assert pattern_coverage(60, 120, 0, 0, interval_minutes=60, n_intervals=6).nnz == 2


def test_no_patterns_give_an_empty_matrix_and_a_schedule_of_nothing():
    """Rule: zero patterns are valid; every required interval is then uncoverable."""
    a = pattern_coverage([], [], [], [], interval_minutes=60, n_intervals=3)
    assert a.shape == (3, 0)
    sol = solve_coverage([1, 0, 2], a, [])
    assert sol.heads.size == 0 and sol.paid_hours == 0.0
    np.testing.assert_array_equal(sol.uncoverable, [True, False, True])
    np.testing.assert_array_equal(sol.shortfall, [1, 0, 2])


_A = pattern_coverage([0, 60], 120, 0, 0, interval_minutes=60, n_intervals=3, wrap=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"required": [1, 1]}, "required has 2 intervals, coverage has 3 rows"),
        ({"required": [1, np.nan, 1]}, "required must be finite and >= 0 in every interval"),
        ({"required": [1, np.inf, 1]}, "required must be finite and >= 0 in every interval"),
        ({"required": [1, -0.5, 1]}, "required must be finite and >= 0 in every interval"),
        ({"coverage": -_A.toarray()}, "coverage shares must be >= 0"),
        ({"paid_hours": [2.0, -1.0]}, "paid_hours must be finite and >= 0"),
        ({"paid_hours": [2.0, np.nan]}, "paid_hours must be finite and >= 0"),
        ({"paid_hours": [2.0, np.inf]}, "paid_hours must be finite and >= 0"),
        ({"start_group": [0]}, "start_group needs one start index >= 0 per pattern"),
        ({"start_group": [0, -1]}, "start_group needs one start index >= 0 per pattern"),
        ({"min_heads": -1}, "min_heads must be >= 0 and <= max_heads for every start"),
        ({"min_heads": [0, 3], "max_heads": [5, 2]}, "min_heads must be >= 0 and <= max_heads"),
    ],
)
def test_bad_solver_inputs_are_refused_by_name(kwargs, message):
    """Rule: each bad input of ``solve_coverage`` is a ValueError naming the input."""
    args = {"required": [1, 1, 1], "coverage": _A, "paid_hours": 2.0, **kwargs}
    with pytest.raises(ValueError) as caught:
        solve_coverage(**args)
    assert str(caught.value).startswith(message)


def test_boundaries_of_the_solver_checks_are_accepted():
    """Rule: nothing required, paid hours of 0, ``min_heads == max_heads`` and a max of
    NaN (no limit) are valid; the schedules below are derived by hand."""
    # nothing required: no heads, nothing paid, gap 0
    sol = solve_coverage([0, 0, 0], _A, 2.0)
    assert sol.heads.tolist() == [0, 0] and sol.paid_hours == 0.0 and sol.mip_gap == 0.0
    # free heads (paid 0) on the first start: it covers hours 0-1 alone at no cost; hour 2
    # needs the second start (1 head, 2 h)
    sol = solve_coverage([1, 1, 1], _A, [0.0, 2.0])
    assert sol.heads.tolist() == [1, 1] and sol.paid_hours == 2.0
    # exactly 2 heads at each start (min == max) although 1 would do: 4 heads, 8 h
    sol = solve_coverage([1, 1, 1], _A, 2.0, min_heads=2, max_heads=2)
    assert sol.heads.tolist() == [2, 2] and sol.paid_hours == 8.0
    # a max of NaN is no limit: 3 heads needed in hour 0, only start 0 reaches it
    sol = solve_coverage([3, 0, 0], _A, 2.0, max_heads=[np.nan, 1])
    assert sol.heads.tolist() == [3, 0] and not sol.shortfall.any()
