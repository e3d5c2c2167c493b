"""Open hours of a skill, and the project's one wall-clock parser and formatter.

:func:`parse_clock` reads ``"HH:MM"`` into minutes after local midnight and
:func:`format_clock` writes minutes back as ``"HH:MM"``; every clock time the config reads
or the outputs write goes through these two. :class:`OpenHours` holds a skill's opening
hours per weekday, as ranges of minutes after midnight, a range across midnight carried
over to the next weekday.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, Field, model_validator

from staffing.config.base import Problem, StrictModel, rules_error
from staffing.vocabulary import WEEKDAYS

__all__ = ["DayHours", "OpenHours", "format_clock", "parse_clock"]

#: Minutes in a day [min].
DAY_MINUTES = 24 * 60


def parse_clock(text: str, *, end_of_day: bool = False) -> int:
    """Minutes after local midnight of a wall-clock time ``"HH:MM"``.

    Parameters
    ----------
    text : str
        ``"HH:MM"`` from ``"00:00"`` to ``"23:59"`` (surrounding spaces are ignored).
    end_of_day : bool, default False
        Also accept ``"24:00"``, the end of a range that runs to midnight.

    Returns
    -------
    int
        Minutes after midnight [min], 0 to 1439 (1440 for ``"24:00"`` with ``end_of_day``).

    Raises
    ------
    ValueError
        Not of that form, naming the text.
    """
    hh, sep, mm = str(text).strip().partition(":")
    latest = DAY_MINUTES if end_of_day else DAY_MINUTES - 1
    if sep and len(mm) == 2 and hh.isdigit() and mm.isdigit():
        minutes = int(hh) * 60 + int(mm)
        if int(mm) < 60 and minutes <= latest:
            return minutes
    raise ValueError(
        f"expected a local time 'HH:MM' from 00:00 to {format_clock(latest)} (got {text!r})"
    )


def format_clock(minutes: int) -> str:
    """A time of day as ``"HH:MM"``.

    Parameters
    ----------
    minutes : int
        Minutes after local midnight [min] (1440 gives ``"24:00"``).

    Returns
    -------
    str
        Zero-padded hours and minutes, e.g. ``"08:30"``.
    """
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parsed_range(item: Any) -> tuple[int, int] | None:
    """A range of a config validated before (two minute counts), else None."""
    if (
        isinstance(item, list | tuple)
        and len(item) == 2
        and all(isinstance(x, int) and 0 <= x <= 2 * DAY_MINUTES for x in item)
        and item[0] < item[1] <= item[0] + DAY_MINUTES
    ):
        return (item[0], item[1])
    return None


def _parse_range(item: Any) -> tuple[int, int]:
    """``"HH:MM-HH:MM"`` -> ``(from, to)`` minutes; a range across midnight ends past 1440."""
    if not isinstance(item, str) or item.count("-") != 1:
        raise ValueError(
            f"expected 'HH:MM-HH:MM', a list of them, 'closed' or '24h' (got {item!r})"
        )
    left, right = item.split("-")
    try:
        start = parse_clock(left, end_of_day=True)
        stop = parse_clock(right, end_of_day=True)
    except ValueError:
        raise ValueError(f"bad time range {item!r}: expected 'HH:MM-HH:MM'") from None
    if stop == start:
        raise ValueError(f"range {item!r} is empty (use '24h' for all day)")
    if stop < start:  # crosses midnight: the part after it belongs to the next day
        stop += DAY_MINUTES
    return (start, stop)


def _parse_day_hours(value: Any) -> list[tuple[int, int]]:
    """'08:00-20:00', a list of such ranges, 'closed' or '24h' -> [(from_min, to_min)]."""
    if value is None or value == "closed" or value == []:
        return []
    if value in ("24h", "all day"):
        return [(0, DAY_MINUTES)]
    items = value if isinstance(value, list) else [value]
    ranges = []
    for item in items:
        parsed = _parsed_range(item)  # already parsed (a re-validated config)
        ranges.append(parsed if parsed is not None else _parse_range(item))
    return sorted(ranges)


DayHours = Annotated[list[tuple[int, int]], BeforeValidator(_parse_day_hours)]


class OpenHours(StrictModel):
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
        days = self._split_at_midnight()
        problems: list[Problem] = []
        for day, ranges in days.items():
            ranges.sort()
            for (a0, b0, why0), (a1, b1, why1) in itertools.pairwise(ranges):
                if a1 < b0:
                    problems.append(
                        (
                            (day,),
                            f"{format_clock(a0)}-{format_clock(b0)}{why0} "
                            f"overlaps {format_clock(a1)}-{format_clock(b1)}{why1}",
                        )
                    )
            setattr(self, day, [(a, b) for a, b, _ in ranges])
        if problems:
            raise rules_error(problems, absolute=False)
        return self

    def _split_at_midnight(self) -> dict[str, list[tuple[int, int, str]]]:
        """Each weekday's ranges, the part of a range past midnight moved to the next day.

        Returns
        -------
        dict
            Weekday key -> ``(from, to, why)``: minutes after that day's midnight [min] and
            the note an overlap message adds to a carried-over part.
        """
        days: dict[str, list[tuple[int, int, str]]] = {day: [] for day in WEEKDAYS}
        for index, day in enumerate(WEEKDAYS):
            for start, stop in getattr(self, day):
                if stop <= DAY_MINUTES:
                    days[day].append((start, stop, ""))
                    continue
                after = WEEKDAYS[(index + 1) % 7]
                days[day].append((start, DAY_MINUTES, ""))
                days[after].append(
                    (
                        0,
                        stop - DAY_MINUTES,
                        f" (carried over from {day} "
                        f"{format_clock(start)}-{format_clock(stop - DAY_MINUTES)})",
                    )
                )
        return days

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
