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
