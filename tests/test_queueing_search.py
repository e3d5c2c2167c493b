"""required_agents against an exhaustive search over agent counts (issue 22).

Erlang C starts from a square-root-staffing guess and walks by the Erlang B recurrence;
erlang_a and chat search by interpolated candidates. Neither may change an answer: the
reference here evaluates every agent count from the stability bound up with
``queueing.evaluate`` (the direct incomplete-gamma formulas) and takes the first that
meets every target, with the same relative tolerance of 1e-12 that required_agents
documents.
"""

from __future__ import annotations

import numpy as np

from staffing import queueing


def _exhaustive(model, load, handle, within, span, *, sl=None, asa=None, occ=None, **kw):
    """First agent count in each cell's candidate range meeting every target (by evaluate).

    ``load`` is lambda h_k / k [Erlang], ``handle`` h (chat: h_1..h_k on the last axis).
    """
    hk = handle if handle.ndim == 1 else handle[:, -1] / handle.shape[1]
    volume = load * 3600 / hk
    base = np.floor(load) + 1 if model == "erlang_c" else np.zeros(load.size)
    n = base[:, None] + np.arange(span)[None, :]
    res = queueing.evaluate(
        model,
        n,
        volume=volume[:, None],
        handle_time_s=handle[:, None] if model != "chat" else handle[:, None, :],
        answer_within_s=within[:, None],
        **kw,
    )
    ok = np.ones(n.shape, dtype=bool)
    if sl is not None:
        ok &= res["service_level"] >= sl[:, None] * (1 - 1e-12)
    if asa is not None:
        ok &= res["asa_s"] <= asa * (1 + 1e-12)
    if occ is not None:
        ok &= res["occupancy"] <= occ * (1 + 1e-12)
    if model == "erlang_c":
        ok &= n > load[:, None]
    assert np.all(ok.any(axis=1)), "candidate range too short for the reference"
    return n[np.arange(load.size), ok.argmax(axis=1)]


def test_erlang_c_walk_matches_the_exhaustive_search_on_a_wide_grid():
    # Loads from 0.01 to 3,000 Erlang, handle times 30 s to 30 min, answer-within 0 to
    # 120 s, service levels 50 % to 99 %: 1,296 cells, every answer identical.
    load, handle, within, sl = (
        g.ravel()
        for g in np.meshgrid(
            np.geomspace(0.01, 3000, 18),
            np.array([30.0, 240.0, 1800.0]),
            np.array([0.0, 20.0, 120.0]),
            np.array([0.5, 0.8, 0.9, 0.95, 0.99]),
            indexing="ij",
        )
    )
    # Service level is 1 - C e^{-(n-a) t/h} >= target once n - a exceeds a few sqrt(a):
    # the span covers 12 sqrt(a) + 40 counts above the stability bound.
    span = int(12 * np.sqrt(load.max()) + 40)
    want = _exhaustive("erlang_c", load, handle, within, span, sl=sl)
    got = queueing.required_agents(
        "erlang_c",
        volume=load * 3600 / handle,
        handle_time_s=handle,
        service_level=sl,
        answer_within_s=within,
    )
    np.testing.assert_array_equal(got, want)


def test_erlang_c_walk_with_asa_and_occupancy_targets_matches_the_exhaustive_search():
    load = np.geomspace(0.05, 2000, 40)
    handle = np.full(load.size, 300.0)
    within = np.full(load.size, 20.0)
    sl = np.full(load.size, 0.8)
    span = int(12 * np.sqrt(load.max()) + 40)
    for asa, occ in ((15.0, None), (None, 0.85), (10.0, 0.9)):
        want = _exhaustive("erlang_c", load, handle, within, span, sl=sl, asa=asa, occ=occ)
        got = queueing.required_agents(
            "erlang_c",
            volume=load * 3600 / handle,
            handle_time_s=handle,
            service_level=sl,
            answer_within_s=within,
            asa_s=asa,
            max_occupancy=occ,
        )
        np.testing.assert_array_equal(got, want, err_msg=f"asa {asa}, occupancy {occ}")


def test_erlang_a_and_chat_search_match_the_exhaustive_search():
    # Loads 0.5 to 400 Erlang, patience 30 s to 20 min, SL 60 % to 95 %.
    load, patience, sl = (
        g.ravel()
        for g in np.meshgrid(
            np.geomspace(0.5, 400, 10),
            np.array([30.0, 180.0, 1200.0]),
            np.array([0.6, 0.8, 0.95]),
            indexing="ij",
        )
    )
    handle = np.full(load.size, 300.0)
    within = np.full(load.size, 20.0)
    span = int(load.max() + 12 * np.sqrt(load.max()) + 40)
    want = _exhaustive("erlang_a", load, handle, within, span, sl=sl, patience_s=patience[:, None])
    got = queueing.required_agents(
        "erlang_a",
        volume=load * 3600 / handle,
        handle_time_s=handle,
        service_level=sl,
        answer_within_s=within,
        patience_s=patience,
    )
    np.testing.assert_array_equal(got, want)
    chat_h = handle[:, None] * np.array([1.0, 1.6, 2.1])  # conversations slow as load grows
    want = _exhaustive("chat", load, chat_h, within, span, sl=sl, patience_s=patience[:, None])
    got = queueing.required_agents(
        "chat",
        volume=load * 3600 / (chat_h[:, -1] / 3),
        handle_time_s=chat_h,
        service_level=sl,
        answer_within_s=within,
        patience_s=patience,
    )
    np.testing.assert_array_equal(got, want)
