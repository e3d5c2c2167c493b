"""One-week plans of ``workload`` skills for the shifts tests, as configs and volumes.

A ``workload`` skill with NHT 360 s and no occupancy cap needs exactly 1 agent per 10
contacts an hour (⌈10 × 360 / 3600⌉), so every requirement can be worked out by hand.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

MON = "2026-03-02"  # a Monday


def workload_config(
    shifts: list[dict[str, Any]] | None = None,
    *,
    minutes: int = 60,
    tz: str = "UTC",
    start: str = MON,
    shrinkage: float = 0.5,
    skills: list[dict[str, Any]] | None = None,
    weeks: int = 1,
    name: str = "shifts",
    **extra: Any,
) -> dict[str, Any]:
    """A plan config: ``workload`` skills (default one, id 1 "W", NHT 360 s), no occupancy
    cap, the given shrinkage, 40-hour FTE, volume and NHT replaced by what the test gives."""
    cfg = {
        "plan": {
            "name": name,
            "start": start,
            "weeks": weeks,
            "timezone": tz,
            "interval_minutes": minutes,
        },
        "nht": {"source": "store"},  # never read: every skill has an nht_seconds
        "volume": {"source": "history"},  # replaced by the volume DataFrame
        "defaults": {
            "method": "workload",
            "max_occupancy": 1.0,
            "shrinkage": shrinkage,
            "fte_hours_per_week": 40,
        },
        "skills": skills or [{"id": 1, "name": "W", "nht_seconds": 360}],
        **extra,
    }
    if shifts is not None:
        cfg["shifts"] = shifts
    return cfg


def week_of_hours() -> pd.DatetimeIndex:
    """The 168 hours of the week from :data:`MON`, UTC."""
    return pd.date_range(f"{MON} 00:00", periods=168, freq="h", tz="UTC")
