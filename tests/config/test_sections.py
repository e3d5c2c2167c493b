"""Every bound the README's "Planning config reference" states for plan, nht and volume, one
named case each: the value at the bound loads, the first value past it is refused with the key
named."""

from __future__ import annotations

import pytest

from staffing.config import load_config
from staffing.errors import ConfigError
from tests.config.support import minimal_with

# (README key, value at the bound (loads), value past it (refused), words of the refusal)
BOUNDS = [
    ("plan.weeks", 1, 0, "greater than or equal to 1"),  # "1 to 156"
    ("plan.weeks", 156, 157, "less than or equal to 156"),
    ("nht.history_weeks", 1, 0, "greater than or equal to 1"),  # "1 to 52"
    ("nht.history_weeks", 52, 53, "less than or equal to 52"),
    ("nht.liveperson.source", "x" * 20, "x" * 21, "20"),  # "at most 20 characters"
    ("volume.recency_decay", 1.0, 1.0001, "less than or equal to 1"),  # "in (0, 1]"
    ("volume.recency_decay", 1e-9, 0.0, "greater than 0"),
]


@pytest.mark.parametrize(
    ("key", "ok", "bad", "words"), BOUNDS, ids=[f"{b[0]}={b[1]!r:.8}" for b in BOUNDS]
)
def test_each_documented_bound(key, ok, bad, words):
    value = load_config(minimal_with(key, ok))
    for part in key.split("."):
        value = getattr(value, part)
    assert value == ok
    with pytest.raises(ConfigError) as info:
        load_config(minimal_with(key, bad))
    hits = [line for line in info.value.problems if key in line]
    assert hits and any(words in line for line in hits), info.value.problems


@pytest.mark.parametrize("minutes", [15, 30, 60])
def test_each_documented_interval_length_loads(minutes):
    # README: plan.interval_minutes "15, 30 or 60" (20 is refused in test_config).
    assert (
        load_config(minimal_with("plan.interval_minutes", minutes)).plan.interval_minutes == minutes
    )


def test_a_156_week_plan_ends_156_weeks_after_its_start():
    config = load_config(minimal_with("plan.weeks", 156))
    assert (config.plan.end_exclusive - config.plan.start).days == 156 * 7
