"""Skill settings of the planning config: ``defaults:``, each ``skills:`` entry, resolved.

:class:`SkillSettings` holds the keys ``defaults:`` and a skill share; :class:`SkillEntry`
is one entry of ``skills:``; :class:`ResolvedSkill` is a skill with ``defaults`` merged in,
and :meth:`ResolvedSkill.problems` is the one set of rules about what a skill's method
needs. :class:`ShrinkageSpec` is the shrinkage, by weekday and hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError, PydanticKnownError

from staffing.config.base import (
    Fraction,
    Method,
    PositiveSeconds,
    SkillId,
    StrictModel,
    Weekday,
    validation_context,
)
from staffing.config.hours import OpenHours
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C, METHODS, WEEKDAYS, WORKLOAD

__all__ = [
    "SCOPES",
    "STAFFING",
    "ResolvedSkill",
    "ServiceLevel",
    "ShrinkageSpec",
    "SkillEntry",
    "SkillSettings",
    "shrinkage_before",
]

#: Periods a skill's targets (service level, ASA, abandonment) are met over.
SCOPES: tuple[str, ...] = ("interval", "day", "week")
#: How a skill's agents per interval are found: the stationary per-interval model, or
#: time-stable staffing corrected by simulation.
STAFFING: tuple[str, ...] = ("stationary", "time_stable")

#: Methods that staff to a target (service level, ASA, occupancy or abandonment).
TARGET_METHODS = (ERLANG_C, ERLANG_A, CHAT)


class ServiceLevel(StrictModel):
    """Service-level target: ``target`` share answered within ``answer_within_seconds``.

    ``scope`` is the period the skill's targets (this one, ``asa_seconds`` and
    ``max_abandon``) are met over, volume-weighted; ``interval_floor`` is a service level
    every interval must still reach when the scope is a day or a week. ``confidence`` is
    the probability, with forecast error (``volume.uncertainty``), that a day (week) meets
    all its targets; it needs scope day or week.
    """

    target: Fraction
    answer_within_seconds: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    scope: Literal[SCOPES] = "interval"  # type: ignore[valid-type]  # a run-time tuple
    interval_floor: Fraction | None = None
    confidence: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] | None = None


def shrinkage_before(value: Any) -> Any:
    """A shrinkage written as a number as ``{default: number}`` (checked in [0, 1)).

    The before-validator of every ``shrinkage`` key (skills, defaults, teams).

    Parameters
    ----------
    value : Any
        The ``shrinkage`` as written.

    Returns
    -------
    Any
        ``{"default": value}`` for a number, else ``value`` unchanged.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Checked here, so a mistake is reported at ``shrinkage``, the key as written.
        if value < 0:
            raise PydanticKnownError("greater_than_equal", {"ge": 0})
        if value >= 1:
            raise PydanticKnownError("less_than", {"lt": 1})
        return {"default": value}
    return value


ShrinkValue = Annotated[float, Field(ge=0, lt=1)]


class ShrinkageSpec(StrictModel):
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


class SkillSettings(StrictModel):
    """Settings shared by ``defaults:`` and each entry of ``skills:`` (which overrides)."""

    method: Method | None = None
    service_level: ServiceLevel | None = None
    asa_seconds: PositiveSeconds | None = None
    max_abandon: Fraction | None = None
    max_occupancy: Annotated[float, Field(gt=0, le=1)] | None = None
    patience_seconds: PositiveSeconds | Literal["auto"] | None = None
    max_concurrency: Annotated[int, Field(strict=True, ge=1, le=50)] | None = None
    handle_time_by_load_seconds: list[PositiveSeconds] | None = None
    shrinkage: Annotated[ShrinkageSpec, BeforeValidator(shrinkage_before)] | None = None
    min_agents: Annotated[int, Field(strict=True, ge=0)] | None = None
    open_hours: OpenHours | None = None
    fte_hours_per_week: Annotated[float, Field(gt=0, le=168)] | None = None
    nht_seconds: PositiveSeconds | None = None
    staffing: Literal[STAFFING] | None = None  # type: ignore[valid-type]  # a run-time tuple
    priority: Annotated[int, Field(strict=True, ge=0, le=100)] | None = None


@dataclass(frozen=True)
class ResolvedSkill:
    """One skill with ``defaults`` merged in and every setting resolved.

    ``nht_seconds`` is the skill's own override (skips history); ``nht_fallback_s``
    is ``defaults.nht_seconds``, the last NHT fallback. A setting still missing after the
    merge is None even where the type says otherwise (see :meth:`problems`).
    ``patience_auto`` is ``patience_seconds: auto``: the planning run estimates
    ``patience_s`` [s] from the history (None until then).
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
    patience_auto: bool = False
    priority: int = 0
    confidence: float | None = None

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
        fte = None if m["fte_hours_per_week"] is None else float(m["fte_hours_per_week"])
        m["fte_hours_per_week"] = fte  # None when missing, as every setting (see problems)
        return cls(
            skill_id=skill.id,
            skill_name=skill.name,
            method=m["method"],
            service_level_target=None if sl is None else float(sl.target),
            answer_within_s=0.0 if sl is None else float(sl.answer_within_seconds),
            asa_s=m["asa_seconds"],
            max_abandon=m["max_abandon"],
            max_occupancy=m["max_occupancy"],
            patience_s=None if m["patience_seconds"] == "auto" else m["patience_seconds"],
            max_concurrency=m["max_concurrency"],
            handle_time_by_load_s=None if by_load is None else tuple(float(x) for x in by_load),
            shrinkage=m["shrinkage"],
            min_agents=0 if m["min_agents"] is None else int(m["min_agents"]),
            open_hours=m["open_hours"],
            fte_hours_per_week=m["fte_hours_per_week"],
            # The skill's own NHT override only: defaults.nht_seconds is the last fallback.
            nht_seconds=skill.nht_seconds,
            nht_fallback_s=defaults.nht_seconds,
            scope="interval" if sl is None else sl.scope,
            interval_floor=None
            if sl is None or sl.interval_floor is None
            else float(sl.interval_floor),
            staffing=m["staffing"] or "stationary",
            patience_auto=m["patience_seconds"] == "auto",
            priority=m["priority"] or 0,
            confidence=None if sl is None or sl.confidence is None else float(sl.confidence),
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
        return [*self._required(), *self._method_needs(), *self._scope_rules()]

    def _required(self) -> list[tuple[str, str]]:
        """Settings every skill needs, here or in ``defaults``."""
        out: list[tuple[str, str]] = []
        if self.method is None:
            out.append(("method", f"no method here or in defaults (one of {', '.join(METHODS)})"))
        if self.shrinkage is None:
            out.append(("shrinkage", "required here or in defaults (e.g. 0.3)"))
        if self.fte_hours_per_week is None:
            out.append(("fte_hours_per_week", "required here or in defaults (e.g. 40)"))
        return out

    def _method_needs(self) -> list[tuple[str, str]]:
        """What the skill's method needs: patience, concurrency, handle times, a target."""
        out: list[tuple[str, str]] = []
        method = self.method
        if method == ERLANG_A and self.patience_s is None and not self.patience_auto:
            out.append(("patience_seconds", f"method {ERLANG_A} needs a mean patience"))
        if method == CHAT:
            k, by_load = self.max_concurrency, self.handle_time_by_load_s
            if k is None:
                out.append(
                    (
                        "max_concurrency",
                        f"method {CHAT} needs the number of conversations an agent holds at most",
                    )
                )
            elif by_load is not None and len(by_load) != k:
                out.append(
                    (
                        "handle_time_by_load_seconds",
                        f"needs one value per load 1..{k} (max_concurrency), got {len(by_load)}",
                    )
                )
        if method in TARGET_METHODS:
            targets = [self.service_level_target, self.asa_s, self.max_occupancy]
            if method != ERLANG_C:
                targets.append(self.max_abandon)
            if all(t is None for t in targets):
                out.append(
                    (
                        "service_level",
                        f"method {method} needs at least one target "
                        "(service_level, asa_seconds, max_occupancy or max_abandon)",
                    )
                )
        return out

    def _scope_rules(self) -> list[tuple[str, str]]:
        """The interval floor and time-stable staffing against the targets' scope."""
        out: list[tuple[str, str]] = []
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
        if self.confidence is not None and self.scope == "interval":
            out.append(
                (
                    "service_level.confidence",
                    "a confidence is the probability that a day (week) meets its targets; "
                    "it needs service_level.scope day or week (got interval)",
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

    id: SkillId
    name: str = Field(min_length=1, max_length=100)

    _resolved: ResolvedSkill | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> SkillEntry:
        # The defaults come in the validation context (load_config validates them first);
        # when they are invalid their own errors are reported and the skill is not resolved.
        context = validation_context(info)
        if "defaults" in context and context["defaults"] is None:
            return self
        resolved = ResolvedSkill.merge(context.get("defaults") or SkillSettings(), self)
        problems = resolved.problems()
        if resolved.method == WORKLOAD and self.service_level is not None:
            # An explicit target the method cannot use would be silently ignored.
            problems.append(
                (
                    "service_level",
                    f"method {WORKLOAD} does not use a service-level "
                    "target (it staffs volume x NHT / max_occupancy); remove it, or "
                    f"use {ERLANG_C}, {ERLANG_A} or {CHAT} to staff to a target",
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

    def with_resolved(self, skill: ResolvedSkill) -> SkillEntry:
        """A copy of this entry that plans with ``skill``'s settings (e.g. one scenario).

        Parameters
        ----------
        skill : ResolvedSkill
            Settings of this skill, already checked (:meth:`ResolvedSkill.problems`).

        Returns
        -------
        SkillEntry
            The copy; this entry is not changed.
        """
        copy = self.model_copy()
        copy._resolved = skill
        return copy
