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


def test_a_break_that_does_not_end_inside_its_shift_is_refused():
    with pytest.raises(ValueError, match="pattern 0"):
        pattern_coverage(0, 240, 200, 60, interval_minutes=60, n_intervals=4)
