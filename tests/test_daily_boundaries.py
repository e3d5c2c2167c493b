"""Day scope at its boundaries (issue 23: the survivors of staffing.daily's mutation run).

The slack of the target check and of the exchange pass, the smallest saving worth a move,
days of one interval, costs far apart, the ASA of the answered contacts under Erlang A,
several targets at equal costs, ``max_rounds``, and the memory of the exchange's move grids.

Every expectation is recomputed here from :func:`staffing.queueing.evaluate` (tested against
mpmath in tests/test_queueing.py): the group's figures by the definitions in
staffing.daily's docstring (service level Σ v·SL / Σ v, abandonment Σ v·P_ab / Σ v, ASA
Σ A·ASA / Σ A with A = v·(1 − P_ab) answered), the cheapest staffing by brute force over a
box above the floors, a move's effect from the two intervals' increments.
"""

from __future__ import annotations

import itertools
import tracemalloc

import numpy as np
import pytest

from staffing import daily, queueing

#: The documented relative slack of a group's target check: 1e-9 x max(Σ v, 1) contacts.
SLACK = 1e-9


def _metrics(model, agents, volume, h, within=20.0, patience=None):
    extra = {} if model == "erlang_c" else {"patience_s": patience}
    m = queueing.evaluate(
        model,
        np.asarray(agents, dtype=float),
        volume=volume,
        handle_time_s=h,
        interval_s=3600,
        answer_within_s=within,
        **extra,
    )
    return {k: np.asarray(v, dtype=float) for k, v in m.items()}


def _day(model, agents, volume, h, patience=None):
    """One group's volume-weighted figures from the per-interval metrics."""
    m = _metrics(model, agents, volume, h, patience=patience)
    answered = volume * (1.0 - m["p_abandon"])
    waits = [a * s for a, s in zip(answered, m["asa_s"], strict=True) if a > 0]
    return {
        "service_level": float((volume * m["service_level"]).sum() / volume.sum()),
        "p_abandon": float((volume * m["p_abandon"]).sum() / volume.sum()),
        "asa_s": float(sum(waits) / answered.sum()) if waits else np.nan,
    }


def _fewest(model="erlang_c", *, floor, volume, h, **kw):
    rows = len(volume)
    return daily.fewest_hours(
        model,
        np.asarray(floor, dtype=float),
        volume=np.asarray(volume, dtype=float),
        handle_time_s=np.asarray(h, dtype=float),
        interval_s=3600,
        answer_within_s=np.full(rows, 20.0),
        patience_s=kw.pop("patience_s", np.full(rows, np.inf)),
        group=kw.pop("group", np.zeros(rows, dtype=int)),
        cost=kw.pop("cost", np.ones(rows)),
        **kw,
    )


def _cheapest(model, floor, volume, h, cost, want, patience=None, span=8):
    """Brute force: the least cost of a staffing in [floor, floor + span) per interval
    meeting every target in ``want`` (within 1e-9)."""
    n = np.array(list(itertools.product(*[np.arange(f, f + span) for f in floor])), float)
    m = _metrics(model, n, volume, h, patience=patience)
    ok = np.ones(len(n), dtype=bool)
    if "service_level" in want:
        ok &= (volume * m["service_level"]).sum(1) / volume.sum() >= want["service_level"] - 1e-9
    if "max_abandon" in want:
        ok &= (volume * m["p_abandon"]).sum(1) / volume.sum() <= want["max_abandon"] + 1e-9
    if "asa_s" in want:
        answered = volume * (1.0 - m["p_abandon"])
        asa = (answered * m["asa_s"]).sum(1) / answered.sum(1)
        ok &= asa <= want["asa_s"] + 1e-9
    return float(np.where(ok, (n * cost).sum(1), np.inf).min())


# --------------------------------------------------------------------------- the target check


def _at_two_agents(volume: float) -> tuple[float, float]:
    """An interval of ``volume`` contacts at a = 1.5 Erlang: its handle time and its term
    v·SL at a floor of 2 agents."""
    h = 3600 * 1.5 / volume
    return h, float(volume * _metrics("erlang_c", 2.0, volume, h)["service_level"])


def test_a_group_short_by_exactly_its_slack_meets_its_target():
    """The rule "short by at most 1e-9 x max(Σ v, 1) contacts is met" includes the bound:
    a target whose need exceeds the group's term by exactly the slack (built in floating
    point: need − slack == term) adds no agent."""
    volume = 64.0  # a power of two: level x Σ v is the need exactly
    h, term = _at_two_agents(volume)
    slack = SLACK * max(volume, 1.0)
    need = term + slack
    while need - slack > term:
        need = np.nextafter(need, -np.inf)
    while need - slack < term:
        need = np.nextafter(need, np.inf)
    assert need - slack == term  # the group falls short by exactly the slack
    got = _fewest(floor=[2.0], volume=[volume], h=[h], service_level=[need / volume])
    assert got.tolist() == [2.0]


def test_a_group_within_its_slack_is_left_alone_while_another_is_staffed():
    """Each pass fills only the groups short of a target: a day short by half its slack
    keeps its floor while the day before it (5 Erlang at 2 agents above the load, 80 % in
    20 s missed) gets the smallest n reaching 80 %, found by scanning n."""
    volume, (h, term) = 100.0, _at_two_agents(100.0)
    level = (term + 0.5 * SLACK * volume) / volume
    n = np.arange(6.0, 20.0)
    sl = _metrics("erlang_c", n, 100.0, 180.0)["service_level"]
    first = n[np.argmax(sl >= 0.8)]
    assert first > 7
    got = _fewest(
        floor=[7.0, 2.0],
        volume=[100.0, volume],
        h=[180.0, h],
        group=np.array([0, 1]),
        service_level=np.array([0.8, level]),
    )
    assert got.tolist() == [first, 2.0]


def _two_busy_intervals(**targets):
    volume, h, patience = np.array([60.0, 90.0]), np.array([240.0, 240.0]), np.full(2, 60.0)
    floor = np.array([5.0, 7.0])  # above the loads of 4 and 6 Erlang
    got = _fewest("erlang_a", floor=floor, volume=volume, h=h, patience_s=patience, **targets)
    return got, _day("erlang_a", floor, volume, h, patience), (volume, h, patience)


def test_max_rounds_of_one_pass_meets_a_days_only_target():
    """``max_rounds`` is the passes made, each meeting one target of each group missing
    one: one pass meets a day's only target (Erlang A, 60 s patience, 90 % in 20 s missed
    at the floors), answered, not refused."""
    got, at_floor, args = _two_busy_intervals(service_level=np.full(2, 0.9), max_rounds=1)
    assert at_floor["service_level"] < 0.9
    assert _day("erlang_a", got, *args)["service_level"] >= 0.9


def test_a_day_still_missing_a_target_after_max_rounds_is_refused_naming_the_passes():
    """The same day with a 0.5 % abandonment target too misses both at the floors; the
    fewest agents for the service level alone still abandon more than 0.5 %, so one pass
    leaves a target missed: refused, the message naming the passes. The default passes meet
    both."""
    sl_only, at_floor, args = _two_busy_intervals(service_level=np.full(2, 0.9))
    assert at_floor["p_abandon"] > 0.005
    assert _day("erlang_a", sl_only, *args)["p_abandon"] > 0.005
    both = {"service_level": np.full(2, 0.9), "max_abandon": np.full(2, 0.005)}
    with pytest.raises(ValueError) as error:
        _two_busy_intervals(**both, max_rounds=1)
    assert str(error.value) == "the daily targets are still missed after 1 passes"
    got, _, _ = _two_busy_intervals(**both)
    day = _day("erlang_a", got, *args)
    assert day["service_level"] >= 0.9 and day["p_abandon"] <= 0.005 + 1e-12


# --------------------------------------------------------------------------- the exchange pass


def _two_intervals(volume_a, h_a, volume_b, h_b):
    """Floors of ⌊a⌋ + 1 (stable); interval A (5 Erlang) gains more from one agent than B
    (1 Erlang). Returns the floors, the group's term Σ v·SL at the floors and the two
    first increments v·(SL(n + 1) − SL(n))."""
    floor = np.array([np.floor(volume_a * h_a / 3600) + 1, np.floor(volume_b * h_b / 3600) + 1])
    sl_a = _metrics("erlang_c", floor[0] + np.arange(2.0), volume_a, h_a)["service_level"]
    sl_b = _metrics("erlang_c", floor[1] + np.arange(2.0), volume_b, h_b)["service_level"]
    at_floor = volume_a * sl_a[0] + volume_b * sl_b[0]
    return floor, at_floor, volume_a * (sl_a[1] - sl_a[0]), volume_b * (sl_b[1] - sl_b[0])


@pytest.mark.parametrize(
    ("volumes", "handle_times", "short_by", "moved"),
    [
        ((100.0, 20.0), (180.0, 180.0), 60.0, True),  # slack 1e-9 x 120 contacts
        ((100.0, 20.0), (180.0, 180.0), 240.0, False),
        ((1.0, 0.5), (18000.0, 7200.0), 1.0, True),  # under 2 contacts: 1e-9 x 1.5
        ((1.0, 0.5), (18000.0, 7200.0), 1.75, False),
    ],
)
def test_a_move_leaving_the_group_within_its_slack_is_made(volumes, handle_times, short_by, moved):
    """The exchange moves an agent to a cheaper interval when the group then falls short
    of its target by at most the slack (1e-9 x max(Σ v, 1) contacts, as the target check):
    A costs 1.2, B 1.0; the greedy staffs A (its gain per cost is larger), and moving that
    agent to B leaves the day short by ``short_by`` x 1e-9 contacts."""
    floor, at_floor, gain_a, gain_b = _two_intervals(
        volumes[0], handle_times[0], volumes[1], handle_times[1]
    )
    total = sum(volumes)
    assert gain_a / 1.2 > gain_b  # the greedy adds to A first, and A's agent suffices:
    need = at_floor + gain_b + short_by * 1e-9  # short_by x 1e-9 above the moved total
    assert gain_a >= need - at_floor
    got = _fewest(
        floor=floor,
        volume=list(volumes),
        h=list(handle_times),
        cost=np.array([1.2, 1.0]),
        service_level=np.full(2, need / total),
    )
    assert (short_by * 1e-9 <= SLACK * max(total, 1.0)) == moved
    expected = floor + ([0.0, 1.0] if moved else [1.0, 0.0])
    assert got.tolist() == expected.tolist()


@pytest.mark.parametrize(("cheaper_by", "moved"), [(1, False), (2, True)])
def test_a_move_saving_at_most_1e_12_of_the_largest_cost_is_not_made(cheaper_by, moved):
    """A saving of at most 1e-12 x the largest cost is floating-point noise, not a reason to
    move an agent: A costs M = 2^-39 / 1e-12 (about 1.82 FTE-hours), so 1e-12 x M is 2^-39
    exactly, and B costs M − 2^-39 (no move) or M − 2 x 2^-39 (moved). Either interval's
    agent meets the day's target (B's increment covers twice the deficit)."""
    threshold = 2.0**-39
    largest = threshold / 1e-12
    assert 1e-12 * largest == threshold and largest - (largest - threshold) == threshold
    floor, at_floor, gain_a, gain_b = _two_intervals(100.0, 180.0, 20.0, 180.0)
    need = at_floor + 0.5 * gain_b
    got = _fewest(
        floor=floor,
        volume=[100.0, 20.0],
        h=[180.0, 180.0],
        cost=np.array([largest, largest - cheaper_by * threshold]),
        service_level=np.full(2, need / 120.0),
    )
    assert gain_a > gain_b  # the greedy takes A's agent first
    assert got.tolist() == (floor + ([0.0, 1.0] if moved else [1.0, 0.0])).tolist()


def test_days_of_one_interval_at_different_costs_each_get_their_fewest_agents():
    """Days of a single interval (a move grid one interval wide) at FTE costs that differ
    from day to day: the exchange runs and each day keeps the smallest n reaching 80 % in
    20 s, found by scanning n."""
    volume = np.array([30.0, 75.0, 140.0, 55.0])
    h = np.full(4, 240.0)
    floor = np.floor(volume * h / 3600) + 1
    n = floor[:, None] + np.arange(12.0)[None, :]
    sl = _metrics("erlang_c", n, volume[:, None], 240.0)["service_level"]
    expected = n[np.arange(4), np.argmax(sl >= 0.8, axis=1)]
    assert (expected > floor).all()
    got = _fewest(
        floor=floor,
        volume=volume,
        h=h,
        group=np.arange(4),
        cost=1 / (1 - np.array([0.3, 0.35, 0.25, 0.4])),
        service_level=np.full(4, 0.8),
    )
    np.testing.assert_array_equal(got, expected)


# --------------------------------------------------------------------------- least cost


@pytest.mark.parametrize(
    ("volume", "h", "cost", "target"),
    [
        ((23.0, 80.0, 48.0), (287.0, 241.0, 206.0), (1.71, 1.18, 2.82), 0.8),
        ((81.0, 103.0), (307.0, 278.0), (2.05, 1.01), 0.9),
    ],
)
def test_costs_up_to_three_times_apart_give_the_least_cost(volume, h, cost, target):
    """The greedy orders increments by gain per unit of cost (Koole & van der Sluis 2003),
    so intervals costing up to 2.8 times as much as others are staffed last: the day's
    cost is the least brute force finds (Erlang C above the load: concave)."""
    volume, h, cost = np.array(volume), np.array(h), np.array(cost)
    floor = np.floor(volume * h / 3600) + 1
    got = _fewest(
        floor=floor, volume=volume, h=h, cost=cost, service_level=np.full(len(volume), target)
    )
    assert _day("erlang_c", got, volume, h)["service_level"] >= target
    cheapest = _cheapest("erlang_c", floor, volume, h, cost, {"service_level": target})
    assert (got * cost).sum() == pytest.approx(cheapest)


def test_an_asa_target_weighs_each_interval_by_its_answered_contacts():
    """Erlang A (240 s patience): the day's ASA is Σ A·ASA / Σ A over the answered
    A = v·(1 − P_ab), so an interval losing more callers weighs less. Two intervals (55
    and 18 contacts of 185 and 209 s) at a 30 s target and FTE costs 1.86 and 1.62: the
    answer meets it and costs the least brute force finds."""
    volume, h = np.array([55.0, 18.0]), np.array([185.0, 209.0])
    patience, cost = np.full(2, 240.0), np.array([1.86, 1.62])
    floor = np.floor(volume * h / 3600) + 1
    got = _fewest(
        "erlang_a",
        floor=floor,
        volume=volume,
        h=h,
        patience_s=patience,
        cost=cost,
        asa_s=np.full(2, 30.0),
    )
    assert _day("erlang_a", got, volume, h, patience)["asa_s"] <= 30.0
    cheapest = _cheapest("erlang_a", floor, volume, h, cost, {"asa_s": 30.0}, patience)
    assert (got * cost).sum() == pytest.approx(cheapest)


def test_an_interval_answering_nobody_adds_no_wait_to_the_day():
    """Erlang A lets a floor be 0: an interval with no agent answers nobody (everyone
    abandons) and adds no wait to the day's ASA of the answered. A day whose staffed
    interval meets a 60 s ASA at its floor, with half an answered contact of slack, keeps
    its floors."""
    volume, h, patience = np.array([40.0, 3.0]), np.array([300.0, 300.0]), np.full(2, 120.0)
    floor = np.array([5.0, 0.0])
    m = _metrics("erlang_a", floor, volume, h, patience=patience)
    assert m["p_abandon"][1] == 1.0  # nobody answered in the second interval
    answered = volume[0] * (1 - m["p_abandon"][0])
    target = float(m["asa_s"][0]) + 0.5 / answered  # met with 0.5 x (1 s x A) to spare
    got = _fewest(
        "erlang_a", floor=floor, volume=volume, h=h, patience_s=patience, asa_s=np.full(2, target)
    )
    assert _day("erlang_a", got, volume, h, patience)["asa_s"] <= target
    assert got.tolist() == floor.tolist()


def test_several_targets_at_equal_costs_leave_no_agent_to_drop():
    """Fewest agent-hours with a service level and an abandonment target at equal costs
    (one shrinkage for the day): each target is met in its own pass, so the first pass's
    agents may be more than the second pass needs. No agent above its floor can be
    removed with both targets still met (checked by hand, one interval at a time)."""
    volume = np.array([55.0, 104.0, 85.0, 16.0])
    h = np.array([393.0, 333.0, 340.0, 156.0])
    patience = np.full(4, 240.0)
    floor = np.floor(volume * h / 3600) + 1
    got = _fewest(
        "erlang_a",
        floor=floor,
        volume=volume,
        h=h,
        patience_s=patience,
        service_level=np.full(4, 0.8),
        max_abandon=np.full(4, 0.05),
    )
    day = _day("erlang_a", got, volume, h, patience)
    assert day["service_level"] >= 0.8 and day["p_abandon"] <= 0.05
    for i in np.flatnonzero(got > floor):
        fewer = got.copy()
        fewer[i] -= 1
        less = _day("erlang_a", fewer, volume, h, patience)
        assert less["service_level"] < 0.8 - 1e-9 or less["p_abandon"] > 0.05 + 1e-9, i


def test_erlang_a_from_floors_of_zero_leaves_no_agent_to_drop():
    """Erlang A allows floors of 0, where the service level is convex in the agents at
    first and the greedy's order is not the gains' (its ratios are clipped to their
    running minimum): at equal costs the exchange pass still runs, so no agent can be
    removed with the day's 80 % still met (checked by hand, one interval at a time)."""
    volume, h, patience = np.array([59.0, 102.0]), np.array([215.0, 230.0]), np.full(2, 240.0)
    got = _fewest(
        "erlang_a",
        floor=np.zeros(2),
        volume=volume,
        h=h,
        patience_s=patience,
        service_level=np.full(2, 0.8),
    )
    assert _day("erlang_a", got, volume, h, patience)["service_level"] >= 0.8
    for i in np.flatnonzero(got > 0):
        fewer = got.copy()
        fewer[i] -= 1
        assert _day("erlang_a", fewer, volume, h, patience)["service_level"] < 0.8 - 1e-9, i


# --------------------------------------------------------------------------- memory


def _peak_bytes(case: dict, cells: int, monkeypatch) -> int:
    monkeypatch.setattr(daily, "EXCHANGE_CELLS", cells)
    tracemalloc.start()
    try:
        _fewest(**case)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_exchange_builds_its_move_grids_a_chunk_at_a_time(monkeypatch):
    """The exchange's moves of a day are a (width, width + 1) grid; ``EXCHANGE_CELLS``
    bounds the cells built at once. 20 days of 96 quarter-hours hold 20 x 96 x 97 =
    186,240 cells, 1.49 MB per float grid: built one day at a time (the bound set to one
    day's 9,312 cells), the peak memory numpy reports is at least one whole float grid
    below building every day at once."""
    rng = np.random.default_rng(7)
    days, width = 20, 96
    volume = rng.uniform(20.0, 60.0, days * width).round()
    h = np.full(days * width, 240.0)
    case = {
        "floor": np.floor(volume * h / 3600) + 1,
        "volume": volume,
        "h": h,
        "group": np.repeat(np.arange(days), width),
        "cost": 1 / (1 - rng.choice([0.25, 0.3, 0.35], days * width)),
        "service_level": np.full(days * width, 0.8),
    }
    whole = _peak_bytes(case, days * width * (width + 1), monkeypatch)
    by_day = _peak_bytes(case, width * (width + 1), monkeypatch)
    assert by_day < whole - 8 * days * width * (width + 1)
