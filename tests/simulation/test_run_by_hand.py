"""The simulation summary's figures from tables typed by hand; the plan's forecast error read.

Rule protected (:meth:`staffing.simulation.SimulationResult.summary` docstring): the
planned service level and abandonment are volume-weighted over the *staffed* intervals
(agents > 0 and volume > 0), the ASA by the answered volume; ``intervals_missed`` and
``intervals_below_interval_target`` are shares of those staffed intervals only (an
interval with volume but no agent, or agents but no volume, counts in neither the
numerator nor the denominator); the day figures are plain means over the day rows; the
simulated horizon figures are the engine's; a skill not simulated keeps its note and has
NaN figures. The tables are small enough to work out every expected number here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from staffing.simulation import SimulationResult
from staffing.simulation.run import plan_uncertainty
from tests.simulation.by_hand import SUMMARY_COLUMNS

#: Six intervals of skill 7: (agents, volume, planned SL, p_abandon, ASA [s], missed,
#: below interval target). Rows 2 (volume, no agent) and 3 (agents, no volume) are not
#: staffed; row 4 has less than one contact; row 5 one agent.
ROWS = [
    (2, 10.0, 0.9, 0.1, 20.0, True, ""),
    (3, 30.0, 0.7, 0.2, 40.0, False, "asa_s"),
    (0, 5.0, 0.0, 0.6, 300.0, True, "service_level"),
    (1, 0.0, 0.5, 0.5, 100.0, True, "service_level"),
    (4, 0.5, 0.95, 0.0, 5.0, False, ""),
    (1, 2.0, 0.4, 0.3, 60.0, False, ""),
]
HORIZON = {"service_level": 0.71, "p_abandon": 0.12, "asa_s": 33.0, "worst_day_sl": 0.52}


def result() -> SimulationResult:
    n = len(ROWS)
    agents, volume, sl, pab, asa, missed, below = (list(c) for c in zip(*ROWS, strict=True))
    intervals = pd.DataFrame(
        {
            "skill_id": [7] * n,
            "interval_start": pd.date_range("2026-03-02 08:00", periods=n, freq="h"),
            "volume": volume,
            "agents": agents,
            "service_level": sl,
            "p_abandon": pab,
            "asa_s": asa,
            "target_missed": missed,
            "below_interval_target": below,
        }
    )
    daily = pd.DataFrame(
        {
            "skill_id": [7, 7],
            "date": [dt.date(2026, 3, 2), dt.date(2026, 3, 3)],
            "service_level": [0.8, 0.6],
            "service_level_sim": [0.75, 0.5],
            "p_meets_target": [0.9, 0.4],
            "p_meets_target_known_volume": [1.0, 0.7],
        }
    )
    meta = {
        "skills": [  # the skill not simulated first: the skills after it keep their rows
            {
                "skill_id": 9,
                "skill_name": "Mail",
                "method": "workload",
                "scope": "interval",
                "note": "not simulated: workload skills have no queue",
            },
            {"skill_id": 7, "skill_name": "Voice", "method": "erlang_a", "scope": "day"},
        ],
        "horizon": {7: HORIZON},
    }
    return SimulationResult(intervals=intervals, daily=daily, weekly=daily.iloc[:0], meta=meta)


def test_planned_figures_weigh_the_staffed_intervals_only():
    row = result().summary().set_index("skill_id").loc[7]
    staffed = [0, 1, 4, 5]  # agents > 0 and volume > 0
    volume = np.array([ROWS[i][1] for i in staffed])
    sl = np.array([ROWS[i][2] for i in staffed])
    pab = np.array([ROWS[i][3] for i in staffed])
    asa = np.array([ROWS[i][4] for i in staffed])
    # (0.9*10 + 0.7*30 + 0.95*0.5 + 0.4*2) / 42.5
    assert row["service_level"] == pytest.approx((sl * volume).sum() / volume.sum(), rel=1e-12)
    assert row["service_level"] == pytest.approx(31.275 / 42.5, rel=1e-12)
    assert row["p_abandon"] == pytest.approx((pab * volume).sum() / volume.sum(), rel=1e-12)
    answered = volume * (1 - pab)
    assert row["asa_s"] == pytest.approx((asa * answered).sum() / answered.sum(), rel=1e-12)


def test_the_shares_of_intervals_count_staffed_intervals_only():
    """Of the four staffed intervals one is missed (row 0) and one is below an interval
    target (row 1); the unstaffed rows 2 and 3 are flagged but not counted."""
    row = result().summary().set_index("skill_id").loc[7]
    assert row["intervals_missed"] == pytest.approx(1 / 4)
    assert row["intervals_below_interval_target"] == pytest.approx(1 / 4)


def test_day_and_horizon_figures_and_the_skill_not_simulated():
    table = result().summary()
    assert list(table["skill_id"]) == [9, 7]  # one row per skill, in the plan's order
    assert list(table.columns) == SUMMARY_COLUMNS
    summary = table.set_index("skill_id")
    row = summary.loc[7]
    assert row["daily_service_level"] == pytest.approx(0.7)
    assert row["daily_service_level_sim"] == pytest.approx(0.625)
    assert row["p_day_meets_target"] == pytest.approx(0.65)
    assert row["p_day_meets_target_known_volume"] == pytest.approx(0.85)
    assert row["service_level_sim"] == HORIZON["service_level"]
    assert row["p_abandon_sim"] == HORIZON["p_abandon"]
    assert row["asa_s_sim"] == HORIZON["asa_s"]
    assert row["worst_day_sl_sim"] == HORIZON["worst_day_sl"]
    assert (row["skill_name"], row["method"], row["scope"], row["note"]) == (
        "Voice",
        "erlang_a",
        "day",
        "",
    )
    mail = summary.loc[9]
    assert mail["note"] == "not simulated: workload skills have no queue"
    assert mail[["service_level", "service_level_sim", "intervals_missed"]].isna().all()


def test_an_uncertainty_without_a_correlation_is_of_independent_skills():
    """Rule: ``plan_uncertainty`` reads the CVs per skill and ``attrs["correlation"]``; a
    frame that carries no correlation (a plan-like object of the caller's) is taken as
    independent skills, 0, as the Assumptions sheet reads it."""

    class Independent:
        uncertainty = pd.DataFrame({"daily_cv": [0.1, 0.25]}, index=pd.Index([3, 5]))

    assert plan_uncertainty(Independent()) == ({3: 0.1, 5: 0.25}, 0.0)  # type: ignore[arg-type]
