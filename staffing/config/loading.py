"""Loading a planning config: the YAML file read safely, overrides applied, validated.

:func:`load_config` reads YAML with a loader that refuses a key given twice and keeps a
scalar YAML cannot convert as text (for the model to name), applies the command line's
overrides, validates ``defaults`` once and then the whole config with it, and raises one
:class:`~staffing.errors.ConfigError` listing every problem.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from staffing.config.model import PlanConfig
from staffing.config.skills import SkillSettings
from staffing.config.wording import error_lines
from staffing.errors import ConfigError

__all__ = ["MAX_DEPTH", "load_config"]

#: Deepest nesting a config may have: a planning config needs 5 levels.
MAX_DEPTH = 50


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice in one mapping (a silent overwrite)."""


def _construct_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
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


def _construct_leniently(
    tag_constructor: Callable[[Any, Any], Any],
) -> Callable[[_UniqueKeyLoader, yaml.ScalarNode], Any]:
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


def _read_yaml(path: Path) -> Any:
    """The YAML file's content, or a ConfigError that names the file and line."""
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


def _deep_update(target: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(target)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_update(out[key], value)
        else:
            out[key] = value
    return out


def _source_of(path_or_dict: str | Path | dict[str, Any] | PlanConfig) -> tuple[Any, str, Path]:
    """``(raw content, source name, base folder)`` of what :func:`load_config` was given."""
    if isinstance(path_or_dict, PlanConfig):
        if path_or_dict.raw is None:
            raise ConfigError(
                [f"{path_or_dict.source}: overrides need a config made by load_config"]
            )
        return path_or_dict.raw, path_or_dict.source, path_or_dict.base_dir
    if isinstance(path_or_dict, dict):
        return path_or_dict, "<dict>", Path.cwd()
    path = Path(path_or_dict)
    return _read_yaml(path), str(path), path.resolve().parent


def _with_overrides(raw: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with ``overrides`` on top; ``plan.weeks`` drops ``plan.end`` and vice versa."""
    plan_over = overrides.get("plan") or {}
    raw = dict(raw)
    if isinstance(raw.get("plan"), dict):
        plan_raw = dict(raw["plan"])
        if "weeks" in plan_over:
            plan_raw.pop("end", None)
        if "end" in plan_over:
            plan_raw.pop("weeks", None)
        raw["plan"] = plan_raw
    return _deep_update(raw, overrides)


def _validate(raw: dict[str, Any], src: str, base: Path) -> PlanConfig:
    """The whole config validated, or a ConfigError with every problem."""
    context: dict[str, Any] = {"source": src, "base_dir": base, "raw": raw}
    defaults = raw.get("defaults")
    try:  # each skill resolves itself against the defaults, validated here once
        context["defaults"] = SkillSettings.model_validate(defaults or {}, context=context)
    except ValidationError:
        context["defaults"] = None  # its own errors come from the whole config below
    try:
        return PlanConfig.model_validate(raw, context=context)
    except ValidationError as exc:
        problems = [line for error in exc.errors() for line in error_lines(src, dict(error))]
        raise ConfigError(problems) from None


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
    raw, src, base = _source_of(path_or_dict)
    if raw is None:
        raise ConfigError([f"{src}: the config is empty"])
    if not isinstance(raw, dict):
        raise ConfigError(
            [f"{src}: (top level): expected a mapping of sections, got {type(raw).__name__}"]
        )
    if overrides:
        raw = _with_overrides(raw, overrides)
    return _validate(raw, src, base)
