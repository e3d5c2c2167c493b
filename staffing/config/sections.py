"""The sections ``plan:``, ``nht:``, ``volume:`` and ``output:`` of the planning config.

Each section checks its own keys and the rules between them (``weeks`` or ``end``, what
each ``source`` needs, an input file that exists). Skills, special days and shifts have
their own modules; :class:`~staffing.config.PlanConfig` puts the sections together.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator

from staffing.config.base import ConfigPath, Problem, SkillId, StrictModel, check_file
from staffing.errors import ConfigError
from staffing.sources.liveperson.credentials import check_domain_api, source_problem
from staffing.vocabulary import HISTORY_FILE_COLUMNS, INTERVAL_MINUTES, VOLUME_FILE_COLUMNS

__all__ = [
    "FileLayout",
    "GrowthSpec",
    "LivePersonSection",
    "NhtSection",
    "OutputSection",
    "PlanSection",
    "UncertaintySpec",
    "VolumeSection",
    "growth_problems",
]


def _zone_problem(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown IANA time zone {value!r} (e.g. 'Europe/Berlin', 'America/New_York')"
    return None


class FileLayout(StrictModel):
    """How a planner's file writes its times and names its columns (``nht`` and ``volume``).

    ``timezone``: the file's times are local wall-clock times in this zone, whatever offset
    or ``Z`` they carry. ``date_format``: strftime format of ``interval_start`` where
    day-first and month-first dates cannot be told apart. ``columns``: column name -> the
    file's header. ``skill_id``: the skill of every row of a single-skill file.
    """

    #: The column names ``columns`` may map (the subclass's file columns).
    file_columns: ClassVar[tuple[str, ...]] = ()

    timezone: str | None = None
    date_format: str | None = None
    columns: dict[str, str] | None = None
    skill_id: SkillId | None = None

    @field_validator("timezone")
    @classmethod
    def _file_zone(cls, value: str | None) -> str | None:
        problem = None if value is None else _zone_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("date_format")
    @classmethod
    def _strftime(cls, value: str | None) -> str | None:
        if value is not None and "%" not in value:
            raise ValueError(
                f"{value!r} has no % field: write it as strftime does, e.g. '%d/%m/%Y %H:%M' "
                "(day first) or '%m/%d/%Y %H:%M' (month first)"
            )
        return value

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        unknown = sorted(set(value or {}) - set(cls.file_columns))
        if unknown:
            raise ValueError(
                f"unknown column(s) {', '.join(unknown)}: map any of "
                f"{', '.join(cls.file_columns)} to the file's header, e.g. "
                "{interval_start: DateTime}"
            )
        return value

    def layout_keys(self) -> list[str]:
        """The layout keys given (``timezone``, ``columns`` ...), for "only with a file" rules.

        Returns
        -------
        list of str
        """
        names = ("timezone", "date_format", "columns", "skill_id")
        return [name for name in names if getattr(self, name) is not None]

    def reader_kwargs(self) -> dict[str, Any]:
        """The file reader's keyword arguments for these keys.

        Returns
        -------
        dict
            ``date_format``, ``columns`` and ``skill_id`` (the zone is passed by name).
        """
        return {"date_format": self.date_format, "columns": self.columns, "skill_id": self.skill_id}


class PlanSection(StrictModel):
    """``plan:`` the horizon, its time zone and interval length."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
    start: date
    weeks: Annotated[int, Field(strict=True, ge=1, le=156)] | None = None
    end: date | None = None
    timezone: str
    interval_minutes: Literal[INTERVAL_MINUTES] = 60  # type: ignore[valid-type]  # run-time tuple

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        problem = _zone_problem(value)
        if problem:
            raise ValueError(problem)
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


class LivePersonSection(StrictModel):
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


class NhtSection(FileLayout):
    """``nht:`` where the Net Handle Time history comes from (and a file's layout).

    Source ``none`` (what a config without an ``nht`` section means) plans without any
    history: every skill then takes its NHT from ``nht_seconds`` or from the volume file's
    handle times.
    """

    file_columns: ClassVar[tuple[str, ...]] = HISTORY_FILE_COLUMNS

    source: Literal["store", "file", "none"]
    path: ConfigPath | None = None
    store: ConfigPath | None = None
    history_weeks: Annotated[int, Field(strict=True, ge=1, le=52)] = 8
    min_segments: Annotated[float, Field(gt=0)] = 20
    fetch: bool = False
    liveperson: LivePersonSection | None = None

    @model_validator(mode="after")
    def _source_needs(self) -> NhtSection:
        if self.source == "none":
            given = [k for k in ("path", "store", "liveperson") if getattr(self, k) is not None]
            given += self.layout_keys()
            if given or self.fetch:
                raise ValueError(
                    f"source 'none' plans without history; remove {', '.join(given or ['fetch'])}"
                )
        elif self.source == "file":
            if self.path is None:
                raise ValueError("source 'file' needs 'path' (a CSV of NHT history)")
            if self.store is not None or self.fetch:
                raise ValueError("'store' and 'fetch' are for source 'store', not 'file'")
        else:
            if self.path is not None:
                raise ValueError("'path' is for source 'file'; use 'store' for the SQLite file")
            if self.layout_keys():
                raise ValueError(f"{', '.join(self.layout_keys())}: for source 'file' only")
            if self.fetch and self.liveperson is None:
                raise ValueError("'fetch: true' needs a 'liveperson' section with the account")
        check_file("nht", self.path)
        return self


def _growth_before(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"all_skills": value}
    if isinstance(value, dict) and not set(value) <= {"all_skills", "by_skill"}:
        return {"by_skill": value}
    return value


class GrowthSpec(StrictModel):
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


def growth_problems(volume: Any, ids: set[object] | None) -> list[Problem]:
    """Skills of ``volume.growth`` (as written) that are not in ``skills:``.

    Parameters
    ----------
    volume : Any
        ``volume:`` as written; a growth that is not well-formed is not checked here (the
        model says why).
    ids : set or None
        The skill ids of ``skills:`` as written (None: not a list, so not checked).

    Returns
    -------
    list of (key path, str)
        ``volume.growth.<id>``: skill <id> is not in skills.
    """
    if ids is None or not isinstance(volume, dict) or "growth" not in volume:
        return []
    try:
        growth = GrowthSpec.model_validate(_growth_before(volume["growth"]))
    except ValidationError:
        return []
    return [
        (("volume", "growth", key), f"skill {key} is not in skills")
        for key in growth.by_skill
        if key not in ids
    ]


#: The default of ``volume.uncertainty``: estimated from the backtest where it can be.
UNCERTAINTY_AUTO: Literal["auto"] = "auto"
#: ``volume.uncertainty: none``: the forecast is taken as exact.
UNCERTAINTY_NONE: Literal["none"] = "none"


class UncertaintySpec(StrictModel):
    """``volume.uncertainty`` as numbers: the day multiplier's CV and the skills' correlation.

    ``daily_cv`` is the coefficient of variation of a day's volume around its forecast [-]
    (0.1 = 10 %), the same for every skill; ``correlation`` [0, 1] is the correlation
    between skills' multipliers of the same day (:mod:`staffing.forecast.day_multiplier`).
    """

    daily_cv: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    correlation: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.0


def _uncertainty_before(value: Any) -> Any:
    if isinstance(value, str) and value not in (UNCERTAINTY_AUTO, UNCERTAINTY_NONE):
        raise ValueError(
            f"must be 'auto', 'none' or {{daily_cv: 0.1, correlation: 0.0}}, got {value!r}"
        )
    if value is None or isinstance(value, bool | int | float):
        raise ValueError(
            "must be 'auto', 'none' or a mapping {daily_cv: 0.1, correlation: 0.0}, "
            f"got {value!r}"
        )
    return value


class VolumeSection(FileLayout):
    """``volume:`` a planner's forecast file, or a forecast from the history arrivals."""

    file_columns: ClassVar[tuple[str, ...]] = VOLUME_FILE_COLUMNS

    source: Literal["file", "history"]
    path: ConfigPath | None = None
    sheet: str | None = None
    growth: Annotated[GrowthSpec, BeforeValidator(_growth_before)] = GrowthSpec()
    history_weeks: Annotated[int, Field(strict=True, ge=1, le=52)] | None = None
    recency_decay: Annotated[float, Field(gt=0, le=1)] = 0.75
    trend: Literal["auto", "off"] = "off"
    uncertainty: Annotated[
        Literal["auto", "none"] | UncertaintySpec, BeforeValidator(_uncertainty_before)
    ] = UNCERTAINTY_AUTO

    @model_validator(mode="after")
    def _source_needs(self) -> VolumeSection:
        if self.source == "file" and self.path is None:
            raise ValueError(
                "source 'file' needs 'path' (CSV or xlsx of skill_id, interval_start, volume)"
            )
        if self.source == "history" and (self.path is not None or self.sheet is not None):
            raise ValueError("'path' and 'sheet' are for source 'file', not 'history'")
        if self.source == "history" and self.layout_keys():
            raise ValueError(
                f"{', '.join(self.layout_keys())}: for source 'file' only (the history's "
                "layout goes under nht)"
            )
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
        check_file("volume", self.path)
        return self


class OutputSection(StrictModel):
    """``output:`` where ``staffing plan`` writes (``--out`` overrides ``path``)."""

    path: ConfigPath | None = None
    csv: ConfigPath | None = None
    plots: ConfigPath | None = None
    #: One sheet per skill in the workbook: ``auto`` up to
    #: ``staffing.outputs.workbook.SKILL_SHEETS_MAX_ROWS`` interval rows (above it the rows
    #: are only in the intervals CSV or Parquet file), ``always`` or ``never``.
    skill_sheets: Literal["auto", "always", "never"] = "auto"
