"""Coverage matrices of shift patterns (staffing.shifts.patterns) on hand-drawn grids.

Every expected matrix below is derived in its comment from the shift's minutes.
"""

from __future__ import annotations

import numpy as np
import pytest

from staffing.shifts.patterns import pattern_coverage


def _dense(*args, **kwargs) -> np.ndarray:
    return pattern_coverage(*args, **kwargs).toarray()


def test_coverage_of_whole_hour_shifts_on_an_hourly_grid():
    # 4-hour shifts starting at minutes 0, 60, 120 cover intervals [0..3], [1..4], [2..5]
    got = _dense([0, 60, 120], 240, 0, 0, interval_minutes=60, n_intervals=6, wrap=False)
    expected = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1], [1, 1, 1], [0, 1, 1], [0, 0, 1]])
    np.testing.assert_array_equal(got, expected)


def test_break_removes_its_interval_and_a_half_hour_offset_covers_half_an_interval():
    # 5-hour shift at 0 with a 60-minute break after 2 h: at work in hours 0, 1, 3, 4.
    got = _dense(0, 300, 120, 60, interval_minutes=60, n_intervals=5, wrap=False)
    np.testing.assert_array_equal(got[:, 0], [1, 1, 0, 1, 1])
    # a 2-hour shift starting at minute 30 is at work half of hour 0, all of hour 1 and half
    # of hour 2: (60 - 30) / 60, 60 / 60, 30 / 60
    got = _dense(30, 120, 0, 0, interval_minutes=60, n_intervals=4, wrap=False)
    np.testing.assert_allclose(got[:, 0], [0.5, 1.0, 0.5, 0.0])


def test_wrap_carries_the_tail_to_the_start_and_no_wrap_drops_it():
    # A 3-hour shift starting in the last hour of a 4-hour horizon: hours 3, then 0 and 1.
    wrapped = _dense(180, 180, 0, 0, interval_minutes=60, n_intervals=4, wrap=True)
    dropped = _dense(180, 180, 0, 0, interval_minutes=60, n_intervals=4, wrap=False)
    np.testing.assert_array_equal(wrapped[:, 0], [1, 1, 0, 1])
    np.testing.assert_array_equal(dropped[:, 0], [0, 0, 0, 1])


def test_wrap_is_the_default():
    """Rule: pattern_coverage wraps by default (``wrap : bool, default True``): the
    3-hour shift in the last hour of a 4-hour horizon covers hours 3, 0 and 1."""
    got = _dense(180, 180, 0, 0, interval_minutes=60, n_intervals=4)
    np.testing.assert_array_equal(got[:, 0], [1, 1, 0, 1])


def test_a_break_that_does_not_end_inside_its_shift_is_refused():
    with pytest.raises(ValueError, match="pattern 0"):
        pattern_coverage(0, 240, 200, 60, interval_minutes=60, n_intervals=4)


def _minute_by_minute(start, length, brk, brk_len, interval, n_intervals, wrap):
    """Coverage counted one minute at a time (whole-minute inputs): each minute at work and
    not on break adds 1 / interval to its interval, wrapped or dropped past the horizon."""
    out = np.zeros((n_intervals, len(start)))
    for p, (s, n, b, bl) in enumerate(zip(start, length, brk, brk_len, strict=True)):
        for m in range(int(n)):
            if bl > 0 and b <= m < b + bl:
                continue  # on break
            row = int((s + m) // interval)
            if wrap:
                row %= n_intervals
            elif row >= n_intervals:
                continue
            out[row, p] += 1 / interval
    return out


@pytest.mark.parametrize("wrap", [False, True])
def test_random_patterns_match_a_minute_by_minute_count(wrap):
    # Starts, lengths and breaks in whole minutes off the grid (breaks inside one interval,
    # shifts longer than the horizon that wrap onto themselves): every share equals the
    # count of the pattern's working minutes in that interval divided by its length.
    rng = np.random.default_rng(4 if wrap else 2)
    for _ in range(40):
        interval, n_intervals = int(rng.choice([15, 20, 30, 60])), int(rng.integers(2, 12))
        n = int(rng.integers(1, 8))
        start = rng.integers(0, interval * n_intervals * 2, n)
        length = rng.integers(20, interval * n_intervals + 90, n)
        brk_len = np.minimum(rng.choice([0, 5, 10, 30], n), length // 2)
        brk = (rng.random(n) * (length - brk_len)).astype(int)
        got = pattern_coverage(
            start,
            length,
            brk,
            brk_len,
            interval_minutes=interval,
            n_intervals=n_intervals,
            wrap=wrap,
        )
        assert got.has_canonical_format
        expected = _minute_by_minute(start, length, brk, brk_len, interval, n_intervals, wrap)
        np.testing.assert_allclose(got.toarray(), expected, atol=1e-12)
