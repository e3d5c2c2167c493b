"""The teams simulation's input: skills, teams and who serves what, as numpy arrays.

:class:`TeamsInput` is what :func:`staffing.simulation.teams.run_teams` simulates and what
:func:`staffing.teams_search.staff_teams` staffs. Like
:class:`staffing.simulation.inputs.SkillInput` it knows neither the config nor the plan:
the plan's teams stage builds it. Shapes: S skills, R teams, T intervals.

Fields (by name, for callers building one):

- skills (S): ``skill_ids``, ``skill_names``, ``methods``, ``volume`` (S, T),
  ``handle_s`` (S, T) or (S, T, K), ``is_open`` (S, T), ``answer_within_s``,
  ``patience_s``, ``service_level_target``, ``asa_s``, ``max_abandon``, ``priority``,
  ``handle_time``, ``handle_time_cv``;
- teams (R): ``team_names``, ``membership`` (S, R) bool, ``max_concurrency``,
  ``agents`` (R, T) int or None, ``min_agents``;
- the calendar: ``interval_start`` (T), ``interval_s``, ``day``, ``dates``, ``week``,
  ``week_start``, as :class:`SkillInput` has them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from staffing.simulation.kernel import HANDLE_TIME_SHAPES
from staffing.vocabulary import ERLANG_C

__all__ = ["TeamsInput"]


def _as_tuple(values: object, n: int, name: str) -> tuple:
    """``values`` as a tuple of length ``n`` (a scalar is repeated)."""
    if isinstance(values, (list, tuple, np.ndarray)):
        out = tuple(values)
        if len(out) != n:
            raise ValueError(f"{name} must have one entry per skill ({n}), got {len(out)}")
        return out
    return (values,) * n


def _usable_handle(handle: np.ndarray) -> np.ndarray:
    """``handle`` (S, T, K) with each skill's unusable intervals (a value <= 0 or not
    finite: allowed where it has no volume) given its last usable interval's handle time
    (its first usable one's before any): a queue drained past closing is worked on at it."""
    usable = np.all(np.isfinite(handle) & (handle > 0), axis=2)
    if usable.all():
        return handle
    out = np.ones_like(handle)
    steps = np.arange(handle.shape[1])
    for s in np.flatnonzero(usable.any(axis=1)):
        last = np.maximum.accumulate(np.where(usable[s], steps, -1))
        out[s] = handle[s, np.where(last >= 0, last, np.flatnonzero(usable[s])[0])]
    return out


@dataclass(frozen=True, eq=False)
class TeamsInput:
    """Skills served by teams of multi-skilled agents: arrays per skill, team and interval.

    Attributes
    ----------
    skill_ids : tuple of int
        Id of each skill (S); seeds its random streams.
    skill_names, methods : tuple of str
        Name and queueing method (``erlang_c``, ``erlang_a`` or ``chat``) of each skill.
    interval_start : DatetimeIndex
        Start of each interval (local, tz-aware), T entries.
    volume : numpy.ndarray
        Expected contacts per skill and interval [-], shape (S, T).
    handle_s : numpy.ndarray
        Mean handle time of one contact [s]: (S, T), or (S, T, K) by the load of the agent
        holding it (column j-1: the conversation's mean while its agent holds j, as
        ``SkillInput.handle_time_s`` for chat); K >= the largest ``max_concurrency``.
    is_open : numpy.ndarray of bool
        Intervals that take arrivals, per skill, shape (S, T).
    interval_s : float
        Interval length [s].
    answer_within_s : numpy.ndarray
        Service-level threshold of each skill [s], shape (S,).
    patience_s : tuple of (float or None)
        Mean exponential patience of each skill [s]; None: infinitely patient.
    service_level_target, asa_s, max_abandon : tuple of (float or None)
        Each skill's targets [-], [s], [-] (``max_abandon`` is ignored for ``erlang_c``).
    team_names : tuple of str
        Name of each team (R).
    membership : numpy.ndarray of bool
        Shape (S, R): True where team r's agents hold skill s.
    max_concurrency : numpy.ndarray of int64
        Slots per agent of each team [-], shape (R,); 1 for voice teams.
    agents : numpy.ndarray of int64 or None
        On-queue agents per team and interval [-], shape (R, T); None for the staffing
        search, which chooses them.
    day, week : numpy.ndarray of int64
        Local day and plan week of each interval (codes 0, 1, ...).
    dates : numpy.ndarray
        The date of each day code (``datetime.date``).
    week_start : tuple of datetime.date
        The first day of each plan week.
    priority : numpy.ndarray of int64, optional
        Per skill (S,); an agent freeing a slot takes the longest-waiting contact of the
        highest priority among its skills. Default: all 0 (longest waiting only).
    min_agents : numpy.ndarray of int64, optional
        Fewest agents of each team in an interval where any of its skills is open [-],
        shape (R,); default 0.
    handle_time : tuple of str, optional
        Shape of each skill's work content: ``exponential`` (default) or ``lognormal``.
    handle_time_cv : numpy.ndarray, optional
        Coefficient of variation of each skill's work content [-] (lognormal only),
        shape (S,); default 1.
    """

    skill_ids: tuple[int, ...]
    skill_names: tuple[str, ...]
    methods: tuple[str, ...]
    interval_start: pd.DatetimeIndex
    volume: np.ndarray
    handle_s: np.ndarray
    is_open: np.ndarray
    interval_s: float
    answer_within_s: np.ndarray
    patience_s: tuple[float | None, ...]
    service_level_target: tuple[float | None, ...]
    asa_s: tuple[float | None, ...]
    max_abandon: tuple[float | None, ...]
    team_names: tuple[str, ...]
    membership: np.ndarray
    max_concurrency: np.ndarray
    agents: np.ndarray | None
    day: np.ndarray
    dates: np.ndarray
    week: np.ndarray
    week_start: tuple[dt.date, ...]
    priority: np.ndarray | None = None
    min_agents: np.ndarray | None = None
    handle_time: tuple[str, ...] | None = None
    handle_time_cv: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        """Coerce the arrays and check every shape; a problem names its field."""
        n_s, n_t = len(self.skill_ids), len(self.interval_start)
        put = object.__setattr__
        for name in ("skill_names", "methods", "patience_s", "service_level_target"):
            put(self, name, _as_tuple(getattr(self, name), n_s, name))
        for name in ("asa_s", "max_abandon"):
            put(self, name, _as_tuple(getattr(self, name), n_s, name))
        put(self, "skill_ids", tuple(int(s) for s in self.skill_ids))
        if len(set(self.skill_ids)) != n_s:
            raise ValueError(f"skill_ids must be distinct, got {self.skill_ids}")
        put(self, "volume", np.atleast_2d(np.asarray(self.volume, dtype=float)))
        put(self, "is_open", np.atleast_2d(np.asarray(self.is_open, dtype=bool)))
        for name in ("volume", "is_open"):
            if getattr(self, name).shape != (n_s, n_t):
                raise ValueError(f"{name} must have shape (skills, intervals) = ({n_s}, {n_t})")
        if not np.all(np.isfinite(self.volume)) or np.any(self.volume < 0):
            raise ValueError("volume must be finite and >= 0")
        handle = np.asarray(self.handle_s, dtype=float)
        if handle.ndim == 2:
            handle = handle[:, :, None]
        if handle.ndim != 3 or handle.shape[:2] != (n_s, n_t):
            raise ValueError(f"handle_s must have shape (S, T) or (S, T, K), S={n_s}, T={n_t}")
        busy = (self.volume > 0) & self.is_open
        if np.any(~np.isfinite(handle[busy])) or np.any(handle[busy] <= 0):
            raise ValueError("handle_s must be finite and > 0 where a skill has volume")
        put(self, "handle_s", _usable_handle(handle))
        put(
            self,
            "answer_within_s",
            np.broadcast_to(np.asarray(self.answer_within_s, float), (n_s,)).copy(),
        )
        self._check_teams(n_s, n_t)
        self._check_options(n_s)

    def _check_teams(self, n_s: int, n_t: int) -> None:
        put = object.__setattr__
        put(self, "team_names", tuple(self.team_names))
        n_r = len(self.team_names)
        membership = np.asarray(self.membership, dtype=bool)
        if membership.shape != (n_s, n_r):
            raise ValueError(f"membership must have shape (skills, teams) = ({n_s}, {n_r})")
        if n_r and np.any(~membership.any(axis=0)):
            empty = [self.team_names[r] for r in np.flatnonzero(~membership.any(axis=0))]
            raise ValueError(f"teams with no skill: {', '.join(empty)}")
        put(self, "membership", membership)
        k = np.broadcast_to(np.asarray(self.max_concurrency, dtype=np.int64), (n_r,)).copy()
        if np.any(k < 1):
            raise ValueError("max_concurrency must be >= 1 for every team")
        if (
            n_r
            and self.handle_s.shape[2] not in (1, int(k.max()))
            and self.handle_s.shape[2] < k.max()
        ):
            raise ValueError("handle_s by load needs a column per slot of the largest team")
        put(self, "max_concurrency", k)
        if self.agents is not None:
            agents = np.asarray(self.agents, dtype=float)
            if (
                agents.shape != (n_r, n_t)
                or np.any(agents < 0)
                or np.any(agents != np.round(agents))
            ):
                raise ValueError(
                    "agents must be whole numbers >= 0 of shape (teams, intervals) = "
                    f"({n_r}, {n_t})"
                )
            put(self, "agents", agents.astype(np.int64))
        minimum = np.zeros(n_r, np.int64) if self.min_agents is None else self.min_agents
        put(self, "min_agents", np.broadcast_to(np.asarray(minimum, np.int64), (n_r,)).copy())

    def _check_options(self, n_s: int) -> None:
        put = object.__setattr__
        priority = np.zeros(n_s, np.int64) if self.priority is None else self.priority
        put(self, "priority", np.broadcast_to(np.asarray(priority, np.int64), (n_s,)).copy())
        shapes = _as_tuple(self.handle_time or "exponential", n_s, "handle_time")
        for shape in shapes:
            if shape not in HANDLE_TIME_SHAPES:
                raise ValueError(f"handle_time must be one of {', '.join(HANDLE_TIME_SHAPES)}")
        put(self, "handle_time", shapes)
        cv = np.ones(n_s) if self.handle_time_cv is None else self.handle_time_cv
        put(self, "handle_time_cv", np.broadcast_to(np.asarray(cv, float), (n_s,)).copy())
        for p in self.patience_s:
            if p is not None and not p > 0:
                raise ValueError(f"patience_s must be > 0 or None, got {p!r}")

    # ------------------------------------------------------------------ derived

    @property
    def n_skills(self) -> int:
        """Skills S [-]."""
        return len(self.skill_ids)

    @property
    def n_teams(self) -> int:
        """Teams R [-]."""
        return len(self.team_names)

    @property
    def n_intervals(self) -> int:
        """Intervals T [-]."""
        return len(self.interval_start)

    def targets(self, s: int) -> dict[str, float | None]:
        """Skill ``s``'s targets the tables check: ``service_level``, ``asa_s``, ``max_abandon``.

        Parameters
        ----------
        s : int
            Skill position (0 .. S-1).
        """
        return {
            "service_level": self.service_level_target[s],
            "asa_s": self.asa_s[s],
            "max_abandon": self.max_abandon[s] if self.methods[s] != ERLANG_C else None,
        }

    def components(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Connected sets of skills and teams (linked by membership), in skill order.

        Returns
        -------
        list of (skills, teams)
            Positions of the skills and of the teams of each component; a skill in no team
            is a component of its own with no team.
        """
        n_s = self.n_skills
        label = np.arange(n_s)
        for r in range(self.n_teams):
            members = np.flatnonzero(self.membership[:, r])
            low = label[members].min()
            label[np.isin(label, label[members])] = low
        out = []
        for root in np.unique(label):
            skills = np.flatnonzero(label == root)
            teams = np.flatnonzero(self.membership[skills].any(axis=0))
            out.append((skills, teams))
        return out

    def with_agents(self, agents: np.ndarray) -> TeamsInput:
        """The same skills and teams with ``agents`` (R, T) on queue.

        Parameters
        ----------
        agents : numpy.ndarray
            Agents per team and interval [-], whole numbers >= 0.
        """
        return replace(self, agents=np.asarray(agents))

    def subset(self, skills: np.ndarray, teams: np.ndarray) -> TeamsInput:
        """The input restricted to some skills and teams (a component).

        Parameters
        ----------
        skills, teams : numpy.ndarray of int
            Positions of the skills and teams kept.
        """
        pick = [int(s) for s in skills]

        def some(values: tuple) -> tuple:
            return tuple(values[s] for s in pick)

        return replace(
            self,
            skill_ids=some(self.skill_ids),
            skill_names=some(self.skill_names),
            methods=some(self.methods),
            volume=self.volume[pick],
            handle_s=self.handle_s[pick],
            is_open=self.is_open[pick],
            answer_within_s=self.answer_within_s[pick],
            patience_s=some(self.patience_s),
            service_level_target=some(self.service_level_target),
            asa_s=some(self.asa_s),
            max_abandon=some(self.max_abandon),
            team_names=tuple(self.team_names[int(r)] for r in teams),
            membership=self.membership[np.ix_(pick, [int(r) for r in teams])],
            max_concurrency=self.max_concurrency[teams],
            agents=None if self.agents is None else self.agents[teams],
            min_agents=None if self.min_agents is None else self.min_agents[teams],
            priority=None if self.priority is None else self.priority[pick],
            handle_time=None if self.handle_time is None else some(self.handle_time),
            handle_time_cv=None if self.handle_time_cv is None else self.handle_time_cv[pick],
        )
