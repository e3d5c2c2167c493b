"""Properties of the engine and the plan, drawn where they are informative.

Loads and staffings are drawn around the square-root staffing rule n = a + beta sqrt(a)
(Halfin & Whitt 1981; Gans, Koole & Mandelbaum 2003, s.4.2), where the service level is
neither 0 nor 1, so a property that compares two staffings compares two different numbers.
Each property also checks that its draw was informative rather than filtering silently.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from staffing import queueing
from staffing.plan import plan
from tests.plan.test_figures import _config, _volume

loads = st.floats(0.5, 400)  # offered load a [Erlang]
handles = st.floats(60, 900)  # handle time h [s]
betas = st.floats(-0.5, 2.0)  # n = a + beta sqrt(a): from under- to well-staffed


def _agents(a: float, beta: float) -> int:
    return max(1, math.ceil(a + beta * math.sqrt(a)))


@settings(max_examples=80, deadline=None)
@given(a=loads, h=handles, beta=betas, theta=st.floats(60, 1200))
def test_service_level_rises_strictly_with_agents_near_the_target(a, h, beta, theta):
    n = _agents(a, beta)
    volume = a * 3600 / h
    t = h / 10  # answer within a tenth of the handle time
    for model, kw in (("erlang_c", {}), ("erlang_a", {"patience_s": theta})):
        if model == "erlang_c":
            n_here = max(n, math.floor(a) + 1)  # Erlang C needs n > a
        else:
            n_here = n
        res = queueing.evaluate(
            model, [n_here, n_here + 1], volume=volume, handle_time_s=h, answer_within_s=t, **kw
        )
        sl = res["service_level"]
        for key in ("service_level", "p_wait"):
            assert np.all((res[key] >= 0) & (res[key] <= 1)), key
        assume(0.01 < sl[0] < 0.99)  # informative: not saturated (98% of draws are)
        assert sl[1] > sl[0], (model, n_here, a, sl)
        assert res["p_wait"][1] < res["p_wait"][0]
        more = queueing.evaluate(
            model, n_here, volume=volume * 1.05, handle_time_s=h, answer_within_s=t, **kw
        )
        if model == "erlang_a" or n_here > a * 1.05:
            assert more["service_level"] < sl[0], (model, n_here, a)


@settings(max_examples=60, deadline=None)
@given(a=loads, h=handles, beta=betas)
def test_draws_near_the_target_are_informative(a, h, beta):
    # The strategy itself: the service level at the drawn staffing lies strictly between 0
    # and 1 (the old property drew up to 420 agents against up to 1,250 Erlang, so 254 of
    # 300 draws had SL 0 or 1 at both staffings).
    n = max(_agents(a, beta), math.floor(a) + 1)
    sl = queueing.evaluate(
        "erlang_c", n, volume=a * 3600 / h, handle_time_s=h, answer_within_s=h / 10
    )["service_level"]
    assert 0.0 < float(sl) < 1.0


@settings(max_examples=40, deadline=None)
@given(
    a=loads, h=handles, target=st.floats(0.5, 0.95), k=st.integers(1, 3), theta=st.floats(60, 1200)
)
def test_required_agents_is_minimal_for_every_model(a, h, target, k, theta):
    volume = a * 3600 / h
    t = 20.0
    for model, kw, hs in (
        ("erlang_c", {}, h),
        ("erlang_a", {"patience_s": theta}, h),
        ("chat", {"patience_s": theta}, [h * j for j in range(1, k + 1)]),
    ):
        n = queueing.required_agents(
            model, volume=volume, handle_time_s=hs, service_level=target, answer_within_s=t, **kw
        )
        res = queueing.evaluate(
            model, [n, n - 1], volume=volume, handle_time_s=hs, answer_within_s=t, **kw
        )
        sl = res["service_level"]
        assert sl[0] >= target - 1e-12, (model, n, sl)
        if model == "erlang_c" and n - 1 <= a:
            continue  # n - 1 is unstable: it cannot meet any target
        assert sl[1] < target, (model, n, sl)


@settings(max_examples=12, deadline=None)
@given(
    base=st.floats(2, 150),
    nht=st.floats(120, 900),
    target=st.floats(0.6, 0.95),
    within=st.sampled_from([0, 20, 60]),
    k=st.integers(2, 3),
    patience=st.floats(60, 900),
    abandon=st.floats(0.02, 0.2),
)
def test_the_plans_staffing_is_minimal(base, nht, target, within, k, patience, abandon):
    # One agent fewer than the plan gives breaks a target in every served interval (closed
    # and zero-volume intervals get 0, min_agents is 0 here).
    sl = {"target": target, "answer_within_seconds": within}
    skills = [
        {"id": 1, "name": "C", "method": "erlang_c", "nht_seconds": nht, "service_level": sl},
        {
            "id": 2,
            "name": "A",
            "method": "erlang_a",
            "nht_seconds": nht,
            "patience_seconds": patience,
            "max_abandon": abandon,
            "service_level": sl,
        },
        {
            "id": 3,
            "name": "Chat",
            "method": "chat",
            "nht_seconds": nht,
            "max_concurrency": k,
            "service_level": sl,
        },
    ]
    cfg = _config(skills, weeks=1)
    # volume varies by hour: base x (0.2 .. 1.8), so the day holds many distinct cases
    iv = plan(
        cfg, volume=_volume(cfg, lambda s, t, i: base * (0.2 + 1.6 * ((i * 7) % 24) / 23))
    ).intervals
    for skill in skills:
        part = iv[iv.skill_id == skill["id"]]
        n = part["agents"].to_numpy().astype(float)
        volume = part["volume"].to_numpy()
        hs = nht if skill["method"] != "chat" else [nht * j for j in range(1, k + 1)]
        kw = {"patience_s": patience} if skill["method"] == "erlang_a" else {}
        below = queueing.evaluate(
            skill["method"], n - 1, volume=volume, handle_time_s=hs, answer_within_s=within, **kw
        )
        broken = below["service_level"] < target
        if skill["method"] == "erlang_a":
            broken |= below["p_abandon"] > abandon
        if skill["method"] == "erlang_c":
            broken |= (n - 1) <= volume * nht / 3600  # unstable
        assert np.all(broken | (n == 0)), skill["name"]
