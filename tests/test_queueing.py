"""Tests of staffing.queueing against published values, mpmath and simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing import queueing
from tests import mp_reference as ref
from tests.reference_simulation import simulate

# ----------------------------------------------------------------------------- exact cases


def test_erlang_b_small_exact_cases():
    # B(1, 1) = a/(1+a) = 1/2; B(2, 1) = (1/2)/(1 + 1 + 1/2) = 1/5 (the sum formula by hand).
    assert queueing.erlang_b(1, 1.0) == pytest.approx(0.5, rel=1e-15)
    assert queueing.erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-15)
    # Zero servers block everything; zero load blocks nothing.
    assert queueing.erlang_b(0, 3.0) == 1.0
    assert queueing.erlang_b(0, 1.0) == 1.0
    assert queueing.erlang_b(5, 0.0) == 0.0


def test_erlang_c_with_one_agent_is_mm1():
    # M/M/1: P(wait) = rho, and the Erlang C ASA is rho h / (1 - rho) (Gans et al. 2003, s.4).
    rho = np.array([0.1, 0.5, 0.9])
    assert queueing.erlang_c(1, rho) == pytest.approx(rho, rel=1e-14)
    res = queueing.evaluate("erlang_c", 1, volume=rho * 3600 / 300, handle_time_s=300)
    assert res["asa_s"] == pytest.approx(rho * 300 / (1 - rho), rel=1e-13)


def test_erlang_b_published_table():
    # Standard Erlang B table (e.g. Cooper, Introduction to Queueing Theory, 1981, Table I;
    # ITU-T E.800 traffic tables): at 1% blocking, 10 trunks carry 4.461 Erlangs and
    # 100 trunks carry 84.06 Erlangs. Table values are rounded, hence the tolerance.
    assert queueing.erlang_b(10, 4.461) == pytest.approx(0.01, abs=2e-5)
    assert queueing.erlang_b(100, 84.06) == pytest.approx(0.01, abs=2e-5)


def test_erlang_c_worked_example():
    # The worked example used across WFM texts and pyworkforce's documentation: 100 calls in
    # 30 minutes, AHT 180 s, 80% in 20 s -> 10 Erlangs and 14 agents; with 14 agents
    # P(wait) = 0.1741 and service level 0.8884 (mpmath below confirms all digits).
    n = queueing.required_agents(
        "erlang_c",
        volume=100,
        handle_time_s=180,
        interval_s=1800,
        service_level=0.8,
        answer_within_s=20,
    )
    assert n == 14
    res = queueing.evaluate(
        "erlang_c", 14, volume=100, handle_time_s=180, interval_s=1800, answer_within_s=20
    )
    exact = ref.erlang_c_metrics(14, 100 / 1800, 180, 20)
    assert res["p_wait"] == pytest.approx(float(exact["p_wait"]), rel=1e-12)
    assert res["service_level"] == pytest.approx(float(exact["service_level"]), rel=1e-12)
    assert round(float(res["p_wait"]), 4) == 0.1741
    assert round(float(res["service_level"]), 4) == 0.8884
    # 13 agents miss the target, so 14 is the smallest.
    res13 = queueing.evaluate(
        "erlang_c", 13, volume=100, handle_time_s=180, interval_s=1800, answer_within_s=20
    )
    assert res13["service_level"] < 0.8


# ----------------------------------------------------------------------------- mpmath grids

LOADS = [0.01, 0.37, 2.5, 10.0, 87.3, 999.5, 10_000.0, 20_000.0]


def _agent_grid(a):
    root = math.sqrt(a)
    return sorted(
        {
            math.floor(a) + 1,
            a + 0.5,  # fractional agents
            a + root,
            math.ceil(a + 3 * root) + 0.25,
            a + 1.7,
        }
    )


@pytest.mark.parametrize("a", LOADS)
def test_erlang_b_and_c_match_mpmath(a):
    # Independent 40-digit computation of B(x, a) = a^x e^-a / Gamma(x+1, a) (mp_reference).
    agents = np.array([*_agent_grid(a), max(a / 2, 0.3), a * 0.9 + 0.1])
    got_b = queueing.erlang_b(agents, a)
    got_c = queueing.erlang_c(agents, a)
    for n, gb, gc in zip(agents, got_b, got_c, strict=True):
        assert gb == pytest.approx(float(ref.erlang_b(n, a)), rel=1e-9), (n, a)
        if n > a:
            assert gc == pytest.approx(float(ref.erlang_c(n, a)), rel=1e-9), (n, a)
        else:
            assert gc == 1.0
    assert np.all(np.isfinite(got_b))


@pytest.mark.parametrize("a", [0.37, 10.0, 999.5, 20_000.0])
def test_erlang_c_metrics_match_mpmath(a):
    h, t = 240.0, 20.0
    lam = a / h
    agents = np.array(_agent_grid(a))
    res = queueing.evaluate(
        "erlang_c", agents, volume=lam * 3600, handle_time_s=h, answer_within_s=t
    )
    for i, n in enumerate(agents):
        exact = ref.erlang_c_metrics(n, lam, h, t)
        for key in ("p_wait", "service_level", "asa_s", "occupancy"):
            assert res[key][i] == pytest.approx(float(exact[key]), rel=1e-9), (key, n, a)


# (model, agents, volume per hour, handle times, patience, answer within): light, heavy,
# overloaded, tiny and k = 2, 3 cases.
CHAIN_CASES = [
    ("erlang_a", 10, 100, [360], 300, 20),
    ("erlang_a", 3, 100, [360], 300, 20),
    ("erlang_a", 1, 5, [600], 60, 10),
    ("erlang_a", 50, 1000, [180], 120, 30),
    ("erlang_a", 60, 1000, [180], 1200, 30),
    ("erlang_a", 30, 1000, [180], 1200, 30),
    ("erlang_a", 5, 2, [300], 100, 20),
    ("erlang_a", 980, 20000, [180], 300, 20),  # 1,000 Erlangs, understaffed
    ("chat", 4, 100, [360, 720, 1080], 300, 20),
    ("chat", 12, 100, [360, 720, 1080], 300, 20),
    ("chat", 6, 100, [200, 300, 450], 300, 20),
    ("chat", 6, 100, [200, 300], None, 20),
    ("chat", 3, 40, [300, 500, 800], 600, 60),
    ("chat", 20, 400, [300, 700], 600, 60),
    ("chat", 7, 120, [300, 500, 650, 900], 240, 30),
]


@pytest.mark.parametrize("case", CHAIN_CASES, ids=lambda c: f"{c[0]}-n{c[1]}-v{c[2]}-k{len(c[3])}")
def test_chain_models_match_state_by_state_mpmath(case):
    # mp_reference sums the birth-death chain state by state at 40 digits and gets the
    # answered-within-t probability by uniformisation: no closed form shared with the engine.
    model, n, vol, hs, theta, t = case
    lam = vol / 3600
    exact = ref.chain_metrics(n, lam, hs, theta, t)
    got = queueing.evaluate(
        model,
        n,
        volume=vol,
        handle_time_s=hs if model == "chat" else hs[0],
        answer_within_s=t,
        patience_s=theta,
    )
    keys = ["p_wait", "p_abandon", "service_level", "asa_s", "occupancy"]
    if model == "chat":
        keys.append("mean_concurrency")
    for key in keys:
        want = exact["occupancy_erlang_a" if (key == "occupancy" and model == "erlang_a") else key]
        # 1e-9 relative, or 1e-15 absolute for values that are themselves ~1e-14.
        assert float(got[key]) == pytest.approx(float(want), rel=1e-9, abs=1e-15), key


def test_chat_with_one_slot_is_erlang_a_and_erlang_c():
    # The definition: with k = 1 the chat model is exactly Erlang A (Erlang C without patience).
    kw = dict(volume=150, handle_time_s=300, answer_within_s=20)
    agents = np.arange(13, 20)
    chat_a = queueing.evaluate("chat", agents, **{**kw, "handle_time_s": [300]}, patience_s=200)
    erl_a = queueing.evaluate("erlang_a", agents, **kw, patience_s=200)
    chat_c = queueing.evaluate("chat", agents, **{**kw, "handle_time_s": [300]})
    erl_c = queueing.evaluate("erlang_c", agents, **kw)
    for key in ("p_wait", "service_level", "asa_s", "p_abandon", "occupancy"):
        np.testing.assert_allclose(chat_a[key], erl_a[key], rtol=1e-12)
        np.testing.assert_allclose(chat_c[key], erl_c[key], rtol=1e-12)


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    kw = dict(volume=400, handle_time_s=240, answer_within_s=20)
    agents = np.array([28, 30, 35])
    erl_c = queueing.evaluate("erlang_c", agents, **kw)
    gaps = []
    for theta in (1e3, 1e5, 1e7):
        erl_a = queueing.evaluate("erlang_a", agents, **kw, patience_s=theta)
        gaps.append(np.max(np.abs(erl_a["service_level"] - erl_c["service_level"])))
        assert np.all(erl_a["p_abandon"] < 240 * 30 / theta)
    assert gaps[0] > gaps[1] > gaps[2]
    # Far from the limit the gap shrinks like 1/theta (first-order effect of abandonment):
    # 100x more patience, about 100x smaller gap (0.0085 -> 9.1e-5 here, both confirmed
    # against mp_reference at theta = 1e5).
    assert 50 < gaps[1] / gaps[2] < 200
    assert gaps[2] < 2e-4


# ----------------------------------------------------------------------------- simulation

SIM_CASES = [
    # (agents, handle times, volume per hour, patience, answer within)
    (10, [360], 100, 300, 20),  # Erlang A, moderate load
    (45, [180], 1000, 120, 30),  # Erlang A, overloaded with abandonment
    (6, [200, 300], 100, 300, 20),  # chat k = 2
    (4, [360, 720, 1080], 100, 300, 20),  # chat k = 3, NHT x j, heavy abandonment
    (5, [300, 500, 800], 150, 600, 60),  # chat k = 3
]


@pytest.mark.parametrize("case", SIM_CASES, ids=lambda c: f"n{c[0]}-k{len(c[1])}-v{c[2]}")
def test_models_agree_with_discrete_event_simulation(case):
    # tests/simulation.py follows every contact (own patience deadline, FCFS queue, wait on the
    # clock). Fixed seed, 120,000 arrivals, 20 batch means: the model must sit within 4.5
    # standard errors (plus 0.002 for the abandon/service shares) of the simulated mean.
    n, hs, vol, theta, t = case
    model = "chat" if len(hs) > 1 else "erlang_a"
    sim = simulate(n, hs, vol / 3600, theta, t, arrivals=120_000, seed=7)
    got = queueing.evaluate(
        model,
        n,
        volume=vol,
        handle_time_s=hs if model == "chat" else hs[0],
        answer_within_s=t,
        patience_s=theta,
    )
    for key, (mean, se) in sim.items():
        slack = 0.002 if key != "asa_s" else 0.0
        assert abs(float(got[key]) - mean) <= 4.5 * se + slack, (key, float(got[key]), mean, se)


# ----------------------------------------------------------------------------- required agents


def test_required_agents_is_the_smallest_meeting_every_target():
    rng = np.random.default_rng(3)
    vol = rng.uniform(1, 800, 300)
    h = rng.uniform(60, 900, 300)
    targets = dict(service_level=0.8, answer_within_s=20, max_occupancy=0.9, asa_s=30)
    for model, extra in (("erlang_c", {}), ("erlang_a", {"patience_s": 200})):
        n = queueing.required_agents(model, volume=vol, handle_time_s=h, **targets, **extra)
        at = queueing.evaluate(model, n, volume=vol, handle_time_s=h, answer_within_s=20, **extra)
        below = queueing.evaluate(
            model, n - 1, volume=vol, handle_time_s=h, answer_within_s=20, **extra
        )
        assert np.all(at["service_level"] >= 0.8 - 1e-12)
        assert np.all(at["occupancy"] <= 0.9 + 1e-12)
        assert np.all(at["asa_s"] <= 30 + 1e-9)
        fails = (below["service_level"] < 0.8) | (below["occupancy"] > 0.9) | (below["asa_s"] > 30)
        if model == "erlang_c":
            fails |= (n - 1) <= vol * h / 3600
        assert np.all(fails), model


def test_required_agents_chat_and_abandon_target():
    hs = np.array([240.0, 420.0, 600.0])
    vol = np.array([20.0, 150.0, 600.0])
    n = queueing.required_agents(
        "chat",
        volume=vol,
        handle_time_s=hs,
        patience_s=300,
        service_level=0.85,
        answer_within_s=30,
        max_abandon=0.03,
    )
    at = queueing.evaluate(
        "chat", n, volume=vol, handle_time_s=hs, answer_within_s=30, patience_s=300
    )
    below = queueing.evaluate(
        "chat", n - 1, volume=vol, handle_time_s=hs, answer_within_s=30, patience_s=300
    )
    assert np.all((at["service_level"] >= 0.85) & (at["p_abandon"] <= 0.03))
    assert np.all((below["service_level"] < 0.85) | (below["p_abandon"] > 0.03))


def test_required_agents_real_valued_erlang_c_hits_the_target():
    vol, h = np.array([100.0, 2500.0]), np.array([180.0, 400.0])
    whole = queueing.required_agents(
        "erlang_c",
        volume=vol,
        handle_time_s=h,
        interval_s=1800,
        service_level=0.8,
        answer_within_s=20,
    )
    real = queueing.required_agents(
        "erlang_c",
        volume=vol,
        handle_time_s=h,
        interval_s=1800,
        service_level=0.8,
        answer_within_s=20,
        integer=False,
    )
    assert np.all((real > whole - 1) & (real <= whole))
    sl = queueing.evaluate(
        "erlang_c", real, volume=vol, handle_time_s=h, interval_s=1800, answer_within_s=20
    )["service_level"]
    np.testing.assert_allclose(sl, 0.8, rtol=1e-9)


def test_zero_volume_needs_no_agents_and_extreme_targets_stay_consistent():
    n = queueing.required_agents(
        "erlang_a",
        volume=[0, 50],
        handle_time_s=300,
        patience_s=60,
        service_level=[0.8, 1.0],
        answer_within_s=20,
    )
    assert n[0] == 0
    # SL 1 is met only to the 1e-12 relative tolerance of the comparison; whatever n that
    # gives, n meets it and n - 1 does not.
    res = queueing.evaluate(
        "erlang_a",
        [n[1], n[1] - 1],
        volume=50,
        handle_time_s=300,
        patience_s=60,
        answer_within_s=20,
    )
    assert res["service_level"][0] >= 1 - 1e-12 > res["service_level"][1]


def test_unstable_cells_follow_the_convention():
    # Definitions: n <= a without patience -> p_wait 1, SL 0, ASA inf, occupancy 1.
    res = queueing.evaluate("erlang_c", [5, 10], volume=360, handle_time_s=100)  # a = 10
    assert list(res["p_wait"]) == [1.0, 1.0]
    assert list(res["service_level"]) == [0.0, 0.0]
    assert list(res["asa_s"]) == [np.inf, np.inf]
    assert list(res["occupancy"]) == [1.0, 1.0]
    chat = queueing.evaluate("chat", 3, volume=360, handle_time_s=[100, 200, 300])  # 3k/h3 < lam
    assert chat["p_wait"] == 1.0 and chat["asa_s"] == np.inf
    # required_agents never returns an unstable staffing, even with only an abandon target
    n = queueing.required_agents("chat", volume=360, handle_time_s=[100, 200, 300], max_abandon=0.5)
    assert n * 3 / 300 > 0.1


def test_zero_volume_metrics():
    res = queueing.evaluate(
        "erlang_a", 3, volume=0, handle_time_s=300, patience_s=60, answer_within_s=20
    )
    assert (res.p_wait, res.service_level, res.asa_s, res.occupancy) == (0.0, 1.0, 0.0, 0.0)


# ----------------------------------------------------------------------------- shapes and types


def test_inputs_broadcast_and_series_work():
    vol = pd.Series([50.0, 100.0, 200.0])
    n = queueing.required_agents(
        "erlang_c", volume=vol, handle_time_s=300, service_level=0.8, answer_within_s=20
    )
    assert isinstance(n, np.ndarray) and n.shape == (3,)
    grid = queueing.required_agents(
        "erlang_c",
        volume=vol.to_numpy()[:, None],
        handle_time_s=np.array([200.0, 300.0]),
        service_level=0.8,
        answer_within_s=20,
    )
    assert grid.shape == (3, 2)
    assert grid[:, 1].tolist() == n.tolist()
    chat = queueing.evaluate(
        "chat",
        np.array([[5], [6]]),
        volume=[100, 120],
        handle_time_s=[[300, 500], [300, 500]],
        patience_s=300,
    )
    assert chat["mean_concurrency"].shape == (2, 2)
    assert queueing.evaluate("erlang_c", 3, volume=10, handle_time_s=300).occupancy.shape == ()


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(volume=-1, handle_time_s=300), "volume"),
        (dict(volume=10, handle_time_s=0), "handle_time_s"),
        (dict(volume=float("nan"), handle_time_s=300), "volume"),
        (dict(volume=10, handle_time_s=300, service_level=1.2), "service_level"),
        (dict(volume=10, handle_time_s=300, service_level=0.0), "service_level"),
        (dict(volume=10, handle_time_s=300, service_level=float("nan")), "service_level"),
        (dict(volume=[1, 2, 3], handle_time_s=[300, 200]), "shapes"),
        (dict(volume=10, handle_time_s=300, max_occupancy=0), "max_occupancy"),
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    kwargs.setdefault("service_level", 0.8)
    with pytest.raises(ValueError, match=name):
        queueing.required_agents("erlang_c", **kwargs)


def test_unknown_model_lists_the_valid_ones():
    with pytest.raises(ValueError, match="erlang_c, erlang_a, chat"):
        queueing.evaluate("erlang_x", 3, volume=10, handle_time_s=300)


# ----------------------------------------------------------------------------- properties

volumes = st.floats(1, 3000)
handles = st.floats(30, 1500)


# The monotonicity property lives in tests/test_queueing_properties.py (draws near the
# target, where the service level is neither 0 nor 1).


@settings(max_examples=40, deadline=None)
@given(vol=volumes, h=handles, sl=st.floats(0.5, 0.95), k=st.integers(1, 3))
def test_required_agents_minimal_property(vol, h, sl, k):
    hs = [h * (1 + 0.4 * j) for j in range(k)]
    n = queueing.required_agents(
        "chat", volume=vol, handle_time_s=hs, patience_s=240, service_level=sl, answer_within_s=30
    )
    at = queueing.evaluate(
        "chat", [n, max(n - 1, 0)], volume=vol, handle_time_s=hs, patience_s=240, answer_within_s=30
    )
    assert at["service_level"][0] >= sl - 1e-12
    assert n == 0 or at["service_level"][1] < sl


# ----------------------------------------------------------------------------- hostile inputs
# Issue 10 (bounded engine time) and issue 11 (no silent NaN). No timed assertions: each
# case below ran for seconds to forever before and runs in milliseconds now.


def _meets_and_one_less_fails(model, n, **kw):
    targets = {key: kw.pop(key) for key in ("service_level", "asa_s") if key in kw}
    res = queueing.evaluate(model, [n, n - 1], **kw)
    ok = np.ones(2, dtype=bool)
    if "service_level" in targets:
        ok &= res["service_level"] >= targets["service_level"] * (1 - 1e-12)
    if "asa_s" in targets:
        ok &= res["asa_s"] <= targets["asa_s"] * (1 + 1e-12)
    return bool(ok[0]) and not bool(ok[1])


@pytest.mark.parametrize("volume", [1e6, 3e6, 1e7])
def test_huge_erlang_a_loads_are_solved_minimally(volume):
    # Issue 10: erlang_a required_agents at 1e6 contacts/hour took 18 s, 3e6 took 56 s, and
    # a plan interval of 1e7 contacts ran past 180 s (a series over every state of the
    # overloaded block). The answer must still be the smallest staffing meeting the target.
    kw = dict(volume=volume, handle_time_s=300, patience_s=60, answer_within_s=20)
    n = float(queueing.required_agents("erlang_a", service_level=0.8, **kw))
    assert np.isfinite(n)
    assert _meets_and_one_less_fails("erlang_a", n, service_level=0.8, **kw)
    kw["patience_s"] = 180
    n = float(queueing.required_agents("erlang_a", service_level=0.8, asa_s=30, **kw))
    assert _meets_and_one_less_fails("erlang_a", n, service_level=0.8, asa_s=30, **kw)


@pytest.mark.parametrize(
    ("n", "volume", "theta"),
    [
        (10, 100, 3e11 / 1.001),  # stable, just below the long-patience switch
        (100, 1000, 3e10 / 1.001),
        (1000, 11000, 3e9 / 1.001),  # 917 Erlangs, rho 0.92
        (30, 1000, 3.6e10 / 1.001),  # overloaded: queue of ~1e10 contacts
        (1000, 11000, 3e5),  # large load, ordinary patience
        (700, 11000, 600),  # overloaded, ordinary patience
    ],
)
def test_large_chains_match_the_closed_form_oracle(n, volume, theta):
    # Chains far too long for the state-by-state oracle: mp_reference.erlang_a_closed sums
    # their blocks with mpmath's incomplete gamma at 40 digits.
    lam = volume / 3600
    got = queueing.evaluate(
        "erlang_a", n, volume=volume, handle_time_s=300, patience_s=theta, answer_within_s=20
    )
    want = ref.erlang_a_closed(n, lam, 300, theta)
    assert float(got["p_wait"]) == pytest.approx(float(want["p_wait"]), rel=1e-9)
    assert float(got["p_abandon"]) == pytest.approx(float(want["p_abandon"]), rel=1e-9)


@pytest.mark.parametrize(("n", "volume"), [(10, 100), (100, 1000), (1000, 11000)])
def test_long_patience_switch_to_erlang_c_is_continuous(n, volume):
    # Issue 11: "very long patience is Erlang C". The switch happens where
    # max(lambda, mu) * theta passes queueing.PATIENCE_LIMIT (1e10); just above it the
    # figures are Erlang C, and they agree with the exact Erlang A oracle at that patience
    # (the gap is of order 1 / (mu theta (1 - rho)^2), measured up to 1.3e-8 here).
    lam, mu = volume / 3600, n / 300
    switch = queueing.PATIENCE_LIMIT / max(lam, mu)
    for theta in (switch / 1.001, switch * 1.001):
        got = queueing.evaluate(
            "erlang_a", n, volume=volume, handle_time_s=300, patience_s=theta, answer_within_s=20
        )
        want = ref.erlang_a_closed(n, lam, 300, theta)
        assert float(got["p_wait"]) == pytest.approx(float(want["p_wait"]), rel=5e-8)
        assert float(got["p_abandon"]) == pytest.approx(float(want["p_abandon"]), rel=5e-8)
    above = queueing.evaluate(
        "erlang_a",
        n,
        volume=volume,
        handle_time_s=300,
        patience_s=switch * 1.001,
        answer_within_s=20,
    )
    erl_c = queueing.evaluate("erlang_c", n, volume=volume, handle_time_s=300, answer_within_s=20)
    for key in ("p_wait", "service_level", "asa_s"):
        assert float(above[key]) == pytest.approx(float(erl_c[key]), rel=1e-15)
    # p_abandon keeps its first-order term E[wait] / theta, so occupancy moves by ~1e-10.
    assert float(above["occupancy"]) == pytest.approx(float(erl_c["occupancy"]), rel=1e-9)


def test_overloaded_cell_with_endless_patience_is_the_fluid_limit():
    # Issue 10: an overloaded erlang_a evaluate with patience 1e12 took 51 s (a series over
    # ~1e12 queue states). As theta -> inf the queue is (lambda - mu) theta: every contact
    # waits, the excess abandons (p_abandon = 1 - n/a), and an answered contact waited
    # theta ln(a/n), finite. Below the switch the exact chain gives the same to 1e-6.
    kw = dict(volume=1e4, handle_time_s=300, answer_within_s=20)
    a = 1e4 / 3600 * 300
    res = queueing.evaluate("erlang_a", 10, patience_s=1e12, **kw)
    assert float(res["p_abandon"]) == pytest.approx(1 - 10 / a, rel=1e-15)
    assert float(res["asa_s"]) == pytest.approx(1e12 * math.log(a / 10), rel=1e-15)
    assert (float(res["p_wait"]), float(res["service_level"]), float(res["occupancy"])) == (
        1.0,
        0.0,
        1.0,
    )
    switch = queueing.PATIENCE_LIMIT / (1e4 / 3600)
    exact = queueing.evaluate("erlang_a", 10, patience_s=switch / 1.0001, **kw)
    limit = queueing.evaluate("erlang_a", 10, patience_s=switch * 1.0001, **kw)
    assert float(exact["p_abandon"]) == pytest.approx(float(limit["p_abandon"]), rel=1e-12)
    assert float(exact["asa_s"]) * 1.0001**2 == pytest.approx(float(limit["asa_s"]), rel=1e-6)


@pytest.mark.parametrize("theta", [1e12, 1e300, np.inf])
def test_endless_patience_staffs_like_erlang_c(theta):
    # Issue 11: required_agents(..., asa_s=30, patience_s=1e300) returned inf (NaN inside)
    # where patience 1e12 gave a finite answer. Both are Erlang C now.
    kw = dict(volume=100, handle_time_s=300, asa_s=30)
    erl_c = queueing.required_agents("erlang_c", **kw)
    assert queueing.required_agents("erlang_a", patience_s=theta, **kw) == erl_c
    res = queueing.evaluate(
        "erlang_a", [10, 12], volume=100, handle_time_s=300, patience_s=theta, answer_within_s=20
    )
    assert np.all(np.isfinite(res["p_wait"])) and np.all(np.isfinite(res["asa_s"]))


@pytest.mark.parametrize("model", ["erlang_c", "erlang_a", "chat"])
def test_tiny_handle_time_with_many_agents_is_finite(model):
    # Issue 11: handle time 1e-300 with 1e7 agents returned NaN. Nobody waits: p_wait 0,
    # service level 1, ASA 0, a load of 1e-302 Erlang.
    kw = dict(volume=100, handle_time_s=1e-300, answer_within_s=20)
    if model != "erlang_c":
        kw["patience_s"] = 180
    if model == "chat":
        kw["handle_time_s"] = [1e-300, 2e-300]
    res = queueing.evaluate(model, 1e7, **kw)
    assert float(res["p_wait"]) == 0.0
    assert float(res["service_level"]) == 1.0
    assert float(res["asa_s"]) == 0.0
    assert 0.0 <= float(res["occupancy"]) < 1e-300


@pytest.mark.parametrize(
    ("call", "name"),
    [
        # Issue 11: agents 1e308 gave NaN metrics.
        (
            lambda: queueing.evaluate(
                "erlang_a", 1e308, volume=100, handle_time_s=300, patience_s=180
            ),
            "agents",
        ),
        # Issue 10: interval_s = 1e-9 (3e13 Erlangs) never ended.
        (
            lambda: queueing.required_agents(
                "erlang_a",
                volume=100,
                handle_time_s=300,
                interval_s=1e-9,
                patience_s=180,
                service_level=0.8,
            ),
            "interval_s",
        ),
        (lambda: queueing.evaluate("chat", 10, volume=1e13, handle_time_s=[300, 500]), "volume"),
    ],
)
def test_out_of_range_inputs_are_refused_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_chat_with_falling_total_rate_at_large_scale():
    # Issue 10 (same cause): a chat block whose total rate falls with load (h_2 > 2 h_1) was
    # summed state by state in a Python loop, O(agents). Now both ends of the block are
    # summed; the answer is still the smallest meeting the target.
    kw = dict(volume=1.2e6, handle_time_s=[300, 700], patience_s=180, answer_within_s=20)
    n = float(queueing.required_agents("chat", service_level=0.8, **kw))
    assert _meets_and_one_less_fails("chat", n, service_level=0.8, **kw)


@settings(max_examples=60, deadline=None)
@given(
    model=st.sampled_from(["erlang_a", "chat"]),
    log_load=st.floats(-3, 7),
    ratio=st.floats(0.5, 2.0),
    log_theta=st.floats(-1, 300),
)
def test_metrics_stay_finite_and_in_range_over_the_accepted_domain(
    model, log_load, ratio, log_theta
):
    # Issue 11: valid inputs give finite, in-range answers, from 1e-3 to 1e7 Erlangs and
    # patience from 0.1 s to 1e300 s, around the critical staffing n ~ a.
    a = 10.0**log_load
    n = max(1.0, math.floor(a * ratio))
    hs = 300.0 if model == "erlang_a" else [300.0, 450.0]
    h_k = 300.0 if model == "erlang_a" else 225.0
    res = queueing.evaluate(
        model,
        n,
        volume=a / h_k * 3600,
        handle_time_s=hs,
        patience_s=10.0**log_theta,
        answer_within_s=20,
    )
    for key in ("p_wait", "service_level", "p_abandon", "occupancy"):
        assert 0.0 <= float(res[key]) <= 1.0, key
    assert np.isfinite(float(res["asa_s"])) and float(res["asa_s"]) >= 0
