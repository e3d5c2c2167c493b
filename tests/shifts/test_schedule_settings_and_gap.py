"""A schedule's solver settings reach the solver, and its MILP gap is the groups' gap.

Rules (``staffing.shifts.schedule.schedule``'s docstring, ``Schedule``): ``time_limit_s``
(default 60 s) and ``mip_rel_gap`` (default 0) are HiGHS's budget and gap for every skill
group, recorded in ``Schedule.meta``; ``Schedule.mip_gap`` is ``(paid hours - dual bound)
/ paid hours`` over all optimised groups, 0 when every group is proven optimal.

The plan, by hand: one ``workload`` skill, NHT 360 s, no shrinkage, no occupancy cap, v
contacts an hour on Monday 08:00-09:00 only: v / 10 Erlang, so v = 10 needs 1 agent (1
head) and v = 20 needs 2 (2 heads); a 1-hour shift at 08:00 on Mondays covers it at 1 or
2 paid hours. HiGHS proves these tiny programmes optimal (gap 0), so a solver stopped by
its time limit is stood in by the real solver's answer with its dual bound set to 3/4 of
its paid hours: the gap is then (P - 0.75 P) / P = 0.25 whatever P.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import staffing
from staffing.shifts import optimise
from tests.shifts.workload_plans import MON, workload_config


def _plan(per_hour: float) -> staffing.Plan:
    cfg = workload_config(
        [{"name": "early", "length_hours": 1, "start": "08:00", "days": ["mon"]}],
        name="gap",
        skills=[{"id": 1, "name": "Sales", "nht_seconds": 360, "shrinkage": 0.0}],
    )
    grid = pd.date_range(f"{MON} 00:00", periods=168, freq="h", tz="UTC")
    on = (grid.day_of_week == 0) & (grid.hour == 8)
    volume = pd.DataFrame(
        {"skill_id": 1, "interval_start": grid, "volume": np.where(on, per_hour, 0)}
    )
    return staffing.plan(staffing.load_config(cfg), volume=volume)


def _spy(monkeypatch: pytest.MonkeyPatch, bound_share: float) -> list[dict]:
    """Record the solver's keyword arguments; answer with its dual bound scaled."""
    seen: list[dict] = []
    real = optimise.solve_coverage

    def solve(*args, **kwargs):
        seen.append(kwargs)
        found = real(*args, **kwargs)
        return dataclasses.replace(found, dual_bound=bound_share * found.paid_hours)

    monkeypatch.setattr(optimise, "solve_coverage", solve)
    return seen


def test_the_documented_defaults_reach_the_solver_and_the_meta(monkeypatch):
    """Rule: by default HiGHS gets 60 s and a gap of 0 per group, and meta says so."""
    seen = _spy(monkeypatch, 1.0)
    got = staffing.schedule(_plan(10.0))
    assert [(k["time_limit_s"], k["mip_rel_gap"]) for k in seen] == [(60.0, 0.0)]
    assert (got.meta["time_limit_s"], got.meta["mip_rel_gap"]) == (60.0, 0.0)
    assert got.mip_gap == 0.0 and got.paid_hours == 1.0
    # skill_coverage's evaluated_agents are whole on-queue agents: integers, 1 at 08:00
    evaluated = got.skill_coverage["evaluated_agents"]
    assert evaluated.dtype == np.int64 and evaluated.max() == 1


def test_the_planners_settings_reach_the_solver(monkeypatch):
    """Rule: a planner's time limit and gap are the solver's, and meta records them."""
    seen = _spy(monkeypatch, 1.0)
    got = staffing.schedule(_plan(10.0), time_limit_s=7.5, mip_rel_gap=0.125)
    assert [(k.get("time_limit_s"), k.get("mip_rel_gap")) for k in seen] == [(7.5, 0.125)]
    assert (got.meta["time_limit_s"], got.meta["mip_rel_gap"]) == (7.5, 0.125)


@pytest.mark.parametrize(("per_hour", "paid"), [(10.0, 1.0), (20.0, 2.0)])
def test_a_group_not_proven_optimal_gives_the_schedule_its_gap(monkeypatch, per_hour, paid):
    """Rule: Schedule.mip_gap = (paid hours - dual bound) / paid hours: with the bound at
    3/4 of the paid hours, 0.25 (module docstring), at 1 paid hour as at 2."""
    _spy(monkeypatch, 0.75)
    got = staffing.schedule(_plan(per_hour))
    assert got.paid_hours == paid
    assert got.mip_gap == pytest.approx(0.25, rel=1e-12)


def test_two_groups_tables_are_numbered_from_zero():
    """Rule: Schedule.coverage and Schedule.skill_coverage are one table each, rows
    numbered 0 .. n - 1 (a planner's .loc finds one row): two skill groups of one skill
    each (the volume at 08:00 on both, each its own 1-hour template), 168 hourly intervals
    each, so 336 rows numbered 0 to 335 in both tables."""
    cfg = workload_config(
        [
            {"name": "s", "length_hours": 1, "start": "08:00", "days": ["mon"], "skills": [1]},
            {"name": "t", "length_hours": 1, "start": "08:00", "days": ["mon"], "skills": [2]},
        ],
        name="two",
        skills=[
            {"id": 1, "name": "Sales", "nht_seconds": 360, "shrinkage": 0.0},
            {"id": 2, "name": "Support", "nht_seconds": 360, "shrinkage": 0.0},
        ],
    )
    grid = pd.date_range(f"{MON} 00:00", periods=168, freq="h", tz="UTC")
    on = (grid.day_of_week == 0) & (grid.hour == 8)
    volume = pd.concat(
        [
            pd.DataFrame({"skill_id": k, "interval_start": grid, "volume": np.where(on, 10.0, 0)})
            for k in (1, 2)
        ],
        ignore_index=True,
    )
    got = staffing.schedule(staffing.plan(staffing.load_config(cfg), volume=volume))
    assert len(got.groups) == 2
    assert got.coverage.index.tolist() == list(range(336))
    assert got.skill_coverage.index.tolist() == list(range(336))
