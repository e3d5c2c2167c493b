"""A small plan with shift templates, for the workbook, CSV and command tests of schedules.

The plan is :mod:`tests.outputs.simulation_support`'s week (Voice and Chat open 08:00-18:00 on
weekdays, Messaging round the clock) with two skill groups: ``desk`` shifts (08:00-10:00 starts,
8.5 hours with a 30-minute break) serve Voice and Chat, and one ``msg`` day shift (08:00, 8
hours) serves Messaging, so Messaging's nights are under-staffed: no template covers them.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.outputs import simulation_support as support

SHIFTS = [
    {
        "name": "desk",
        "length_hours": 8.5,
        "start": {"earliest": "08:00", "latest": "10:00", "step_minutes": 60},
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "break": {"length_minutes": 30, "earliest_after_hours": 3, "latest_after_hours": 5},
        "skills": [21, 22],
    },
    {"name": "msg", "length_hours": 8, "start": "08:00", "skills": [23]},
]
#: The skill groups, in the order of their first template.
GROUPS = ["Voice + Chat", "Messaging"]


def write_config(folder: Path, **changes) -> Path:
    """The small config with :data:`SHIFTS` (``changes`` replace top-level keys)."""
    path = support.write_config(folder)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["shifts"] = SHIFTS
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
