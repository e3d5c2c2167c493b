"""The chat model against references that do not share its code path, in normal operation.

1. An independent continuous-time Markov chain: the generator matrix is built by enumerating
   the states m = 0..M, with each death rate summed agent by agent from an explicit
   even-spread load vector (docs/models.md, "Chat chain" and "Even-spread assumption"),
   and solved with numpy (pi Q = 0, sum pi = 1). A tagged arrival's wait is a second,
   absorbing chain (places ahead of it -> answered / abandoned) solved with scipy's matrix
   exponential and the fundamental matrix N, not with the closed products of
   docs/models.md. Agreement is to 1e-9.
2. The discrete-event simulation of tests/reference_simulation.py with enough arrivals that
   the allowance is one point of service level, P(wait) and P(abandon).

The cases are in normal operation: occupancy 0.7 to 0.9 and P(wait) 0.2 to 0.6 (checked on
the reference's own figures), for k = 2 and k = 3, with and without patience.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from staffing import queueing
from tests.reference_simulation import simulate

# (agents n, handle times h_1..h_k [s], volume per hour, patience [s] or inf, answer within [s])
CASES = [
    (4, [300.0, 450.0], 50.0, 600.0, 30.0),
    (3, [300.0, 600.0], 28.0, math.inf, 30.0),
    (3, [300.0, 600.0, 900.0], 34.0, 600.0, 30.0),
    (2, [300.0, 450.0, 600.0], 26.0, math.inf, 30.0),
]


def _ctmc(n, hs, volume, patience, t, extra_states=200):
    k, lam = len(hs), volume / 3600.0
    slots = n * k
    gamma = 0.0 if math.isinf(patience) else 1.0 / patience

    def completion_rate(m):
        busy_slots = min(m, slots)
        loads = [busy_slots // n + (1 if agent < busy_slots % n else 0) for agent in range(n)]
        return sum(load / hs[load - 1] for load in loads if load)

    size = slots + extra_states + 1
    q = np.zeros((size, size))
    for m in range(size):
        if m + 1 < size:
            q[m, m + 1] = lam
        if m > 0:
            q[m, m - 1] = completion_rate(m) + max(m - slots, 0) * gamma
        q[m, m] = -q[m].sum()
    a = q.T.copy()
    a[-1] = 1.0  # pi Q = 0 with one balance equation replaced by sum pi = 1
    b = np.zeros(size)
    b[-1] = 1.0
    pi = np.linalg.solve(a, b)
    assert pi[-20:].sum() < 1e-12  # the truncation holds no mass

    # Tagged arrival finding j >= 0 waiting ahead (state slots + j): transient states
    # "i ahead" (0..J), then answered (J+1) and abandoned (J+2).
    full = completion_rate(slots)
    big_j = size - slots - 1
    g = np.zeros((big_j + 3, big_j + 3))
    for i in range(big_j + 1):
        if i > 0:
            g[i, i - 1] = full + i * gamma  # the head is answered or one ahead leaves
        else:
            g[i, big_j + 1] = full  # its own turn comes
        g[i, big_j + 2] = gamma  # it leaves itself
        g[i, i] = -g[i].sum()
    at_t = expm(g * t)
    transient = -g[: big_j + 1, : big_j + 1]  # N = transient^-1, the fundamental matrix
    exit_answered = np.zeros(big_j + 1)
    exit_answered[0] = full
    answered = np.linalg.solve(transient, exit_answered)  # P(answered) = N r
    answered_wait = np.linalg.solve(transient, answered)  # E[W; answered] = N^2 r

    free, waiting = pi[:slots], pi[slots:]
    p_wait = waiting.sum()
    service_level = free.sum() + waiting @ at_t[: big_j + 1, big_j + 1]
    p_abandon = waiting @ (1.0 - answered)
    asa = (waiting @ answered_wait) / (1.0 - p_abandon)
    busy_agents = np.minimum(np.arange(size), n)
    occupancy = pi @ busy_agents / n
    return {
        "p_wait": p_wait,
        "service_level": service_level,
        "p_abandon": p_abandon,
        "asa_s": asa,
        "occupancy": occupancy,
    }


@pytest.mark.parametrize(
    "case", CASES, ids=lambda c: f"n{c[0]}-k{len(c[1])}-v{c[2]:g}-theta{c[3]:g}"
)
def test_chat_equals_an_independent_ctmc_in_normal_operation(case):
    n, hs, volume, patience, t = case
    reference = _ctmc(n, hs, volume, patience, t)
    # normal operation, on the reference's own figures
    assert 0.7 <= reference["occupancy"] <= 0.9
    assert 0.2 <= reference["p_wait"] <= 0.6
    got = queueing.evaluate(
        "chat", n, volume=volume, handle_time_s=hs, answer_within_s=t, patience_s=patience
    )
    for key, value in reference.items():
        assert float(got[key]) == pytest.approx(value, rel=1e-9, abs=1e-12), key


def test_the_ctmc_reference_tells_a_wrong_model_apart():
    # The reference is not blind: the same case with the handle times of load 2 and 3 swapped
    # for NHT x j (a plausible mistake) differs by more than a point of service level.
    n, hs, volume, patience, t = CASES[2]
    right = _ctmc(n, hs, volume, patience, t)
    wrong = _ctmc(n, [300.0, 450.0, 600.0], volume, patience, t)
    assert abs(right["service_level"] - wrong["service_level"]) > 0.01


# (case, arrivals): enough arrivals for a batch-means standard error below 0.3 points
SIM_CASES = [(CASES[0], 400_000), (CASES[2], 1_000_000)]


@pytest.mark.parametrize(("case", "arrivals"), SIM_CASES, ids=["n4-k2", "n3-k3"])
def test_chat_agrees_with_simulation_within_one_point(case, arrivals):
    # Fixed seed, 20 batches. The allowance is one point of service level, P(wait) and
    # P(abandon): over 3 standard errors, yet small enough that the wrong model above
    # (over a point off) would fail.
    n, hs, volume, patience, t = case
    sim = simulate(n, hs, volume / 3600, patience, t, arrivals=arrivals, seed=11)
    got = queueing.evaluate(
        "chat", n, volume=volume, handle_time_s=hs, answer_within_s=t, patience_s=patience
    )
    for key in ("service_level", "p_wait", "p_abandon"):
        mean, se = sim[key]
        assert se < 0.003, (key, se)
        assert abs(float(got[key]) - mean) <= 0.01, (key, float(got[key]), mean, se)
