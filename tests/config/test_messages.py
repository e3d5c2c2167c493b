"""Issue 21, point 9: every config problem at once, each once, under the key the planner wrote."""

from __future__ import annotations

import copy

import pytest

from staffing.config import load_config
from staffing.errors import ConfigError
from tests.config.support import BASE, write_config

#: A shift template that is valid on its own (the shift tests' day shift).
SHIFT = {"name": "day", "length_hours": 8, "start": "08:00", "skills": [101, 102, 103]}


def _problems(tmp_path, data: dict) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, data))
    return info.value.problems


@pytest.mark.parametrize(
    ("where", "change", "unknown"),
    [
        # the misspelt key and the unknown skill in one special day, or in two
        ("special_days", [{"date": "2026-03-10", "closd": True, "skills": [999]}], "[0]"),
        (
            "special_days",
            [
                {"date": "2026-03-10", "closd": True},
                {"date": "2026-03-11", "closed": True, "skills": [999]},
            ],
            "[1]",
        ),
        ("shifts", [{**SHIFT, "max_heds": 4, "skills": [999]}], "[0]"),
    ],
)
def test_a_misspelt_key_does_not_hide_an_unknown_skill(tmp_path, where, change, unknown):
    data = copy.deepcopy(BASE)
    data[where] = change
    problems = _problems(tmp_path, data)
    # Before: only the misspelt key was listed (the check across entries never ran).
    assert any(
        f"{where}[0].{'closd' if where == 'special_days' else 'max_heds'}: unknown key" in line
        for line in problems
    ), problems
    assert any(
        f"{where}{unknown}.skills: skill 999 is not in skills" in line for line in problems
    ), problems


def test_two_mistakes_in_two_sections_are_both_listed(tmp_path):
    # the example: 'closd' in a skill's open hours, and skills: [999] in a special day
    data = copy.deepcopy(BASE)
    data["skills"][0]["open_hours"] = {"mon": "08:00-20:00", "closd": "08:00-20:00"}
    data["special_days"] = [{"date": "2026-03-10", "closed": True, "skills": [999]}]
    data["volume"] = {"source": "history", "histroy_weeks": 4, "growth": {998: 1.1}}
    data["skills"][2]["id"] = 101  # already skills[0]'s, while skills[0] is invalid itself
    problems = "\n".join(_problems(tmp_path, data))
    for expected in (
        "skills[0].open_hours.closd: unknown key",
        "special_days[0].skills: skill 999 is not in skills",
        "volume.histroy_weeks: unknown key; did you mean 'history_weeks'?",
        "volume.growth[998]: skill 998 is not in skills",
        "skills[2].id: skill id 101 already used by skills[0]",
    ):
        assert expected in problems, problems


@pytest.mark.parametrize(
    ("key", "value", "written", "hint"),
    [
        # (the key set, the value, the key the message names, the share the hint offers)
        (
            ("defaults", "shrinkage"),
            30,
            "defaults.shrinkage",
            "30 looks like a per cent: write 0.30",
        ),
        (("defaults", "max_occupancy"), 85, "defaults.max_occupancy", "write 0.85"),
        (("skills", 1, "max_abandon"), 5, "skills[1].max_abandon", "write 0.05"),
        (
            ("defaults", "service_level", "target"),
            99.5,
            "defaults.service_level.target",
            "99.5 looks like a per cent: write 0.995",
        ),
    ],
)
def test_a_share_written_as_a_per_cent_is_named_and_hinted(tmp_path, key, value, written, hint):
    data = copy.deepcopy(BASE)
    node = data
    for part in key[:-1]:
        node = node[part]
    node[key[-1]] = value
    problems = _problems(tmp_path, data)
    lines = [line for line in problems if f": {written}:" in line]
    # Before: 'defaults.shrinkage.default' (never written), and no hint at all.
    assert len(lines) == 1 and hint in lines[0], problems
    assert not any(".shrinkage.default" in line for line in problems), problems


def test_a_share_that_is_no_per_cent_gets_no_hint(tmp_path):
    data = copy.deepcopy(BASE)
    data["defaults"]["shrinkage"] = 300  # above 100: not a per cent either
    problems = _problems(tmp_path, data)
    assert any(
        ": defaults.shrinkage: Input should be less than 1 (got 300)" in line for line in problems
    ), problems
    assert not any("per cent" in line for line in problems), problems


def test_an_unquoted_shift_start_is_reported_once(tmp_path):
    data = copy.deepcopy(BASE)
    data["shifts"] = [SHIFT]
    path = write_config(tmp_path, data)
    # YAML 1.1 reads an unquoted 10:00 as the base-60 number 600 (10 x 60)
    path.write_text(path.read_text().replace("start: 08:00", "start: 10:00"))
    assert "start: 10:00" in path.read_text()
    with pytest.raises(ConfigError) as info:
        load_config(path)
    starts = [line for line in info.value.problems if "shifts[0].start" in line]
    # Before: twice, as shifts[0].start.earliest and shifts[0].start.latest.
    assert starts == [
        f'{path}: shifts[0].start: write the time in quotes, "10:00": YAML reads an unquoted '
        "10:00 as a number (got 600)"
    ]
