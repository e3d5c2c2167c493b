"""Every bound the README's "Planning config reference" states, one named case each: the value
at the bound loads, the first value past it is refused with the key named."""

from __future__ import annotations

import copy

import pytest

from staffing.config import load_config
from staffing.errors import ConfigError

BASE = {
    "plan": {"name": "bounds", "start": "2026-03-02", "weeks": 1, "timezone": "UTC"},
    "nht": {"source": "store", "liveperson": {"account": "12345678"}},
    "volume": {"source": "history"},
    "defaults": {"method": "workload", "shrinkage": 0.3, "fte_hours_per_week": 40},
    "skills": [{"id": 1, "name": "A"}],
}


def _with(key: str, value):
    data = copy.deepcopy(BASE)
    node = data
    *path, last = key.split(".")
    for part in path:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    node[last] = value
    return data


# (README key, value at the bound (loads), value past it (refused), words of the refusal)
BOUNDS = [
    ("plan.weeks", 1, 0, "greater than or equal to 1"),  # "1 to 156"
    ("plan.weeks", 156, 157, "less than or equal to 156"),
    ("nht.history_weeks", 1, 0, "greater than or equal to 1"),  # "1 to 52"
    ("nht.history_weeks", 52, 53, "less than or equal to 52"),
    ("nht.liveperson.source", "x" * 20, "x" * 21, "20"),  # "at most 20 characters"
    ("volume.recency_decay", 1.0, 1.0001, "less than or equal to 1"),  # "in (0, 1]"
    ("volume.recency_decay", 1e-9, 0.0, "greater than 0"),
]


@pytest.mark.parametrize(
    ("key", "ok", "bad", "words"), BOUNDS, ids=[f"{b[0]}={b[1]!r:.8}" for b in BOUNDS]
)
def test_each_documented_bound(key, ok, bad, words):
    value = load_config(_with(key, ok))
    for part in key.split("."):
        value = getattr(value, part)
    assert value == ok
    with pytest.raises(ConfigError) as info:
        load_config(_with(key, bad))
    hits = [line for line in info.value.problems if key in line]
    assert hits and any(words in line for line in hits), info.value.problems


@pytest.mark.parametrize("minutes", [15, 30, 60])
def test_each_documented_interval_length_loads(minutes):
    # README: plan.interval_minutes "15, 30 or 60" (20 is refused in test_config).
    assert load_config(_with("plan.interval_minutes", minutes)).plan.interval_minutes == minutes


def test_a_156_week_plan_ends_156_weeks_after_its_start():
    config = load_config(_with("plan.weeks", 156))
    assert (config.plan.end_exclusive - config.plan.start).days == 156 * 7


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


def test_a_skill_without_fte_hours_names_the_key():
    data = copy.deepcopy(BASE)
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
        data = _with("defaults.method", method)
        data["defaults"].update(max_abandon=0.05, **extra)
        assert load_config(data).resolved_skills[0].max_abandon == 0.05
    data = _with("defaults.method", "erlang_c")
    data["defaults"]["max_abandon"] = 0.05
    with pytest.raises(ConfigError, match="method erlang_c needs at least one target"):
        load_config(data)


def test_open_hours_from_midnight_and_past_it_survive_overrides():
    # "00:00-06:00" is (0, 360) minutes and "22:00-02:00" crosses midnight into Wednesday;
    # overriding the horizon (the command line's --weeks) validates the parsed hours again.
    data = copy.deepcopy(BASE)
    data["skills"][0]["open_hours"] = {"mon": "00:00-06:00", "tue": "22:00-02:00"}
    first = load_config(data)
    again = load_config(first, overrides={"plan": {"weeks": 2}})
    assert again.plan.weeks == 2
    for config in (first, again):
        hours = config.resolved_skills[0].open_hours
        assert (hours.mon, hours.tue, hours.wed) == ([(0, 360)], [(1320, 1440)], [(0, 120)])


@pytest.mark.parametrize("value", [5, "0900"])
def test_malformed_open_hours_say_what_is_expected(value):
    data = copy.deepcopy(BASE)
    data["skills"][0]["open_hours"] = {"mon": value}
    with pytest.raises(ConfigError) as info:
        load_config(data)
    assert info.value.problems[0].startswith(
        "<dict>: skills[0].open_hours.mon: expected 'HH:MM-HH:MM', a list of them, 'closed' or "
        f"'24h' (got {value!r})"
    )
