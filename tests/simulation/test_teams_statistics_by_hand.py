"""The teams simulation's tables, recomputed here from per-replication results.

Rule protected: every figure of :func:`staffing.simulation.teams.run_teams` is a statistic
over independent replications, each drawn from ``SeedSequence(seed, spawn_key=(c, r))``
with ``c`` the smallest skill id of the component (the module's docstring), skill after
skill, arrivals then work then patience. The test draws each replication itself with the
kernel's public draws in that order, runs the teams event loop
(:func:`staffing.simulation.kernel_teams.run_teams_loop`) on them, and recomputes by hand:

- per skill and interval: mean arrivals, the ratio estimators (service level, abandonment,
  ASA) and their delta-method 95 % half-widths (Law, *Simulation Modeling and Analysis*,
  5th ed., 2015, section 9.6; Cochran, *Sampling Techniques*, 3rd ed., 1977, eq. 6.9); the
  skill's agents, the sum of its teams' (occupancy is per team: NaN in the skill's rows);
- per team and interval: occupancy, the mean over replications of the busy agent-seconds
  over the capacity (agents x interval), its half-width ``t(0.975, n-1) s / sqrt(n)`` over
  the capacity (Law 2015, eq. 4.12), and slot use, the mean conversation-seconds over the
  capacity times the team's slots;
- per skill and day: mean, half-width and share of replications meeting the target, the
  same with the volume known (teams draw no forecast error), and the horizon figures;
- the facts of the run: tasks (batches of ten replications per component), contacts.

A skill that no team holds is its own component with nobody to answer: every contact
abandons.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from staffing.simulation.kernel import draw_arrivals, draw_contacts
from staffing.simulation.kernel_teams import run_teams_loop
from staffing.simulation.teams import run_teams, simulate_staffings
from tests.simulation.by_hand import half_width, ratio
from tests.simulation.teams_cases import make_teams

REPS = 12  # two batches: 10 + 2
SEED = 7
N_T = 96  # two days of half hours
HOUR = (np.arange(N_T) % 48) / 2.0
OPEN = (HOUR >= 8) & (HOUR < 18)


def case():
    """Skills 9 and 4 share team 2 (two slots); team 1 holds skill 9 only; skill 6 has
    no team. Every skill has patience and an ASA target; skill 6's volume is small."""
    volume = np.array(
        [np.where(OPEN, 8.0, 0.0), np.where(OPEN, 5.0, 0.0), np.where(OPEN, 1.5, 0.0)]
    )
    membership = [[True, True], [False, True], [False, False]]
    agents = np.array([np.where(OPEN, 2, 0), np.where(HOUR < 12, 1, 0) * OPEN])
    inputs = make_teams(
        volume,
        np.full((3, N_T, 2), 300.0) * np.array([1.0, 1.4]),
        membership,
        agents=agents,
        max_concurrency=np.array([1, 2]),
        skill_ids=(9, 4, 6),
        patience_s=240.0,
        asa_s=60.0,
        service_level=0.7,
    )
    # skills 9 and 6 have lognormal work with their own CVs, skill 4 exponential; skill 6
    # opens at 10:00 though it has volume from 08:00 (no arrivals while closed)
    is_open = np.ones((3, N_T), dtype=bool)
    is_open[2] = HOUR >= 10
    return replace(
        inputs,
        handle_time=("lognormal", "exponential", "lognormal"),
        handle_time_cv=np.array([0.6, 1.0, 0.4]),
        is_open=is_open,
    )


def replication(inputs, skills: list[int], teams: list[int], rep: int, drain: bool = True):
    """One replication of one component, drawn and run by hand."""
    key = min(inputs.skill_ids[s] for s in skills)
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(key, rep)))
    parts = []
    for position, s in enumerate(skills):
        times, interval = draw_arrivals(
            inputs.volume[s], inputs.interval_s, rng, is_open=inputs.is_open[s]
        )
        work, patience = draw_contacts(
            times.size,
            rng,
            handle_time=inputs.handle_time[s],
            handle_time_cv=inputs.handle_time_cv[s],
            patience_s=inputs.patience_s[s],
        )
        parts.append((times, interval, np.full(times.size, position), work, times + patience))
    merged = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    order = np.argsort(merged[0], kind="stable")
    arrival_s, arrival_iv, skill, work, deadline_s = (m[order] for m in merged)
    if not teams:  # nobody to answer: every contact abandons
        out = np.zeros((len(skills), N_T, 6))
        for position in range(len(skills)):
            counts = np.bincount(arrival_iv[skill == position], minlength=N_T)
            out[position, :, 0] = out[position, :, 3] = counts
        return out, np.zeros((0, N_T, 3))
    return run_teams_loop(
        arrival_s,
        arrival_iv.astype(np.int64),
        skill.astype(np.int64),
        work,
        deadline_s,
        inputs.agents[teams],
        inputs.handle_s[np.ix_(skills, range(N_T), range(2))],
        inputs.membership[np.ix_(skills, teams)],
        inputs.max_concurrency[teams],
        inputs.priority[skills],
        inputs.interval_s,
        inputs.answer_within_s[skills],
        drain,
    )


@pytest.fixture  # per test: mutation testing sees each test call the simulation it checks
def simulated():
    inputs = case()
    result = run_teams(inputs, replications=REPS, seed=SEED)
    # components in skill order: skills 9 and 4 with teams A and B; skill 6 alone
    first = [replication(inputs, [0, 1], [0, 1], r) for r in range(REPS)]
    alone = [replication(inputs, [2], [], r) for r in range(REPS)]
    per_skill = {
        9: np.stack([out[0] for out, _ in first]),
        4: np.stack([out[1] for out, _ in first]),
        6: np.stack([out[0] for out, _ in alone]),
    }
    per_team = np.stack([team for _, team in first])  # (REPS, 2, T, 3)
    return inputs, result, per_skill, per_team


def test_the_run_facts_count_batches_and_contacts(simulated):
    _, result, per_skill, _ = simulated
    assert result.executor == "in-process"
    assert result.tasks == 4  # two components x batches (0, 10) and (10, 12)
    assert result.contacts == int(sum(c[..., 0].sum() for c in per_skill.values()))
    assert result.task_seconds > 0
    assert list(result.intervals["skill_id"].unique()) == [9, 4, 6]


def test_skill_interval_rows_are_the_replications_ratio_estimates(simulated):
    inputs, result, per_skill, _ = simulated
    for s, sid in enumerate(inputs.skill_ids):
        table = result.intervals[result.intervals["skill_id"] == sid].reset_index(drop=True)
        counts = per_skill[sid]
        x, a, y, b, w = (counts[..., i] for i in range(5))
        assert len(table) == N_T and (table["skill_name"] == f"skill {s + 1}").all()
        team_agents = inputs.agents[inputs.membership[s]].sum(axis=0)
        np.testing.assert_array_equal(table["agents"], team_agents)
        np.testing.assert_array_equal(table["volume"], inputs.volume[s])
        np.testing.assert_allclose(table["arrivals_sim"], x.mean(axis=0), rtol=1e-12)
        for name, num, den in (("service_level", y, x), ("p_abandon", b, x), ("asa_s", w, a)):
            r, hw = ratio(num, den)
            ok = den.sum(axis=0) > 0
            np.testing.assert_allclose(table[f"{name}_sim"][ok], r[ok], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(table[f"{name}_ci"][ok], hw[ok], rtol=1e-9, atol=1e-12)
            assert table[f"{name}_sim"][~ok].isna().all()
        assert table["occupancy_sim"].isna().all()  # occupancy is per team
    skill_6 = result.intervals[result.intervals["skill_id"] == 6]
    closed = ~inputs.is_open[2]
    assert (inputs.volume[2][closed] > 0).any() and (skill_6["arrivals_sim"][closed] == 0).all()
    arrived = skill_6["arrivals_sim"] > 0
    assert arrived.sum() > 5
    assert (skill_6.loc[arrived, "p_abandon_sim"] == 1.0).all()
    assert (skill_6.loc[arrived, "service_level_sim"] == 0.0).all()


def test_team_rows_are_occupancy_and_slot_use_of_the_replications(simulated):
    inputs, result, _, per_team = simulated
    assert list(result.teams["team_name"]) == ["team 1"] * N_T + ["team 2"] * N_T
    for r in range(2):
        table = result.teams[result.teams["team_name"] == f"team {r + 1}"]
        table = table.reset_index(drop=True)
        agents = inputs.agents[r].astype(float)
        staffed = agents > 0
        capacity = agents[staffed] * inputs.interval_s
        busy, conversation = per_team[:, r, :, 0], per_team[:, r, :, 1]
        np.testing.assert_array_equal(table["agents"], agents)
        pd.testing.assert_series_equal(
            table["interval_start"], pd.Series(inputs.interval_start), check_names=False
        )
        np.testing.assert_allclose(
            table["occupancy_sim"][staffed], busy.mean(axis=0)[staffed] / capacity, rtol=1e-9
        )
        np.testing.assert_allclose(
            table["occupancy_ci"][staffed],
            half_width(busy)[staffed] / capacity,
            rtol=1e-7,
            atol=1e-12,
        )
        slots = inputs.max_concurrency[r]
        np.testing.assert_allclose(
            table["slot_use_sim"][staffed],
            conversation.mean(axis=0)[staffed] / (capacity * slots),
            rtol=1e-9,
        )
        for column in ("occupancy_sim", "occupancy_ci", "slot_use_sim"):
            assert table[column][~staffed].isna().all()
        # two slots: conversations overlap, so slot use is below occupancy somewhere
        if slots > 1:
            assert (table["slot_use_sim"] < table["occupancy_sim"] - 1e-9).any()


def test_day_rows_and_horizon_figures_of_the_replications(simulated):
    inputs, result, per_skill, _ = simulated
    t = stats.t.ppf(0.975, REPS - 1)
    for sid in inputs.skill_ids:
        counts = per_skill[sid]
        days = np.stack([counts[:, inputs.day == d, :5].sum(axis=1) for d in range(2)], axis=1)
        arrivals, answered, within, abandoned, wait = (days[..., i] for i in range(5))
        sl = within / arrivals
        with np.errstate(invalid="ignore"):
            asa = np.where(answered > 0, wait / answered, np.nan)
        table = result.daily[result.daily["skill_id"] == sid].reset_index(drop=True)
        total = days.sum(axis=1)
        horizon = result.horizon[sid]
        assert horizon["service_level"] == pytest.approx((total[:, 2] / total[:, 0]).mean())
        assert horizon["p_abandon"] == pytest.approx((total[:, 3] / total[:, 0]).mean())
        pab = abandoned.sum(axis=1) / arrivals.sum(axis=1)  # the same by the day sums
        assert horizon["p_abandon"] == pytest.approx(pab.mean())
        assert horizon["worst_day_sl"] == pytest.approx(sl.min(axis=1).mean())
        if sid == 6:  # no team holds it: no staffed volume, no day rows; all abandon
            assert table.empty and horizon["p_abandon"] == 1.0
            continue
        assert list(table["date"]) == list(inputs.dates)
        np.testing.assert_allclose(table["arrivals_sim"], arrivals.mean(axis=0))
        np.testing.assert_allclose(table["service_level_sim"], sl.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(
            table["service_level_ci"], t * sl.std(axis=0, ddof=1) / np.sqrt(REPS), rtol=1e-9
        )
        ok = (sl >= 0.7) & ~(asa > 60.0)
        np.testing.assert_allclose(table["p_meets_target"], ok.mean(axis=0))
        # no forecast error for teams: the probability with the volume known is the same
        np.testing.assert_array_equal(table["p_meets_target_known_volume"], table["p_meets_target"])
    week = result.weekly[result.weekly["skill_id"] == 9]
    assert len(week) == 1 and week["days"].iloc[0] == 2
    for sid in (9, 4):  # one plan week of both days: the week's figures per replication
        total = per_skill[sid][..., :5].sum(axis=1)
        sl = total[:, 2] / total[:, 0]
        row = result.weekly[result.weekly["skill_id"] == sid].iloc[0]
        assert row["service_level_sim"] == pytest.approx(sl.mean(), rel=1e-12)
        assert row["service_level_ci"] == pytest.approx(t * sl.std(ddof=1) / np.sqrt(REPS))
        assert row["arrivals_sim"] == pytest.approx(total[:, 0].mean(), rel=1e-12)
    spread = result.daily.groupby("skill_id")["service_level_sim"].mean()
    assert spread.nunique() == 2  # the skills' figures differ: no constant passes


def test_staffings_are_mean_counts_on_common_random_numbers(simulated):
    inputs, _, per_skill, _ = simulated
    component = inputs.subset(np.array([0, 1]), np.array([0, 1]))
    more = component.agents + 1
    counts = simulate_staffings(
        [(component, [component.agents, more])], replications=REPS, seed=SEED
    )[0]
    assert counts.shape == (2, 2, N_T, 5)
    # the first staffing is the one run_teams simulated: its mean counts are the same
    for position, sid in enumerate((9, 4)):
        np.testing.assert_allclose(
            counts[0, position], per_skill[sid][..., :5].mean(axis=0), rtol=1e-12
        )
    np.testing.assert_array_equal(counts[0, ..., 0], counts[1, ..., 0])  # same arrivals
    assert counts[1, ..., 2].sum() > counts[0, ..., 2].sum()  # more answered within


def test_tables_follow_the_skills_order_across_interleaved_components():
    """Skills 1 and 3 share a team, skill 2 has its own: the components are {1, 3} and
    {2}, yet every table lists the skills in the input's order, and the team table the
    teams by component."""
    volume = np.full((3, 4), 6.0)
    inputs = make_teams(
        volume,
        300.0,
        [[True, False], [False, True], [True, False]],
        agents=np.array([[3, 3, 3, 3], [2, 2, 2, 2]]),
        interval_s=3600.0,
        skill_ids=(30, 10, 20),
    )
    done = run_teams(inputs, replications=2, seed=1)
    assert done.intervals["skill_id"].tolist() == [30] * 4 + [10] * 4 + [20] * 4
    assert done.daily["skill_id"].tolist() == [30, 10, 20]
    assert done.weekly["skill_id"].tolist() == [30, 10, 20]
    assert done.teams["team_name"].tolist() == ["team 1"] * 4 + ["team 2"] * 4
    assert done.tasks == 2 and sorted(done.horizon) == [10, 20, 30]
    np.testing.assert_array_equal(done.intervals.index, np.arange(12))


def test_the_closing_rule_reaches_every_replication():
    """``at_close="hold"``: team 2 leaves at 12:00 and skill 4's queue waits for the next
    day (or abandons), which the replications rerun with ``drain=False`` reproduce."""
    inputs = case()
    held = [replication(inputs, [0, 1], [0, 1], r, drain=False) for r in range(REPS)]
    drained = [replication(inputs, [0, 1], [0, 1], r) for r in range(REPS)]
    hold_counts = np.stack([out for out, _ in held])[..., :5].mean(axis=0)
    drain_counts = np.stack([out for out, _ in drained])[..., :5].mean(axis=0)
    assert not np.array_equal(hold_counts, drain_counts)  # the rule matters here
    component = inputs.subset(np.array([0, 1]), np.array([0, 1]))
    counts = simulate_staffings(
        [(component, [component.agents])], replications=REPS, seed=SEED, at_close="hold"
    )[0]
    np.testing.assert_allclose(counts[0], hold_counts, rtol=1e-12)
    result = run_teams(inputs, replications=REPS, seed=SEED, at_close="hold")
    table = result.intervals[result.intervals["skill_id"] == 4]
    np.testing.assert_allclose(table["arrivals_sim"], hold_counts[1, :, 0], rtol=1e-12)
    answered = np.stack([out for out, _ in held])[:, 1, :, 1].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.stack([out for out, _ in held])[:, 1, :, 4].sum(axis=0) / answered
    has = answered > 0
    np.testing.assert_allclose(table["asa_s_sim"].to_numpy()[has], expected[has], rtol=1e-9)


def test_progress_is_called_after_each_task_in_order():
    inputs = case()
    calls = []
    run_teams(
        inputs, replications=12, seed=SEED, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]  # two components x two batches
