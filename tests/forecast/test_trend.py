"""The weekly trend of the history forecast (issue 14, point 17): fitted per skill, kept only
where it lowers the backtest WAPE, both WAPEs shown. Numbers derived in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import staffing
from staffing.errors import ConfigError
from staffing.forecast import hourly_history, weekly_trend
from staffing.plan import plan

START = pd.Timestamp("2026-02-02", tz="UTC")  # a Monday; 4 weeks of history to 2026-03-02
WEEK = pd.Timedelta(weeks=1)


def _history(level) -> pd.DataFrame:
    """Hourly arrivals of skill 1001 over 4 weeks, ``level(t)`` at each hour start t."""
    times = pd.date_range(START, periods=4 * 168, freq="h")
    return pd.DataFrame(
        {
            "skill_id": 1001,
            "interval_start": times,
            "interval_minutes": 60,
            "arrivals": level(times),
            "handled_segments": 50.0,
            "net_handle_time_s": 300.0,
        }
    )


def _growing(times: pd.DatetimeIndex) -> np.ndarray:
    # 10 x 1.1^(weeks since START), continuous: 10 % growth a week
    return 10.0 * 1.1 ** ((times - START) / WEEK)


def _config(trend: str = "auto") -> dict:
    return {
        "plan": {"name": "t", "start": "2026-03-02", "weeks": 2, "timezone": "UTC"},
        "nht": {"source": "store", "history_weeks": 4},
        "volume": {"source": "history", "recency_decay": 1.0, "trend": trend},
        "defaults": {"method": "workload", "shrinkage": 0.2, "fte_hours_per_week": 40},
        "skills": [{"id": 1001, "name": "Sales", "nht_seconds": 360}],
    }


def test_weekly_trend_is_the_slope_of_log_weekly_levels():
    # weekly means of 10 x 1.1^(k + j/168) are c x 1.1^k: the slope of ln L_k is ln 1.1
    slope = weekly_trend(hourly_history(_history(_growing)), [1001], weeks=4, end=START + 4 * WEEK)
    assert slope[1001] == pytest.approx(np.log(1.1))


def test_a_real_trend_is_kept_and_both_wapes_shown():
    result = plan(_config(), nht_history=_history(_growing))
    bt = result.backtest.iloc[0]
    # Held-out week 3 against weeks 0-2 (equal weights, decay 1): without a trend every hour
    # is forecast at the mean of its three weeks, (1.1^0 + 1.1^1 + 1.1^2) / 3 of week 0,
    # i.e. actual x (1.1^-3 + 1.1^-2 + 1.1^-1) / 3 = actual x 0.828951: WAPE 0.171049.
    expected = 1 - (1.1**-3 + 1.1**-2 + 1.1**-1) / 3
    assert bt.wape_no_trend == pytest.approx(expected, rel=1e-9)
    # With the trend (slope ln 1.1 fitted on weeks 0-2) the held-out week is exact.
    assert bt.wape_trend == pytest.approx(0.0, abs=1e-9)
    assert bool(bt.trend_used) and bt.wape == bt.wape_trend
    assert bt.trend_per_week == pytest.approx(0.10)  # fitted on all 4 weeks: 1.1 - 1
    # The plan continues the curve: at 2026-03-02 00:00 (4 weeks after START) 10 x 1.1^4 =
    # 14.641 contacts, a week later 10 x 1.1^5 = 16.1051.
    iv = result.intervals.set_index("interval_start")["volume"]
    assert iv[START + 4 * WEEK] == pytest.approx(10 * 1.1**4)
    assert iv[START + 5 * WEEK] == pytest.approx(10 * 1.1**5)
    summary = result.summary().iloc[0]
    assert summary.wape_no_trend == pytest.approx(expected) and summary.wape < expected
    assert summary.trend_per_week == pytest.approx(0.10)


def test_a_trend_that_does_not_help_the_backtest_is_dropped():
    # weeks 0-2 at 10, 11, 12.1 per hour, the held-out week back at 10. Without a trend the
    # forecast is (10 + 11 + 12.1) / 3 = 11.0333: WAPE 1.0333 / 10 = 0.103333. The trend
    # (+10 %/week) forecasts more still, so it is not kept.
    def steps(times):
        week = ((times - START) // WEEK).to_numpy()
        return np.array([10.0, 11.0, 12.1, 10.0])[week]

    result = plan(_config(), nht_history=_history(steps))
    bt = result.backtest.iloc[0]
    assert bt.wape_no_trend == pytest.approx(0.31 / 3)
    assert bt.wape_trend > bt.wape_no_trend and not bool(bt.trend_used)
    assert bt.wape == bt.wape_no_trend and bt.trend_per_week == 0.0
    # the plan is the plain profile of the 4 weeks, decay 1: (10 + 11 + 12.1 + 10) / 4 = 10.775
    assert result.intervals["volume"].to_numpy() == pytest.approx(10.775)


def test_trend_off_is_the_default_and_changes_nothing():
    off = plan(_config("off"), nht_history=_history(_growing))
    cfg = _config()
    del cfg["volume"]["trend"]
    default = plan(cfg, nht_history=_history(_growing))
    assert "wape_no_trend" not in default.backtest.columns
    assert "wape_no_trend" not in default.summary().columns
    pd.testing.assert_frame_equal(off.intervals, default.intervals)


def test_trend_with_a_volume_file_is_refused(tmp_path):
    (tmp_path / "f.csv").write_text("skill_id,interval_start,volume\n")
    cfg = _config()
    cfg["volume"] = {"source": "file", "path": str(tmp_path / "f.csv"), "trend": "auto"}
    with pytest.raises(ConfigError, match=r"volume: 'trend' is fitted on the history"):
        staffing.load_config(cfg)
