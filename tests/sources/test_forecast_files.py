"""Forecast files as planners export them from Excel (issue 14, point 14): headers matched
ignoring case and spaces, skills the config does not plan left out with a note, and
``staffing validate`` reading the file as the planning run does."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from staffing.cli import main
from staffing.errors import DataError, DataWarning
from staffing.plan import plan
from staffing.sources.files import check_volume_frame, read_volume_file


def _grid(start="2026-03-02", days=7, tz="America/New_York", minutes=60) -> pd.DatetimeIndex:
    first = pd.Timestamp(start)
    local = pd.date_range(
        first.tz_localize(tz),
        (first + pd.Timedelta(days=days)).tz_localize(tz),
        freq=f"{minutes}min",
        inclusive="left",
    )
    return local.tz_localize(None)  # naive local wall times, as a spreadsheet has them


def _forecast(per_skill: dict[int, float], **grid) -> pd.DataFrame:
    times = _grid(**grid)
    return pd.concat(
        [
            pd.DataFrame({"Skill ID": sid, "Interval Start": times, "Volume": v})
            for sid, v in per_skill.items()
        ],
        ignore_index=True,
    )


def _config(tmp_path, forecast_name: str, **volume) -> dict:
    return {
        "plan": {"name": "t", "start": "2026-03-02", "weeks": 1, "timezone": "America/New_York"},
        "nht": {"source": "store"},  # never read: the skill has its own NHT
        "volume": {"source": "file", "path": str(tmp_path / forecast_name), **volume},
        "defaults": {"method": "workload", "shrinkage": 0.2, "fte_hours_per_week": 40},
        "skills": [{"id": 1001, "name": "Sales", "nht_seconds": 360}],
    }


def test_excel_headers_and_a_whole_centre_forecast_plan_a_subset(tmp_path):
    # "Skill ID", "Interval Start" and "Volume" as Excel writes them; skills 2001 and 2002
    # belong to other teams of the centre and are left out with a note.
    frame = _forecast({1001: 20.0, 2001: 5.0, 2002: 1.0})
    frame = frame.rename(columns={"Interval Start": " interval  START "})
    frame.to_excel(tmp_path / "centre.xlsx", index=False, sheet_name="Forecast")
    cfg = _config(tmp_path, "centre.xlsx", sheet="Forecast")
    with pytest.warns(
        DataWarning,
        match=r"2 skill\(s\) not in the config left out "
        r"\(2001, 2002; 1,002 contacts in the horizon\)",
    ):
        result = plan(cfg)
    # 167 hours (the week of the spring DST change in New York) x (5 + 1) contacts of the
    # two other skills = 1002; the planned skill:
    # 20 contacts x 360 s / 3600 s = 2 Erlang -> 2 agents (occupancy cap 1)
    assert set(result.intervals["skill_id"]) == {1001}
    assert (result.intervals["agents"] == 2).all()
    assert any("2001, 2002" in note for note in result.meta["notes"])


def test_header_matching_ignores_case_spaces_and_underscores_but_not_twins():
    frame = pd.DataFrame(
        {
            "SKILL_ID": [1],
            "IntervalStart": ["2026-03-02T00:00"],
            "volume ": [3.0],
            "comment": ["kept out"],
        }
    )
    out = check_volume_frame(frame, timezone="UTC", where="f.csv")
    assert list(out.columns) == ["skill_id", "interval_start", "volume"]
    assert out["volume"].tolist() == [3.0]
    twins = frame.assign(Volume=4.0)
    with pytest.raises(
        DataError,
        match=r"f\.csv: columns 'volume ' and 'Volume' are both "
        "volume",
    ):
        check_volume_frame(twins, timezone="UTC", where="f.csv")


def _validate(tmp_path, cfg: dict, capsys) -> tuple[int, str]:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(cfg))
    code = main(["validate", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_validate_reads_the_forecast_file(tmp_path, capsys):
    cfg = _config(tmp_path, "forecast.csv")
    good = _forecast({1001: 20.0, 2001: 5.0})
    good.to_csv(tmp_path / "forecast.csv", index=False)
    code, text = _validate(tmp_path, cfg, capsys)
    assert code == 0 and "valid" in text
    assert "note: " in text and "1 skill(s) not in the config left out (2001;" in text

    good.drop(columns="Volume").to_csv(tmp_path / "forecast.csv", index=False)
    code, text = _validate(tmp_path, cfg, capsys)
    assert code == 2 and "volume.path:" in text and "missing column(s) volume" in text

    # half-hourly rows for an hourly plan are summed to it (issue 21, point 1)
    _forecast({1001: 10.0}, minutes=30).to_csv(tmp_path / "forecast.csv", index=False)
    code, text = _validate(tmp_path, cfg, capsys)
    assert code == 0 and "valid" in text

    # hourly rows half an hour off: 00:30 is not on the plan's grid
    shifted = _forecast({1001: 10.0})
    shifted["Interval Start"] += pd.Timedelta(minutes=30)
    shifted.to_csv(tmp_path / "forecast.csv", index=False)
    code, text = _validate(tmp_path, cfg, capsys)
    assert code == 2
    assert "skill 1001 at 2026-03-02T00:30:00-05:00 is not on the plan's 60-minute" in text

    # a day short: the horizon is not covered
    _forecast({1001: 10.0}, days=6).to_csv(tmp_path / "forecast.csv", index=False)
    code, text = _validate(tmp_path, cfg, capsys)
    assert code == 2 and "no volume for skill 1001 at 2026-03-08T00:00:00-05:00" in text


def test_read_volume_file_matches_headers_of_a_csv(tmp_path):
    _forecast({7: 2.5}, days=1, tz="UTC").to_csv(tmp_path / "f.csv", index=False)
    frame = read_volume_file(tmp_path / "f.csv", timezone="UTC")
    assert len(frame) == 24 and frame["volume"].sum() == pytest.approx(60.0)  # 24 h x 2.5
