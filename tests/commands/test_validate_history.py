"""``staffing validate`` reads the NHT history file as the run reads it (issue 21, point 4).

The cold trial of the README (a planner with a real bank export, ``../shared/realdata``)
left out ``nht.timezone``: ``validate`` said "valid" and the plan came out 29 % short of FTE,
with the fix named only in a plan-time warning. ``validate`` now says it, and warns when open
hours are off the interval grid.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from staffing.cli import main
from tests.realdata import BANK, needs_bank

pytestmark = needs_bank


def _config(tmp_path: Path, *, timezone: str | None, close: str) -> Path:
    nht = {
        "source": "file",
        "path": str(BANK),
        "columns": {"interval_start": "DateTime", "arrivals": "Calls"},
        "skill_id": 1,
    }
    if timezone:
        nht["timezone"] = timezone
    config = {
        "plan": {"name": "bank", "start": "2003-10-27", "weeks": 1, "timezone": "America/New_York"},
        "nht": nht,
        "volume": {"source": "history"},
        "defaults": {"shrinkage": 0.3, "fte_hours_per_week": 40},
        "skills": [
            {
                "id": 1,
                "name": "Bank",
                "method": "erlang_c",
                "nht_seconds": 300,
                "service_level": {"target": 0.8, "answer_within_seconds": 20},
                "open_hours": {d: f"07:00-{close}" for d in ("mon", "tue", "wed", "thu", "fri")},
            }
        ],
    }
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_validate_names_the_timezone_a_local_export_needs(tmp_path, capsys):
    # The file writes local times with a Z: read as UTC, 31 % of its calls fall before 07:00
    # or after 21:00 local; 5 h later (EST) almost none do (the reader's shift search).
    assert main(["validate", str(_config(tmp_path, timezone=None, close="22:00"))]) == 0
    out = capsys.readouterr().out
    assert "valid" in out
    assert "set nht.timezone: America/New_York" in out
    assert "grid" not in out


def test_validate_is_quiet_when_the_zone_is_given_and_warns_off_grid_hours(tmp_path, capsys):
    config = _config(tmp_path, timezone="America/New_York", close="21:05")
    assert main(["validate", str(config)]) == 0
    out = capsys.readouterr().out
    assert "nht.timezone" not in out
    assert "open_hours at 21:05 are not on the plan's 60-minute grid" in out
