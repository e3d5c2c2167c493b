"""``staffing plan`` on the teams example: the teams' lines of the summary."""

from __future__ import annotations

from pathlib import Path

import yaml

from staffing.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_plan_prints_the_teams_lines(tmp_path, capsys):
    data = yaml.safe_load((ROOT / "config" / "example-teams.yaml").read_text())
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data["output"] = {"path": "out/teams.xlsx"}
    path = tmp_path / "teams.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["plan", str(path), "--quiet", "--weeks", "1", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    head = next(line for line in out.splitlines() if line.startswith("Teams ("))
    assert "agent-hours; each skill alone" in head and "pooled bound" in head
    for team in ("Messaging", "Voice Sales", "Voice Service"):
        assert f"  team {team}: " in out
    assert out.count("meets its targets") == 5  # every team skill
    assert "simulation-based cutting planes (20 replications, seed 3" in head
    assert "skill 3001 Voice Callback (Voice Sales, Voice Service)" in out
    assert (tmp_path / "out" / "teams.xlsx").is_file()
