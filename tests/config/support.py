"""Shared configs of the config tests: a complete one with three skills, and a minimal one."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

#: Three skills (erlang_c, erlang_a, chat) with defaults, the NHT from a file.
BASE = {
    "plan": {"name": "test-plan", "start": "2026-03-02", "weeks": 2, "timezone": "Europe/Berlin"},
    "nht": {"source": "file", "path": "nht.csv", "history_weeks": 8},
    "volume": {"source": "history", "growth": 1.0},
    "defaults": {
        "method": "erlang_c",
        "service_level": {"target": 0.8, "answer_within_seconds": 60},
        "max_occupancy": 0.85,
        "shrinkage": 0.3,
        "fte_hours_per_week": 40,
    },
    "skills": [
        {"id": 101, "name": "Sales"},
        {"id": 102, "name": "Support", "method": "erlang_a", "patience_seconds": 300},
        {"id": 103, "name": "Chat", "method": "chat", "max_concurrency": 3},
    ],
}


#: The smallest valid config: one workload skill, NHT from the store (never read).
MINIMAL = {
    "plan": {"name": "bounds", "start": "2026-03-02", "weeks": 1, "timezone": "UTC"},
    "nht": {"source": "store", "liveperson": {"account": "12345678"}},
    "volume": {"source": "history"},
    "defaults": {"method": "workload", "shrinkage": 0.3, "fte_hours_per_week": 40},
    "skills": [{"id": 1, "name": "A"}],
}


#: ``set_key(data, key, DELETE)`` removes the key.
DELETE = object()


def write_config(tmp_path: Path, data: dict, name: str = "plan.yaml") -> Path:
    """``data`` as a YAML file in ``tmp_path``, beside an (empty) ``nht.csv``."""
    (tmp_path / "nht.csv").write_text("skill_id,interval_start,net_handle_time_s\n")
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def set_key(data: dict, dotted: str, value: Any) -> None:
    """Set (or with :data:`DELETE` remove) ``dotted`` (``skills[0].method``) in ``data``."""
    keys = dotted.replace("[", ".").replace("]", "").split(".")
    node = data
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    if value is DELETE:
        del node[int(last) if last.isdigit() else last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


def minimal_with(key: str, value: Any) -> dict:
    """A copy of :data:`MINIMAL` with ``key`` (``plan.weeks``) set to ``value``."""
    data = copy.deepcopy(MINIMAL)
    node = data
    *path, last = key.split(".")
    for part in path:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    node[last] = value
    return data
