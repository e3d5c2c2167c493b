"""Every problem named as ``<file>: <key path>: <what is wrong>``, all at once, never a secret."""

from __future__ import annotations

import copy

import pytest

from staffing.config import load_config
from staffing.errors import ConfigError
from tests.config.support import BASE, DELETE, set_key, write_config

# (key to change, new value, key path the message must name, words it must contain)
BAD = [
    ("plan.timezone", "Mars/Olympus", "plan.timezone", "unknown IANA"),
    ("plan.interval_minutes", 20, "plan.interval_minutes", "15"),
    ("plan.start", "2026-02-30", "plan.start", "date"),
    ("plan.weeks", 0, "plan.weeks", "greater than or equal to 1"),
    ("plan.weeks", True, "plan.weeks", "integer"),
    ("plan.end", "2026-04-01", "plan", "exactly one of 'weeks' or 'end'"),
    ("plan.name", DELETE, "plan.name", "missing"),
    ("plan.name", "../evil", "plan.name", "pattern"),
    ("plan.timezon", "UTC", "plan.timezon", "did you mean 'timezone'"),
    ("nht.source", "api", "nht.source", "'store', 'file' or 'none'"),
    ("nht.path", DELETE, "nht", "needs 'path'"),
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
    ("defaults.shrinkage", 1.0, "defaults.shrinkage", "less than 1"),
    ("defaults.max_occupancy", 0, "defaults.max_occupancy", "greater than 0"),
    ("defaults.fte_hours_per_week", "forty", "defaults.fte_hours_per_week", "number"),
    ("defaults.methd", "chat", "defaults.methd", "did you mean 'method'"),
    ("skills[0].method", "erlang_b", "skills[0].method", "'workload'"),
    ("skills[1].patience_seconds", DELETE, "skills[1].patience_seconds", "erlang_a needs"),
    ("skills[2].max_concurrency", DELETE, "skills[2].max_concurrency", "chat needs"),
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
    ("defaults.shrinkage", DELETE, "skills[0].shrinkage", "required here or in defaults"),
    ("defaults.method", DELETE, "skills[0].method", "no method"),
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
    set_key(data, key, value)
    file = write_config(tmp_path, data)
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
        load_config(write_config(tmp_path, data))
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
        load_config(write_config(tmp_path, data))
    assert "nht.liveperson.app_secret: unknown key" in str(info.value)
    assert "S3CR3T" not in str(info.value) and "S3CR3T" not in repr(info.value.problems)


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
        load_config(write_config(tmp_path, data))
    assert "nht.liveperson.domain_api: must not hold a user name or password" in str(info.value)
    assert "S3CR3T" not in str(info.value)
