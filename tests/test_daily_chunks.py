"""The exchange pass of day scope built in chunks of groups (issue 22: bounded memory).

``staffing.daily.fewest_hours`` builds each group's grid of moves (drop an agent in one
interval, add one in another) for ``EXCHANGE_CELLS`` cells at a time. Every group's moves
depend on that group alone, so the answer must be the same, agent for agent, whether the
grids are built one group at a time, a few at a time or all at once: the reference is
the same call with a chunk larger than every group together.
"""

from __future__ import annotations

import numpy as np
import pytest

from staffing import daily


def _year_like(seed: int, groups: int = 30, per_group: int = 6) -> dict:
    """Groups of intervals, every volume different, costs varying (the exchange runs)."""
    rng = np.random.default_rng(seed)
    rows = groups * per_group
    volume = rng.uniform(20, 150, rows)
    h = rng.uniform(150, 400, rows)
    return {
        "floor": np.floor(volume * h / 1800) + 1,  # just stable (30-minute intervals)
        "volume": volume,
        "handle_time_s": h,
        "interval_s": 1800.0,
        "answer_within_s": np.full(rows, 20.0),
        "patience_s": rng.uniform(60, 300, rows),
        "group": np.repeat(np.arange(groups), per_group),
        "cost": 1 / (1 - rng.choice([0.2, 0.3, 0.4], rows)),  # FTE-hours: unequal costs
        "service_level": np.full(rows, 0.8),
        "max_abandon": np.full(rows, 0.05),
    }


@pytest.mark.parametrize("cells", [1, 100, 500])
def test_the_exchange_in_chunks_gives_the_same_agents(cells, monkeypatch):
    case = _year_like(seed=cells)
    floor = case.pop("floor")
    whole = daily.fewest_hours("erlang_a", floor, **case)
    monkeypatch.setattr(daily, "EXCHANGE_CELLS", cells)  # 1: one group per chunk
    chunked = daily.fewest_hours("erlang_a", floor, **case)
    np.testing.assert_array_equal(chunked, whole)
    # the targets bind (agents above the floors); on these cases the exchange moves agents
    # in 47-58 of the 180 intervals (measured when this test was written, by turning it off)
    assert np.all(whole >= floor) and (whole > floor).any()
