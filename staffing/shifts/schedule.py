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
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffing import queueing
from staffing.config import ResolvedSkill
from staffing.errors import ConfigError
from staffing.plan import Plan
from staffing.shifts.roster import align_scheduled, read_scheduled_file
from staffing.shifts.solver import CoverageSolution, pattern_coverage, solve_coverage
from staffing.shifts.templates import ScheduledFile, ShiftTemplate
from staffing.vocabulary import WEEKDAYS

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


# ---------------------------------------------------------------------------
# Patterns of a group's templates
# ---------------------------------------------------------------------------


@dataclass
class _Patterns:
    template: np.ndarray  # index into the group's templates
    start: pd.DatetimeIndex  # tz-aware local start instants
    start_min: np.ndarray  # elapsed minutes after the horizon start
    break_min: np.ndarray  # break offset after the start [min], -1 without a break
    group: np.ndarray  # start index (template, date, start time)
    paid: np.ndarray  # paid hours of one head [h]
    min_heads: np.ndarray  # per start
    max_heads: np.ndarray  # per start (inf: no limit)


def _patterns(
    templates: list[ShiftTemplate],
    dates: pd.DatetimeIndex,
    tz: str,
    origin: pd.Timestamp,
    interval_minutes: int,
) -> _Patterns:
    parts: dict[str, list] = {k: [] for k in ("template", "start", "break", "group", "paid")}
    g_min: list[np.ndarray] = []
    g_max: list[np.ndarray] = []
    n_groups = 0
    for t_index, template in enumerate(templates):
        days = dates[
            np.isin(np.asarray(dates.day_of_week), [WEEKDAYS.index(d) for d in template.days])
        ]
        minutes = np.array(template.start.minutes(), dtype=np.int64)
        naive = np.repeat(days.as_unit("ns").asi8, minutes.size) + np.tile(
            minutes * 60_000_000_000, days.size
        )
        local = pd.DatetimeIndex(naive.astype("datetime64[ns]")).tz_localize(
            tz, ambiguous=np.ones(naive.size, dtype=bool), nonexistent="NaT"
        )
        local = local[~local.isna()]  # a start in the spring-forward gap does not exist
        starts = local.size
        brk = template.break_
        offsets = (
            np.array(brk.offsets_minutes(interval_minutes), dtype=float)
            if brk is not None
            else np.array([-1.0])
        )
        parts["template"].append(np.full(starts * offsets.size, t_index))
        parts["start"].append(np.repeat(local.as_unit("ns").asi8, offsets.size))
        parts["break"].append(np.tile(offsets, starts))
        parts["group"].append(n_groups + np.repeat(np.arange(starts), offsets.size))
        parts["paid"].append(np.full(starts * offsets.size, template.paid_hours))
        g_min.append(np.full(starts, float(template.min_heads)))
        g_max.append(
            np.full(starts, np.inf if template.max_heads is None else float(template.max_heads))
        )
        n_groups += starts
    start_ns = np.concatenate(parts["start"]).astype(np.int64)
    start = pd.DatetimeIndex(start_ns.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(tz)
    return _Patterns(
        template=np.concatenate(parts["template"]).astype(np.int64),
        start=start,
        start_min=(start_ns - origin.as_unit("ns").value) / 60e9,
        break_min=np.concatenate(parts["break"]),
        group=np.concatenate(parts["group"]).astype(np.int64),
        paid=np.concatenate(parts["paid"]),
        min_heads=np.concatenate(g_min),
        max_heads=np.concatenate(g_max),
    )


# ---------------------------------------------------------------------------
# Achieved service per skill
# ---------------------------------------------------------------------------


def _metrics(
    skill: ResolvedSkill,
    agents: np.ndarray,
    volume: np.ndarray,
    nht: np.ndarray,
    served: np.ndarray,
    interval_s: float,
) -> dict[str, np.ndarray]:
    """What ``agents`` on queue achieve for one skill (NaN where no contact is served)."""
    out = {
        k: np.full(agents.shape, np.nan)
        for k in ("service_level", "asa_s", "p_abandon", "occupancy")
    }
    idx = np.flatnonzero(served)
    if idx.size == 0:
        return out
    patience = skill.patience_s
    if skill.method == "chat":
        k = int(skill.max_concurrency or 1)
        h: np.ndarray = (
            np.broadcast_to(np.asarray(skill.handle_time_by_load_s), (idx.size, k))
            if skill.handle_time_by_load_s is not None
            else nht[idx, None] * np.arange(1, k + 1, dtype=float)
        )
        model = "chat"
    else:
        # workload has no queue of its own: judged like the plan does, with Erlang C, or
        # Erlang A when the skill has a patience
        model = (
            skill.method
            if skill.method != "workload"
            else ("erlang_a" if patience is not None else "erlang_c")
        )
        h = nht[idx]
    extra = {"patience_s": patience} if model != "erlang_c" else {}
    result = queueing.evaluate(
        model,
        agents[idx],
        volume=volume[idx],
        handle_time_s=h,
        interval_s=interval_s,
        answer_within_s=skill.answer_within_s,
        **extra,
    )
    for key in out:
        out[key][idx] = np.asarray(result[key], dtype=float)
    return out


def _wmean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over axis 0 where the value is not NaN and the weight positive."""
    ok = ~np.isnan(values) & (weights > 0)
    w = np.where(ok, weights, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = np.where(ok, values * w, 0.0).sum(axis=0)
        den = w.sum(axis=0)
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


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
    abandonment weighted by volume, ASA by answered volume, occupancy by agents.
    """
    config = plan.config
    tz = config.plan.timezone
    skills = config.resolved_skills
    ids = [s.skill_id for s in skills]
    minutes = plan.interval_minutes
    hours = minutes / 60.0
    iv = plan.intervals
    n_sk = len(skills)
    n_t = len(iv) // n_sk
    grid = pd.DatetimeIndex(iv["interval_start"].iloc[:n_t])

    def table(column: str) -> np.ndarray:
        return iv[column].to_numpy(dtype=float).reshape(n_sk, n_t)

    agents, fte, volume = table("agents"), table("fte"), table("volume")
    nht, shrink = table("nht_s"), table("shrinkage")
    weekday = np.asarray(grid.day_of_week)
    minute_of_day = np.asarray(grid.hour * 60 + grid.minute)
    is_open = np.ones((n_sk, n_t), dtype=bool)
    for k, skill in enumerate(skills):
        if skill.open_hours is not None:
            is_open[k] = skill.open_hours.is_open(weekday, minute_of_day, minutes)

    templates: list[ShiftTemplate] = list(getattr(config, "shifts", None) or [])
    given: np.ndarray | None = None
    source = "optimised"
    if scheduled is None and getattr(config, "scheduled", None) is not None:
        spec: ScheduledFile = config.scheduled
        scheduled, sheet = spec.path, spec.sheet
    else:
        sheet = None
    if scheduled is not None:
        frame = read_scheduled_file(scheduled, timezone=tz, sheet=sheet)
        where = "scheduled DataFrame" if isinstance(scheduled, pd.DataFrame) else str(scheduled)
        given, present = align_scheduled(frame, grid, ids, minutes, where)
        source = "DataFrame" if isinstance(scheduled, pd.DataFrame) else f"file {scheduled}"
    if not templates and given is None:
        raise ConfigError(
            [
                f"{config.source}: shifts: no shift templates and no scheduled "
                "file: nothing to schedule or compare"
            ]
        )
    if wrap is None:
        wrap = plan.meta["days"] % 7 == 0

    groups = _groups_of(templates, ids)
    if given is not None:
        in_groups = {i for members, _ in groups for i in members}
        groups += [([sid], []) for k, sid in enumerate(ids) if sid not in in_groups and present[k]]
    dates = pd.date_range(
        pd.Timestamp(config.plan.start),
        pd.Timestamp(config.plan.end_exclusive) - pd.Timedelta(days=1),
        freq="D",
    )
    origin = grid[0]
    week_of = (
        np.asarray((grid.normalize().tz_localize(None) - pd.Timestamp(config.plan.start)).days) // 7
    )
    local_date = np.asarray(grid.date)

    shift_rows, cov_rows, skill_rows, group_rows = [], [], [], []
    paid_total = bound_total = 0.0
    optimised: set[str] = set()
    for members, t_indices in groups:
        rows = [ids.index(i) for i in members]
        label = " + ".join(skills[k].skill_name for k in rows)
        req_heads = fte[rows].sum(axis=0)
        req_agents = agents[rows].sum(axis=0)
        solution: CoverageSolution | None = None
        working_opt = None
        group_templates = [templates[i] for i in t_indices]
        if group_templates:
            optimised.add(label)
            pats = _patterns(group_templates, dates, tz, origin, minutes)
            has_break = pats.break_min >= 0
            length = np.array(
                [group_templates[i].length_minutes for i in pats.template], dtype=float
            )
            brk_len = np.array(
                [
                    0
                    if group_templates[i].break_ is None
                    else group_templates[i].break_.length_minutes
                    for i in pats.template
                ],
                dtype=float,
            )
            cover = pattern_coverage(
                pats.start_min,
                length,
                np.where(has_break, pats.break_min, 0.0),
                brk_len,
                interval_minutes=minutes,
                n_intervals=n_t,
                wrap=wrap,
            )
            solution = solve_coverage(
                req_heads,
                cover,
                pats.paid,
                start_group=pats.group,
                min_heads=pats.min_heads,
                max_heads=pats.max_heads,
                time_limit_s=time_limit_s,
                mip_rel_gap=mip_rel_gap,
            )
            paid_total += solution.paid_hours
            bound_total += solution.dual_bound
            working_opt = solution.working
            chosen = np.flatnonzero(solution.heads)
            for p in chosen:
                template = group_templates[pats.template[p]]
                start = pats.start[p]
                brk = (
                    start + pd.Timedelta(minutes=float(pats.break_min[p]))
                    if has_break[p]
                    else pd.NaT
                )
                shift_rows.append(
                    {
                        "skill_group": label,
                        "shift": template.name,
                        "date": start.date(),
                        "day": WEEKDAYS[start.day_of_week],
                        "start": start,
                        "end": start + pd.Timedelta(minutes=template.length_minutes),
                        "break_start": brk,
                        "break_end": (
                            brk + pd.Timedelta(minutes=template.break_.length_minutes)
                            if has_break[p]
                            else pd.NaT
                        ),
                        "heads": int(solution.heads[p]),
                        "paid_hours": float(solution.heads[p] * pats.paid[p]),
                    }
                )

        # on-queue agents per skill of the schedule being compared
        share = np.where(
            req_heads > 0, fte[rows] / np.where(req_heads > 0, req_heads, 1.0), 1.0 / len(rows)
        )
        if given is not None:
            on_queue = given[rows]
            heads_k = on_queue / (1.0 - shrink[rows])
            reason = "scheduled below the requirement"
        else:
            assert working_opt is not None
            heads_k = working_opt[None, :] * share
            on_queue = heads_k * (1.0 - shrink[rows])
            reason = "max_heads or min_heads limits"
        whole = np.floor(on_queue + 1e-9)
        served = is_open[rows] & (volume[rows] > 0)
        per_skill = [
            _metrics(skills[k], whole[j], volume[k], nht[k], served[j], minutes * 60.0)
            for j, k in enumerate(rows)
        ]
        stack = {key: np.stack([m[key] for m in per_skill]) for key in per_skill[0]}
        answered = volume[rows] * (1.0 - np.nan_to_num(stack["p_abandon"]))
        scheduled_g = on_queue.sum(axis=0)
        gap = scheduled_g - req_agents
        heads_g = heads_k.sum(axis=0)
        under = gap < -_TOL
        cov = {
            "skill_group": label,
            "interval_start": grid,
            "volume": volume[rows].sum(axis=0),
            "required": req_agents,
            "scheduled": scheduled_g,
            "gap": gap,
            "required_heads": req_heads,
            "heads": heads_g,
            "service_level": _wmean(stack["service_level"], volume[rows]),
            "asa_s": _wmean(stack["asa_s"], answered),
            "p_abandon": _wmean(stack["p_abandon"], volume[rows]),
            "occupancy": _wmean(stack["occupancy"], whole),
            "understaffed": under,
        }
        if given is not None and working_opt is not None:
            cov["optimised"] = working_opt * np.where(
                req_heads > 0,
                req_agents / np.where(req_heads > 0, req_heads, 1.0),
                1.0 - shrink[rows].mean(axis=0),
            )
        reasons = np.full(n_t, reason, dtype=object)
        if given is None and solution is not None:
            reasons[solution.uncoverable] = "no shift template covers this interval"
        cov["reason"] = reasons
        cov_rows.append(pd.DataFrame(cov))
        for j, k in enumerate(rows):
            skill_rows.append(
                pd.DataFrame(
                    {
                        "skill_id": ids[k],
                        "skill_name": skills[k].skill_name,
                        "skill_group": label,
                        "interval_start": grid,
                        "volume": volume[k],
                        "required": agents[k],
                        "scheduled": on_queue[j],
                        "gap": on_queue[j] - agents[k],
                        "required_heads": fte[k],
                        "heads": heads_k[j],
                        "evaluated_agents": whole[j].astype(np.int64),
                        **{
                            key: per_skill[j][key]
                            for key in ("service_level", "asa_s", "p_abandon", "occupancy")
                        },
                    }
                )
            )
        req_h = float(req_agents.sum() * hours)
        sch_h = float(scheduled_g.sum() * hours)
        group_rows.append(
            {
                "skill_group": label,
                "skill_ids": ", ".join(str(i) for i in members),
                "source": source,
                "templates": ", ".join(t.name for t in group_templates),
                "paid_hours": solution.paid_hours if solution is not None else np.nan,
                "shifts": int(solution.heads.sum()) if solution is not None else 0,
                "required_hours": req_h,
                "scheduled_hours": sch_h,
                "efficiency": req_h / sch_h if sch_h > 0 else np.nan,
                "over_hours": float(np.maximum(gap, 0).sum() * hours),
                "under_hours": float(np.maximum(-gap, 0).sum() * hours),
                "uncovered_intervals": int(under.sum()),
                "mip_gap": solution.mip_gap if solution is not None else np.nan,
                "solver_status": solution.status if solution is not None else "",
                "solve_s": solution.solve_s if solution is not None else np.nan,
                "blocks": solution.blocks if solution is not None else 0,
                "reused_blocks": solution.reused_blocks if solution is not None else 0,
            }
        )

    coverage = pd.concat(cov_rows, ignore_index=True)
    reasons = coverage.pop("reason")
    uncovered = coverage.loc[
        coverage["understaffed"], ["skill_group", "interval_start", "required", "scheduled"]
    ].copy()
    uncovered["shortfall"] = uncovered["required"] - uncovered["scheduled"]
    uncovered["required_heads"] = coverage.loc[coverage["understaffed"], "required_heads"]
    uncovered["heads"] = coverage.loc[coverage["understaffed"], "heads"]
    uncovered["reason"] = reasons[coverage["understaffed"]]
    uncovered = uncovered.reset_index(drop=True)
    shifts = pd.DataFrame(shift_rows, columns=SHIFT_COLUMNS)
    if len(shifts):
        shifts = shifts.sort_values(
            ["skill_group", "start", "shift", "break_start"], kind="stable"
        ).reset_index(drop=True)
    daily, weekly = _rollups(
        coverage, shifts, optimised, local_date, week_of, config.plan.start, hours, n_t
    )
    paid = paid_total if optimised else float("nan")
    gap_all = (
        0.0
        if not optimised or paid_total <= 0
        else max((paid_total - bound_total) / paid_total, 0.0)
    )
    meta = {
        "source": source,
        "interval_minutes": minutes,
        "timezone": tz,
        "wrap": bool(wrap),
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
    return Schedule(
        shifts=shifts,
        coverage=coverage,
        skill_coverage=pd.concat(skill_rows, ignore_index=True),
        uncovered=uncovered,
        daily=daily,
        weekly=weekly,
        groups=pd.DataFrame(group_rows),
        paid_hours=paid,
        mip_gap=float(gap_all if gap_all > 1e-9 else 0.0),
        meta=meta,
    )


def _rollups(
    coverage: pd.DataFrame,
    shifts: pd.DataFrame,
    optimised: set[str],
    local_date: np.ndarray,
    week_of: np.ndarray,
    plan_start: Any,
    hours: float,
    n_t: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Over/under on-queue hours per group and local date / plan week, with paid hours."""
    n = len(coverage)
    reps = n // n_t
    frame = pd.DataFrame(
        {
            "skill_group": coverage["skill_group"],
            "date": np.tile(local_date, reps),
            "week_start": np.tile([plan_start + timedelta(weeks=int(w)) for w in week_of], reps),
            "required_hours": coverage["required"] * hours,
            "scheduled_hours": coverage["scheduled"] * hours,
            "over_hours": np.maximum(coverage["gap"], 0) * hours,
            "under_hours": np.maximum(-coverage["gap"], 0) * hours,
        }
    )
    sums = ["required_hours", "scheduled_hours", "over_hours", "under_hours"]
    daily = frame.groupby(["skill_group", "date"], sort=False)[sums].sum().reset_index()
    weekly = frame.groupby(["skill_group", "week_start"], sort=False)[sums].sum().reset_index()
    paid = shifts.assign(
        week_start=[
            plan_start + timedelta(weeks=int((d - plan_start).days // 7)) for d in shifts["date"]
        ]
    )
    for table, key in ((daily, "date"), (weekly, "week_start")):
        per = paid.groupby(["skill_group", key])["paid_hours"].sum()
        values = [
            per.get((g, k), 0.0) for g, k in zip(table["skill_group"], table[key], strict=True)
        ]
        table["paid_hours"] = np.where(table["skill_group"].isin(optimised), values, np.nan)
    return daily, weekly
