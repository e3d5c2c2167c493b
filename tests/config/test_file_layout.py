"""The file layout keys of ``nht`` and ``volume`` (issue 21, points 1, 4 and 5): ``timezone``,
``date_format``, ``columns`` and ``skill_id``, each checked where the planner wrote it."""

from __future__ import annotations

import copy

import pytest

from staffing.config import load_config
from staffing.errors import ConfigError
from tests.config.support import BASE, write_config


def _with(tmp_path, section: str, **keys):
    data = copy.deepcopy(BASE)
    if section == "volume":
        (tmp_path / "fc.csv").write_text("skill_id,interval_start,volume\n")
        data["volume"] = {"source": "file", "path": "fc.csv"}
    data[section].update(keys)
    return write_config(tmp_path, data)


def test_every_layout_key_loads_on_both_file_sources(tmp_path):
    keys = {
        "timezone": "America/New_York",
        "date_format": "%m/%d/%Y %H:%M",
        "skill_id": 7,
    }
    nht = load_config(
        _with(tmp_path, "nht", columns={"interval_start": "DateTime", "arrivals": "Calls"}, **keys)
    ).nht
    assert (nht.timezone, nht.date_format, nht.skill_id) == (
        "America/New_York",
        keys["date_format"],
        7,
    )
    assert nht.columns == {"interval_start": "DateTime", "arrivals": "Calls"}
    volume = load_config(_with(tmp_path, "volume", columns={"volume": "Calls"}, **keys)).volume
    assert volume.columns == {"volume": "Calls"} and volume.timezone == "America/New_York"
    assert volume.reader_kwargs() == {
        "date_format": "%m/%d/%Y %H:%M",
        "columns": {"volume": "Calls"},
        "skill_id": 7,
    }


@pytest.mark.parametrize(
    ("section", "keys", "words"),
    [
        ("nht", {"timezone": "Eastern"}, "nht.timezone: .*unknown IANA time zone 'Eastern'"),
        ("volume", {"timezone": "US/Nowhere"}, "volume.timezone: .*unknown IANA time zone"),
        ("nht", {"date_format": "dd/mm/yyyy"}, "nht.date_format: .*has no % field"),
        (
            "volume",
            {"columns": {"calls": "Calls"}},
            "volume.columns: .*unknown column\\(s\\) calls: map any of skill_id, "
            "interval_start, volume",
        ),
        (
            "nht",
            {"columns": {"volume": "Calls"}},
            "nht.columns: .*unknown column\\(s\\) volume: map any of skill_id, interval_start, "
            "interval_minutes, net_handle_time_s, arrivals, handled_segments",
        ),
        ("nht", {"skill_id": 0}, "nht.skill_id: .*greater than or equal to 1"),
    ],
)
def test_a_wrong_layout_key_is_refused_at_its_key(tmp_path, section, keys, words):
    with pytest.raises(ConfigError, match=words):
        load_config(_with(tmp_path, section, **keys))


def test_layout_keys_belong_to_a_file_source(tmp_path):
    data = copy.deepcopy(BASE)
    data["nht"] = {"source": "store", "timezone": "America/New_York"}
    data["volume"] = {"source": "history", "columns": {"volume": "Calls"}}
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, data))
    text = str(info.value)
    assert "nht: timezone: for source 'file' only" in text
    assert "volume: columns: for source 'file' only" in text
