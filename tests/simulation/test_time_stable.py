"""Time-stable staffing (staffing: time_stable): the iterative staffing algorithm.

The plan is the ramps config of conftest.py (a sharp 10:00 peak and a cut at 12:00), where
the stationary staffing misses intervals after the peak because backlog carries over.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ramp_config, ramp_volume

from staffing.plan import plan
from staffing.simulation import simulate
from staffing.simulation.time_stable import time_stable_agents
from tests.conftest import per_module

OPTIONS = {"replications": 6, "seed": 5, "max_iterations": 4}


@pytest.fixture(scope=per_module)
def stable_plan(tmp_path_factory):
    dummy = tmp_path_factory.mktemp("stable") / "unused.csv"
    dummy.write_text("skill_id,interval_start,volume\n")
    raw = ramp_config(str(dummy))
    raw["skills"][0]["staffing"] = "time_stable"
    return plan(raw, volume=ramp_volume(), time_stable=OPTIONS)


def test_only_the_time_stable_skill_is_restaffed(stable_plan, ramps_plan):
    iv, method = stable_plan.intervals, stable_plan.staffing_method
    voice = (iv["skill_id"] == 11).to_numpy()
    served = voice & (iv["volume"] > 0).to_numpy() & (ramps_plan.intervals["agents"] > 0)
    assert set(method[served]) == {"time_stable"}
    assert set(method[~voice]) == {"stationary"}
    np.testing.assert_array_equal(
        iv.loc[~voice, "agents"], ramps_plan.intervals.loc[~voice, "agents"]
    )
    assert stable_plan.skills.set_index("skill_id").loc[11, "staffing"] == "time_stable"
    # the achieved analytic figures and the roll-ups follow the new agents
    assert stable_plan.daily["fte_hours"].sum() == pytest.approx(iv["fte"].sum() * 0.5)


def test_the_report_says_how_the_iteration_went(stable_plan):
    report = stable_plan.meta["time_stable"]
    assert 1 <= report["iterations"] <= OPTIONS["max_iterations"]
    assert len(report["changed"]) == report["iterations"]
    assert report["converged"] == (report["changed"][-1] == 0)
    assert 0 <= report["intervals_missed"] <= 1


def test_the_simulated_misses_do_not_grow(stable_plan, ramps_plan):
    # same seed as the algorithm's own runs: the intervals it was built to meet
    before = simulate(ramps_plan, replications=6, seed=5).summary().set_index("skill_id")
    after = simulate(stable_plan, replications=6, seed=5).summary().set_index("skill_id")
    assert after.loc[11, "intervals_missed"] <= before.loc[11, "intervals_missed"]


def test_no_skill_means_nothing_to_do(ramps_plan):
    agents, report = time_stable_agents(ramps_plan, [], replications=2)
    assert np.isnan(agents).all() and report["iterations"] == 0
