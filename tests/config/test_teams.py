"""The ``teams:`` section: agents holding several skills, checked against the skills."""

from __future__ import annotations

import pytest

import staffing
from staffing.errors import ConfigError

SKILLS = [
    {"id": 1, "name": "Voice A"},
    {"id": 2, "name": "Voice B", "method": "erlang_a", "patience_seconds": 120},
    {"id": 3, "name": "Chat A", "method": "chat", "max_concurrency": 3},
    {"id": 4, "name": "Chat B", "method": "chat", "max_concurrency": 3},
    {"id": 5, "name": "Workload", "method": "workload"},
    {"id": 6, "name": "Chat two", "method": "chat", "max_concurrency": 2},
]


def _config(teams, **defaults) -> dict:
    return {
        "plan": {"name": "teams", "start": "2026-03-02", "weeks": 1, "timezone": "UTC"},
        "nht": {"source": "store"},
        "volume": {"source": "history"},
        "defaults": {
            "method": "erlang_c",
            "service_level": {"target": 0.8, "answer_within_seconds": 20},
            "shrinkage": 0.3,
            "fte_hours_per_week": 40,
            "nht_seconds": 300,
            **defaults,
        },
        "skills": SKILLS,
        "teams": teams,
    }


def _problems(teams, **defaults) -> str:
    with pytest.raises(ConfigError) as caught:
        staffing.load_config(_config(teams, **defaults))
    return str(caught.value)


def test_teams_resolve_with_defaults():
    config = staffing.load_config(
        _config(
            [
                {"name": "Voice", "skills": [1, 2], "min_agents": 2},
                {"name": "Messaging", "skills": [3, 4], "max_concurrency": 3, "shrinkage": 0.4},
                {"name": "Overflow", "skills": [2]},  # skill 2 in two teams
            ],
            min_agents=1,
        )
    )
    voice, messaging, overflow = config.resolved_teams
    assert (voice.kind, voice.max_concurrency, voice.min_agents) == ("voice", 1, 2)
    assert voice.shrinkage.default == pytest.approx(0.3)  # from defaults
    assert (messaging.kind, messaging.max_concurrency) == ("chat", 3)
    assert messaging.shrinkage.default == pytest.approx(0.4)
    assert overflow.skill_ids == (2,) and overflow.min_agents == 1  # defaults.min_agents


def test_no_teams_is_an_empty_list():
    assert staffing.load_config(_config([])).resolved_teams == []


@pytest.mark.parametrize(
    ("teams", "expected"),
    [
        ([{"name": "T", "skills": []}], "teams[0].skills"),
        ([{"name": "T", "skills": [9]}], "teams[0].skills: skill 9 is not in skills"),
        ([{"name": "T", "skills": [1, 1]}], "teams[0].skills: skill 1 is listed twice"),
        (
            [{"name": "T", "skills": [1]}, {"name": "T", "skills": [2]}],
            "teams[1].name: name 'T' already used by teams[0]",
        ),
        (
            [{"name": "T", "skills": [1, 3], "max_concurrency": 3}],
            "voice skills [1] and chat skills [3] cannot share an agent",
        ),
        ([{"name": "T", "skills": [5]}], "skill 5 ('Workload') has method workload"),
        (
            [{"name": "T", "skills": [3, 4]}],
            "teams[0].max_concurrency: a team of chat skills needs",
        ),
        (
            [{"name": "T", "skills": [3, 6], "max_concurrency": 3}],
            "teams[0].max_concurrency: 3 disagrees with the max_concurrency of chat skills 6 (2)",
        ),
        (
            [{"name": "T", "skills": [1, 2], "max_concurrency": 2}],
            "teams[0].max_concurrency: voice skills [1, 2] take one contact per agent",
        ),
        ([{"name": "T", "skills": [1], "bogus": 1}], "teams[0].bogus"),
    ],
)
def test_bad_teams_are_named_by_key(teams, expected):
    assert expected in _problems(teams)


def test_a_team_needs_a_shrinkage_here_or_in_defaults():
    config = _config([{"name": "T", "skills": [1]}])
    del config["defaults"]["shrinkage"]
    for skill in config["skills"]:
        skill["shrinkage"] = 0.2
    with pytest.raises(ConfigError, match=r"teams\[0\]\.shrinkage: required"):
        staffing.load_config(config)


def test_a_period_scope_skill_cannot_be_in_a_team():
    config = _config([{"name": "T", "skills": [1]}])
    config["skills"] = [
        {
            "id": 1,
            "name": "Voice A",
            "service_level": {"target": 0.8, "answer_within_seconds": 20, "scope": "day"},
        }
    ]
    with pytest.raises(ConfigError, match=r"teams\[0\]\.skills: skill 1 .*scope day"):
        staffing.load_config(config)


def test_every_team_problem_is_reported_at_once():
    text = _problems([{"name": "T", "skills": [9]}, {"name": "U", "skills": [5]}])
    assert "teams[0].skills" in text and "teams[1].skills" in text


def test_a_skill_priority_resolves_and_defaults_to_zero():
    config = _config([{"name": "Voice", "skills": [1, 2]}])
    config["skills"] = [dict(SKILLS[0], priority=10), SKILLS[1]]
    first, second = staffing.load_config(config).resolved_skills
    assert (first.priority, second.priority) == (10, 0)
    config["skills"] = [dict(SKILLS[0], priority=-1), SKILLS[1]]
    with pytest.raises(ConfigError, match=r"skills\[0\]\.priority"):
        staffing.load_config(config)
