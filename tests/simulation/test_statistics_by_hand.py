"""Every statistic the simulation reports, recomputed here from the per-replication results.

Rule protected: the simulation's tables are statistics over independent replications, and
each is the textbook estimator named beside it. The test reruns each replication alone from
the seed the engine documents (``SeedSequence(seed, spawn_key=(skill_id, r))``), keeps the
per-replication counts, and recomputes by hand:

- a mean over replications and its 95 % half-width ``t(0.975, n-1) * s / sqrt(n)`` with the
  sample standard deviation ``s`` (Law, *Simulation Modeling and Analysis*, 5th ed., 2015,
  eq. 4.12 and section 9.4.1), the t quantile from ``scipy.stats.t.ppf``;
- a ratio of sums over replications (an interval's service level: answered within over
  arrivals) with its delta-method half-width ``t * sqrt(sum((y - R x)^2) / (n - 1) / n) /
  mean(x)`` (Law 2015, section 9.6; Cochran, *Sampling Techniques*, 3rd ed., 1977, eq. 6.9);
- the 10th percentile, linear between order statistics (Hyndman & Fan 1996, definition 7);
- probabilities as the share of (replication, period) pairs meeting every target.

The plan is two weeks of half hours (Europe/Berlin, across the spring clock change on
2026-03-29), small volumes so that five replications run in a few seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from staffing.plan import plan
from staffing.simulation import engine, simulate
from staffing.simulation.run import skill_inputs
from tests.conftest import per_module
from tests.simulation.by_hand import half_width, period_figures, ratio, replications
from tests.simulation.conftest import ramp_config

REPS = 5  # replications: few, for speed; every check is exact, not statistical
SEED = 11
START = "2026-03-23"  # a Monday; the clocks go forward on Sunday 2026-03-29
TZ = "Europe/Berlin"


def _volume() -> pd.DataFrame:
    start = pd.Timestamp(START).tz_localize(TZ)
    grid = pd.date_range(start, start + pd.Timedelta(weeks=2), freq="30min", inclusive="left")
    hour = np.asarray(grid.hour + grid.minute / 60.0)
    shape = np.where(
        (hour >= 8) & (hour < 12), 0.3 + np.exp(-0.5 * ((hour - 10) / 0.75) ** 2), 0.15
    )
    frames = [
        pd.DataFrame({"skill_id": sid, "interval_start": grid, "volume": scale * shape})
        for sid, scale in ((11, 12.0), (12, 9.0), (13, 3.0), (14, 10.0))
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope=per_module)
def two_week_plan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stats")
    unused = folder / "unused.csv"
    unused.write_text("skill_id,interval_start,volume\n")
    config = ramp_config(str(unused))
    config["plan"].update(start=START, weeks=2)
    return plan(config, volume=_volume())


# Function scope on purpose: each test runs the simulation it checks, so that mutation
# testing (which records the functions each test calls, fixtures included only for the
# first test using a module fixture) runs every test that checks a figure.
@pytest.fixture
def two_weeks(two_week_plan):
    result = simulate(two_week_plan, replications=REPS, seed=SEED, forecast_error=False)
    return two_week_plan, result


@pytest.fixture
def by_hand(two_weeks):
    planned, _ = two_weeks
    return {
        skill.skill_id: (skill, replications(skill, SEED, REPS)) for skill in skill_inputs(planned)
    }


def test_the_plan_spans_the_clock_change(two_weeks):
    planned, result = two_weeks
    local = planned.intervals[planned.intervals["skill_id"] == 12]["interval_start"]
    assert (local.dt.date.astype(str) == "2026-03-29").sum() == 46  # 23 hours of half hours
    days = result.daily[result.daily["skill_id"] == 12]["date"].astype(str).tolist()
    assert "2026-03-29" in days  # chat is open on Sundays: the 23-hour day is simulated
    assert result.weekly["skill_id"].value_counts().max() == 2


def test_interval_ratios_and_half_widths_are_those_of_the_replications(two_weeks, by_hand):
    _, result = two_weeks
    for sid, (skill, reps) in by_hand.items():
        table = result.intervals[result.intervals["skill_id"] == sid].reset_index(drop=True)
        x, a, y, b, w, o = (reps[..., i] for i in range(6))
        has = x.sum(axis=0) > 0
        assert has.sum() > 100
        np.testing.assert_allclose(table["arrivals_sim"], x.mean(axis=0), rtol=1e-12)
        for name, num, den in (
            ("service_level", y, x),
            ("p_abandon", b, x),
            ("asa_s", w, a),
        ):
            r, hw = ratio(num, den)
            ok = den.sum(axis=0) > 0
            np.testing.assert_allclose(table[f"{name}_sim"][ok], r[ok], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(table[f"{name}_ci"][ok], hw[ok], rtol=1e-9, atol=1e-12)
            assert table[f"{name}_sim"][~ok].isna().all()
        capacity = skill.agents * skill.interval_s
        staffed = skill.agents > 0
        np.testing.assert_allclose(
            table["occupancy_sim"][staffed], o.mean(axis=0)[staffed] / capacity[staffed], rtol=1e-9
        )
        np.testing.assert_allclose(
            table["occupancy_ci"][staffed],
            half_width(o)[staffed] / capacity[staffed],
            rtol=1e-9,
            atol=1e-15,
        )


def _missed_by_hand(skill, table: pd.DataFrame) -> np.ndarray:
    """An interval misses a target when its 95 % interval lies wholly on the wrong side."""
    staffed = (skill.agents > 0) & (skill.volume > 0)
    missed = np.zeros(len(table), dtype=bool)
    if skill.service_level_target is not None:
        upper = table["service_level_sim"] + table["service_level_ci"]
        missed |= (upper < skill.service_level_target).to_numpy()
    if skill.asa_s is not None:
        lower = table["asa_s_sim"] - table["asa_s_ci"]
        missed |= (lower > skill.asa_s).to_numpy()
    if skill.max_abandon is not None and skill.method != "erlang_c":
        lower = table["p_abandon_sim"] - table["p_abandon_ci"]
        missed |= (lower > skill.max_abandon).to_numpy()
    return missed & staffed


def test_an_interval_is_flagged_only_when_its_confidence_interval_misses(two_weeks, by_hand):
    _, result = two_weeks
    for sid, (skill, _) in by_hand.items():
        table = result.intervals[result.intervals["skill_id"] == sid].reset_index(drop=True)
        expected = _missed_by_hand(skill, table)
        np.testing.assert_array_equal(table["target_missed"].to_numpy(), expected)
    # one agent fewer in every staffed interval: now some intervals miss with confidence
    skill = by_hand[11][0]
    short = dataclasses.replace(skill, agents=np.maximum(skill.agents - 1, 0))
    table = engine.run([short], replications=REPS, seed=SEED).intervals
    expected = _missed_by_hand(short, table)
    np.testing.assert_array_equal(table["target_missed"].to_numpy(), expected)
    staffed = (short.agents > 0) & (short.volume > 0)
    assert 0 < expected.sum() < staffed.sum()
    labels = table["missed_targets"][expected]
    assert labels.str.contains("service_level").any()
    assert (table["missed_targets"][~expected] == "").all()


@pytest.mark.parametrize("period", ["daily", "weekly"])
def test_day_and_week_means_half_widths_p10_and_probabilities(two_weeks, by_hand, period):
    _, result = two_weeks
    table_all = getattr(result, period)
    for sid, (skill, reps) in by_hand.items():
        codes = skill.day if period == "daily" else skill.week
        n = len(skill.dates) if period == "daily" else len(skill.week_start)
        fig = period_figures(skill, reps, codes, n)
        offered = np.bincount(
            codes, weights=np.where(skill.agents > 0, skill.volume, 0), minlength=n
        )
        keep = offered > 0
        table = table_all[table_all["skill_id"] == sid].reset_index(drop=True)
        assert len(table) == keep.sum()
        np.testing.assert_allclose(table["arrivals_sim"], fig["arrivals"].mean(axis=0)[keep])
        for name in ("service_level", "p_abandon", "asa_s"):
            values = fig[name][:, keep]
            assert np.isfinite(values).all()
            np.testing.assert_allclose(table[f"{name}_sim"], values.mean(axis=0), rtol=1e-12)
            np.testing.assert_allclose(
                table[f"{name}_ci"], half_width(values), rtol=1e-9, atol=1e-15
            )
        # Hyndman & Fan definition 7: numpy's default "linear" method
        p10 = np.percentile(fig["service_level"][:, keep], 10, axis=0, method="linear")
        np.testing.assert_allclose(table["service_level_p10"], p10, rtol=1e-12)
        np.testing.assert_allclose(table["p_meets_target"], fig["ok"][:, keep].mean(axis=0))


def test_horizon_figures_worst_day_and_p_day_meets_target(two_weeks, by_hand):
    _, result = two_weeks
    summary = result.summary().set_index("skill_id")
    spread = []
    for sid, (skill, reps) in by_hand.items():
        total = reps[..., :5].sum(axis=1)  # (REPS, 5) over the whole horizon
        arrivals, answered, within, abandoned, wait = (total[:, i] for i in range(5))
        row = summary.loc[sid]
        assert row["service_level_sim"] == pytest.approx((within / arrivals).mean(), rel=1e-12)
        assert row["p_abandon_sim"] == pytest.approx((abandoned / arrivals).mean(), rel=1e-12)
        assert row["asa_s_sim"] == pytest.approx((wait / answered).mean(), rel=1e-12)
        days = period_figures(skill, reps, skill.day, len(skill.dates))
        worst = []
        for week in range(len(skill.week_start)):
            in_week = np.unique(skill.day[skill.week == week])
            worst.append(np.nanmin(days["service_level"][:, in_week], axis=1))
        # the mean over replications and plan weeks of each week's worst day
        assert row["worst_day_sl_sim"] == pytest.approx(np.mean(worst), rel=1e-12)
        served = np.bincount(skill.day, weights=np.where(skill.agents > 0, skill.volume, 0))
        served = served[: len(skill.dates)] > 0
        # the share of (day, replication) pairs meeting every target (days weigh equally)
        assert row["p_day_meets_target"] == pytest.approx(days["ok"][:, served].mean(), rel=1e-12)
        spread.append(row["p_day_meets_target"])
    assert len(set(spread)) > 1  # the skills' figures differ: no constant passes


def test_summary_planned_figures_and_shares(two_weeks):
    planned, result = two_weeks
    summary = result.summary().set_index("skill_id")
    iv = planned.intervals
    for sid in (11, 12, 13):
        mine = iv[iv["skill_id"] == sid]
        staffed = mine[(mine["agents"] > 0) & (mine["volume"] > 0)]
        row = summary.loc[sid]
        volume = staffed["volume"]
        # volume-weighted over the staffed intervals; ASA weighted by the answered volume
        sl = (staffed["service_level"] * volume).sum() / volume.sum()
        pab = (staffed["p_abandon"] * volume).sum() / volume.sum()
        answered = volume * (1 - staffed["p_abandon"])
        asa = (staffed["asa_s"] * answered).sum() / answered.sum()
        if sid != 13:  # Voice C has an ASA target only: no service level
            assert row["service_level"] == pytest.approx(sl, rel=1e-12)
        assert row["p_abandon"] == pytest.approx(pab, rel=1e-12, abs=1e-15)
        assert row["asa_s"] == pytest.approx(asa, rel=1e-12)
        days = result.daily[result.daily["skill_id"] == sid]
        assert row["daily_service_level_sim"] == pytest.approx(days["service_level_sim"].mean())
        flagged = result.intervals[result.intervals["skill_id"] == sid]["target_missed"]
        on = ((mine["agents"] > 0) & (mine["volume"] > 0)).to_numpy()
        assert row["intervals_missed"] == pytest.approx(flagged.to_numpy()[on].mean())
    workload = summary.loc[14]
    assert np.isnan(workload["service_level_sim"]) and workload["note"]


def test_plan_weeks_start_on_the_plan_start_and_every_seventh_day_after(two_week_plan):
    """Rule (``SimulationResult``: weeks start on ``plan.start``): the week labels of a
    two-week plan are its start date and seven days later, for every skill."""
    first = dt.date.fromisoformat(START)
    for skill in skill_inputs(two_week_plan):
        assert skill.week_start == (first, first + dt.timedelta(days=7))
