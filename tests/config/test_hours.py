"""Open hours (ranges, midnight, overlaps) and the clock parser and formatter."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from staffing.config import format_clock, load_config, parse_clock
from staffing.errors import ConfigError
from tests.config.support import BASE, MINIMAL


def test_open_hours_overlap_rule():
    cfg = load_config(
        {
            **copy.deepcopy(BASE),
            "nht": {"source": "store"},
            "defaults": {**BASE["defaults"], "open_hours": {"mon": "08:30-20:00", "tue": "24h"}},
        }
    )
    hours = cfg.resolved_skills[0].open_hours
    weekday = np.array([0, 0, 0, 0, 1, 6])
    minute = np.array([7 * 60, 8 * 60, 19 * 60 + 45, 20 * 60, 3 * 60, 12 * 60])
    # 07:00-08:00 misses 08:30; 08:00-09:00 overlaps; 19:45-20:45 overlaps; 20:00 closed;
    # Tuesday 24h open; Sunday not listed -> closed
    assert hours.is_open(weekday, minute, 60).tolist() == [False, True, True, False, True, False]


def test_open_hours_from_midnight_and_past_it_survive_overrides():
    # "00:00-06:00" is (0, 360) minutes and "22:00-02:00" crosses midnight into Wednesday;
    # overriding the horizon (the command line's --weeks) validates the parsed hours again.
    data = copy.deepcopy(MINIMAL)
    data["skills"][0]["open_hours"] = {"mon": "00:00-06:00", "tue": "22:00-02:00"}
    first = load_config(data)
    again = load_config(first, overrides={"plan": {"weeks": 2}})
    assert again.plan.weeks == 2
    for config in (first, again):
        hours = config.resolved_skills[0].open_hours
        assert (hours.mon, hours.tue, hours.wed) == ([(0, 360)], [(1320, 1440)], [(0, 120)])


@pytest.mark.parametrize("value", [5, "0900"])
def test_malformed_open_hours_say_what_is_expected(value):
    data = copy.deepcopy(MINIMAL)
    data["skills"][0]["open_hours"] = {"mon": value}
    with pytest.raises(ConfigError) as info:
        load_config(data)
    assert info.value.problems[0].startswith(
        "<dict>: skills[0].open_hours.mon: expected 'HH:MM-HH:MM', a list of them, 'closed' or "
        f"'24h' (got {value!r})"
    )


@pytest.mark.parametrize(
    ("text", "minutes"), [("00:00", 0), ("08:30", 510), (" 8:05 ", 485), ("23:59", 1439)]
)
def test_parse_clock_reads_minutes_after_midnight(text, minutes):
    assert parse_clock(text) == minutes
    assert parse_clock(text, end_of_day=True) == minutes


@pytest.mark.parametrize("text", ["24:00", "23:60", "8", "08:0", "08:00:00", ":30", "ab:cd"])
def test_parse_clock_refuses_what_is_not_a_time_of_day(text):
    with pytest.raises(ValueError, match=r"expected a local time 'HH:MM' from 00:00 to 23:59"):
        parse_clock(text)


def test_parse_clock_takes_24_00_only_as_the_end_of_a_day():
    assert parse_clock("24:00", end_of_day=True) == 1440
    with pytest.raises(ValueError, match=r"from 00:00 to 24:00 \(got '24:01'\)"):
        parse_clock("24:01", end_of_day=True)


@pytest.mark.parametrize(("minutes", "text"), [(0, "00:00"), (485, "08:05"), (1440, "24:00")])
def test_format_clock_writes_hh_mm_and_parse_clock_reads_it_back(minutes, text):
    assert format_clock(minutes) == text
    assert parse_clock(text, end_of_day=True) == minutes


@pytest.mark.parametrize(
    ("minutes", "hours", "named"),
    [
        (60, "07:00-21:05", ["21:05"]),  # the bank's real close on an hourly plan
        (60, "07:30-21:00", ["07:30"]),
        (30, "07:30-21:00", []),  # on the half-hour grid
        (60, "07:00-21:00", []),
        (15, "07:00-21:05", ["21:05"]),
    ],
)
def test_open_hours_off_the_interval_grid_are_warned(minutes, hours, named):
    # An interval open even partly is planned as open for all of it (OpenHours.is_open), so
    # a close at 21:05 staffs the whole 21:00 hour: the planner is told, naming the time.
    data = copy.deepcopy(MINIMAL)
    data["plan"]["interval_minutes"] = minutes
    data["skills"][0]["open_hours"] = {"mon": hours}
    found = [w for w in load_config(data).warnings if "grid" in w]
    if not named:
        assert found == []
    else:
        assert len(found) == 1
        assert f"at {', '.join(named)} are not on the plan's {minutes}-minute grid" in found[0]
        assert "skills[0] 'A' (1)" in found[0]
