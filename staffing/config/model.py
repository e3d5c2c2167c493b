"""The whole planning config: :class:`PlanConfig`, its sections and the rules across them.

The rules that need more than one section (growth and special days of skills that exist,
skill ids and names used once, shift templates against the skills) are validators of
:class:`PlanConfig`'s fields. They read the skills as written (the validation context's
``raw``), so they are reported even when a skill itself is invalid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from staffing.config.base import Problem, StrictModel, rules_error, validation_context
from staffing.config.hours import format_clock
from staffing.config.sections import (
    GrowthSpec,
    NhtSection,
    OutputSection,
    PlanSection,
    VolumeSection,
    growth_problems,
)
from staffing.config.shifts import (
    ScheduledSpec,
    ShiftTemplate,
    scheduled_problems,
    shift_set_problems,
)
from staffing.config.skills import ResolvedSkill, SkillEntry, SkillSettings
from staffing.config.special_days import SpecialDay, special_day_problems
from staffing.config.teams import ResolvedTeam, TeamEntry, resolve_teams, team_problems
from staffing.errors import ConfigError
from staffing.vocabulary import WEEKDAYS, WORKLOAD

__all__ = ["PlanConfig"]


def _raw_skill_ids(info: ValidationInfo) -> set[object] | None:
    """The ``id`` of every ``skills:`` entry as written (None when ``skills`` is no list)."""
    raw_skills = (validation_context(info).get("raw") or {}).get("skills")
    if not isinstance(raw_skills, list):
        return None
    return {item.get("id") for item in raw_skills if isinstance(item, dict)}


def _raw_teams(info: ValidationInfo) -> dict[str, frozenset[int]]:
    """The skills of each ``teams:`` entry as written, by name (whole-number ids only)."""
    raw_teams = (validation_context(info).get("raw") or {}).get("teams")
    if not isinstance(raw_teams, list):
        return {}
    out = {}
    for item in raw_teams:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            skills = item.get("skills")
            listed = skills if isinstance(skills, list) else []
            out[item["name"]] = frozenset(s for s in listed if isinstance(s, int))
    return out


def _validate_with(
    handler: ValidatorFunctionWrapHandler, value: Any, problems: list[Problem]
) -> Any:
    """``handler(value)``, its own errors and ``problems`` reported together."""
    try:
        validated = handler(value)
    except ValidationError as exc:
        if not problems:
            raise
        raise rules_error(problems, errors=exc.errors()) from None
    if problems:
        raise rules_error(problems)
    return validated


def _repeated_skills(items: Any) -> list[Problem]:
    """A skill id or name of ``skills:`` (as written) that an earlier entry already uses."""
    if not isinstance(items, list):
        return []
    problems: list[Problem] = []
    seen: dict[str, dict[object, int]] = {"id": {}, "name": {}}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        for key, kinds in (("id", int), ("name", str)):
            value = item.get(key)
            if not isinstance(value, kinds) or isinstance(value, bool):
                continue
            first = seen[key].setdefault(value, index)
            if first != index:
                shown = value if key == "id" else repr(value)
                label = "skill id" if key == "id" else "name"
                problems.append(
                    (("skills", index, key), f"{label} {shown} already used by skills[{first}]")
                )
    return problems


class PlanConfig(StrictModel):
    """The whole validated planning config (see :mod:`staffing.config`)."""

    plan: PlanSection
    nht: NhtSection = Field(default_factory=lambda: NhtSection(source="none"))
    volume: VolumeSection
    defaults: SkillSettings = Field(default_factory=SkillSettings)
    skills: list[SkillEntry] = Field(min_length=1)
    output: OutputSection = Field(default_factory=OutputSection)
    shifts: list[ShiftTemplate] | None = None
    scheduled: ScheduledSpec | None = None
    special_days: list[SpecialDay] = Field(default_factory=list)
    teams: list[TeamEntry] = Field(default_factory=list)

    _source: str = PrivateAttr("<dict>")
    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _raw: dict[str, Any] | None = PrivateAttr(None)

    @field_validator("volume", mode="wrap")
    @classmethod
    def _growth_of_known_skills(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> VolumeSection:
        # Against the raw skill ids, and even when another key of volume is wrong.
        return _validate_with(handler, value, growth_problems(value, _raw_skill_ids(info)))

    @field_validator("special_days", mode="wrap")
    @classmethod
    def _special_days_of_known_skills(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> list[SpecialDay]:
        # Against the raw skill ids (as growth), even when an entry is wrong itself; and
        # one 'like' per date and skill.
        return _validate_with(handler, value, special_day_problems(value, _raw_skill_ids(info)))

    @field_validator("skills", mode="wrap")
    @classmethod
    def _unique_and_known(
        cls, value: Any, handler: ValidatorFunctionWrapHandler
    ) -> list[SkillEntry]:
        # Ids and names as written, so a repeat is reported even when a skill is invalid.
        return _validate_with(handler, value, _repeated_skills(value))

    @field_validator("shifts", mode="wrap")
    @classmethod
    def _templates_together(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> list[ShiftTemplate] | None:
        # Across the templates that are well-formed, even when another one is not.
        return _validate_with(
            handler,
            value,
            shift_set_problems(value, _raw_skill_ids(info) or set(), _raw_teams(info)),
        )

    @field_validator("scheduled", mode="wrap")
    @classmethod
    def _scheduled_file_exists(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        base = Path(validation_context(info).get("base_dir") or Path.cwd())
        return _validate_with(handler, value, scheduled_problems(value, base))

    @model_validator(mode="after")
    def _history_where_needed(self) -> PlanConfig:
        # Without an nht section there is no history to forecast volume or patience from.
        if self.nht.source != "none":
            return self
        problems: list[Problem] = []
        if self.volume.source == "history":
            problems.append(
                (
                    ("volume", "source"),
                    "'history' forecasts from the NHT history, and the config has no nht "
                    "section: add one (nht.source file or store), or use your own forecast "
                    "(volume.source file)",
                )
            )
        for index, entry in enumerate(self.skills):
            if entry.resolved is not None and entry.resolved.patience_auto:
                problems.append(
                    (
                        ("skills", index, "patience_seconds"),
                        "auto estimates the patience from the history's abandoned and "
                        "total_wait_s columns, and the config has no nht section: add one, "
                        "or give the patience in seconds",
                    )
                )
        if problems:
            raise rules_error(problems)
        return self

    @model_validator(mode="after")
    def _teams_of_known_skills(self) -> PlanConfig:
        # Against the resolved skills (methods with defaults merged), all problems at once.
        if any(entry.resolved is None for entry in self.skills):
            return self  # the skills' own problems are reported first
        problems = team_problems(self.teams, self.resolved_skills, self.defaults)
        if problems:
            raise rules_error(problems)
        return self

    @model_validator(mode="after")
    def _remember_origin(self, info: ValidationInfo) -> PlanConfig:
        context = validation_context(info)
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
    def raw(self) -> dict[str, Any] | None:
        """The config as read, before validation (None when not made by ``load_config``)."""
        return self._raw

    @property
    def resolved_skills(self) -> list[ResolvedSkill]:
        """Skills in config order with ``defaults`` merged in."""
        # Each entry of a validated config is resolved (load_config refuses any other).
        return cast("list[ResolvedSkill]", [skill.resolved for skill in self.skills])

    @property
    def resolved_teams(self) -> list[ResolvedTeam]:
        """``teams:`` in config order with defaults applied (empty without teams)."""
        return resolve_teams(self.teams, self.resolved_skills, self.defaults)

    @property
    def warnings(self) -> list[str]:
        """What is valid but not applied: a ``workload`` skill's targets from ``defaults``,
        and open hours that do not fall on the plan's interval grid.

        Returns
        -------
        list of str
            One text per skill and key, naming the skill, e.g. ``skills[0] 'Sales
            Messaging' (1001): method workload does not use the service_level from
            defaults ...``.
        """
        out = self._off_grid_open_hours()
        for index, entry in enumerate(self.skills):
            resolved = entry.resolved
            if resolved is None or resolved.method != WORKLOAD:
                continue
            unused = [
                key
                for key in ("service_level", "asa_seconds", "max_abandon")
                if key not in entry.model_fields_set and getattr(self.defaults, key) is not None
            ]
            if unused:
                out.append(
                    f"skills[{index}] {entry.name!r} ({entry.id}): method {WORKLOAD} does "
                    f"not use the {' or '.join(unused)} from defaults (no target, no "
                    f"service level shown); set {unused[0]}: null on the skill to say "
                    "so"
                )
        return out

    def _off_grid_open_hours(self) -> list[str]:
        """One text per skill whose open hours start or end inside a plan interval.

        An interval that overlaps an open range even partly is planned as open
        (:meth:`staffing.config.hours.OpenHours.is_open`), so ``07:00-21:05`` on an hourly
        plan staffs 21:00-22:00 for five minutes of calls: say so.
        """
        minutes = self.plan.interval_minutes
        out = []
        for index, entry in enumerate(self.skills):
            hours = entry.resolved.open_hours if entry.resolved is not None else None
            if hours is None:
                continue
            off = sorted(
                {
                    format_clock(edge)
                    for day in WEEKDAYS
                    for a, b in getattr(hours, day)
                    for edge in (a, b)
                    if edge % minutes
                }
            )
            if off:
                out.append(
                    f"skills[{index}] {entry.name!r} ({entry.id}): open_hours at "
                    f"{', '.join(off)} are not on the plan's {minutes}-minute grid: an "
                    "interval open even partly is planned as open for all of it"
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
        copies = [entries[skill.skill_id].with_resolved(skill) for skill in skills]
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
