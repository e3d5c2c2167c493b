"""The analytic bounds of a teams staffing (staffing.teams_bounds)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from staffing import skill_queue
from staffing.teams_bounds import pooled_agents, pooled_queue, split_to_teams
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C

INTERVAL_S = 1800.0


def _erlang_c_agents(erlangs: float, handle_s: float, sl: float, within_s: float) -> int:
    """Fewest agents for a service level: Erlang B by its recursion, then Erlang C.

    Written out here from the textbook formulas (Gross & Harris, Fundamentals of
    Queueing Theory, 2.3), independent of staffing.queueing.
    """
    n = math.floor(erlangs) + 1
    while True:
        b = 1.0
        for m in range(1, n + 1):
            b = erlangs * b / (m + erlangs * b)
        c = n * b / (n - erlangs * (1 - b))
        if 1 - c * math.exp(-(n - erlangs) * within_s / handle_s) >= sl:
            return n
        n += 1


def _targets(n: int, **kw):
    base = {
        "service_level": [0.8] * n,
        "answer_within_s": [20.0] * n,
        "asa_s": [None] * n,
        "max_abandon": [None] * n,
        "max_occupancy": [None] * n,
        "patience_s": [None] * n,
    }
    return base | kw


@pytest.mark.parametrize(
    ("skills", "erlangs", "apart", "together"),
    # issue 20's figures (Erlang C, 80 % in 20 s, 300 s), checked by the formulas above
    [(4, 10.0, 56, 46), (6, 50.0, 342, 312), (10, 3.0, 60, 36)],
)
def test_pooled_bound_is_erlang_c_on_the_summed_volume(skills, erlangs, apart, together):
    volume = np.full((skills, 1), erlangs * INTERVAL_S / 300.0)
    handle = np.full((skills, 1), 300.0)
    pooled = pooled_agents([ERLANG_C] * skills, volume, handle, INTERVAL_S, **_targets(skills))
    alone = skills * _erlang_c_agents(erlangs, 300.0, 0.8, 20.0)
    assert (alone, _erlang_c_agents(skills * erlangs, 300.0, 0.8, 20.0)) == (apart, together)
    assert pooled[0] == together


def test_one_skill_pooled_is_its_own_staffing():
    rng = np.random.default_rng(5)
    volume = rng.uniform(0, 200, size=(1, 24))
    volume[0, :3] = 0
    handle = rng.uniform(200, 400, size=(1, 24))
    got = pooled_agents(
        [ERLANG_A],
        volume,
        handle,
        INTERVAL_S,
        **_targets(1, patience_s=[150.0], max_abandon=[0.05]),
    )
    busy = volume[0] > 0
    want = skill_queue.required_agents(
        ERLANG_A,
        volume=volume[0, busy],
        handle_time_s=handle[0, busy],
        interval_s=INTERVAL_S,
        service_level=np.full(busy.sum(), 0.8),
        answer_within_s=20.0,
        max_abandon=np.full(busy.sum(), 0.05),
        patience_s=150.0,
    )
    np.testing.assert_array_equal(got[busy], want)
    assert (got[~busy] == 0).all()


def test_pooled_queue_weights_handle_time_and_abandonment_by_volume():
    volume = np.array([[30.0, 0.0], [10.0, 0.0]])
    handle = np.array([[200.0, 200.0], [600.0, 600.0]])
    total, h, patience = pooled_queue(volume, handle, [100.0, None])
    assert total.tolist() == [40.0, 0.0]
    assert h[0] == pytest.approx((30 * 200 + 10 * 600) / 40)  # 300 s
    assert patience[0] == pytest.approx(1 / (0.75 / 100.0))  # a quarter never abandons
    assert h[1] == pytest.approx(400.0)  # no volume: the plain mean


def test_pooled_chat_of_equal_skills_is_chat_on_the_summed_volume():
    h = skill_queue.handle_times(CHAT, np.full(4, 600.0), 3)
    volume = np.array([[40.0, 80.0, 120.0, 5.0]] * 2)
    handle = np.stack([h, h])
    got = pooled_agents(
        [CHAT, CHAT], volume, handle, INTERVAL_S, **_targets(2, patience_s=[300.0] * 2)
    )
    want = skill_queue.required_agents(
        CHAT,
        volume=volume.sum(axis=0),
        handle_time_s=h,
        interval_s=INTERVAL_S,
        service_level=np.full(4, 0.8),
        answer_within_s=20.0,
        patience_s=300.0,
    )
    np.testing.assert_array_equal(got, want)


def test_the_strictest_skill_sets_the_pooled_bound():
    volume = np.full((2, 1), 120.0)
    handle = np.full((2, 1), 300.0)
    loose = pooled_agents([ERLANG_C] * 2, volume, handle, INTERVAL_S, **_targets(2))
    strict = pooled_agents(
        [ERLANG_C] * 2, volume, handle, INTERVAL_S, **_targets(2, service_level=[0.8, 0.95])
    )
    assert strict[0] == _erlang_c_agents(40.0, 300.0, 0.95, 20.0) > loose[0]


def test_split_to_teams_keeps_every_agent_and_splits_evenly():
    agents = np.array([[5, 0, 2], [3, 4, 1], [7, 7, 7]])
    membership = np.array([[True, False], [True, True], [False, False]])
    teams = split_to_teams(agents, membership)
    # skill 0 all to team 0; skill 1 split 2+1, 2+2, 1+0; skill 2 in no team
    assert teams.tolist() == [[5 + 2, 0 + 2, 2 + 1], [1, 2, 0]]
    assert teams.sum() == agents[:2].sum()
