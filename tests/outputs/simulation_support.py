"""A small plan to simulate for the workbook and command tests: one week of hours.

Three skills: a voice queue with patience (``erlang_a``), a chat, and a workload skill (not
simulated). The volume is a morning peak on weekdays. The config reads its volume from a
CSV file, so the same plan runs through ``staffing.plan`` and through the command line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

START = "2026-03-02"  # a Monday
TIMEZONE = "Europe/Berlin"
WEEKDAYS_8_18 = {d: "08:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")}


def volume() -> pd.DataFrame:
    """Volume per local hour (naive local times): a peak at 10:00 on every day."""
    grid = pd.date_range(START, periods=7 * 24, freq="60min")
    hour = np.asarray(grid.hour, dtype=float)
    shape = np.where((hour >= 8) & (hour < 18), 0.4 + np.exp(-0.5 * ((hour - 10) / 1.5) ** 2), 0.1)
    frames = [
        pd.DataFrame({"skill_id": sid, "interval_start": grid, "volume": scale * shape})
        for sid, scale in ((21, 60.0), (22, 40.0), (23, 30.0))
    ]
    return pd.concat(frames, ignore_index=True)


def config(volume_path: str | Path) -> dict:
    """The planning config of the small plan, its volume read from ``volume_path``."""
    return {
        "plan": {
            "name": "small",
            "start": START,
            "weeks": 1,
            "timezone": TIMEZONE,
            "interval_minutes": 60,
        },
        "nht": {"source": "store"},  # never read: every skill has an nht_seconds
        "volume": {"source": "file", "path": str(volume_path)},
        "defaults": {
            "shrinkage": 0.3,
            "fte_hours_per_week": 40,
            "service_level": {"target": 0.8, "answer_within_seconds": 30},
        },
        "skills": [
            {
                "id": 21,
                "name": "Voice",
                "method": "erlang_a",
                "nht_seconds": 300,
                "patience_seconds": 120,
                "open_hours": WEEKDAYS_8_18,
            },
            {
                "id": 22,
                "name": "Chat",
                "method": "chat",
                "nht_seconds": 400,
                "max_concurrency": 2,
                "patience_seconds": 150,
                "open_hours": WEEKDAYS_8_18,
            },
            {"id": 23, "name": "Messaging", "method": "workload", "nht_seconds": 500},
        ],
    }


def write_config(folder: Path) -> Path:
    """The config and its volume file in ``folder``; returns the config's path."""
    forecast = folder / "small-volume.csv"
    volume().to_csv(forecast, index=False)
    path = folder / "small.yaml"
    path.write_text(yaml.safe_dump(config(forecast), sort_keys=False), encoding="utf-8")
    return path
