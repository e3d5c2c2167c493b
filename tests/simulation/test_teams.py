"""The teams simulation: the routing rule on a hand-made trace, the single-skill engine
reproduced by a team with one skill, components, and the same numbers on Dask."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from staffing.simulation.engine import run
from staffing.simulation.kernel_teams import TEAM_STATS, run_teams_loop
from staffing.simulation.teams import run_teams, simulate_staffings
from staffing.vocabulary import CHAT, ERLANG_A
from tests.simulation.teams_cases import as_skill, make_teams

SHARED = ["arrivals_sim", "service_level_sim", "service_level_ci", "asa_s_sim", "asa_s_ci"]
SHARED += ["p_abandon_sim", "p_abandon_ci", "target_missed"]


# --------------------------------------------------------------------------- routing


def trace(priority: tuple[int, int], compiled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Team 1 holds skill 0, team 2 skills 0 and 1; one agent each, two slots each.

    Every conversation takes work × 100 s whatever the load, so each contact's fate can be
    worked out by hand (see the tests)."""
    arrival_s = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    skill = np.array([0, 0, 1, 0, 0, 1])
    work = np.array([10.0, 20.0, 5.0, 10.0, 1.0, 1.0])
    return run_teams_loop(
        arrival_s,
        np.zeros(6, np.int64),
        skill,
        work,
        np.full(6, np.inf),
        np.array([[1], [1]]),
        np.full((2, 1, 2), 100.0),
        np.array([[True, True], [False, True]]),
        np.array([2, 2]),
        np.array(priority),
        3600.0,
        np.array([20.0, 20.0]),
        True,
        compiled=compiled,
    )


@pytest.mark.parametrize("compiled", [True, False])
def test_routing_rule_on_a_hand_made_trace(compiled):
    # By hand: c0 (t=1, skill 0) finds both agents idle: the tie goes to the team of lower
    # position, team 1 (ends 1001). c1 (t=2, skill 0): team 2 holds fewer (0 < 1): team 2
    # (ends 2002). c2 (t=3, skill 1): only team 2, slot free (ends 503). c3 (t=4, skill 0):
    # team 1 holds 1, team 2 is full: team 1 (ends 1004). c4 (skill 0, t=5) and c5
    # (skill 1, t=6) wait: every slot is full. At 503 team 2 frees a slot and takes the
    # longest waiting of its skills, c4 (wait 498, ends 603); at 603 it takes c5 (wait 597).
    stats, team = trace((0, 0), compiled)
    assert stats[:, 0, 0].tolist() == [4.0, 2.0]  # arrivals
    assert stats[:, 0, 1].tolist() == [4.0, 2.0]  # answered
    assert stats[:, 0, 2].tolist() == [3.0, 1.0]  # within 20 s
    assert stats[:, 0, 4] == pytest.approx([498.0, 597.0])  # summed waits [s]
    conversation = TEAM_STATS.index("conversation_s")
    busy = TEAM_STATS.index("busy_s")
    # team 1: c0 and c3, 1000 s each, busy 1 -> 1004; team 2: c1 2000, c2 500, c4 and c5 100
    assert team[:, 0, conversation] == pytest.approx([2000.0, 2700.0])
    assert team[:, 0, busy] == pytest.approx([1003.0, 2000.0])


def test_a_freed_slot_takes_the_higher_priority_skill_first():
    # Skill 1 has priority: at 503 team 2 takes c5 (wait 497, ends 603) before c4, which
    # waited longer; c4 then starts at 603 (wait 598).
    stats, _ = trace((0, 1))
    assert stats[:, 0, 4] == pytest.approx([598.0, 497.0])


# --------------------------------------------------------------------------- single skill


@pytest.mark.parametrize(("method", "k", "patience_s"), [(ERLANG_A, 1, 150.0), (CHAT, 3, 200.0)])
def test_a_team_with_one_skill_reproduces_the_single_skill_engine(method, k, patience_s):
    # Component key = the skill id and the same draws in the same order: the team's
    # simulation is the single-skill engine's contact for contact (its least-loaded chat
    # routing too), so the tables agree to rounding, not just within their 95 % CIs.
    n_t = 16
    volume = np.r_[np.zeros(2), np.full(12, 45.0), np.zeros(2)][None, :]
    handle = np.full((1, n_t, k), 300.0) * (1 + 0.25 * np.arange(k))
    agents = np.r_[0, 0, np.full(12, 9), 0, 0][None, :]
    inputs = make_teams(
        volume,
        handle if k > 1 else handle[..., 0],
        [[True]],
        agents=agents,
        method=method,
        patience_s=patience_s,
        max_abandon=0.1,
        max_concurrency=k,
        skill_ids=(42,),
    )
    teams = run_teams(inputs, replications=12, seed=5)
    alone = run([as_skill(inputs, 0, agents[0])], replications=12, seed=5)
    pd.testing.assert_frame_equal(teams.intervals[SHARED], alone.intervals[SHARED], atol=1e-9)
    pd.testing.assert_frame_equal(teams.daily, alone.daily, atol=1e-9)
    assert teams.contacts == alone.contacts
    occupancy = teams.teams["occupancy_sim"].to_numpy()
    assert np.all((occupancy[2:14] > 0) & (occupancy[2:14] <= 1))


# --------------------------------------------------------------------------- components


def two_components(agents=None):
    volume = np.array([[30.0] * 6, [20.0] * 6, [25.0] * 6])
    membership = [[True, True, False], [False, True, False], [False, False, True]]
    return make_teams(volume, 300.0, membership, agents=agents, skill_ids=(3, 8, 5))


def test_components_are_seeded_by_their_own_skills():
    # Skills 3 and 8 share team 2; skill 5 is alone. Its component's numbers do not
    # depend on the other component being simulated with it.
    agents = np.array([[3] * 6, [4] * 6, [6] * 6])
    inputs = two_components(agents)
    assert [c[0].tolist() for c in inputs.components()] == [[0, 1], [2]]
    both = run_teams(inputs, replications=4, seed=9)
    alone = run_teams(inputs.subset(np.array([2]), np.array([2])), replications=4, seed=9)
    pd.testing.assert_frame_equal(
        both.intervals[both.intervals.skill_id == 5].reset_index(drop=True)[SHARED],
        alone.intervals[SHARED],
    )
    assert list(both.intervals.skill_id.unique()) == [3, 8, 5]
    assert list(both.teams.team_name.unique()) == ["team 1", "team 2", "team 3"]


def test_more_agents_on_common_random_numbers_never_serve_worse_here():
    inputs = two_components()
    component = inputs.subset(np.array([0, 1]), np.array([0, 1]))
    base = np.array([[2] * 6, [3] * 6])
    counts = simulate_staffings([(component, [base, base + 1])], replications=6, seed=2)[0]
    assert counts.shape == (2, 2, 6, 5)
    np.testing.assert_array_equal(counts[0, ..., 0], counts[1, ..., 0])  # same arrivals
    assert counts[1, ..., 2].sum() > counts[0, ..., 2].sum()  # more answered within


# --------------------------------------------------------------------------- Dask


def test_identical_in_process_and_on_two_dask_workers():
    agents = np.array([[3] * 6, [4] * 6, [6] * 6])
    inputs = two_components(agents)
    local = run_teams(inputs, replications=12, seed=4)
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        remote = run_teams(inputs, replications=12, seed=4, client=client)
    assert remote.executor.startswith("Dask client")
    for name in ("intervals", "daily", "weekly", "teams"):
        pd.testing.assert_frame_equal(getattr(remote, name), getattr(local, name))


def test_run_teams_refuses_missing_agents():
    with pytest.raises(ValueError, match="agents"):
        run_teams(two_components(), replications=2)
