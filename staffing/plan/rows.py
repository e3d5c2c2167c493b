"""Rows of the staffing stage: each skill's settings per interval, and distinct inputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from staffing.config import ResolvedSkill
from staffing.vocabulary import WORKLOAD

__all__ = ["INTERVAL", "Group", "SkillRows", "unique_rows"]

#: The scope of a skill staffed interval by interval.
INTERVAL = "interval"


@dataclass
class SkillRows:
    """Each skill's settings repeated over its intervals (flat, skill-major arrays).

    A setting a skill does not give is NaN (``answer_within_s`` 0, ``patience_s`` inf,
    ``max_concurrency`` 1, ``min_agents`` 0). ``scope`` is ``interval`` for ``workload``.
    """

    method: np.ndarray
    scope: np.ndarray
    service_level: np.ndarray
    answer_within_s: np.ndarray
    asa_s: np.ndarray
    max_abandon: np.ndarray
    max_occupancy: np.ndarray
    patience_s: np.ndarray
    max_concurrency: np.ndarray
    min_agents: np.ndarray
    interval_floor: np.ndarray

    @classmethod
    def of(cls, skills: list[ResolvedSkill], n_t: int) -> SkillRows:
        """The rows of ``skills`` with ``n_t`` intervals each.

        Parameters
        ----------
        skills : list of ResolvedSkill
            The planned skills, in plan order.
        n_t : int
            Intervals per skill [-].

        Returns
        -------
        SkillRows
        """

        def param(name: str, missing: float = np.nan) -> np.ndarray:
            values = [getattr(s, name) for s in skills]
            return np.repeat(np.array([missing if v is None else v for v in values], float), n_t)

        scopes = [s.scope if s.method != WORKLOAD else INTERVAL for s in skills]
        return cls(
            method=np.repeat(np.array([s.method for s in skills]), n_t),
            scope=np.repeat(np.array(scopes), n_t),
            service_level=param("service_level_target"),
            answer_within_s=param("answer_within_s", 0.0),
            asa_s=param("asa_s"),
            max_abandon=param("max_abandon"),
            max_occupancy=param("max_occupancy"),
            patience_s=param("patience_s", np.inf),
            max_concurrency=param("max_concurrency", 1.0).astype(np.int64),
            min_agents=param("min_agents", 0.0),
            interval_floor=param("interval_floor"),
        )


def unique_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the first of each distinct input row, and the map back to all rows.

    Rows compare by their bytes, so only exactly equal inputs are merged (NaN patterns
    included). A plan from an hour-of-week profile repeats each week's inputs, so the
    engine then runs on about one week per skill instead of the whole horizon.

    Parameters
    ----------
    *columns : ndarray
        Inputs of equal length (1-d, or 2-d with one row per input row).

    Returns
    -------
    first : ndarray
        Index of the first row of each distinct input.
    inverse : ndarray
        For every row, the index into ``first`` of its distinct input.
    """
    size = len(columns[0])
    matrix = np.ascontiguousarray(
        np.column_stack([np.asarray(c, dtype=float).reshape(size, -1) for c in columns])
    )
    keys = matrix.view(np.dtype((np.void, matrix.dtype.itemsize * matrix.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return first, inverse.ravel()


#: A group of rows the engine staffs together: (method, rows, max_concurrency).
Group = tuple[str, np.ndarray, int]
