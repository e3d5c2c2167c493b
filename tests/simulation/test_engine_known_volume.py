"""Without forecast error the volume is known: its probability is the simulated one.

Rule protected (:func:`staffing.simulation.engine.run_task` docstring): a skill with no
forecast error (CV 0) has ``daily_known`` and ``weekly_known`` "the same arrays" as its
simulated counts, so ``p_meets_target_known_volume`` equals ``p_meets_target`` whether or
not the known-volume run is asked for (``known_volume=False`` leaves it NaN only for the
skills with a forecast error).
"""

from __future__ import annotations

import pandas as pd

from staffing.simulation import engine
from tests.simulation.test_engine_by_hand import hourly


def test_a_skill_without_forecast_error_has_its_known_volume_figures_either_way():
    exact, uncertain = hourly(3, 2), hourly(4, 2, daily_cv=0.25)
    for known_volume in (True, False):
        done = engine.run([exact, uncertain], replications=4, seed=6, known_volume=known_volume)
        for table in (done.daily, done.weekly):
            mine = table[table["skill_id"] == 3]
            pd.testing.assert_series_equal(
                mine["p_meets_target_known_volume"],
                mine["p_meets_target"],
                check_names=False,
            )
            other = table[table["skill_id"] == 4]["p_meets_target_known_volume"]
            assert other.notna().all() == known_volume
