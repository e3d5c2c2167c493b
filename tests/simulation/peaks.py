"""A sharp-ramp plan for the day-scope correction: two voice skills, a morning and an
afternoon peak, 30-minute intervals, open 08:00-20:00 on weekdays, ``scope: day``."""

from __future__ import annotations

import numpy as np
import pandas as pd

START = "2026-03-02"  # a Monday
TIMEZONE = "Europe/Berlin"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
#: Skill id to (calls per half hour at the base, at the top of a peak).
SCALES = {21: (20.0, 160.0), 22: (12.0, 90.0)}


def peaks_config(volume_path: str, **service_level) -> dict:
    """One week of half hours: Voice A (Erlang C) and Voice B (Erlang A), staffed per day."""
    level = {"target": 0.8, "answer_within_seconds": 20, "scope": "day", **service_level}
    hours = {d: "08:00-20:00" for d in WEEKDAYS}
    return {
        "plan": {
            "name": "peaks",
            "start": START,
            "weeks": 1,
            "timezone": TIMEZONE,
            "interval_minutes": 30,
        },
        "nht": {"source": "store"},  # never read: every skill has an nht_seconds
        "volume": {"source": "file", "path": volume_path},
        "defaults": {
            "shrinkage": 0.3,
            "fte_hours_per_week": 40,
            "service_level": level,
            "open_hours": hours,
        },
        "skills": [
            {"id": 21, "name": "Voice A", "method": "erlang_c", "nht_seconds": 300},
            {
                "id": 22,
                "name": "Voice B",
                "method": "erlang_a",
                "nht_seconds": 360,
                "patience_seconds": 180,
            },
        ],
    }


def peaks_volume() -> pd.DataFrame:
    """Calls per half hour: sharp peaks at 10:00 and 15:00 on a low base; Fridays 15 % more."""
    local = pd.Timestamp(START).tz_localize(TIMEZONE)
    grid = pd.date_range(local, local + pd.Timedelta(weeks=1), freq="30min", inclusive="left")
    hour = np.asarray(grid.hour + grid.minute / 60.0)
    peaks = np.exp(-0.5 * ((hour - 10.25) / 0.6) ** 2) + np.exp(-0.5 * ((hour - 15.25) / 0.6) ** 2)
    friday = np.where(np.asarray(grid.day_of_week) == 4, 1.15, 1.0)
    open_ = (hour >= 8) & (hour < 20) & (np.asarray(grid.day_of_week) < 5)
    frames = [
        pd.DataFrame(
            {
                "skill_id": sid,
                "interval_start": grid,
                "volume": np.where(open_, friday * (base + (top - base) * peaks), 0.0),
            }
        )
        for sid, (base, top) in SCALES.items()
    ]
    return pd.concat(frames, ignore_index=True)
