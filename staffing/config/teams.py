"""Teams of the planning config: ``teams:``, agents who hold several skills.

A team is a set of agents who all hold the same skills (``skills``) and the same number
of slots (``max_concurrency``: open conversations per agent, 1 for voice). A skill may
belong to several teams; a skill in no team is staffed alone, as before teams existed.
:class:`TeamEntry` is one entry as written; :func:`team_problems` checks the entries
against the resolved skills (every problem named by its key); :class:`ResolvedTeam` is a
team with its defaults applied. The routing the teams imply is in ``docs/simulation.md``.

Example::

    teams:
      - name: Messaging
        skills: [1001, 1002]      # two chat skills
        max_concurrency: 3        # must equal the skills' max_concurrency
      - name: Voice East
        skills: [3001, 3002]
        min_agents: 1             # default: defaults.min_agents, else 0
        shrinkage: 0.3            # default: defaults.shrinkage
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BeforeValidator, Field

from staffing.config.base import Problem, SkillId, StrictModel
from staffing.config.skills import (
    ResolvedSkill,
    ShrinkageSpec,
    SkillSettings,
    shrinkage_before,
)
from staffing.vocabulary import CHAT, ERLANG_A, ERLANG_C, WORKLOAD

__all__ = ["TEAM_METHODS", "VOICE", "ResolvedTeam", "TeamEntry", "resolve_teams", "team_problems"]

#: The kind of a team whose agents take one contact at a time (the other kind: chat).
VOICE = "voice"
#: The methods a team serves, by the kind of agent: voice agents take one contact at a
#: time (Erlang C and A mix: both are one call per agent), chat agents hold several.
TEAM_METHODS: dict[str, tuple[str, ...]] = {VOICE: (ERLANG_C, ERLANG_A), CHAT: (CHAT,)}


class TeamEntry(StrictModel):
    """One entry of ``teams:`` as written."""

    name: str = Field(min_length=1, max_length=100)
    skills: list[SkillId] = Field(min_length=1)
    max_concurrency: Annotated[int, Field(strict=True, ge=1, le=50)] | None = None
    min_agents: Annotated[int, Field(strict=True, ge=0)] | None = None
    shrinkage: Annotated[ShrinkageSpec, BeforeValidator(shrinkage_before)] | None = None


@dataclass(frozen=True)
class ResolvedTeam:
    """A team with its defaults applied.

    Attributes
    ----------
    name : str
        The team's name (unique in the config).
    skill_ids : tuple of int
        The skills its agents hold, in the order written.
    kind : str
        ``voice`` or ``chat`` (:data:`TEAM_METHODS`).
    max_concurrency : int
        Slots per agent [-]: 1 for voice, the skills' ``max_concurrency`` for chat.
    min_agents : int
        Agents at least in an interval where one of its skills has contacts [-].
    shrinkage : ShrinkageSpec
        Share of paid time off queue [-], by weekday and hour.
    """

    name: str
    skill_ids: tuple[int, ...]
    kind: str
    max_concurrency: int
    min_agents: int
    shrinkage: ShrinkageSpec


def _kind(method: str) -> str | None:
    """``voice`` or ``chat`` for a method a team serves, None for one it cannot."""
    for kind, methods in TEAM_METHODS.items():
        if method in methods:
            return kind
    return None


def _skill_problems(index: int, team: TeamEntry, skills: dict[int, ResolvedSkill]) -> list[Problem]:
    """``teams[index].skills``: unknown, repeated, unservable or mixed skills."""
    key = ("teams", index, "skills")
    problems: list[Problem] = []
    seen: set[int] = set()
    for skill_id in team.skills:
        if skill_id in seen:
            problems.append((key, f"skill {skill_id} is listed twice"))
        seen.add(skill_id)
        skill = skills.get(skill_id)
        if skill is None:
            problems.append((key, f"skill {skill_id} is not in skills"))
        elif skill.method == WORKLOAD:
            problems.append(
                (
                    key,
                    f"skill {skill_id} ({skill.skill_name!r}) has method {WORKLOAD}: no queue "
                    "a team can share (give it a queueing method, or leave it out of teams)",
                )
            )
        elif skill.scope != "interval" or skill.staffing != "stationary":
            problems.append(
                (
                    key,
                    f"skill {skill_id} ({skill.skill_name!r}): a team meets its skills' "
                    "targets per interval with stationary staffing; service_level.scope "
                    f"{skill.scope} and staffing {skill.staffing} are for skills staffed alone",
                )
            )
    kinds = {
        kind: [s for s in team.skills if s in skills and _kind(skills[s].method) == kind]
        for kind in TEAM_METHODS
    }
    if all(kinds.values()):
        problems.append(
            (
                key,
                f"voice skills {kinds[VOICE]} and chat skills {kinds[CHAT]} cannot share "
                "an agent (a call takes the whole agent, a chat one slot of several): make "
                "two teams",
            )
        )
    return problems


def _concurrency_problems(
    index: int, team: TeamEntry, skills: dict[int, ResolvedSkill]
) -> list[Problem]:
    """``teams[index].max_concurrency`` against the team's skills' methods."""
    key = ("teams", index, "max_concurrency")
    chat = [skills[s] for s in team.skills if s in skills and skills[s].method == CHAT]
    voice = [s for s in team.skills if s in skills and _kind(skills[s].method) == VOICE]
    if voice and not chat and team.max_concurrency not in (None, 1):
        return [(key, f"voice skills {voice} take one contact per agent: 1 or leave it out")]
    if not chat or voice:
        return []
    if team.max_concurrency is None:
        return [(key, "a team of chat skills needs the conversations an agent holds at most")]
    wrong = [
        f"{s.skill_id} ({s.max_concurrency})"
        for s in chat
        if s.max_concurrency != team.max_concurrency
    ]
    if wrong:
        return [
            (
                key,
                f"{team.max_concurrency} disagrees with the max_concurrency of chat skills "
                f"{', '.join(wrong)}: the chat model of a skill holds that many per agent",
            )
        ]
    return []


def team_problems(
    items: list[TeamEntry], skills: list[ResolvedSkill], defaults: SkillSettings
) -> list[Problem]:
    """Every problem of ``teams:`` against the skills, each at its key.

    Parameters
    ----------
    items : list of TeamEntry
        The entries of ``teams:``.
    skills : list of ResolvedSkill
        The config's skills, defaults merged.
    defaults : SkillSettings
        ``defaults:`` (the shrinkage a team without its own takes).

    Returns
    -------
    list of (key path, str)
        A name used twice, an unknown or repeated skill id, a ``workload`` skill or one
        staffed for a day or a week, voice and chat skills together, a ``max_concurrency``
        that disagrees with the skills, a team without shrinkage here or in defaults.
    """
    by_id = {s.skill_id: s for s in skills}
    problems: list[Problem] = []
    names: dict[str, int] = {}
    for index, team in enumerate(items):
        first = names.setdefault(team.name, index)
        if first != index:
            problems.append(
                (("teams", index, "name"), f"name {team.name!r} already used by teams[{first}]")
            )
        problems += _skill_problems(index, team, by_id)
        problems += _concurrency_problems(index, team, by_id)
        if team.shrinkage is None and defaults.shrinkage is None:
            problems.append((("teams", index, "shrinkage"), "required here or in defaults"))
    return problems


def resolve_teams(
    items: list[TeamEntry], skills: list[ResolvedSkill], defaults: SkillSettings
) -> list[ResolvedTeam]:
    """The teams of a valid config (:func:`team_problems` empty), defaults applied.

    Parameters
    ----------
    items : list of TeamEntry
        The entries of ``teams:``.
    skills : list of ResolvedSkill
        The config's skills, defaults merged.
    defaults : SkillSettings
        ``defaults:``: ``min_agents`` (else 0) and ``shrinkage``.

    Returns
    -------
    list of ResolvedTeam
        In config order.
    """
    by_id = {s.skill_id: s for s in skills}
    out = []
    for team in items:
        methods = {by_id[s].method for s in team.skills}
        kind = CHAT if CHAT in methods else VOICE
        shrinkage = team.shrinkage if team.shrinkage is not None else defaults.shrinkage
        assert shrinkage is not None  # team_problems refuses a team without one
        out.append(
            ResolvedTeam(
                name=team.name,
                skill_ids=tuple(team.skills),
                kind=kind,
                max_concurrency=team.max_concurrency or 1,
                min_agents=team.min_agents
                if team.min_agents is not None
                else (defaults.min_agents or 0),
                shrinkage=shrinkage,
            )
        )
    return out
