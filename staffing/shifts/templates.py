"""Shift templates in the planning config: the ``shifts:`` list and the ``scheduled:`` file.

Each template says when a shift may start, how long it lasts, on which weekdays, its unpaid
break window and head limits, and which skills it serves. The pydantic models here check one
template on its own; :func:`shift_problems` checks what needs the whole config (skill ids
that exist, names used once, a break that fits in its shift, skill groups that do not
overlap), and says each problem as ``<file>: shifts[i].<key>: <what is wrong>`` like the
rest of :func:`staffing.load_config`. See ``docs/shifts.md`` for the model.

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

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from staffing.vocabulary import WEEKDAYS

__all__ = [
    "ScheduledFile",
    "ShiftBreak",
    "ShiftStart",
    "ShiftTemplate",
    "clock_minutes",
    "shift_problems",
]

StrictCount = Annotated[int, Field(strict=True, ge=0)]


class _Strict(BaseModel):
    # the same base as staffing.config's sections: unknown keys are errors
    model_config = ConfigDict(extra="forbid", validate_default=True)


def clock_minutes(text: str) -> int:
    """Minutes after local midnight of a wall-clock time ``"HH:MM"``.

    Parameters
    ----------
    text : str
        ``"HH:MM"`` from ``"00:00"`` to ``"23:59"``.

    Returns
    -------
    int
        Minutes after midnight [min], 0 to 1439.

    Raises
    ------
    ValueError
        Not of that form.
    """
    hh, sep, mm = str(text).strip().partition(":")
    if (
        not sep
        or len(mm) != 2
        or not hh.isdigit()
        or not mm.isdigit()
        or int(hh) > 23
        or int(mm) > 59
    ):
        raise ValueError(f"expected a local time 'HH:MM' from 00:00 to 23:59 (got {text!r})")
    return int(hh) * 60 + int(mm)


def _clock(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 06:00 as the base-60 number 360: refuse to guess.
        raise ValueError(
            'write the time in quotes, e.g. "06:00" (YAML reads an unquoted 06:00 as a number)'
        )
    if not isinstance(value, str):
        raise ValueError("expected a local time 'HH:MM' in quotes")
    clock_minutes(value)
    return value.strip()


Clock = Annotated[str, BeforeValidator(_clock)]


def _start_before(value: Any) -> Any:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return {"earliest": value, "latest": value}
    return value


class ShiftStart(_Strict):
    """``shifts[].start``: the allowed local start times, ``earliest`` to ``latest``."""

    earliest: Clock
    latest: Clock
    step_minutes: Annotated[int, Field(strict=True, ge=1, le=1440)] = 60

    @model_validator(mode="after")
    def _ordered(self) -> ShiftStart:
        if clock_minutes(self.latest) < clock_minutes(self.earliest):
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
        first, last = clock_minutes(self.earliest), clock_minutes(self.latest)
        return list(range(first, last + 1, self.step_minutes))


class ShiftBreak(_Strict):
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


class ShiftTemplate(_Strict):
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

    @property
    def length_minutes(self) -> int:
        """Span of the shift from start to end, break included [min]."""
        return round(self.length_hours * 60)

    @property
    def paid_hours(self) -> float:
        """Paid hours of one shift: ``length_hours`` minus the unpaid break [h]."""
        unpaid = 0 if self.break_ is None else self.break_.length_minutes
        return (self.length_minutes - unpaid) / 60.0


def _resolve(base: Path, value: str | Path) -> Path:
    value = Path(value).expanduser()
    return Path(os.path.normpath(value if value.is_absolute() else base / value))


def _scheduled_before(value: Any) -> Any:
    if isinstance(value, str | Path):
        return {"path": value}
    return value


def _config_relative(value: Path, info: ValidationInfo) -> Path:
    """Resolved like every path of the config: against the validation context's
    ``base_dir`` (the config file's folder), else the current folder."""
    context = info.context if isinstance(info.context, dict) else {}
    return _resolve(Path(context.get("base_dir") or Path.cwd()), value)


class ScheduledFile(_Strict):
    """``scheduled:`` a schedule to compare with the requirement (CSV or xlsx).

    Columns ``skill_id``, ``interval_start`` (naive times are local) and ``scheduled``
    (on-queue agents [-]) on the plan's interval grid, like the volume file.
    """

    path: Annotated[Path, AfterValidator(_config_relative)]
    sheet: str | None = None


ScheduledSpec = Annotated[ScheduledFile, BeforeValidator(_scheduled_before)]


def shift_problems(raw: dict[str, Any], src: str, base: Path) -> list[str]:
    """Checks of ``shifts:`` and ``scheduled:`` that need the rest of the config.

    Templates that do not validate on their own are skipped here (their own errors are
    reported by the model validation).

    Parameters
    ----------
    raw : dict
        The whole config as read from YAML (before validation).
    src : str
        Name of the config file, for the messages.
    base : Path
        Folder relative paths resolve against (the config file's folder).

    Returns
    -------
    list of str
        ``<src>: <key path>: <what is wrong>`` per problem: a skill id not in ``skills``, a
        template name used twice, a break that does not end inside its shift,
        ``min_heads`` above ``max_heads``, templates whose skill sets overlap without being
        equal (no multi-skill routing model yet), a ``scheduled`` file that does not exist.
    """
    problems: list[str] = []
    scheduled = raw.get("scheduled")
    path = scheduled.get("path") if isinstance(scheduled, dict) else scheduled
    if isinstance(path, str | Path) and str(path):
        full = _resolve(base, path)
        if not full.is_file():
            key = "scheduled.path" if isinstance(scheduled, dict) else "scheduled"
            problems.append(f"{src}: {key}: file not found: {full}")
    items = raw.get("shifts")
    if not isinstance(items, list):
        return problems
    skills = raw.get("skills")
    known = (
        {s.get("id") for s in skills if isinstance(s, dict)} if isinstance(skills, list) else set()
    )
    known_ints = sorted(k for k in known if isinstance(k, int) and not isinstance(k, bool))
    names: dict[str, int] = {}
    groups: list[tuple[int, frozenset[int]]] = []
    for index, item in enumerate(items):
        try:
            template = ShiftTemplate.model_validate(item)
        except ValidationError:
            continue
        where = f"{src}: shifts[{index}]"
        if template.name in names:
            problems.append(
                f"{where}.name: name {template.name!r} already used by "
                f"shifts[{names[template.name]}]"
            )
        names.setdefault(template.name, index)
        brk = template.break_
        if brk is not None:
            end = round(brk.latest_after_hours * 60) + brk.length_minutes
            if end > template.length_minutes:
                problems.append(
                    f"{where}.break.latest_after_hours: a {brk.length_minutes}-minute break "
                    f"starting {brk.latest_after_hours:g} h after the start ends after the "
                    f"{template.length_hours:g}-hour shift"
                )
        if template.max_heads is not None and template.min_heads > template.max_heads:
            problems.append(
                f"{where}.min_heads: {template.min_heads} is above max_heads {template.max_heads}"
            )
        if template.skills is None:
            served = frozenset(known_ints)
        else:
            unknown = [s for s in template.skills if s not in known]
            for skill_id in unknown:
                problems.append(f"{where}.skills: skill {skill_id} is not in skills")
            served = frozenset(template.skills)
        for other, other_set in groups:
            if served != other_set and served & other_set:
                shared = ", ".join(str(s) for s in sorted(served & other_set))
                problems.append(
                    f"{where}.skills: shares skill(s) {shared} with shifts[{other}] but is not "
                    "the same set; templates must serve exactly the same skills or none in "
                    "common (no multi-skill routing model yet; a template without 'skills' "
                    "serves every skill)"
                )
                break
        groups.append((index, served))
    return problems
