"""TeamsInput: what plain Python values become, and where a handle time must be usable.

Rules protected (:class:`staffing.simulation.teams_inputs.TeamsInput`, its Attributes and
``__post_init__``: "coerce the arrays and check every shape"): whatever sequences a caller
gives, the fields hold the documented types (``skill_ids`` and ``team_names`` tuples,
``volume`` (S, T) floats, ``is_open`` and ``membership`` bool, ``max_concurrency``,
``priority`` and ``min_agents`` int64), and a run on whole numbers or 0/1 flags is the run
on floats and bools. A handle time must be finite and > 0 wherever a skill has volume in
an open interval (any volume > 0, a fraction of a contact too); any value > 0 is usable
(also 1 s and below) and kept; only the unusable ones are filled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffing.simulation.teams import run_teams
from staffing.simulation.teams_inputs import TeamsInput
from tests.simulation.teams_cases import make_teams


def fields(inputs: TeamsInput) -> dict:
    return {name: getattr(inputs, name) for name in TeamsInput.__dataclass_fields__}


def floats() -> TeamsInput:
    """Two skills, two teams, three intervals, built from numpy floats and bools."""
    return make_teams(
        np.array([[4.0, 6.0, 2.0], [3.0, 0.0, 5.0]]),
        np.array([[300.0, 240.0, 360.0], [200.0, 200.0, 200.0]]),
        np.array([[True, False], [True, True]]),
        agents=np.array([[2, 3, 1], [1, 1, 2]]),
        max_concurrency=np.array([1, 2]),
        priority=np.array([1, 0]),
        skill_ids=(7, 3),
    )


def plain(inputs: TeamsInput) -> TeamsInput:
    """The same input given as Python lists: whole numbers, 0/1 flags."""
    return TeamsInput(
        **{
            **fields(inputs),
            "skill_ids": list(inputs.skill_ids),
            "team_names": list(inputs.team_names),
            "volume": inputs.volume.astype(int).tolist(),
            "handle_s": inputs.handle_s[..., 0].astype(int).tolist(),
            "is_open": inputs.is_open.astype(int).tolist(),
            "membership": inputs.membership.astype(int).tolist(),
            "max_concurrency": inputs.max_concurrency.astype(float).tolist(),
            "priority": inputs.priority.astype(float).tolist(),
            "min_agents": [1.0, 0.0],
            "agents": inputs.agents.tolist(),
            "answer_within_s": 20,
            "handle_time_cv": [1, 1],
        }
    )


def test_fields_hold_their_documented_types_whatever_the_caller_gives():
    """Rule: the Attributes' types, from lists of whole numbers and 0/1 flags."""
    given = plain(floats())
    assert given.skill_ids == (7, 3) and all(type(s) is int for s in given.skill_ids)
    assert given.team_names == ("team 1", "team 2")
    for name, dtype in (
        ("volume", np.float64),
        ("is_open", np.bool_),
        ("membership", np.bool_),
        ("max_concurrency", np.int64),
        ("priority", np.int64),
        ("min_agents", np.int64),
        ("agents", np.int64),
    ):
        value = getattr(given, name)
        assert isinstance(value, np.ndarray) and value.dtype == dtype, name
    np.testing.assert_array_equal(given.membership, [[True, False], [True, True]])
    np.testing.assert_array_equal(given.min_agents, [1, 0])
    # one skill's volume and open flags may be given flat: one row of T intervals
    one = make_teams(np.array([[5.0, 1.0]]), 300.0, [[True]])
    flat = TeamsInput(**{**fields(one), "volume": [5, 1], "is_open": [1, 0]})
    assert flat.volume.shape == (1, 2) and flat.volume.dtype == np.float64
    np.testing.assert_array_equal(flat.is_open, [[True, False]])


def test_a_run_on_whole_numbers_and_flags_is_the_run_on_floats_and_bools():
    """Rule: the tables do not depend on how the numbers were typed: the same figures,
    columns and dtypes (the volume column stays expected contacts, a float)."""
    base = floats()
    given = plain(base)
    base = TeamsInput(**{**fields(base), "min_agents": np.array([1, 0])})
    ours, theirs = run_teams(given, replications=3, seed=5), run_teams(base, replications=3, seed=5)
    for name in ("intervals", "daily", "weekly", "teams"):
        pd.testing.assert_frame_equal(getattr(theirs, name), getattr(ours, name))
    assert ours.intervals["volume"].dtype == np.float64
    # skill 3 is held by both teams: its agents are their sum (a 0/1 membership used as a
    # mask, not as row numbers)
    rows = ours.intervals[ours.intervals["skill_id"] == 3]
    np.testing.assert_array_equal(rows["agents"], [3, 4, 3])


def test_handle_times_of_a_second_and_below_are_kept():
    """Rule: any finite handle time > 0 is usable; where every interval's is usable, none
    is replaced (1 s and 0.5 s stay as given)."""
    inputs = make_teams(np.array([[2.0, 3.0, 1.0]]), np.array([[1.0, 0.5, 90.0]]), [[True]])
    np.testing.assert_array_equal(inputs.handle_s[0, :, 0], [1.0, 0.5, 90.0])


@pytest.mark.parametrize(
    ("volume", "handle"),
    [
        ([1.0, 2.0], [0.0, 60.0]),  # one contact, no handle time
        ([0.25, 2.0], [0.0, 60.0]),  # a quarter of a contact is volume too
        ([2.0, 2.0], [np.nan, 60.0]),  # not finite
        ([2.0, 2.0], [np.inf, 60.0]),
        ([2.0, 2.0], [-5.0, 60.0]),
    ],
)
def test_an_unusable_handle_time_where_there_is_volume_is_refused(volume, handle):
    """Rule: "handle_s must be finite and > 0 where a skill has volume"."""
    with pytest.raises(ValueError, match="handle_s must be finite and > 0 where a skill has"):
        make_teams(np.array([volume]), np.array([handle]), [[True]])


def test_an_unusable_handle_time_without_volume_takes_a_usable_one():
    """Rule (``_usable_handle`` via the constructor): where a skill has no volume, or its
    interval is closed, an unusable handle time is allowed and replaced by the last
    usable interval's (the first usable one's before any); usable ones are kept."""
    inputs = make_teams(
        np.array([[0.0, 2.0, 0.0, 0.0, 3.0]]),
        np.array([[np.nan, 2.0, 0.0, np.inf, 7.0]]),
        [[True]],
    )
    np.testing.assert_array_equal(inputs.handle_s[0, :, 0], [2.0, 2.0, 2.0, 2.0, 7.0])
    closed = TeamsInput(
        **{
            **fields(make_teams(np.array([[2.0, 2.0]]), 60.0, [[True]])),
            "handle_s": np.array([[0.0, 60.0]]),
            "is_open": np.array([[False, True]]),
        }
    )
    np.testing.assert_array_equal(closed.handle_s[0, :, 0], [60.0, 60.0])
