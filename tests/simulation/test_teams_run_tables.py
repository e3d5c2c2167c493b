"""run_teams: the tables' row order across components, and a run with nothing to simulate.

Rules protected (:func:`staffing.simulation.teams.run_teams`, :class:`TeamsRun`): the
per-skill tables list the skills in the input's order (not by id, not by component), each
skill's intervals in time order, whatever order the components are simulated in; the team
table lists the teams of each component in turn; an input with no skill runs no task and
gives empty tables (no error).
"""

from __future__ import annotations

import numpy as np

from staffing.simulation.teams import run_teams
from tests.simulation.teams_cases import make_teams

#: Skills 9 and 5 share team A; skill 2 (between them) is alone in team B: the components
#: are {9, 5} and {2}, simulated in that order.
MEMBERS = [[True, False], [False, True], [True, False]]
IDS = (9, 2, 5)
N_T = 6


def test_skills_keep_the_input_order_and_their_intervals_the_time_order():
    volume = np.array([[3.0] * N_T, [2.0] * N_T, [4.0] * N_T])
    inputs = make_teams(volume, 300.0, MEMBERS, agents=np.full((2, N_T), 2), skill_ids=IDS)
    parts = [[inputs.skill_ids[int(s)] for s in skills] for skills, _ in inputs.components()]
    assert parts == [[9, 5], [2]]  # simulated out of the input's order
    done = run_teams(inputs, replications=2, seed=3)
    table = done.intervals
    assert list(table["skill_id"]) == [sid for sid in IDS for _ in range(N_T)]
    starts = list(inputs.interval_start)
    for sid in IDS:
        assert list(table.loc[table["skill_id"] == sid, "interval_start"]) == starts
    assert list(table.index) == list(range(3 * N_T))
    for name in ("daily", "weekly"):
        assert list(getattr(done, name)["skill_id"]) == list(IDS)  # one day, one week
    teams = done.teams
    assert list(teams["team_name"]) == ["team 1"] * N_T + ["team 2"] * N_T
    assert list(teams.index) == list(range(2 * N_T))


def test_no_skill_runs_no_task_and_gives_empty_tables():
    inputs = make_teams(np.zeros((0, 3)), 300.0, np.zeros((0, 0), bool), agents=np.zeros((0, 3)))
    done = run_teams(inputs, replications=2)
    for name in ("intervals", "daily", "weekly", "teams"):
        assert getattr(done, name).empty, name
    assert (done.tasks, done.contacts, done.horizon) == (0, 0, {})
