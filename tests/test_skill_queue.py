"""A skill's queue (staffing.skill_queue): handle times by load, the method's engine call, and
the figures of given agents, against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from staffing import skill_queue
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C, WORKLOAD


def test_chat_handle_times_are_nht_times_the_load():
    # docs/models.md, the chat model: h_j = NHT x j for load j = 1..k when no list is given.
    h = skill_queue.handle_times(CHAT, [300.0, 120.0], max_concurrency=3)
    np.testing.assert_array_equal(h, [[300.0, 600.0, 900.0], [120.0, 240.0, 360.0]])


def test_a_measured_list_replaces_nht_times_the_load():
    h = skill_queue.handle_times(CHAT, [300.0, 120.0], 2, handle_time_by_load_s=(400.0, 700.0))
    np.testing.assert_array_equal(h, [[400.0, 700.0], [400.0, 700.0]])


@pytest.mark.parametrize("method", [WORKLOAD, ERLANG_C, ERLANG_A])
def test_a_voice_method_takes_the_nht_itself(method):
    np.testing.assert_array_equal(skill_queue.handle_times(method, [300, 45]), [300.0, 45.0])


def test_workload_is_the_offered_load_over_the_occupancy_cap():
    # 10 contacts x 360 s / 3600 s = 1 Erlang; at a cap of 0.8: ceil(1.25) = 2 agents,
    # with no cap ceil(1) = 1; 30 x 360 / 3600 = 3 Erlangs exactly stays 3 (no rounding up).
    agents = skill_queue.required_agents(
        WORKLOAD,
        volume=[10.0, 10.0, 30.0, 0.0],
        handle_time_s=360.0,
        interval_s=3600.0,
        max_occupancy=[0.8, np.nan, np.nan, np.nan],
    )
    np.testing.assert_array_equal(agents, [2.0, 1.0, 3.0, 0.0])


def test_erlang_c_agents_by_hand():
    # a = 10 x 180 / 3600 = 0.5 Erlang. One agent is M/M/1: P(wait) = rho = 0.5, so the
    # service level at 0 s is 0.5. Two agents: B(2, 0.5) = 0.125 / 1.625 = 1/13 and
    # C = 2B / (2 - 0.5 (1 - B)) = 0.1 (Erlang C formula), service level 0.9.
    agents = skill_queue.required_agents(
        ERLANG_C,
        volume=[10.0, 10.0],
        handle_time_s=180.0,
        interval_s=3600.0,
        service_level=[0.5, 0.6],
        answer_within_s=0.0,
    )
    np.testing.assert_array_equal(agents, [1.0, 2.0])


def test_evaluate_erlang_c_is_m_m_1_with_one_agent():
    # M/M/1 with lambda = 1/360 s^-1, mu = 1/180 s^-1: P(wait) = rho = 0.5, mean wait
    # Wq = lambda / (mu (mu - lambda)) = 180 s, occupancy rho = 0.5, no abandonment.
    out = skill_queue.evaluate(
        ERLANG_C, 1, volume=10.0, handle_time_s=180.0, interval_s=3600.0, answer_within_s=0.0
    )
    assert out["service_level"][0] == pytest.approx(0.5)
    assert out["asa_s"][0] == pytest.approx(180.0)
    assert out["occupancy"][0] == pytest.approx(0.5)
    assert out["p_abandon"][0] == 0.0


def test_workload_is_judged_with_erlang_c_or_with_erlang_a_where_it_has_a_patience():
    # 1 agent, a = 1 Erlang. Patience = NHT makes M/M/1+M a birth-death chain with death
    # rate n mu, so the number in system is Poisson(1): P(abandon) = E[(n-1)+] = e^-1.
    # Without a patience it is Erlang C: nobody abandons.
    out = skill_queue.evaluate(
        WORKLOAD,
        [1, 1],
        volume=10.0,
        handle_time_s=360.0,
        interval_s=3600.0,
        patience_s=[np.inf, 360.0],
    )
    assert out["p_abandon"][0] == 0.0
    assert out["p_abandon"][1] == pytest.approx(math.exp(-1))
    assert set(out) == set(skill_queue.QUEUE_FIGURES)


@pytest.mark.parametrize(
    ("method", "patience", "model"),
    [
        (WORKLOAD, None, ERLANG_C),
        (WORKLOAD, math.inf, ERLANG_C),
        (WORKLOAD, 120.0, ERLANG_A),
        (ERLANG_C, 120.0, ERLANG_C),
        (CHAT, None, CHAT),
    ],
)
def test_the_model_that_judges_a_method(method, patience, model):
    assert skill_queue.judging_model(method, patience) == model
