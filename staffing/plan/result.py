"""The planning run: from a planning config to required agents and FTE per skill and interval.

:func:`plan` validates the config, loads the NHT history (a CSV, the SQLite
history store, optionally fetching first, or a DataFrame), forecasts NHT and
volume, computes the on-queue agents each skill needs in every interval of the
horizon with its method, and rolls the result up per day and week.

Everything a planner sees is in the plan's local time zone; a DST week has 167
or 169 hourly intervals.

One job: the planning run, from inputs to the Plan's tables (its roll-ups included).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffing import daily, forecast, queueing, vocabulary
from staffing import special_days as specials
from staffing.config import PlanConfig, ResolvedSkill, load_config
from staffing.errors import DataError, DataWarning
from staffing.forecast import weighted_mean
from staffing.sources import files
from staffing.vocabulary import BASIS_NAMES, HISTORY_COLUMNS

__all__ = [
    "HISTORY_GAP_WEEKS",
    "INTERVAL_COLUMNS",
    "SHRINKAGE_WARN",
    "STAFFING_METHODS",
    "Plan",
    "horizon",
    "plan",
]

#: Columns of :attr:`Plan.intervals`, in order: :data:`staffing.vocabulary.INTERVAL_COLUMNS`,
#: re-exported as the list it has always been here (callers extend it).
INTERVAL_COLUMNS: list[str] = list(vocabulary.INTERVAL_COLUMNS)
_FLOAT_NOISE = 1e-9
#: Values of :attr:`Plan.staffing_method`: the rule that set an interval's agents.
STAFFING_METHODS: tuple[str, ...] = ("stationary", "day_scope", "week_scope", "time_stable")
#: A plan starting more than this many weeks after the history's end is warned about.
HISTORY_GAP_WEEKS = 8
#: Shrinkage above this share (in any hour of the week) is warned about.
SHRINKAGE_WARN = 0.6


@dataclass(repr=False)
class Plan:
    """Result of a planning run.

    Attributes
    ----------
    config : PlanConfig
        The validated config the run used.
    intervals : DataFrame
        One row per skill and interval, columns :data:`INTERVAL_COLUMNS`:
        ``interval_start`` tz-aware local; ``volume`` [-]; ``nht_s`` [s] and the rule that
        produced it (``nht_basis``); ``workload_erlangs`` = volume × NHT / interval [Erlang];
        ``agents`` on-queue agents (int); ``fte`` = agents / (1 − shrinkage) [FTE];
        achieved ``service_level`` [-], ``asa_s`` [s], ``p_abandon`` [-], ``occupancy`` [-]
        (NaN where no contact is served: zero volume or closed).
    daily, weekly : DataFrame
        Per skill and local date / plan week (weeks start on ``plan.start``).
    daily_total, weekly_total : DataFrame
        The same for all skills together.
    skills : DataFrame
        One row per skill with every resolved setting; ``shrinkage_mean`` (the weekly
        mean [-]) and ``shrinkage_profile`` (as configured, as text); a ``workload``
        skill's ``service_level_target`` and ``answer_within_s`` are NaN (not applied).
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
        Plan name, time zone, interval, horizon, history window, sources, version, run time;
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
    meta: dict[str, Any] = field(default_factory=dict)
    staffing_method: pd.Series | None = None
    special_days: pd.DataFrame | None = None

    def __repr__(self) -> str:
        return (
            f"Plan(name={self.meta.get('name')!r}, skills={len(self.skills)}, "
            f"intervals={len(self.intervals)}, start={self.meta.get('start')}, "
            f"end={self.meta.get('end')}, timezone={self.meta.get('timezone')!r})"
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

    def simulate(self, **options: Any) -> Any:
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
            skill's is Erlang C's reading of its staffing, with no target behind it: the
            outputs leave it blank, :func:`staffing.outputs.view.display_summary`), wape
            (volume backtest [-], NaN without one; the total is weighted by the held-out
            volume). With ``volume.trend: auto`` also wape_no_trend (the backtest WAPE
            without a trend) and trend_per_week (growth per week applied [-]).
        """
        iv = self.intervals
        weeks = self.meta["days"] / 7.0
        rows = []
        wape = (
            self.backtest.set_index("skill_id")["wape"]
            if len(self.backtest)
            else pd.Series(dtype=float)
        )
        fte_week = self.skills.set_index("skill_id")["fte_hours_per_week"]
        trended = "wape_no_trend" in self.backtest.columns  # volume.trend: auto
        if trended:
            no_trend = self.backtest.set_index("skill_id")["wape_no_trend"]
            per_week = self.backtest.set_index("skill_id")["trend_per_week"]
        hours = self.meta["interval_minutes"] / 60.0
        for skill_id, part in iv.groupby("skill_id", sort=False, observed=True):
            peak = int(np.argmax(part["agents"].to_numpy()))
            rows.append(
                {
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
                    "service_level": weighted_mean(part["service_level"], part["volume"]),
                    "p_abandon": weighted_mean(part["p_abandon"], part["volume"]),
                    "wape": float(wape.get(skill_id, np.nan)),
                    **(
                        {
                            "wape_no_trend": float(no_trend.get(skill_id, np.nan)),
                            "trend_per_week": float(per_week.get(skill_id, np.nan)),
                        }
                        if trended
                        else {}
                    ),
                }
            )
        table = pd.DataFrame(rows)
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
            "service_level": weighted_mean(iv["service_level"], iv["volume"]),
            "p_abandon": weighted_mean(iv["p_abandon"], iv["volume"]),
            "wape": weighted_mean(self.backtest["wape"], self.backtest["actual_volume"])
            if len(self.backtest)
            else np.nan,
        }
        if trended:
            total["wape_no_trend"] = weighted_mean(
                self.backtest["wape_no_trend"], self.backtest["actual_volume"]
            )
            total["trend_per_week"] = np.nan
        table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
        table["skill_id"] = table["skill_id"].astype("Int64")
        return table


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def _progress(callback: Callable[[str], None] | None, message: str) -> None:
    if callback is not None:
        callback(message)


def horizon(config: PlanConfig) -> pd.DatetimeIndex:
    """The plan's interval starts, local (``plan.start`` to ``plan.end`` inclusive).

    Parameters
    ----------
    config : PlanConfig
        A validated config.

    Returns
    -------
    pandas.DatetimeIndex
        tz-aware in ``plan.timezone``, one per interval, with its ``freq``.
    """
    return _horizon(config)


def _horizon(config: PlanConfig) -> pd.DatetimeIndex:
    tz = config.plan.timezone
    start = pd.Timestamp(config.plan.start).tz_localize(tz, nonexistent="shift_forward")
    end = pd.Timestamp(config.plan.end_exclusive).tz_localize(tz, nonexistent="shift_forward")
    grid = pd.date_range(start, end, freq=f"{config.plan.interval_minutes}min", inclusive="left")
    return grid.as_unit("ns")


def _load_history(
    config: PlanConfig, nht_history: pd.DataFrame | None, progress: Callable | None
) -> tuple[pd.DataFrame, str]:
    ids = [s.skill_id for s in config.resolved_skills]
    if nht_history is not None:
        return nht_history, "DataFrame"
    if config.nht.source == "file":
        _progress(progress, f"reading NHT history from {config.nht.path}")
        return files.read_history_file(config.nht.path), f"file {config.nht.path}"
    from staffing.sources.store import DEFAULT_STORE_PATH, HistoryStore

    path = config.nht.store or Path(DEFAULT_STORE_PATH)
    lp = config.nht.liveperson
    account = lp.account if lp is not None else None
    store = HistoryStore(path)
    if config.nht.fetch:
        from staffing.sources.liveperson.sync import RETENTION_WEEKS, fetch_history

        assert lp is not None  # the config checks this
        _progress(progress, f"fetching NHT history for account {account} into {path}")
        kwargs: dict[str, Any] = {"source": lp.source}
        if lp.domain_api:
            kwargs["domain_api"] = lp.domain_api
        # LivePerson keeps 9 weeks; older weeks of history_weeks come from the store alone.
        fetch_history(
            store,
            account,
            skill_ids=ids,
            weeks=min(config.nht.history_weeks, RETENTION_WEEKS),
            interval_minutes=60,
            progress=progress is not None,
            **kwargs,
        )
    _progress(progress, f"reading NHT history from the store {path}")
    frame = store.read(account, skill_ids=ids, interval_minutes=60)
    if account is None and "account" in frame.columns and frame["account"].nunique() > 1:
        accounts = ", ".join(sorted(map(str, frame["account"].unique())))
        raise DataError(
            f"the store {path} holds history of several accounts ({accounts}): "
            "set nht.liveperson.account to choose one"
        )
    label = f"store {path}" + (f" (account {account})" if account else "")
    return frame, label


def _volume_from_frame(
    frame: pd.DataFrame, grid: pd.DatetimeIndex, skills: list[ResolvedSkill], tz: str, where: str
) -> tuple[np.ndarray, pd.DataFrame, str | None]:
    """A planner's forecast on the plan grid (skill-major), its checked frame and a note."""
    vol = files.check_volume_frame(frame, timezone=tz, where=where)
    values, note = files.volume_on_grid(vol, grid, [s.skill_id for s in skills], where=where)
    return values, vol, note


def _special_days(
    vol: np.ndarray,
    nht: np.ndarray,
    effects: dict[str, np.ndarray],
    reference: pd.DataFrame,
    ids: np.ndarray,
    grid: pd.DatetimeIndex,
) -> tuple[np.ndarray, np.ndarray]:
    """Volume and NHT with the special days applied: like, then factors; closed is 0."""
    like = effects["like"]
    if not np.isnat(like).all():
        copied = specials.like_volume(reference, ids, grid, like)
        lacking = ~np.isnat(like) & np.isnan(copied)
        if lacking.any():
            row = int(np.flatnonzero(lacking)[0])
            raise DataError(
                f"special_days: like {like[row]} has no forecast volume for skill "
                f"{ids[row // len(grid)]} (the reference date must be in the "
                "volume file)"
            )
        vol = np.where(np.isnat(like), vol, copied)
    vol = np.where(effects["closed"], 0.0, vol * effects["volume_factor"])
    return vol, nht * effects["nht_factor"]


# ---------------------------------------------------------------------------
# Staffing
# ---------------------------------------------------------------------------


def _param(skills: list[ResolvedSkill], name: str, n: int, missing: float = np.nan) -> np.ndarray:
    values = [getattr(s, name) for s in skills]
    return np.repeat(np.array([missing if v is None else v for v in values], dtype=float), n)


def _chat_handle_times(
    skills: list[ResolvedSkill],
    rows: np.ndarray,
    skill_index: np.ndarray,
    nht: np.ndarray,
    k: int,
) -> np.ndarray:
    """h_j per row (shape (rows, k)): the configured list, else NHT × j."""
    out = nht[rows, None] * np.arange(1, k + 1, dtype=float)
    for index, skill in enumerate(skills):
        if skill.handle_time_by_load_s is not None and skill.max_concurrency == k:
            mine = skill_index[rows] == index
            out[mine] = np.asarray(skill.handle_time_by_load_s, dtype=float)
    return out


def _unique_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the first of each distinct input row, and the map back to all rows.

    Rows compare by their bytes, so only exactly equal inputs are merged (NaN patterns
    included). A plan from an hour-of-week profile repeats each week's inputs, so the
    engine then runs on about one week per skill instead of the whole horizon.
    """
    size = len(columns[0])
    matrix = np.ascontiguousarray(
        np.column_stack([np.asarray(c, dtype=float).reshape(size, -1) for c in columns])
    )
    keys = matrix.view(np.dtype((np.void, matrix.dtype.itemsize * matrix.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def _staff(
    skills: list[ResolvedSkill],
    skill_index: np.ndarray,
    volume: np.ndarray,
    nht: np.ndarray,
    is_open: np.ndarray,
    interval_s: float,
    grid: pd.DatetimeIndex,
    progress: Callable | None,
    shrinkage: np.ndarray | None = None,
    fixed_agents: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Agents and achieved metrics for every skill-interval (flat, skill-major arrays).

    Skills with ``service_level.scope`` day or week are staffed by
    :func:`staffing.daily.fewest_hours` (their day's or week's targets at the fewest
    FTE-hours); ``fixed_agents`` (where not NaN) replaces the computed agents before the
    floors, as time-stable staffing does. ``staffing_method`` records which rule set
    each interval.
    """
    n_per_skill = len(grid)
    size = volume.shape[0]
    method = np.repeat(np.array([s.method for s in skills]), n_per_skill)
    scope = np.repeat(
        np.array([s.scope if s.method != "workload" else "interval" for s in skills]), n_per_skill
    )
    sl = _param(skills, "service_level_target", n_per_skill)
    within = _param(skills, "answer_within_s", n_per_skill, 0.0)
    asa = _param(skills, "asa_s", n_per_skill)
    abandon = _param(skills, "max_abandon", n_per_skill)
    occ = _param(skills, "max_occupancy", n_per_skill)
    patience = _param(skills, "patience_s", n_per_skill, np.inf)
    conc = _param(skills, "max_concurrency", n_per_skill, 1.0).astype(np.int64)
    min_agents = _param(skills, "min_agents", n_per_skill, 0.0)

    agents = np.zeros(size, dtype=float)
    out = {
        name: np.full(size, np.nan) for name in ("service_level", "asa_s", "p_abandon", "occupancy")
    }
    served = is_open & (volume > 0)

    def given(values: np.ndarray, idx: np.ndarray) -> np.ndarray | None:
        part = values[idx]
        return None if np.isnan(part).all() else part  # the engine wants None there

    def handle_times(name: str, idx: np.ndarray, k: int) -> np.ndarray:
        if name == "chat":
            return _chat_handle_times(skills, idx, skill_index, nht, k)
        return nht[idx]

    groups: list[tuple[str, np.ndarray, int]] = []
    for name in ("workload", "erlang_c", "erlang_a"):
        rows = np.flatnonzero(served & (method == name))
        if rows.size:
            groups.append((name, rows, 1))
    for k in sorted({s.max_concurrency for s in skills if s.method == "chat"}):
        rows = np.flatnonzero(served & (method == "chat") & (conc == k))
        if rows.size:
            groups.append(("chat", rows, int(k)))

    # 1. required agents per method, once per distinct set of inputs (interval scope);
    #    skills with a day or week scope are staffed for the period as a whole
    for name, rows, k in groups:
        rows = rows[scope[rows] == "interval"]
        if not rows.size:
            continue
        if name == "workload":
            cap = np.where(np.isnan(occ[rows]), 1.0, occ[rows])
            agents[rows] = np.ceil(volume[rows] * nht[rows] / interval_s / cap - _FLOAT_NOISE)
            continue
        h = handle_times(name, rows, k)
        first, inverse = _unique_rows(
            volume[rows],
            h,
            within[rows],
            patience[rows],
            sl[rows],
            asa[rows],
            abandon[rows],
            occ[rows],
        )
        idx = rows[first]
        _progress(
            progress,
            f"staffing {rows.size:,} intervals with {name}"
            + (f" (k={k})" if name == "chat" else "")
            + f": {idx.size:,} distinct cases",
        )
        extra: dict[str, Any] = {}
        if name != "erlang_c":
            extra = {"patience_s": patience[idx], "max_abandon": given(abandon, idx)}
        agents[rows] = queueing.required_agents(
            name,
            volume=volume[idx],
            handle_time_s=h[first],
            interval_s=interval_s,
            service_level=given(sl, idx),
            answer_within_s=within[idx],
            asa_s=given(asa, idx),
            max_occupancy=given(occ, idx),
            **extra,
        )[inverse]
    for name, rows, k in groups:
        rows = rows[scope[rows] != "interval"]
        if rows.size:
            agents[rows] = _period_staff(
                skills,
                skill_index,
                name,
                rows,
                k,
                handle_times(name, rows, k),
                volume,
                within,
                patience,
                sl,
                asa,
                abandon,
                occ,
                min_agents,
                scope,
                interval_s,
                grid,
                shrinkage,
                progress,
            )
    if fixed_agents is not None:
        agents = np.where(np.isnan(fixed_agents), agents, fixed_agents)
    unmet = np.flatnonzero(~np.isfinite(agents))
    if unmet.size:  # the engine's answer when nothing up to 10^8 agents meets the targets
        first = unmet[0]
        raise DataError(
            f"skill {skills[skill_index[first]].skill_id}: no staffing up to 10^8 agents meets "
            f"its targets at {grid[first % n_per_skill]} ({unmet.size} interval(s) in all); "
            "check service_level, asa_seconds and max_abandon"
        )
    # 2. floors and closures apply to every method
    agents = np.where(served, np.maximum(agents, min_agents), 0.0)

    # 3. achieved metrics for the final staffing. workload has no queue of its own: its
    #    staffing is judged with Erlang C, or with Erlang A where the skill has a patience.
    for name, rows, k in groups:
        h = handle_times(name, rows, k)
        if name == "workload":
            finite = np.isfinite(patience[rows])
            parts = [("erlang_c", ~finite), ("erlang_a", finite)]
        else:
            parts = [(name, np.ones(rows.size, dtype=bool))]
        for model, mask in parts:
            if not mask.any():
                continue
            sub, hs = rows[mask], h[mask]
            first, inverse = _unique_rows(volume[sub], hs, within[sub], patience[sub], agents[sub])
            idx = sub[first]
            extra = {"patience_s": patience[idx]} if model != "erlang_c" else {}
            result = queueing.evaluate(
                model,
                agents[idx],
                volume=volume[idx],
                handle_time_s=hs[first],
                interval_s=interval_s,
                answer_within_s=within[idx],
                **extra,
            )
            for key in out:
                values = np.broadcast_to(np.asarray(result[key], dtype=float), idx.shape)
                out[key][sub] = values[inverse]
    out["agents"] = agents.astype(np.int64)
    out["staffing_method"] = np.where(scope == "interval", "stationary", scope + "_scope")
    if fixed_agents is not None:
        out["staffing_method"] = np.where(
            np.isnan(fixed_agents), out["staffing_method"], "time_stable"
        )
    return out


def _period_staff(
    skills: list[ResolvedSkill],
    skill_index: np.ndarray,
    name: str,
    rows: np.ndarray,
    k: int,
    h: np.ndarray,
    volume: np.ndarray,
    within: np.ndarray,
    patience: np.ndarray,
    sl: np.ndarray,
    asa: np.ndarray,
    abandon: np.ndarray,
    occ: np.ndarray,
    min_agents: np.ndarray,
    scope: np.ndarray,
    interval_s: float,
    grid: pd.DatetimeIndex,
    shrinkage: np.ndarray | None,
    progress: Callable | None,
) -> np.ndarray:
    """Agents of day- and week-scope rows: the period's targets at the fewest FTE-hours.

    Floors per interval: ``min_agents``, ``service_level.interval_floor``, the occupancy
    cap and more agents than the offered load (λ·h_k/k), where the service level is
    concave in the agents and the optimiser is exact (docs/models.md).
    """
    n_t = len(grid)
    floor_sl = _param(skills, "interval_floor", n_t)[rows]
    cap = occ[rows]
    floor_sl = np.where(np.isnan(floor_sl) & np.isnan(cap), 1e-9, floor_sl)
    first, inverse = _unique_rows(volume[rows], h, within[rows], patience[rows], floor_sl, cap)
    idx = rows[first]
    extra = {} if name == "erlang_c" else {"patience_s": patience[idx]}
    floor = queueing.required_agents(
        name,
        volume=volume[idx],
        handle_time_s=h[first],
        interval_s=interval_s,
        service_level=floor_sl[first] if not np.isnan(floor_sl).all() else None,
        answer_within_s=within[idx],
        max_occupancy=cap[first] if not np.isnan(cap).all() else None,
        **extra,
    )[inverse]
    h_last = h[:, -1] / k if h.ndim == 2 else h
    stable = np.floor(volume[rows] * h_last / interval_s * (1 + 1e-12)) + 1.0
    floor = np.maximum(np.maximum(floor, stable), min_agents[rows])
    day_codes, _ = pd.factorize(grid.normalize())
    day_codes = np.asarray(day_codes, dtype=np.int64)
    n_days = int(day_codes.max()) + 1
    local_day = grid.tz_localize(None).normalize()
    week_codes = (np.asarray((local_day - local_day[0]).days) // 7).astype(np.int64)
    t = rows % n_t
    period = np.where(scope[rows] == "day", day_codes[t], n_days + week_codes[t])
    group = skill_index[rows] * (n_days + int(week_codes.max()) + 1) + period
    shrink = np.zeros(rows.size) if shrinkage is None else shrinkage[rows]
    cost = interval_s / 3600.0 / (1.0 - shrink)
    _progress(
        progress,
        f"staffing {rows.size:,} intervals with {name} for their day or week "
        "at the fewest FTE-hours",
    )
    try:
        return daily.fewest_hours(
            name,
            floor,
            volume=volume[rows],
            handle_time_s=h,
            interval_s=interval_s,
            answer_within_s=within[rows],
            patience_s=patience[rows],
            group=group,
            cost=cost,
            service_level=sl[rows],
            asa_s=asa[rows],
            max_abandon=abandon[rows] if name != "erlang_c" else None,
        )
    except ValueError as exc:
        skill = skills[skill_index[rows[0]]]
        raise DataError(f"skill {skill.skill_id} ({name}): {exc}") from None


# ---------------------------------------------------------------------------
# Roll-ups
# ---------------------------------------------------------------------------


def _rollups(
    skills: list[ResolvedSkill],
    grid: pd.DatetimeIndex,
    start_date: Any,
    arrays: dict,
    interval_minutes: int,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n_sk, n_t = len(skills), len(grid)
    hours = interval_minutes / 60.0
    day = grid.normalize()
    day_codes, day_values = pd.factorize(day)
    day_dates = pd.DatetimeIndex(day_values).date
    week_codes = np.asarray((day.tz_localize(None) - pd.Timestamp(start_date)).days) // 7
    week_codes = week_codes.astype(np.int64)
    n_days, n_weeks = len(day_values), int(week_codes.max()) + 1 if n_t else 0

    vol = arrays["volume"].reshape(n_sk, n_t)
    agents = arrays["agents"].reshape(n_sk, n_t).astype(float)
    fte = arrays["fte"].reshape(n_sk, n_t)
    nht = arrays["nht_s"].reshape(n_sk, n_t)
    sl = arrays["service_level"].reshape(n_sk, n_t)
    pab = arrays["p_abandon"].reshape(n_sk, n_t)

    def per(codes: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
        """Sum over time groups for each skill -> (n_sk, n_groups)."""
        flat = (np.arange(n_sk)[:, None] * n_groups + codes[None, :]).ravel()
        return np.bincount(flat, weights=values.ravel(), minlength=n_sk * n_groups).reshape(
            n_sk, n_groups
        )

    def wmean(codes, n_groups, values, weights):
        ok = np.isfinite(values) & (weights > 0)
        num = per(codes, n_groups, np.where(ok, values * weights, 0.0))
        den = per(codes, n_groups, np.where(ok, weights, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            return num / den, num.sum(axis=0) / den.sum(axis=0)

    ids = np.array([s.skill_id for s in skills], dtype=np.int64)
    names = np.array([s.skill_name for s in skills], dtype=object)
    fte_week = np.array([s.fte_hours_per_week for s in skills], dtype=float)

    d_vol, d_ah, d_fh = (per(day_codes, n_days, x) for x in (vol, agents * hours, fte * hours))
    daily = pd.DataFrame(
        {
            "skill_id": np.repeat(ids, n_days),
            "skill_name": np.repeat(names, n_days),
            "date": np.tile(day_dates, n_sk),
            "volume": d_vol.ravel(),
            "agent_hours": d_ah.ravel(),
            "fte_hours": d_fh.ravel(),
        }
    )
    daily_total = pd.DataFrame(
        {
            "date": day_dates,
            "volume": d_vol.sum(0),
            "agent_hours": d_ah.sum(0),
            "fte_hours": d_fh.sum(0),
        }
    )

    w_vol, w_ah, w_fh = (per(week_codes, n_weeks, x) for x in (vol, agents * hours, fte * hours))
    w_nht, t_nht = wmean(week_codes, n_weeks, nht, vol)
    w_sl, t_sl = wmean(week_codes, n_weeks, sl, vol)
    w_pab, t_pab = wmean(week_codes, n_weeks, pab, vol)
    peak = np.zeros((n_sk, n_weeks))
    total_peak = np.zeros(n_weeks)
    sum_agents = agents.sum(axis=0)
    for week in range(n_weeks):  # one step per week, not per interval
        cols = week_codes == week
        peak[:, week] = agents[:, cols].max(axis=1)
        total_peak[week] = sum_agents[cols].max()
    week_start = np.array([start_date + timedelta(weeks=w) for w in range(n_weeks)])
    days_in_week = np.bincount(
        week_codes[np.unique(day_codes, return_index=True)[1]], minlength=n_weeks
    )
    headcount = w_fh / fte_week[:, None]
    weekly = pd.DataFrame(
        {
            "skill_id": np.repeat(ids, n_weeks),
            "skill_name": np.repeat(names, n_weeks),
            "week_start": np.tile(week_start, n_sk),
            "days": np.tile(days_in_week, n_sk),
            "volume": w_vol.ravel(),
            "agent_hours": w_ah.ravel(),
            "fte_hours": w_fh.ravel(),
            "fte_headcount": headcount.ravel(),
            "nht_s": w_nht.ravel(),
            "service_level": w_sl.ravel(),
            "p_abandon": w_pab.ravel(),
            "peak_agents": peak.ravel().astype(np.int64),
        }
    )
    weekly_total = pd.DataFrame(
        {
            "week_start": week_start,
            "days": days_in_week,
            "volume": w_vol.sum(0),
            "agent_hours": w_ah.sum(0),
            "fte_hours": w_fh.sum(0),
            "fte_headcount": headcount.sum(0),
            "nht_s": t_nht,
            "service_level": t_sl,
            "p_abandon": t_pab,
            "peak_agents": total_peak.astype(np.int64),
        }
    )
    return daily, daily_total, weekly, weekly_total


def _shrinkage_text(spec: Any) -> str:
    """The configured shrinkage profile: ``0.32; sat 0.25, sun 0.25; 12:00 0.45``."""
    parts = [f"{spec.default:g}"]
    if spec.by_weekday:
        parts.append(", ".join(f"{day} {value:g}" for day, value in spec.by_weekday.items()))
    if spec.by_hour:
        parts.append(
            ", ".join(f"{hour:02d}:00 {value:g}" for hour, value in sorted(spec.by_hour.items()))
        )
    return "; ".join(parts)


def _skills_table(config: PlanConfig) -> pd.DataFrame:
    rows = []
    for s in config.resolved_skills:
        hours = s.open_hours
        open_text = (
            "24/7"
            if hours is None
            else "; ".join(
                f"{day} "
                + (
                    ",".join(
                        f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"
                        for a, b in getattr(hours, day)
                    )
                    or "closed"
                )
                for day in vocabulary.WEEKDAYS
            )
        )
        rows.append(
            {
                "skill_id": s.skill_id,
                "skill_name": s.skill_name,
                "method": s.method,
                # workload has no service-level target: a default's is not listed as applied
                "service_level_target": None if s.method == "workload" else s.service_level_target,
                "answer_within_s": None if s.method == "workload" else s.answer_within_s,
                "asa_s": s.asa_s,
                "max_abandon": s.max_abandon,
                "max_occupancy": s.max_occupancy,
                "patience_s": s.patience_s,
                "max_concurrency": s.max_concurrency,
                "handle_time_by_load_s": (
                    None
                    if s.handle_time_by_load_s is None
                    else ", ".join(f"{x:g}" for x in s.handle_time_by_load_s)
                ),
                "shrinkage_mean": round(float(s.shrinkage.hour_of_week().mean()), 6),
                "shrinkage_profile": _shrinkage_text(s.shrinkage),
                "min_agents": s.min_agents,
                "open_hours": open_text,
                "fte_hours_per_week": s.fte_hours_per_week,
                "nht_seconds": s.nht_seconds,
                "nht_fallback_s": s.nht_fallback_s,
                "growth": config.volume.growth.factor(s.skill_id),
                # workload skills have no queue: staffed per interval whatever they say
                "scope": s.scope if s.method != "workload" else "interval",
                "interval_floor": s.interval_floor,
                "staffing": s.staffing if s.method != "workload" else "stationary",
            }
        )
    frame = pd.DataFrame(rows)
    for column in (
        "service_level_target",
        "answer_within_s",
        "asa_s",
        "max_abandon",
        "max_occupancy",
        "patience_s",
        "nht_seconds",
        "nht_fallback_s",
        "interval_floor",
    ):
        frame[column] = frame[column].astype(float)
    frame["max_concurrency"] = frame["max_concurrency"].astype("Int64")
    return frame


# ---------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------


def _run_warnings(
    config: PlanConfig,
    skills: list[ResolvedSkill],
    grid: pd.DatetimeIndex,
    window: tuple[pd.Timestamp, pd.Timestamp] | None,
    vol: np.ndarray,
    is_open: np.ndarray,
    arrays: dict[str, np.ndarray],
    shrink_table: np.ndarray,
) -> list[str]:
    """What the planner should double-check in this run, one short text each."""
    out: list[str] = []
    n_t = len(grid)
    tz = config.plan.timezone
    if window is not None and n_t:
        first, (hist_start, hist_end) = grid[0], window
        span = (
            f"{hist_start.tz_convert(tz):%Y-%m-%d} to "
            f"{(hist_end - pd.Timedelta(seconds=1)).tz_convert(tz):%Y-%m-%d}"
        )
        if first < hist_start:
            out.append(
                f"the plan starts on {first:%Y-%m-%d}, before the history it is "
                f"forecast from ({span})"
            )
        elif first < hist_end:
            out.append(
                f"the plan starts on {first:%Y-%m-%d}, inside the history it is "
                f"forecast from ({span}): it plans weeks that already happened"
            )
        elif first >= hist_end + pd.Timedelta(weeks=HISTORY_GAP_WEEKS):
            gap = (first - hist_end) / pd.Timedelta(weeks=1)
            out.append(
                f"the plan starts {gap:,.0f} weeks after the history ends ({span}); "
                f"more than {HISTORY_GAP_WEEKS} weeks: the forecast may be out of date"
            )
    per_skill = vol.reshape(len(skills), n_t) if n_t else vol.reshape(len(skills), 0)
    if n_t and not (per_skill > 0).any():
        out.append(
            "the volume forecast is 0 in every interval of every skill: nothing is "
            "staffed and there is no peak"
        )
    else:
        empty = [s for s, row in zip(skills, per_skill, strict=True) if not (row > 0).any()]
        if empty:
            out.append(
                "no volume forecast in the horizon for "
                + ", ".join(f"{s.skill_name!r} ({s.skill_id})" for s in empty)
                + ": no agents planned"
            )
    closed = ~is_open & (vol > 0)
    if closed.any():
        by_skill = np.bincount(
            np.repeat(np.arange(len(skills)), n_t)[closed],
            weights=vol[closed],
            minlength=len(skills),
        )
        listed = ", ".join(
            f"{s.skill_name!r} {v:,.0f}" for s, v in zip(skills, by_skill, strict=True) if v > 0
        )
        out.append(
            f"{vol[closed].sum():,.0f} contacts forecast in closed hours are not staffed ({listed})"
        )
    for skill, row in zip(skills, shrink_table, strict=True):
        if row.max() > SHRINKAGE_WARN:
            out.append(
                f"skill {skill.skill_name!r} ({skill.skill_id}): shrinkage up to "
                f"{row.max():.0%}, above {SHRINKAGE_WARN:.0%} (a share: 0.3 is 30 %)"
            )
    # Stationary interval targets are met by construction; say so if one is not.
    sl = arrays["service_level"]
    for index, skill in enumerate(skills):
        target = skill.service_level_target
        if skill.method == "workload" or target is None or skill.scope != "interval":
            continue
        part = slice(index * n_t, (index + 1) * n_t)
        missed = (sl[part] < target - 1e-6) & (arrays["agents"][part] > 0)
        if missed.any():
            out.append(
                f"skill {skill.skill_name!r} ({skill.skill_id}): {int(missed.sum()):,} "
                f"interval(s) below the {target:.0%} service-level target"
            )
    return out


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def plan(
    config_or_path_or_dict: PlanConfig | str | Path | dict[str, Any],
    *,
    nht_history: pd.DataFrame | None = None,
    volume: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
    time_stable: dict[str, Any] | None = None,
) -> Plan:
    """Run a plan: required on-queue agents and FTE per skill and interval.

    Parameters
    ----------
    config_or_path_or_dict : PlanConfig, path or dict
        The planning config (validated with :func:`staffing.load_config` unless already).
    nht_history : DataFrame, optional
        NHT history in the history store's shape (UTC ``interval_start``), used instead of
        the config's ``nht`` source.
    volume : DataFrame, optional
        A volume forecast (``skill_id, interval_start, volume``; naive times are local),
        used instead of the config's ``volume`` source.
    progress : callable, optional
        Called with a short message at each stage (the command line prints them).
    time_stable : dict, optional
        Options of the simulation behind ``staffing: time_stable`` skills: keyword
        arguments of :func:`staffing.simulation.time_stable.time_stable_agents`
        (``replications`` 20, ``seed`` 0, ``max_iterations`` 8, and ``simulate``'s
        ``workers``, ``ramp``, ...).

    Returns
    -------
    Plan

    Raises
    ------
    ConfigError
        The config is invalid (every problem listed).
    DataError
        History or forecast unusable: a skill without usable NHT, a forecast with a
        missing interval, NaN or negative volume, an unknown skill (naming file, skill, time).

    Notes
    -----
    Methods (``volume`` per interval of ``interval_s`` seconds, ``h`` = NHT):

    - ``workload``: agents = ⌈volume·h / interval_s / max_occupancy⌉ (cap 1 when not
      given). Its achieved figures come from ``queueing.evaluate("erlang_c")`` for that
      staffing, or ``"erlang_a"`` when the skill has a ``patience_seconds``.
    - ``erlang_c`` / ``erlang_a``: :func:`staffing.queueing.required_agents` with handle
      time = NHT, every target given and the occupancy cap.
    - ``chat``: the chat model with k = ``max_concurrency`` and h_j =
      ``handle_time_by_load_seconds[j-1]``, else NHT·j. With the configured list the
      forecast NHT is not used for staffing (``nht_s`` and ``workload_erlangs`` still show it).

    A queueing skill with ``service_level.scope`` day or week is staffed for the period
    instead: its volume-weighted targets at the fewest FTE-hours (:mod:`staffing.daily`),
    over floors per interval. A skill with ``staffing: time_stable`` is staffed by
    simulation (:mod:`staffing.simulation.time_stable`), starting from the stationary
    agents. Workload skills are staffed per interval whatever they say.

    Then, for every method: closed intervals get 0 agents; open intervals with volume > 0
    get at least ``min_agents``; the achieved figures are computed for the final agents
    (NaN where no contact is served). fte = agents / (1 − shrinkage) with the shrinkage of
    the local hour of the week. Volume arriving while closed is counted in ``volume`` but
    not staffed; ``meta["closed_volume"]`` reports it.
    """
    run_at = datetime.now(UTC)
    _progress(progress, "validating the config")
    config = load_config(config_or_path_or_dict)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        result = _plan(config, nht_history, volume, progress, time_stable, run_at)
    notes = result.warnings
    for warning in caught:  # implausible data: into the plan's warnings, and warned again
        if issubclass(warning.category, DataWarning) and str(warning.message) not in notes:
            notes.append(str(warning.message))
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return result


def _plan(
    config: PlanConfig,
    nht_history: pd.DataFrame | None,
    volume: pd.DataFrame | None,
    progress: Callable[[str], None] | None,
    time_stable: dict[str, Any] | None,
    run_at: datetime,
) -> Plan:
    """The planning run of :func:`plan` (its warnings recorded by the caller)."""
    tz = config.plan.timezone
    skills = config.resolved_skills
    ids = np.array([s.skill_id for s in skills], dtype=np.int64)
    minutes = config.plan.interval_minutes
    interval_s = minutes * 60.0
    grid = _horizon(config)
    n_t, n_sk = len(grid), len(skills)

    needs_history = (volume is None and config.volume.source == "history") or any(
        s.nht_seconds is None for s in skills
    )
    if needs_history:
        raw, nht_source = _load_history(config, nht_history, progress)
        hourly = forecast.hourly_history(raw, where=nht_source)
        hourly = hourly[hourly["skill_id"].isin(ids)].reset_index(drop=True)
    else:
        hourly = forecast.hourly_history(
            pd.DataFrame(columns=list(HISTORY_COLUMNS)).astype(
                {"skill_id": "int64", "interval_start": "datetime64[ns, UTC]"}
            )
        )
        nht_source = "overrides only"
    notes: list[str] = list(config.warnings)
    hourly, in_history = specials.leave_out_special_days(
        hourly, specials.special_day_table(config.special_days, ids), timezone=tz
    )
    if in_history:
        notes.append(f"special days left out of the history: {', '.join(in_history)}")
    history_weeks = config.nht.history_weeks
    window = forecast.history_window(hourly, history_weeks) if len(hourly) else None
    if all(s.nht_seconds is not None for s in skills):
        nht_source = "overrides only"

    _progress(progress, "forecasting NHT")
    profile = forecast.nht_profile(
        hourly,
        skills,
        timezone=tz,
        history_weeks=history_weeks,
        min_segments=config.nht.min_segments,
    )
    how = forecast.hour_of_week(grid)
    flat_how = np.tile(how, n_sk)
    skill_index = np.repeat(np.arange(n_sk), n_t)
    nht_table = profile["nht_s"].to_numpy().reshape(n_sk, 168)
    basis_table = profile["nht_basis"].to_numpy().reshape(n_sk, 168)
    nht = nht_table[skill_index, flat_how]
    basis = basis_table[skill_index, flat_how]

    _progress(progress, "forecasting volume")
    special = specials.special_day_table(
        config.special_days,
        ids,
        first=config.plan.start,
        last=config.plan.end_exclusive - timedelta(days=1),
    )
    effects = specials.day_effects(special, ids, grid)
    if volume is not None or config.volume.source == "file":
        where = "volume DataFrame" if volume is not None else str(config.volume.path)
        if volume is None:
            volume = files.read_volume_file(
                config.volume.path, timezone=tz, sheet=config.volume.sheet
            )
        vol, reference, note = _volume_from_frame(volume, grid, skills, tz, where)
        notes += [note] if note else []
        volume_source, bt = (
            "DataFrame" if where == "volume DataFrame" else f"file {where}",
            pd.DataFrame(columns=["skill_id", "skill_name", "wape", "actual_volume", "hours"]),
        )
    else:
        vweeks = config.volume.history_weeks or history_weeks
        _, hist_end = forecast.history_window(hourly, vweeks)  # DataError when empty
        recent = hourly[
            (hourly["interval_start"] >= hist_end - pd.Timedelta(weeks=vweeks))
            & hourly["arrivals"].notna()
        ]
        silent = [s for s in skills if s.skill_id not in set(recent["skill_id"].unique())]
        if silent:
            listed = ", ".join(f"{s.skill_name!r} (id {s.skill_id})" for s in silent)
            raise DataError(
                f"{nht_source}: no arrivals at all for skill(s) {listed} in the last {vweeks} "
                "weeks of history, so volume.source 'history' cannot forecast them: check the "
                "skill id, or give a volume file"
            )
        _progress(progress, "backtesting the volume forecast on the last week")
        auto = config.volume.trend == "auto"
        bt = forecast.backtest(
            hourly, skills, timezone=tz, weeks=vweeks, decay=config.volume.recency_decay, trend=auto
        )
        slope = pd.Series(0.0, index=ids)
        if auto:  # the trend of the whole window, for the skills whose backtest it improves
            used = bt.set_index("skill_id")["trend_used"].reindex(ids).fillna(False)
            fitted = forecast.weekly_trend(hourly, ids, weeks=vweeks, end=hist_end).fillna(0.0)
            slope = fitted.where(used.to_numpy(dtype=bool), 0.0)
            bt["trend_per_week"] = np.expm1(slope.reindex(bt["skill_id"]).to_numpy())
        vprof = forecast.volume_profile(
            hourly,
            ids,
            timezone=tz,
            weeks=vweeks,
            decay=config.volume.recency_decay,
            trend=slope if auto else None,
        )
        growth = np.array([config.volume.growth.factor(s.skill_id) for s in skills])
        per_hour = vprof["volume"].to_numpy().reshape(n_sk, 168) * growth[:, None]

        def base_volume(times: pd.DatetimeIndex) -> np.ndarray:
            trend = forecast.trend_factor(slope.to_numpy()[:, None], times, hist_end)
            return (per_hour[:, forecast.hour_of_week(times)] * trend).ravel() * (minutes / 60)

        vol = base_volume(grid)
        days = specials.local_days(effects["like"], tz, minutes)
        reference = pd.DataFrame(
            {
                "skill_id": np.repeat(ids, len(days)),
                "interval_start": days.append([days] * (n_sk - 1)) if n_sk > 1 else days,
                "volume": base_volume(days),
            }
        )
        volume_source = (
            f"history ({vweeks} weeks, recency decay "
            f"{config.volume.recency_decay:g}, growth applied"
            + (", weekly trend where it improves the backtest)" if auto else ")")
        )
    if len(special):
        vol, nht = _special_days(vol, nht, effects, reference, ids, grid)

    weekday = np.asarray(grid.day_of_week)
    minute_of_day = np.asarray(grid.hour * 60 + grid.minute)
    is_open = np.ones(n_sk * n_t, dtype=bool)
    for index, skill in enumerate(skills):
        if skill.open_hours is not None:
            is_open[index * n_t : (index + 1) * n_t] = skill.open_hours.is_open(
                weekday, minute_of_day, minutes
            )
    is_open &= ~effects["closed"]
    shrink_table = np.stack([s.shrinkage.hour_of_week() for s in skills])
    shrinkage = shrink_table[skill_index, flat_how]

    arrays = _staff(skills, skill_index, vol, nht, is_open, interval_s, grid, progress, shrinkage)
    arrays["volume"], arrays["nht_s"] = vol, nht
    arrays["fte"] = arrays["agents"] / (1.0 - shrinkage)

    _progress(progress, "building the tables")
    intervals = pd.DataFrame(
        {
            "skill_id": np.repeat(ids, n_t),
            "skill_name": pd.Categorical.from_codes(skill_index, [s.skill_name for s in skills]),
            "interval_start": grid.append([grid] * (n_sk - 1)) if n_sk > 1 else grid,
            "volume": vol,
            "nht_s": nht,
            "nht_basis": pd.Categorical(basis, categories=list(BASIS_NAMES)),
            "workload_erlangs": vol * nht / interval_s,
            "agents": arrays["agents"],
            "fte": arrays["fte"],
            "shrinkage": shrinkage,
            "service_level": arrays["service_level"],
            "asa_s": arrays["asa_s"],
            "p_abandon": arrays["p_abandon"],
            "occupancy": arrays["occupancy"],
            "method": pd.Categorical(
                np.repeat([s.method for s in skills], n_t),
                categories=["workload", "erlang_c", "erlang_a", "chat"],
            ),
        }
    )
    daily, daily_total, weekly, weekly_total = _rollups(
        skills, grid, config.plan.start, arrays, minutes
    )
    history = hourly
    if window is not None:
        history = hourly[
            (hourly["interval_start"] >= window[0]) & (hourly["interval_start"] < window[1])
        ].copy()
        history["interval_start"] = history["interval_start"].dt.tz_convert(tz)
        history = history.reset_index(drop=True)

    closed_volume = float(vol[~is_open].sum())
    meta = {
        "name": config.plan.name,
        "config_file": config.source,
        "timezone": tz,
        "interval_minutes": minutes,
        "start": config.plan.start.isoformat(),
        "end": (config.plan.end_exclusive - timedelta(days=1)).isoformat(),
        "days": (config.plan.end_exclusive - config.plan.start).days,
        "history_start": None if window is None else window[0].tz_convert(tz).isoformat(),
        "history_end": None if window is None else window[1].tz_convert(tz).isoformat(),
        "history_weeks": history_weeks,
        "nht_source": nht_source,
        "volume_source": volume_source,
        "closed_volume": closed_volume,
        "staffing_version": vocabulary.VERSION,
        "run_at_utc": run_at.isoformat(timespec="seconds"),
        "notes": notes,
        "special_days_in_history": in_history,
    }
    notes += _run_warnings(config, skills, grid, window, vol, is_open, arrays, shrink_table)
    if closed_volume > 0:
        _progress(
            progress,
            f"note: {closed_volume:,.0f} contacts are forecast in closed hours and are not staffed",
        )
    result = Plan(
        config=config,
        intervals=intervals,
        daily=daily,
        daily_total=daily_total,
        weekly=weekly,
        weekly_total=weekly_total,
        skills=_skills_table(config),
        history=history,
        nht_profile=profile,
        backtest=bt,
        meta=meta,
        staffing_method=pd.Series(
            pd.Categorical(arrays["staffing_method"], categories=list(STAFFING_METHODS)),
            name="staffing_method",
        ),
        special_days=special.assign(
            skill_name=special["skill_id"].map({s.skill_id: s.skill_name for s in skills})
        )[["date", "skill_id", "skill_name", *specials.SPECIAL_DAY_COLUMNS[2:]]],
    )
    stable_ids = [
        s.skill_id for s in skills if s.staffing == "time_stable" and s.method != "workload"
    ]
    if stable_ids:
        from staffing.simulation.time_stable import time_stable_agents

        _progress(progress, f"time-stable staffing of {len(stable_ids)} skill(s) by simulation")
        fixed, report = time_stable_agents(result, stable_ids, **(time_stable or {}))
        arrays = _staff(
            skills,
            skill_index,
            vol,
            nht,
            is_open,
            interval_s,
            grid,
            None,
            shrinkage,
            fixed_agents=fixed,
        )
        arrays["volume"], arrays["nht_s"] = vol, nht
        arrays["fte"] = arrays["agents"] / (1.0 - shrinkage)
        intervals = intervals.copy()
        for column in ("agents", "fte", "service_level", "asa_s", "p_abandon", "occupancy"):
            intervals[column] = arrays[column]
        daily, daily_total, weekly, weekly_total = _rollups(
            skills, grid, config.plan.start, arrays, minutes
        )
        result = replace(
            result,
            intervals=intervals,
            daily=daily,
            daily_total=daily_total,
            weekly=weekly,
            weekly_total=weekly_total,
            meta={**meta, "time_stable": report},
            staffing_method=pd.Series(
                pd.Categorical(arrays["staffing_method"], categories=list(STAFFING_METHODS)),
                name="staffing_method",
            ),
        )
    return result
