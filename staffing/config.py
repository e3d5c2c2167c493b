"""Planning configuration: the YAML file a planner writes, validated as a whole.

One job: the config model and its rules. It is long because every section, key and
cross-setting rule of the YAML reference is declared here, once.

:func:`load_config` reads a YAML file (or takes a dict), checks every section
with strict pydantic v2 models (unknown keys are errors, so a typo never goes
unnoticed), merges ``defaults`` into each skill, checks what each skill's
method needs, and raises one :class:`~staffing.errors.ConfigError` listing
**every** problem, each as ``<file>: <key path>: <what is wrong>``, for
example ``plan.yaml: skills[2].service_level.target: must be < 1 (got 1.5)``.

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

from __future__ import annotations

import difflib
import itertools
import os
import types
import typing
import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from staffing.errors import ConfigError
from staffing.shifts.templates import ScheduledSpec, ShiftTemplate, shift_problems
from staffing.sources.liveperson.credentials import check_domain_api, source_problem
from staffing.vocabulary import INTERVAL_MINUTES, METHODS, WEEKDAYS

__all__ = [
    "METHODS",
    "SCOPES",
    "STAFFING",
    "WEEKDAYS",
    "PlanConfig",
    "ResolvedSkill",
    "SpecialDay",
    "load_config",
]


#: Largest skill id: LivePerson's ids are whole numbers that fit in 64 bits.
SKILL_ID_MAX = 2**63 - 1

Weekday = Literal[WEEKDAYS]  # type: ignore[valid-type]
Method = Literal[METHODS]  # type: ignore[valid-type]
StrictPosInt = Annotated[int, Field(strict=True, ge=1)]
Fraction = Annotated[float, Field(gt=0, lt=1)]
PositiveSeconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


def _resolve_path(base: Path, value: Path | None) -> Path | None:
    if value is None:
        return None
    value = Path(value).expanduser()
    return Path(os.path.normpath(value if value.is_absolute() else base / value))


def _config_path(value: Path, info: ValidationInfo) -> Path:
    """A path of the config, resolved against its folder (the validation context's base_dir)."""
    return _resolve_path(_context(info).get("base_dir") or Path.cwd(), value)


def _rules_error(problems: list[tuple[tuple[Any, ...], str]]) -> PydanticCustomError:
    """One validation error carrying several problems, each at its own key path."""
    return PydanticCustomError(
        "config_rules",
        "{summary}",
        {"summary": "; ".join(m for _, m in problems), "problems": problems, "absolute": True},
    )


def _check_file(section: str, path: Path | None) -> None:
    """Refuse an input file that does not exist, naming ``<section>.path``.

    Checked after the section's own rules, so a path that does not belong there at all is
    reported as that, not as a missing file.
    """
    if path is not None and not path.is_file():
        raise _rules_error([((section, "path"), f"file not found: {path}")])


#: A path in the config; relative paths resolve against the config file's folder.
ConfigPath = Annotated[Path, AfterValidator(_config_path)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------


class PlanSection(_Strict):
    """``plan:`` the horizon, its time zone and interval length."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
    start: date
    weeks: Annotated[int, Field(strict=True, ge=1, le=156)] | None = None
    end: date | None = None
    timezone: str
    interval_minutes: Literal[INTERVAL_MINUTES] = 60  # type: ignore[valid-type]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown IANA time zone {value!r} (e.g. 'Europe/Berlin', 'America/New_York')"
            ) from None
        return value

    @model_validator(mode="after")
    def _weeks_or_end(self) -> PlanSection:
        if (self.weeks is None) == (self.end is None):
            raise ValueError("give exactly one of 'weeks' or 'end'")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def end_exclusive(self) -> date:
        """First local date after the horizon."""
        if self.weeks is not None:
            return self.start + timedelta(weeks=self.weeks)
        assert self.end is not None
        return self.end + timedelta(days=1)


class LivePersonSection(_Strict):
    """``nht.liveperson:`` where to fetch from (credentials only from LP_* variables)."""

    account: str = Field(pattern=r"^[0-9A-Za-z]+$", max_length=40)
    domain_api: str | None = None
    source: str = "staffing"

    @field_validator("domain_api")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        # The client's own rule; its message never shows a user name or password.
        if value is not None:
            try:
                check_domain_api(value)
            except ConfigError as exc:
                raise ValueError(exc.problems[0].split(": ", 1)[1]) from None
        return value

    @field_validator("source")
    @classmethod
    def _caller_id(cls, value: str) -> str:
        # The client's own rule, so a config that validates is never refused at fetch time.
        problem = source_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class NhtSection(_Strict):
    """``nht:`` where the Net Handle Time history comes from."""

    source: Literal["store", "file"]
    path: ConfigPath | None = None
    store: ConfigPath | None = None
    history_weeks: Annotated[int, Field(strict=True, ge=1, le=52)] = 8
    min_segments: Annotated[float, Field(gt=0)] = 20
    fetch: bool = False
    liveperson: LivePersonSection | None = None

    @model_validator(mode="after")
    def _source_needs(self) -> NhtSection:
        if self.source == "file":
            if self.path is None:
                raise ValueError("source 'file' needs 'path' (a CSV of NHT history)")
            if self.store is not None or self.fetch:
                raise ValueError("'store' and 'fetch' are for source 'store', not 'file'")
        else:
            if self.path is not None:
                raise ValueError("'path' is for source 'file'; use 'store' for the SQLite file")
            if self.fetch and self.liveperson is None:
                raise ValueError("'fetch: true' needs a 'liveperson' section with the account")
        _check_file("nht", self.path)
        return self


def _growth_before(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"all_skills": value}
    if isinstance(value, dict) and not set(value) <= {"all_skills", "by_skill"}:
        return {"by_skill": value}
    return value


class GrowthSpec(_Strict):
    """Growth factor: one number for every skill, or a mapping skill id -> factor."""

    all_skills: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0
    by_skill: dict[int, Annotated[float, Field(gt=0, allow_inf_nan=False)]] = Field(
        default_factory=dict
    )

    def factor(self, skill_id: int) -> float:
        """Growth factor [-] for one skill (unlisted skills: the common factor).

        Parameters
        ----------
        skill_id : int
            LivePerson skill id.

        Returns
        -------
        float
            ``by_skill[skill_id]`` if listed, else ``all_skills`` (1.0 unless given) [-].
        """
        return float(self.by_skill.get(skill_id, self.all_skills))


class VolumeSection(_Strict):
    """``volume:`` a planner's forecast file, or a forecast from the history arrivals."""

    source: Literal["file", "history"]
    path: ConfigPath | None = None
    sheet: str | None = None
    growth: Annotated[GrowthSpec, BeforeValidator(_growth_before)] = GrowthSpec()
    history_weeks: Annotated[int, Field(strict=True, ge=1, le=52)] | None = None
    recency_decay: Annotated[float, Field(gt=0, le=1)] = 0.75
    trend: Literal["auto", "off"] = "off"

    @model_validator(mode="after")
    def _source_needs(self) -> VolumeSection:
        if self.source == "file" and self.path is None:
            raise ValueError(
                "source 'file' needs 'path' (CSV or xlsx of skill_id, interval_start, volume)"
            )
        if self.source == "history" and (self.path is not None or self.sheet is not None):
            raise ValueError("'path' and 'sheet' are for source 'file', not 'history'")
        if self.source == "file" and (self.growth.all_skills != 1.0 or self.growth.by_skill):
            # Silently ignoring it would plan a different volume than the planner asked for.
            raise ValueError(
                "'growth' scales the forecast from history; with source 'file' "
                "put the grown volumes in the file"
            )
        if self.source == "file" and self.trend != "off":
            raise ValueError(
                "'trend' is fitted on the history; with source 'file' put the trend in the file"
            )
        _check_file("volume", self.path)
        return self


class SpecialDay(_Strict):
    """One entry of ``special_days:``: a local date (or range) planned differently.

    ``closed`` (no volume, no agents), ``volume_factor`` and ``nht_factor`` (multiply the
    forecast), ``like`` (the volume of another date's forecast); ``skills`` limits the entry
    to those skill ids (default every skill). Rules of combination: README, special days.
    """

    day: date | None = Field(None, alias="date")
    first: date | None = Field(None, alias="from")
    to: date | None = None
    closed: bool = False
    volume_factor: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    nht_factor: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    like: date | None = None
    skills: list[Annotated[int, Field(strict=True, ge=1, le=SKILL_ID_MAX)]] | None = Field(
        None, min_length=1
    )

    @model_validator(mode="after")
    def _one_day_or_range(self) -> SpecialDay:
        problems: list[tuple[tuple[str, ...], str]] = []
        if self.day is not None and (self.first is not None or self.to is not None):
            problems.append((("date",), "give either 'date' or 'from' and 'to', not both"))
        elif self.day is None:
            if self.first is None and self.to is None:
                problems.append(((), "needs 'date', or 'from' and 'to'"))
            elif self.first is None:
                problems.append((("from",), "required with 'to'"))
            elif self.to is None:
                problems.append((("to",), "required with 'from'"))
            elif self.to < self.first:
                problems.append((("to",), f"before from ({self.to} < {self.first})"))
        effects = [self.volume_factor, self.nht_factor, self.like]
        if not self.closed and all(e is None for e in effects):
            problems.append(
                ((), "nothing to do: give closed: true, volume_factor, nht_factor or like")
            )
        if self.closed and any(e is not None for e in effects):
            problems.append(
                (
                    ("closed",),
                    "a closed day has no volume or NHT to change: "
                    "drop volume_factor, nht_factor and like",
                )
            )
        if self.like is not None and self.day is None:
            problems.append((("like",), "needs a single 'date', not a range"))
        if self.like is not None and self.like == self.day:
            problems.append((("like",), "is the special day itself"))
        if problems:
            raise PydanticCustomError(
                "config_rules",
                "{summary}",
                {"summary": "; ".join(m for _, m in problems), "problems": problems},
            )
        return self

    @property
    def last(self) -> date:
        """Last local date of the entry, inclusive."""
        return self.day if self.day is not None else self.to  # type: ignore[return-value]

    @property
    def start(self) -> date:
        """First local date of the entry."""
        return self.day if self.day is not None else self.first  # type: ignore[return-value]


#: Periods a skill's targets (service level, ASA, abandonment) are met over.
SCOPES: tuple[str, ...] = ("interval", "day", "week")
#: How a skill's agents per interval are found: the stationary per-interval model, or
#: time-stable staffing corrected by simulation.
STAFFING: tuple[str, ...] = ("stationary", "time_stable")


class ServiceLevel(_Strict):
    """Service-level target: ``target`` share answered within ``answer_within_seconds``.

    ``scope`` is the period the skill's targets (this one, ``asa_seconds`` and
    ``max_abandon``) are met over, volume-weighted; ``interval_floor`` is a service level
    every interval must still reach when the scope is a day or a week.
    """

    target: Fraction
    answer_within_seconds: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    scope: Literal[SCOPES] = "interval"  # type: ignore[valid-type]
    interval_floor: Fraction | None = None


def _shrinkage_before(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"default": value}
    return value


ShrinkValue = Annotated[float, Field(ge=0, lt=1)]


class ShrinkageSpec(_Strict):
    """Shrinkage [-]: a number, or ``default`` with ``by_weekday`` / ``by_hour`` overrides.

    Precedence: ``by_hour`` (local hour of day 0-23) over ``by_weekday`` over ``default``.
    """

    default: ShrinkValue
    by_weekday: dict[Weekday, ShrinkValue] = Field(default_factory=dict)
    by_hour: dict[Annotated[int, Field(ge=0, le=23)], ShrinkValue] = Field(default_factory=dict)

    def hour_of_week(self) -> np.ndarray:
        """Shrinkage for each of the 168 local hours of the week (Monday 00:00 first).

        Returns
        -------
        numpy.ndarray
            Shape (168,), index ``24 * weekday + hour`` (Monday = 0) [-].
        """
        out = np.full((7, 24), self.default, dtype=float)
        for day, value in self.by_weekday.items():
            out[WEEKDAYS.index(day), :] = value
        for hour, value in self.by_hour.items():
            out[:, hour] = value
        return out.reshape(168)


def _parse_clock(text: str) -> int:
    hh, mm = text.strip().split(":")
    if len(mm) != 2 or not hh.isdigit() or not mm.isdigit():
        raise ValueError
    minutes = int(hh) * 60 + int(mm)
    if int(mm) >= 60 or minutes > 24 * 60:
        raise ValueError
    return minutes


def _parse_day_hours(value: Any) -> list[tuple[int, int]]:
    """'08:00-20:00', a list of such ranges, 'closed' or '24h' -> [(from_min, to_min)]."""
    if value is None or value == "closed" or value == []:
        return []
    if value in ("24h", "all day"):
        return [(0, 1440)]
    items = value if isinstance(value, list) else [value]
    ranges = []
    for item in items:
        if (
            isinstance(item, list | tuple)
            and len(item) == 2
            and all(isinstance(x, int) and 0 <= x <= 2880 for x in item)
            and item[0] < item[1] <= item[0] + 1440
        ):
            ranges.append((item[0], item[1]))  # already parsed (a re-validated config)
            continue
        if not isinstance(item, str) or item.count("-") != 1:
            raise ValueError(
                f"expected 'HH:MM-HH:MM', a list of them, 'closed' or '24h' (got {item!r})"
            )
        left, right = item.split("-")
        try:
            start, stop = _parse_clock(left), _parse_clock(right)
        except ValueError:
            raise ValueError(f"bad time range {item!r}: expected 'HH:MM-HH:MM'") from None
        if stop == start:
            raise ValueError(f"range {item!r} is empty (use '24h' for all day)")
        if stop < start:  # crosses midnight: the part after it belongs to the next day
            stop += 24 * 60
        ranges.append((start, stop))
    return sorted(ranges)


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


DayHours = Annotated[list[tuple[int, int]], BeforeValidator(_parse_day_hours)]


class OpenHours(_Strict):
    """Opening hours per weekday in local time; a weekday not listed is closed."""

    mon: DayHours = Field(default_factory=list)
    tue: DayHours = Field(default_factory=list)
    wed: DayHours = Field(default_factory=list)
    thu: DayHours = Field(default_factory=list)
    fri: DayHours = Field(default_factory=list)
    sat: DayHours = Field(default_factory=list)
    sun: DayHours = Field(default_factory=list)

    @model_validator(mode="after")
    def _carry_past_midnight(self) -> OpenHours:
        # "sat: 22:00-02:00" is Saturday 22:00-24:00 and Sunday 00:00-02:00 (Sunday's part
        # carries on to Monday); then no two ranges of one day may overlap.
        days: dict[str, list[tuple[int, int, str]]] = {day: [] for day in WEEKDAYS}
        for index, day in enumerate(WEEKDAYS):
            for start, stop in getattr(self, day):
                if stop <= 1440:
                    days[day].append((start, stop, ""))
                    continue
                after = WEEKDAYS[(index + 1) % 7]
                days[day].append((start, 1440, ""))
                days[after].append(
                    (
                        0,
                        stop - 1440,
                        f" (carried over from {day} "
                        f"{_clock_text(start)}-{_clock_text(stop - 1440)})",
                    )
                )
        problems = []
        for day, ranges in days.items():
            ranges.sort()
            for (a0, b0, why0), (a1, b1, why1) in itertools.pairwise(ranges):
                if a1 < b0:
                    problems.append(
                        (
                            (day,),
                            f"{_clock_text(a0)}-{_clock_text(b0)}{why0} "
                            f"overlaps {_clock_text(a1)}-{_clock_text(b1)}{why1}",
                        )
                    )
            setattr(self, day, [(a, b) for a, b, _ in ranges])
        if problems:
            raise PydanticCustomError(
                "config_rules",
                "{summary}",
                {"summary": "; ".join(m for _, m in problems), "problems": problems},
            )
        return self

    def is_open(
        self, weekday: np.ndarray, minute_of_day: np.ndarray, length_min: int
    ) -> np.ndarray:
        """True where the interval [start, start + length) overlaps an open range.

        Parameters
        ----------
        weekday : numpy.ndarray
            Local weekday of each interval start, Monday = 0 ... Sunday = 6.
        minute_of_day : numpy.ndarray
            Local start of each interval in minutes after midnight [min]; broadcast against
            ``weekday``.
        length_min : int
            Interval length [min].

        Returns
        -------
        numpy.ndarray of bool
            Shape of ``weekday``: True where the interval overlaps an open range of its own
            weekday, even partly (a range written across midnight, ``"22:00-02:00"``, was
            split at validation: its part after midnight is the next weekday's).
        """
        weekday = np.asarray(weekday)
        minute_of_day = np.asarray(minute_of_day)
        out = np.zeros(weekday.shape, dtype=bool)
        for index, day in enumerate(WEEKDAYS):
            on_day = weekday == index
            for start, stop in getattr(self, day):
                out |= on_day & (minute_of_day < stop) & (minute_of_day + length_min > start)
        return out


class SkillSettings(_Strict):
    """Settings shared by ``defaults:`` and each entry of ``skills:`` (which overrides)."""

    method: Method | None = None
    service_level: ServiceLevel | None = None
    asa_seconds: PositiveSeconds | None = None
    max_abandon: Fraction | None = None
    max_occupancy: Annotated[float, Field(gt=0, le=1)] | None = None
    patience_seconds: PositiveSeconds | None = None
    max_concurrency: Annotated[int, Field(strict=True, ge=1, le=50)] | None = None
    handle_time_by_load_seconds: list[PositiveSeconds] | None = None
    shrinkage: Annotated[ShrinkageSpec, BeforeValidator(_shrinkage_before)] | None = None
    min_agents: Annotated[int, Field(strict=True, ge=0)] | None = None
    open_hours: OpenHours | None = None
    fte_hours_per_week: Annotated[float, Field(gt=0, le=168)] | None = None
    nht_seconds: PositiveSeconds | None = None
    staffing: Literal[STAFFING] | None = None  # type: ignore[valid-type]


@dataclass(frozen=True)
class ResolvedSkill:
    """One skill with ``defaults`` merged in and every setting resolved.

    ``nht_seconds`` is the skill's own override (skips history); ``nht_fallback_s``
    is ``defaults.nht_seconds``, the last NHT fallback.
    """

    skill_id: int
    skill_name: str
    method: str
    service_level_target: float | None
    answer_within_s: float
    asa_s: float | None
    max_abandon: float | None
    max_occupancy: float | None
    patience_s: float | None
    max_concurrency: int | None
    handle_time_by_load_s: tuple[float, ...] | None
    shrinkage: ShrinkageSpec
    min_agents: int
    open_hours: OpenHours | None
    fte_hours_per_week: float
    nht_seconds: float | None
    nht_fallback_s: float | None
    scope: str = "interval"
    interval_floor: float | None = None
    staffing: str = "stationary"

    @classmethod
    def merge(cls, defaults: SkillSettings, skill: SkillEntry) -> ResolvedSkill:
        """The skill's own settings over ``defaults`` (an explicit null removes a default).

        Parameters
        ----------
        defaults : SkillSettings
            The ``defaults:`` section.
        skill : SkillEntry
            One entry of ``skills:``.

        Returns
        -------
        ResolvedSkill
            Every setting resolved; settings that are still missing are None (see
            :meth:`problems`).
        """
        m = {
            name: getattr(skill if name in skill.model_fields_set else defaults, name)
            for name in SkillSettings.model_fields
        }
        sl, by_load = m["service_level"], m["handle_time_by_load_seconds"]
        return cls(
            skill_id=skill.id,
            skill_name=skill.name,
            method=m["method"],
            service_level_target=None if sl is None else float(sl.target),
            answer_within_s=0.0 if sl is None else float(sl.answer_within_seconds),
            asa_s=m["asa_seconds"],
            max_abandon=m["max_abandon"],
            max_occupancy=m["max_occupancy"],
            patience_s=m["patience_seconds"],
            max_concurrency=m["max_concurrency"],
            handle_time_by_load_s=None if by_load is None else tuple(float(x) for x in by_load),
            shrinkage=m["shrinkage"],
            min_agents=0 if m["min_agents"] is None else int(m["min_agents"]),
            open_hours=m["open_hours"],
            fte_hours_per_week=(
                None if m["fte_hours_per_week"] is None else float(m["fte_hours_per_week"])
            ),
            # The skill's own NHT override only: defaults.nht_seconds is the last fallback.
            nht_seconds=skill.nht_seconds,
            nht_fallback_s=defaults.nht_seconds,
            scope="interval" if sl is None else sl.scope,
            interval_floor=None
            if sl is None or sl.interval_floor is None
            else float(sl.interval_floor),
            staffing=m["staffing"] or "stationary",
        )

    def problems(self) -> list[tuple[str, str]]:
        """What this skill lacks for its method: ``(config key, what is wrong)`` pairs.

        The one set of cross-setting rules, used by the config and by
        :func:`staffing.scenarios` on the skills it changes.

        Returns
        -------
        list of (str, str)
            Empty when the skill can be planned.
        """
        out: list[tuple[str, str]] = []
        method = self.method
        if method is None:
            out.append(("method", f"no method here or in defaults (one of {', '.join(METHODS)})"))
        if self.shrinkage is None:
            out.append(("shrinkage", "required here or in defaults (e.g. 0.3)"))
        if self.fte_hours_per_week is None:
            out.append(("fte_hours_per_week", "required here or in defaults (e.g. 40)"))
        if method == "erlang_a" and self.patience_s is None:
            out.append(("patience_seconds", "method erlang_a needs a mean patience"))
        if method == "chat":
            k, by_load = self.max_concurrency, self.handle_time_by_load_s
            if k is None:
                out.append(
                    (
                        "max_concurrency",
                        "method chat needs the number of conversations an agent holds at most",
                    )
                )
            elif by_load is not None and len(by_load) != k:
                out.append(
                    (
                        "handle_time_by_load_seconds",
                        f"needs one value per load 1..{k} (max_concurrency), got {len(by_load)}",
                    )
                )
        if method in ("erlang_c", "erlang_a", "chat"):
            targets = [self.service_level_target, self.asa_s, self.max_occupancy]
            if method != "erlang_c":
                targets.append(self.max_abandon)
            if all(t is None for t in targets):
                out.append(
                    (
                        "service_level",
                        f"method {method} needs at least one target "
                        "(service_level, asa_seconds, max_occupancy or max_abandon)",
                    )
                )
        if self.interval_floor is not None:
            if self.scope == "interval":
                out.append(
                    (
                        "service_level.interval_floor",
                        "a floor under the interval "
                        "target needs scope day or week (with scope interval every "
                        "interval meets the target itself)",
                    )
                )
            elif (
                self.service_level_target is not None
                and self.interval_floor > self.service_level_target
            ):
                out.append(
                    (
                        "service_level.interval_floor",
                        f"must be at most the target "
                        f"{self.service_level_target:g} (got {self.interval_floor:g})",
                    )
                )
        if self.staffing == "time_stable" and self.scope != "interval":
            out.append(
                (
                    "staffing",
                    "time_stable meets every interval's target; it needs "
                    f"service_level.scope interval (got {self.scope})",
                )
            )
        return out


class SkillEntry(SkillSettings):
    """One entry of ``skills:``: LivePerson skill id, display name, overrides."""

    id: Annotated[int, Field(strict=True, ge=1, le=SKILL_ID_MAX)]
    name: str = Field(min_length=1, max_length=100)

    _resolved: ResolvedSkill | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> SkillEntry:
        # The defaults come in the validation context (load_config validates them first);
        # when they are invalid their own errors are reported and the skill is not resolved.
        context = _context(info)
        if "defaults" in context and context["defaults"] is None:
            return self
        resolved = ResolvedSkill.merge(context.get("defaults") or SkillSettings(), self)
        problems = resolved.problems()
        if resolved.method == "workload" and self.service_level is not None:
            # An explicit target the method cannot use would be silently ignored.
            problems.append(
                (
                    "service_level",
                    "method workload does not use a service-level "
                    "target (it staffs volume x NHT / max_occupancy); remove it, or "
                    "use erlang_c, erlang_a or chat to staff to a target",
                )
            )
        if problems:
            raise PydanticCustomError(
                "skill_rules",
                "{summary}",
                {
                    "summary": "; ".join(f"{k}: {m}" for k, m in problems),
                    "problems": [((key,), message) for key, message in problems],
                },
            )
        self._resolved = resolved
        return self

    @property
    def resolved(self) -> ResolvedSkill | None:
        """This skill with ``defaults`` merged in (None when the defaults were invalid)."""
        return self._resolved


class OutputSection(_Strict):
    """``output:`` where ``staffing plan`` writes (``--out`` overrides ``path``)."""

    path: ConfigPath | None = None
    csv: ConfigPath | None = None
    plots: ConfigPath | None = None


class PlanConfig(_Strict):
    """The whole validated planning config (see the module docstring)."""

    plan: PlanSection
    nht: NhtSection
    volume: VolumeSection
    defaults: SkillSettings = Field(default_factory=SkillSettings)
    skills: list[SkillEntry] = Field(min_length=1)
    output: OutputSection = Field(default_factory=OutputSection)
    shifts: list[ShiftTemplate] | None = None
    scheduled: ScheduledSpec | None = None
    special_days: list[SpecialDay] = Field(default_factory=list)

    _source: str = PrivateAttr("<dict>")
    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _raw: dict[str, Any] | None = PrivateAttr(None)

    @field_validator("volume")
    @classmethod
    def _growth_of_known_skills(cls, volume: VolumeSection, info: ValidationInfo) -> VolumeSection:
        # Checked against the raw skill ids, so it is reported even when a skill is invalid.
        raw_skills = (_context(info).get("raw") or {}).get("skills")
        if not isinstance(raw_skills, list):
            return volume
        ids = {item.get("id") for item in raw_skills if isinstance(item, dict)}
        problems = [
            (("volume", "growth", key), f"skill {key} is not in skills")
            for key in volume.growth.by_skill
            if key not in ids
        ]
        if problems:
            raise _rules_error(problems)
        return volume

    @field_validator("special_days")
    @classmethod
    def _special_days_of_known_skills(
        cls, entries: list[SpecialDay], info: ValidationInfo
    ) -> list[SpecialDay]:
        # Against the raw skill ids (as growth); and one 'like' per date and skill.
        raw_skills = (_context(info).get("raw") or {}).get("skills")
        ids = (
            {item.get("id") for item in raw_skills if isinstance(item, dict)}
            if isinstance(raw_skills, list)
            else None
        )
        problems: list[tuple[tuple[Any, ...], str]] = []
        liked: dict[tuple[date, Any], int] = {}
        for index, entry in enumerate(entries):
            for sid in entry.skills or []:
                if ids is not None and sid not in ids:
                    problems.append(
                        (("special_days", index, "skills"), f"skill {sid} is not in skills")
                    )
            if entry.like is None:
                continue
            for sid in entry.skills or [None]:
                clash = [
                    i
                    for (d, s), i in liked.items()
                    if d == entry.day and (s is None or sid is None or s == sid)
                ]
                if clash:
                    problems.append(
                        (
                            ("special_days", index, "like"),
                            f"{entry.day} already takes its volume from special_days[{clash[0]}]",
                        )
                    )
                    break
                liked[(entry.day, sid)] = index  # type: ignore[index]
        if problems:
            raise PydanticCustomError(
                "config_rules",
                "{summary}",
                {
                    "summary": "; ".join(m for _, m in problems),
                    "problems": problems,
                    "absolute": True,
                },
            )
        return entries

    @field_validator("skills")
    @classmethod
    def _unique_and_known(cls, skills: list[SkillEntry], info: ValidationInfo) -> list[SkillEntry]:
        problems: list[tuple[tuple[Any, ...], str]] = []
        seen_ids: dict[int, int] = {}
        seen_names: dict[str, int] = {}
        for index, skill in enumerate(skills):
            if skill.id in seen_ids:
                problems.append(
                    (
                        ("skills", index, "id"),
                        f"skill id {skill.id} already used by skills[{seen_ids[skill.id]}]",
                    )
                )
            seen_ids.setdefault(skill.id, index)
            if skill.name in seen_names:
                problems.append(
                    (
                        ("skills", index, "name"),
                        f"name {skill.name!r} already used by skills[{seen_names[skill.name]}]",
                    )
                )
            seen_names.setdefault(skill.name, index)
        if problems:
            raise _rules_error(problems)
        return skills

    @model_validator(mode="after")
    def _remember_origin(self, info: ValidationInfo) -> PlanConfig:
        context = _context(info)
        self._source = str(context.get("source", "<dict>"))
        self._base_dir = Path(context.get("base_dir") or Path.cwd())
        self._raw = context.get("raw")
        return self

    @property
    def source(self) -> str:
        """Name of the YAML file the config came from (``<dict>`` for a dict)."""
        return self._source

    @property
    def base_dir(self) -> Path:
        """Folder relative paths were resolved against."""
        return self._base_dir

    @property
    def resolved_skills(self) -> list[ResolvedSkill]:
        """Skills in config order with ``defaults`` merged in."""
        return [skill.resolved for skill in self.skills]

    @property
    def warnings(self) -> list[str]:
        """What is valid but not applied: a ``workload`` skill's targets from ``defaults``.

        Returns
        -------
        list of str
            One text per skill and key, naming the skill, e.g. ``skills[0] 'Sales
            Messaging' (1001): method workload does not use the service_level from
            defaults ...``.
        """
        out = []
        for index, entry in enumerate(self.skills):
            resolved = entry.resolved
            if resolved is None or resolved.method != "workload":
                continue
            unused = [
                key
                for key in ("service_level", "asa_seconds", "max_abandon")
                if key not in entry.model_fields_set and getattr(self.defaults, key) is not None
            ]
            if unused:
                out.append(
                    f"skills[{index}] {entry.name!r} ({entry.id}): method workload does "
                    f"not use the {' or '.join(unused)} from defaults (no target, no "
                    f"service level shown); set {unused[0]}: null on the skill to say "
                    "so"
                )
        return out

    def with_skills(
        self, skills: list[ResolvedSkill], *, growth: GrowthSpec | None = None
    ) -> PlanConfig:
        """A copy that plans exactly ``skills`` (resolved settings), e.g. one scenario.

        Parameters
        ----------
        skills : list of ResolvedSkill
            The skills to plan, each an id of this config with changed settings.
        growth : GrowthSpec, optional
            A replacement for ``volume.growth``.

        Returns
        -------
        PlanConfig
            The copy; this config is not changed.

        Raises
        ------
        ConfigError
            A skill lacks what its method needs, naming the skill and the key.
        """
        problems = [
            f"skill {s.skill_name!r} (id {s.skill_id}): {key}: {message}"
            for s in skills
            for key, message in s.problems()
        ]
        if problems:
            raise ConfigError(problems)
        entries = {entry.id: entry for entry in self.skills}
        copies = []
        for skill in skills:
            entry = entries[skill.skill_id].model_copy()
            entry._resolved = skill
            copies.append(entry)
        update: dict[str, Any] = {"skills": copies}
        if growth is not None:
            update["volume"] = self.volume.model_copy(update={"growth": growth})
        return self.model_copy(update=update)

    def default_output_path(self) -> Path:
        """``output.path``, else ``out/<plan name>.xlsx`` beside the config file.

        Returns
        -------
        pathlib.Path
            The workbook path (for a dict config, under the current folder).
        """
        if self.output.path is not None:
            return self.output.path
        return self._base_dir / "out" / f"{self.plan.name}.xlsx"


# ---------------------------------------------------------------------------
# Loading, error formatting
# ---------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice in one mapping (a silent overwrite)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {key!r} given twice (lines {seen[key]} and {key_node.start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


def _construct_leniently(tag_constructor):
    """A scalar that YAML's own conversion refuses stays text, for the model to name.

    ``start: 2026-02-30`` (no such day) or a 5000-digit number would otherwise stop the
    read with a traceback and no key; as text, validation says ``plan.start: ...``.
    """

    def construct(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
        try:
            return tag_constructor(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    return construct


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    _construct_leniently(yaml.constructor.SafeConstructor.construct_yaml_timestamp),
)
_UniqueKeyLoader.add_constructor(
    "tag:yaml.org,2002:int",
    _construct_leniently(yaml.constructor.SafeConstructor.construct_yaml_int),
)
#: Deepest nesting a config may have: a planning config needs 5 levels.
MAX_DEPTH = 50


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc.__class__.__name__}"]) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except RecursionError:
        raise ConfigError([f"{path}: nested far too deep to be a planning config"]) from None
    except yaml.YAMLError as exc:
        # Say where and what, but never echo the offending line (it may hold a secret).
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError([f"{path}: {where}: {problem}"]) from None
    if _depth(data) > MAX_DEPTH:
        raise ConfigError(
            [f"{path}: nested more than {MAX_DEPTH} levels deep; a planning config needs 5"]
        )
    return data


def _depth(value: Any, level: int = 0) -> int:
    """Nesting depth of lists and mappings, stopping once past :data:`MAX_DEPTH`."""
    if level > MAX_DEPTH or not isinstance(value, dict | list):
        return level
    items = value.values() if isinstance(value, dict) else value
    return max((_depth(v, level + 1) for v in items), default=level + 1)


def _format_loc(loc: tuple[Any, ...]) -> str:
    text = ""
    # growth accepts a number or a mapping: hide its internal wrapper keys
    loc = tuple(
        part
        for i, part in enumerate(loc)
        if not (i and loc[i - 1] == "growth" and part in ("by_skill", "all_skills"))
    )
    for part in loc:
        if part == "[key]":
            text += " (key)"
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(top level)"


def _model_for(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The pydantic model inside an annotation and whether it sits in a list or dict."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _model_for(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            model, container = _model_for(arg)
            if model is not None:
                return model, container
        return None, False
    if origin in (list, dict):
        model, _ = _model_for(typing.get_args(annotation)[-1])
        return model, True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] | None = PlanConfig
    pending_index = False
    for part in loc[:-1]:
        if model is None:
            return []
        if pending_index:
            pending_index = False
            continue
        field = model.model_fields.get(str(part)) if isinstance(part, str) else None
        if field is None:
            return []
        model, pending_index = _model_for(field.annotation)
    return sorted(model.model_fields) if model is not None else []


#: Keys whose value an error message never shows.
_NEVER_ECHOED = {"domain_api"}


def _describe(error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc)
        hint = ""
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        if close:
            hint = f"; did you mean '{close[0]}'?"
        elif allowed:
            hint = "; allowed keys: " + ", ".join(allowed)
        return f"unknown key{hint}"  # the value is never echoed: it might be a secret
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    value = error.get("input")
    if kind in ("model_type", "dict_type") or isinstance(value, dict | list):
        return message
    if loc and loc[-1] in _NEVER_ECHOED:
        return message  # the value may hold a password
    if (
        isinstance(value, str | int | float | bool | date)
        and len(repr(value)) <= 60
        and "(got " not in message
    ):  # a rule that names the value already
        return f"{message} (got {value!r})"
    return message


def _deep_update(target: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(target)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_update(out[key], value)
        else:
            out[key] = value
    return out


def load_config(
    path_or_dict: str | Path | dict[str, Any] | PlanConfig,
    *,
    overrides: dict[str, Any] | None = None,
) -> PlanConfig:
    """Read and validate a planning config.

    Parameters
    ----------
    path_or_dict : str, Path, dict or PlanConfig
        A YAML file, or the same content as a dict (relative paths then resolve
        against the current folder). A PlanConfig is returned unchanged.
    overrides : dict, optional
        Nested values applied on top before validation, e.g.
        ``{"plan": {"start": "2026-03-02", "weeks": 2}}`` (the command line's
        ``--start``/``--weeks``). Giving ``plan.weeks`` drops ``plan.end`` and vice versa.

    Returns
    -------
    PlanConfig
        The validated config; ``.resolved_skills`` has ``defaults`` merged into each skill.

    Raises
    ------
    ConfigError
        With one line per problem, ``<file>: <key path>: <what is wrong>``, all at once.
    """
    if isinstance(path_or_dict, PlanConfig) and not overrides:
        return path_or_dict
    if isinstance(path_or_dict, PlanConfig):
        raw: Any = path_or_dict._raw
        src, base = path_or_dict.source, path_or_dict.base_dir
        if raw is None:
            raise ConfigError([f"{src}: overrides need a config made by load_config"])
    elif isinstance(path_or_dict, dict):
        raw, src, base = path_or_dict, "<dict>", Path.cwd()
    else:
        path = Path(path_or_dict)
        raw = _read_yaml(path)
        src, base = str(path), path.resolve().parent
    if raw is None:
        raise ConfigError([f"{src}: the config is empty"])
    if not isinstance(raw, dict):
        raise ConfigError(
            [f"{src}: (top level): expected a mapping of sections, got {type(raw).__name__}"]
        )
    if overrides:
        plan_over = overrides.get("plan") or {}
        raw = dict(raw)
        if isinstance(raw.get("plan"), dict):
            plan_raw = dict(raw["plan"])
            if "weeks" in plan_over:
                plan_raw.pop("end", None)
            if "end" in plan_over:
                plan_raw.pop("weeks", None)
            raw["plan"] = plan_raw
        raw = _deep_update(raw, overrides)

    context: dict[str, Any] = {"source": src, "base_dir": base, "raw": raw}
    defaults = raw.get("defaults")
    try:  # each skill resolves itself against the defaults, validated here once
        context["defaults"] = SkillSettings.model_validate(defaults or {}, context=context)
    except ValidationError:
        context["defaults"] = None  # its own errors come from the whole config below
    problems: list[str] = []
    config: PlanConfig | None = None
    try:
        config = PlanConfig.model_validate(raw, context=context)
    except ValidationError as exc:
        for error in exc.errors():
            problems.extend(_error_lines(src, error))
    problems.extend(p for p in shift_problems(raw, src, base) if p not in problems)
    if problems or config is None:
        raise ConfigError(problems)
    return config


def _error_lines(src: str, error: dict[str, Any]) -> list[str]:
    """One ``<file>: <key path>: <what is wrong>`` line per problem of one pydantic error."""
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    if error["type"] in ("skill_rules", "config_rules"):
        prefix = () if ctx.get("absolute") else loc
        return [
            f"{src}: {_format_loc(prefix + tuple(where))}: {message}"
            for where, message in ctx["problems"]
        ]
    return [f"{src}: {_format_loc(loc)}: {_describe(error)}"]
