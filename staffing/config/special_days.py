"""``special_days:`` of the planning config: the entry model and the checks across entries.

The maths (how entries combine per date and skill, and what they do to each interval) is
in :mod:`staffing.special_days`; this module only reads and checks what the planner wrote.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from staffing.config.base import Problem, SkillId, StrictModel, rules_error

__all__ = ["SpecialDay", "special_day_problems"]


class SpecialDay(StrictModel):
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
    skills: list[SkillId] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _one_day_or_range(self) -> SpecialDay:
        problems = [*self._dates_problems(), *self._effect_problems()]
        if problems:
            raise rules_error(problems, absolute=False)
        return self

    def _dates_problems(self) -> list[Problem]:
        """Exactly one of ``date`` or ``from`` and ``to``, in order."""
        if self.day is not None and (self.first is not None or self.to is not None):
            return [(("date",), "give either 'date' or 'from' and 'to', not both")]
        if self.day is not None:
            return []
        if self.first is None and self.to is None:
            return [((), "needs 'date', or 'from' and 'to'")]
        if self.first is None:
            return [(("from",), "required with 'to'")]
        if self.to is None:
            return [(("to",), "required with 'from'")]
        if self.to < self.first:
            return [(("to",), f"before from ({self.to} < {self.first})")]
        return []

    def _effect_problems(self) -> list[Problem]:
        """One effect at least, none beside ``closed``, ``like`` on a single other date."""
        problems: list[Problem] = []
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
        return problems

    @property
    def last(self) -> date:
        """Last local date of the entry, inclusive."""
        last = self.day if self.day is not None else self.to
        assert last is not None  # the validator requires a date or a range
        return last

    @property
    def start(self) -> date:
        """First local date of the entry."""
        first = self.day if self.day is not None else self.first
        assert first is not None  # the validator requires a date or a range
        return first


def _written_skills(item: Any) -> list[int]:
    """The whole-number skill ids of an entry's ``skills:`` as written."""
    skills = item.get("skills") if isinstance(item, dict) else None
    if not isinstance(skills, list):
        return []
    return [s for s in skills if isinstance(s, int) and not isinstance(s, bool)]


def special_day_problems(items: Any, ids: set[object] | None) -> list[Problem]:
    """Checks across the entries: skills that exist, one ``like`` per date and skill.

    Parameters
    ----------
    items : Any
        ``special_days:`` as written (anything but a list is not checked here). The skills
        of an entry that is wrong itself are checked too; its ``like`` is not.
    ids : set or None
        The skill ids of ``skills:`` as written (None: not a list, so not checked).

    Returns
    -------
    list of (key path, str)
        ``special_days[i].skills`` naming a skill not in ``skills``, and
        ``special_days[i].like`` for a second ``like`` of the same date and skill.
    """
    if not isinstance(items, list):
        return []
    problems: list[Problem] = []
    liked: dict[tuple[date | None, int | None], int] = {}
    for index, item in enumerate(items):
        problems += [
            (("special_days", index, "skills"), f"skill {sid} is not in skills")
            for sid in _written_skills(item)
            if ids is not None and sid not in ids
        ]
        try:
            entry = SpecialDay.model_validate(item)
        except ValidationError:
            continue
        if entry.like is None:
            continue
        skills: list[int | None] = list(entry.skills) if entry.skills else [None]
        for one in skills:
            clash = [
                i
                for (d, s), i in liked.items()
                if d == entry.day and (s is None or one is None or s == one)
            ]
            if clash:
                problems.append(
                    (
                        ("special_days", index, "like"),
                        f"{entry.day} already takes its volume from special_days[{clash[0]}]",
                    )
                )
                break
            liked[(entry.day, one)] = index
    return problems
