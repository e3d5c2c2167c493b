"""What set each interval's agents (issue 21, point 13): the ``binding`` column, its counts
in the summary, and ``fte_hours``, the FTE column to sum."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffing import queueing
from staffing.plan import plan
from staffing.vocabulary import (
    BINDING_CLOSED,
    BINDING_COUNT_COLUMNS,
    BINDING_DAY,
    BINDING_INTERVAL_FLOOR,
    BINDING_MIN_AGENTS,
    BINDING_NO_VOLUME,
    BINDING_OCCUPANCY,
    BINDING_SERVICE_LEVEL,
    BINDINGS,
    COLUMN_META,
)
from tests.conftest import per_module

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "example.yaml"
OPEN = "08:00-20:00"
#: Volume by local hour of every day; other open hours get 100 [contacts/h].
BY_HOUR = {10: 1000.0, 12: 1.0, 13: 0.0}


def _config(minutes: int = 60, **skill) -> dict:
    return {
        "plan": {
            "name": "binding",
            "start": "2026-03-02",
            "weeks": 1,
            "timezone": "UTC",
            "interval_minutes": minutes,
        },
        "nht": {"source": "store"},  # never read: the skill has nht_seconds
        "volume": {"source": "file", "path": str(EXAMPLE)},  # replaced by a DataFrame
        "defaults": {"shrinkage": 0.35, "fte_hours_per_week": 40},
        "skills": [
            {
                "id": 1,
                "name": "Voice",
                "method": "erlang_c",
                "nht_seconds": 360,
                "service_level": {"target": 0.8, "answer_within_seconds": 20},
                "max_occupancy": 0.85,
                "min_agents": 5,
                "open_hours": {
                    day: OPEN for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                },
                **skill,
            }
        ],
    }


def _volume(minutes: int = 60) -> pd.DataFrame:
    grid = pd.date_range(
        "2026-03-02", "2026-03-09", freq=f"{minutes}min", inclusive="left", tz="UTC"
    )
    per_hour = np.array([BY_HOUR.get(h, 100.0) for h in grid.hour])
    return pd.DataFrame({"skill_id": 1, "interval_start": grid, "volume": per_hour * minutes / 60})


@pytest.fixture(scope=per_module)
def hourly():
    return plan(_config(), volume=_volume())


def _need(volume: float, **target) -> float:
    """Agents one target alone requires: the engine called directly (Erlang C, NHT 360 s)."""
    return float(
        queueing.required_agents(
            "erlang_c",
            volume=volume,
            handle_time_s=360.0,
            interval_s=3600.0,
            answer_within_s=20.0,
            **target,
        )
    )


def test_the_occupancy_cap_is_named_where_only_it_binds(hourly):
    iv = hourly.intervals
    at_ten = iv[iv["interval_start"].dt.hour == 10].iloc[0]
    # 1000 contacts x 360 s / 3600 s = 100 Erlang. The cap alone: 100 / 0.85 = 117.6 -> 118
    # agents; 80 % within 20 s alone needs fewer (the engine says how many), so the cap
    # sets the agents and the service level is far above its 80 %.
    by_cap, by_sl = _need(1000.0, max_occupancy=0.85), _need(1000.0, service_level=0.8)
    assert by_cap == 118 and by_sl < by_cap
    assert at_ten.agents == max(by_cap, by_sl) == 118
    assert at_ten.binding == BINDING_OCCUPANCY
    assert at_ten.service_level > 0.95  # far above the 80 % target: the cap binds, not it


def test_the_service_level_minimum_agents_no_volume_and_closed(hourly):
    iv = hourly.intervals.set_index(hourly.intervals["interval_start"].dt.hour)
    monday = iv[iv["interval_start"].dt.day_of_week == 0]
    # 100 contacts = 10 Erlang: the service level needs more than the cap's ceil(10/0.85) = 12
    by_cap, by_sl = _need(100.0, max_occupancy=0.85), _need(100.0, service_level=0.8)
    assert by_cap == 12 and by_sl > by_cap
    assert monday.loc[11, "agents"] == by_sl and monday.loc[11, "binding"] == BINDING_SERVICE_LEVEL
    # 1 contact = 0.1 Erlang: the service level needs far fewer than min_agents 5
    assert _need(1.0, service_level=0.8) < 5
    assert monday.loc[12, "agents"] == 5 and monday.loc[12, "binding"] == BINDING_MIN_AGENTS
    assert monday.loc[13, "agents"] == 0 and monday.loc[13, "binding"] == BINDING_NO_VOLUME
    assert monday.loc[7, "agents"] == 0 and monday.loc[7, "binding"] == BINDING_CLOSED
    assert monday.loc[20, "binding"] == BINDING_CLOSED  # open 08:00-20:00
    assert set(hourly.intervals["binding"].astype(str)) <= set(BINDINGS)


def test_the_summary_counts_the_intervals_each_rule_set(hourly):
    summary = hourly.summary()
    skill, total = summary.iloc[0], summary.iloc[-1]
    # Per day (open 08-20, 12 intervals): 10:00 by the cap, 12:00 by min_agents, 13:00 has
    # no volume, the 9 others (100 contacts) by the service level; x 7 days.
    assert skill[BINDING_COUNT_COLUMNS[BINDING_OCCUPANCY]] == 7
    assert skill[BINDING_COUNT_COLUMNS[BINDING_SERVICE_LEVEL]] == 63
    assert skill[BINDING_COUNT_COLUMNS[BINDING_MIN_AGENTS]] == 7
    assert "set_by_asa" not in summary.columns  # no interval set by it: no column
    assert total[BINDING_COUNT_COLUMNS[BINDING_SERVICE_LEVEL]] == 63  # one skill: the same
    for column in BINDING_COUNT_COLUMNS.values():
        assert COLUMN_META[column].label.startswith("Intervals set by ")


def test_fte_hours_sum_to_the_weekly_fte_hours_at_30_minutes():
    result = plan(_config(minutes=30), volume=_volume(minutes=30))
    iv, weekly = result.intervals, result.weekly
    # fte is the level during each half hour: its plain sum counts every hour twice
    assert iv["fte_hours"].sum() == pytest.approx(weekly["fte_hours"].sum(), rel=1e-12)
    assert iv["fte"].sum() == pytest.approx(2 * weekly["fte_hours"].sum(), rel=1e-12)
    np.testing.assert_allclose(iv["fte_hours"], iv["fte"] * 0.5)
    assert COLUMN_META["fte"].label == "FTE in the interval"


def test_a_day_scope_skill_is_set_by_its_day_or_a_floor():
    cfg = _config(
        service_level={
            "target": 0.8,
            "answer_within_seconds": 20,
            "scope": "day",
            "interval_floor": 0.5,
        },
    )
    # the analytic staffing (day_scope=False: without the correction by simulation)
    iv = plan(cfg, volume=_volume(), day_scope=False).intervals
    served = iv[(iv["volume"] > 0) & (iv["binding"] != BINDING_CLOSED)]
    named = set(served["binding"].astype(str))
    assert named <= {BINDING_DAY, BINDING_INTERVAL_FLOOR, BINDING_OCCUPANCY, BINDING_MIN_AGENTS}
    assert BINDING_DAY in named  # the day's target sets the agents where no floor does
    # 1000 contacts: the cap's 118 agents is the floor the day's optimum cannot go below
    at_ten = served[served["interval_start"].dt.hour == 10]
    assert (at_ten["agents"] >= 118).all()
    floor_rows = served[served["binding"] == BINDING_OCCUPANCY]
    assert (floor_rows["agents"] == 118).all()
