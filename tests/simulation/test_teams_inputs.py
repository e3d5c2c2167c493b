"""TeamsInput: shapes checked on construction, each problem naming its field."""

from __future__ import annotations

import numpy as np
import pytest

from staffing.simulation.teams_inputs import TeamsInput
from tests.simulation.teams_cases import make_teams

VOLUME = np.array([[10.0, 20.0], [5.0, 0.0], [7.0, 7.0]])
MEMBERS = [[True, False], [True, True], [False, False]]


def test_defaults_and_derived_values():
    inputs = make_teams(VOLUME, 300.0, MEMBERS, agents=np.array([[1, 2], [3, 4]]))
    assert (inputs.n_skills, inputs.n_teams, inputs.n_intervals) == (3, 2, 2)
    assert inputs.handle_s.shape == (3, 2, 1)
    assert inputs.priority.tolist() == [0, 0, 0]
    assert inputs.min_agents.tolist() == [0, 0]
    assert inputs.handle_time == ("exponential",) * 3
    assert inputs.targets(0) == {"service_level": 0.8, "asa_s": None, "max_abandon": None}
    # skills 1 and 2 share team 2 (and team 1); skill 3 is in no team
    parts = [(s.tolist(), t.tolist()) for s, t in inputs.components()]
    assert parts == [([0, 1], [0, 1]), ([2], [])]
    sub = inputs.subset(np.array([1]), np.array([1]))
    assert sub.skill_ids == (2,) and sub.team_names == ("team 2",)
    assert sub.agents.tolist() == [[3, 4]]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"volume": np.zeros((2, 2))}, "volume"),
        ({"volume": -VOLUME}, "volume"),
        ({"handle_s": np.zeros((3, 2))}, "handle_s"),
        ({"membership": np.ones((3, 3), bool)}, "membership"),
        ({"membership": np.array([[True, False], [True, False], [False, False]])}, "no skill"),
        ({"agents": np.array([[1, -1], [0, 0]])}, "agents"),
        ({"agents": np.array([[1.5, 1], [0, 0]])}, "agents"),
        ({"max_concurrency": np.array([0, 1])}, "max_concurrency"),
        ({"skill_ids": (1, 1, 2)}, "skill_ids"),
        ({"patience_s": (0.0, None, None)}, "patience_s"),
        ({"handle_time": ("gamma", "exponential", "exponential")}, "handle_time"),
        ({"skill_names": ("a", "b")}, "skill_names"),
    ],
)
def test_bad_inputs_name_the_field(change, match):
    base = make_teams(VOLUME, 300.0, MEMBERS)
    fields = {name: getattr(base, name) for name in TeamsInput.__dataclass_fields__}
    with pytest.raises(ValueError, match=match):
        TeamsInput(**{**fields, **change})


def test_subset_keeps_every_field_of_the_chosen_skills_and_teams():
    """A component is the same input restricted to its skills and teams: every per-skill
    field follows the skills picked, every per-team field the teams picked."""
    volume = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    base = make_teams(
        volume,
        np.arange(1.0, 7.0).reshape(3, 2) * 100,
        [[True, False, False], [False, True, True], [True, False, True]],
        agents=np.array([[1, 2], [3, 4], [5, 6]]),
        max_concurrency=np.array([1, 2, 3]),
        priority=np.array([7, 8, 9]),
        skill_ids=(4, 5, 6),
    )
    fields = {name: getattr(base, name) for name in TeamsInput.__dataclass_fields__}
    full = TeamsInput(
        **{
            **fields,
            "methods": ("erlang_c", "erlang_a", "chat"),
            "patience_s": (None, 60.0, 90.0),
            "service_level_target": (0.8, 0.7, 0.6),
            "asa_s": (10.0, 20.0, 30.0),
            "max_abandon": (0.1, 0.2, 0.3),
            "answer_within_s": np.array([15.0, 25.0, 35.0]),
            "min_agents": np.array([0, 1, 2]),
            "handle_time": ("exponential", "lognormal", "lognormal"),
            "handle_time_cv": np.array([1.0, 0.5, 0.7]),
            "handle_s": np.full((3, 2, 3), 100.0) * np.array([1.0, 2.0, 3.0])[:, None, None],
        }
    )
    sub = full.subset(np.array([2, 0]), np.array([2, 0]))
    assert sub.skill_ids == (6, 4) and sub.skill_names == ("skill 3", "skill 1")
    assert sub.methods == ("chat", "erlang_c")
    np.testing.assert_array_equal(sub.volume, volume[[2, 0]])
    np.testing.assert_array_equal(sub.handle_s[:, 0, 0], [300.0, 100.0])
    assert sub.is_open.shape == (2, 2)
    np.testing.assert_array_equal(sub.answer_within_s, [35.0, 15.0])
    assert sub.patience_s == (90.0, None)
    assert sub.service_level_target == (0.6, 0.8) and sub.asa_s == (30.0, 10.0)
    assert sub.max_abandon == (0.3, 0.1)
    assert sub.team_names == ("team 3", "team 1")
    np.testing.assert_array_equal(sub.membership, [[True, True], [False, True]])
    np.testing.assert_array_equal(sub.max_concurrency, [3, 1])
    np.testing.assert_array_equal(sub.agents, [[5, 6], [1, 2]])
    np.testing.assert_array_equal(sub.min_agents, [2, 0])
    np.testing.assert_array_equal(sub.priority, [9, 7])
    assert sub.handle_time == ("lognormal", "exponential")
    np.testing.assert_array_equal(sub.handle_time_cv, [0.7, 1.0])
    assert sub.targets(0) == {"service_level": 0.6, "asa_s": 30.0, "max_abandon": 0.3}
    # erlang_c ignores the abandonment target
    assert sub.targets(1) == {"service_level": 0.8, "asa_s": 10.0, "max_abandon": None}
    bare = base.subset(np.array([1]), np.array([1]))
    assert bare.n_skills == 1 and bare.n_teams == 1 and bare.n_intervals == 2
    unstaffed = make_teams(volume, 100.0, [[True], [True], [True]]).subset(
        np.array([0]), np.array([0])
    )
    assert unstaffed.agents is None


def test_components_join_skills_through_chains_of_teams():
    # team 1 links skills 1 and 3, team 2 skills 2 and 3: one component; skill 4 alone
    # in team 3, skill 5 in no team
    inputs = make_teams(
        np.ones((5, 2)),
        300.0,
        [
            [True, False, False],
            [False, True, False],
            [True, True, False],
            [False, False, True],
            [False, False, False],
        ],
    )
    parts = [(s.tolist(), t.tolist()) for s, t in inputs.components()]
    assert parts == [([0, 1, 2], [0, 1]), ([3], [2]), ([4], [])]
    # the same when the chain is met in the other order
    other = make_teams(np.ones((3, 2)), 300.0, [[False, True], [True, True], [True, False]])
    assert [s.tolist() for s, _ in other.components()] == [[0, 1, 2]]


def test_with_agents_puts_the_staffing_on_the_same_skills_and_teams():
    inputs = make_teams(VOLUME, 300.0, MEMBERS)
    staffed = inputs.with_agents(np.array([[1, 2], [3, 4]]))
    assert inputs.agents is None
    np.testing.assert_array_equal(staffed.agents, [[1, 2], [3, 4]])
    assert staffed.agents.dtype == np.int64 and staffed.skill_ids == inputs.skill_ids


def test_a_queue_drained_past_closing_keeps_the_last_usable_handle_time():
    """Rule (docs/simulation.md, teams at closing with "drain"): a team stays until its
    skills' queues are empty, working on as before. A handle time of 0 or NaN is allowed
    where a skill has no volume; the drain then takes the skill's last usable handle time
    (before the fix: a ZeroDivisionError in the event loop)."""
    from staffing.simulation.teams import run_teams

    runs = []
    for closed in (600.0, 0.0, np.nan):
        inputs = make_teams(
            np.array([[30.0, 0.0, 0.0]]),
            np.array([[600.0, closed, closed]]),
            [[True]],
            agents=np.array([[1, 0, 0]]),
            interval_s=3600.0,
        )
        np.testing.assert_array_equal(inputs.handle_s[0, :, 0], [600.0, 600.0, 600.0])
        runs.append(run_teams(inputs, replications=2, seed=3).intervals)
    for other in runs[1:]:
        np.testing.assert_array_equal(other["asa_s_sim"], runs[0]["asa_s_sim"])
    # before the first usable interval: the first usable one's; a skill with none: 1 s;
    # each skill from its own intervals
    inputs = make_teams(
        np.array([[0.0, 0.0, 0.0], [0.0, 5.0, 0.0], [5.0, 0.0, 0.0]]),
        np.array([[0.0, 0.0, 0.0], [np.nan, 300.0, -1.0], [200.0, 0.0, 100.0]]),
        [[True], [True], [True]],
    )
    np.testing.assert_array_equal(
        inputs.handle_s[..., 0], [[1.0, 1.0, 1.0], [300.0, 300.0, 300.0], [200.0, 200.0, 100.0]]
    )
