"""load_config: files, dicts, overrides; YAML read safely (duplicate keys, depth, bad scalars)."""

from __future__ import annotations

import copy
import shutil
from datetime import date
from pathlib import Path

import pytest

from staffing.config import load_config
from staffing.errors import ConfigError
from tests.config.support import BASE, write_config


def test_valid_config_resolves_defaults_and_paths(tmp_path):
    cfg = load_config(write_config(tmp_path, BASE))
    assert cfg.plan.start == date(2026, 3, 2)
    # 2 weeks from Monday 2 March: first date after the horizon is Monday 16 March
    assert cfg.plan.end_exclusive == date(2026, 3, 16)
    assert cfg.nht.path == tmp_path / "nht.csv"  # relative to the YAML file's folder
    skills = cfg.resolved_skills
    assert [s.skill_id for s in skills] == [101, 102, 103]
    assert skills[0].method == "erlang_c" and skills[0].service_level_target == 0.8
    assert skills[1].patience_s == 300 and skills[1].max_occupancy == 0.85  # inherited
    assert skills[2].max_concurrency == 3
    assert cfg.default_output_path() == tmp_path / "out" / "test-plan.xlsx"


def test_overrides_replace_weeks_by_end():
    cfg = load_config(
        {**copy.deepcopy(BASE), "nht": {"source": "store"}},
        overrides={"plan": {"end": "2026-03-04"}},
    )
    assert cfg.plan.weeks is None and cfg.plan.end_exclusive == date(2026, 3, 5)


def test_yaml_syntax_error_and_duplicate_key_name_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("plan:\n  name: a\n  name: b\n")
    with pytest.raises(ConfigError, match=r"broken.yaml: line 3.*'name' given twice"):
        load_config(path)
    path.write_text("plan: [unclosed\n  token: TOPSECRET\n")
    with pytest.raises(ConfigError, match=r"broken.yaml: line \d+, column \d+") as info:
        load_config(path)
    assert "TOPSECRET" not in str(info.value)


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yaml: file not found"):
        load_config(tmp_path / "nope.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(tmp_path / "list.yaml")


def test_overrides_on_a_loaded_config_keep_every_setting(tmp_path):
    data = copy.deepcopy(BASE)
    data["volume"]["growth"] = {101: 1.2}
    data["skills"][0]["open_hours"] = {"mon": ["08:00-12:00", "13:00-17:00"]}
    data["skills"][0]["shrinkage"] = {"default": 0.3, "by_hour": {9: 0.4}}
    first = load_config(write_config(tmp_path, data))
    again = load_config(first, overrides={"plan": {"weeks": 1}})
    assert again.plan.weeks == 1 and first.plan.weeks == 2
    assert again.volume.growth.factor(101) == 1.2 and again.volume.growth.factor(102) == 1.0
    assert again.resolved_skills[0].open_hours.mon == [(480, 720), (780, 1020)]
    assert again.resolved_skills[0].shrinkage == first.resolved_skills[0].shrinkage
    assert again.source == first.source and again.nht.path == first.nht.path


# ----------------------------------------------------------------------------------------
# Hostile configs (issue "Nothing lost silently", point 12): a clear error naming the key
# ----------------------------------------------------------------------------------------
def _example_text() -> str:
    return (Path(__file__).resolve().parents[2] / "config" / "example.yaml").read_text()


def _load_text(tmp_path: Path, text: str):
    shutil.copytree(Path(__file__).resolve().parents[2] / "config", tmp_path / "config")
    path = tmp_path / "config" / "hostile.yaml"
    path.write_text(text)
    return load_config(path)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        # YAML reads 2026-02-30 as a timestamp and fails on the day: the key is named.
        ("start: 2026-03-02", "start: 2026-02-30", "plan.start: Input should be a valid date"),
        # Python refuses to read integers of more than 4300 digits (sys.int_info).
        ("weeks: 4 ", "weeks: " + "9" * 5000 + " ", "plan.weeks: Input should be a valid integer"),
        # A skill id beyond 64 bits would overflow the plan's integer arrays.
        (
            "id: 1001",
            "id: 100000000000000000000",
            "skills[0].id: Input should be less than or equal to 9223372036854775807",
        ),
    ],
)
def test_hostile_values_name_their_key(tmp_path, old, new, words):
    text = _example_text()
    assert old in text
    with pytest.raises(ConfigError) as info:
        _load_text(tmp_path, text.replace(old, new, 1))
    assert words in str(info.value)


def test_yaml_nested_20000_deep_is_a_clear_error(tmp_path):
    text = _example_text() + "\nextra: " + "[" * 20000 + "]" * 20000 + "\n"
    with pytest.raises(ConfigError, match="nested far too deep"):
        _load_text(tmp_path, text)


def test_yaml_problems_name_their_exact_line_and_column(tmp_path):
    # The messages as a planner reads them (line and column are 1-based, as editors count).
    path = tmp_path / "c.yaml"
    path.write_text("plan:\n  name: a\n  name: b\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        f"{path}: line 3, column 3: key 'name' given twice (lines 2 and 3)"
    ]
    path.write_text("plan: [unclosed\n  token: x\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems[0].startswith(f"{path}: line 2, column 8: ")


@pytest.mark.parametrize(("depth", "refused"), [(45, False), (60, True)])
def test_nesting_is_refused_past_50_levels(tmp_path, depth, refused):
    path = tmp_path / "deep.yaml"
    path.write_text("plan:\n  name: x\nextra: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    deep = [p for p in info.value.problems if "nested more than 50 levels deep" in p]
    assert bool(deep) == refused, info.value.problems[:3]
    if not refused:
        assert f"{path}: plan.timezone: required key is missing" in info.value.problems


def test_an_empty_config_says_so(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [f"{path}: the config is empty"]
