"""Tests of the planning config: valid files, defaults merging, and 30+ malformed configs."""

from __future__ import annotations

import copy
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml

from staffing.config import load_config
from staffing.errors import ConfigError

BASE = {
    "plan": {"name": "test-plan", "start": "2026-03-02", "weeks": 2, "timezone": "Europe/Berlin"},
    "nht": {"source": "file", "path": "nht.csv", "history_weeks": 8},
    "volume": {"source": "history", "growth": 1.0},
    "defaults": {
        "method": "erlang_c",
        "service_level": {"target": 0.8, "answer_within_seconds": 60},
        "max_occupancy": 0.85,
        "shrinkage": 0.3,
        "fte_hours_per_week": 40,
    },
    "skills": [
        {"id": 101, "name": "Sales"},
        {"id": 102, "name": "Support", "method": "erlang_a", "patience_seconds": 300},
        {"id": 103, "name": "Chat", "method": "chat", "max_concurrency": 3},
    ],
}


def _write(tmp_path: Path, data: dict, name: str = "plan.yaml") -> Path:
    (tmp_path / "nht.csv").write_text("skill_id,interval_start,net_handle_time_s\n")
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_valid_config_resolves_defaults_and_paths(tmp_path):
    cfg = load_config(_write(tmp_path, BASE))
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


def test_skill_override_and_explicit_null_remove_a_default(tmp_path):
    data = copy.deepcopy(BASE)
    data["skills"][0]["service_level"] = None  # drop the SL target, keep the occupancy cap
    data["skills"][0]["shrinkage"] = {
        "default": 0.3,
        "by_weekday": {"sat": 0.2},
        "by_hour": {9: 0.4},
    }
    cfg = load_config(_write(tmp_path, data))
    skill = cfg.resolved_skills[0]
    assert skill.service_level_target is None and skill.max_occupancy == 0.85
    week = skill.shrinkage.hour_of_week()
    # Monday 08:00 -> default 0.3; Saturday 08:00 (5*24+8) -> weekday 0.2;
    # Saturday 09:00 -> the hour override 0.4 wins
    assert week[8] == 0.3 and week[5 * 24 + 8] == 0.2 and week[5 * 24 + 9] == 0.4


def test_open_hours_overlap_rule():
    cfg = load_config(
        {
            **copy.deepcopy(BASE),
            "nht": {"source": "store"},
            "defaults": {**BASE["defaults"], "open_hours": {"mon": "08:30-20:00", "tue": "24h"}},
        }
    )
    hours = cfg.resolved_skills[0].open_hours
    weekday = np.array([0, 0, 0, 0, 1, 6])
    minute = np.array([7 * 60, 8 * 60, 19 * 60 + 45, 20 * 60, 3 * 60, 12 * 60])
    # 07:00-08:00 misses 08:30; 08:00-09:00 overlaps; 19:45-20:45 overlaps; 20:00 closed;
    # Tuesday 24h open; Sunday not listed -> closed
    assert hours.is_open(weekday, minute, 60).tolist() == [False, True, True, False, True, False]


def test_overrides_replace_weeks_by_end():
    cfg = load_config(
        {**copy.deepcopy(BASE), "nht": {"source": "store"}},
        overrides={"plan": {"end": "2026-03-04"}},
    )
    assert cfg.plan.weeks is None and cfg.plan.end_exclusive == date(2026, 3, 5)


def _set(data: dict, dotted: str, value) -> None:
    keys = dotted.replace("[", ".").replace("]", "").split(".")
    node = data
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    if value is _DELETE:
        del node[int(last) if last.isdigit() else last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


_DELETE = object()

# (key to change, new value, key path the message must name, words it must contain)
BAD = [
    ("plan.timezone", "Mars/Olympus", "plan.timezone", "unknown IANA"),
    ("plan.interval_minutes", 20, "plan.interval_minutes", "15"),
    ("plan.start", "2026-02-30", "plan.start", "date"),
    ("plan.weeks", 0, "plan.weeks", "greater than or equal to 1"),
    ("plan.weeks", True, "plan.weeks", "integer"),
    ("plan.end", "2026-04-01", "plan", "exactly one of 'weeks' or 'end'"),
    ("plan.name", _DELETE, "plan.name", "missing"),
    ("plan.name", "../evil", "plan.name", "pattern"),
    ("plan.timezon", "UTC", "plan.timezon", "did you mean 'timezone'"),
    ("nht.source", "api", "nht.source", "'store' or 'file'"),
    ("nht.path", _DELETE, "nht", "needs 'path'"),
    ("nht.path", "missing.csv", "nht.path", "file not found"),
    ("nht.history_weeks", -1, "nht.history_weeks", "greater than or equal to 1"),
    ("nht.fetch", True, "nht", "'store' and 'fetch'"),
    ("volume.source", "guess", "volume.source", "'file' or 'history'"),
    ("volume.growth", -0.5, "volume.growth", "greater than 0"),
    ("volume.growth", {101: 1.1, 999: 1.2}, "volume.growth[999]", "not in skills"),
    ("volume.recency_decay", 1.5, "volume.recency_decay", "less than or equal to 1"),
    ("volume.path", "forecast.csv", "volume", "for source 'file'"),
    (
        "volume",
        {"source": "file", "path": "forecast.csv", "growth": 1.1},
        "volume",
        "'growth' scales the forecast from history",
    ),
    ("defaults.service_level.target", 1.5, "defaults.service_level.target", "less than 1"),
    (
        "defaults.service_level.answer_within_seconds",
        -5,
        "defaults.service_level.answer_within_seconds",
        "greater than or equal to 0",
    ),
    ("defaults.shrinkage", 1.0, "defaults.shrinkage.default", "less than 1"),
    ("defaults.max_occupancy", 0, "defaults.max_occupancy", "greater than 0"),
    ("defaults.fte_hours_per_week", "forty", "defaults.fte_hours_per_week", "number"),
    ("defaults.methd", "chat", "defaults.methd", "did you mean 'method'"),
    ("skills[0].method", "erlang_b", "skills[0].method", "'workload'"),
    ("skills[1].patience_seconds", _DELETE, "skills[1].patience_seconds", "erlang_a needs"),
    ("skills[2].max_concurrency", _DELETE, "skills[2].max_concurrency", "chat needs"),
    (
        "skills[2].handle_time_by_load_seconds",
        [600, 700],
        "skills[2].handle_time_by_load_seconds",
        "one value per load 1..3",
    ),
    ("skills[2].max_concurrency", 0, "skills[2].max_concurrency", "greater than or equal to 1"),
    ("skills[1].id", 101, "skills[1].id", "already used by skills[0]"),
    ("skills[1].name", "Sales", "skills[1].name", "already used"),
    ("skills[0].id", "abc", "skills[0].id", "integer"),
    ("skills[0].open_hours", {"mon": "09:00-09:00"}, "skills[0].open_hours.mon", "is empty"),
    (
        "skills[0].open_hours",
        {"mon": ["08:00-12:00", "11:00-13:00"]},
        "skills[0].open_hours.mon",
        "08:00-12:00 overlaps 11:00-13:00",
    ),
    (
        "skills[0].open_hours",
        {"monday": "09:00-17:00"},
        "skills[0].open_hours.monday",
        "unknown key",
    ),
    (
        "skills[0].shrinkage",
        {"default": 0.3, "by_weekday": {"fri": 0.3, "funday": 0.1}},
        "skills[0].shrinkage.by_weekday.funday (key)",
        "'mon'",
    ),
    (
        "skills[0].shrinkage",
        {"default": 0.3, "by_hour": {24: 0.1}},
        "skills[0].shrinkage.by_hour[24] (key)",
        "less than or equal to 23",
    ),
    ("skills[0].min_agents", -1, "skills[0].min_agents", "greater than or equal to 0"),
    ("skills[0].asa_seconds", 0, "skills[0].asa_seconds", "greater than 0"),
    ("skills[0].max_abandon", 2, "skills[0].max_abandon", "less than 1"),
    ("defaults.shrinkage", _DELETE, "skills[0].shrinkage", "required here or in defaults"),
    ("defaults.method", _DELETE, "skills[0].method", "no method"),
    ("skills", [], "skills", "at least 1"),
    ("output.pth", "x.xlsx", "output.pth", "did you mean 'path'"),
    ("extra_section", {"a": 1}, "extra_section", "unknown key"),
]


@pytest.mark.parametrize(
    ("key", "value", "path", "words"), BAD, ids=[b[0] + "=" + repr(b[1])[:20] for b in BAD]
)
def test_malformed_config_names_file_key_and_problem(tmp_path, key, value, path, words):
    data = copy.deepcopy(BASE)
    data.setdefault("output", {})
    _set(data, key, value)
    file = _write(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        load_config(file)
    lines = info.value.problems
    prefix = f"{file}: {path}:"
    hits = [line for line in lines if line.startswith(prefix)]
    assert hits, f"no problem names {prefix!r}: {lines}"
    assert any(words in line for line in hits), lines


def test_all_problems_are_reported_at_once(tmp_path):
    data = copy.deepcopy(BASE)
    data["plan"]["timezone"] = "Nowhere/Land"
    data["skills"][0]["service_level"] = {"target": 1.5, "answer_within_seconds": 10}
    data["skills"][1].pop("patience_seconds")
    data["volume"]["growth"] = {999: 1.1}
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, data))
    text = str(info.value)
    for path in (
        "plan.timezone",
        "skills[0].service_level.target",
        "skills[1].patience_seconds",
        "volume.growth[999]",
    ):
        assert f": {path}:" in text


def test_secret_in_unknown_key_is_never_echoed(tmp_path):
    data = copy.deepcopy(BASE)
    data["nht"] = {
        "source": "store",
        "fetch": True,
        "liveperson": {"account": "12345678", "app_secret": "S3CR3T-VALUE-xyz"},
    }
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, data))
    assert "nht.liveperson.app_secret: unknown key" in str(info.value)
    assert "S3CR3T" not in str(info.value) and "S3CR3T" not in repr(info.value.problems)


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
    first = load_config(_write(tmp_path, data))
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
    return (Path(__file__).resolve().parents[1] / "config" / "example.yaml").read_text()


def _load_text(tmp_path: Path, text: str):
    shutil.copytree(Path(__file__).resolve().parents[1] / "config", tmp_path / "config")
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


def test_a_password_in_domain_api_is_refused_and_never_echoed(tmp_path):
    data = copy.deepcopy(BASE)
    data["nht"] = {
        "source": "store",
        "fetch": True,
        "liveperson": {
            "account": "12345678",
            "domain_api": "https://me:S3CR3T-pw@api.liveperson.net",
        },
    }
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, data))
    assert "nht.liveperson.domain_api: must not hold a user name or password" in str(info.value)
    assert "S3CR3T" not in str(info.value)
