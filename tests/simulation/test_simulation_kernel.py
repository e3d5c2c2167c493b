"""The simulation kernel: arrivals, bookkeeping, staffing changes and closing rules.

Expected numbers are derived in the comments (Poisson counts, the ramp's interval
shares from docs/simulation.md, conservation of contacts) or follow from the rules of
docs/simulation.md on cases small enough to reason about by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing.simulation.kernel import (
    ABANDONED,
    ANSWERED,
    ARRIVALS,
    BUSY_S,
    WAIT_S,
    WITHIN,
    draw_arrivals,
    draw_contacts,
    simulate_replication,
)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_zero_volume_gives_no_contacts_and_idle_agents():
    stats = simulate_replication(np.zeros(5), np.full(5, 3), np.full(5, 300.0), rng())
    assert stats.shape == (5, 6)
    assert np.all(stats == 0.0)


def test_poisson_arrival_counts_have_the_planned_mean_and_variance():
    # Counts per interval are Poisson(volume): mean = variance = volume. Over 4000
    # intervals of 50 the mean has a standard error of sqrt(50/4000) = 0.11.
    times, interval = draw_arrivals(np.full(4000, 50.0), 3600.0, rng(1))
    counts = np.bincount(interval, minlength=4000)
    assert abs(counts.mean() - 50.0) < 0.5
    assert abs(counts.var() / 50.0 - 1.0) < 0.1
    assert np.all(np.diff(times) >= 0)
    assert np.array_equal(interval, (times // 3600.0).astype(np.int64))


def test_closed_intervals_get_no_arrivals():
    is_open = np.array([True, False, True])
    _, interval = draw_arrivals(np.full(3, 100.0), 3600.0, rng(2), is_open=is_open)
    assert 1 not in set(interval.tolist())


def test_ramp_moves_volume_between_neighbours_and_keeps_each_open_run():
    # Rates linear between midpoints, flat in the outer half of a run's first and last
    # interval: interval i of a run gets (v[i-1] + 6 v[i] + v[i+1]) / 8 with the run's
    # edge values repeated (docs/simulation.md). Volumes [100, 300, 100] between closed
    # intervals: (100+600+300)/8 = 125, (100+1800+100)/8 = 250, 125; total 500 kept.
    volume = np.array([0.0, 100.0, 300.0, 100.0, 0.0])
    is_open = np.array([False, True, True, True, False])
    reps = 400
    counts = np.zeros(5)
    for seed in range(reps):
        _, interval = draw_arrivals(volume, 3600.0, rng(seed), is_open=is_open, ramp=True)
        counts += np.bincount(interval, minlength=5)
    mean = counts / reps
    # standard errors sqrt(125/400) = 0.56 and sqrt(250/400) = 0.79: 5 sigma bands
    np.testing.assert_allclose(mean, [0.0, 125.0, 250.0, 125.0, 0.0], atol=4.0)


def test_lognormal_work_has_mean_one_and_the_asked_cv():
    work, patience = draw_contacts(
        200_000, rng(3), handle_time="lognormal", handle_time_cv=0.5, patience_s=120.0
    )
    assert abs(work.mean() - 1.0) < 0.01
    assert abs(work.std() / work.mean() - 0.5) < 0.01
    assert abs(patience.mean() - 120.0) < 1.5  # exponential: se 120/sqrt(2e5) = 0.27


def test_exponential_with_another_cv_is_refused():
    with pytest.raises(ValueError, match="CV of 1"):
        draw_contacts(10, rng(), handle_time="exponential", handle_time_cv=0.5)


@settings(max_examples=25, deadline=None)
@given(
    volume=st.lists(st.floats(0, 80), min_size=1, max_size=12),
    agents=st.lists(st.integers(0, 6), min_size=12, max_size=12),
    k=st.integers(1, 3),
    patience=st.sampled_from([None, 60.0, 600.0]),
    routing=st.sampled_from(["least_loaded", "even_spread"]),
    at_close=st.sampled_from(["drain", "hold"]),
    shape=st.sampled_from(["exponential", "lognormal"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_contact_is_answered_or_abandoned_once(
    volume, agents, k, patience, routing, at_close, shape, seed
):
    # Conservation: each arrival ends answered or abandoned (those left waiting with
    # nobody on shift at the end count as abandoned), within <= answered, waits >= 0.
    n = len(volume)
    h = np.tile(np.arange(1, k + 1) * 300.0, (n, 1))
    stats = simulate_replication(
        np.array(volume),
        np.array(agents[:n]),
        h,
        rng(seed),
        answer_within_s=30.0,
        patience_s=patience,
        routing=routing,
        at_close=at_close,
        handle_time=shape,
        handle_time_cv=1.0 if shape == "exponential" else 1.5,
    )
    np.testing.assert_array_equal(stats[:, ARRIVALS], stats[:, ANSWERED] + stats[:, ABANDONED])
    assert np.all(stats[:, WITHIN] <= stats[:, ANSWERED])
    assert np.all(stats[:, WAIT_S] >= 0) and np.all(stats[:, BUSY_S] >= 0)


def test_compiled_and_plain_python_loops_agree():
    # The same event loop, compiled by numba or run as Python (the fallback without
    # numba), on the same drawn inputs: identical counts.
    volume = np.array([20.0, 60.0, 40.0, 0.0, 30.0])
    agents = np.array([2, 4, 3, 0, 2])
    for h, routing in (
        (np.full(5, 240.0), "least_loaded"),
        (np.tile([240.0, 420.0], (5, 1)), "least_loaded"),
        (np.tile([240.0, 420.0], (5, 1)), "even_spread"),
    ):
        fast = simulate_replication(
            volume, agents, h, rng(5), answer_within_s=20.0, patience_s=90.0, routing=routing
        )
        slow = simulate_replication(
            volume,
            agents,
            h,
            rng(5),
            answer_within_s=20.0,
            patience_s=90.0,
            routing=routing,
            compiled=False,
        )
        np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-9)


def test_a_leaving_agent_finishes_the_contact_in_hand():
    # One agent in interval 0, none after, handle times of 100 hours: the contact it takes
    # keeps it busy through interval 1 although nobody is planned there (hold: the agent
    # takes no new contact). Everyone else waits forever and counts as abandoned.
    stats = simulate_replication(
        np.array([5.0, 0.0]), np.array([1, 0]), np.full(2, 360_000.0), rng(6), at_close="hold"
    )
    arrivals = stats[0, ARRIVALS]
    assert arrivals >= 2
    assert stats[0, ANSWERED] == 1
    assert stats[0, ABANDONED] == arrivals - 1
    assert stats[1, BUSY_S] == pytest.approx(3600.0)


@pytest.mark.parametrize("routing", ["least_loaded", "even_spread"])
def test_staffing_cut_keeps_agents_until_their_conversations_end(routing):
    # Chat, k = 2: four agents, then one. Conversations in hand are finished (busy time in
    # interval 1 exceeds what one agent can give only if the leavers stay to finish).
    volume = np.array([200.0, 0.0])
    stats = simulate_replication(
        volume,
        np.array([4, 1]),
        np.tile([1800.0, 3600.0], (2, 1)),
        rng(7),
        routing=routing,
        at_close="hold",
    )
    assert stats[1, BUSY_S] > 3600.0


def test_drain_serves_the_queue_at_closing_and_hold_makes_it_wait():
    # Two agents, 60 contacts in the last open hour with 10-minute handle times: about 40
    # are still waiting at closing. "drain": the two agents stay and answer them in the
    # closed hour; "hold": they are answered when the skill reopens two hours later with
    # 20 agents, so the mean wait is above an hour.
    volume = np.array([60.0, 0.0, 0.0, 0.0])
    agents = np.array([2, 0, 0, 20])
    h = np.full(4, 600.0)
    drain = simulate_replication(volume, agents, h, rng(8), at_close="drain")
    hold = simulate_replication(volume, agents, h, rng(8), at_close="hold")
    assert drain[0, ANSWERED] == drain[0, ARRIVALS] == hold[0, ANSWERED]
    assert drain[1, BUSY_S] > 0 and hold[1, BUSY_S] <= 2 * 3600.0
    assert hold[2, BUSY_S] == 0.0
    mean_wait_hold = hold[0, WAIT_S] / hold[0, ANSWERED]
    assert mean_wait_hold > drain[0, WAIT_S] / drain[0, ANSWERED]
    assert mean_wait_hold > 3600.0


def test_queue_carries_over_an_interval_boundary():
    # Interval 0 is overloaded (1 agent, 30 contacts of 10 minutes); interval 1 has no
    # arrivals but 10 agents. The backlog is answered in interval 1, counted against
    # interval 0 (contacts count in the interval they arrive in), and the busy time of
    # interval 1 is the backlog's work: about (30 - 6) contacts x 600 s.
    stats = simulate_replication(
        np.array([30.0, 0.0]), np.array([1, 10]), np.full(2, 600.0), rng(9)
    )
    assert stats[1, ARRIVALS] == 0
    assert stats[0, ANSWERED] == stats[0, ARRIVALS]
    backlog = stats[0, ARRIVALS] - 6
    assert stats[1, BUSY_S] > 0.3 * backlog * 600.0
    assert math.isfinite(stats[0, WAIT_S])


def test_bad_inputs_are_refused_with_the_name():
    with pytest.raises(ValueError, match="agents"):
        simulate_replication(np.ones(2), np.array([1.5, 1.0]), np.ones(2), rng())
    with pytest.raises(ValueError, match="routing"):
        simulate_replication(np.ones(2), np.ones(2), np.ones(2), rng(), routing="random")
    with pytest.raises(ValueError, match="handle_time_s"):
        simulate_replication(np.ones(2), np.ones(2), np.ones(3), rng())


@pytest.mark.parametrize("ramp", [False, True])
def test_arrivals_sorted_in_place_are_those_a_stable_argsort_gives(ramp):
    # draw_arrivals sorts the times alone and keeps the interval column as drawn (issue
    # 22); the reference redraws the same numbers from the same seed and orders times and
    # intervals by a stable argsort of the times, as the engine did before.
    volume = np.array([80.0, 0.0, 250.0, 40.0, 400.0, 5.0])
    is_open = np.array([True, True, True, False, True, True])
    times, interval = draw_arrivals(volume, 900.0, rng(7), is_open=is_open, ramp=ramp)
    ref = rng(7)
    rate = np.where(is_open, volume, 0.0) / 900.0
    if not ramp:
        counts = ref.poisson(rate * 900.0)
        iv = np.repeat(np.arange(volume.size, dtype=np.int64), counts)
        raw = (iv + ref.random(iv.size)) * 900.0
    else:  # the ramp's draws, segment by segment, as in draw_arrivals
        prev_open = np.concatenate([[False], is_open[:-1]])
        next_open = np.concatenate([is_open[1:], [False]])
        start = np.where(prev_open & is_open, 0.5 * (np.r_[0.0, rate[:-1]] + rate), rate)
        end = np.where(next_open & is_open, 0.5 * (rate + np.r_[rate[1:], 0.0]), rate)
        ra = np.column_stack([start, rate]).ravel()
        rb = np.column_stack([rate, end]).ravel()
        seg = np.repeat(np.arange(2 * volume.size), ref.poisson(0.5 * (ra + rb) * 450.0))
        u = ref.random(seg.size)
        a, b = ra[seg], rb[seg]
        offset = 450.0 * u * (a + b) / (a + np.sqrt(a * a + u * (b * b - a * a)))
        raw = seg * 450.0 + np.minimum(offset, 450.0 * (1 - 1e-12))
        iv = seg // 2
    order = np.argsort(raw, kind="stable")
    assert times.size > 300
    np.testing.assert_array_equal(times, raw[order])
    np.testing.assert_array_equal(interval, iv[order])


def test_jit_compiles_without_a_cache_where_numba_cannot_cache():
    # A function with no source file (here: made by exec) has no cache location, as a
    # read-only install without a writable cache directory; numba then refuses
    # cache=True with a RuntimeError, and jit falls back to compiling in memory.
    from staffing.simulation.kernel_jit import HAVE_NUMBA, jit

    namespace: dict = {}
    exec(compile("def twice(x):\n    return 2.0 * x\n", "<string>", "exec"), namespace)
    twice = jit(namespace["twice"])
    assert twice(21.0) == 42.0
    if HAVE_NUMBA:
        assert twice.signatures  # compiled, not the plain function


def test_sort_segments_gives_what_a_full_sort_gives_at_the_edges():
    # Each segment's values in any order, with ties, values on a segment's first point and
    # just below its end, and a segment whose values crowd into one bucket (all within
    # 1e-9 of each other): sorting segment by segment gives numpy's full sort exactly.
    from staffing.simulation.kernel_jit import sort_segments

    width = 900.0
    segments = [
        [899.9999999999999, 0.0, 450.0, 450.0, 12.5],
        [900.0],
        [],
        [2700.0 + 1e-9 * i for i in (5, 3, 9, 1, 7, 3)],
        list(np.random.default_rng(3).uniform(3600.0, 4500.0, 500)),
    ]
    counts = np.array([len(s) for s in segments], dtype=np.int64)
    values = np.concatenate([np.array(s, dtype=float) for s in segments])
    want = np.sort(values)
    sort_segments(values, counts, width)
    np.testing.assert_array_equal(values, want)


def test_many_arrivals_sorted_by_segment_are_those_a_full_sort_gives():
    # Above 2**17 arrivals draw_arrivals sorts interval by interval (with numba where
    # installed); the reference redraws the same numbers from the same seed and sorts
    # them all at once with numpy.
    volume = np.array([60_000.0, 0.0, 90_000.0, 5.0])
    times, interval = draw_arrivals(volume, 1800.0, rng(8))
    ref = rng(8)
    iv = np.repeat(np.arange(volume.size, dtype=np.int64), ref.poisson(volume))
    raw = (iv + ref.random(iv.size)) * 1800.0
    assert times.size > 2**17
    np.testing.assert_array_equal(times, np.sort(raw))
    np.testing.assert_array_equal(interval, iv)


@pytest.mark.parametrize("closed_h", [0.0, -1.0, np.nan, np.inf])
def test_a_queue_drained_past_closing_keeps_the_last_staffed_handle_time(closed_h):
    """Rule (docs/simulation.md, at_close="drain"): agents stay past closing until the
    queue is empty, working on as before. A closed interval's unusable handle time (0, a
    negative one, NaN, inf: allowed where nobody is planned) is never given to a contact:
    the drain takes the last staffed interval's, so the results are those of a closed
    interval with the same handle time.
    (Before the fix a closed interval's unusable handle time became 1 s, and a backlog of
    ten-minute calls vanished in seconds: the summed wait fell from 83,837 s to 23,175 s.)
    """
    volume, agents = np.array([30.0, 0.0, 0.0]), np.array([1, 0, 0])
    same = simulate_replication(volume, agents, np.full(3, 600.0), rng(3), interval_s=3600.0)
    given = simulate_replication(
        volume, agents, np.array([600.0, closed_h, closed_h]), rng(3), interval_s=3600.0
    )
    np.testing.assert_array_equal(given, same)
    assert same[1, BUSY_S] == 3600.0  # the backlog keeps the agent busy past closing
    # a chat interval with one unusable column counts as unusable as a whole
    h = np.array([[300.0, 400.0], [300.0, np.nan], [300.0, 400.0]])
    chat = simulate_replication(volume, np.array([1, 0, 1]), h, rng(4), interval_s=3600.0)
    full = simulate_replication(
        volume, np.array([1, 0, 1]), np.tile([300.0, 400.0], (3, 1)), rng(4), interval_s=3600.0
    )
    np.testing.assert_array_equal(chat, full)
    # before the first staffed interval, the first staffed one's handle time
    early = simulate_replication(
        np.array([0.0, 5.0]), np.array([0, 1]), np.array([np.nan, 600.0]), rng(5)
    )
    assert early[1, ARRIVALS] > 0 and np.isfinite(early).all()
