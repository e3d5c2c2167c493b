"""Base types of the planning config: the strict model base, shared field types, paths.

Every section model derives from :class:`StrictModel` (unknown keys are errors). A path in
the config resolves against the config file's folder, which the validation context carries
as ``base_dir`` (for a dict config, the current folder). :func:`rules_error` is the one
way a validator reports several problems at once, each at its own key path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from staffing.vocabulary import METHODS, WEEKDAYS

__all__ = [
    "SKILL_ID_MAX",
    "ConfigPath",
    "Fraction",
    "KeyPath",
    "Method",
    "PositiveSeconds",
    "Problem",
    "SkillId",
    "StrictModel",
    "StrictPosInt",
    "Weekday",
    "check_file",
    "config_path",
    "resolve_path",
    "rules_error",
    "validation_context",
]

#: Largest skill id: LivePerson's ids are whole numbers that fit in 64 bits.
SKILL_ID_MAX = 2**63 - 1

# Literal of a tuple built at run time: pydantic reads it, a static checker cannot.
Weekday = Literal[WEEKDAYS]  # type: ignore[valid-type]
Method = Literal[METHODS]  # type: ignore[valid-type]
StrictPosInt = Annotated[int, Field(strict=True, ge=1)]
Fraction = Annotated[float, Field(gt=0, lt=1)]
PositiveSeconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
SkillId = Annotated[int, Field(strict=True, ge=1, le=SKILL_ID_MAX)]

#: A key path inside the config, e.g. ``("skills", 0, "open_hours", "mon")``.
KeyPath = tuple[str | int, ...]
#: One problem: where (a key path) and what is wrong.
Problem = tuple[KeyPath, str]


def validation_context(info: ValidationInfo) -> dict[str, Any]:
    """The validation context :func:`~staffing.config.load_config` passes (or an empty one).

    Parameters
    ----------
    info : pydantic.ValidationInfo
        What pydantic hands a validator.

    Returns
    -------
    dict
        ``source``, ``base_dir``, ``raw`` (the config as read) and ``defaults`` when
        validated through ``load_config``; empty otherwise.
    """
    return info.context if isinstance(info.context, dict) else {}


def resolve_path(base: Path, value: str | Path) -> Path:
    """A config path resolved against ``base`` (``~`` expanded, ``..`` folded).

    Parameters
    ----------
    base : pathlib.Path
        Folder a relative path is relative to (the config file's folder).
    value : str or pathlib.Path
        The path as written.

    Returns
    -------
    pathlib.Path
        ``value`` if absolute, else ``base / value``, normalised.
    """
    path = Path(value).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


def config_path(value: Path, info: ValidationInfo) -> Path:
    """A path of the config, resolved against its folder (the validation context's base_dir).

    Parameters
    ----------
    value : pathlib.Path
        The path as written.
    info : pydantic.ValidationInfo
        What pydantic hands a validator (its context holds ``base_dir``).

    Returns
    -------
    pathlib.Path
        The resolved path (relative to the current folder without a ``base_dir``).
    """
    return resolve_path(validation_context(info).get("base_dir") or Path.cwd(), value)


#: A path in the config; relative paths resolve against the config file's folder.
ConfigPath = Annotated[Path, AfterValidator(config_path)]


def rules_error(
    problems: list[Problem],
    *,
    absolute: bool = True,
    errors: Sequence[Mapping[str, Any]] = (),
) -> PydanticCustomError:
    """One validation error carrying several problems, each at its own key path.

    Parameters
    ----------
    problems : list of (key path, str)
        Where and what is wrong.
    absolute : bool, default True
        True: the key paths start at the top of the config. False: they are relative to
        the value the raising validator checks.
    errors : sequence of dict, optional
        pydantic's own errors of the checked value (``ValidationError.errors()``, key
        paths relative to it), reported before ``problems``: a validator that adds rules
        to a value that is also invalid itself keeps both.

    Returns
    -------
    pydantic_core.PydanticCustomError
        Of type ``config_rules``; :mod:`staffing.config.wording` writes one line per problem.
    """
    details: dict[str, Any] = {"summary": "; ".join(m for _, m in problems), "problems": problems}
    if absolute:
        details["absolute"] = True
    if errors:
        details["errors"] = list(errors)
    return PydanticCustomError("config_rules", "{summary}", details)


def check_file(section: str, path: Path | None) -> None:
    """Refuse an input file that does not exist, naming ``<section>.path``.

    Checked after the section's own rules, so a path that does not belong there at all is
    reported as that, not as a missing file.

    Parameters
    ----------
    section : str
        Top-level key of the section (``nht``, ``volume``).
    path : pathlib.Path or None
        The resolved path; None is not checked.

    Raises
    ------
    pydantic_core.PydanticCustomError
        The file does not exist.
    """
    if path is not None and not path.is_file():
        raise rules_error([((section, "path"), f"file not found: {path}")])


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are errors, defaults are validated too."""

    model_config = ConfigDict(extra="forbid", validate_default=True)
