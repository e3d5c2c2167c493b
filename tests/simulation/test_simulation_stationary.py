"""The simulator against the stationary formulas and against ciw, at constant volume.

With the same volume, handle time and agents in every interval, the continuous run is a
stationary queue after a short warm-up, so its long-run figures must agree with the
analytic models of ``staffing.queueing.evaluate`` (whose own tests check them against
published tables, mpmath and an independent simulation) and with the external
discrete-event simulator ciw (Palmer, Knight, Harper & Hawa 2019, Journal of Simulation
13(1), doi:10.1080/17477778.2018.1473909).

Each replication is one run of ``HOURS`` hourly intervals; the first ``WARM_UP`` hours are
dropped and the rest summed, so replications are independent and their spread gives the
confidence interval. Bands are 99.9 % (t with reps - 1 degrees of freedom): about 40
comparisons are made, and the seeds are fixed, so the test is deterministic.
"""

from __future__ import annotations

import math

import ciw
import numpy as np
import pytest
from scipy import special

from staffing import queueing
from staffing.simulation.kernel import simulate_replication

HOURS = 200
WARM_UP = 4
REPS = 10
LEVEL = 0.9995  # two-sided 99.9 %


def _run(model, agents, volume, handle_time_s, within_s, patience_s, routing="even_spread", seed=1):
    """Per replication: arrivals, within, abandoned, answered, wait, busy after warm-up."""
    handle = np.asarray(handle_time_s, dtype=float)
    h = np.tile(handle, (HOURS, 1)) if handle.ndim else np.full(HOURS, float(handle))
    out = []
    for rep in range(REPS):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(rep,)))
        stats = simulate_replication(
            np.full(HOURS, float(volume)),
            np.full(HOURS, agents),
            h,
            rng,
            answer_within_s=within_s,
            patience_s=patience_s,
            routing=routing,
        )
        out.append(stats[WARM_UP:].sum(axis=0))
    return np.array(out)


def _estimates(per_rep, agents):
    """Mean and half-width of SL, abandonment, ASA and occupancy over replications."""
    arrivals, answered, within, abandoned, wait, busy = per_rep.T
    values = {
        "service_level": within / arrivals,
        "p_abandon": abandoned / arrivals,
        "asa_s": wait / answered,
        "occupancy": busy / (agents * 3600.0 * (HOURS - WARM_UP)),
    }
    q = special.stdtrit(REPS - 1, LEVEL)
    return {key: (v.mean(), q * v.std(ddof=1) / math.sqrt(REPS)) for key, v in values.items()}


# (model, agents, volume per hour, handle time(s) [s], answer within [s], patience [s])
CASES = [
    # Erlang C, occupancy 0.83 and 0.87
    ("erlang_c", 10, 300.0, 100.0, 20.0, None),
    ("erlang_c", 46, 480.0, 300.0, 30.0, None),
    # Erlang A, normal operation
    ("erlang_a", 11, 360.0, 100.0, 20.0, 200.0),
    ("erlang_a", 55, 600.0, 300.0, 20.0, 60.0),
    # Erlang A in overload (offered 20 Erlang on 16 agents): only patience keeps it stable
    ("erlang_a", 16, 720.0, 100.0, 20.0, 120.0),
    # chat, even spread, normal operation: default handle times NHT x j and measured ones
    ("chat", 10, 100.0, [300.0, 600.0], 60.0, None),
    ("chat", 10, 105.0, [300.0, 600.0, 900.0], 60.0, None),
    ("chat", 8, 80.0, [300.0, 700.0, 1200.0], 60.0, 120.0),
    ("chat", 6, 50.0, [420.0, 780.0], 60.0, 180.0),
    # chat in overload with patience (all slots full, two thirds abandon)
    ("chat", 6, 150.0, [300.0, 700.0, 1200.0], 60.0, 120.0),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-n{c[1]}-v{c[2]:g}" for c in CASES])
def test_simulation_agrees_with_the_stationary_formulas(case):
    model, agents, volume, handle, within, patience = case
    # expected: staffing.queueing.evaluate, the analytic models of docs/models.md
    expected = queueing.evaluate(
        model,
        agents,
        volume=volume,
        handle_time_s=handle,
        answer_within_s=within,
        patience_s=patience,
    )
    got = _estimates(_run(model, agents, volume, handle, within, patience), agents)
    for key, (mean, half) in got.items():
        want = float(expected[key])
        # a floor of 0.002 (and 0.2 s) absorbs the warm-up's tiny bias in cases where the
        # spread over replications is itself tiny
        floor = 0.2 if key == "asa_s" else 0.002
        assert abs(mean - want) <= half + floor, (key, mean, half, want)


def test_mm1_matches_the_closed_form():
    # M/M/1 with rho = 0.75 and h = 300 s: P(wait) = rho, SL(t) = 1 - rho exp(-(1-rho) t/h),
    # ASA = rho h / (1 - rho) (Gross & Harris, Fundamentals of Queueing Theory, M/M/1).
    rho, h, t = 0.75, 300.0, 60.0
    got = _estimates(_run("erlang_c", 1, rho * 3600 / h, h, t, None), 1)
    sl = 1 - rho * math.exp(-(1 - rho) * t / h)
    asa = rho * h / (1 - rho)
    assert abs(got["service_level"][0] - sl) <= got["service_level"][1]
    assert abs(got["asa_s"][0] - asa) <= got["asa_s"][1]
    assert abs(got["occupancy"][0] - rho) <= got["occupancy"][1]


def _ciw_erlang_a(servers, lam, mu, gamma, within_s, horizon_s, warm_s, seed):
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(lam)],
        service_distributions=[ciw.dists.Exponential(mu)],
        number_of_servers=[servers],
        reneging_time_distributions=[ciw.dists.Exponential(gamma)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon_s + 2000)  # + 2000 s: everyone counted has left
    records = [r for r in sim.get_all_records() if warm_s <= r.arrival_date < horizon_s]
    served = np.array([r.record_type == "service" for r in records])
    wait = np.array([r.waiting_time for r in records])
    return np.mean(served & (wait <= within_s)), np.mean(~served)


def test_simulation_agrees_with_ciw_on_erlang_a():
    # Erlang A: 11 agents, 360 contacts/h, h = 100 s, patience 200 s, SL at 20 s; both
    # simulators run replications of the same stationary queue; their means must agree
    # within the combined 99.9 % confidence interval.
    lam, h, theta, t, n = 0.1, 100.0, 200.0, 20.0, 11
    reps = 6
    hours = 8
    ciw_runs = np.array(
        [
            _ciw_erlang_a(n, lam, 1 / h, 1 / theta, t, hours * 3600.0, 3600.0, seed)
            for seed in range(reps)
        ]
    )
    ours = []
    for rep in range(reps):
        rng = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(rep,)))
        stats = simulate_replication(
            np.full(hours, lam * 3600),
            np.full(hours, n),
            np.full(hours, h),
            rng,
            answer_within_s=t,
            patience_s=theta,
        )[1:].sum(axis=0)
        ours.append([stats[2] / stats[0], stats[3] / stats[0]])
    ours = np.array(ours)
    q = special.stdtrit(reps - 1, LEVEL)
    for column in range(2):  # service level, abandonment
        diff = ours[:, column].mean() - ciw_runs[:, column].mean()
        half = q * math.sqrt(
            ours[:, column].var(ddof=1) / reps + ciw_runs[:, column].var(ddof=1) / reps
        )
        assert abs(diff) <= half, (column, diff, half)
    # and both sit on the formula (staffing.queueing.evaluate)
    expected = queueing.evaluate(
        "erlang_a", n, volume=360.0, handle_time_s=h, answer_within_s=t, patience_s=theta
    )
    assert abs(ciw_runs[:, 0].mean() - float(expected.service_level)) < 0.03


def test_least_loaded_routing_waits_a_little_more_than_even_spread():
    # With h_j = NHT x j an agent's completion rate is 1/NHT whenever it holds a
    # conversation, so even spread (which keeps min(m, n) agents busy) is the best case;
    # least-loaded routing never moves conversations, so an agent can sit idle while
    # another holds two, and contacts wait a little more (docs/models.md: "about one
    # point of P(wait)"). Same seeds: both routings see the same customers.
    case = ("chat", 10, 100.0, [300.0, 600.0], 60.0, None)
    even = _estimates(_run(*case, routing="even_spread"), 10)
    least = _estimates(_run(*case, routing="least_loaded"), 10)
    gap = even["service_level"][0] - least["service_level"][0]
    assert 0.0 < gap < 0.05, gap
    assert least["asa_s"][0] > even["asa_s"][0]
