"""The ``shifts:`` templates and the ``scheduled:`` file of the planning config."""

from __future__ import annotations

import pytest

import staffing
from staffing.errors import ConfigError

DAY_SHIFT = {
    "name": "day",
    "length_hours": 8,
    "start": "08:00",
    "days": ["mon", "tue", "wed", "thu", "fri"],
}


def _config(shifts, *, skills=None, **extra) -> dict:
    """A one-week workload config with ``shifts`` (skill 1 unless ``skills`` is given)."""
    return {
        "plan": {"name": "shifts", "start": "2026-03-02", "weeks": 1, "timezone": "UTC"},
        "nht": {"source": "store"},
        "volume": {"source": "history"},
        "defaults": {"method": "workload", "shrinkage": 0.5, "fte_hours_per_week": 40},
        "skills": skills or [{"id": 1, "name": "W", "nht_seconds": 360}],
        "shifts": shifts,
        **extra,
    }


def _problems(shifts, **extra) -> str:
    with pytest.raises(ConfigError) as caught:
        staffing.load_config(_config(shifts, **extra))
    return str(caught.value)


def test_shift_templates_parse_with_defaults_and_paid_hours():
    config = staffing.load_config(
        _config(
            [
                {
                    "name": "early",
                    "length_hours": 8.5,
                    "start": {"earliest": "06:00", "latest": "10:00", "step_minutes": 30},
                    "days": ["mon", "tue", "wed", "thu", "fri"],
                    "break": {
                        "length_minutes": 30,
                        "earliest_after_hours": 3,
                        "latest_after_hours": 5,
                    },
                    "min_heads": 0,
                    "max_heads": 40,
                    "skills": [1],
                },
                {"name": "late", "length_hours": 6, "start": "14:00"},
            ]
        )
    )
    early, late = config.shifts
    assert early.paid_hours == 8.0  # 8.5 h span minus the 30-minute unpaid break
    assert early.start.minutes() == list(range(360, 601, 30))  # 06:00 ... 10:00
    assert early.break_.offsets_minutes(30) == [180, 210, 240, 270, 300]
    assert late.days == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert late.paid_hours == 6.0 and late.skills is None


@pytest.mark.parametrize(
    ("shift", "expected"),
    [
        (
            {"break": {"length_minutes": 60, "earliest_after_hours": 3, "latest_after_hours": 7.5}},
            "shifts[0].break.latest_after_hours: a 60-minute break starting 7.5 h after the start "
            "ends after the 8-hour shift",
        ),
        ({"skills": [7]}, "shifts[0].skills: skill 7 is not in skills"),
        (
            {"start": {"earliest": 480, "latest": "09:00"}},
            "shifts[0].start.earliest: write the time in quotes",
        ),
        (
            {"start": {"earliest": "10:00", "latest": "09:00"}},
            "shifts[0].start: latest 09:00 is before earliest 10:00",
        ),
        ({"days": ["mon", "mo"]}, "shifts[0].days: unknown weekday 'mo'"),
        ({"length_hours": 8.33}, "shifts[0].length_hours: must be a whole number of minutes"),
        ({"min_heads": 5, "max_heads": 2}, "shifts[0].min_heads: 5 is above max_heads 2"),
        ({"max_heads": 0}, "shifts[0].max_heads:"),
        ({"shift_length": 8}, "shifts[0].shift_length: unknown key"),
    ],
)
def test_bad_templates_are_named_by_key(shift, expected):
    assert expected in _problems([{**DAY_SHIFT, **shift}])


def test_cross_template_problems_are_named_by_key():
    skills = [
        {"id": 1, "name": "A", "nht_seconds": 360},
        {"id": 2, "name": "B", "nht_seconds": 360},
    ]
    text = _problems([DAY_SHIFT, {**DAY_SHIFT, "skills": [1]}], skills=skills)
    # the first template serves every skill (1 and 2); the second only 1: they overlap
    assert "shifts[1].name: name 'day' already used by shifts[0]" in text
    assert "shifts[1].skills: shares skill(s) 1 with shifts[0] but is not the same set" in text
    text = _problems([DAY_SHIFT], scheduled="no-such-roster.csv")
    assert "scheduled: file not found" in text
