"""Daily and weekly scope: the fewest-hours optimiser, its config keys, plan and scenarios.

The optimiser (``staffing.daily.fewest_hours``) is checked against brute force on tiny
instances: every staffing vector in a box above the floors is evaluated with
``staffing.queueing.evaluate`` and the cheapest one meeting the day's volume-weighted
service level is the true minimum. The expected minima therefore come from the queueing
engine itself (tested against mpmath in tests/test_queueing.py), not from typed numbers.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import staffing
from staffing import daily, queueing
from staffing.errors import ConfigError
from staffing.plan import INTERVAL_COLUMNS


def _brute_force(vol, h, within, cost, target, floor, span=7):
    grids = [np.arange(f, f + span) for f in floor]
    combos = np.array(list(itertools.product(*grids)), dtype=float)
    sl = queueing.evaluate("erlang_c", combos, volume=vol, handle_time_s=h, answer_within_s=within)[
        "service_level"
    ]
    ok = (np.asarray(sl) * vol).sum(axis=1) >= target * vol.sum() - 1e-9
    total = np.where(ok, (combos * cost).sum(axis=1), np.inf)
    return float(total.min())


def _concave_from_floor(vol, h, within, floor, span=7):
    n = floor[:, None] + np.arange(span + 1)[None, :]
    sl = np.asarray(
        queueing.evaluate(
            "erlang_c",
            n,
            volume=vol[:, None],
            handle_time_s=h[:, None],
            answer_within_s=within[:, None],
        )["service_level"]
    )
    gains = np.diff(sl, axis=1)
    return bool(np.all(np.diff(gains, axis=1) <= 1e-12))


@pytest.mark.parametrize("seed", range(12))
def test_greedy_finds_the_true_minimum_of_a_tiny_day(seed):
    rng = np.random.default_rng(seed)
    vol = rng.uniform(5, 120, 4).round()
    h = rng.uniform(120, 400, 4)
    within = np.full(4, 20.0)
    floor = np.floor(vol * h / 3600) + 1  # just stable: the optimiser's own floor
    # even seeds: equal cost (agent-hours); odd seeds: FTE-hours with varying shrinkage
    cost = np.ones(4) if seed % 2 == 0 else 1 / (1 - rng.choice([0.25, 0.3, 0.4], 4))
    target = float(rng.choice([0.7, 0.8, 0.9]))
    got = daily.fewest_hours(
        "erlang_c",
        floor,
        volume=vol,
        handle_time_s=h,
        interval_s=3600,
        answer_within_s=within,
        patience_s=np.full(4, np.inf),
        group=np.zeros(4, dtype=int),
        cost=cost,
        service_level=np.full(4, target),
    )
    assert _concave_from_floor(vol, h, within, floor)  # the optimality argument's premise
    assert np.all(got >= floor)
    sl = queueing.evaluate("erlang_c", got, volume=vol, handle_time_s=h, answer_within_s=within)[
        "service_level"
    ]
    assert (sl * vol).sum() >= target * vol.sum() - 1e-9
    assert (got * cost).sum() == pytest.approx(_brute_force(vol, h, within, cost, target, floor))


def test_groups_are_independent_and_identical_groups_share_the_answer():
    vol = np.array([20.0, 60, 120, 40, 20, 60, 120, 40, 10, 90])
    h = np.full(10, 180.0)
    group = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
    common = {
        "volume": vol,
        "handle_time_s": h,
        "interval_s": 3600,
        "answer_within_s": np.full(10, 20.0),
        "patience_s": np.full(10, np.inf),
        "cost": np.ones(10),
        "service_level": np.full(10, 0.8),
    }
    floor = np.floor(vol * h / 3600) + 1
    together = daily.fewest_hours("erlang_c", floor, group=group, **common)
    np.testing.assert_array_equal(together[:4], together[4:8])
    alone = daily.fewest_hours(
        "erlang_c",
        floor[8:],
        group=np.zeros(2, dtype=int),
        **{k: (v[8:] if isinstance(v, np.ndarray) else v) for k, v in common.items()},
    )
    np.testing.assert_array_equal(together[8:], alone)
    metrics = daily.group_metrics(
        "erlang_c",
        together,
        volume=vol,
        handle_time_s=h,
        interval_s=3600,
        answer_within_s=np.full(10, 20.0),
        patience_s=np.full(10, np.inf),
        group=group,
        n_groups=3,
    )
    assert np.all(metrics["service_level"] >= 0.8 - 1e-9)


def test_abandonment_and_asa_targets_hold_over_the_day():
    vol = np.array([30.0, 150, 80])
    h = np.full(3, 240.0)
    patience = np.full(3, 120.0)
    floor = np.floor(vol * h / 3600) + 1
    got = daily.fewest_hours(
        "erlang_a",
        floor,
        volume=vol,
        handle_time_s=h,
        interval_s=3600,
        answer_within_s=np.full(3, 20.0),
        patience_s=patience,
        group=np.zeros(3, dtype=int),
        cost=np.ones(3),
        max_abandon=np.full(3, 0.02),
        asa_s=np.full(3, 10.0),
    )
    m = daily.group_metrics(
        "erlang_a",
        got,
        volume=vol,
        handle_time_s=h,
        interval_s=3600,
        answer_within_s=np.full(3, 20.0),
        patience_s=patience,
        group=np.zeros(3, dtype=int),
        n_groups=1,
    )
    assert m["p_abandon"][0] <= 0.02 + 1e-9 and m["asa_s"][0] <= 10.0 + 1e-6
    # one agent fewer anywhere above the floor breaks a target (the answer is minimal)
    for i in np.flatnonzero(got > floor):
        fewer = got.copy()
        fewer[i] -= 1
        m = daily.group_metrics(
            "erlang_a",
            fewer,
            volume=vol,
            handle_time_s=h,
            interval_s=3600,
            answer_within_s=np.full(3, 20.0),
            patience_s=patience,
            group=np.zeros(3, dtype=int),
            n_groups=1,
        )
        assert m["p_abandon"][0] > 0.02 or m["asa_s"][0] > 10.0


def test_unsorted_groups_are_refused():
    with pytest.raises(ValueError, match="non-decreasing"):
        daily.fewest_hours(
            "erlang_c",
            np.ones(2),
            volume=np.ones(2),
            handle_time_s=np.ones(2),
            interval_s=3600,
            answer_within_s=np.zeros(2),
            patience_s=np.full(2, np.inf),
            group=np.array([1, 0]),
            cost=np.ones(2),
            service_level=np.full(2, 0.8),
        )


# --------------------------------------------------------------------------- config


def _config(tmp_path, **service_level):
    volume = tmp_path / "volume.csv"
    grid = [f"2026-03-02T{h:02d}:00:00" for h in range(24)] + [
        f"2026-03-03T{h:02d}:00:00" for h in range(24)
    ]
    shape = [2, 1, 1, 1, 1, 2, 5, 15, 40, 60, 55, 45, 40, 42, 45, 40, 30, 20, 12, 8, 6, 4, 3, 2]
    lines = ["skill_id,interval_start,volume"]
    for sid, scale in ((1, 1.0), (2, 0.5), (3, 0.7)):
        lines += [f"{sid},{t},{v * scale}" for t, v in zip(grid, shape * 2, strict=True)]
    volume.write_text("\n".join(lines) + "\n")
    sl = {"target": 0.8, "answer_within_seconds": 20, **service_level}
    return {
        "plan": {
            "name": "scope",
            "start": "2026-03-02",
            "end": "2026-03-03",
            "timezone": "UTC",
            "interval_minutes": 60,
        },
        "nht": {"source": "store"},
        "volume": {"source": "file", "path": str(volume)},
        "defaults": {
            "shrinkage": {"default": 0.3, "by_hour": {12: 0.45}},
            "fte_hours_per_week": 40,
            "service_level": sl,
        },
        "skills": [
            {"id": 1, "name": "Voice", "method": "erlang_c", "nht_seconds": 300},
            {
                "id": 2,
                "name": "Callback",
                "method": "erlang_a",
                "nht_seconds": 300,
                "patience_seconds": 120,
                "max_abandon": 0.05,
            },
            {"id": 3, "name": "Messaging", "method": "workload", "nht_seconds": 300},
        ],
    }


def test_scope_and_staffing_default_to_todays_behaviour(tmp_path):
    config = staffing.load_config(_config(tmp_path))
    skill = config.resolved_skills[0]
    assert (skill.scope, skill.interval_floor, skill.staffing) == ("interval", None, "stationary")


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        ({"scope": "month"}, "service_level.scope", "'interval', 'day' or 'week'"),
        ({"interval_floor": 0.5}, "service_level.interval_floor", "needs scope day or week"),
        ({"scope": "day", "interval_floor": 0.9}, "service_level.interval_floor", "at most"),
    ],
)
def test_bad_scope_settings_name_their_key(tmp_path, change, key, message):
    with pytest.raises(ConfigError) as error:
        staffing.load_config(_config(tmp_path, **change))
    assert key in str(error.value) and message in str(error.value)


def test_time_stable_with_a_day_scope_is_refused(tmp_path):
    raw = _config(tmp_path, scope="day")
    raw["skills"][0]["staffing"] = "time_stable"
    with pytest.raises(ConfigError, match=r"skills\[0\]\.staffing: time_stable"):
        staffing.load_config(raw)


# --------------------------------------------------------------------------- plan


def test_day_scope_meets_the_day_with_fewer_hours_and_says_so(tmp_path):
    by_interval = staffing.plan(_config(tmp_path))
    by_day = staffing.plan(_config(tmp_path, scope="day", interval_floor=0.5))
    before, after = (p.daily.groupby("skill_id")["fte_hours"].sum() for p in (by_interval, by_day))
    assert after[1] < before[1]
    assert after[2] <= before[2]
    assert after[3] == before[3]  # workload: left as it is
    iv = by_day.intervals
    served = iv["volume"] > 0
    for sid in (1, 2):
        mine = iv[(iv["skill_id"] == sid) & served]
        for _, day in mine.groupby(mine["interval_start"].dt.date):
            sl = (day["service_level"] * day["volume"]).sum() / day["volume"].sum()
            assert sl >= 0.8 - 1e-9
        assert (mine["service_level"] >= 0.5 - 1e-9).all()  # interval_floor
    callback = iv[(iv["skill_id"] == 2) & served]
    assert (callback["p_abandon"] * callback["volume"]).sum() / callback[
        "volume"
    ].sum() <= 0.05 + 1e-9
    method = by_day.staffing_method
    assert len(method) == len(iv)
    assert set(method[iv["skill_id"] != 3]) == {"day_scope"}
    assert set(method[iv["skill_id"] == 3]) == {"stationary"}
    assert list(by_day.skills["scope"]) == ["day", "day", "interval"]
    assert list(by_day.intervals.columns) == INTERVAL_COLUMNS  # the column stays apart


def test_week_scope_staffs_the_week_as_a_whole(tmp_path):
    by_week = staffing.plan(_config(tmp_path, scope="week"))
    by_day = staffing.plan(_config(tmp_path, scope="day"))
    assert set(by_week.staffing_method[by_week.intervals["skill_id"] == 1]) == {"week_scope"}
    # a week is a looser constraint than each of its days
    assert by_week.intervals["fte"].sum() <= by_day.intervals["fte"].sum() + 1e-9


def test_scenarios_sweep_scope_and_staffing(tmp_path):
    sweep = staffing.scenarios(_config(tmp_path), scope=["interval", "day"])
    hours = sweep.groupby(["scope", "skill_id"])["fte_hours"].sum()
    assert hours["day", 1] < hours["interval", 1]
    assert hours["day", 3] == hours["interval", 3]
    with pytest.raises(ValueError, match="valid values: interval, day, week"):
        staffing.scenarios(_config(tmp_path), scope=["month"])
    with pytest.raises(ValueError, match="valid values: stationary, time_stable"):
        staffing.scenarios(_config(tmp_path), staffing=["dynamic"])


def test_old_configs_keep_interval_scope_and_stationary_staffing():
    skills = staffing.load_config("config/example.yaml").resolved_skills
    assert all(s.scope == "interval" and s.staffing == "stationary" for s in skills)
