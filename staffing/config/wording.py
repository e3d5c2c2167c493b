"""How a validation error becomes the lines of a :class:`~staffing.errors.ConfigError`.

Each problem is one line ``<file>: <key path>: <what is wrong>``: the key path as a
planner writes it (``skills[2].service_level.target``), an unknown key with the closest
allowed key (or the allowed keys), and the offending value only where it cannot be a
secret.
"""

from __future__ import annotations

import difflib
import types
import typing
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel

from staffing.config.model import PlanConfig

__all__ = ["error_lines"]

#: Keys whose value an error message never shows.
_NEVER_ECHOED = {"domain_api"}


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


def _unknown_key(loc: tuple[Any, ...]) -> str:
    """An unknown key, with the closest allowed key or the allowed keys (never the value)."""
    allowed = _allowed_keys(loc)
    hint = ""
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    if close:
        hint = f"; did you mean '{close[0]}'?"
    elif allowed:
        hint = "; allowed keys: " + ", ".join(allowed)
    return f"unknown key{hint}"  # the value is never echoed: it might be a secret


def _per_cent_hint(error: dict[str, Any]) -> str:
    """``; 30 looks like a per cent: write 0.30`` for a share given as a per cent, else ``""``.

    A share (``Input should be less than 1`` or ``less than or equal to 1``) given as a
    number above 1 and at most 100 is most likely a per cent.
    """
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    if error["type"] == "less_than" and ctx.get("lt") == 1:
        fits = 1 < value < 100
    elif error["type"] == "less_than_equal" and ctx.get("le") == 1:
        fits = 1 < value <= 100
    else:
        return ""
    if not fits:
        return ""
    share = f"{value / 100:.4f}".rstrip("0")
    share += "0" * max(0, 2 - len(share.partition(".")[2]))
    return f"; {value:g} looks like a per cent: write {share}"


def _describe(error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(loc)
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
        return f"{message} (got {value!r}){_per_cent_hint(error)}"
    return message


def error_lines(src: str, error: dict[str, Any]) -> list[str]:
    """One ``<file>: <key path>: <what is wrong>`` line per problem of one pydantic error.

    Parameters
    ----------
    src : str
        Name of the config file (``<dict>`` for a dict).
    error : dict
        One entry of ``pydantic.ValidationError.errors()`` from validating
        :class:`~staffing.config.PlanConfig`.

    Returns
    -------
    list of str
        One line for a plain error; one per problem for the config's own rules
        (``config_rules``, ``skill_rules``), after the lines of the value's own errors they
        carry.
    """
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    if error["type"] not in ("skill_rules", "config_rules"):
        return [f"{src}: {_format_loc(loc)}: {_describe(error)}"]
    lines = [
        line
        for inner in ctx.get("errors", ())
        for line in error_lines(src, {**inner, "loc": loc + tuple(inner["loc"])})
    ]
    prefix = () if ctx.get("absolute") else loc
    lines += [
        f"{src}: {_format_loc(prefix + tuple(where))}: {message}"
        for where, message in ctx["problems"]
    ]
    return lines
