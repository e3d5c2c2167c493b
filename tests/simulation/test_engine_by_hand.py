"""The engine's replications, rerun here one by one from the seeds it documents.

Rule protected (:mod:`staffing.simulation.engine` docstring): replication r of the skill
with id s runs the kernel on ``SeedSequence(seed, spawn_key=(s, r))`` with the skill's own
inputs and the run's options; with a forecast error, the volume of each day is multiplied
by that skill's column of the replication's draw ``day_multipliers(seed, r, cvs,
correlation, days)`` (every skill of the run drawn at once, over the longest horizon), and
the same replication is run again on the forecast volume (the same kernel stream) for the
probability with the volume known. The engine's per-replication counts, its tables and
its facts are compared with those reruns.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from staffing.simulation import engine
from staffing.simulation.inputs import SkillInput
from staffing.simulation.kernel import simulate_replication

SEED = 13
REPS = 12  # two tasks per skill: replications 0-9 and 10-11


def hourly(skill_id: int, days: int, *, method: str = "erlang_a", **changes) -> SkillInput:
    n_t = 24 * days
    hour = np.arange(n_t) % 24
    open_ = (hour >= 8) & (hour < 18)
    grid = pd.date_range(pd.Timestamp("2026-03-05", tz="Europe/Berlin"), periods=n_t, freq="h")
    day = (np.arange(n_t) // 24).astype(np.int64)
    fields = {
        "skill_id": skill_id,
        "skill_name": f"skill {skill_id}",
        "method": method,
        "interval_start": grid,
        "volume": np.where(open_, 30.0 + 4.0 * (hour - 8), 0.0),
        "agents": np.where(open_, np.ceil((30.0 + 4.0 * (hour - 8)) * 420 / 3600) + 1, 0).astype(
            np.int64
        ),
        "handle_time_s": np.full(n_t, 420.0),
        "is_open": open_,
        "interval_s": 3600.0,
        "answer_within_s": 30.0,
        "patience_s": 200.0,
        "service_level_target": 0.7,
        "asa_s": 60.0,
        "max_abandon": 0.1,
        "day": day,
        "dates": np.array([dt.date(2026, 3, 5) + dt.timedelta(days=d) for d in range(days)]),
        # weeks starting on Mondays, from a Thursday: a short first week (Thu-Sun)
        "week": (np.arange(n_t) >= 4 * 24).astype(np.int64),
        "week_start": (dt.date(2026, 3, 5), dt.date(2026, 3, 9)),
    }
    return SkillInput(**{**fields, **changes})


def rerun(skill: SkillInput, rep: int, volume: np.ndarray, options: dict) -> np.ndarray:
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(skill.skill_id, rep)))
    return simulate_replication(
        volume,
        skill.agents,
        skill.handle_time_s,
        rng,
        interval_s=skill.interval_s,
        answer_within_s=skill.answer_within_s,
        patience_s=skill.patience_s,
        is_open=skill.is_open,
        **options,
    )


def per_period(out: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    return np.stack([out[codes == p, :5].sum(axis=0) for p in range(n)])


def meets_by_hand(skill: SkillInput, counts: np.ndarray) -> np.ndarray:
    arrivals, answered, within, abandoned, wait = (counts[..., i] for i in range(5))
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = ~(within / arrivals < skill.service_level_target)
        ok &= ~(wait / answered > skill.asa_s)
        if skill.method != "erlang_c":
            ok &= ~(abandoned / arrivals > skill.max_abandon)
    return ok


@pytest.mark.parametrize("known_volume", [True, False])
def test_forecast_error_replications_are_the_kernel_on_the_drawn_volume(known_volume):
    skills = [
        hourly(3, days=5, daily_cv=0.15),
        hourly(4, days=6, method="erlang_c", patience_s=None, daily_cv=0.05),
        hourly(9, days=5, daily_cv=0.0),  # no forecast error: its column draws 1
    ]
    began = time.perf_counter()
    done = engine.run(
        skills, replications=REPS, seed=SEED, correlation=0.4, known_volume=known_volume
    )
    assert 0 < done.task_seconds <= time.perf_counter() - began  # in-process: within the call
    cvs = np.array([0.15, 0.05, 0.0])
    assert done.tasks == 6 and done.executor == "in-process"
    contacts = 0
    for column, skill in enumerate(skills):
        outs, knowns = [], []
        for rep in range(REPS):
            # every skill drawn at once over the longest horizon (6 days)
            factors = engine.day_multipliers(SEED, rep, cvs, 0.4, 6)[:, column]
            outs.append(rerun(skill, rep, skill.volume * factors[skill.day], {}))
            knowns.append(rerun(skill, rep, skill.volume, {}))
        out, known = np.stack(outs), np.stack(knowns)
        contacts += int(out[..., 0].sum())
        n_days = len(skill.dates)
        daily = np.stack([per_period(o, skill.day, n_days) for o in out])
        weekly = np.stack([per_period(o, skill.week, 2) for o in out])
        np.testing.assert_array_equal(done.counts[skill.skill_id][0], daily)
        np.testing.assert_array_equal(done.counts[skill.skill_id][1], weekly)
        iv = done.intervals[done.intervals["skill_id"] == skill.skill_id]
        np.testing.assert_allclose(iv["arrivals_sim"], out[..., 0].mean(axis=0), rtol=1e-12)
        table = done.daily[done.daily["skill_id"] == skill.skill_id]
        assert list(table["date"]) == list(skill.dates)
        np.testing.assert_allclose(table["p_meets_target"], meets_by_hand(skill, daily).mean(0))
        known_days = np.stack([per_period(o, skill.day, n_days) for o in known])
        p_known = meets_by_hand(skill, known_days).mean(axis=0)
        if skill.daily_cv == 0:  # one run only: the same replications either way
            np.testing.assert_array_equal(known, out)
            np.testing.assert_allclose(table["p_meets_target_known_volume"], p_known)
        elif known_volume:
            np.testing.assert_allclose(table["p_meets_target_known_volume"], p_known)
        else:
            assert table["p_meets_target_known_volume"].isna().all()
        weeks = done.weekly[done.weekly["skill_id"] == skill.skill_id]
        assert weeks["week_start"].tolist() == [dt.date(2026, 3, 5), dt.date(2026, 3, 9)]
        assert weeks["days"].tolist() == [4, n_days - 4]  # Thu-Sun, then Mon on
        week_known = np.stack([per_period(o, skill.week, 2) for o in known])
        if known_volume or skill.daily_cv == 0:
            np.testing.assert_allclose(
                weeks["p_meets_target_known_volume"], meets_by_hand(skill, week_known).mean(0)
            )
    assert done.contacts == contacts  # the forecast-error runs only
    assert done.daily["p_meets_target"].ne(done.daily["p_meets_target_known_volume"]).any()


def test_kernel_options_reach_every_replication():
    chat = hourly(
        21,
        days=2,
        method="chat",
        handle_time_s=np.tile([300.0, 380.0, 470.0], (48, 1)),
        agents=np.where(np.arange(48) % 24 >= 8, 2, 0).astype(np.int64) * (np.arange(48) % 24 < 18),
        week=np.zeros(48, dtype=np.int64),
        week_start=(dt.date(2026, 3, 5),),
    )
    options = {
        "ramp": True,
        "handle_time": "lognormal",
        "handle_time_cv": 0.5,
        "routing": "even_spread",
        "at_close": "hold",
    }
    done = engine.run([chat], replications=REPS, seed=SEED, **options)
    out = np.stack([rerun(chat, rep, chat.volume, options) for rep in range(REPS)])
    daily = np.stack([per_period(o, chat.day, 2) for o in out])
    np.testing.assert_array_equal(done.counts[21][0], daily)
    iv = done.intervals
    staffed = (chat.agents > 0).astype(bool)
    capacity = chat.agents[staffed] * 3600.0
    np.testing.assert_allclose(
        iv["occupancy_sim"][staffed], out[:, staffed, 5].mean(axis=0) / capacity, rtol=1e-12
    )
    # each option changes the replications: the defaults give other counts
    plain = engine.run([chat], replications=REPS, seed=SEED)
    defaults = {
        "ramp": False,
        "handle_time": "exponential",
        "handle_time_cv": 1.0,
        "routing": "least_loaded",
        "at_close": "drain",
    }  # the documented defaults of engine.run
    for name in options:
        other = {**options, name: defaults[name]}
        if name == "handle_time":
            other["handle_time_cv"] = 1.0
        changed = engine.run([chat], replications=REPS, seed=SEED, **other)
        assert not np.array_equal(changed.counts[21][0], daily), name
    assert not np.array_equal(plain.counts[21][0], daily)


def test_progress_is_called_after_each_task_in_order():
    calls = []
    engine.run(
        [hourly(3, days=1), hourly(4, days=1)],
        replications=REPS,
        seed=SEED,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_run_task_reports_its_replications_contacts_and_time():
    skill = hourly(3, days=1)
    spec = {
        "skill_id": 3,
        "volume": skill.volume,
        "agents": skill.agents,
        "handle_time_s": skill.handle_time_s,
        "is_open": skill.is_open,
        "interval_s": 3600.0,
        "answer_within_s": 30.0,
        "patience_s": 200.0,
        "seed": SEED,
        "day": skill.day,
        "week": np.zeros(24, dtype=np.int64),
        "n_days": 1,
        "n_weeks": 1,
        "cvs": np.array([0.0]),
        "column": 0,
        "draw_days": 1,
        "correlation": 0.0,
        "known_volume": True,
        "ramp": False,
        "handle_time": "exponential",
        "handle_time_cv": 1.0,
        "routing": "least_loaded",
        "at_close": "drain",
        "reps": (2, 5),
    }
    result = engine.run_task(spec)
    out = np.stack([rerun(skill, rep, skill.volume, {}) for rep in (2, 3, 4)])
    assert result["daily"].shape == (3, 1, 5)
    np.testing.assert_array_equal(result["daily"][:, 0], out[..., :5].sum(axis=1))
    np.testing.assert_array_equal(result["weekly"], result["daily"])
    assert result["daily_known"] is result["daily"]  # no forecast error: one run
    x, a, y, b, w, o = (out[..., i] for i in range(6))
    expected = np.stack(
        [
            m.sum(axis=0)
            for m in (
                x,
                x * x,
                y,
                y * y,
                x * y,
                b,
                b * b,
                x * b,
                a,
                a * a,
                w,
                w * w,
                a * w,
                o,
                o * o,
            )
        ]
    )
    np.testing.assert_allclose(result["moments"], expected, rtol=1e-12)
    assert result["contacts"] == int(x.sum()) and result["seconds"] > 0
