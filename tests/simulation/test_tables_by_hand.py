"""The simulation's table functions on replications typed by hand.

Rule protected: :mod:`staffing.simulation.tables` turns per-replication counts into the
figures a planner reads, and each is the textbook estimator (the formulas are cited in
tests/simulation/test_statistics_by_hand.py): the 95 % Student t quantile (NaN below two
samples); the ratio estimator and its delta-method half-width; the mean, half-width and
10th percentile (Hyndman & Fan 1996, definition 7) over the replications that have a
figure; a period meets every target when no figure is on the wrong side (a figure exactly
on its target meets it); an interval misses a target with 95 % confidence when its whole
confidence interval is on the wrong side, the targets missed listed in the order service
level, ASA, abandonment; under day or week scope that finding is information only;
day figures are volume-weighted over the staffed intervals with volume (the ASA by the
answered volume) and only periods with offered volume are shown; the horizon's worst day
is the mean over replications and plan weeks of each week's worst day.

The counts are small and typed here, so every expected number is worked out in the test.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from staffing.simulation.inputs import SkillInput
from staffing.simulation.tables import (
    MOMENTS,
    horizon_figures,
    interval_table,
    meets,
    per_rep,
    period_metrics,
    period_table,
    ratio,
    t_quantile,
)

T975 = stats.t.ppf(0.975, 3)  # four replications


def skill(**changes) -> SkillInput:
    """Six intervals, three days (two each), two plan weeks (days 0-1, day 2)."""
    fields = {
        "skill_id": 8,
        "skill_name": "Hand",
        "method": "erlang_a",
        "interval_start": pd.date_range("2026-03-02 09:00", periods=6, freq="h", tz="UTC"),
        "volume": np.array([10.0, 20.0, 0.0, 5.0, 4.0, 0.0]),
        "agents": np.array([2, 3, 1, 0, 2, 0], dtype=np.int64),
        "handle_time_s": np.full(6, 300.0),
        "is_open": np.ones(6, dtype=bool),
        "interval_s": 3600.0,
        "answer_within_s": 20.0,
        "patience_s": 100.0,
        "service_level_target": 0.8,
        "asa_s": 30.0,
        "max_abandon": 0.1,
        "day": np.array([0, 0, 1, 1, 2, 2], dtype=np.int64),
        "dates": np.array([dt.date(2026, 3, d) for d in (2, 3, 4)]),
        "week": np.array([0, 0, 0, 0, 1, 1], dtype=np.int64),
        "week_start": (dt.date(2026, 3, 2), dt.date(2026, 3, 9)),
        "planned": {
            "service_level": np.array([0.9, 0.7, np.nan, 0.5, 0.6, np.nan]),
            "asa_s": np.array([10.0, 40.0, np.nan, 5.0, 20.0, np.nan]),
            "p_abandon": np.array([0.02, 0.1, np.nan, 0.3, 0.05, np.nan]),
            "occupancy": np.array([0.5, 0.9, 0.0, np.nan, 0.3, np.nan]),
        },
    }
    return SkillInput(**{**fields, **changes})


# per replication (4) and interval (6): arrivals, within, abandoned, answered, wait, busy
X = np.array(
    [[9, 22, 0, 6, 4, 0], [11, 18, 0, 4, 3, 0], [10, 21, 0, 5, 5, 0], [12, 19, 0, 5, 4, 0]]
)
Y = np.array([[2, 20, 0, 0, 4, 0], [1, 17, 0, 0, 3, 0], [3, 20, 0, 0, 4, 0], [2, 18, 0, 0, 4, 0]])
B = np.array([[5, 0, 0, 6, 0, 0], [6, 1, 0, 4, 0, 0], [5, 0, 0, 5, 0, 0], [7, 0, 0, 5, 0, 0]])
A = X - B
W = np.array(
    [[400, 30, 0, 0, 5, 0], [500, 20, 0, 0, 0, 0], [450, 25, 0, 0, 9, 0], [600, 0, 0, 0, 3, 0]]
)
BUSY = np.array([[7000, 9000, 0, 0, 2000, 0], [7100, 8000, 0, 0, 1500, 0]] * 2, dtype=float)


def moments() -> np.ndarray:
    x, y, b, a, w, o = (v.astype(float) for v in (X, Y, B, A, W, BUSY))
    parts = {
        "x": x, "xx": x * x, "y": y, "yy": y * y, "xy": x * y, "b": b, "bb": b * b,
        "xb": x * b, "a": a, "aa": a * a, "w": w, "ww": w * w, "aw": a * w, "o": o, "oo": o * o,
    }  # fmt: skip
    return np.stack([parts[name].sum(axis=0) for name in MOMENTS])


def delta_method(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        r = y.sum(axis=0) / x.sum(axis=0)
        s2 = ((y - r * x) ** 2).sum(axis=0) / 3
        return r, T975 * np.sqrt(s2 / 4) / x.mean(axis=0)


def test_t_quantile_is_students_and_nan_below_two_samples():
    values = t_quantile(np.array([0, 1, 2, 5, 30]))
    assert np.isnan(values[:2]).all()
    np.testing.assert_allclose(values[2:], stats.t.ppf(0.975, [1, 4, 29]), rtol=1e-12)
    assert float(t_quantile(4)) == pytest.approx(T975, rel=1e-12)


def test_ratio_is_the_delta_method_estimate_and_nan_without_arrivals():
    y, x = Y.astype(float), X.astype(float)
    r, hw = ratio(y.sum(0), (y * y).sum(0), x.sum(0), (x * x).sum(0), (x * y).sum(0), 4)
    expected_r, expected_hw = delta_method(y, x)
    has = x.sum(axis=0) > 0
    np.testing.assert_allclose(r[has], expected_r[has], rtol=1e-12)
    np.testing.assert_allclose(hw[has], expected_hw[has], rtol=1e-10)
    assert np.isnan(r[~has]).all() and np.isnan(hw[~has]).all()
    # interval 0 by hand: R = 8/42; residuals y - R x
    assert r[0] == pytest.approx(8 / 42, rel=1e-12)


def test_per_rep_ignores_missing_replications_and_needs_two_for_a_half_width():
    values = np.array(
        [
            [0.5, 1.0, np.nan, 0.2],
            [0.7, np.nan, np.nan, 0.4],
            [0.9, np.nan, np.nan, 0.6],
            [0.3, np.nan, np.nan, 0.8],
        ]
    )
    mean, hw, p10 = per_rep(values)
    np.testing.assert_allclose(mean[[0, 1, 3]], [0.6, 1.0, 0.5], rtol=1e-12)
    sd = np.std([0.5, 0.7, 0.9, 0.3], ddof=1)
    assert hw[0] == pytest.approx(T975 * sd / 2, rel=1e-12)
    assert np.isnan(hw[1]) and np.isnan(mean[2]) and np.isnan(hw[2]) and np.isnan(p10[2])
    # definition 7: position 0.1 * (n - 1) = 0.3 between the sorted 0.3 and 0.5
    assert p10[0] == pytest.approx(0.3 + 0.3 * 0.2, rel=1e-12)
    assert p10[1] == 1.0  # one replication: its value
    assert p10[3] == pytest.approx(0.2 + 0.3 * 0.2, rel=1e-12)


def test_period_metrics_are_ratios_of_the_summed_counts():
    counts = np.array([[10.0, 8.0, 6.0, 2.0, 40.0], [0.0, 0.0, 0.0, 0.0, 0.0], [4, 0, 0, 4, 0]])
    got = period_metrics(counts)
    np.testing.assert_allclose(got["service_level"], [0.6, np.nan, 0.0])
    np.testing.assert_allclose(got["p_abandon"], [0.2, np.nan, 1.0])
    np.testing.assert_allclose(got["asa_s"], [5.0, np.nan, np.nan])


@pytest.mark.parametrize(
    ("figure", "value", "target", "ok"),
    [
        ("service_level", 0.8, 0.8, True),  # exactly on the target meets it
        ("service_level", 0.8 - 1e-9, 0.8, False),
        ("asa_s", 30.0, 30.0, True),
        ("asa_s", 30.0 + 1e-6, 30.0, False),
        ("p_abandon", 0.1, 0.1, True),
        ("p_abandon", 0.1 + 1e-9, 0.1, False),
        ("service_level", np.nan, 0.8, True),  # no arrival: nothing missed
    ],
)
def test_a_period_meets_a_target_it_reaches_exactly(figure, value, target, ok):
    metrics = {"service_level": np.array([0.99]), "asa_s": np.array([1.0])}
    metrics["p_abandon"] = np.array([0.0])
    metrics[figure] = np.array([value])
    key = "max_abandon" if figure == "p_abandon" else figure
    targets = {"service_level": None, "asa_s": None, "max_abandon": None, key: target}
    assert meets(metrics, targets).tolist() == [ok]
    # with no target at all every period meets
    none = {"service_level": None, "asa_s": None, "max_abandon": None}
    assert meets(metrics, none).tolist() == [True]


def test_interval_table_is_the_ratio_estimates_flags_and_occupancy():
    s = skill()
    table = interval_table(s, moments(), 4)
    assert list(table["skill_id"]) == [8] * 6 and table["skill_id"].dtype == np.int64
    assert (table["skill_name"] == "Hand").all() and (table["method"] == "erlang_a").all()
    pd.testing.assert_series_equal(
        table["interval_start"], pd.Series(s.interval_start), check_names=False
    )
    np.testing.assert_array_equal(table["volume"], s.volume)
    np.testing.assert_array_equal(table["agents"], s.agents)
    np.testing.assert_allclose(table["arrivals_sim"], X.mean(axis=0))
    for name, num, den in (("service_level", Y, X), ("p_abandon", B, X), ("asa_s", W, A)):
        r, hw = delta_method(num.astype(float), den.astype(float))
        has = den.sum(axis=0) > 0
        np.testing.assert_allclose(table[f"{name}_sim"][has], r[has], rtol=1e-12)
        np.testing.assert_allclose(table[f"{name}_ci"][has], hw[has], rtol=1e-9)
        assert table[f"{name}_sim"][~has].isna().all()
        np.testing.assert_array_equal(table[name], s.planned[name])
    staffed = s.agents > 0
    capacity = s.agents[staffed] * 3600.0
    np.testing.assert_allclose(table["occupancy_sim"][staffed], BUSY.mean(0)[staffed] / capacity)
    sd = BUSY.std(axis=0, ddof=1)[staffed]
    np.testing.assert_allclose(table["occupancy_ci"][staffed], T975 * sd / 2 / capacity)
    assert table["occupancy_sim"][~staffed].isna().all()
    assert table["occupancy_ci"][~staffed].isna().all()
    np.testing.assert_array_equal(table["occupancy"], s.planned["occupancy"])
    # interval 0 misses all three with confidence (SL 0.19, ASA 54 s, abandonment 0.55);
    # interval 1 meets them; interval 3 has no agents: nothing is flagged there
    assert table["missed_targets"].tolist() == [
        "service_level,asa_s,max_abandon",
        "",
        "",
        "",
        "",
        "",
    ]
    assert table["target_missed"].tolist() == [True] + [False] * 5
    assert (table["below_interval_target"] == "").all()


def test_flags_name_only_the_targets_the_skill_has():
    table = interval_table(skill(asa_s=None), moments(), 4)
    assert table["missed_targets"][0] == "service_level,max_abandon"
    # erlang_c ignores the abandonment target
    table = interval_table(skill(method="erlang_c", service_level_target=None), moments(), 4)
    assert table["missed_targets"][0] == "asa_s"
    table = interval_table(skill(service_level_target=None, asa_s=None), moments(), 4)
    assert table["missed_targets"][0] == "max_abandon"
    # a target missed by less than the half-width is not missed with confidence
    table = interval_table(
        skill(service_level_target=0.2, asa_s=None, max_abandon=None), moments(), 4
    )
    assert not table["target_missed"].any()


@pytest.mark.parametrize("scope", ["day", "week"])
def test_under_day_or_week_scope_the_interval_shortfall_is_information(scope):
    table = interval_table(skill(scope=scope), moments(), 4)
    assert not table["target_missed"].any() and (table["missed_targets"] == "").all()
    assert table["below_interval_target"][0] == "service_level,asa_s,max_abandon"
    assert (table["below_interval_target"][1:] == "").all()


def period_counts() -> np.ndarray:
    """Per replication (4) and interval (6): the five PERIOD counts."""
    return np.stack([X, A, Y, B, W], axis=-1).astype(float)


def test_period_table_weights_the_plan_and_summarises_the_replications():
    s = skill()
    per_day = np.stack([period_counts()[:, s.day == d].sum(axis=1) for d in range(3)], axis=1)
    known = per_day.copy()  # with the volume known: everyone answered at once
    known[..., 1] = known[..., 2] = known[..., 0]
    known[..., 3] = known[..., 4] = 0.0
    table = period_table(s, (per_day, known), s.day, 3, {"date": s.dates})
    # day 1 has no staffed volume (interval 2 has no volume, interval 3 no agents): hidden
    assert table["date"].tolist() == [dt.date(2026, 3, 2), dt.date(2026, 3, 4)]
    assert table["skill_id"].tolist() == [8, 8] and (table["skill_name"] == "Hand").all()
    np.testing.assert_allclose(table["volume"], [30.0, 4.0])
    np.testing.assert_allclose(table["arrivals_sim"], per_day[:, [0, 2], 0].mean(axis=0))
    # planned, volume-weighted over staffed intervals with volume: (0.9*10 + 0.7*20) / 30
    assert table["service_level"][0] == pytest.approx((0.9 * 10 + 0.7 * 20) / 30, rel=1e-12)
    assert table["p_abandon"][0] == pytest.approx((0.02 * 10 + 0.1 * 20) / 30, rel=1e-12)
    answered = np.array([10 * 0.98, 20 * 0.9])
    asa = (10.0 * answered[0] + 40.0 * answered[1]) / answered.sum()
    assert table["asa_s"][0] == pytest.approx(asa, rel=1e-12)
    assert table["service_level"][1] == pytest.approx(0.6) and table["asa_s"][1] == 20.0
    sl = per_day[..., 2] / per_day[..., 0]
    np.testing.assert_allclose(table["service_level_sim"], sl[:, [0, 2]].mean(axis=0))
    np.testing.assert_allclose(
        table["service_level_ci"], T975 * sl[:, [0, 2]].std(axis=0, ddof=1) / 2, rtol=1e-12
    )
    p10 = np.percentile(sl[:, [0, 2]], 10, axis=0)
    np.testing.assert_allclose(table["service_level_p10"], p10, rtol=1e-12)
    asa_sim = per_day[..., 4] / per_day[..., 1]
    np.testing.assert_allclose(table["asa_s_sim"], asa_sim[:, [0, 2]].mean(axis=0))
    pab = per_day[..., 3] / per_day[..., 0]
    np.testing.assert_allclose(table["p_abandon_sim"], pab[:, [0, 2]].mean(axis=0))
    ok = (sl >= 0.8) & (asa_sim <= 30.0) & (pab <= 0.1)
    np.testing.assert_allclose(table["p_meets_target"], ok[:, [0, 2]].mean(axis=0))
    assert table["p_meets_target"].tolist() == [0.0, 1.0]
    assert table["p_meets_target_known_volume"].tolist() == [1.0, 1.0]
    # the known-volume run not asked for: NaN
    table = period_table(s, (per_day, np.full_like(per_day, np.nan)), s.day, 3, {"date": s.dates})
    assert table["p_meets_target_known_volume"].isna().all()


def test_horizon_figures_skip_weeks_without_a_figure():
    s = skill()
    per_day = np.stack([period_counts()[:, s.day == d].sum(axis=1) for d in range(3)], axis=1)
    figures = horizon_figures(s, per_day)
    total = per_day.sum(axis=1)
    assert figures["service_level"] == pytest.approx((total[:, 2] / total[:, 0]).mean())
    assert figures["p_abandon"] == pytest.approx((total[:, 3] / total[:, 0]).mean())
    assert figures["asa_s"] == pytest.approx((total[:, 4] / total[:, 1]).mean())
    sl = per_day[..., 2] / per_day[..., 0]
    worst = np.concatenate([np.minimum(sl[:, 0], sl[:, 1]), sl[:, 2]])
    assert figures["worst_day_sl"] == pytest.approx(worst.mean(), rel=1e-12)
    # week 2 without arrivals has no worst day: the mean is over week 1 only
    quiet = per_day.copy()
    quiet[:, 2] = 0.0
    figures = horizon_figures(s, quiet)
    assert figures["worst_day_sl"] == pytest.approx(np.minimum(sl[:, 0], sl[:, 1]).mean())
    # no arrivals at all: no figure, NaN, and no numpy warning on the planner's console
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        empty = horizon_figures(s, np.zeros_like(per_day))
    assert np.isnan(empty["worst_day_sl"]) and np.isnan(empty["service_level"])


def test_per_rep_with_one_figure_has_no_half_width_and_no_warning():
    """Rule: a period with a figure in one replication only has its mean and 10th
    percentile (that figure) and no half-width (a spread needs two), without numpy's
    "Degrees of freedom <= 0" on the console; a period with none is NaN throughout."""
    values = np.array([[0.5, np.nan, 0.8], [np.nan, np.nan, 0.6]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean, half_width, p10 = per_rep(values)
    assert mean[0] == 0.5 and p10[0] == 0.5 and np.isnan(half_width[0])
    assert np.isnan(mean[1]) and np.isnan(half_width[1]) and np.isnan(p10[1])
    # two figures: mean 0.7, s = 0.1414..., t(0.975, 1) = 12.706 (Law 2015, table T.1)
    assert mean[2] == pytest.approx(0.7)
    assert half_width[2] == pytest.approx(12.7062047 * np.std([0.8, 0.6], ddof=1) / np.sqrt(2))
