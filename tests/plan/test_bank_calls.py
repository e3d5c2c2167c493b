"""A real bank's calls end to end, fed as a planner has them (issue 21, the real-data test).

``bank_calls.csv`` (``../shared/realdata/README.md``; Weinberg, Brown & Stroud 2007): five-minute
calls of a North American bank, weekdays 07:00-21:05, 3 Mar - 24 Oct 2003, written with a ``Z``
although the times are local wall-clock times, no handle times, no weekend rows, six weekday
holidays absent. The planner's config names the file as it is (its own headers, a single
skill, local times) and sets ``nht_seconds``; for each of the last four weeks the file is cut
before the week, as an export made that Friday would be, and the week is planned from it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

import staffing
from tests.realdata import BANK, needs_bank

TZ = "America/New_York"
#: The last four whole weeks of the data (Mondays).
WEEKS = ["2003-09-29", "2003-10-06", "2003-10-13", "2003-10-20"]
#: Columbus Day, absent from the data: a planner knows the holidays of the week ahead.
KNOWN_HOLIDAYS = {"2003-10-13": ["2003-10-14"]}

pytestmark = needs_bank


def _config(tmp_path: Path, monday: str) -> Path:
    """The planner's YAML: the export as it is, local times, five-minute rows, no NHT."""
    raw = pd.read_csv(BANK)
    local = pd.to_datetime(raw["DateTime"].str.rstrip("Z"))
    export = tmp_path / f"calls-to-{monday}.csv"
    raw[local < pd.Timestamp(monday)].to_csv(export, index=False)  # the file's own format
    config = {
        "plan": {
            "name": "bank",
            "start": monday,
            "weeks": 1,
            "timezone": TZ,
            "interval_minutes": 60,
        },
        "nht": {
            "source": "file",
            "path": export.name,
            "timezone": TZ,
            "columns": {"interval_start": "DateTime", "arrivals": "Calls"},
            "skill_id": 1,
        },
        "volume": {"source": "history"},
        "defaults": {"shrinkage": 0.3, "fte_hours_per_week": 40},
        "skills": [
            {
                "id": 1,
                "name": "Bank",
                "method": "erlang_c",
                "nht_seconds": 300,
                "service_level": {"target": 0.8, "answer_within_seconds": 20},
                "open_hours": {d: "07:00-22:00" for d in ("mon", "tue", "wed", "thu", "fri")},
            }
        ],
        "special_days": [{"date": d, "closed": True} for d in KNOWN_HOLIDAYS.get(monday, [])],
    }
    path = tmp_path / f"plan-{monday}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _actual_hourly(monday: str) -> pd.Series:
    """Calls per local hour of the week from ``monday``, summed from the file by hand."""
    raw = pd.read_csv(BANK)
    local = pd.to_datetime(raw["DateTime"].str.rstrip("Z"))
    week = (local >= pd.Timestamp(monday)) & (local < pd.Timestamp(monday) + pd.Timedelta(days=7))
    return raw.loc[week, "Calls"].groupby(local[week].dt.floor("h")).sum()


def test_bank_calls_as_exported_plan_the_last_four_weeks_within_7_percent(tmp_path):
    errors, actual_total, weekend = 0.0, 0.0, 0.0
    for monday in WEEKS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = staffing.plan(_config(tmp_path, monday))
        # the times are declared local: no warning that they look shifted
        assert not any("closed hours" in str(w.message) for w in caught)
        iv = result.intervals
        local = pd.DatetimeIndex(iv["interval_start"]).tz_localize(None)
        forecast = pd.Series(iv["volume"].to_numpy(float), index=local)
        actual = _actual_hourly(monday).reindex(forecast.index, fill_value=0.0)
        errors += float(np.abs(forecast - actual).sum())
        actual_total += float(actual.sum())
        weekend += float(forecast[forecast.index.day_of_week >= 5].sum())
    wape = errors / actual_total
    print(f"bank_calls, last four weeks, hourly WAPE {wape:.4f} over {actual_total:,.0f} calls")
    assert weekend == 0.0  # no invented weekend volume: the file has no weekend rows
    assert wape <= 0.07  # the bar for the last four weeks, hourly
