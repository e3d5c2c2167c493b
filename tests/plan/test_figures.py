"""Every figure a planner reads, checked against values worked out in the test itself.

The summary, daily and weekly tables are recomputed here with plain Python loops over
the interval table (never with the plan's own roll-up code), on multi-week plans, a plan
that does not start on a Monday, a partial last week, DST weeks and 15/30-minute
intervals. The interval figures themselves are checked by hand where the method allows
(``workload``: agents = ceil(volume x NHT / interval / cap), docs/models.md and
``staffing.plan.plan``'s Notes). The per-case cache is checked by skills that differ in one
staffing parameter alone, and the plan's staffing is checked to be minimal.
"""

from __future__ import annotations

import copy
import math
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffing import queueing
from staffing.commands.plan import format_summary
from staffing.plan import plan

#: A file that exists (volume.path is checked); the volume comes from a DataFrame instead.
EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example.yaml"


def _config(
    skills, *, start="2026-03-02", weeks=None, end=None, tz="UTC", minutes=60, defaults=None
):
    base = {"shrinkage": 0.2, "fte_hours_per_week": 40}
    base.update(defaults or {})
    horizon = {"weeks": weeks} if end is None else {"end": end}
    return {
        "plan": {
            "name": "figures",
            "start": start,
            "timezone": tz,
            "interval_minutes": minutes,
            **horizon,
        },
        "nht": {"source": "store"},  # never read: every skill has nht_seconds
        "volume": {"source": "file", "path": str(EXAMPLE)},  # replaced by a DataFrame
        "defaults": base,
        "skills": skills,
    }


def _grid(cfg) -> pd.DatetimeIndex:
    p = cfg["plan"]
    start = pd.Timestamp(p["start"])
    last = (
        start + pd.Timedelta(weeks=p["weeks"])
        if "weeks" in p
        else pd.Timestamp(p["end"]) + pd.Timedelta(days=1)
    )
    return pd.date_range(
        start.tz_localize(p["timezone"]),
        last.tz_localize(p["timezone"]),
        freq=f"{p['interval_minutes']}min",
        inclusive="left",
    )


def _volume(cfg, rule) -> pd.DataFrame:
    """Volume per skill and interval from ``rule(skill_id, local_time, index)``."""
    grid = _grid(cfg)
    frames = []
    for skill in cfg["skills"]:
        values = [float(rule(skill["id"], t, i)) for i, t in enumerate(grid)]
        frames.append(
            pd.DataFrame({"skill_id": skill["id"], "interval_start": grid, "volume": values})
        )
    return pd.concat(frames, ignore_index=True)


def _varying(skill_id, t, i):
    # Changes with the hour of the day, the weekday and the week, so weeks and days differ;
    # 03:00 has half a contact (a weight below 1) and 04:00 none (no agents, NaN figures).
    if t.hour == 3:
        return 0.5
    if t.hour == 4:
        return 0.0
    return 4 * (skill_id + (t.hour % 7) + t.day_of_week) + (i // 168) * 8


def _by_hand(iv: pd.DataFrame, start: date, hours: float, fte_week: dict[int, float]):
    """Daily, weekly and summary figures recomputed from the interval rows by loops."""
    day = defaultdict(lambda: defaultdict(float))
    week = defaultdict(lambda: defaultdict(float))
    week_days = defaultdict(set)
    total_by_time = defaultdict(float)
    week_of_time = {}
    for r in iv.itertuples(index=False):
        local_day = r.interval_start.date()
        w = (local_day - start).days // 7  # plan weeks start on plan.start
        d, k = day[(r.skill_id, local_day)], week[(r.skill_id, w)]
        for acc in (d, k):
            acc["volume"] += r.volume
            acc["agent_hours"] += r.agents * hours
            acc["fte_hours"] += r.fte * hours
        k["peak_agents"] = max(k["peak_agents"], r.agents)
        if r.volume > 0 and math.isfinite(r.service_level):
            if r.method != "workload":  # no target, so no service level in the roll-ups
                k["sl_num"] += r.service_level * r.volume
                k["sl_w"] += r.volume
            k["pab_num"] += r.p_abandon * r.volume
            k["w"] += r.volume
        if r.volume > 0:
            k["nht_num"] += r.nht_s * r.volume
            k["nht_w"] += r.volume
        week_days[w].add(local_day)
        total_by_time[r.interval_start] += r.agents
        week_of_time[r.interval_start] = w
    for (sid, _), k in week.items():
        k["fte_headcount"] = k["fte_hours"] / fte_week[sid]
    total_peak = defaultdict(float)
    for t, n in total_by_time.items():
        total_peak[week_of_time[t]] = max(total_peak[week_of_time[t]], n)
    return day, week, week_days, total_peak


def _summed_agents(iv):
    total = defaultdict(float)
    for r in iv.itertuples(index=False):
        total[r.interval_start] += r.agents
    return total


def _check_tables(result, cfg, fte_week):
    iv = result.intervals
    start = date.fromisoformat(cfg["plan"]["start"])
    hours = cfg["plan"]["interval_minutes"] / 60
    day, week, week_days, total_peak = _by_hand(iv, start, hours, fte_week)

    daily = result.daily.set_index(["skill_id", "date"])
    assert len(daily) == len(day)
    for key, expected in day.items():
        for column in ("volume", "agent_hours", "fte_hours"):
            assert daily.loc[key, column] == pytest.approx(expected[column]), (key, column)
    daily_total = result.daily_total.set_index("date")
    for d in daily_total.index:
        for column in ("volume", "agent_hours", "fte_hours"):
            expected = sum(v[column] for (sid, dd), v in day.items() if dd == d)
            assert daily_total.loc[d, column] == pytest.approx(expected), (d, column)

    weekly = result.weekly.set_index(["skill_id", "week_start"])
    assert len(weekly) == len(week)
    for (sid, w), expected in week.items():
        row = weekly.loc[(sid, start + timedelta(weeks=w))]
        assert row["days"] == len(week_days[w])
        for column in ("volume", "agent_hours", "fte_hours", "fte_headcount", "peak_agents"):
            assert row[column] == pytest.approx(expected[column]), (sid, w, column)
        if expected["sl_w"]:
            assert row["service_level"] == pytest.approx(expected["sl_num"] / expected["sl_w"])
        else:
            assert math.isnan(row["service_level"])
        if expected["w"]:
            assert row["p_abandon"] == pytest.approx(expected["pab_num"] / expected["w"])
        assert row["nht_s"] == pytest.approx(expected["nht_num"] / expected["nht_w"])
    weekly_total = result.weekly_total.set_index("week_start")
    for w in range(len(week_days)):
        row = weekly_total.loc[start + timedelta(weeks=w)]
        mine = [v for (sid, ww), v in week.items() if ww == w]
        assert row["days"] == len(week_days[w])
        assert row["peak_agents"] == total_peak[w]
        for column in ("volume", "agent_hours", "fte_hours", "fte_headcount"):
            assert row[column] == pytest.approx(sum(v[column] for v in mine)), (w, column)
        for column, key, weight in (
            ("service_level", "sl_num", "sl_w"),
            ("p_abandon", "pab_num", "w"),
        ):
            den = sum(v[weight] for v in mine)
            expected = sum(v[key] for v in mine) / den if den else math.nan
            assert row[column] == pytest.approx(expected, nan_ok=True), (w, column)
        assert row["nht_s"] == pytest.approx(
            sum(v["nht_num"] for v in mine) / sum(v["nht_w"] for v in mine)
        )

    # summary: means per 7 days over the whole horizon (Plan.summary's docstring)
    n_weeks = result.meta["days"] / 7
    table = result.summary()
    assert table.index.tolist() == list(range(len(cfg["skills"]) + 1))
    assert table["skill_name"].tolist() == [s["name"] for s in cfg["skills"]] + ["All skills"]
    summary = table.set_index("skill_name")
    total_fte = 0.0
    for skill in cfg["skills"]:
        part = iv[iv.skill_id == skill["id"]]
        row = summary.loc[skill["name"]]
        fte_per_week = sum(part["fte"]) * hours / fte_week[skill["id"]] / n_weeks
        total_fte += fte_per_week
        assert row["weekly_fte"] == pytest.approx(fte_per_week)
        assert row["weekly_volume"] == pytest.approx(sum(part["volume"]) / n_weeks)
        first_peak = max(range(len(part)), key=lambda i: (part["agents"].iloc[i], -i))
        assert row["peak_agents"] == part["agents"].iloc[first_peak]
        assert row["peak_at"] == part["interval_start"].iloc[first_peak]
        served = part[(part.volume > 0) & np.isfinite(part.service_level)]
        if skill.get("method") == "workload":  # no target: no service level (Plan.summary)
            assert math.isnan(row["service_level"])
        else:
            assert row["service_level"] == pytest.approx(
                sum(served.service_level * served.volume) / sum(served.volume)
            )
        assert row["p_abandon"] == pytest.approx(
            sum(served.p_abandon * served.volume) / sum(served.volume)
        )
        assert row["mean_nht_s"] == pytest.approx(sum(part.nht_s * part.volume) / sum(part.volume))
    everyone = summary.loc["All skills"]
    assert everyone["weekly_fte"] == pytest.approx(total_fte)
    assert everyone["weekly_volume"] == pytest.approx(sum(iv["volume"]) / n_weeks)
    assert everyone["peak_agents"] == max(total_peak.values())
    first_total_peak = min(
        t for t, n in _summed_agents(iv).items() if n == max(total_peak.values())
    )
    assert everyone["peak_at"] == first_total_peak
    served = iv[(iv.volume > 0) & np.isfinite(iv.service_level)]
    for column in ("service_level", "p_abandon"):
        rows = served[served.method != "workload"] if column == "service_level" else served
        expected = sum(rows[column] * rows.volume) / sum(rows.volume) if len(rows) else math.nan
        assert everyone[column] == pytest.approx(expected, nan_ok=True), column
    assert everyone["mean_nht_s"] == pytest.approx(sum(iv.nht_s * iv.volume) / sum(iv.volume))
    return summary


def _two_skills():
    return [
        {
            "id": 1,
            "name": "Work",
            "method": "workload",
            "nht_seconds": 360,
            "max_occupancy": 0.8,
            "fte_hours_per_week": 40,
        },
        {
            "id": 2,
            "name": "Queue",
            "method": "erlang_c",
            "nht_seconds": 240,
            "service_level": {"target": 0.8, "answer_within_seconds": 60},
            "fte_hours_per_week": 37.5,
        },
        {
            "id": 3,
            "name": "Abandon",
            "method": "erlang_a",
            "nht_seconds": 300,
            "patience_seconds": 200,
            "max_abandon": 0.05,
            "fte_hours_per_week": 35,
            "service_level": {"target": 0.7, "answer_within_seconds": 30},
        },
    ]


def _check_workload_intervals(iv, interval_s, shrinkage):
    w = iv[iv.skill_id == 1]
    # workload: ceil(volume x 360 s / interval / 0.8) agents (plan's Notes), fte = / (1 - s)
    expected = [math.ceil(v * 360 / interval_s / 0.8 - 1e-9) for v in w["volume"]]
    assert w["agents"].tolist() == expected
    np.testing.assert_allclose(w["fte"], np.array(expected) / (1 - shrinkage))


@pytest.mark.parametrize(("minutes", "weeks"), [(60, 4), (30, 2), (15, 2)])
def test_multi_week_tables_equal_the_intervals_summed_by_hand(minutes, weeks):
    cfg = _config(_two_skills(), weeks=weeks, minutes=minutes)
    result = plan(cfg, volume=_volume(cfg, _varying))
    _check_workload_intervals(result.intervals, minutes * 60, 0.2)
    _check_tables(result, cfg, {1: 40.0, 2: 37.5, 3: 35.0})
    assert len(result.weekly) == 3 * weeks and (result.weekly["days"] == 7).all()


def test_four_week_summary_fte_is_per_week_not_for_the_horizon():
    # workload, 100 contacts x 360 s / 3600 s = 10 Erlang / 0.8 = 12.5 -> 13 agents in every
    # hour; shrinkage 0.35: 13 / 0.65 = 20 FTE; 20 x 168 h / 40 h = 84 FTE per week, for a
    # 1-week plan and a 4-week plan alike (a 4-week total would be 336).
    cfg = _config(
        [{"id": 1, "name": "W", "method": "workload", "nht_seconds": 360, "max_occupancy": 0.8}],
        weeks=4,
        defaults={"shrinkage": 0.35},
    )
    result = plan(cfg, volume=_volume(cfg, lambda s, t, i: 100))
    summary = result.summary()
    assert summary["weekly_fte"].tolist() == pytest.approx([84.0, 84.0])
    assert summary["weekly_volume"].tolist() == pytest.approx([16_800.0, 16_800.0])
    assert result.weekly["fte_headcount"].tolist() == pytest.approx([84.0] * 4)
    assert result.weekly_total["agent_hours"].tolist() == pytest.approx([13 * 168] * 4)


def test_a_plan_starting_on_wednesday_with_a_partial_last_week():
    # 10 days from Wednesday 2026-03-04: plan weeks start on plan.start, so week 1 is
    # Wed 4 - Tue 10 (7 days) and week 2 is Wed 11 - Fri 13 (3 days); summary means are per
    # 7 days over 10 days (weeks = 10 / 7).
    cfg = _config(_two_skills(), start="2026-03-04", end="2026-03-13")
    result = plan(cfg, volume=_volume(cfg, _varying))
    assert result.meta["days"] == 10
    assert result.weekly_total["days"].tolist() == [7, 3]
    assert result.weekly_total["week_start"].tolist() == [date(2026, 3, 4), date(2026, 3, 11)]
    _check_workload_intervals(result.intervals, 3600, 0.2)
    summary = _check_tables(result, cfg, {1: 40.0, 2: 37.5, 3: 35.0})
    work = result.intervals[result.intervals.skill_id == 1]
    assert summary.loc["Work", "weekly_fte"] == pytest.approx(work["fte"].sum() / 40 / (10 / 7))


@pytest.mark.parametrize(("start", "hours"), [("2026-03-23", 167), ("2026-10-19", 169)])
def test_dst_weeks_count_their_real_hours(start, hours):
    # Europe/Berlin: 2026-03-29 has 23 hours, 2026-10-25 has 25. 13 agents and 20 FTE in every
    # hour (as above): the DST week has 13 x 167 (or 169) agent-hours and 20 x 167 / 40 =
    # 83.5 (or 84.5) FTE; the Sunday has 13 x 23 (or 25) agent-hours.
    cfg = _config(
        [{"id": 1, "name": "W", "method": "workload", "nht_seconds": 360, "max_occupancy": 0.8}],
        start=start,
        weeks=2,
        tz="Europe/Berlin",
        defaults={"shrinkage": 0.35},
    )
    result = plan(cfg, volume=_volume(cfg, lambda s, t, i: 100))
    weekly = result.weekly
    assert weekly["agent_hours"].tolist() == pytest.approx([13 * hours, 13 * 168])
    assert weekly["fte_headcount"].tolist() == pytest.approx([20 * hours / 40, 84.0])
    sunday = date.fromisoformat(start) + timedelta(days=6)
    daily = result.daily.set_index("date")
    assert daily.loc[sunday, "agent_hours"] == pytest.approx(13 * (hours - 144))
    assert daily.loc[sunday, "volume"] == pytest.approx(100 * (hours - 144))
    # summary over the two weeks: (20 x hours + 20 x 168) / 40 / 2
    assert result.summary()["weekly_fte"].iloc[0] == pytest.approx((20 * hours + 20 * 168) / 40 / 2)


def test_dst_multi_week_tables_by_hand_at_30_minutes():
    cfg = _config(_two_skills(), start="2026-03-16", weeks=3, tz="Europe/Berlin", minutes=30)
    result = plan(cfg, volume=_volume(cfg, _varying))
    assert len(result.intervals) == 3 * (3 * 336 - 2)  # the skipped hour is two half hours
    _check_workload_intervals(result.intervals, 1800, 0.2)
    _check_tables(result, cfg, {1: 40.0, 2: 37.5, 3: 35.0})


def test_printed_summary_keeps_one_decimal_of_fte():
    # The DST week above: 20 FTE x 167 h / 40 h = 83.5 FTE per week, printed "83.5"
    # (format_summary prints FTE/wk with one decimal); volume 100 x 167 = 16,700.
    cfg = _config(
        [{"id": 1, "name": "W", "method": "workload", "nht_seconds": 360, "max_occupancy": 0.8}],
        start="2026-03-23",
        weeks=1,
        tz="Europe/Berlin",
        defaults={"shrinkage": 0.35},
    )
    text = format_summary(plan(cfg, volume=_volume(cfg, lambda s, t, i: 100)))
    row = next(line for line in text.splitlines() if line.startswith("1 W"))
    assert re.search(r"\b16,700\s+360\s+13\s+Mon 23 Mar 00:00\s+83\.5\s", row), row
    total = next(line for line in text.splitlines() if line.startswith("All skills"))
    assert re.search(r"\s83\.5\s", total), total


# ---------------------------------------------------------------------------
# The per-case cache: skills that differ in one staffing parameter alone
# ---------------------------------------------------------------------------

_BASE_C = {"method": "erlang_c", "nht_seconds": 360}
# a = 10 contacts x 360 s / 3600 s = 1 Erlang. Erlang C (test_plan.py: test_erlang_c_by_hand):
# n=2: C = 1/3, SL(60 s) = 1 - e^(-1/6)/3 = 0.7178, SL(600 s) = 1 - e^(-5/3)/3 = 0.9370,
#      ASA = C h / (n - a) = 120 s, occupancy 0.5;
# n=3: C = 1/11, SL(60 s) = 1 - e^(-1/3)/11 = 0.9349, ASA = 360 / 22 = 16.4 s, occupancy 1/3.
_PAIRS = {
    "service_level_target": (
        {**_BASE_C, "service_level": {"target": 0.7, "answer_within_seconds": 60}},
        {**_BASE_C, "service_level": {"target": 0.9, "answer_within_seconds": 60}},
        10,
        2,
        3,
    ),
    "answer_within_seconds": (
        {**_BASE_C, "service_level": {"target": 0.9, "answer_within_seconds": 600}},
        {**_BASE_C, "service_level": {"target": 0.9, "answer_within_seconds": 60}},
        10,
        2,
        3,
    ),
    "asa_seconds": ({**_BASE_C, "asa_seconds": 150}, {**_BASE_C, "asa_seconds": 60}, 10, 2, 3),
    "max_occupancy": (
        {
            **_BASE_C,
            "service_level": {"target": 0.5, "answer_within_seconds": 60},
            "max_occupancy": 0.6,
        },
        {
            **_BASE_C,
            "service_level": {"target": 0.5, "answer_within_seconds": 60},
            "max_occupancy": 0.4,
        },
        10,
        2,
        3,
    ),
    # workload: 10 x 360 / 3600 = 1 Erlang / cap: 0.6 -> 2 agents, 0.4 -> 3
    "workload max_occupancy": (
        {"method": "workload", "nht_seconds": 360, "max_occupancy": 0.6},
        {"method": "workload", "nht_seconds": 360, "max_occupancy": 0.4},
        10,
        2,
        3,
    ),
    # Erlang A, patience = NHT, 1 agent: P(abandon) = e^-1 = 0.368 (test_plan.py's
    # test_erlang_a_by_hand), so max_abandon 0.4 holds with 1 agent and 0.2 does not.
    "max_abandon": (
        {"method": "erlang_a", "nht_seconds": 360, "patience_seconds": 360, "max_abandon": 0.4},
        {"method": "erlang_a", "nht_seconds": 360, "patience_seconds": 360, "max_abandon": 0.2},
        10,
        1,
        None,
    ),
    "patience_seconds": (
        {"method": "erlang_a", "nht_seconds": 360, "patience_seconds": 360, "max_abandon": 0.4},
        {"method": "erlang_a", "nht_seconds": 360, "patience_seconds": 60, "max_abandon": 0.4},
        10,
        1,
        None,
    ),
    # chat, h_j = NHT x j, 1 agent is M/M/1 at rho = 5 x 360 / 3600 = 0.5 (test_chat_by_hand):
    # k = 2: P(wait) = rho^2 = 0.25 -> SL(0) 0.75 >= 0.7 with 1 agent; k = 1: P(wait) =
    # rho = 0.5 -> 2 agents (M/M/2 at a = 0.5: P(wait) = C(2, 0.5) = 1/9).
    "max_concurrency": (
        {
            "method": "chat",
            "nht_seconds": 360,
            "max_concurrency": 2,
            "service_level": {"target": 0.7, "answer_within_seconds": 0},
        },
        {
            "method": "chat",
            "nht_seconds": 360,
            "max_concurrency": 1,
            "service_level": {"target": 0.7, "answer_within_seconds": 0},
        },
        5,
        1,
        2,
    ),
    "handle_time_by_load_seconds": (
        {
            "method": "chat",
            "nht_seconds": 360,
            "max_concurrency": 2,
            "service_level": {"target": 0.7, "answer_within_seconds": 0},
            "handle_time_by_load_seconds": [360, 720],
        },
        {
            "method": "chat",
            "nht_seconds": 360,
            "max_concurrency": 2,
            "service_level": {"target": 0.7, "answer_within_seconds": 0},
            "handle_time_by_load_seconds": [360, 1440],
        },
        5,
        1,
        None,
    ),
    "min_agents": (
        {"method": "workload", "nht_seconds": 360},
        {"method": "workload", "nht_seconds": 360, "min_agents": 4},
        10,
        1,
        4,
    ),
}


@pytest.mark.parametrize("parameter", list(_PAIRS))
def test_skills_differing_in_one_parameter_alone_get_their_own_staffing(parameter):
    first, second, volume, agents_first, agents_second = _PAIRS[parameter]
    skills = [{"id": 1, "name": "A", **first}, {"id": 2, "name": "B", **second}]
    cfg = _config(skills, weeks=1)
    together = plan(cfg, volume=_volume(cfg, lambda s, t, i: volume)).intervals
    got = {sid: part["agents"].unique().tolist() for sid, part in together.groupby("skill_id")}
    assert got[1] == [agents_first]
    if agents_second is not None:
        assert got[2] == [agents_second]
    # each skill planned alone gives the same staffing and figures as planned together
    for sid, skill in ((1, skills[0]), (2, skills[1])):
        solo_cfg = _config([copy.deepcopy(skill)], weeks=1)
        solo = plan(solo_cfg, volume=_volume(solo_cfg, lambda s, t, i: volume)).intervals
        mine = together[together.skill_id == sid].reset_index(drop=True)
        for column in ("agents", "service_level", "asa_s", "p_abandon", "occupancy"):
            np.testing.assert_array_equal(
                mine[column].to_numpy(),
                solo[column].to_numpy(),
                err_msg=f"{parameter}: {column} of skill {sid}",
            )
    assert got[1] != got[2], "the pair must need different staffing to test the cache"


def test_the_cache_keeps_each_interval_its_own_volume_in_a_mixed_week():
    # One erlang_c skill whose volume repeats every 3 hours (10, 20, 10, ...): the engine runs
    # on 2 distinct cases; each interval must get its own. a = 1 Erlang -> 3 agents (above);
    # a = 2 Erlang, target 0.8 in 60 s: n = 3: B = (4/3)/(1+2+2+4/3) = 4/19, C = 3B/(3 - 2 +
    # 2B) = (12/19)/(27/19) = 4/9, SL = 1 - (4/9) e^(-60/360) = 0.6238 < 0.8; n = 4: B =
    # (2/3)/(19/3 + 2/3) = 2/21, C = 4B/(4 - 2 + 2B) = (8/21)/(46/21) = 4/23, SL = 1 -
    # (4/23) e^(-2*60/360) = 0.8754 >= 0.8 -> 4 agents.
    cfg = _config(
        [
            {
                "id": 1,
                "name": "C",
                **_BASE_C,
                "service_level": {"target": 0.8, "answer_within_seconds": 60},
            }
        ],
        weeks=1,
    )
    result = plan(cfg, volume=_volume(cfg, lambda s, t, i: 20 if i % 3 == 1 else 10))
    iv = result.intervals
    expected = [4 if i % 3 == 1 else 3 for i in range(168)]
    assert iv["agents"].tolist() == expected
    sl = np.where(np.arange(168) % 3 == 1, 1 - 4 / 23 * np.exp(-1 / 3), 1 - np.exp(-1 / 3) / 11)
    np.testing.assert_allclose(iv["service_level"], sl, rtol=1e-12)


# ---------------------------------------------------------------------------
# Minimality: one agent fewer breaks a target
# ---------------------------------------------------------------------------


def test_every_planned_staffing_is_minimal():
    # For every served interval of a mixed plan, the engine's figures at agents - 1 break at
    # least one of the skill's targets (or the occupancy cap), while at agents they all hold.
    skills = [
        {
            "id": 1,
            "name": "C",
            "method": "erlang_c",
            "nht_seconds": 300,
            "max_occupancy": 0.9,
            "service_level": {"target": 0.8, "answer_within_seconds": 30},
            "asa_seconds": 20,
        },
        {
            "id": 2,
            "name": "A",
            "method": "erlang_a",
            "nht_seconds": 420,
            "patience_seconds": 150,
            "max_abandon": 0.05,
            "service_level": {"target": 0.75, "answer_within_seconds": 20},
        },
        {
            "id": 3,
            "name": "Chat",
            "method": "chat",
            "nht_seconds": 600,
            "max_concurrency": 3,
            "service_level": {"target": 0.85, "answer_within_seconds": 30},
        },
    ]
    cfg = _config(skills, weeks=1)
    result = plan(cfg, volume=_volume(cfg, lambda s, t, i: 5 + (i * 37) % 120))
    iv = result.intervals
    for skill in skills:
        part = iv[(iv.skill_id == skill["id"]) & (iv.volume > 0)]
        n = part["agents"].to_numpy().astype(float)
        volume = part["volume"].to_numpy()
        h = np.full(len(part), float(skill["nht_seconds"]))
        if skill["method"] == "chat":
            h = h[:, None] * np.arange(1, skill["max_concurrency"] + 1)
        model = skill["method"]
        extra = {"patience_s": skill["patience_seconds"]} if model == "erlang_a" else {}
        within = skill["service_level"]["answer_within_seconds"]

        def holds(agents, skill=skill, model=model, volume=volume, h=h, extra=extra, within=within):
            m = queueing.evaluate(
                model, agents, volume=volume, handle_time_s=h, answer_within_s=within, **extra
            )
            ok = m["service_level"] >= skill["service_level"]["target"] - 1e-12
            if "asa_seconds" in skill:
                ok &= m["asa_s"] <= skill["asa_seconds"] + 1e-9
            if "max_abandon" in skill:
                ok &= m["p_abandon"] <= skill["max_abandon"] + 1e-12
            if "max_occupancy" in skill:
                ok &= m["occupancy"] <= skill["max_occupancy"] + 1e-12
            return ok

        assert holds(n).all(), skill["name"]
        fewer = holds(n - 1)
        assert not fewer.any(), (skill["name"], part[fewer].head())


def test_a_skill_without_volume_shows_no_service_level():
    # Plan.summary: service level and abandonment are volume-weighted over the served
    # intervals, so a skill with no volume at all has none (NaN, printed "-"), 0 agents, 0 FTE.
    skills = _two_skills()[:2]
    cfg = _config(skills, weeks=1)
    result = plan(cfg, volume=_volume(cfg, lambda s, t, i: 0.0 if s == 2 else 10.0))
    summary = result.summary().set_index("skill_name")
    assert math.isnan(summary.loc["Queue", "service_level"])
    assert math.isnan(summary.loc["Queue", "p_abandon"])
    assert summary.loc["Queue", "weekly_fte"] == 0 and summary.loc["Queue", "peak_agents"] == 0
    row = next(line for line in format_summary(result).splitlines() if line.startswith("2 Queue"))
    assert row.split()[-3:] == ["-", "-", "-"]  # SL, abandon, WAPE


# ---------------------------------------------------------------------------
# Figures of less common set-ups
# ---------------------------------------------------------------------------


def test_an_asa_only_skill_shows_its_service_level_at_zero_seconds():
    # A skill without a service-level target is judged at answer_within 0 s (plan._staff's
    # default), where SL = 1 - P(wait). a = 1 Erlang, ASA target 60 s -> 3 agents (above):
    # C = 1/11, so SL = 10/11 and ASA = 360 / 22 s.
    cfg = _config([{"id": 1, "name": "Asa", **_BASE_C, "asa_seconds": 60}], weeks=1)
    iv = plan(cfg, volume=_volume(cfg, lambda s, t, i: 10)).intervals
    assert (iv["agents"] == 3).all()
    np.testing.assert_allclose(iv["service_level"], 10 / 11, rtol=1e-12)
    np.testing.assert_allclose(iv["asa_s"], 360 / 22, rtol=1e-12)


def test_a_workload_skill_with_patience_is_judged_with_erlang_a():
    # plan's Notes: workload staffing is judged with Erlang A where the skill has a
    # patience. 10 x 360 / 3600 = 1 Erlang at cap 1 -> 1 agent; patience = NHT, so the
    # number in system is Poisson(1) (test_plan.py: test_erlang_a_by_hand): P(abandon) = e^-1,
    # SL(0) = e^-1, occupancy 1 - e^-1.
    cfg = _config(
        [{"id": 1, "name": "W", "method": "workload", "nht_seconds": 360, "patience_seconds": 360}],
        weeks=1,
    )
    iv = plan(cfg, volume=_volume(cfg, lambda s, t, i: 10)).intervals
    assert (iv["agents"] == 1).all()
    np.testing.assert_allclose(iv["p_abandon"], np.exp(-1), rtol=1e-9)
    np.testing.assert_allclose(iv["service_level"], np.exp(-1), rtol=1e-9)
    np.testing.assert_allclose(iv["occupancy"], 1 - np.exp(-1), rtol=1e-9)


def test_agent_counts_are_whole_numbers_in_every_table():
    cfg = _config(_two_skills(), weeks=2)
    result = plan(cfg, volume=_volume(cfg, _varying))
    for table, column in (
        (result.intervals, "agents"),
        (result.weekly, "peak_agents"),
        (result.weekly_total, "peak_agents"),
    ):
        assert table[column].dtype == np.int64, (column, table[column].dtype)
    assert isinstance(result.summary()["peak_agents"].iloc[0], int | np.integer)


def test_the_skills_table_spells_out_open_and_closed_days():
    cfg = _config(
        [
            {
                "id": 1,
                "name": "W",
                "method": "workload",
                "nht_seconds": 360,
                "open_hours": {
                    "mon": "00:00-06:00",
                    "tue": ["08:00-12:00", "13:00-17:00"],
                    "sat": "24h",
                },
            }
        ],
        weeks=1,
    )
    result = plan(cfg, volume=_volume(cfg, lambda s, t, i: 10))
    assert result.skills.loc[0, "open_hours"] == (
        "mon 00:00-06:00; tue 08:00-12:00,13:00-17:00; wed closed; thu closed; fri closed; "
        "sat 00:00-24:00; sun closed"
    )
    iv = result.intervals
    monday = iv[iv.interval_start.dt.day_of_week == 0]
    assert monday["agents"].tolist() == [1] * 6 + [0] * 18  # open from midnight to 06:00


def test_a_store_with_one_account_needs_no_account_in_the_config(tmp_path):
    # The account has to be named only when the store holds several (test_plan.py's
    # test_store_with_two_accounts_needs_the_account).
    from staffing.sources.store import HistoryStore

    times = pd.date_range("2026-02-02", periods=2 * 168, freq="h", tz="UTC")
    history = pd.DataFrame(
        {
            "skill_id": 1,
            "interval_start": times,
            "interval_minutes": 60,
            "arrivals": 10.0,
            "handled_segments": 30.0,
            "net_handle_time_s": 360.0,
        }
    )
    HistoryStore(tmp_path / "one.sqlite").upsert("111", history)
    cfg = {
        "plan": {"name": "one", "start": "2026-02-16", "weeks": 1, "timezone": "UTC"},
        "nht": {"source": "store", "store": str(tmp_path / "one.sqlite")},
        "volume": {"source": "history"},
        "defaults": {"method": "workload", "shrinkage": 0.2, "fte_hours_per_week": 40},
        "skills": [{"id": 1, "name": "A"}],
    }
    iv = plan(cfg).intervals
    # 10 contacts x 360 s / 3600 s = 1 Erlang -> 1 agent in every hour
    assert (iv["nht_s"] == 360).all() and (iv["volume"] == 10).all() and (iv["agents"] == 1).all()


def test_the_plan_states_its_horizon_and_sources():
    # What the printed summary's heading and the workbook show: the first and last local day,
    # the zone, the interval, and where NHT and volume came from.
    cfg = _config(_two_skills()[:1], start="2026-03-04", end="2026-03-13", minutes=30)
    result = plan(cfg, volume=_volume(cfg, _varying))
    meta = result.meta
    assert (meta["start"], meta["end"], meta["days"]) == ("2026-03-04", "2026-03-13", 10)
    assert result.interval_minutes == 30 and result.timezone == "UTC"
    assert meta["nht_source"] == "overrides only" and meta["volume_source"] == "DataFrame"
    assert meta["history_start"] is None and meta["history_end"] is None
    assert result.backtest.empty and list(result.backtest.columns) == [
        "skill_id",
        "skill_name",
        "wape",
        "actual_volume",
        "hours",
    ]
    heading = format_summary(result).splitlines()[0]
    assert heading == (
        "Plan 'figures': 2026-03-04 to 2026-03-13 (UTC, 30-minute intervals); "
        "NHT from overrides only; volume from DataFrame"
    )
