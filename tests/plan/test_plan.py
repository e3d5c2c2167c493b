"""Tests of the planning run: hand-computed cases per method, DST, 15-minute intervals,
closed hours, roll-ups, the history store path, and equality with the engine called directly."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing import queueing
from staffing.errors import DataError, DataWarning
from staffing.forecast import hourly_history
from staffing.plan import INTERVAL_COLUMNS, plan
from staffing.sources.files import read_history_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "example.yaml"


def _config(
    skills: list[dict],
    *,
    start="2026-03-02",
    weeks=1,
    tz="UTC",
    minutes=60,
    defaults: dict | None = None,
) -> dict:
    base = {"shrinkage": 0.35, "fte_hours_per_week": 40}
    base.update(defaults or {})
    return {
        "plan": {
            "name": "t",
            "start": start,
            "weeks": weeks,
            "timezone": tz,
            "interval_minutes": minutes,
        },
        "nht": {"source": "store"},  # never read: every skill has an nht_seconds
        "volume": {"source": "file", "path": str(EXAMPLE)},  # replaced by a DataFrame
        "defaults": base,
        "skills": skills,
    }


def _volume(cfg: dict, per_skill: dict[int, float]) -> pd.DataFrame:
    p = cfg["plan"]
    start = pd.Timestamp(p["start"])
    end = (start + pd.Timedelta(weeks=p["weeks"])).tz_localize(p["timezone"])  # local midnight
    grid = pd.date_range(
        start.tz_localize(p["timezone"]), end, freq=f"{p['interval_minutes']}min", inclusive="left"
    )
    return pd.concat(
        [
            pd.DataFrame({"skill_id": sid, "interval_start": grid, "volume": v})
            for sid, v in per_skill.items()
        ],
        ignore_index=True,
    )


def test_workload_by_hand():
    cfg = _config(
        [{"id": 1, "name": "W", "method": "workload", "nht_seconds": 360, "max_occupancy": 0.8}]
    )
    result = plan(cfg, volume=_volume(cfg, {1: 100.0}))
    iv = result.intervals
    assert list(iv.columns) == INTERVAL_COLUMNS
    assert len(iv) == 168  # one UTC week of hours
    row = iv.iloc[0]
    # 100 contacts x 360 s / 3600 s = 10 Erlangs; / 0.8 = 12.5 -> 13 agents; 13 / 0.65 = 20 FTE
    assert row.workload_erlangs == pytest.approx(10.0)
    assert row.agents == 13 and row.fte == pytest.approx(20.0)
    assert row.nht_basis == "override" and row.method == "workload"
    # achieved figures: Erlang C at 13 agents, occupancy a/n = 10/13
    assert row.occupancy == pytest.approx(10 / 13)
    # weekly roll-up: 20 FTE x 168 h = 3360 FTE-hours / 40 h = 84 FTE; agent-hours 13 x 168
    week = result.weekly.iloc[0]
    assert week.agent_hours == pytest.approx(13 * 168) and week.fte_headcount == pytest.approx(84)
    assert result.daily.iloc[0].fte_hours == pytest.approx(20 * 24)
    assert result.weekly_total.iloc[0].fte_headcount == pytest.approx(84)


def test_workload_guards_float_noise():
    cfg = _config(
        [{"id": 1, "name": "W", "method": "workload", "nht_seconds": 420, "max_occupancy": 0.85}]
    )
    result = plan(cfg, volume=_volume(cfg, {1: 153.0}))
    # 153 x 420 / 3600 = 17.85 Erlangs; / 0.85 = 21 exactly (floats give 21.000000000000004)
    assert (result.intervals["agents"] == 21).all()


def test_erlang_c_by_hand():
    cfg = _config(
        [
            {
                "id": 1,
                "name": "C",
                "method": "erlang_c",
                "nht_seconds": 360,
                "service_level": {"target": 0.8, "answer_within_seconds": 60},
            }
        ]
    )
    row = plan(cfg, volume=_volume(cfg, {1: 10.0})).intervals.iloc[0]
    # a = 10 x 360 / 3600 = 1 Erlang. n=2: B = 0.5/2.5 = 0.2, C = 0.4/1.2 = 1/3,
    # SL = 1 - e^(-60/360)/3 = 0.718 < 0.8. n=3: B = (1/6)/(8/3) = 1/16, C = 0.1875/2.0625
    # = 1/11, SL = 1 - e^(-2*60/360)/11 = 0.93486, ASA = (1/11) * 360 / 2 = 16.36 s
    assert row.agents == 3
    assert row.service_level == pytest.approx(1 - np.exp(-1 / 3) / 11)
    assert row.asa_s == pytest.approx(360 / 22)
    assert row.occupancy == pytest.approx(1 / 3) and row.p_abandon == 0
    assert row.fte == pytest.approx(3 / 0.65)


def test_a_target_the_engine_cannot_meet_names_the_skill(monkeypatch):
    # The engine answers inf when nothing up to 10^8 agents meets a target (documented in
    # queueing.required_agents); the plan must stop with the skill named, never cast inf
    # to a garbage integer. The engine is made to answer inf for every interval here.
    cfg = _config(
        [
            {
                "id": 7,
                "name": "C",
                "method": "erlang_c",
                "nht_seconds": 360,
                "service_level": {"target": 0.8, "answer_within_seconds": 60},
            }
        ]
    )

    def unattainable(model, *, volume, **kwargs):
        return np.full(np.shape(volume), np.inf)

    monkeypatch.setattr(queueing, "required_agents", unattainable)
    with pytest.raises(DataError, match=r"skill 7: no staffing .* 2026-03-02 00:00"):
        plan(cfg, volume=_volume(cfg, {7: 10.0}))


def test_erlang_a_by_hand():
    # With patience = handle time, every contact in the system leaves at rate 1/h whether
    # served or waiting, so with 1 agent the number in system is Poisson(a) (M/M/inf).
    # a = 1: P(abandon) = (E[m] - P(m >= 1)) / a = e^-1; SL(t=0) = P(m = 0) = e^-1;
    # occupancy = P(m >= 1) = 1 - e^-1.
    cfg = _config(
        [
            {
                "id": 1,
                "name": "A",
                "method": "erlang_a",
                "nht_seconds": 360,
                "patience_seconds": 360,
                "max_abandon": 0.4,
                "service_level": {"target": 0.3, "answer_within_seconds": 0},
            }
        ]
    )
    row = plan(cfg, volume=_volume(cfg, {1: 10.0})).intervals.iloc[0]
    assert row.agents == 1
    assert row.p_abandon == pytest.approx(np.exp(-1))
    assert row.service_level == pytest.approx(np.exp(-1))
    assert row.occupancy == pytest.approx(1 - np.exp(-1))


def test_chat_by_hand():
    # k = 2, h_j = NHT x j: one agent completes at rate 1/NHT whatever its load, so with
    # 1 agent the system is M/M/1 with rho = 5 x 360 / 3600 = 0.5: P(wait) = P(m >= 2) =
    # rho^2 = 0.25, SL(t=0) = 0.75, ASA = NHT rho^2 / (1 - rho) = 180 s, occupancy = rho.
    cfg = _config(
        [
            {
                "id": 1,
                "name": "Chat",
                "method": "chat",
                "nht_seconds": 360,
                "max_concurrency": 2,
                "service_level": {"target": 0.7, "answer_within_seconds": 0},
            }
        ]
    )
    row = plan(cfg, volume=_volume(cfg, {1: 5.0})).intervals.iloc[0]
    assert row.agents == 1
    assert row.service_level == pytest.approx(0.75) and row.asa_s == pytest.approx(180.0)
    assert row.occupancy == pytest.approx(0.5)
    # an explicit handle_time_by_load_seconds equal to NHT x j gives the same plan
    cfg2 = copy.deepcopy(cfg)
    cfg2["skills"][0]["handle_time_by_load_seconds"] = [360, 720]
    row2 = plan(cfg2, volume=_volume(cfg2, {1: 5.0})).intervals.iloc[0]
    assert row2.agents == 1 and row2.asa_s == pytest.approx(180.0)


def test_min_agents_closed_hours_and_zero_volume():
    cfg = _config(
        [
            {
                "id": 1,
                "name": "W",
                "method": "workload",
                "nht_seconds": 360,
                "min_agents": 2,
                "open_hours": {"mon": "09:00-17:00"},
            }
        ]
    )
    vol = _volume(cfg, {1: 1.0})
    hours = vol["interval_start"].dt.hour
    vol.loc[(vol["interval_start"].dt.day_of_week == 0) & (hours == 12), "volume"] = 0.0
    iv = plan(cfg, volume=vol).intervals
    monday = iv[iv["interval_start"].dt.day_of_week == 0]
    agents = monday.set_index(monday["interval_start"].dt.hour)["agents"]
    # 1 contact x 360 s = 0.1 Erlang -> 1 agent, raised to min_agents 2 while open (09-17)
    assert agents[9] == 2 and agents[16] == 2
    assert agents[12] == 0  # open but no volume: min_agents applies only when volume > 0
    assert agents[8] == 0 and agents[17] == 0  # closed
    assert (iv[iv["interval_start"].dt.day_of_week > 0]["agents"] == 0).all()  # not listed
    closed = monday.set_index(monday["interval_start"].dt.hour).loc[8]
    assert np.isnan(closed.service_level) and closed.fte == 0


def test_dst_weeks_have_167_and_169_hours():
    spring = _config(
        [{"id": 1, "name": "W", "method": "workload", "nht_seconds": 360}],
        start="2026-03-23",
        tz="Europe/Berlin",
    )
    autumn = copy.deepcopy(spring)
    autumn["plan"]["start"] = "2026-10-19"
    sp = plan(spring, volume=_volume(spring, {1: 10.0})).intervals
    au = plan(autumn, volume=_volume(autumn, {1: 10.0})).intervals
    # Europe/Berlin: 2026-03-29 02:00 -> 03:00 (hour skipped), 2026-10-25 03:00 -> 02:00
    assert len(sp) == 167 and len(au) == 169
    assert str(sp["interval_start"].dt.tz) == "Europe/Berlin"
    hours = sp[sp["interval_start"].dt.day == 29]["interval_start"].dt.hour.tolist()
    assert 2 not in hours and len(hours) == 23
    sunday = au[au["interval_start"].dt.day == 25]["interval_start"].dt.hour.tolist()
    assert sunday.count(2) == 2 and len(sunday) == 25


def test_shrinkage_by_local_hour_across_dst():
    cfg = _config(
        [{"id": 1, "name": "W", "method": "workload", "nht_seconds": 360, "max_occupancy": 0.5}],
        start="2026-03-23",
        tz="Europe/Berlin",
        defaults={"shrinkage": {"default": 0.2, "by_hour": {9: 0.5}}},
    )
    iv = plan(cfg, volume=_volume(cfg, {1: 10.0})).intervals
    nine = iv[iv["interval_start"].dt.hour == 9]
    # 1 Erlang / 0.5 = 2 agents; at local 09:00 (also after the switch to CEST) 2 / 0.5 = 4
    assert len(nine) == 7 and (nine["fte"] == 4).all()
    np.testing.assert_allclose(iv[iv["interval_start"].dt.hour == 10]["fte"], 2 / 0.8)


def test_quarter_hour_intervals():
    cfg = _config(
        [
            {
                "id": 1,
                "name": "C",
                "method": "erlang_c",
                "nht_seconds": 360,
                "service_level": {"target": 0.8, "answer_within_seconds": 60},
            }
        ],
        minutes=15,
    )
    result = plan(cfg, volume=_volume(cfg, {1: 2.5}))
    iv = result.intervals
    assert len(iv) == 7 * 96
    # 2.5 contacts in 900 s at 360 s = 1 Erlang: the same M/M/n as the hourly case -> 3 agents
    assert iv.iloc[0].workload_erlangs == pytest.approx(1.0) and (iv["agents"] == 3).all()
    # agent-hours per day: 3 agents x 96 quarters x 0.25 h
    assert result.daily.iloc[0].agent_hours == pytest.approx(72.0)


def test_volume_frame_problems_name_skill_and_time():
    cfg = _config([{"id": 1, "name": "W", "method": "workload", "nht_seconds": 360}])
    vol = _volume(cfg, {1: 5.0})
    # an open interval without a row is zero, warned once with the count and the date (issue 21)
    gap_warning = r"1 skill-interval\(s\) in open hours have no row, on 1 day\(s\) \(2026-03-02\)"
    with pytest.warns(DataWarning, match=gap_warning):
        gap = plan(cfg, volume=vol.drop(index=5)).intervals
    assert gap["volume"].iloc[5] == 0.0 and gap["volume"].drop(index=5).eq(5.0).all()
    extra = pd.concat(
        [
            vol,
            pd.DataFrame(
                {
                    "skill_id": [9],
                    "interval_start": [vol["interval_start"].iloc[0]],
                    "volume": [1.0],
                }
            ),
        ]
    )
    # a skill the config does not plan is left out with a note (a whole-centre forecast)
    with pytest.warns(DataWarning, match=r"1 skill\(s\) not in the config left out \(9;"):
        assert len(plan(cfg, volume=extra).intervals) == 168
    shifted = vol.copy()
    shifted.loc[3, "interval_start"] += pd.Timedelta(minutes=30)
    with pytest.raises(
        DataError, match=r"skill 1 at 2026-03-02T03:30:00\+00:00 is not on the plan's 60-min"
    ):
        plan(cfg, volume=shifted)


def test_volume_file_through_the_config(tmp_path):
    cfg = _config(
        [{"id": 1, "name": "W", "method": "workload", "nht_seconds": 360}], tz="America/New_York"
    )
    vol = _volume(cfg, {1: 20.0})
    # naive local times in the file, as a planner's spreadsheet has them
    vol["interval_start"] = vol["interval_start"].dt.strftime("%Y-%m-%dT%H:%M")
    vol.loc[7, "volume"] = np.nan
    path = tmp_path / "forecast.csv"
    vol.to_csv(path, index=False)
    cfg["volume"] = {"source": "file", "path": str(path)}
    with pytest.raises(
        DataError,
        match=r"forecast\.csv: volume is missing .* skill 1 at "
        r"2026-03-02T07:00:00-05:00",
    ):
        plan(cfg)
    vol.loc[7, "volume"] = 20.0
    vol.to_csv(path, index=False)
    result = plan(cfg)
    assert (result.intervals["agents"] == 2).all()  # 2 Erlangs at occupancy cap 1
    assert result.backtest.empty and result.meta["volume_source"].startswith("file")


def _example_history() -> pd.DataFrame:
    return read_history_file(ROOT / "config" / "data" / "nht_history.csv")


def test_plan_equals_engine_called_directly():
    """Every method of the example, recomputed here with one direct engine call per skill."""
    result = plan(EXAMPLE)
    iv = result.intervals
    skills = {s.skill_id: s for s in result.config.resolved_skills}
    checked = set()
    for skill_id, part in iv.groupby("skill_id"):
        s = skills[skill_id]
        served = part["volume"] > 0
        if s.open_hours is not None:
            local = part["interval_start"]
            served &= s.open_hours.is_open(
                local.dt.day_of_week.to_numpy(), (local.dt.hour * 60).to_numpy(), 60
            )
        assert (part.loc[~served, "agents"] == 0).all()
        rows = part[served]
        volume, h = rows["volume"].to_numpy(), rows["nht_s"].to_numpy()
        if s.method == "chat":
            h = (
                np.asarray(s.handle_time_by_load_s)[None, :].repeat(len(rows), 0)
                if s.handle_time_by_load_s
                else h[:, None] * np.arange(1, s.max_concurrency + 1)
            )
        if s.method == "workload":
            cap = s.max_occupancy or 1.0
            direct = np.ceil(volume * h / 3600 / cap - 1e-9)
            model, patience = "erlang_c", {}
        else:
            model = s.method
            patience = {} if model == "erlang_c" else {"patience_s": s.patience_s}
            direct = queueing.required_agents(
                model,
                volume=volume,
                handle_time_s=h,
                service_level=s.service_level_target,
                answer_within_s=s.answer_within_s,
                asa_s=s.asa_s,
                max_occupancy=s.max_occupancy,
                max_abandon=None if model == "erlang_c" else s.max_abandon,
                **patience,
            )
        direct = np.maximum(direct, s.min_agents)
        np.testing.assert_array_equal(rows["agents"].to_numpy(), direct)
        metrics = queueing.evaluate(
            model,
            direct,
            volume=volume,
            handle_time_s=h,
            answer_within_s=s.answer_within_s,
            **patience,
        )
        for key in ("service_level", "asa_s", "p_abandon", "occupancy"):
            np.testing.assert_allclose(rows[key].to_numpy(), metrics[key], rtol=1e-12)
        checked.add(s.method)
    assert checked == {"workload", "erlang_c", "erlang_a", "chat"}


def test_example_plan_tables_and_metadata():
    result = plan(EXAMPLE)
    iv, meta = result.intervals, result.meta
    # America/New_York springs forward on 2026-03-08: 4 weeks = 4 x 168 - 1 hours per skill
    assert len(iv) == 6 * (4 * 168 - 1)
    assert result.timezone == "America/New_York" and meta["days"] == 28
    assert set(iv["method"].unique()) == {"workload", "chat", "erlang_a", "erlang_c"}
    assert (iv["agents"] >= 0).all() and iv["agents"].dtype == np.int64
    # every roll-up is a sum of the interval table
    np.testing.assert_allclose(result.daily["agent_hours"].sum(), iv["agents"].sum())
    np.testing.assert_allclose(result.weekly_total["fte_hours"].sum(), iv["fte"].sum())
    np.testing.assert_allclose(result.daily_total["volume"].sum(), iv["volume"].sum())
    # weekly headcount = FTE-hours / fte_hours_per_week (37.5 for every skill here)
    np.testing.assert_allclose(result.weekly["fte_headcount"], result.weekly["fte_hours"] / 37.5)
    summary = result.summary()
    assert len(summary) == 7 and summary.iloc[-1]["skill_name"] == "All skills"
    total_peak = iv.groupby("interval_start")["agents"].sum().max()
    assert summary.iloc[-1]["peak_agents"] == total_peak
    assert summary["weekly_fte"].iloc[:-1].sum() == pytest.approx(summary.iloc[-1]["weekly_fte"])
    # the growth of 1.05 on skill 1001 shows in its volume against the history profile
    assert result.skills.set_index("skill_id").loc[1001, "growth"] == 1.05
    assert len(result.backtest) == 6 and result.backtest["wape"].between(0, 1).all()
    assert set(result.nht_profile.columns) == {"skill_id", "hour_of_week", "nht_s", "nht_basis"}
    assert str(result.history["interval_start"].dt.tz) == "America/New_York"
    assert "secret" not in repr(meta).lower()


def test_history_volume_is_split_evenly_into_quarter_hours():
    hourly = plan(EXAMPLE).intervals
    quarter = plan(_quarter_config()).intervals
    a = hourly[hourly.skill_id == 1001].set_index("interval_start")["volume"]
    q = quarter[quarter.skill_id == 1001]
    per_hour = q.groupby(q["interval_start"].dt.floor("h"))["volume"].sum()
    np.testing.assert_allclose(per_hour.reindex(a.index).to_numpy(), a.to_numpy())


def _quarter_config():
    import yaml

    data = yaml.safe_load(EXAMPLE.read_text())
    data["plan"]["interval_minutes"] = 15
    data["plan"]["weeks"] = 4
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data.pop("output")
    return data


def test_store_source_gives_the_same_plan_as_the_file(tmp_path):
    from staffing.sources import store as store_mod

    history = _example_history()
    store = store_mod.HistoryStore(tmp_path / "history.sqlite")
    store.upsert("12345678", history.drop(columns=["account"]))
    import yaml

    data = yaml.safe_load(EXAMPLE.read_text())
    data.pop("output")
    data["nht"] = {
        "source": "store",
        "store": str(tmp_path / "history.sqlite"),
        "history_weeks": 8,
        "min_segments": 20,
        "liveperson": {"account": "12345678"},
    }
    from_store = plan(data)
    from_file = plan(EXAMPLE)
    pd.testing.assert_frame_equal(from_store.intervals, from_file.intervals)
    assert from_store.meta["nht_source"].startswith("store")


def test_dataframe_history_in_place_of_the_file():
    history = _example_history()
    result = plan(EXAMPLE, nht_history=history)
    assert result.meta["nht_source"] == "DataFrame"
    pd.testing.assert_frame_equal(result.intervals, plan(EXAMPLE).intervals)
    assert len(hourly_history(history)) == len(history)


def test_history_volume_for_a_skill_without_arrivals_is_an_error():
    import yaml

    data = yaml.safe_load(EXAMPLE.read_text())
    data.pop("output")
    data["nht"]["path"] = str(ROOT / "config" / "data" / "nht_history.csv")
    data["skills"].append({"id": 4242, "name": "Typo skill", "method": "workload"})
    with pytest.raises(
        DataError,
        match=r"no arrivals at all for skill\(s\) 'Typo skill' "
        r"\(id 4242\)",
    ):
        plan(data)


def test_fetch_from_liveperson_then_plan(tmp_path, monkeypatch):
    from staffing import testing
    from staffing.sources.liveperson import sync

    now = pd.Timestamp.now(tz="UTC").floor("h")
    # the fetch runs on the fake's clock, not the real one (an hour could turn in between)
    monkeypatch.setattr(sync, "fetch_history", functools.partial(sync.fetch_history, now=now))
    creds = testing.TEST_CREDENTIALS
    for name, value in (
        ("LP_APP_KEY", creds.app_key),
        ("LP_APP_SECRET", creds.app_secret),
        ("LP_ACCESS_TOKEN", creds.access_token),
        ("LP_ACCESS_TOKEN_SECRET", creds.access_token_secret),
    ):
        monkeypatch.setenv(name, value)
    start = (now.tz_convert("Europe/London").normalize() + pd.Timedelta(days=7)).date()
    with testing.FakeLivePerson(skill_ids=[1001, 1002], now=now) as lp:
        config = {
            "plan": {
                "name": "lp",
                "start": start.isoformat(),
                "weeks": 1,
                "timezone": "Europe/London",
            },
            "nht": {
                "source": "store",
                "store": str(tmp_path / "h.sqlite"),
                "history_weeks": 2,
                "fetch": True,
                "min_segments": 1,
                "liveperson": {"account": lp.account, "domain_api": lp.domain_api},
            },
            "volume": {"source": "history"},
            "defaults": {
                "method": "workload",
                "shrinkage": 0.3,
                "fte_hours_per_week": 40,
                "nht_seconds": 500,
            },
            "skills": [{"id": 1001, "name": "A"}, {"id": 1002, "name": "B"}],
        }
        result = plan(config)
        assert lp.nht_requests  # it really went over HTTP
    assert (tmp_path / "h.sqlite").is_file()
    assert result.meta["nht_source"] == f"store {tmp_path / 'h.sqlite'} (account {lp.account})"
    assert len(result.intervals) == 2 * len(result.intervals["interval_start"].unique())
    assert result.intervals["volume"].sum() > 0 and len(result.history) > 0
    everything = repr(result.meta) + result.intervals.to_csv() + result.skills.to_csv()
    for secret in (creds.app_secret, creds.access_token_secret, creds.app_key, creds.access_token):
        assert secret not in everything


def test_store_with_two_accounts_needs_the_account(tmp_path):
    from staffing.sources import store as store_mod

    history = _example_history().drop(columns=["account"])
    store = store_mod.HistoryStore(tmp_path / "two.sqlite")
    store.upsert("111", history)
    store.upsert("222", history)
    import yaml

    data = yaml.safe_load(EXAMPLE.read_text())
    data.pop("output")
    data["nht"] = {"source": "store", "store": str(tmp_path / "two.sqlite")}
    with pytest.raises(DataError, match=r"several accounts \(111, 222\).*nht\.liveperson\.account"):
        plan(data)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # a tiny volume printed numpy's overflow
@settings(max_examples=25, deadline=None)
@given(
    volumes=st.lists(st.floats(0, 500), min_size=168, max_size=168),
    nht=st.floats(30, 1800),
    cap=st.floats(0.5, 1.0),
    target=st.floats(0.5, 0.95),
)
def test_every_target_and_the_occupancy_cap_hold(volumes, nht, cap, target):
    cfg = _config(
        [
            {
                "id": 1,
                "name": "C",
                "method": "erlang_c",
                "nht_seconds": nht,
                "max_occupancy": cap,
                "service_level": {"target": target, "answer_within_seconds": 20},
            },
            {"id": 2, "name": "W", "method": "workload", "nht_seconds": nht, "max_occupancy": cap},
        ]
    )
    vol = _volume(cfg, {1: 0.0, 2: 0.0})
    vol["volume"] = np.concatenate([volumes, volumes])
    iv = plan(cfg, volume=vol).intervals
    served = iv["volume"] > 0
    # the occupancy cap: workload / agents <= cap for both methods (up to float noise)
    assert (iv.loc[served, "workload_erlangs"] <= iv.loc[served, "agents"] * cap + 1e-6).all()
    assert (iv.loc[~served, "agents"] == 0).all()
    c = iv[(iv.skill_id == 1) & served]
    assert (c["service_level"] >= target - 1e-9).all()
    # same volume and NHT: Erlang C with an SL target never needs fewer agents than workload
    w = iv[(iv.skill_id == 2) & served]
    assert (c["agents"].to_numpy() >= w["agents"].to_numpy()).all()
