"""Shared plans for the simulation tests: a config of sharp ramps and low volumes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffing.plan import Plan, plan
from tests.conftest import per_session

START = "2026-03-02"  # a Monday
TIMEZONE = "Europe/Berlin"
WEEKDAYS_8_18 = {d: "08:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")}


def ramp_config(nht_path: str) -> dict:
    """One week of half-hour intervals: voice with a sharp morning peak, chat, a low-volume
    Erlang C skill with an ASA target, and a workload skill (not simulated)."""
    return {
        "plan": {
            "name": "ramps",
            "start": START,
            "weeks": 1,
            "timezone": TIMEZONE,
            "interval_minutes": 30,
        },
        "nht": {"source": "store"},  # never read: every skill has an nht_seconds
        "volume": {"source": "file", "path": nht_path},  # replaced by a DataFrame or file
        "defaults": {
            "shrinkage": 0.3,
            "fte_hours_per_week": 40,
            "service_level": {"target": 0.8, "answer_within_seconds": 20},
        },
        "skills": [
            {
                "id": 11,
                "name": "Voice A",
                "method": "erlang_a",
                "nht_seconds": 300,
                "patience_seconds": 120,
                "max_abandon": 0.05,
                "open_hours": WEEKDAYS_8_18,
            },
            {
                "id": 12,
                "name": "Chat",
                "method": "chat",
                "nht_seconds": 400,
                "max_concurrency": 3,
                "patience_seconds": 150,
                "service_level": {"target": 0.8, "answer_within_seconds": 60},
                "open_hours": {
                    d: "08:00-20:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                },
            },
            {
                "id": 13,
                "name": "Voice C",
                "method": "erlang_c",
                "nht_seconds": 600,
                "asa_seconds": 30,
                "service_level": None,
                "open_hours": WEEKDAYS_8_18,
            },
            {"id": 14, "name": "Messaging", "method": "workload", "nht_seconds": 500},
        ],
    }


def ramp_volume() -> pd.DataFrame:
    """Volume per half hour: a jump at opening, a sharp peak at 10:00, a cut at 12:00."""
    grid = pd.date_range(
        pd.Timestamp(START).tz_localize(TIMEZONE),
        pd.Timestamp(START).tz_localize(TIMEZONE) + pd.Timedelta(weeks=1),
        freq="30min",
        inclusive="left",
    )
    hour = np.asarray(grid.hour + grid.minute / 60.0)
    peak = np.exp(-0.5 * ((hour - 10.0) / 0.75) ** 2)
    shape = np.where((hour >= 8) & (hour < 12), 0.3 + peak, 0.15)
    frames = []
    for sid, scale in ((11, 40.0), (12, 30.0), (13, 4.0), (14, 50.0)):
        frames.append(
            pd.DataFrame({"skill_id": sid, "interval_start": grid, "volume": scale * shape})
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope=per_session)
def ramps_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    folder = tmp_path_factory.mktemp("ramps")
    dummy = folder / "unused.csv"
    dummy.write_text("skill_id,interval_start,volume\n")
    return plan(ramp_config(str(dummy)), volume=ramp_volume())
