"""What-if sweeps: many planning runs that differ in a few settings, as one table.

:func:`scenarios` runs the plan of a config once per combination of the values given
for a few settings (the cartesian product of the grids) and returns the weekly
requirement of every skill in every scenario as one long DataFrame, ready to pivot or
plot::

    sweep = staffing.scenarios("config/example.yaml",
                               service_level=[0.7, 0.8, 0.9], shrinkage=[0.25, 0.35])

Each scenario is an ordinary :func:`staffing.plan` run of the config with the grid
values applied through :func:`staffing.load_config`'s ``overrides`` (so every value is
validated exactly like a value in the YAML file), and its numbers are those of that
plan's ``weekly`` table.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffing.config import (
    SCOPES,
    STAFFING,
    GrowthSpec,
    PlanConfig,
    ResolvedSkill,
    ShrinkageSpec,
    load_config,
)
from staffing.errors import ConfigError
from staffing.plan import plan as run_plan
from staffing.vocabulary import CHAT, METHODS, WORKLOAD

__all__ = ["GRID_KEYS", "SCENARIO_COLUMNS", "scenarios"]

#: Settings :func:`scenarios` can sweep, with what each one sets.
GRID_KEYS: dict[str, str] = {
    "service_level": "service-level target [-] of every skill (answer-within time kept)",
    "shrinkage": "one flat shrinkage [-] for every skill (replaces by_weekday/by_hour)",
    "max_concurrency": "conversations per agent [-] of the chat skills",
    "method": "staffing method of every planned skill (workload, erlang_c, erlang_a, chat)",
    "growth": "volume.growth: one factor [-] for every skill, or {skill_id: factor}",
    "scope": "service_level.scope of every queueing skill (interval, day, week)",
    "staffing": "staffing of every queueing skill (stationary, time_stable)",
}

#: Columns after the grid columns, in order.
SCENARIO_COLUMNS = [
    "skill_id",
    "skill_name",
    "week_start",
    "volume",
    "agent_hours",
    "fte_hours",
    "fte_headcount",
    "service_level",
    "p_abandon",
    "peak_agents",
]


def scenarios(
    config: PlanConfig | str | Path | dict[str, Any],
    *,
    skills: Iterable[int | str] | None = None,
    nht_history: pd.DataFrame | None = None,
    volume: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
    **grids: Sequence[Any],
) -> pd.DataFrame:
    """Plan every combination of the grid values; one row per scenario x skill x week.

    Parameters
    ----------
    config : PlanConfig, path or dict
        The planning config, as :func:`staffing.plan` accepts it.
    skills : iterable of int or str, optional
        Plan only these skills (ids or names), e.g. one skill for a method comparison.
        Default: every skill of the config.
    nht_history, volume : DataFrame, optional
        Passed to :func:`staffing.plan` (NHT history in the store's shape; a volume
        forecast ``skill_id, interval_start, volume``), instead of the config's sources.
    progress : callable, optional
        Called with a short message before each scenario.
    **grids : list
        The values to sweep, one list per setting; the sweep is their cartesian product,
        in the order the keywords are given (the last one varies fastest):

        ``service_level``
            Service-level target [-], a share in (0, 1), for every planned skill; each
            skill keeps its ``answer_within_seconds``. A skill with no service level at
            all (none of its own and none in ``defaults``) is an error, except a
            ``workload`` skill, which is left as it is (no target changes its staffing).
        ``shrinkage``
            Shrinkage [-] in [0, 1), one flat value for every skill (its ``by_weekday``
            and ``by_hour`` overrides are dropped).
        ``max_concurrency``
            Conversations an agent holds at most [-], for the skills whose method is
            ``chat`` (other skills ignore it). A skill with a measured
            ``handle_time_by_load_seconds`` list [h_1..h_m] keeps its first k values when
            k <= m; for k > m the list is extended as h_j = h_m * j / m, i.e. an agent
            completes conversations no faster than at the last measured load.
        ``method``
            Staffing method of every planned skill (one of ``workload``, ``erlang_c``,
            ``erlang_a``, ``chat``); combine with ``skills=`` to compare the methods for
            one skill. The skill must have what the method needs (``patience_seconds``
            for erlang_a, ``max_concurrency`` for chat, a target for the queueing ones).
        ``growth``
            ``volume.growth`` [-]: one factor for every planned skill, or a mapping
            ``{skill_id: factor}`` (unlisted skills 1.0). Only with ``volume.source:
            history`` (a forecast file or frame is used as it is).
        ``scope``
            ``service_level.scope`` (``interval``, ``day``, ``week``) of every planned
            queueing skill; workload skills are left as they are. A day or week scope
            drops a ``time_stable`` staffing to ``stationary`` (they do not combine); an
            interval scope drops ``interval_floor``.
        ``staffing``
            ``stationary`` or ``time_stable`` for every planned queueing skill (workload
            skills are left as they are); ``time_stable`` sets the scope to ``interval``.

    Returns
    -------
    DataFrame
        Columns ``scenario`` (0, 1, ... in sweep order), one column per grid key with the
        scenario's value (named as the key, except ``service_level_target`` for the
        ``service_level`` grid, as the achieved ``service_level`` is a column too), then
        :data:`SCENARIO_COLUMNS`: ``skill_id``, ``skill_name``, ``week_start`` (local date
        the plan week starts), ``volume`` [-], ``agent_hours`` [h], ``fte_hours`` [h],
        ``fte_headcount`` [FTE], ``service_level`` (achieved, volume-weighted [-]),
        ``p_abandon`` (volume-weighted [-]) and ``peak_agents`` [-], as in
        :attr:`staffing.Plan.weekly`. Without any grid: the config's own plan as
        scenario 0.

    Raises
    ------
    ValueError
        An unknown grid key (the message lists the valid ones), a grid that is not a
        non-empty list, a value out of range, an unknown skill, ``growth`` with a volume
        forecast from a file or frame, or a ``service_level`` for a skill without one.
    ConfigError
        A scenario's config is invalid (e.g. ``method=["erlang_a"]`` for a skill without
        ``patience_seconds``); each problem is prefixed with the scenario's values.
    DataError
        As :func:`staffing.plan` (unusable history or forecast).

    Notes
    -----
    Shared by all scenarios:

    - the config is validated once (each scenario's overrides are validated again);
    - the NHT history is read (and fetched, when ``nht.fetch`` is true) once, by the first
      scenario; later scenarios receive its hourly history window as ``nht_history`` and
      never fetch;
    - the volume forecast is computed once per distinct ``growth`` value (by the first
      scenario with it) and passed to the others as ``volume``.

    Recomputed in every scenario, because :func:`staffing.plan` takes no precomputed NHT
    profile: the hourly preparation of the history window, the expected-NHT profile (a
    few milliseconds per skill), then the staffing itself and the roll-ups. Repeated
    inputs are solved once inside each plan (an hour-of-week forecast repeats every week),
    not across scenarios. The numbers are identical to running :func:`staffing.plan` on
    each scenario's config separately.
    """
    values = _checked_grids(grids)
    base = load_config(config)
    planned = _select_skills(base, skills)
    _check_growth(values, base, planned, volume)
    keys = list(values)
    combos = list(itertools.product(*(values[k] for k in keys)))
    shared = _Shared(nht_history=nht_history, volume=volume, history=nht_history)
    tables = []
    for number, combo in enumerate(combos):
        setting = dict(zip(keys, combo, strict=True))
        label = ", ".join(f"{k}={v!r}" for k, v in setting.items()) or "the config as it is"
        if progress is not None:
            progress(f"scenario {number + 1} of {len(combos)}: {label}")
        try:
            scenario_config = _scenario_config(base, planned, setting, fetch=number == 0)
        except ConfigError as exc:
            raise ConfigError([f"scenario {label}: {p}" for p in exc.problems]) from None
        weekly = _run_scenario(scenario_config, base, setting, shared)
        weekly.insert(0, "scenario", number)
        for position, key in enumerate(keys, start=1):
            weekly.insert(position, _column(key), [setting[key]] * len(weekly))
        tables.append(weekly)
    return pd.concat(tables, ignore_index=True)


def _checked_grids(grids: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """Every grid checked (:func:`_grid_values`); an unknown key lists the valid ones."""
    unknown = sorted(set(grids) - set(GRID_KEYS))
    if unknown:
        raise ValueError(
            f"unknown scenario grid key(s) {', '.join(map(repr, unknown))}; "
            f"valid keys: {', '.join(GRID_KEYS)}"
        )
    return {key: _grid_values(key, grid) for key, grid in grids.items()}


def _check_growth(
    values: dict[str, list[Any]],
    base: PlanConfig,
    planned: list[ResolvedSkill],
    volume: pd.DataFrame | None,
) -> None:
    """A ``growth`` grid needs a forecast from history and names only planned skills."""
    if "growth" not in values:
        return
    if volume is not None or base.volume.source != "history":
        where = "a volume DataFrame" if volume is not None else "volume.source 'file'"
        raise ValueError(
            f"growth applies to a forecast from history (volume.source "
            f"'history'); this plan uses {where}: scale the forecast instead"
        )
    ids = {s.skill_id for s in planned}
    for factor in values["growth"]:
        if isinstance(factor, Mapping):
            extra = sorted(set(factor) - ids)
            if extra:
                raise ValueError(
                    f"growth {factor!r}: skill(s) {extra} are not planned (planned: {sorted(ids)})"
                )


@dataclass
class _Shared:
    """What later scenarios take from earlier ones.

    ``history`` starts as the caller's ``nht_history`` (else the first plan's history
    window); ``volume_by_growth`` holds the first forecast of each ``growth`` value.
    """

    nht_history: pd.DataFrame | None
    volume: pd.DataFrame | None
    history: pd.DataFrame | None = None
    volume_by_growth: dict[str, pd.DataFrame] = field(default_factory=dict)


def _run_scenario(
    scenario_config: PlanConfig, base: PlanConfig, setting: dict[str, Any], shared: _Shared
) -> pd.DataFrame:
    """Plan one scenario, reusing what earlier ones read; its weekly table."""
    growth_key = repr(setting.get("growth"))
    # A plan's volume has its special days applied: passed back as a forecast they
    # would apply twice, so with special days each scenario forecasts again.
    cached = None if base.special_days else shared.volume_by_growth.get(growth_key)
    result = run_plan(
        # a scenario reports the skills' weekly figures; it does not staff the teams
        scenario_config.model_copy(update={"teams": []}),
        nht_history=shared.history if cached is not None else shared.nht_history,
        volume=cached if cached is not None else shared.volume,
    )
    if cached is None:
        shared.volume_by_growth[growth_key] = result.intervals[
            ["skill_id", "interval_start", "volume"]
        ].reset_index(drop=True)
    if shared.history is None and len(result.history):
        shared.history = result.history
    return result.weekly[SCENARIO_COLUMNS].copy()


def _column(key: str) -> str:
    """Column of a grid key (the achieved ``service_level`` keeps its own name)."""
    return "service_level_target" if key == "service_level" else key


def _grid_values(key: str, grid: Any) -> list[Any]:
    """Check one grid: a non-empty list of values of the right kind and range."""
    if isinstance(grid, str | bytes | Mapping) or not isinstance(grid, Iterable):
        raise ValueError(f"{key} must be a list of values to sweep, e.g. {key}=[...]; got {grid!r}")
    items = list(grid.tolist() if isinstance(grid, np.ndarray) else grid)
    if not items:
        raise ValueError(f"{key} is an empty list: give at least one value")
    for item in items:
        if key == "method":
            if item not in METHODS:
                raise ValueError(f"method {item!r} is unknown; valid methods: {', '.join(METHODS)}")
        elif key in ("scope", "staffing"):
            allowed = SCOPES if key == "scope" else STAFFING
            if item not in allowed:
                raise ValueError(f"{key} {item!r} is unknown; valid values: {', '.join(allowed)}")
        elif key == "growth" and isinstance(item, Mapping):
            for sid, factor in item.items():
                if not _is_number(factor) or not factor > 0 or isinstance(sid, bool):
                    raise ValueError(f"growth {item!r}: factor for {sid!r} must be a number > 0")
        elif key == "max_concurrency":
            if (
                isinstance(item, bool)
                or not isinstance(item, int | np.integer)
                or not 1 <= item <= 50
            ):
                raise ValueError(f"max_concurrency {item!r} must be a whole number from 1 to 50")
        elif not _is_number(item):
            raise ValueError(f"{key} {item!r} must be a number")
        elif key == "service_level" and not 0 < item < 1:
            raise ValueError(f"service_level {item!r} must be a share in (0, 1), e.g. 0.8")
        elif key == "shrinkage" and not 0 <= item < 1:
            raise ValueError(f"shrinkage {item!r} must be a share in [0, 1), e.g. 0.3")
        elif key == "growth" and not item > 0:
            raise ValueError(f"growth {item!r} must be a factor > 0, e.g. 1.05")
    return [item.item() if isinstance(item, np.generic) else item for item in items]


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _select_skills(config: PlanConfig, wanted: Iterable[int | str] | None) -> list[ResolvedSkill]:
    resolved = config.resolved_skills
    if wanted is None:
        return resolved
    if isinstance(wanted, int | str):
        wanted = [wanted]
    chosen: list[ResolvedSkill] = []
    for item in wanted:
        match = [s for s in resolved if item in (s.skill_id, s.skill_name)]
        if not match:
            listed = ", ".join(f"{s.skill_id} {s.skill_name!r}" for s in resolved)
            raise ValueError(f"skill {item!r} is not in the config (skills: {listed})")
        if match[0] not in chosen:
            chosen.append(match[0])
    if not chosen:
        raise ValueError("skills is empty: give at least one skill id or name")
    return chosen


def _handle_times(measured: tuple[float, ...], k: int) -> list[float]:
    """Measured h_1..h_m cut or extended to k loads (throughput capped at load m)."""
    m = len(measured)
    if k <= m:
        return list(measured[:k])
    return list(measured) + [measured[-1] * j / m for j in range(m + 1, k + 1)]


def _scenario_config(
    config: PlanConfig, planned: list[ResolvedSkill], setting: dict[str, Any], *, fetch: bool
) -> PlanConfig:
    """The config of one scenario: the planned skills' resolved settings with its values."""
    skills_out = []
    for skill in planned:
        change: dict[str, Any] = {}
        method = setting.get("method", skill.method)
        if "method" in setting:
            change["method"] = method
        if "service_level" in setting and (
            skill.service_level_target is not None or method != WORKLOAD
        ):
            if skill.service_level_target is None:
                raise ValueError(
                    f"service_level: skill {skill.skill_name!r} (id {skill.skill_id}) has no "
                    "service_level (and so no answer_within_seconds) to change the target of: "
                    "give it one in the config, or leave it out with skills="
                )
            change["service_level_target"] = float(setting["service_level"])
        if "shrinkage" in setting:
            change["shrinkage"] = ShrinkageSpec(default=float(setting["shrinkage"]))
        if "max_concurrency" in setting and method == CHAT:
            k = int(setting["max_concurrency"])
            change["max_concurrency"] = k
            if skill.handle_time_by_load_s is not None:
                change["handle_time_by_load_s"] = tuple(
                    _handle_times(skill.handle_time_by_load_s, k)
                )
        if method != WORKLOAD and ("scope" in setting or "staffing" in setting):
            scope = setting.get("scope", skill.scope)
            staffing = setting.get("staffing", skill.staffing)
            if "staffing" in setting and staffing == "time_stable":
                scope = "interval"
            elif "scope" in setting and scope != "interval":
                staffing = "stationary"
            change["scope"], change["staffing"] = scope, staffing
            if scope == "interval":
                change["interval_floor"] = None
        skills_out.append(replace(skill, **change))
    growth = config.volume.growth
    factors = {s.skill_id: growth.factor(s.skill_id) for s in planned}
    if "growth" in setting:
        chosen = setting["growth"]
        if isinstance(chosen, Mapping):
            factors = {sid: float(chosen.get(sid, 1.0)) for sid in factors}
        else:
            factors = dict.fromkeys(factors, float(chosen))
    # Every planned skill gets its factor by id, so all_skills is never looked up.
    scenario = config.with_skills(
        skills_out, growth=GrowthSpec(all_skills=growth.all_skills, by_skill=factors)
    )
    if not fetch and config.nht.fetch:  # the first scenario fetched already
        scenario = scenario.model_copy(
            update={"nht": scenario.nht.model_copy(update={"fetch": False})}
        )
    return scenario
