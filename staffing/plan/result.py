"""The result of a planning run: :class:`Plan`, its tables and its summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffing import vocabulary
from staffing.config import PlanConfig
from staffing.forecast import weighted_mean
from staffing.plan.teams import TeamPlan
from staffing.vocabulary import WORKLOAD

if TYPE_CHECKING:  # pragma: no cover
    from staffing.simulation import SimulationResult

__all__ = ["INTERVAL_COLUMNS", "STAFFING_METHODS", "Plan"]

#: Columns of :attr:`Plan.intervals`, in order: :data:`staffing.vocabulary.INTERVAL_COLUMNS`,
#: re-exported as the list it has always been here (callers extend it).
INTERVAL_COLUMNS: list[str] = list(vocabulary.INTERVAL_COLUMNS)
#: Values of :attr:`Plan.staffing_method`: the rule that set an interval's agents.
STAFFING_METHODS: tuple[str, ...] = ("stationary", "day_scope", "week_scope", "time_stable")


@dataclass(repr=False)
class Plan:
    """Result of a planning run.

    Attributes
    ----------
    config : PlanConfig
        The validated config the run used.
    name : str
        The plan's name (``plan.name``).
    timezone : str
        IANA zone of every local time of the plan (``plan.timezone``).
    interval_minutes : int
        Interval length [min] (:data:`staffing.vocabulary.INTERVAL_MINUTES`).
    intervals : DataFrame
        One row per skill and interval, columns :data:`INTERVAL_COLUMNS`:
        ``interval_start`` tz-aware local; ``volume`` [-]; ``nht_s`` [s] and the rule that
        produced it (``nht_basis``); ``workload_erlangs`` = volume × NHT / interval [Erlang];
        ``agents`` on-queue agents (int); ``fte`` = agents / (1 − shrinkage), the FTE needed
        during the interval [FTE] (a level, not a sum: add ``fte_hours``); achieved
        ``service_level`` [-], ``asa_s`` [s], ``p_abandon`` [-], ``occupancy`` [-]
        (NaN where no contact is served: zero volume or closed); ``fte_hours`` = fte ×
        interval hours [FTE-h], whose sum over a week is the weekly table's ``fte_hours``;
        ``binding``: what set the agents (:data:`staffing.vocabulary.BINDINGS`): the target
        whose requirement alone equals the agents (service level, ASA, abandonment,
        occupancy cap; a tie goes to the first of these), ``interval floor`` or ``day
        scope`` / ``week scope`` for period staffing, ``minimum agents`` where
        ``min_agents`` raised them, ``offered load`` (workload without a cap),
        ``time-stable simulation``, ``no volume`` or ``closed``.
    daily, weekly : DataFrame
        Per skill and local date / plan week (weeks start on ``plan.start``).
    daily_total, weekly_total : DataFrame
        The same for all skills together.
    skills : DataFrame
        One row per skill with every resolved setting; ``shrinkage_mean`` (the weekly
        mean [-]) and ``shrinkage_profile`` (as configured, as text); a ``workload``
        skill's ``service_level_target`` and ``answer_within_s`` are NaN (not applied);
        ``patience_basis`` (``configured`` or ``history``: ``patience_seconds: auto``)
        with ``patience_abandoned`` [-] and ``patience_wait_s`` [s], the history's totals
        behind an estimated ``patience_s``.
    history : DataFrame
        The hourly NHT history used (window and skills of the plan), local times.
    nht_profile : DataFrame
        ``skill_id, hour_of_week, nht_s, nht_basis`` (local hour of the week, Monday 0 = 0).
    backtest : DataFrame
        ``skill_id, skill_name, wape, actual_volume, hours`` for a history-based volume
        forecast; empty when the volume came from a file or DataFrame. With ``volume.trend:
        auto`` also ``wape_no_trend``, ``wape_trend``, ``trend_used`` and ``trend_per_week``
        (growth per week applied in the plan, 0 where the trend is not used [-]); ``wape``
        is the chosen forecast's.
    meta : dict
        Facts about the run: config file, horizon, history window, sources, version, run time;
        ``time_stable`` (iterations, convergence, share of intervals missing a target in
        the last simulation) when a skill has ``staffing: time_stable``; ``notes`` (the
        list :attr:`warnings` returns: what the planner should double-check) and
        ``special_days_in_history`` (ISO dates).
    staffing_method : Series
        Aligned with ``intervals``: which rule set each interval's agents
        (:data:`STAFFING_METHODS`): ``stationary`` (the interval's own targets, the
        stationary model), ``day_scope`` / ``week_scope`` (the day's or week's targets at
        the fewest FTE-hours, :mod:`staffing.daily`) or ``time_stable`` (corrected by
        simulation, :mod:`staffing.simulation.time_stable`). Kept beside ``intervals``,
        not in it, so the interval columns stay those of every earlier plan.
    special_days : DataFrame
        The special days applied in the horizon, one row per date and skill:
        ``date, skill_id, skill_name, closed, volume_factor, nht_factor, like``
        (:mod:`staffing.special_days`); empty without any. Kept beside ``intervals`` for
        the same reason.
    teams : TeamPlan, optional
        The staffing of ``teams:`` (:class:`staffing.plan.teams.TeamPlan`): agents, FTE
        and occupancy per team and interval, each team skill's promised service level,
        ASA and abandonment, and the agent-hours saved against staffing each skill alone
        and above the pooled bound. None without teams. ``intervals`` keeps every
        skill's own (separate) staffing.
    uncertainty : DataFrame or None
        The forecast error the plan assumes (``volume.uncertainty``; None with ``none``):
        index ``skill_id``, columns ``daily_cv`` (coefficient of variation of a day's volume
        around its forecast [-], the day multiplier of
        :mod:`staffing.forecast.day_multiplier`), ``source`` (where it came from: the
        backtest and its number of origins, the default for a volume file, or the config)
        and ``origins`` (weekly backtest origins behind it, 0 when not from a backtest);
        ``attrs["correlation"]`` is the correlation between skills' multipliers [-]
        (:mod:`staffing.plan.uncertainty`).
    risk : DataFrame, optional
        The cost of confidence (:func:`staffing.plan.confidence.risk_table`), computed
        from ``risk_pricing`` on first access (it staffs the plan again at each level):
        one row per day- or week-scope queueing skill with a forecast error and confidence level
        (0.5, 0.8, 0.9, 0.95, 0.99): ``agent_hours`` [h] and ``fte_per_week`` [FTE] of the
        plan staffed to that confidence, ``probability`` [-] the lowest day's (week's)
        probability of meeting its targets with forecast error, ``multiplier`` [-] the
        volume multiplier staffed for, and ``buffer_uplift`` [-], ``buffer_agent_hours``
        [h], ``buffer_fte_per_week`` [FTE]: the flat volume buffer (every interval staffed
        for its own targets at forecast × uplift) that reaches the same probability. None
        without such a skill.
    risk_pricing : callable, optional
        What computes :attr:`risk` (None: no skill to price).
    """

    config: PlanConfig
    intervals: pd.DataFrame
    daily: pd.DataFrame
    daily_total: pd.DataFrame
    weekly: pd.DataFrame
    weekly_total: pd.DataFrame
    skills: pd.DataFrame
    history: pd.DataFrame
    nht_profile: pd.DataFrame
    backtest: pd.DataFrame
    name: str
    timezone: str
    interval_minutes: int
    meta: dict[str, Any] = field(default_factory=dict)
    staffing_method: pd.Series | None = None
    special_days: pd.DataFrame | None = None
    teams: TeamPlan | None = None
    uncertainty: pd.DataFrame | None = None
    risk_pricing: Callable[[], pd.DataFrame | None] | None = field(default=None, compare=False)

    @cached_property
    def risk(self) -> pd.DataFrame | None:
        """The cost of confidence per skill and level (see the class docstring); cached."""
        return None if self.risk_pricing is None else self.risk_pricing()

    def __repr__(self) -> str:
        return (
            f"Plan(name={self.name!r}, skills={len(self.skills)}, "
            f"intervals={len(self.intervals)}, start={self.meta.get('start')}, "
            f"end={self.meta.get('end')}, timezone={self.timezone!r})"
        )

    @property
    def warnings(self) -> list[str]:
        """What the planner should double-check, one short text each (``meta["notes"]``).

        Targets a method does not use (a ``workload`` skill's service level from
        ``defaults``), intervals that miss their target, volume forecast in closed hours,
        plan dates against the history window, shrinkage above :data:`SHRINKAGE_WARN`, a
        forecast of zero volume, implausible data (the :class:`~staffing.errors.DataWarning`
        texts), forecast skills left out and special days left out of the history. The
        same list object as ``meta["notes"]``: one list, not two.

        Returns
        -------
        list of str
        """
        return self.meta.setdefault("notes", [])

    def run_facts(self) -> dict[str, Any]:
        """The run's facts in the order the outputs list them (the Assumptions sheet).

        Returns
        -------
        dict
            ``name``, ``config_file``, ``timezone``, ``interval_minutes``, then the other
            keys of :attr:`meta` in their order; a new dict.
        """
        head: dict[str, Any] = {"name": self.name}
        if "config_file" in self.meta:
            head["config_file"] = self.meta["config_file"]
        head |= {"timezone": self.timezone, "interval_minutes": self.interval_minutes}
        return head | {k: v for k, v in self.meta.items() if k not in head}

    def simulate(self, **options: Any) -> SimulationResult:
        """Simulate this plan: :func:`staffing.simulation.simulate` with ``self``.

        Parameters
        ----------
        **options
            Keyword arguments of :func:`staffing.simulation.simulate` (``replications``,
            ``seed``, ``ramp``, ``handle_time``, ``routing``, ``workers``, ...).

        Returns
        -------
        staffing.simulation.SimulationResult
        """
        from staffing.simulation import simulate

        return simulate(self, **options)

    def summary(self) -> pd.DataFrame:
        """One row per skill plus an ``All skills`` row.

        Returns
        -------
        DataFrame
            Columns: skill_id (Int64, NA for the total), skill_name, method, weekly_volume
            (mean per 7 days [-]), mean_nht_s (volume-weighted [s]), peak_agents and
            peak_at (first interval with the peak; for the total, of the summed agents;
            None when the peak is 0 agents: there is no peak), weekly_fte (mean FTE
            headcount per 7 days [FTE]; the total is the sum over skills), service_level
            and p_abandon (volume-weighted over the served intervals [-]; a ``workload``
            skill has no service-level target, so its service level is NaN and the total's
            is weighted over the skills with one), wape (volume backtest [-], NaN without
            one; the total is weighted by the held-out volume). With ``volume.trend: auto``
            also wape_no_trend (the backtest WAPE without a trend) and trend_per_week
            (growth per week applied [-]). Then one ``set_by_*`` column
            (:data:`staffing.vocabulary.BINDING_COUNT_COLUMNS`) per rule that set at least
            one staffed interval (open, with volume) of the plan: the number of the skill's
            intervals whose agents it set (``binding``); the total row sums them.
        """
        table = pd.DataFrame(self._skill_rows())
        table = pd.concat([table, pd.DataFrame([self._total_row(table)])], ignore_index=True)
        table["skill_id"] = table["skill_id"].astype("Int64")
        return pd.concat([table, self._binding_counts(table)], axis=1)

    def _binding_counts(self, table: pd.DataFrame) -> pd.DataFrame:
        """The ``set_by_*`` columns of :meth:`summary`: staffed intervals by what set them.

        One column per :data:`staffing.vocabulary.BINDING_COUNT_COLUMNS` value that sets at
        least one interval of the plan, in that order; the total row sums the skills'.
        """
        iv = self.intervals
        if "binding" not in iv.columns:  # a plan built by hand without the column
            return pd.DataFrame(index=table.index)
        # object, not str: a year's 1.75 M categorical rows convert in a blink
        counts = pd.crosstab(iv["skill_id"].to_numpy(), iv["binding"].astype(object).to_numpy())
        columns = {}
        for name, column in vocabulary.BINDING_COUNT_COLUMNS.items():
            if name in counts.columns and counts[name].sum() > 0:
                per_skill = table["skill_id"].map(counts[name]).fillna(0).astype("int64")
                per_skill.iloc[-1] = int(counts[name].sum())  # the All skills row
                columns[column] = per_skill
        return pd.DataFrame(columns, index=table.index)

    def _targeted_service_level(self, intervals: pd.DataFrame) -> pd.Series:
        """The intervals' service level, NaN for ``workload`` skills (no target)."""
        return intervals["service_level"].where(intervals["method"] != WORKLOAD)

    def _skill_rows(self) -> list[dict[str, Any]]:
        """The summary's row of each skill."""
        weeks = self.meta["days"] / 7.0
        hours = self.interval_minutes / 60.0
        trended = "wape_no_trend" in self.backtest.columns  # volume.trend: auto
        backtest = self.backtest.set_index("skill_id") if len(self.backtest) or trended else None
        wape = backtest["wape"] if backtest is not None else pd.Series(dtype=float)
        fte_week = self.skills.set_index("skill_id")["fte_hours_per_week"]
        rows = []
        for skill_id, part in self.intervals.groupby("skill_id", sort=False, observed=True):
            peak = int(np.argmax(part["agents"].to_numpy()))
            row = {
                "skill_id": skill_id,
                "skill_name": str(part["skill_name"].iloc[0]),
                "method": str(part["method"].iloc[0]),
                "weekly_volume": part["volume"].sum() / weeks,
                "mean_nht_s": weighted_mean(part["nht_s"], part["volume"]),
                "peak_agents": int(part["agents"].iloc[peak]),
                "peak_at": (
                    part["interval_start"].iloc[peak] if part["agents"].iloc[peak] > 0 else None
                ),
                "weekly_fte": (part["fte"].sum() * hours / fte_week[skill_id]) / weeks,
                "service_level": weighted_mean(self._targeted_service_level(part), part["volume"]),
                "p_abandon": weighted_mean(part["p_abandon"], part["volume"]),
                "wape": float(wape.get(skill_id, np.nan)),
            }
            if backtest is not None and trended:
                row["wape_no_trend"] = float(backtest["wape_no_trend"].get(skill_id, np.nan))
                row["trend_per_week"] = float(backtest["trend_per_week"].get(skill_id, np.nan))
            rows.append(row)
        return rows

    def _total_row(self, table: pd.DataFrame) -> dict[str, Any]:
        """The summary's ``All skills`` row, from the intervals and the skills' rows."""
        iv, backtest = self.intervals, self.backtest
        weeks = self.meta["days"] / 7.0
        total_agents = iv.groupby("interval_start", sort=True)["agents"].sum()
        peak_at = total_agents.idxmax() if len(total_agents) and total_agents.max() > 0 else None
        total = {
            "skill_id": pd.NA,
            "skill_name": "All skills",
            "method": "",
            "weekly_volume": iv["volume"].sum() / weeks,
            "mean_nht_s": weighted_mean(iv["nht_s"], iv["volume"]),
            "peak_agents": int(total_agents.max()) if len(total_agents) else 0,
            "peak_at": peak_at,
            "weekly_fte": table["weekly_fte"].sum(),
            "service_level": weighted_mean(self._targeted_service_level(iv), iv["volume"]),
            "p_abandon": weighted_mean(iv["p_abandon"], iv["volume"]),
            "wape": weighted_mean(backtest["wape"], backtest["actual_volume"])
            if len(backtest)
            else np.nan,
        }
        if "wape_no_trend" in backtest.columns:
            total["wape_no_trend"] = weighted_mean(
                backtest["wape_no_trend"], backtest["actual_volume"]
            )
            total["trend_per_week"] = np.nan
        return total
