"""Skill settings: defaults merged in, explicit nulls, what each method needs."""

from __future__ import annotations

import copy

import pytest

from staffing.config import load_config
from staffing.errors import ConfigError
from tests.config.support import BASE, MINIMAL, minimal_with, write_config


def test_skill_override_and_explicit_null_remove_a_default(tmp_path):
    data = copy.deepcopy(BASE)
    data["skills"][0]["service_level"] = None  # drop the SL target, keep the occupancy cap
    data["skills"][0]["shrinkage"] = {
        "default": 0.3,
        "by_weekday": {"sat": 0.2},
        "by_hour": {9: 0.4},
    }
    cfg = load_config(write_config(tmp_path, data))
    skill = cfg.resolved_skills[0]
    assert skill.service_level_target is None and skill.max_occupancy == 0.85
    week = skill.shrinkage.hour_of_week()
    # Monday 08:00 -> default 0.3; Saturday 08:00 (5*24+8) -> weekday 0.2;
    # Saturday 09:00 -> the hour override 0.4 wins
    assert week[8] == 0.3 and week[5 * 24 + 8] == 0.2 and week[5 * 24 + 9] == 0.4


def test_a_skill_without_fte_hours_names_the_key():
    data = copy.deepcopy(MINIMAL)
    del data["defaults"]["fte_hours_per_week"]
    with pytest.raises(ConfigError) as info:
        load_config(data)
    assert any(
        "skills[0].fte_hours_per_week" in p and "required here or in defaults" in p
        for p in info.value.problems
    ), info.value.problems


def test_max_abandon_alone_is_a_target_for_erlang_a_and_chat_but_not_erlang_c():
    # README: max_abandon is a target of erlang_a and chat; erlang_c has no abandonment.
    for method, extra in (
        ("erlang_a", {"patience_seconds": 120}),
        ("chat", {"max_concurrency": 2}),
    ):
        data = minimal_with("defaults.method", method)
        data["defaults"].update(max_abandon=0.05, **extra)
        assert load_config(data).resolved_skills[0].max_abandon == 0.05
    data = minimal_with("defaults.method", "erlang_c")
    data["defaults"]["max_abandon"] = 0.05
    with pytest.raises(ConfigError, match="method erlang_c needs at least one target"):
        load_config(data)
