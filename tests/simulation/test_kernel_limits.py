"""The kernel's limits and defaults are where its docstrings put them.

Rules protected (:mod:`staffing.simulation.kernel` docstrings): ``interval_s`` must be
> 0 (any positive length is taken, half a second too); a lognormal handle time needs a CV
> 0 (0 is refused with the message naming it); a mean patience must be > 0 (half a second
is taken); and ``simulate_replication`` without options is the documented defaults:
hourly intervals, a threshold of 0 s, constant rates, exponential work, least-loaded chat
routing, draining at closing. A default call is compared with the call spelling every
default out, on the same seed, on a case where each default changes the counts.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from staffing.simulation import kernel


def test_any_positive_interval_length_is_taken():
    times, interval = kernel.draw_arrivals(np.array([40.0, 60.0]), 0.5, np.random.default_rng(3))
    assert times.size == interval.size > 0
    assert np.all((times >= 0) & (times < 1.0))
    np.testing.assert_array_equal(interval, (times // 0.5).astype(np.int64))


def test_a_lognormal_cv_of_zero_is_refused_and_half_a_second_of_patience_is_taken():
    message = "handle_time_cv must be finite and > 0, got 0.0"
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        kernel.draw_contacts(
            3, np.random.default_rng(0), handle_time="lognormal", handle_time_cv=0.0
        )
    _, patience = kernel.draw_contacts(20_000, np.random.default_rng(0), patience_s=0.5)
    assert np.isfinite(patience).all()
    # exponential patience of mean 0.5 s: the sample mean within 5 standard errors
    assert abs(patience.mean() - 0.5) < 5 * 0.5 / np.sqrt(patience.size)


def chat_case():
    """Chat (two conversations an agent) with a peak, a closing with a queue, and the
    agents back an hour later; waits both of zero and of a fraction of a second."""
    volume = np.array([60.0, 200.0, 20.0, 0.0, 40.0])
    agents = np.array([3, 3, 0, 0, 2])
    handle = np.column_stack([np.full(5, 300.0), np.full(5, 420.0)])
    return volume, agents, handle


def test_simulate_replication_defaults_are_the_documented_ones():
    volume, agents, handle = chat_case()
    default = kernel.simulate_replication(
        volume, agents, handle, np.random.default_rng(11), patience_s=600.0
    )
    spelled = kernel.simulate_replication(
        volume,
        agents,
        handle,
        np.random.default_rng(11),
        interval_s=3600.0,
        answer_within_s=0.0,
        patience_s=600.0,
        ramp=False,
        handle_time="exponential",
        handle_time_cv=1.0,
        routing="least_loaded",
        at_close="drain",
    )
    np.testing.assert_array_equal(default, spelled)
    # each default matters on this case: another value changes the counts
    for change in (
        {"interval_s": 1800.0},
        {"ramp": True},
        {"routing": "even_spread"},
        {"at_close": "hold"},
    ):
        other = kernel.simulate_replication(
            volume, agents, handle, np.random.default_rng(11), patience_s=600.0, **change
        )
        assert not np.array_equal(other, default), change


def test_the_default_threshold_is_zero_seconds():
    """Many short calls on a busy pool: some wait a fraction of a second, so a threshold
    of 1 s counts more of them answered within it than the default of 0 s."""
    volume, agents, handle = np.full(2, 3000.0), np.full(2, 12), np.full(2, 12.0)
    default = kernel.simulate_replication(volume, agents, handle, np.random.default_rng(4))
    zero, one = (
        kernel.simulate_replication(
            volume, agents, handle, np.random.default_rng(4), answer_within_s=threshold
        )
        for threshold in (0.0, 1.0)
    )
    np.testing.assert_array_equal(default, zero)
    assert one[:, kernel.WITHIN].sum() > zero[:, kernel.WITHIN].sum()


def test_draw_arrivals_is_constant_per_interval_by_default():
    volume = np.array([10.0, 80.0, 10.0])
    flat = kernel.draw_arrivals(volume, 600.0, np.random.default_rng(2))
    spelled = kernel.draw_arrivals(volume, 600.0, np.random.default_rng(2), ramp=False)
    ramped = kernel.draw_arrivals(volume, 600.0, np.random.default_rng(2), ramp=True)
    np.testing.assert_array_equal(flat[0], spelled[0])
    assert not np.array_equal(flat[0], ramped[0])
