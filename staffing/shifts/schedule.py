"""From a plan's requirement to shifts, and any schedule compared with the requirement.

:func:`schedule` takes a :class:`~staffing.plan.Plan` whose config has ``shifts:`` (shift
templates) and/or a ``scheduled:`` file (or a schedule given as an argument) and returns a
:class:`Schedule`: the optimal shifts per skill group, and per group and interval the
requirement, what is scheduled, the gap and the service that staffing achieves.

Rules (``docs/shifts.md`` explains each):

- **Skill groups.** Templates that serve the same skills form one group; the group's
  requirement is the sum of its skills' requirements (no pooling model yet).
- **Shrinkage and breaks.** The configured shrinkage is the share of *paid* time not on
  queue, so it never includes the unpaid break scheduled here. A head at work and not on
  break is on queue ``1 - shrinkage`` of the time; the heads needed at work per interval
  are ``sum_k agents_k / (1 - s_k) = sum_k fte_k``, the plan's FTE.
- **Time.** Starts are local wall-clock times on the local dates of the horizon; a shift
  lasts ``length_hours`` of elapsed time (DST days included). A start that does not exist
  (spring forward) is skipped; an ambiguous one (fall back) is its first occurrence.
  A whole-week horizon wraps: a shift running past its end continues at its start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffing.config import ResolvedSkill, ScheduledFile, ShiftTemplate
from staffing.errors import ConfigError
from staffing.plan import Plan
from staffing.shifts.optimise import Horizon, optimise_group
from staffing.shifts.parts import GroupPart, group_row
from staffing.shifts.rollups import day_codes, rollups, uncovered_rows
from staffing.shifts.roster import align_scheduled, read_scheduled_file
from staffing.shifts.service import METRICS, achieved_service, weighted_mean
from staffing.shifts.solver import CoverageSolution
from staffing.shifts.team_shifts import team_groups

__all__ = ["COVERAGE_COLUMNS", "SHIFT_COLUMNS", "Schedule", "schedule"]

#: Columns of :attr:`Schedule.shifts`, in order.
SHIFT_COLUMNS = [
    "skill_group",
    "shift",
    "date",
    "day",
    "start",
    "end",
    "break_start",
    "break_end",
    "heads",
    "paid_hours",
]
#: Columns of :attr:`Schedule.coverage`, in order (``optimised`` only when a given schedule
#: is compared and shifts were optimised too).
COVERAGE_COLUMNS = [
    "skill_group",
    "interval_start",
    "volume",
    "required",
    "scheduled",
    "gap",
    "required_heads",
    "heads",
    "service_level",
    "asa_s",
    "p_abandon",
    "occupancy",
    "understaffed",
]
_TOL = 1e-6


@dataclass(repr=False)
class Schedule:
    """Shifts and the coverage they give, or a given schedule's coverage.

    Attributes
    ----------
    shifts : DataFrame
        One row per skill group, template, start and break with heads > 0, columns
        :data:`SHIFT_COLUMNS`: ``shift`` (template name), ``date`` and ``day`` (local date and
        weekday ``mon`` ... ``sun`` of the start), ``start``, ``end``, ``break_start``,
        ``break_end`` (tz-aware local; NaT without a break), ``heads`` [-], ``paid_hours``
        (of all its heads [h]). Empty when nothing was optimised.
    coverage : DataFrame
        One row per skill group and interval, columns :data:`COVERAGE_COLUMNS`: ``volume``
        [-], ``required`` (on-queue agents, the plan's ``agents`` summed over the group),
        ``scheduled`` (on-queue agents scheduled [-], real: heads × (1 − shrinkage)),
        ``gap`` = scheduled − required [-], ``required_heads`` (heads at work needed, the
        plan's ``fte`` summed), ``heads`` (heads at work and not on break), the achieved
        ``service_level`` [-], ``asa_s`` [s], ``p_abandon`` [-], ``occupancy`` [-] (group
        figures from each skill's own queue, NaN where no contact is served) and
        ``understaffed`` (bool). ``optimised`` (on-queue agents of the optimised shifts)
        is added when a given schedule is compared and shifts were optimised too.
    skill_coverage : DataFrame
        The same per skill (``skill_id``, ``skill_name``, ``skill_group``, ...), plus
        ``evaluated_agents``: the whole on-queue agents the engine evaluated
        (``scheduled`` rounded down).
    uncovered : DataFrame
        The understaffed rows of ``coverage`` with ``shortfall`` = required − scheduled
        [-] and a ``reason``.
    daily, weekly : DataFrame
        Per skill group and local date / plan week (weeks start on ``plan.start``):
        ``required_hours``, ``scheduled_hours``, ``over_hours``, ``under_hours`` (on-queue
        agent-hours [h]) and ``paid_hours`` of the shifts starting then [h] (NaN for a
        group compared from a given schedule without shifts).
    groups : DataFrame
        One row per skill group: its skills, source, templates, paid hours, shifts,
        required and scheduled hours, ``efficiency`` (required / scheduled on-queue
        hours), over/under hours, uncovered intervals, MILP gap, solver status and time.
    paid_hours : float
        Paid hours of all optimised shifts [h]; NaN when nothing was optimised.
    mip_gap : float
        Relative MILP gap over all groups [-]: 0 when every group is proven optimal.
    meta : dict
        Source, rules and solver settings.
    """

    shifts: pd.DataFrame
    coverage: pd.DataFrame
    skill_coverage: pd.DataFrame
    uncovered: pd.DataFrame
    daily: pd.DataFrame
    weekly: pd.DataFrame
    groups: pd.DataFrame
    paid_hours: float
    mip_gap: float
    meta: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Schedule(groups={len(self.groups)}, shifts={int(self.shifts['heads'].sum())}, "
            f"paid_hours={self.paid_hours:.1f}, uncovered={len(self.uncovered)}, "
            f"mip_gap={self.mip_gap:g})"
        )


def _groups_of(templates: list[ShiftTemplate], ids: list[int]) -> list[tuple[list[int], list]]:
    """[(skill ids in config order, [template indices])] in order of first template."""
    out: list[tuple[list[int], list]] = []
    for index, template in enumerate(templates):
        served = ids if template.skills is None else [i for i in ids if i in template.skills]
        for members, listed in out:
            if set(members) == set(served):
                listed.append(index)
                break
        else:
            out.append((list(served), [index]))
    return out


def schedule(
    plan: Plan,
    scheduled: str | Path | pd.DataFrame | None = None,
    *,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 0.0,
    wrap: bool | None = None,
) -> Schedule:
    """Optimal shifts for a plan's requirement, and the coverage of a schedule.

    Parameters
    ----------
    plan : Plan
        A planning run; its config's ``shifts:`` templates are optimised (if any).
    scheduled : str, Path or DataFrame, optional
        A schedule to compare with the requirement (``skill_id, interval_start,
        scheduled`` on-queue agents, see :func:`read_scheduled_file`), instead of the
        config's ``scheduled:`` file. Skill-intervals it does not list count as 0.
    time_limit_s : float, default 60
        HiGHS time budget per skill group [s].
    mip_rel_gap : float, default 0
        Relative optimality gap at which HiGHS may stop [-]; 0 proves optimality.
    wrap : bool, optional
        Whether a shift running past the end of the horizon continues at its start;
        default True for a whole number of weeks, else False.

    Returns
    -------
    Schedule
        ``coverage`` compares the given schedule when there is one, else the optimised
        shifts.

    Raises
    ------
    ConfigError
        The config has no ``shifts:`` and no schedule is given or configured.
    DataError
        The schedule file is unusable (naming file, skill and time), or HiGHS found no
        schedule within the time limit.

    Notes
    -----
    Per skill group g and interval t the optimiser covers ``required_heads_t = sum_k
    agents_kt / (1 - s_kt)`` (the plan's FTE) with heads at work and not on their unpaid
    break, at the fewest paid hours (:func:`staffing.shifts.solver.solve_coverage`). The
    heads at work are shared among the group's skills in proportion to their FTE, and each
    skill's on-queue agents are ``heads_k (1 - s_k)``; its achieved service comes from
    :func:`staffing.queueing.evaluate` with its own method on those agents rounded down
    (workload: Erlang C, or Erlang A with a patience). Group figures: service level and
    abandonment weighted by volume, ASA by answered volume, occupancy by agents. Templates
    naming a ``team:`` form one group per team whose requirement is the team's staffing
    (:mod:`staffing.shifts.team_shifts`).
    """
    config = plan.config
    arrays = _plan_arrays(plan)
    templates: list[ShiftTemplate] = list(getattr(config, "shifts", None) or [])
    given, present, source = _given_schedule(plan, scheduled, arrays)
    if not templates and given is None:
        raise ConfigError(
            [
                f"{config.source}: shifts: no shift templates and no scheduled "
                "file: nothing to schedule or compare"
            ]
        )
    if wrap is None:
        wrap = plan.meta["days"] % 7 == 0
    by_team = [t for t in templates if t.team is not None]
    templates = [t for t in templates if t.team is None]
    groups = _groups_of(templates, arrays.ids)
    if given is not None and present is not None:
        in_groups = {i for members, _ in groups for i in members}
        groups += [
            ([sid], []) for k, sid in enumerate(arrays.ids) if sid not in in_groups and present[k]
        ]
    dates = pd.date_range(
        pd.Timestamp(config.plan.start),
        pd.Timestamp(config.plan.end_exclusive) - pd.Timedelta(days=1),
        freq="D",
    )
    horizon = Horizon(
        dates, config.plan.timezone, arrays.grid[0], arrays.minutes, arrays.n_t, bool(wrap)
    )
    results = [
        _schedule_group(
            members,
            [templates[i] for i in t_indices],
            arrays,
            given,
            horizon,
            source,
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
        )
        for members, t_indices in groups
    ]
    if by_team:  # teams' templates: the team's staffing, not its skills' (team_shifts)
        results += team_groups(
            plan, by_team, horizon, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap
        )
    meta = _meta(source, arrays.minutes, horizon, time_limit_s, mip_rel_gap)
    return _assemble(results, arrays, plan, meta)


@dataclass(frozen=True)
class _PlanArrays:
    """The plan's tables as (skills, intervals) arrays, and its grid."""

    skills: list[ResolvedSkill]
    ids: list[int]
    minutes: int  # interval length [min]
    grid: pd.DatetimeIndex  # interval starts (tz-aware local)
    agents: np.ndarray  # on-queue agents [-]
    fte: np.ndarray  # heads at work needed [-]
    volume: np.ndarray  # contacts [-]
    nht: np.ndarray  # net handle time [s]
    shrink: np.ndarray  # shrinkage [-]
    is_open: np.ndarray  # open hours (bool)

    @property
    def n_t(self) -> int:
        """Intervals in the horizon."""
        return len(self.grid)


def _plan_arrays(plan: Plan) -> _PlanArrays:
    """The plan's interval table as (skills, intervals) arrays, with each skill's hours."""
    skills = plan.config.resolved_skills
    minutes = plan.interval_minutes
    iv = plan.intervals
    n_sk = len(skills)
    n_t = len(iv) // n_sk
    grid = pd.DatetimeIndex(iv["interval_start"].iloc[:n_t])

    def table(column: str) -> np.ndarray:
        return iv[column].to_numpy(dtype=float).reshape(n_sk, n_t)

    weekday = np.asarray(grid.day_of_week)
    minute_of_day = np.asarray(grid.hour * 60 + grid.minute)
    is_open = np.ones((n_sk, n_t), dtype=bool)
    for k, skill in enumerate(skills):
        if skill.open_hours is not None:
            is_open[k] = skill.open_hours.is_open(weekday, minute_of_day, minutes)
    return _PlanArrays(
        skills=skills,
        ids=[s.skill_id for s in skills],
        minutes=minutes,
        grid=grid,
        agents=table("agents"),
        fte=table("fte"),
        volume=table("volume"),
        nht=table("nht_s"),
        shrink=table("shrinkage"),
        is_open=is_open,
    )


def _given_schedule(
    plan: Plan, scheduled: str | Path | pd.DataFrame | None, arrays: _PlanArrays
) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """(on-queue agents per skill and interval, skills it lists, source) of the schedule
    to compare: the argument, else the config's ``scheduled:`` file, else none."""
    config = plan.config
    sheet = None
    spec: ScheduledFile | None = getattr(config, "scheduled", None)
    if scheduled is None and spec is not None:
        scheduled, sheet = spec.path, spec.sheet
    if scheduled is None:
        return None, None, "optimised"
    frame = read_scheduled_file(scheduled, timezone=config.plan.timezone, sheet=sheet)
    where = "scheduled DataFrame" if isinstance(scheduled, pd.DataFrame) else str(scheduled)
    given, present = align_scheduled(frame, arrays.grid, arrays.ids, arrays.minutes, where)
    source = "DataFrame" if isinstance(scheduled, pd.DataFrame) else f"file {scheduled}"
    return given, present, source


def _schedule_group(
    members: list[int],
    templates: list[ShiftTemplate],
    arrays: _PlanArrays,
    given: np.ndarray | None,
    horizon: Horizon,
    source: str,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
) -> GroupPart:
    """A group's optimised shifts (if it has templates) and the coverage compared."""
    rows = [arrays.ids.index(i) for i in members]
    label = " + ".join(arrays.skills[k].skill_name for k in rows)
    req_heads = arrays.fte[rows].sum(axis=0)
    solution: CoverageSolution | None = None
    shift_rows: list[dict[str, Any]] = []
    if templates:
        solution, shift_rows = optimise_group(
            templates,
            req_heads,
            horizon,
            label,
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
        )
    working_opt = None if solution is None else solution.working
    # on-queue agents per skill of the schedule being compared
    share = np.where(
        req_heads > 0,
        arrays.fte[rows] / np.where(req_heads > 0, req_heads, 1.0),
        1.0 / len(rows),
    )
    if given is not None:
        on_queue = given[rows]
        heads_k = on_queue / (1.0 - arrays.shrink[rows])
        reason = "scheduled below the requirement"
    else:
        assert working_opt is not None
        heads_k = working_opt[None, :] * share
        on_queue = heads_k * (1.0 - arrays.shrink[rows])
        reason = "max_heads or min_heads limits"
    whole = np.floor(on_queue + 1e-9)
    served = arrays.is_open[rows] & (arrays.volume[rows] > 0)
    per_skill = [
        achieved_service(
            arrays.skills[k],
            whole[j],
            arrays.volume[k],
            arrays.nht[k],
            served[j],
            arrays.minutes * 60.0,
        )
        for j, k in enumerate(rows)
    ]
    staffed = _Staffed(rows, label, req_heads, heads_k, on_queue, whole, per_skill)
    cov = _group_coverage(staffed, arrays, working_opt if given is not None else None)
    reasons = np.full(arrays.n_t, reason, dtype=object)
    if given is None and solution is not None:
        reasons[solution.uncoverable] = "no shift template covers this interval"
    cov["reason"] = reasons
    return GroupPart(
        label,
        solution,
        shift_rows,
        cov,
        _skill_coverage(staffed, arrays),
        group_row(members, label, source, templates, solution, cov, arrays.minutes / 60.0),
    )


@dataclass(frozen=True)
class _Staffed:
    """A group's skills as staffed by the schedule being compared."""

    rows: list[int]  # the skills' rows in the plan arrays
    label: str
    required_heads: np.ndarray  # the group's heads needed per interval [-]
    heads: np.ndarray  # heads at work and not on break per skill [-]
    on_queue: np.ndarray  # on-queue agents per skill [-]
    whole: np.ndarray  # whole on-queue agents evaluated per skill [-]
    service: list[dict[str, np.ndarray]]  # achieved service per skill


def _group_coverage(
    staffed: _Staffed, arrays: _PlanArrays, optimised: np.ndarray | None
) -> pd.DataFrame:
    """The group's coverage rows: requirement, schedule, gap and weighted service.

    ``optimised``: the optimised heads at work, shown beside a given schedule.
    """
    rows = staffed.rows
    volume = arrays.volume[rows]
    req_agents = arrays.agents[rows].sum(axis=0)
    stack = {key: np.stack([m[key] for m in staffed.service]) for key in staffed.service[0]}
    answered = volume * (1.0 - np.nan_to_num(stack["p_abandon"]))
    scheduled_g = staffed.on_queue.sum(axis=0)
    gap = scheduled_g - req_agents
    cov = {
        "skill_group": staffed.label,
        "interval_start": arrays.grid,
        "volume": volume.sum(axis=0),
        "required": req_agents,
        "scheduled": scheduled_g,
        "gap": gap,
        "required_heads": staffed.required_heads,
        "heads": staffed.heads.sum(axis=0),
        "service_level": weighted_mean(stack["service_level"], volume),
        "asa_s": weighted_mean(stack["asa_s"], answered),
        "p_abandon": weighted_mean(stack["p_abandon"], volume),
        "occupancy": weighted_mean(stack["occupancy"], staffed.whole),
        "understaffed": gap < -_TOL,
    }
    if optimised is not None:
        req_heads = staffed.required_heads
        cov["optimised"] = optimised * np.where(
            req_heads > 0,
            req_agents / np.where(req_heads > 0, req_heads, 1.0),
            1.0 - arrays.shrink[rows].mean(axis=0),
        )
    return pd.DataFrame(cov)


def _skill_coverage(staffed: _Staffed, arrays: _PlanArrays) -> list[pd.DataFrame]:
    """One coverage table per skill of the group (``Schedule.skill_coverage``)."""
    return [
        pd.DataFrame(
            {
                "skill_id": arrays.ids[k],
                "skill_name": arrays.skills[k].skill_name,
                "skill_group": staffed.label,
                "interval_start": arrays.grid,
                "volume": arrays.volume[k],
                "required": arrays.agents[k],
                "scheduled": staffed.on_queue[j],
                "gap": staffed.on_queue[j] - arrays.agents[k],
                "required_heads": arrays.fte[k],
                "heads": staffed.heads[j],
                "evaluated_agents": staffed.whole[j].astype(np.int64),
                **{key: staffed.service[j][key] for key in METRICS},
            }
        )
        for j, k in enumerate(staffed.rows)
    ]


def _meta(
    source: str,
    minutes: int,
    horizon: Horizon,
    time_limit_s: float,
    mip_rel_gap: float,
) -> dict[str, Any]:
    """``Schedule.meta``: the source, rules and solver settings."""
    return {
        "source": source,
        "interval_minutes": minutes,
        "timezone": horizon.tz,
        "wrap": bool(horizon.wrap),
        "time_limit_s": time_limit_s,
        "mip_rel_gap": mip_rel_gap,
        "solver": "HiGHS (scipy.optimize.milp), exact branch and bound",
        "shrinkage_rule": (
            "heads at work and not on their unpaid scheduled break cover the plan's FTE "
            "(agents / (1 - shrinkage)); shrinkage is a share of paid time and excludes "
            "the unpaid breaks scheduled here"
        ),
        "group_rule": "a skill group's requirement is the sum of its skills' (no pooling)",
    }


def _assemble(
    results: list[GroupPart], arrays: _PlanArrays, plan: Plan, meta: dict[str, Any]
) -> Schedule:
    """The groups' parts put together into one :class:`Schedule`."""
    plan_start = plan.config.plan.start
    optimised = {g.label for g in results if g.solution is not None}
    paid_total = bound_total = 0.0
    for g in results:
        if g.solution is not None:
            paid_total += g.solution.paid_hours
            bound_total += g.solution.dual_bound
    coverage = pd.concat([g.coverage for g in results], ignore_index=True)
    reasons = coverage.pop("reason")
    uncovered = uncovered_rows(coverage, reasons)
    shifts = pd.DataFrame([row for g in results for row in g.shift_rows], columns=SHIFT_COLUMNS)
    if len(shifts):
        shifts = shifts.sort_values(
            ["skill_group", "start", "shift", "break_start"], kind="stable"
        ).reset_index(drop=True)
    local_date, week_of = day_codes(arrays.grid, plan_start)
    daily, weekly = rollups(
        coverage,
        shifts,
        optimised,
        local_date,
        week_of,
        plan_start,
        arrays.minutes / 60.0,
        arrays.n_t,
    )
    gap_all = (
        0.0
        if not optimised or paid_total <= 0
        else max((paid_total - bound_total) / paid_total, 0.0)
    )
    return Schedule(
        shifts=shifts,
        coverage=coverage,
        skill_coverage=pd.concat(
            [f for g in results for f in g.skill_coverage] or [pd.DataFrame()], ignore_index=True
        ),
        uncovered=uncovered,
        daily=daily,
        weekly=weekly,
        groups=pd.DataFrame([g.row for g in results]),
        paid_hours=paid_total if optimised else float("nan"),
        mip_gap=float(gap_all if gap_all > 1e-9 else 0.0),
        meta=meta,
    )
