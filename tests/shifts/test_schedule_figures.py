"""The figures of a schedule recomputed by hand: groups, coverage, per skill, per day/week.

The plans use ``workload`` skills with NHT 360 s and no occupancy cap, so a volume of v
contacts an hour is v / 10 Erlang and ⌈v / 10⌉ on-queue agents (by hand: v × 360 / 3600);
heads at work needed are agents / (1 − shrinkage) (``docs/shifts.md``, "Shrinkage and
breaks"). Skills, named so that config order is not alphabetical: Sales (shrinkage 0.5,
5 contacts/h: 1 agent, 2 heads) and Support (shrinkage 0.2, 15 contacts/h: 2 agents, 2.5
heads), both Monday 08:00-10:00; Billing (shrinkage 0, 5 contacts/h: 1 agent, 1 head),
open Tuesday 09:00-10:00 only. Every expected figure below is derived
from those in its comment; the per-skill service comes from ``staffing.queueing`` on the
whole agents (the plan's own figures where they are the plan's agents).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import staffing
from staffing import queueing

MON = "2026-03-02"  # a Monday
TUE = "2026-03-03"
SKILLS = [
    {"id": 1, "name": "Sales", "nht_seconds": 360, "shrinkage": 0.5},
    {"id": 2, "name": "Support", "nht_seconds": 360, "shrinkage": 0.2},
    {
        "id": 3,
        "name": "Billing",
        "nht_seconds": 360,
        "shrinkage": 0.0,
        "open_hours": {"tue": "09:00-10:00"},
    },
]
#: contacts an hour per skill, and where: (skill, local day, first hour, last hour + 1)
VOLUME = [
    (1, MON, 8, 10, 5.0),
    (2, MON, 8, 10, 15.0),
    (3, TUE, 9, 11, 5.0),
]  # Billing: 10:00 is closed
#: Sales and Support (listed in reverse: still one group, in config order) by a 3-hour
#: shift at 08:00 on Mondays; Billing by a 1-hour shift at 09:00 any day
SHIFTS = [
    {"name": "morning", "length_hours": 3, "start": "08:00", "days": ["mon"], "skills": [2, 1]},
    {"name": "late", "length_hours": 1, "start": "09:00", "skills": [3]},
]


def _plan(shifts=SHIFTS, **extra) -> staffing.Plan:
    cfg = {
        "plan": {
            "name": "figures",
            "start": MON,
            "weeks": 1,
            "timezone": "UTC",
            "interval_minutes": 60,
        },
        "nht": {"source": "store"},  # never read: every skill has an nht_seconds
        "volume": {"source": "history"},  # replaced by the volume DataFrame
        "defaults": {"method": "workload", "max_occupancy": 1.0, "fte_hours_per_week": 40},
        "skills": SKILLS,
        **extra,
    }
    if shifts is not None:
        cfg["shifts"] = shifts
    grid = pd.date_range(f"{MON} 00:00", periods=168, freq="h", tz="UTC")
    frames = []
    for skill_id, day, first, last, per_hour in VOLUME:
        on = (grid.date == pd.Timestamp(day).date()) & (grid.hour >= first) & (grid.hour < last)
        frames.append(
            pd.DataFrame(
                {"skill_id": skill_id, "interval_start": grid, "volume": np.where(on, per_hour, 0)}
            )
        )
    return staffing.plan(staffing.load_config(cfg), volume=pd.concat(frames, ignore_index=True))


@pytest.fixture
def planned():
    # function scope: mutation testing credits a fixture's calls to the first test using it
    plan = _plan()
    return plan, staffing.schedule(plan)


def _at(table: pd.DataFrame, group: str, when: str) -> pd.Series:
    rows = table[
        (table["skill_group"] == group) & (table["interval_start"] == pd.Timestamp(when, tz="UTC"))
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_the_groups_and_their_shifts(planned):
    """Rule: templates serving the same skills form one group, named by its skills in
    config order; the shifts are the optimum, sorted by group and start."""
    _, result = planned
    # Sales + Support need 2 + 2.5 = 4.5 heads at 08:00 and 09:00: 5 whole heads on the only start
    # (3 h each: 15 h); Billing needs 1 head Tuesday 09:00: one 1-hour shift. 16 paid hours.
    assert result.groups["skill_group"].tolist() == ["Sales + Support", "Billing"]
    assert result.groups["skill_ids"].tolist() == ["1, 2", "3"]
    assert result.groups["templates"].tolist() == ["morning", "late"]
    assert result.groups["source"].tolist() == ["optimised", "optimised"]
    shifts = result.shifts
    # shifts are sorted by group name, then start
    assert shifts[["skill_group", "shift", "day", "heads", "paid_hours"]].values.tolist() == [
        ["Billing", "late", "tue", 1, 1.0],
        ["Sales + Support", "morning", "mon", 5, 15.0],
    ]
    assert shifts["start"].tolist() == [
        pd.Timestamp(f"{TUE} 09:00", tz="UTC"),
        pd.Timestamp(f"{MON} 08:00", tz="UTC"),
    ]
    assert shifts["end"].tolist() == [
        pd.Timestamp(f"{TUE} 10:00", tz="UTC"),
        pd.Timestamp(f"{MON} 11:00", tz="UTC"),
    ]
    assert shifts["date"].tolist() == [pd.Timestamp(TUE).date(), pd.Timestamp(MON).date()]
    assert shifts["break_start"].isna().all() and shifts["break_end"].isna().all()
    assert result.paid_hours == 16.0 and result.mip_gap == 0.0
    assert repr(result) == "Schedule(groups=2, shifts=6, paid_hours=16.0, uncovered=0, mip_gap=0)"


def test_a_groups_heads_are_shared_by_fte_and_put_on_queue_by_each_skills_shrinkage(planned):
    """Rule: a group's heads are shared among its skills in proportion to their FTE (equally
    where nothing is required); a skill's on-queue agents are its heads × (1 − shrinkage)."""
    plan, result = planned
    # 08:00: Sales's share 2 / 4.5, Support's 2.5 / 4.5 of 5 heads: Sales 20/9 heads, 10/9 on queue;
    # Support 25/9 heads, 20/9 on queue. Group: required 1 + 2 = 3, scheduled 30/9
    row = _at(result.coverage, "Sales + Support", f"{MON} 08:00")
    assert row["volume"] == 20.0 and row["required"] == 3.0
    assert row["required_heads"] == pytest.approx(4.5) and row["heads"] == pytest.approx(5.0)
    assert row["scheduled"] == pytest.approx(30 / 9) and row["gap"] == pytest.approx(3 / 9)
    assert not row["understaffed"]
    per_skill = result.skill_coverage
    a = _at(per_skill[per_skill["skill_id"] == 1], "Sales + Support", f"{MON} 08:00")
    b = _at(per_skill[per_skill["skill_id"] == 2], "Sales + Support", f"{MON} 08:00")
    assert (a["skill_name"], b["skill_name"]) == ("Sales", "Support")
    assert (a["required"], a["required_heads"], a["volume"]) == (1.0, 2.0, 5.0)
    assert a["heads"] == pytest.approx(20 / 9) and a["scheduled"] == pytest.approx(10 / 9)
    assert a["gap"] == pytest.approx(1 / 9)
    assert b["heads"] == pytest.approx(25 / 9) and b["scheduled"] == pytest.approx(20 / 9)
    # whole agents evaluated: floor(10/9) = 1 and floor(20/9) = 2, the plan's own agents
    assert (a["evaluated_agents"], b["evaluated_agents"]) == (1, 2)
    iv = plan.intervals.set_index(["skill_id", "interval_start"])
    when = pd.Timestamp(f"{MON} 08:00", tz="UTC")
    for skill_row, skill_id in ((a, 1), (b, 2)):
        for key in ("service_level", "asa_s", "occupancy"):
            assert skill_row[key] == pytest.approx(iv.loc[(skill_id, when), key])
    # 10:00 needs nothing, but the shift is there: 5 heads shared equally, 2.5 each;
    # on queue 2.5 × 0.5 + 2.5 × 0.8 = 3.25, all over the requirement
    row = _at(result.coverage, "Sales + Support", f"{MON} 10:00")
    assert (row["required"], row["heads"]) == (0.0, 5.0)
    assert row["scheduled"] == pytest.approx(3.25) and row["gap"] == pytest.approx(3.25)
    # no contact is served then: no service figures
    assert np.isnan(row[["service_level", "asa_s", "p_abandon", "occupancy"]].astype(float)).all()


def test_group_service_is_weighted_by_volume_answered_volume_and_agents(planned):
    """Rule: a group's service level and abandonment are its skills' weighted by volume,
    ASA by answered volume, occupancy by evaluated agents."""
    _, result = planned
    row = _at(result.coverage, "Sales + Support", f"{MON} 08:00")
    # Sales: 1 agent for 0.5 Erlang; Support: 2 agents for 1.5 Erlang (Erlang C, the
    # workload rule)
    a = queueing.evaluate(
        "erlang_c", 1, volume=5.0, handle_time_s=360.0, interval_s=3600.0, answer_within_s=0.0
    )
    b = queueing.evaluate(
        "erlang_c", 2, volume=15.0, handle_time_s=360.0, interval_s=3600.0, answer_within_s=0.0
    )
    sl = (5 * float(a.service_level) + 15 * float(b.service_level)) / 20
    asa = (5 * float(a.asa_s) + 15 * float(b.asa_s)) / 20  # nothing abandons in Erlang C
    assert row["service_level"] == pytest.approx(sl)
    assert row["asa_s"] == pytest.approx(asa)
    assert row["p_abandon"] == pytest.approx(0.0)
    # occupancy: Sales 0.5 / 1, Support 1.5 / 2, weighted by 1 and 2 agents: (0.5 + 1.5) / 3
    assert row["occupancy"] == pytest.approx(2 / 3)
    # Billing is served in one interval only (Tuesday 09:00): 1 agent for 0.5 Erlang
    row = _at(result.coverage, "Billing", f"{TUE} 09:00")
    assert row["service_level"] == pytest.approx(float(a.service_level))
    assert row["occupancy"] == pytest.approx(0.5)
    # Tuesday 10:00 has contacts but Billing is closed: nothing served, no service figures
    row = _at(result.coverage, "Billing", f"{TUE} 10:00")
    assert row["volume"] == 5.0 and row["required"] == 0.0
    assert np.isnan(row[["service_level", "asa_s", "p_abandon", "occupancy"]].astype(float)).all()


def test_chat_skills_are_judged_by_their_own_queues_and_weighted_by_answered_volume():
    """Rule: each skill's service is judged with its own method and settings (a chat skill:
    its concurrency, handle time by load and patience); staffed with exactly the plan's
    agents, each skill achieves the plan's own figures (same engine, same inputs). The
    group's service level and abandonment are weighted by volume, its ASA by answered
    volume (volume × (1 − P(abandon))), its occupancy by agents."""
    chat = {
        "id": 4,
        "name": "Chat",
        "method": "chat",
        "nht_seconds": 360,
        "shrinkage": 0.0,
        "max_concurrency": 2,
        "handle_time_by_load_seconds": [420, 780],
        "patience_seconds": 180,
        "service_level": {"target": 0.8, "answer_within_seconds": 60},
        "max_occupancy": 0.9,
    }
    web = {**chat, "id": 5, "name": "Web", "max_concurrency": 1, "patience_seconds": 60}
    del web["handle_time_by_load_seconds"]
    hourly = {
        "name": "hour",
        "length_hours": 1,
        "start": {"earliest": "00:00", "latest": "23:00", "step_minutes": 60},
    }
    cfg = {
        "plan": {
            "name": "chat",
            "start": MON,
            "weeks": 1,
            "timezone": "UTC",
            "interval_minutes": 60,
        },
        "nht": {"source": "store"},
        "volume": {"source": "history"},
        "defaults": {"fte_hours_per_week": 40},
        "skills": [chat, web],
        "shifts": [hourly],  # serves both skills: one group
    }
    grid = pd.date_range(f"{MON} 00:00", periods=168, freq="h", tz="UTC")
    on = (grid.date == pd.Timestamp(MON).date()) & (grid.hour >= 8) & (grid.hour < 10)
    volume = pd.concat(
        [
            pd.DataFrame({"skill_id": k, "interval_start": grid, "volume": np.where(on, v, 0)})
            for k, v in ((4, 40), (5, 20))
        ]
    )
    # at 10:00 only Web has contacts (1: one agent, one head at shrinkage 0)
    ten = (grid.date == pd.Timestamp(MON).date()) & (grid.hour == 10)
    volume.loc[(volume["skill_id"] == 5) & np.tile(ten, 2), "volume"] = 1.0
    plan = staffing.plan(staffing.load_config(cfg), volume=volume)
    result = staffing.schedule(plan)
    assert result.groups["skill_group"].tolist() == ["Chat + Web"]
    keys = ("service_level", "asa_s", "p_abandon", "occupancy")
    per = {}
    for skill_id in (4, 5):
        iv = plan.intervals[plan.intervals["skill_id"] == skill_id][on]
        mine = result.skill_coverage[result.skill_coverage["skill_id"] == skill_id][on]
        assert (iv["agents"] > 0).all()
        np.testing.assert_allclose(mine["scheduled"], iv["agents"])
        np.testing.assert_array_equal(mine["evaluated_agents"], iv["agents"])
        for key in keys:
            np.testing.assert_allclose(mine[key], iv[key], rtol=1e-9)
        assert (mine["p_abandon"] > 0).all()  # patience counts: some abandon
        per[skill_id] = mine
    cov = result.coverage[on]
    v4, v5 = per[4]["volume"].to_numpy(), per[5]["volume"].to_numpy()
    a4, a5 = (per[k]["p_abandon"].to_numpy() for k in (4, 5))
    n4, n5 = (per[k]["evaluated_agents"].to_numpy() for k in (4, 5))

    def mean(key, w4, w5):
        return (per[4][key].to_numpy() * w4 + per[5][key].to_numpy() * w5) / (w4 + w5)

    np.testing.assert_allclose(cov["service_level"], mean("service_level", v4, v5))
    np.testing.assert_allclose(cov["p_abandon"], mean("p_abandon", v4, v5))
    np.testing.assert_allclose(cov["asa_s"], mean("asa_s", v4 * (1 - a4), v5 * (1 - a5)))
    np.testing.assert_allclose(cov["occupancy"], mean("occupancy", n4, n5))
    # 10:00: the group needs Web's 1 head; it goes to Web, none to Chat (shares by FTE)
    at_ten = result.skill_coverage[np.tile(ten, 2)]
    assert at_ten["required_heads"].tolist() == [0.0, 1.0]
    assert at_ten["heads"].tolist() == [0.0, 1.0]
    assert at_ten["scheduled"].tolist() == [0.0, 1.0]


def test_the_groups_row_adds_up_its_coverage(planned):
    """Rule: ``groups`` gives per group the paid hours, shifts, required and scheduled
    on-queue hours, efficiency = required / scheduled, over- and under-hours and the
    solver's figures."""
    _, result = planned
    ab, c = (result.groups.iloc[k] for k in range(2))
    # Sales + Support: required 3 agent-hours at 08:00 and at 09:00 = 6 h; scheduled 30/9 twice and
    # 3.25 at 10:00 = 9.91667 h; over = 3/9 twice + 3.25
    assert (ab["paid_hours"], ab["shifts"]) == (15.0, 5)
    assert ab["required_hours"] == pytest.approx(6.0)
    assert ab["scheduled_hours"] == pytest.approx(60 / 9 + 3.25)
    assert ab["efficiency"] == pytest.approx(6.0 / (60 / 9 + 3.25))
    assert ab["over_hours"] == pytest.approx(6 / 9 + 3.25)
    assert ab["under_hours"] == 0.0 and ab["uncovered_intervals"] == 0
    assert (ab["mip_gap"], ab["solver_status"], ab["blocks"], ab["reused_blocks"]) == (
        0.0,
        "optimal",
        1,
        0,
    )
    assert ab["solve_s"] > 0
    # Billing: 1 head, shrinkage 0: exactly 1 agent-hour required and scheduled
    assert (c["paid_hours"], c["shifts"], c["required_hours"], c["scheduled_hours"]) == (
        1.0,
        1,
        1.0,
        1.0,
    )
    assert (c["efficiency"], c["over_hours"], c["under_hours"]) == (1.0, 0.0, 0.0)


def test_daily_and_weekly_sums_with_the_paid_hours_of_the_shifts_starting_then(planned):
    """Rule: per group and local date (plan week), the on-queue hours summed and the paid
    hours of the shifts starting that day (week); a day without shifts pays 0."""
    _, result = planned
    daily = result.daily.set_index(["skill_group", "date"])
    monday, tuesday = pd.Timestamp(MON).date(), pd.Timestamp(TUE).date()
    assert len(result.daily) == 2 * 7
    # groups in the schedule's order (config order), each over its local dates in order
    assert result.daily["skill_group"].tolist() == ["Sales + Support"] * 7 + ["Billing"] * 7
    assert result.daily["date"].tolist()[:7] == list(pd.date_range(MON, periods=7).date)
    got = daily.loc[("Sales + Support", monday)]
    assert got["required_hours"] == pytest.approx(6.0)
    assert got["scheduled_hours"] == pytest.approx(60 / 9 + 3.25)
    assert got["over_hours"] == pytest.approx(6 / 9 + 3.25) and got["under_hours"] == 0.0
    assert got["paid_hours"] == 15.0
    assert daily.loc[("Sales + Support", tuesday)][["scheduled_hours", "paid_hours"]].tolist() == [
        0,
        0,
    ]
    assert daily.loc[("Billing", tuesday)][["required_hours", "paid_hours"]].tolist() == [1.0, 1.0]
    assert daily.loc[("Billing", monday), "paid_hours"] == 0.0
    weekly = result.weekly
    assert weekly["skill_group"].tolist() == ["Sales + Support", "Billing"]
    assert weekly["week_start"].tolist() == [monday, monday]
    assert weekly["paid_hours"].tolist() == [15.0, 1.0]
    assert weekly["required_hours"].tolist() == pytest.approx([6.0, 1.0])


def test_meta_states_the_source_rules_and_solver_settings():
    """Rule: ``Schedule.meta`` (the Assumptions sheet) gives the source, grid, zone, wrap,
    the solver's settings and the shrinkage and group rules, as documented."""
    result = staffing.schedule(_plan(), time_limit_s=30.0, mip_rel_gap=0.01, wrap=False)
    assert result.meta == {
        "source": "optimised",
        "interval_minutes": 60,
        "timezone": "UTC",
        "wrap": False,
        "time_limit_s": 30.0,
        "mip_rel_gap": 0.01,
        "solver": "HiGHS (scipy.optimize.milp), exact branch and bound",
        "shrinkage_rule": (
            "heads at work and not on their unpaid scheduled break cover the plan's FTE "
            "(agents / (1 - shrinkage)); shrinkage is a share of paid time and excludes "
            "the unpaid breaks scheduled here"
        ),
        "group_rule": "a skill group's requirement is the sum of its skills' (no pooling)",
    }
    # a whole week wraps by default
    assert staffing.schedule(_plan()).meta["wrap"] is True


def _roster(tmp_path, rows: str):
    path = tmp_path / "roster.csv"
    path.write_text("skill_id,interval_start,scheduled\n" + rows, encoding="utf-8")
    return path


def test_a_given_schedule_beside_the_optimised_shifts(tmp_path):
    """Rule: a given schedule is compared per skill (heads = on-queue / (1 − shrinkage));
    a skill it lists without a template is its own group; rows outside the horizon are
    ignored; the optimised shifts' on-queue agents are shown beside it."""
    roster = _roster(
        tmp_path,
        # Sales and Support at 08:00 as required; Sales short by 0.5 at 09:00; Billing on
        # Tuesday 09:00; a row the week before and one at the horizon's end (next Monday
        # 00:00) are ignored
        f"1,{MON} 08:00,1\n2,{MON} 08:00,2\n1,{MON} 09:00,0.5\n2,{MON} 09:00,2\n"
        f"3,{TUE} 09:00,1\n1,2026-02-23 08:00,7\n1,2026-03-09 00:00,7\n",
    )
    plan = _plan(shifts=SHIFTS[:1], scheduled={"path": str(roster)})
    result = staffing.schedule(plan)
    assert result.groups["skill_group"].tolist() == ["Sales + Support", "Billing"]
    assert result.groups["source"].tolist() == [f"file {roster}"] * 2
    row = _at(result.coverage, "Sales + Support", f"{MON} 08:00")
    # given: 1 + 2 on queue = 3 (gap 0); heads 1 / 0.5 + 2 / 0.8 = 4.5
    assert (row["scheduled"], row["gap"], row["heads"]) == (3.0, 0.0, 4.5)
    # the optimised 5 heads on queue: 5 × required / required heads = 5 × 3 / 4.5
    assert row["optimised"] == pytest.approx(10 / 3)
    row = _at(result.coverage, "Sales + Support", f"{MON} 10:00")
    # nothing required: the optimised heads on queue at 1 − the skills' mean shrinkage
    assert row["optimised"] == pytest.approx(5 * (1 - (0.5 + 0.2) / 2))
    assert row["scheduled"] == 0.0 and row["heads"] == 0.0
    # 09:00: 0.5 + 2 on queue against 3 required: 0.5 short, listed with its reason
    assert len(result.uncovered) == 1
    short = result.uncovered.iloc[0]
    assert short["interval_start"] == pd.Timestamp(f"{MON} 09:00", tz="UTC")
    assert (short["required"], short["scheduled"], short["shortfall"]) == (3.0, 2.5, 0.5)
    assert (short["required_heads"], short["heads"]) == (4.5, 3.5)
    assert short["reason"] == "scheduled below the requirement"
    # the ignored rows add nothing: Sales's week sums 1 + 0.5 on-queue hours
    per_skill = result.skill_coverage
    assert per_skill.loc[per_skill["skill_id"] == 1, "scheduled"].sum() == 1.5
    # Billing is compared only: no shifts, no paid hours, no solver figures
    c = result.groups.iloc[1]
    assert (c["templates"], c["shifts"], c["blocks"], c["reused_blocks"]) == ("", 0, 0, 0)
    assert np.isnan(c["paid_hours"]) and np.isnan(c["mip_gap"]) and np.isnan(c["solve_s"])
    assert c["solver_status"] == ""
    assert result.daily.loc[result.daily["skill_group"] == "Billing", "paid_hours"].isna().all()
    assert result.weekly["paid_hours"].iloc[0] == 15.0
    assert result.paid_hours == 15.0


def test_a_given_schedule_alone_makes_groups_only_of_the_skills_it_lists(tmp_path):
    """Rule: without templates, each skill the schedule lists is a group; a skill it does
    not list is left out; nothing is optimised, so the paid hours are NaN."""
    # Support is listed with 0 agents only: a group with nothing scheduled
    roster = _roster(tmp_path, f"1,{MON} 08:00,1\n2,{MON} 08:00,0\n3,{TUE} 09:00,2\n")
    result = staffing.schedule(_plan(shifts=None), scheduled=str(roster))
    assert result.groups["skill_group"].tolist() == ["Sales", "Support", "Billing"]
    support = result.groups.iloc[1]
    # 2 agents required at 08:00 and 09:00, none scheduled: 4 under-hours, 2 intervals,
    # and no efficiency (nothing scheduled to divide by)
    assert (support["required_hours"], support["scheduled_hours"]) == (4.0, 0.0)
    assert (support["under_hours"], support["uncovered_intervals"]) == (4.0, 2)
    assert np.isnan(support["efficiency"])
    assert result.shifts.empty and np.isnan(result.paid_hours) and result.mip_gap == 0.0
    assert result.meta["source"] == f"file {roster}"
    c = _at(result.coverage, "Billing", f"{TUE} 09:00")
    assert (c["scheduled"], c["gap"], c["heads"]) == (2.0, 1.0, 2.0)
    assert "optimised" not in result.coverage.columns


def test_nothing_to_schedule_names_the_config():
    """Rule: a config with neither templates nor a schedule is refused, naming its source."""
    plan = _plan(shifts=None)
    with pytest.raises(staffing.ConfigError) as caught:
        staffing.schedule(plan)
    assert (
        f"{plan.config.source}: shifts: no shift templates and no scheduled file: "
        "nothing to schedule or compare"
    ) in str(caught.value)


def test_a_templates_break_and_min_heads_reach_the_shift_rows():
    """Rule: a shift row gives its break's start and end, and its paid hours are its heads ×
    (length − unpaid break); ``min_heads`` puts that many heads on every start."""
    # Billing needs 1 head Tuesday 09:00 only. A 3-hour shift at 08:00 with a 1-hour break exactly
    # 2 h after the start (10:00-11:00): 2 paid hours a head; at least 2 heads every day
    shift = {
        "name": "split",
        "length_hours": 3,
        "start": "08:00",
        "skills": [3],
        "min_heads": 2,
        "break": {"length_minutes": 60, "earliest_after_hours": 2, "latest_after_hours": 2},
    }
    result = staffing.schedule(_plan(shifts=[SHIFTS[0], shift]))
    rows = result.shifts[result.shifts["skill_group"] == "Billing"]
    assert len(rows) == 7 and rows["heads"].tolist() == [2] * 7
    assert rows["paid_hours"].tolist() == [4.0] * 7  # 2 heads × (3 h − 1 h)
    tuesday = rows[rows["day"] == "tue"].iloc[0]
    assert tuesday["break_start"] == pd.Timestamp(f"{TUE} 10:00", tz="UTC")
    assert tuesday["break_end"] == pd.Timestamp(f"{TUE} 11:00", tz="UTC")
    assert tuesday["end"] == pd.Timestamp(f"{TUE} 11:00", tz="UTC")
    # on break 10:00-11:00: the 2 heads are at work 08:00-10:00 only
    heads = result.coverage[result.coverage["skill_group"] == "Billing"].set_index("interval_start")
    hours = pd.date_range(f"{TUE} 08:00", periods=3, freq="h", tz="UTC")
    assert heads.loc[hours, "heads"].tolist() == [2.0, 2.0, 0.0]
    assert result.groups.iloc[1]["paid_hours"] == 28.0


def test_days_and_weeks_are_local_and_start_on_the_plans_first_day():
    """Rule: ``daily`` is per local date and ``weekly`` per plan week (weeks start on the
    plan's first day), each with the paid hours of the shifts starting then."""
    # New York, two weeks from Monday 2026-03-02 (clocks spring forward on 2026-03-08).
    # Billing needs 1 head at 23:00 local on each Monday: 04:00 UTC the next day.
    cfg = {
        "plan": {
            "name": "local",
            "start": MON,
            "weeks": 2,
            "timezone": "America/New_York",
            "interval_minutes": 60,
        },
        "nht": {"source": "store"},
        "volume": {"source": "history"},
        "defaults": {"method": "workload", "max_occupancy": 1.0, "fte_hours_per_week": 40},
        "skills": [{k: v for k, v in SKILLS[2].items() if k != "open_hours"}],
        "shifts": [{"name": "night", "length_hours": 1, "start": "23:00", "days": ["mon"]}],
    }
    grid = pd.date_range(
        pd.Timestamp(MON).tz_localize("America/New_York"),
        pd.Timestamp("2026-03-16").tz_localize("America/New_York"),
        freq="h",
        inclusive="left",
    )
    on = (np.asarray(grid.day_of_week) == 0) & (grid.hour == 23)
    volume = pd.DataFrame({"skill_id": 3, "interval_start": grid, "volume": np.where(on, 5, 0)})
    result = staffing.schedule(staffing.plan(staffing.load_config(cfg), volume=volume))
    mondays = [pd.Timestamp(MON).date(), pd.Timestamp("2026-03-09").date()]
    assert result.shifts["date"].tolist() == mondays
    assert result.weekly["week_start"].tolist() == mondays
    assert result.weekly["paid_hours"].tolist() == [1.0, 1.0]
    assert result.weekly["required_hours"].tolist() == [1.0, 1.0]
    daily = result.daily.set_index("date")
    assert len(daily) == 14 and daily.index[0] == mondays[0]
    assert daily.loc[mondays, "paid_hours"].tolist() == [1.0, 1.0]
    assert daily.loc[mondays, "required_hours"].tolist() == [1.0, 1.0]
    assert daily["paid_hours"].sum() == 2.0 and daily["required_hours"].sum() == 2.0


def test_templates_serving_the_same_skills_are_one_group_choosing_the_cheaper():
    """Rule: templates that serve the same skills form one group, solved together, so the
    optimum may take its heads from any of them."""
    # Sales + Support need 5 whole heads at 08:00 and 09:00 (4.5 heads). The 3-hour "morning" shift
    # at 08:00 pays 15 h for them, a 2-hour "short" one at 08:00 only 10 h: all 5 short.
    short = {"name": "short", "length_hours": 2, "start": "08:00", "skills": [1, 2]}
    result = staffing.schedule(_plan(shifts=[SHIFTS[0], short, SHIFTS[1]]))
    assert result.groups["templates"].tolist() == ["morning, short", "late"]
    ab = result.shifts[result.shifts["skill_group"] == "Sales + Support"]
    assert ab[["shift", "heads", "paid_hours"]].values.tolist() == [["short", 5, 10.0]]
    assert result.groups["paid_hours"].tolist() == [10.0, 1.0]


def test_nobody_answered_gives_no_asa_and_no_numpy_warning():
    """Rule: with no agent on an Erlang A queue every caller abandons (P(abandon) 1,
    service level 0); ASA is weighted by answered volume, so with nobody answered the group
    has no ASA (NaN), and nothing but the program's own messages reaches the planner (no
    numpy warning about 0 × inf)."""
    voice = {
        "id": 6,
        "name": "Voice",
        "method": "erlang_a",
        "nht_seconds": 360,
        "shrinkage": 0.0,
        "patience_seconds": 60,
        "service_level": {"target": 0.8, "answer_within_seconds": 20},
    }
    cfg = {
        "plan": {
            "name": "voice",
            "start": MON,
            "weeks": 1,
            "timezone": "UTC",
            "interval_minutes": 60,
        },
        "nht": {"source": "store"},
        "volume": {"source": "history"},
        "defaults": {"fte_hours_per_week": 40},
        "skills": [voice],
    }
    grid = pd.date_range(f"{MON} 00:00", periods=168, freq="h", tz="UTC")
    volume = pd.DataFrame(
        {"skill_id": 6, "interval_start": grid, "volume": np.where(grid.hour == 8, 10.0, 0)}
    )
    plan = staffing.plan(staffing.load_config(cfg), volume=volume)
    given = pd.DataFrame({"skill_id": [6], "interval_start": [f"{MON} 08:00"], "scheduled": [0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = staffing.schedule(plan, scheduled=given)
    row = _at(result.coverage, "Voice", f"{MON} 08:00")
    assert (row["service_level"], row["p_abandon"]) == (0.0, 1.0)
    assert np.isnan(row["asa_s"])


def test_a_horizon_of_part_of_a_week_does_not_wrap_by_default():
    """Rule: by default a shift running past the end of the horizon wraps to its start only
    when the horizon is a whole number of weeks; a 3-day plan does not wrap."""
    # Monday to Wednesday, 1 head (shrinkage 0, 5 contacts/h) 22:00-06:00 every night; an
    # 8-hour shift at 22:00 every day. Wednesday's shift runs past the end (not wrapped), so
    # Monday 00:00-06:00 has no shift that covers it: 6 intervals short, listed.
    cfg = {
        "plan": {
            "name": "days",
            "start": MON,
            "end": "2026-03-04",
            "timezone": "UTC",
            "interval_minutes": 60,
        },
        "nht": {"source": "store"},
        "volume": {"source": "history"},
        "defaults": {"method": "workload", "max_occupancy": 1.0, "fte_hours_per_week": 40},
        "skills": [{k: v for k, v in SKILLS[2].items() if k != "open_hours"}],
        "shifts": [{"name": "night", "length_hours": 8, "start": "22:00"}],
    }
    grid = pd.date_range(f"{MON} 00:00", periods=72, freq="h", tz="UTC")
    night = (grid.hour >= 22) | (grid.hour < 6)
    volume = pd.DataFrame({"skill_id": 3, "interval_start": grid, "volume": np.where(night, 5, 0)})
    result = staffing.schedule(staffing.plan(staffing.load_config(cfg), volume=volume))
    assert result.meta["wrap"] is False
    assert len(result.uncovered) == 6
    assert result.uncovered["interval_start"].iloc[0] == pd.Timestamp(f"{MON} 00:00", tz="UTC")
    assert result.paid_hours == 24.0  # three night shifts, one a day
