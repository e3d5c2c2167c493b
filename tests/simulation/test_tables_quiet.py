"""The tables of a simulation say "no figure" with NaN, not with numpy warnings.

Rule protected (:mod:`staffing.simulation.tables`, ``_quiet_empty_slices``): an interval or
period without arrivals, without answered contacts, without agents, or with a figure in
fewer than two replications has NaN where a figure would be, and nothing is printed on the
planner's console: numpy's "invalid value encountered in divide", "divide by zero", "Mean of
empty slice", "All-NaN slice encountered" and "Degrees of freedom <= 0" say nothing more.
Every case below reaches such a division; the figures beside it are worked out by hand.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pytest

from staffing.simulation import engine
from staffing.simulation.tables import (
    MOMENTS,
    interval_table,
    per_rep,
    period_metrics,
    period_table,
    ratio,
)
from tests.simulation.test_engine_by_hand import hourly
from tests.simulation.test_tables_by_hand import BUSY, A, B, W, X, Y, skill


@pytest.fixture
def loud():
    """Every warning an error inside the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def sums(busy: np.ndarray) -> np.ndarray:
    x, y, b, a, w, o = (v.astype(float) for v in (X, Y, B, A, W, busy))
    parts = {
        "x": x, "xx": x * x, "y": y, "yy": y * y, "xy": x * y, "b": b, "bb": b * b,
        "xb": x * b, "a": a, "aa": a * a, "w": w, "ww": w * w, "aw": a * w, "o": o, "oo": o * o,
    }  # fmt: skip
    return np.stack([parts[name].sum(axis=0) for name in MOMENTS])


def test_a_ratio_without_arrivals_is_nan_quietly(loud):
    """Columns 2 and 5 have no arrival in any replication: 0/0, NaN, no warning."""
    y, x = Y.astype(float), X.astype(float)
    r, hw = ratio(y.sum(0), (y * y).sum(0), x.sum(0), (x * x).sum(0), (x * y).sum(0), 4)
    assert np.isnan(r[[2, 5]]).all() and np.isnan(hw[[2, 5]]).all()
    assert r[1] == pytest.approx(75 / 80)


def test_period_figures_without_arrivals_or_answers_are_nan_quietly(loud):
    """A period with no arrival has no service level or abandonment; one where every
    contact abandoned has no ASA (no answered contact): NaN, no warning."""
    counts = np.array([[0.0, 0.0, 0.0, 0.0, 0.0], [3.0, 0.0, 0.0, 3.0, 0.0]])
    got = period_metrics(counts)
    assert np.isnan(got["service_level"][0]) and np.isnan(got["p_abandon"][0])
    assert np.isnan(got["asa_s"]).all()
    assert got["p_abandon"][1] == 1.0 and got["service_level"][1] == 0.0


def test_per_rep_of_a_period_without_any_figure_is_nan_quietly(loud):
    """No replication has a figure (column 0) or one only (column 1): NaN mean and spread."""
    values = np.array([[np.nan, 0.4, 0.2], [np.nan, np.nan, 0.6], [np.nan, np.nan, 0.4]])
    mean, hw, p10 = per_rep(values)
    assert np.isnan([mean[0], hw[0], p10[0], hw[1]]).all()
    assert mean[1] == 0.4 and mean[2] == pytest.approx(0.4)


def test_an_interval_without_agents_but_busy_draining_has_no_occupancy_quietly(loud):
    """Interval 3 has no agents planned, yet agents on shift drain its queue (busy seconds
    > 0): its occupancy (busy / (agents x interval)) has no capacity to divide by and is
    NaN, without "divide by zero"; interval 5 has no agents and no busy time (0/0)."""
    busy = BUSY.copy()
    busy[:, 3] = [100.0, 200.0, 100.0, 300.0]
    table = interval_table(skill(), sums(busy), 4)
    assert table["occupancy_sim"][[3, 5]].isna().all()
    assert table["occupancy_ci"][[3, 5]].isna().all()
    assert table["occupancy_sim"][0] == pytest.approx(7050.0 / 7200.0)
    assert table["service_level_sim"][[2, 5]].isna().all()


def test_a_day_without_staffed_volume_is_left_out_quietly(loud):
    """Day 1 has no staffed interval with volume: its planned figures weigh nothing (0/0)
    and the day gets no row; replications of day 2 without arrivals have no figure."""
    s = skill()
    counts = np.stack([X, A, Y, B, W], axis=-1).astype(float)
    per_day = np.stack([counts[:, s.day == d].sum(axis=1) for d in range(3)], axis=1)
    per_day[:2, 2] = 0.0  # two replications of day 2 see no contact
    table = period_table(s, (per_day, per_day), s.day, 3, {"date": s.dates})
    assert len(table) == 2
    day2 = per_day[2:, 2]
    assert table["service_level_sim"][1] == pytest.approx((day2[:, 2] / day2[:, 0]).mean())


def test_a_run_with_closed_hours_and_a_drained_queue_prints_no_warning(loud):
    """The engine over a day with closed hours, an hour of volume without agents and a cut
    of the staffing (its queue drained past the cut): tables without a warning."""
    s = hourly(4, 1)
    agents = s.agents.copy()
    agents[12] = 0  # an open hour with volume and no agent
    run = engine.run([replace(s, agents=agents)], replications=3, seed=2)
    rows = run.intervals
    assert np.isnan(rows["occupancy_sim"][12])  # no capacity
    assert rows["service_level_sim"][:8].isna().all()  # closed before 08:00: no arrival
