"""The Assumptions sheet's flattening (staffing.outputs.settings): key paths, clock ranges,
local times and the redaction of every credential-like key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import SecretStr

from staffing.outputs.settings import (
    REDACTED,
    config_items,
    format_clock,
    is_secret,
    local_meta,
    plain,
    redact_frame,
)

SECRET = "s3cr3t-SHOULD-NEVER-APPEAR"


def test_a_config_flattens_to_key_paths_with_secrets_redacted():
    config = {
        "plan": {"name": "p", "weeks": 2},
        "nht": {"liveperson": {"account": "123", "app_key": SECRET, "access_token": ""}},
        "skills": [{"id": 101, "consumer_secret": SECRET}],
    }
    items = dict(config_items(config))
    assert items["plan.name"] == "p" and items["plan.weeks"] == 2
    assert items["nht.liveperson.account"] == "123"
    assert items["nht.liveperson.app_key"] == REDACTED
    assert "nht.liveperson.access_token" not in items  # an empty secret is left out
    assert items["skills[0].consumer_secret"] == REDACTED
    assert SECRET not in map(str, items.values())
    assert config_items(None) == []


def test_open_hours_in_minutes_read_as_clock_ranges():
    # 420 min = 7 h, 1380 min = 23 h, 1440 min = 24 h (the end of the day).
    config = {"defaults": {"open_hours": {"mon": [[420, 1380]], "sun": [], "sat": [[0, 1440]]}}}
    items = dict(config_items(config))
    assert items["defaults.open_hours.mon"] == "07:00-23:00"
    assert items["defaults.open_hours.sun"] == "closed"
    assert items["defaults.open_hours.sat"] == "00:00-24:00"
    assert format_clock(615) == "10:15"  # 615 min = 10 h 15 min


def test_values_become_printable_and_times_local():
    assert plain(SecretStr(SECRET)) == REDACTED
    assert plain(np.int64(3)) == 3 and isinstance(plain(np.int64(3)), int)
    assert plain(Path("a") / "b") == str(Path("a") / "b")
    assert plain([1, "x"]) == "1, x" and plain({"a": 1}) == "a=1"
    assert local_meta("start", "2026-03-23", "UTC") == ("start", dt.date(2026, 3, 23))
    # 08:30 UTC is 09:30 in Paris on 2026-03-20 (CET, UTC+1); the _utc suffix goes.
    key, value = local_meta("run_at_utc", "2026-03-20T08:30:00+00:00", "Europe/Paris")
    assert key == "run_at" and value == pd.Timestamp("2026-03-20 09:30", tz="Europe/Paris")


def test_credential_like_columns_are_dropped():
    assert is_secret("app_key") and is_secret("password") and not is_secret("keyboard")
    frame = pd.DataFrame({"skill_id": [1], "consumer_secret": [SECRET]})
    assert list(redact_frame(frame).columns) == ["skill_id"]
