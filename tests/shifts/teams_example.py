"""The teams example (``config/example-teams.yaml``) cut down for the team-shifts tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]

#: A 4-hour template starting 08:00, 09:00 or 10:00.
DAY = {"length_hours": 4, "start": {"earliest": "08:00", "latest": "10:00", "step_minutes": 60}}


def teams_example(weeks: int, open_hours: dict[str, str]) -> dict[str, Any]:
    """The example's config as a dict, its NHT history found from the project root,
    ``weeks`` weeks long, every skill open ``open_hours`` only (no shifts yet)."""
    data = yaml.safe_load((ROOT / "config" / "example-teams.yaml").read_text())
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data["plan"]["weeks"] = weeks
    for skill in data["skills"]:
        skill["open_hours"] = dict(open_hours)
    return data
