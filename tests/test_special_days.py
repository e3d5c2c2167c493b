"""Special days (issue 14, point 16) and open hours across midnight (point 15).

Every expected number is derived in a comment from the inputs of its test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import staffing
from staffing.errors import ConfigError, DataError
from staffing.plan import INTERVAL_COLUMNS, plan

#: The four forms of the issue, exactly as a planner writes them (YAML dates).
FORMS = """
special_days:
  - {date: 2026-12-25, closed: true}                          # every skill closed all day
  - {date: 2026-11-27, volume_factor: 1.4, skills: [1001]}    # Black Friday for one skill
  - {from: 2026-12-24, to: 2026-12-31, volume_factor: 0.7, nht_factor: 1.1}
  - {date: 2026-12-26, like: 2026-11-29}                      # take the volume profile of another date
"""  # noqa: E501 (the issue's lines, exactly)


def _config(**extra) -> dict:
    cfg = {
        "plan": {"name": "t", "start": "2026-11-23", "weeks": 6, "timezone": "UTC"},
        "nht": {"source": "store"},  # never read: every skill has its own NHT
        "volume": {"source": "file", "path": "unused.csv"},  # replaced by a DataFrame
        "defaults": {"method": "workload", "shrinkage": 0.2, "fte_hours_per_week": 40},
        "skills": [
            {"id": 1001, "name": "Sales", "nht_seconds": 360},
            {"id": 1002, "name": "Support", "nht_seconds": 360},
        ],
    }
    cfg.update(extra)
    return cfg


def _load(cfg: dict, tmp_path) -> staffing.PlanConfig:
    (tmp_path / "unused.csv").write_text("skill_id,interval_start,volume\n")
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return staffing.load_config(path)


def _file_volume(cfg: dict) -> pd.DataFrame:
    """volume = 100 x day of the month + hour: every date and hour tells itself apart."""
    start = pd.Timestamp(cfg["plan"]["start"], tz="UTC")
    times = pd.date_range(
        start - pd.Timedelta(weeks=1), start + pd.Timedelta(weeks=7), freq="h", inclusive="left"
    )
    value = (100 * times.day + times.hour).astype(float)
    return pd.concat(
        [
            pd.DataFrame({"skill_id": sid, "interval_start": times, "volume": value})
            for sid in (1001, 1002)
        ],
        ignore_index=True,
    )


def _day(result, skill_id: int, day: str) -> pd.DataFrame:
    iv = result.intervals
    return iv[
        (iv["skill_id"] == skill_id) & (iv["interval_start"].dt.strftime("%Y-%m-%d") == day)
    ].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------------------


def test_the_four_forms_validate_from_yaml_dates_and_quoted_strings(tmp_path):
    forms = yaml.safe_load(FORMS)["special_days"]
    config = _load(_config(special_days=forms), tmp_path)
    days = config.special_days
    assert [d.start.isoformat() for d in days] == [
        "2026-12-25",
        "2026-11-27",
        "2026-12-24",
        "2026-12-26",
    ]
    assert days[2].last.isoformat() == "2026-12-31" and days[3].like.isoformat() == "2026-11-29"
    quoted = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in f.items()} for f in forms
    ]
    assert _load(_config(special_days=quoted), tmp_path).special_days == days


@pytest.mark.parametrize(
    "entry, where, message",
    [
        (
            {"from": "2026-12-31", "to": "2026-12-24", "volume_factor": 0.7},
            "special_days[0].to",
            "before from",
        ),
        (
            {"from": "2026-12-24", "volume_factor": 0.7},
            "special_days[0].to",
            "required with 'from'",
        ),
        (
            {"date": "2026-12-24", "from": "2026-12-24", "to": "2026-12-25", "closed": True},
            "special_days[0].date",
            "either 'date' or 'from' and 'to'",
        ),
        ({"date": "2026-12-24"}, "special_days[0]", "nothing to do"),
        (
            {"date": "2026-12-24", "closed": True, "volume_factor": 2},
            "special_days[0].closed",
            "no volume or NHT to change",
        ),
        (
            {"from": "2026-12-24", "to": "2026-12-25", "like": "2026-11-29"},
            "special_days[0].like",
            "single 'date'",
        ),
        (
            {"date": "2026-12-24", "volume_factor": 1.2, "skills": [1001, 9]},
            "special_days[0].skills",
            "skill 9 is not in skills",
        ),
        (
            {"date": "2026-12-24", "volume_factor": -1},
            "special_days[0].volume_factor",
            "greater than or equal to 0",
        ),
        ({"date": "2026-02-30", "closed": True}, "special_days[0].date", "valid date"),
        (
            {"date": "2026-12-24", "closed": True, "colsed": True},
            "special_days[0].colsed",
            "did you mean 'closed'",
        ),
    ],
)
def test_problems_name_the_key(tmp_path, entry, where, message):
    with pytest.raises(ConfigError) as caught:
        _load(_config(special_days=[entry]), tmp_path)
    assert any(f": {where}: " in line and message in line for line in caught.value.problems), (
        caught.value.problems
    )


def test_a_date_takes_like_from_one_entry_only(tmp_path):
    entries = [
        {"date": "2026-12-26", "like": "2026-11-29"},
        {"date": "2026-12-26", "like": "2026-11-22", "skills": [1002]},
    ]
    with pytest.raises(
        ConfigError,
        match=r"special_days\[1\]\.like: 2026-12-26 already takes "
        r"its volume from special_days\[0\]",
    ):
        _load(_config(special_days=entries), tmp_path)


# ---------------------------------------------------------------------------------------
# A file forecast
# ---------------------------------------------------------------------------------------


def test_special_days_on_a_file_forecast(tmp_path):
    cfg = _config(
        special_days=[
            *yaml.safe_load(FORMS)["special_days"],
            {"date": "2026-12-31", "volume_factor": 2.0},
        ]
    )
    config = _load(cfg, tmp_path)
    result = plan(config, volume=_file_volume(cfg))

    # 12-25: closed wins over the 0.7 of the range -> no volume, no agents, both skills
    for sid in (1001, 1002):
        day = _day(result, sid, "2026-12-25")
        assert len(day) == 24 and (day["volume"] == 0).all() and (day["agents"] == 0).all()
    # 11-27, Black Friday for 1001 only: 1.4 x (2700 + hour); 1002 keeps 2700 + hour
    hours = np.arange(24)
    assert _day(result, 1001, "2026-11-27")["volume"].to_numpy() == pytest.approx(
        1.4 * (2700 + hours)
    )
    assert _day(result, 1002, "2026-11-27")["volume"].to_numpy() == pytest.approx(2700 + hours)
    # 12-24: 0.7 x (2400 + hour); NHT 1.1 x 360 = 396 s. At 00:00: 1680 contacts x 396 s /
    # 3600 s = 184.8 Erlang -> 185 agents (workload, occupancy cap 1)
    dec24 = _day(result, 1002, "2026-12-24")
    assert dec24["volume"].to_numpy() == pytest.approx(0.7 * (2400 + hours))
    assert dec24["nht_s"].to_numpy() == pytest.approx(396.0) and dec24.loc[0, "agents"] == 185
    # 12-26: like 11-29 first (2900 + hour, the file's values of that date), then the range's
    # factor 0.7 and NHT factor 1.1
    dec26 = _day(result, 1001, "2026-12-26")
    assert dec26["volume"].to_numpy() == pytest.approx(0.7 * (2900 + hours))
    assert dec26["nht_s"].to_numpy() == pytest.approx(396.0)
    # 12-31: two entries, the factors multiply: 0.7 x 2.0 = 1.4 x (3100 + hour)
    assert _day(result, 1001, "2026-12-31")["volume"].to_numpy() == pytest.approx(
        1.4 * (3100 + hours)
    )
    # an ordinary day is the file's own: 12-23 = 2300 + hour at NHT 360
    dec23 = _day(result, 1001, "2026-12-23")
    assert dec23["volume"].to_numpy() == pytest.approx(2300 + hours)
    assert (dec23["nht_s"] == 360).all()

    # Plan.special_days: 11-27 for one skill, 12-24 .. 12-31 (8 days) for two = 17 rows
    table = result.special_days
    assert len(table) == 17
    assert list(table.columns) == [
        "date",
        "skill_id",
        "skill_name",
        "closed",
        "volume_factor",
        "nht_factor",
        "like",
    ]
    row = table[(table["date"].astype(str) == "2026-12-26") & (table["skill_id"] == 1001)].iloc[0]
    assert row.like.isoformat() == "2026-11-29" and row.volume_factor == pytest.approx(0.7)
    assert not row.closed and row.skill_name == "Sales"
    assert table[table["date"].astype(str) == "2026-12-25"]["closed"].all()
    # the interval columns are those of every plan
    assert list(result.intervals.columns) == INTERVAL_COLUMNS


def test_like_needs_the_reference_date_in_the_file(tmp_path):
    cfg = _config(special_days=[{"date": "2026-12-26", "like": "2025-11-28"}])
    with pytest.raises(
        DataError,
        match=r"special_days: like 2025-11-28 has no forecast volume "
        "for skill 1001",
    ):
        plan(_load(cfg, tmp_path), volume=_file_volume(cfg))


# ---------------------------------------------------------------------------------------
# A history forecast
# ---------------------------------------------------------------------------------------


def _history(weeks: int = 2, start: str = "2026-02-02") -> pd.DataFrame:
    """Hourly history of skill 1001: 10 x (weekday + 1) arrivals, NHT 300 s, 50 segments."""
    times = pd.date_range(pd.Timestamp(start, tz="UTC"), periods=weeks * 168, freq="h")
    return pd.DataFrame(
        {
            "skill_id": 1001,
            "interval_start": times,
            "interval_minutes": 60,
            "arrivals": 10.0 * (times.day_of_week + 1),
            "handled_segments": 50.0,
            "net_handle_time_s": 300.0,
        }
    )


def _history_config(**extra) -> dict:
    cfg = _config(**extra)
    cfg["plan"] = {"name": "h", "start": "2026-02-16", "weeks": 1, "timezone": "UTC"}
    cfg["volume"] = {"source": "history", "recency_decay": 1.0}
    cfg["nht"] = {"source": "store", "history_weeks": 2, "min_segments": 10}
    cfg["skills"] = [{"id": 1001, "name": "Sales"}]
    return cfg


def test_a_special_day_in_the_history_is_left_out_of_both_profiles(tmp_path):
    history = _history()
    spike = history["interval_start"].dt.strftime("%Y-%m-%d") == "2026-02-13"  # a Friday
    history.loc[spike, "arrivals"] = 1000.0
    history.loc[spike, "net_handle_time_s"] = 900.0
    plain = plan(_load(_history_config(), tmp_path), nht_history=history)
    # Fridays without the rule: (50 + 1000) / 2 = 525 contacts (decay 1); NHT (300 + 900) / 2
    friday = _day(plain, 1001, "2026-02-20")
    assert friday["volume"].to_numpy() == pytest.approx(525.0)
    assert friday["nht_s"].to_numpy() == pytest.approx(600.0)

    cfg = _history_config(special_days=[{"date": "2026-02-13", "volume_factor": 1.5}])
    result = plan(_load(cfg, tmp_path), nht_history=history)
    # with it, 02-13 is left out: the other Friday alone, 10 x 5 = 50 contacts, NHT 300 s
    friday = _day(result, 1001, "2026-02-20")
    assert friday["volume"].to_numpy() == pytest.approx(50.0)
    assert friday["nht_s"].to_numpy() == pytest.approx(300.0)
    assert result.meta["special_days_in_history"] == ["2026-02-13"]
    assert any("2026-02-13" in note for note in result.meta["notes"])
    assert result.special_days.empty  # nothing special inside the horizon


def test_like_on_a_history_forecast_takes_the_reference_dates_forecast(tmp_path):
    # 2026-02-17 is a Tuesday (forecast 10 x 2 = 20); like Sunday 2026-02-22 (10 x 7 = 70),
    # then x 0.5: 35 contacts every hour
    cfg = _history_config(
        special_days=[{"date": "2026-02-17", "like": "2026-02-22", "volume_factor": 0.5}]
    )
    result = plan(_load(cfg, tmp_path), nht_history=_history())
    assert _day(result, 1001, "2026-02-17")["volume"].to_numpy() == pytest.approx(35.0)
    assert _day(result, 1001, "2026-02-18")["volume"].to_numpy() == pytest.approx(30.0)


# ---------------------------------------------------------------------------------------
# Open hours across midnight (point 15)
# ---------------------------------------------------------------------------------------


def test_open_hours_across_midnight_belong_to_the_next_day(tmp_path):
    cfg = _config(special_days=[])
    cfg["skills"] = [
        {
            "id": 1001,
            "name": "Sales",
            "nht_seconds": 360,
            "open_hours": {"sat": "22:00-02:00", "sun": ["02:00-04:00", "22:00-01:30"]},
        }
    ]
    config = _load(cfg, tmp_path)
    hours = config.resolved_skills[0].open_hours
    # Saturday 22:00-24:00; Sunday 00:00-02:00 (from Saturday), 02:00-04:00, 22:00-24:00;
    # Monday 00:00-01:30 (from Sunday, carried round the week)
    assert hours.sat == [(22 * 60, 1440)]
    assert hours.sun == [(0, 120), (120, 240), (22 * 60, 1440)]
    assert hours.mon == [(0, 90)]
    weekday = np.array([5, 5, 6, 6, 6, 0, 0])
    minute = np.array([21, 22, 1, 4, 23, 1, 2]) * 60
    assert hours.is_open(weekday, minute, 60).tolist() == [
        False,
        True,
        True,
        False,
        True,
        True,
        False,
    ]
    vol = _file_volume(cfg)
    result = plan(config, volume=vol[vol["skill_id"] == 1001])
    sunday = _day(result, 1001, "2026-11-29")
    # open Sunday hours 00-04 and 22-24: 6 staffed hours; 01:00 has 2901 contacts x 360 s /
    # 3600 s = 290.1 Erlang -> 291 agents
    assert (sunday["agents"] > 0).sum() == 6 and sunday.loc[1, "agents"] == 291


def test_overlaps_are_still_refused_across_midnight(tmp_path):
    cfg = _config()
    cfg["skills"][0]["open_hours"] = {"sat": "22:00-02:00", "sun": "01:00-08:00"}
    with pytest.raises(
        ConfigError,
        match=r"skills\[0\]\.open_hours\.sun: 00:00-02:00 \(carried "
        r"over from sat 22:00-02:00\) overlaps 01:00-08:00",
    ):
        _load(cfg, tmp_path)


def test_the_config_example_of_the_readme_is_the_issues_yaml():
    # the README documents these forms; the outside checks rely on them being accepted as is
    text = staffing.__file__.rsplit("/staffing/", 1)[0] + "/README.md"
    readme = open(text, encoding="utf-8").read()
    for line in FORMS.strip().splitlines()[1:]:
        assert line.split("#")[0].strip() in readme
