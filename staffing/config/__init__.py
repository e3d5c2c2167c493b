"""Planning configuration: the YAML file a planner writes, validated as a whole.

:func:`load_config` reads a YAML file (or takes a dict), checks every section
with strict pydantic v2 models (unknown keys are errors, so a typo never goes
unnoticed), merges ``defaults`` into each skill, checks what each skill's
method needs, and raises one :class:`~staffing.errors.ConfigError` listing
**every** problem, each as ``<file>: <key path>: <what is wrong>``, for
example ``plan.yaml: skills[2].service_level.target: must be < 1 (got 1.5)``.

The package is split by job: :mod:`~staffing.config.base` (the strict model base, field
types, path resolution), :mod:`~staffing.config.hours` (open hours, and the one clock
parser and formatter :func:`parse_clock` / :func:`format_clock`),
:mod:`~staffing.config.skills` (skill settings, resolution, shrinkage),
:mod:`~staffing.config.special_days` (the ``special_days:`` model),
:mod:`~staffing.config.shifts` (``shifts:`` and ``scheduled:``),
:mod:`~staffing.config.sections` (``plan``, ``nht``, ``volume``, ``output``),
:mod:`~staffing.config.model` (:class:`PlanConfig` and the rules across sections),
:mod:`~staffing.config.wording` (validation errors as messages) and
:mod:`~staffing.config.loading` (:func:`load_config`).

Relative paths in the file are resolved against the file's own folder (for a
dict, against the current folder). Credentials never appear in a config: the
LivePerson keys come only from the environment, and a value of an unknown key
is never echoed in an error message.

Keys (durations in seconds, shares as fractions)::

    plan:      name, start (date), weeks | end (inclusive date), timezone (IANA),
               interval_minutes (15 | 30 | 60, default 60)
    nht:       source (store | file), path (file), store (SQLite path; default
               .staffing/history.sqlite in the working folder), history_weeks (8),
               min_segments (20), fetch (false),
               liveperson: {account, domain_api, source ("staffing")}
    volume:    source (file | history), path, sheet (xlsx), growth (number, or
               {skill_id: factor}), history_weeks (default nht.history_weeks),
               recency_decay (0.75), trend (auto | off, default off)
    defaults:  any skill setting below; ``nht_seconds`` here is the last NHT fallback
    skills:    - id, name, and any of: method (workload | erlang_c | erlang_a | chat),
                 service_level {target, answer_within_seconds, scope (interval | day |
                 week), interval_floor}, staffing (stationary | time_stable),
                 asa_seconds, max_abandon,
                 max_occupancy, patience_seconds, max_concurrency,
                 handle_time_by_load_seconds [h_1..h_k], shrinkage (number, or {default,
                 by_weekday {mon..sun}, by_hour {0..23}}), min_agents, open_hours
                 ({mon..sun: "HH:MM-HH:MM" | [ranges] | closed | 24h}; unlisted days
                 closed; no open_hours = always open), fte_hours_per_week,
                 nht_seconds (override: history not used for this skill)
    output:    path (default out/<plan name>.xlsx beside the config), csv, plots
    special_days: - {date | from + to, closed | volume_factor | nht_factor | like, skills}

A skill's own value wins over ``defaults``; an explicit ``null`` removes a default.
Required per skill (here or in defaults): method, shrinkage, fte_hours_per_week;
erlang_a needs patience_seconds; chat needs max_concurrency; erlang_c, erlang_a and
chat need at least one target.
"""

from staffing.config.base import SKILL_ID_MAX, StrictModel
from staffing.config.hours import OpenHours, format_clock, parse_clock
from staffing.config.loading import MAX_DEPTH, load_config
from staffing.config.model import PlanConfig
from staffing.config.sections import (
    GrowthSpec,
    LivePersonSection,
    NhtSection,
    OutputSection,
    PlanSection,
    UncertaintySpec,
    VolumeSection,
)
from staffing.config.shifts import (
    ScheduledFile,
    ScheduledSpec,
    ShiftBreak,
    ShiftStart,
    ShiftTemplate,
)
from staffing.config.skills import (
    SCOPES,
    STAFFING,
    ResolvedSkill,
    ServiceLevel,
    ShrinkageSpec,
    SkillEntry,
    SkillSettings,
)
from staffing.config.special_days import SpecialDay
from staffing.vocabulary import METHODS, WEEKDAYS

__all__ = [
    "MAX_DEPTH",
    "METHODS",
    "SCOPES",
    "SKILL_ID_MAX",
    "STAFFING",
    "WEEKDAYS",
    "GrowthSpec",
    "LivePersonSection",
    "NhtSection",
    "OpenHours",
    "OutputSection",
    "PlanConfig",
    "PlanSection",
    "ResolvedSkill",
    "ScheduledFile",
    "ScheduledSpec",
    "ServiceLevel",
    "ShiftBreak",
    "ShiftStart",
    "ShiftTemplate",
    "ShrinkageSpec",
    "SkillEntry",
    "SkillSettings",
    "SpecialDay",
    "StrictModel",
    "UncertaintySpec",
    "VolumeSection",
    "format_clock",
    "load_config",
    "parse_clock",
]
