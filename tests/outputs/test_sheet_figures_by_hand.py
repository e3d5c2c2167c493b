"""The figures the workbook's sheets show, recomputed here by hand from the tables below them.

Rule protected: a figure a planner reads on the Summary, the Coverage, the Simulation and the
Shifts sheets is the sum, mean or count its label says, of the plan's intervals, the
schedule's shifts and the simulation's replications, over the right local days. Nothing
here calls the code that wrote the sheets: the expectations are sums and means written out
in the test, over the plan's own intervals (volume, agents, FTE), the schedule's shifts
(start, end, unpaid break, heads) and the replications rerun alone from their seeds.

The plan: three weeks of hours in Europe/Berlin from Monday 2026-03-16, across the spring
clock change (Sunday 2026-03-29 has 23 hours), a volume that differs every day, Voice and
Chat on weekdays 08:00-18:00 served by 8.5-hour ``desk`` shifts with a 30-minute unpaid
break, and Messaging round the clock served by one 08:00 ``msg`` shift (its nights stay
under-staffed). The workbook is read back with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

import staffing
from staffing.outputs import write_workbook
from staffing.simulation.run import skill_inputs
from tests.conftest import per_module
from tests.outputs import schedule_support
from tests.outputs import simulation_support as support
from tests.outputs.sheet_reading import first_row, read_table
from tests.simulation.by_hand import half_width, period_figures, ratio, replications

TZ = "Europe/Berlin"
START = "2026-03-16"
WEEKS = 3
REPS = 4
SEED = 7
SHRINKAGE = 0.3  # support.config's default
FTE_HOURS_PER_WEEK = 40.0
GROUPS = {"Voice + Chat": [21, 22], "Messaging": [23]}


def _volume() -> pd.DataFrame:
    """Volume per local hour: a peak (10:00, Messaging 15:00), scaled differently every day."""
    start = pd.Timestamp(START).tz_localize(TZ)
    grid = pd.date_range(start, start + pd.Timedelta(weeks=WEEKS), freq="60min", inclusive="left")
    hour = np.asarray(grid.hour, dtype=float)
    day = np.asarray((grid.normalize().tz_localize(None) - pd.Timestamp(START)).days)
    frames = []
    for sid, scale, peak in ((21, 60.0, 10), (22, 40.0, 10), (23, 30.0, 15)):
        shape = np.where(
            (hour >= 8) & (hour < 18), 0.4 + np.exp(-0.5 * ((hour - peak) / 1.5) ** 2), 0.1
        )
        volume = scale * shape * (1.0 + 0.07 * (day % 6))
        frames.append(pd.DataFrame({"skill_id": sid, "interval_start": grid, "volume": volume}))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope=per_module)
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dst")
    unused = folder / "unused.csv"
    unused.write_text("skill_id,interval_start,volume\n")
    config = support.config(unused)
    config["plan"].update(start=START, weeks=WEEKS)
    config["shifts"] = schedule_support.SHIFTS
    planned = staffing.plan(config, volume=_volume())
    schedule = staffing.schedule(planned)
    simulation = staffing.simulate(planned, replications=REPS, seed=SEED, forecast_error=False)
    return planned, schedule, simulation


@pytest.fixture(scope=per_module)
def written(results, tmp_path_factory):
    """The results and their workbook, written once for the file's tests (anew for every test
    while the mutation job records which tests reach a sheet writer)."""
    planned, schedule, simulation = results
    path = write_workbook(
        planned,
        tmp_path_factory.mktemp("book") / "dst.xlsx",
        simulation=simulation,
        schedule=schedule,
    )
    return planned, schedule, simulation, openpyxl.load_workbook(path)


def _table(ws, title: str) -> pd.DataFrame:
    """The table under the row whose first cell is ``title`` (header on the next row)."""
    labels, rows = read_table(ws, first_row(ws, title) + 1)
    return pd.DataFrame(rows, columns=labels)


def _local(intervals: pd.DataFrame) -> pd.Series:
    return intervals["interval_start"].dt.tz_convert(TZ)


def test_the_plan_spans_the_spring_clock_change(results):
    planned, *_ = results
    messaging = planned.intervals[planned.intervals["skill_id"] == 23]
    per_day = _local(messaging).dt.date.value_counts()
    assert per_day[dt.date(2026, 3, 29)] == 23
    assert per_day[dt.date(2026, 3, 28)] == 24
    assert len(messaging) == 21 * 24 - 1


def test_summary_rows_and_totals(written):
    planned, _, _, book = written
    ws = book["Summary"]
    header = first_row(ws, "Skill ID")
    labels, rows = read_table(ws, header)
    table = pd.DataFrame(rows, columns=labels)
    iv = planned.intervals
    weeks = 21 / 7.0  # the horizon's days / 7, DST day included
    assert len(table) == 4
    assert table["Skill"].tolist() == ["Voice", "Chat", "Messaging", "All skills"]
    for i, sid in enumerate((21, 22, 23)):
        mine = iv[iv["skill_id"] == sid]
        row = table.iloc[i]
        assert row["Skill ID"] == sid
        assert row["Weekly volume"] == pytest.approx(mine["volume"].sum() / weeks, rel=1e-12)
        # FTE-hours over the skill's weekly hours, per week: every interval is one hour
        fte = mine["fte"].sum() / FTE_HOURS_PER_WEEK / weeks
        assert row["Weekly FTE"] == pytest.approx(fte, rel=1e-12)
        assert row["Weekly agent hours"] == pytest.approx(mine["agents"].sum() / weeks, rel=1e-12)
        assert row["Peak agents"] == mine["agents"].max()
        if sid != 23:  # workload skills have no service-level target: blank
            served = mine[(mine["volume"] > 0) & mine["service_level"].notna()]
            expected = (served["service_level"] * served["volume"]).sum() / served["volume"].sum()
            assert row["Service level"] == pytest.approx(expected, rel=1e-12)
        else:
            assert pd.isna(row["Service level"])  # an empty cell
    total = table.iloc[3]
    assert total["Weekly volume"] == pytest.approx(iv["volume"].sum() / weeks, rel=1e-12)
    assert total["Weekly FTE"] == pytest.approx(table["Weekly FTE"].iloc[:3].sum(), rel=1e-12)
    assert total["Weekly agent hours"] == pytest.approx(iv["agents"].sum() / weeks, rel=1e-12)
    # the peak of the summed agents, not the sum of the peaks
    summed = iv.groupby("interval_start")["agents"].sum()
    assert total["Peak agents"] == summed.max()
    assert summed.max() < table["Peak agents"].iloc[:3].sum()
    queued = iv[(iv["method"] != "workload") & (iv["volume"] > 0) & iv["service_level"].notna()]
    expected = (queued["service_level"] * queued["volume"]).sum() / queued["volume"].sum()
    assert total["Service level"] == pytest.approx(expected, rel=1e-12)


def _overlap(grid: pd.DatetimeIndex, start, end) -> np.ndarray:
    """The share of each one-hour interval of ``grid`` inside [start, end)."""
    stop = grid + pd.Timedelta(hours=1)
    first = np.maximum(grid.asi8, pd.Timestamp(start).value)
    last = np.minimum(stop.asi8, pd.Timestamp(end).value)
    return np.clip(last - first, 0, None) / 3.6e12


def _scheduled_by_hand(schedule, planned) -> pd.DataFrame:
    """On-queue agents per group and interval from the shifts: heads at work and not on
    their unpaid break (the share of the interval they are), times (1 - shrinkage);
    required: the group's skills' agents."""
    iv = planned.intervals
    grid = pd.DatetimeIndex(iv[iv["skill_id"] == 21]["interval_start"])
    frames = []
    for group, skills in GROUPS.items():
        shifts = schedule.shifts[schedule.shifts["skill_group"] == group]
        heads = np.zeros(len(grid))
        for start, end, b0, b1, n in shifts[
            ["start", "end", "break_start", "break_end", "heads"]
        ].itertuples(index=False):
            # the share of each interval the head is at work and not on the break
            at_work = _overlap(grid, start, end)
            if not pd.isna(b0):
                at_work = at_work - _overlap(grid, b0, b1)
            heads += n * at_work
        required = np.zeros(len(grid))
        for sid in skills:
            required += iv[iv["skill_id"] == sid]["agents"].to_numpy(float)
        frames.append(
            pd.DataFrame(
                {
                    "group": group,
                    "start": grid,
                    "date": grid.tz_convert(TZ).date,
                    "required": required,
                    "scheduled": heads * (1 - SHRINKAGE),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["over"] = np.maximum(out["scheduled"] - out["required"], 0)
    out["under"] = np.maximum(out["required"] - out["scheduled"], 0)
    return out


def _paid_by_hand(shifts: pd.DataFrame) -> pd.Series:
    """Paid hours of each shift row: (end - start - unpaid break) x heads [h]."""
    unpaid = (shifts["break_end"] - shifts["break_start"]).fillna(pd.Timedelta(0))
    return (shifts["end"] - shifts["start"] - unpaid).dt.total_seconds() / 3600 * shifts["heads"]


def test_coverage_over_and_under_hours_per_day_and_week(written):
    planned, schedule, _, book = written
    hand = _scheduled_by_hand(schedule, planned)
    plan_start = dt.date(2026, 3, 16)
    hand["week"] = [(d - plan_start).days // 7 for d in hand["date"]]
    shifts = schedule.shifts.assign(
        paid=_paid_by_hand(schedule.shifts),
        day=schedule.shifts["start"].dt.tz_convert(TZ).dt.date,
    )
    shifts["week"] = [(d - plan_start).days // 7 for d in shifts["day"]]
    for group in GROUPS:
        ws = book[f"Coverage {group}"]
        mine = hand[hand["group"] == group]
        paid_day = shifts[shifts["skill_group"] == group].groupby("day")["paid"].sum()
        paid_week = shifts[shifts["skill_group"] == group].groupby("week")["paid"].sum()
        daily = _table(
            ws,
            "Per day: on-queue agent-hours required and scheduled, over- and "
            "under-staffed hours, paid hours of the shifts starting that day",
        )
        by_day = mine.groupby("date")[["required", "scheduled", "over", "under"]].sum()
        assert len(daily) == len(by_day) == 21
        for _, row in daily.iterrows():
            day = row[f"Date ({TZ})"].date()
            want = by_day.loc[day]  # one-hour intervals: agents = agent-hours
            assert row["Required agent-hours"] == pytest.approx(want["required"], abs=1e-9)
            assert row["Scheduled on-queue hours"] == pytest.approx(want["scheduled"], abs=1e-9)
            assert row["Over-staffed hours"] == pytest.approx(want["over"], abs=1e-9)
            assert row["Under-staffed hours"] == pytest.approx(want["under"], abs=1e-9)
            # paid hours of the shifts that start on that local day
            assert row["Paid hours"] == pytest.approx(paid_day.get(day, 0.0), abs=1e-9)
        weekly = _table(ws, "Per plan week")
        by_week = mine.groupby("week")[["required", "scheduled", "over", "under"]].sum()
        assert len(weekly) == WEEKS
        for w, row in weekly.iterrows():
            assert row["Required agent-hours"] == pytest.approx(by_week.loc[w, "required"])
            assert row["Over-staffed hours"] == pytest.approx(by_week.loc[w, "over"])
            assert row["Under-staffed hours"] == pytest.approx(by_week.loc[w, "under"])
            assert row["Paid hours"] == pytest.approx(paid_week.get(w, 0.0))
            assert row[f"Week start ({TZ})"].date() == plan_start + dt.timedelta(weeks=int(w))
    # Messaging's nights are uncovered, and its 23-hour Sunday counts 23 hours of them
    msg = hand[(hand["group"] == "Messaging") & (hand["date"] == dt.date(2026, 3, 29))]
    assert len(msg) == 23 and msg["under"].sum() > 0


def test_coverage_interval_table_and_chart_of_the_first_plan_week(results, tmp_path):
    """Each Coverage sheet's interval table: its header cells in the header look (bold on
    light blue), and its chart drawing the first plan week, the local hours Monday
    2026-03-16 00:00 to Sunday 2026-03-22 23:00 (168 rows; the table goes on for the other
    two weeks), required (C) and scheduled (D) over local times (A), on a time axis named
    after the plan's zone. (The workbook is written here: the charts are read from its
    XML, which openpyxl does not load.)"""
    planned, schedule, _ = results
    path = write_workbook(planned, tmp_path / "coverage.xlsx", schedule=schedule)
    book = openpyxl.load_workbook(path)
    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if "charts/chart" in n]
    for group in GROUPS:
        name = f"Coverage {group}"
        ws = book[name]
        header = first_row(ws, f"Interval start ({TZ})")
        for col in range(1, ws.max_column + 1):
            cell = ws.cell(header, col)
            if cell.value is not None:
                assert cell.font.b and cell.fill.fgColor.rgb == "FFDDEBF7", cell.coordinate
        first, last = header + 1, header + 7 * 24
        assert ws.cell(first, 1).value == dt.datetime(2026, 3, 16, 0, 0)
        assert ws.cell(last, 1).value == dt.datetime(2026, 3, 22, 23, 0)
        assert ws.cell(last + 1, 1).value == dt.datetime(2026, 3, 23, 0, 0)  # week two
        quoted = f"'{name}'"
        (chart,) = [c for c in charts if f"<c:f>{quoted}!" in c]
        for col in "ACD":
            assert f"<c:f>{quoted}!${col}${first}:${col}${last}</c:f>" in chart
        assert f"<a:t>Local time ({TZ})</a:t>" in chart


def test_shifts_sheet_groups_paid_hours_and_heads_grid(written):
    planned, schedule, _, book = written
    ws = book["Shifts"]
    shifts = schedule.shifts
    groups = _table(ws, "Per skill group")
    hand = _scheduled_by_hand(schedule, planned)
    for _, row in groups.iterrows():
        mine = shifts[shifts["skill_group"] == row["Skill group"]]
        assert row["Paid hours"] == pytest.approx(_paid_by_hand(mine).sum(), rel=1e-12)
        assert row["Shifts (heads started)"] == mine["heads"].sum()
        cover = hand[hand["group"] == row["Skill group"]]
        assert row["Over-staffed hours"] == pytest.approx(cover["over"].sum())
        assert row["Under-staffed hours"] == pytest.approx(cover["under"].sum())
        assert row["Under-staffed intervals"] == int((cover["under"] > 1e-9).sum())
        assert row["Coverage efficiency"] == pytest.approx(
            cover["required"].sum() / cover["scheduled"].sum()
        )
    header = first_row(ws, "Heads starting per template and start time (rows) and day (columns)")
    labels, rows = read_table(ws, header + 1)
    days = [d.date() for d in labels[3:-1]]
    local = shifts.assign(
        day=shifts["start"].dt.tz_convert(TZ).dt.date,
        clock=shifts["start"].dt.tz_convert(TZ).dt.strftime("%H:%M"),
    )
    expected = local.groupby(["skill_group", "shift", "clock", "day"])["heads"].sum()
    seen = 0
    for row in rows:
        group, shift, clock = row[0], row[1], row[2]
        clock = f"{clock.hour:02d}:{clock.minute:02d}"
        for day, cell in zip(days, row[3:-1], strict=True):
            want = int(expected.get((group, shift, clock, day), 0))
            assert (cell or 0) == want, (group, shift, clock, day)
            seen += want
        assert row[-1] == sum(int(expected.get((group, shift, clock, d), 0)) for d in days)
    assert seen == shifts["heads"].sum()
    assert dt.date(2026, 3, 29) in days  # the DST Sunday has its msg shift


def test_simulation_sheet_daily_figures(written):
    planned, _, _, book = written
    ws = book["Simulation"]
    table = _table(
        ws,
        "Per skill and day: planned against simulated, the 10th percentile of the day's "
        "service level over replications and the probability that the day meets every target",
    )
    iv = planned.intervals
    checked = 0
    for skill in skill_inputs(planned):
        reps = replications(skill, SEED, REPS)
        fig = period_figures(skill, reps, skill.day, len(skill.dates))
        mine = iv[iv["skill_id"] == skill.skill_id]
        local_day = _local(mine).dt.date.to_numpy()
        rows = table[table["Skill ID"] == skill.skill_id]
        for _, row in rows.iterrows():
            day = row[f"Date ({TZ})"].date()
            code = list(skill.dates).index(day)
            part = mine[local_day == day]
            served = part[(part["agents"] > 0) & (part["volume"] > 0)]
            planned_sl = (served["service_level"] * served["volume"]).sum() / served["volume"].sum()
            assert row["Volume"] == pytest.approx(part["volume"].sum(), rel=1e-12)
            assert row["Planned service level"] == pytest.approx(planned_sl, rel=1e-12)
            sl = fig["service_level"][:, code]
            assert row["Simulated service level"] == pytest.approx(sl.mean(), rel=1e-12)
            assert row["Service level ± (95 %)"] == pytest.approx(half_width(sl), rel=1e-9)
            assert row["Simulated service level, 10th percentile"] == pytest.approx(
                np.percentile(sl, 10), rel=1e-12
            )
            assert row["P(meets every target)"] == pytest.approx(fig["ok"][:, code].mean())
            checked += 1
    assert checked == len(table) == 2 * 15  # Voice and Chat, 15 weekdays each


def test_summary_simulated_columns(written):
    planned, _, _, book = written
    ws = book["Summary"]
    table = pd.DataFrame(
        read_table(ws, first_row(ws, "Skill ID"))[1],
        columns=read_table(ws, first_row(ws, "Skill ID"))[0],
    )
    for skill in skill_inputs(planned):
        reps = replications(skill, SEED, REPS)
        total = reps[..., :5].sum(axis=1)
        fig = period_figures(skill, reps, skill.day, len(skill.dates))
        served = np.isfinite(fig["service_level"]).all(axis=0)
        row = table[table["Skill ID"] == skill.skill_id].iloc[0]
        assert row["Simulated service level"] == pytest.approx(
            (total[:, 2] / total[:, 0]).mean(), rel=1e-12
        )
        assert row["P(day meets target)"] == pytest.approx(fig["ok"][:, served].mean())
    messaging = table[table["Skill ID"] == 23].iloc[0]
    assert np.isnan(messaging["Simulated service level"])  # workload: not simulated


def test_simulation_sheet_interval_rows(written):
    planned, _, _, book = written
    ws = book["Simulation"]
    table = _table(
        ws,
        "Per skill and interval: planned against simulated (rows in red miss a target with "
        "95 % confidence; under day or week scope no interval is missed, and its shortfalls "
        "are information)",
    )
    iv = planned.intervals
    for skill in skill_inputs(planned):
        reps = replications(skill, SEED, REPS)
        x, a, y, b, w, o = (reps[..., i] for i in range(6))
        rows = table[table["Skill ID"] == skill.skill_id].reset_index(drop=True)
        mine = iv[iv["skill_id"] == skill.skill_id].reset_index(drop=True)
        assert len(rows) == len(mine) == 21 * 24 - 1  # the DST Sunday has 23 hours
        starts = _local(mine).dt.tz_localize(None)
        assert rows[f"Interval start ({TZ})"].tolist() == starts.dt.to_pydatetime().tolist()
        assert rows["Agents"].tolist() == mine["agents"].tolist()
        assert np.allclose(rows["Simulated arrivals"], x.mean(axis=0))
        sl, sl_hw = ratio(y, x)
        seen = x.sum(axis=0) > 0
        assert seen.sum() > 100
        assert np.allclose(rows["Simulated service level"][seen], sl[seen], rtol=1e-12)
        assert np.allclose(rows["Service level ± (95 %)"][seen], sl_hw[seen], rtol=1e-9)
        assert rows["Simulated service level"][~seen].isna().all()
        abandon, _ = ratio(b, x)
        assert np.allclose(rows["Simulated abandonment"][seen], abandon[seen], rtol=1e-12)
        asa, _ = ratio(w, a)
        answered = a.sum(axis=0) > 0
        assert np.allclose(rows["Simulated ASA [s]"][answered], asa[answered], rtol=1e-12)
        capacity = skill.agents * skill.interval_s
        staffed = skill.agents > 0
        occupancy = o.mean(axis=0)[staffed] / capacity[staffed]
        assert np.allclose(rows["Simulated occupancy"][staffed], occupancy, rtol=1e-12)
        # a row is marked when the 95 % interval lies wholly below the service-level target
        upper = sl + sl_hw
        missed = seen & staffed & (skill.volume > 0) & (upper < skill.service_level_target)
        assert rows["Target missed (95 %)"].astype(bool).tolist() == missed.tolist()
