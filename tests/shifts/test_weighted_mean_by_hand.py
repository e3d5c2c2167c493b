"""A group's service figure from its skills' (staffing.shifts.service.weighted_mean).

Rule: per interval, the mean of the skills' values weighted by their weights (volume),
counting only the skills with a value (not NaN) and a positive weight; NaN where none
counts. Expected values by hand.
"""

from __future__ import annotations

import numpy as np

from staffing.shifts.service import weighted_mean


def test_only_skills_with_a_value_and_a_weight_count():
    # interval 0: 0.8 (weight 1) and 0.5 (weight 3) count, the NaN (weight 2) does not:
    #   (0.8 + 1.5) / 4 = 0.575
    # interval 1: 0.9 has weight 0, the others are NaN: nothing counts, NaN
    # interval 2: only 0.6 (weight 2) counts: 0.6
    values = np.array([[0.8, 0.9, np.nan], [np.nan, np.nan, 0.6], [0.5, np.nan, np.nan]])
    weights = np.array([[1.0, 0.0, 5.0], [2.0, 4.0, 2.0], [3.0, 1.0, 0.0]])
    got = weighted_mean(values, weights)
    np.testing.assert_allclose(got[[0, 2]], [0.575, 0.6], rtol=1e-14)
    assert np.isnan(got[1])
