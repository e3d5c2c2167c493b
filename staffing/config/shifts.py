"""Shift templates in the planning config: the ``shifts:`` list and the ``scheduled:`` file.

Each template says when a shift may start, how long it lasts, on which weekdays, its unpaid
break window and head limits, and which skills it serves. :class:`ShiftTemplate` checks one
template, its break inside its span and ``min_heads`` at most ``max_heads`` included;
:func:`shift_set_problems` checks what needs the whole config (skill ids that exist, names
used once, skill groups that do not overlap) and :func:`scheduled_problems` that the
``scheduled:`` file exists. :class:`~staffing.config.PlanConfig` runs both as validators
of its ``shifts`` and ``scheduled`` keys, so each problem is said as
``<file>: shifts[i].<key>: <what is wrong>`` like the rest of
:func:`staffing.load_config`. See ``docs/shifts.md`` for the model.

Keys::

    shifts:
      - name: early
        length_hours: 8.5          # span from start to end, break included [h]
        start: {earliest: "06:00", latest: "10:00", step_minutes: 30}   # or start: "06:00"
        days: [mon, tue, wed, thu, fri]        # weekdays the shift starts on (default all)
        break: {length_minutes: 30, earliest_after_hours: 3, latest_after_hours: 5}
        min_heads: 0               # per start (template, date, start time)
        max_heads: 40              # per start
        skills: [1001, 1002]       # default every skill
    scheduled: roster.csv          # or {path: roster.xlsx, sheet: Roster}
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from staffing.config.base import (
    ConfigPath,
    Problem,
    StrictModel,
    resolve_path,
    rules_error,
    validation_context,
)
from staffing.config.hours import format_clock, parse_clock
from staffing.vocabulary import WEEKDAYS

__all__ = [
    "ScheduledFile",
    "ScheduledSpec",
    "ShiftBreak",
    "ShiftStart",
    "ShiftTemplate",
    "scheduled_problems",
    "shift_set_problems",
]

StrictCount = Annotated[int, Field(strict=True, ge=0)]

#: Validation context key that leaves out a template's rules across its own keys (the
#: checks across templates read every template that is well-formed key by key).
KEYS_ONLY = "shift_keys_only"


def _clock(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 06:00 as the base-60 number 360: refuse to guess.
        if 0 <= value < 24 * 60:
            written = format_clock(value)
            raise ValueError(
                f'write the time in quotes, "{written}": YAML reads an unquoted {written} '
                f"as a number (got {value})"
            )
        raise ValueError(f'expected a local time in quotes, e.g. "06:00" (got {value})')
    if not isinstance(value, str):
        raise ValueError("expected a local time 'HH:MM' in quotes")
    parse_clock(value)
    return value.strip()


Clock = Annotated[str, BeforeValidator(_clock)]


def _start_before(value: Any) -> Any:
    if isinstance(value, str | int) and not isinstance(value, bool):
        _clock(value)  # one time: a mistake in it is reported once, at ``start``
        return {"earliest": value, "latest": value}
    return value


class ShiftStart(StrictModel):
    """``shifts[].start``: the allowed local start times, ``earliest`` to ``latest``."""

    earliest: Clock
    latest: Clock
    step_minutes: Annotated[int, Field(strict=True, ge=1, le=1440)] = 60

    @model_validator(mode="after")
    def _ordered(self) -> ShiftStart:
        if parse_clock(self.latest) < parse_clock(self.earliest):
            raise ValueError(
                f"latest {self.latest} is before earliest {self.earliest} (a "
                "shift starting after midnight starts on the next weekday)"
            )
        return self

    def minutes(self) -> list[int]:
        """The allowed start times.

        Returns
        -------
        list of int
            ``earliest``, ``earliest + step_minutes``, ... up to ``latest`` inclusive, in
            minutes after local midnight [min].
        """
        first, last = parse_clock(self.earliest), parse_clock(self.latest)
        return list(range(first, last + 1, self.step_minutes))


class ShiftBreak(StrictModel):
    """``shifts[].break``: one unpaid break, starting inside a window after the shift start."""

    length_minutes: Annotated[int, Field(strict=True, ge=1, le=720)]
    earliest_after_hours: Annotated[float, Field(ge=0, le=24, allow_inf_nan=False)]
    latest_after_hours: Annotated[float, Field(ge=0, le=24, allow_inf_nan=False)]

    @field_validator("earliest_after_hours", "latest_after_hours")
    @classmethod
    def _whole_minutes(cls, value: float) -> float:
        if abs(value * 60 - round(value * 60)) > 1e-6:
            raise ValueError("must be a whole number of minutes (e.g. 3.5 or 3.25)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> ShiftBreak:
        if self.latest_after_hours < self.earliest_after_hours:
            raise ValueError(
                f"latest_after_hours {self.latest_after_hours:g} is before "
                f"earliest_after_hours {self.earliest_after_hours:g}"
            )
        return self

    def offsets_minutes(self, step_minutes: int) -> list[int]:
        """Break start offsets the optimiser may choose.

        Parameters
        ----------
        step_minutes : int
            Step between candidate offsets [min]; the schedule uses the plan's interval.

        Returns
        -------
        list of int
            ``earliest_after_hours``, then every ``step_minutes`` up to ``latest_after_hours``
            inclusive, in minutes after the shift start [min].
        """
        first = round(self.earliest_after_hours * 60)
        last = round(self.latest_after_hours * 60)
        return list(range(first, last + 1, step_minutes))


def _days_before(value: Any) -> Any:
    if isinstance(value, str):
        return [value]
    return value


class ShiftTemplate(StrictModel):
    """One entry of ``shifts:`` (see the module docstring and ``docs/shifts.md``)."""

    model_config = ConfigDict(extra="forbid", validate_default=True, populate_by_name=True)

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
    length_hours: Annotated[float, Field(gt=0, le=24, allow_inf_nan=False)]
    start: Annotated[ShiftStart, BeforeValidator(_start_before)]
    days: Annotated[list[str], BeforeValidator(_days_before)] = Field(
        default_factory=lambda: list(WEEKDAYS), min_length=1
    )
    break_: ShiftBreak | None = Field(None, alias="break")
    min_heads: StrictCount = 0
    max_heads: Annotated[int, Field(strict=True, ge=1)] | None = None
    skills: list[Annotated[int, Field(strict=True, ge=1)]] | None = Field(None, min_length=1)
    team: str | None = Field(None, min_length=1, max_length=100)

    @field_validator("length_hours")
    @classmethod
    def _whole_minutes(cls, value: float) -> float:
        if abs(value * 60 - round(value * 60)) > 1e-6:
            raise ValueError("must be a whole number of minutes (e.g. 8.5 or 7.75)")
        return value

    @field_validator("days")
    @classmethod
    def _weekdays(cls, value: list[str]) -> list[str]:
        unknown = [d for d in value if d not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown weekday {unknown[0]!r} (one of {', '.join(WEEKDAYS)})")
        if len(set(value)) != len(value):
            raise ValueError("a weekday is listed twice")
        return value

    @field_validator("skills")
    @classmethod
    def _unique(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("a skill id is listed twice")
        return value

    @model_validator(mode="after")
    def _break_inside_and_heads_ordered(self, info: ValidationInfo) -> ShiftTemplate:
        if validation_context(info).get(KEYS_ONLY):
            return self
        problems: list[Problem] = []
        brk = self.break_
        if brk is not None:
            end = round(brk.latest_after_hours * 60) + brk.length_minutes
            if end > self.length_minutes:
                problems.append(
                    (
                        ("break", "latest_after_hours"),
                        f"a {brk.length_minutes}-minute break starting "
                        f"{brk.latest_after_hours:g} h after the start ends after the "
                        f"{self.length_hours:g}-hour shift",
                    )
                )
        if self.max_heads is not None and self.min_heads > self.max_heads:
            problems.append(
                (("min_heads",), f"{self.min_heads} is above max_heads {self.max_heads}")
            )
        if problems:
            raise rules_error(problems, absolute=False)
        return self

    @property
    def length_minutes(self) -> int:
        """Span of the shift from start to end, break included [min]."""
        return round(self.length_hours * 60)

    @property
    def paid_hours(self) -> float:
        """Paid hours of one shift: ``length_hours`` minus the unpaid break [h]."""
        unpaid = 0 if self.break_ is None else self.break_.length_minutes
        return (self.length_minutes - unpaid) / 60.0


def _scheduled_before(value: Any) -> Any:
    if isinstance(value, str | Path):
        return {"path": value}
    return value


class ScheduledFile(StrictModel):
    """``scheduled:`` a schedule to compare with the requirement (CSV or xlsx).

    Columns ``skill_id``, ``interval_start`` (naive times are local) and ``scheduled``
    (on-queue agents [-]) on the plan's interval grid, like the volume file.
    """

    path: ConfigPath
    sheet: str | None = None


ScheduledSpec = Annotated[ScheduledFile, BeforeValidator(_scheduled_before)]


def scheduled_problems(value: Any, base: Path) -> list[Problem]:
    """Check that the ``scheduled:`` file exists (whatever else is wrong with the key).

    Parameters
    ----------
    value : Any
        ``scheduled:`` as written: a path, or a mapping with ``path``.
    base : pathlib.Path
        Folder relative paths resolve against (the config file's folder).

    Returns
    -------
    list of (key path, str)
        ``scheduled`` (or ``scheduled.path``): file not found, naming the resolved path.
    """
    path = value.get("path") if isinstance(value, dict) else value
    if not isinstance(path, str | Path) or not str(path):
        return []
    full = resolve_path(base, path)
    if full.is_file():
        return []
    key = ("scheduled", "path") if isinstance(value, dict) else ("scheduled",)
    return [(key, f"file not found: {full}")]


def shift_set_problems(
    items: Any, known: set[object], teams: dict[str, frozenset[int]] | None = None
) -> list[Problem]:
    """Checks of ``shifts:`` across templates and against ``skills:``.

    Templates that are not well-formed key by key are left out (the model says why).

    Parameters
    ----------
    items : Any
        ``shifts:`` as written (anything but a list is not checked here).
    known : set
        The skill ids of ``skills:`` as written.
    teams : dict, optional
        The skills of each team of ``teams:`` as written, by name.

    Returns
    -------
    list of (key path, str)
        A template name used twice, a skill id not in ``skills``, templates whose skill
        sets overlap without being equal (teams say who serves what: a template with
        ``team:`` serves its team's skills, and only other teams' templates may share
        them), ``team`` beside ``skills``, a team not in ``teams``.
    """
    if not isinstance(items, list):
        return []
    every_skill = frozenset(k for k in known if isinstance(k, int) and not isinstance(k, bool))
    problems: list[Problem] = []
    names: dict[str, int] = {}
    groups: list[tuple[int, frozenset[int]]] = []
    team_served: list[tuple[int, frozenset[int]]] = []
    for index, item in enumerate(items):
        try:
            template = ShiftTemplate.model_validate(item, context={KEYS_ONLY: True})
        except ValidationError:
            # Its skills are still checked: one message per mistake, all at once.
            problems += _unknown_skills(
                index, item.get("skills") if isinstance(item, dict) else None, known
            )
            continue
        if template.name in names:
            problems.append(
                (
                    ("shifts", index, "name"),
                    f"name {template.name!r} already used by shifts[{names[template.name]}]",
                )
            )
        names.setdefault(template.name, index)
        problems += _unknown_skills(index, template.skills, known)
        if template.team is not None:
            problems += _team_problems(index, template, teams or {})
            team_served.append((index, (teams or {}).get(template.team, frozenset())))
            continue
        served = every_skill if template.skills is None else frozenset(template.skills)
        problems += _group_overlap(index, served, groups)
        groups.append((index, served))
    return problems + _served_by_teams(groups, team_served)


def _team_problems(index: int, template: ShiftTemplate, teams: dict[str, frozenset[int]]) -> list:
    """``shifts[index].team``: named in ``teams``, and not beside ``skills``."""
    if template.skills is not None:
        return [(("shifts", index, "team"), "give team or skills, not both")]
    if template.team not in teams:
        known = ", ".join(repr(name) for name in teams) or "none"
        return [(("shifts", index, "team"), f"{template.team!r} is not in teams ({known})")]
    return []


def _served_by_teams(
    groups: list[tuple[int, frozenset[int]]], team_served: list[tuple[int, frozenset[int]]]
) -> list[Problem]:
    """Templates without a team that serve a skill a team's templates serve."""
    problems: list[Problem] = []
    for index, served in groups:
        for other, team_skills in team_served:
            if served & team_skills:
                shared = ", ".join(str(s) for s in sorted(served & team_skills))
                problems.append(
                    (
                        ("shifts", index, "skills"),
                        f"serves skill(s) {shared} that shifts[{other}] serves through its "
                        "team: a skill served by teams' templates is served by teams only "
                        "(give this template a team, or other skills)",
                    )
                )
                break
    return problems


def _unknown_skills(index: int, skills: Any, known: set[object]) -> list[Problem]:
    """``shifts[index].skills``: each whole-number skill id not in ``skills:``."""
    if not isinstance(skills, list):
        return []
    return [
        (("shifts", index, "skills"), f"skill {skill_id} is not in skills")
        for skill_id in skills
        if isinstance(skill_id, int) and not isinstance(skill_id, bool) and skill_id not in known
    ]


def _group_overlap(
    index: int, served: frozenset[int], groups: list[tuple[int, frozenset[int]]]
) -> list[Problem]:
    """The first earlier template that shares some of ``served`` but not all."""
    for other, other_set in groups:
        if served != other_set and served & other_set:
            shared = ", ".join(str(s) for s in sorted(served & other_set))
            return [
                (
                    ("shifts", index, "skills"),
                    f"shares skill(s) {shared} with shifts[{other}] but is not "
                    "the same set; templates must serve exactly the same skills or none in "
                    "common (no multi-skill routing model yet; a template without 'skills' "
                    "serves every skill)",
                )
            ]
    return []
