"""Staffing teams of multi-skilled agents: the fewest agent-hours that meet every target.

:func:`staff_teams` chooses agents per team and interval so that every skill meets its
targets (service level, ASA, abandonment) over its scope (each interval, day or plan
week) in simulation, at the fewest agent-hours. The method is Cezik & L'Ecuyer's (2008):
an integer programme whose service constraints are cutting planes built from simulation
with common random numbers, solved by HiGHS (``scipy.optimize.milp``). Per component (a
connected set of skills and teams, :meth:`TeamsInput.components`):

1. Start from the caller's bounds: ``lower`` (R, T) and, optional, a pooled bound on the
   component's total agents per interval (``pooled_total``); the first staffing is the
   programme's answer with no cut, the lower bound itself.
2. Simulate the staffing ȳ and ȳ + 1 agent of team r in every interval (r = 1..R), on the
   same replications. Each target of skill s is a sum over its period P of margins
   f_t (answered within − SL·arrivals; asa·answered − wait; max_abandon·arrivals −
   abandoned), met when F_P = Σ_{t∈P} f_t >= 0 (the ratio estimator of the tables).
3. If every F_P(ȳ) >= 0, ȳ is the answer. Otherwise each missed target gets the cut
   F_P(ȳ) + Σ_{t∈P} Σ_r q_{r,t} (y_{r,t} − ȳ_{r,t}) >= 0, q_{r,t} = f_t(ȳ + e_r) − f_t(ȳ)
   clipped at 0 (a target with no positive difference gets "one more agent of its teams
   in P"), and HiGHS solves min Σ y over all cuts so far, ``lower`` <= y <= a cap.
4. Repeat from 2 with the new ȳ, at most ``max_iterations`` times; then (or if the
   programme has no solution) repair: one more agent for each missed target, in the
   interval of its period with the largest deficit, of its team with the largest
   difference, until every target is met.

What is proven (``docs/models.md``, "Teams"): the answer meets every target on the sample
(the mean over ``replications`` of common random numbers), because it is returned only once
simulated as meeting them. When each sample margin is concave in the staffing (as
Erlang C's service level is above the offered load) the cuts never remove a feasible
staffing, so an answer found in step 3 is the fewest agent-hours for the sample; the
finite differences over all intervals at once neglect how one interval's staffing moves
the next one's queue, so this is a well-tested heuristic, not a proof, in general.

Reference: Cezik, M. T., L'Ecuyer, P. (2008). Staffing multiskill call centers via linear
programming and simulation. Management Science 54(2), 310-323. doi:10.1287/mnsc.1070.0824
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from staffing.simulation.engine import check_options, connect
from staffing.simulation.teams import TeamsRun, run_teams, simulate_staffings
from staffing.simulation.teams_inputs import TeamsInput
from staffing.vocabulary import ERLANG_C

__all__ = ["SCOPES", "TeamsStaffing", "staff_teams"]

#: The periods over which a skill's targets are judged.
SCOPES = ("interval", "day", "week")
#: Slack on a target's sum [-] (floating-point sums).
_TOLERANCE = 1e-9
#: A cut from differences may ask for at most this share of the agents now serving the
#: skill in the period more (at the best team's gain); beyond it the staffing is in the
#: overloaded, convex part where a tangent cut would overshoot, and the programme gets a
#: step of :data:`_OVERLOAD_STEP` of those agents instead.
_MAX_STEP = 1.0
_OVERLOAD_STEP = 0.1
#: When at most this share of a component's targets is missed, the rest is left to the
#: repair (one staffing simulated per round instead of 1 + R).
_TAIL = 0.02
_TAIL_AFTER = 3
#: Rounds that measure fresh differences (one more agent per team); later rounds reuse
#: the last ones and simulate only the staffing itself.
_FRESH_ROUNDS = 99


@dataclass(repr=False)
class TeamsStaffing:
    """What :func:`staff_teams` returns.

    Attributes
    ----------
    agents : numpy.ndarray of int64
        Agents per team and interval [-], (R, T).
    met : bool
        Every skill meets its targets over its scope on the sample means.
    run : TeamsRun
        The simulation of ``agents`` (same replications and seed): per-skill tables with
        95 % half-widths, the team table, horizon figures.
    replications, seed : int
        The sample the search and ``run`` used.
    scope : tuple of str
        The scope of each skill.
    iterations : int
        Cutting-plane rounds (simulations of a staffing with its differences) [-].
    simulations : int
        Staffings simulated, each over ``replications`` [-].
    proven : bool
        The answer came from the programme (step 3), not from the repair: the fewest
        agent-hours for the sample when the margins are concave.
    """

    agents: np.ndarray
    met: bool
    run: TeamsRun
    replications: int
    seed: int
    scope: tuple[str, ...]
    iterations: int = 0
    simulations: int = 0
    proven: bool = False


@dataclass
class _Component:
    """One component's search state."""

    inputs: TeamsInput
    teams: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    pooled: np.ndarray | None
    codes: np.ndarray
    current: np.ndarray
    bumps: list[np.ndarray]
    tol: np.ndarray
    cost: np.ndarray
    floors: list[tuple[np.ndarray, np.ndarray, float]] = field(default_factory=list)
    cuts: list[tuple[np.ndarray, np.ndarray, float]] = field(default_factory=list)
    stale: bool = False
    repairing: bool = False
    n_targets: int = 0
    done: bool = False
    proven: bool = False
    iterations: int = 0


def _period_codes(inputs: TeamsInput, scope: Sequence[str]) -> np.ndarray:
    """(S, T) global period id of each skill's intervals: one target sum per id."""
    n_t = inputs.n_intervals
    codes = np.zeros((inputs.n_skills, n_t), np.int64)
    for s, name in enumerate(scope):
        local = {
            SCOPES[0]: np.arange(n_t),
            SCOPES[1]: inputs.day,
            SCOPES[2]: inputs.week,
        }[name]
        codes[s] = s * n_t + np.asarray(local, np.int64)
    return codes


def margins(inputs: TeamsInput, counts: np.ndarray) -> np.ndarray:
    """Per skill, target and interval: the margin f_t whose period sum must be >= 0.

    Parameters
    ----------
    inputs : TeamsInput
        Skills with their targets.
    counts : numpy.ndarray
        (..., S, T, 5) mean arrivals, answered, within, abandoned [-], wait [s].

    Returns
    -------
    numpy.ndarray
        (..., S, 3, T): within − SL·arrivals [-], asa·answered − wait [s],
        max_abandon·arrivals − abandoned [-]; 0 where the skill has no such target.
    """
    arrivals, answered, within, abandoned, wait = (counts[..., i] for i in range(5))
    out = np.zeros((*counts.shape[:-2], 3, counts.shape[-2]))
    for s in range(inputs.n_skills):
        sl, asa = inputs.service_level_target[s], inputs.asa_s[s]
        ab = inputs.max_abandon[s] if inputs.methods[s] != ERLANG_C else None
        if sl is not None:
            out[..., s, 0, :] = within[..., s, :] - sl * arrivals[..., s, :]
        if asa is not None:
            out[..., s, 1, :] = asa * answered[..., s, :] - wait[..., s, :]
        if ab is not None:
            out[..., s, 2, :] = ab * arrivals[..., s, :] - abandoned[..., s, :]
    return out


def _period_sums(f: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """(S, 3, S·T): the margins summed over each period id (most ids are empty)."""
    n_s, _, n_t = f.shape
    out = np.zeros((n_s, 3, n_s * n_t))
    for s in range(n_s):
        for k in range(3):
            out[s, k] = np.bincount(codes[s], weights=f[s, k], minlength=n_s * n_t)
    return out


def _scale(inputs: TeamsInput) -> np.ndarray:
    """(S, 3) the size of each target's margin, for the tolerance."""
    volume = inputs.volume.sum(axis=1)
    handle = np.nanmax(inputs.handle_s[..., 0], axis=1)
    return np.column_stack([volume, volume * handle, volume]) + 1.0


def _cuts(comp: _Component, counts: np.ndarray, grad: np.ndarray | None) -> tuple[int, np.ndarray]:
    """Add the cuts of every missed target at ``comp.current``; returns how many missed.

    ``counts`` is (1 + R, S, T, 5): the staffing, then one more agent of each team; or
    (1, S, T, 5) with ``grad``, the differences of an earlier round. Returns the number
    of missed targets and the differences q (R, S, 3, T) used.
    """
    inputs, y = comp.inputs, comp.current
    f = margins(inputs, counts)
    if grad is None:
        grad = np.maximum(f[1:] - f[0], 0.0)
    sums = _period_sums(f[0], comp.codes)
    missed = np.argwhere(sums < -comp.tol[:, :, None])
    n_r, n_t = y.shape
    for s, k, pid in missed:
        ts = np.flatnonzero(comp.codes[s] == pid)
        q = grad[:, s, k][:, ts]
        index = (np.arange(n_r)[:, None] * n_t + ts[None, :]).ravel()
        holds = inputs.membership[s].astype(float)[:, None] * np.ones(ts.size)
        serving = float((holds * y[:, ts]).sum())
        deficit = -float(sums[s, k, pid])
        if deficit <= _MAX_STEP * serving * q.max(initial=0.0):
            comp.cuts.append((index, q.ravel(), float((q * y[:, ts]).sum()) + deficit))
        else:  # overloaded (gains still small): a step up of the skill's teams in P
            step = max(1.0, np.ceil(_OVERLOAD_STEP * serving))
            comp.cuts.append((index, holds.ravel(), serving + step))
    return len(missed), grad


def _solve(comp: _Component, cost: np.ndarray) -> np.ndarray | None:
    """The programme: min Σ cost·y over the cuts, the pooled bound and the box; or None."""
    n_r, n_t = comp.lower.shape
    rows, cols, vals, rhs = [], [], [], []
    rows_all = comp.floors + comp.cuts
    for i, (index, coef, bound) in enumerate(rows_all):
        rows.append(np.full(index.size, i))
        cols.append(index)
        vals.append(coef)
        rhs.append(bound)
    constraints = []
    if rows_all:
        matrix = sparse.csr_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(rows_all), n_r * n_t),
        )
        constraints.append(LinearConstraint(matrix, np.array(rhs), np.inf))
    if comp.pooled is not None:
        total = sparse.hstack([sparse.eye_array(n_t)] * n_r).tocsr()
        constraints.append(LinearConstraint(total, comp.pooled.astype(float), np.inf))
    result = milp(
        np.repeat(cost.astype(float), n_t),
        integrality=np.ones(n_r * n_t),
        bounds=Bounds(comp.lower.ravel().astype(float), comp.upper.ravel().astype(float)),
        constraints=constraints,
        options={"time_limit": 30.0},
    )
    if result.x is None:
        return None
    return np.round(result.x).astype(np.int64).reshape(n_r, n_t)


def _repair(comp: _Component, counts: np.ndarray, grad: np.ndarray, tol: np.ndarray) -> bool:
    """One more agent per missed target, where it is short most; True if none is missed."""
    inputs = comp.inputs
    f = margins(inputs, counts)[0]
    sums = _period_sums(f, comp.codes)
    missed = np.argwhere(sums < -tol[:, :, None])
    for s, k, pid in missed:
        ts = np.flatnonzero(comp.codes[s] == pid)
        t = ts[np.argmin(f[s, k, ts])]
        holds = np.flatnonzero(inputs.membership[s])
        r = holds[np.argmax(grad[holds, s, k, t])] if grad.size else holds[0]
        comp.current[r, t] += 1
    return missed.size == 0


def _search(comps: list[_Component], options: dict[str, Any]) -> int:
    """Cutting planes, then the repair, for every component; returns staffings simulated."""
    simulations = 0
    grads: dict[int, np.ndarray] = {}
    for round_ in range(options["max_iterations"]):
        live = [c for c in comps if not (c.done or c.repairing)]
        if not live:
            break
        fresh = round_ < _FRESH_ROUNDS
        jobs = [
            (c.inputs, [c.current, *(c.current + b for b in c.bumps)] if fresh else [c.current])
            for c in live
        ]
        simulations += sum(len(j[1]) for j in jobs)
        for comp, counts in zip(live, _simulate(jobs, options), strict=True):
            comp.iterations += 1
            missed, grads[id(comp)] = _cuts(comp, counts, None if fresh else grads[id(comp)])
            if missed == 0:
                comp.done, comp.proven = True, not comp.stale
                continue
            comp.stale |= not fresh
            tail = round_ >= _TAIL_AFTER and missed <= _TAIL * comp.n_targets
            answer = None if tail else _solve(comp, comp.cost)
            if answer is None:  # a few targets missed, or the cuts contradict the box
                comp.repairing = comp.stale = True
                _repair(comp, counts[:1], grads[id(comp)], comp.tol)
            else:
                comp.current = answer
    for _ in range(options["max_repairs"]):
        live = [c for c in comps if not c.done]
        if not live:
            break
        jobs = [(c.inputs, [c.current]) for c in live]
        simulations += len(jobs)
        for comp, counts in zip(live, _simulate(jobs, options), strict=True):
            grad = grads.get(id(comp), np.zeros((0,)))
            comp.done = _repair(comp, counts, grad, comp.tol)
    return simulations


def _simulate(jobs: list[tuple[TeamsInput, list[np.ndarray]]], options: dict[str, Any]) -> list:
    return simulate_staffings(
        jobs,
        replications=options["replications"],
        seed=options["seed"],
        at_close=options["at_close"],
        client=options["client"],
    )


def _load_floors(inputs: TeamsInput, interval_scope: np.ndarray) -> list:
    """Rows "service capacity >= arrivals" per interval-scope skill and for their sum.

    A team's agent serves at most ``max_concurrency`` contacts of skill s at a time, each
    taking h (at that load) seconds on average, so the skill's teams must be able to
    complete its arrivals: Σ_r y_r·k_r·interval / h_r >= v (the offered load, in agents).
    """
    n_t = inputs.n_intervals
    k = inputs.max_concurrency
    col = np.minimum(k, inputs.handle_s.shape[2]) - 1
    rows = []
    work = np.zeros(n_t)
    for s in np.flatnonzero(interval_scope):
        teams = np.flatnonzero(inputs.membership[s])
        handle = inputs.handle_s[s][:, col[teams]]  # (T, teams of s)
        for t in np.flatnonzero((inputs.volume[s] > 0) & inputs.is_open[s]):
            coef = k[teams] * inputs.interval_s / handle[t]
            rows.append((teams * n_t + t, coef, float(inputs.volume[s, t])))
            work[t] += inputs.volume[s, t] * handle[t].min()
    teams = np.arange(inputs.n_teams)
    for t in np.flatnonzero(work > 0):
        rows.append((teams * n_t + t, k * inputs.interval_s, float(work[t])))
    return rows


def _scopes(inputs: TeamsInput, scope: str | Sequence[str]) -> tuple[str, ...]:
    scopes = (scope,) * inputs.n_skills if isinstance(scope, str) else tuple(scope)
    if len(scopes) != inputs.n_skills or any(s not in SCOPES for s in scopes):
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, or one per skill")
    return scopes


def _components(
    inputs: TeamsInput,
    lower: np.ndarray,
    upper: np.ndarray,
    pooled_total: np.ndarray | None,
    cost: np.ndarray,
    scopes: tuple[str, ...],
) -> list[_Component]:
    """The search state of every component with a team; first staffing from the bounds."""
    busy = (inputs.volume > 0) & inputs.is_open
    active = (inputs.membership.T.astype(int) @ busy.astype(int)) > 0  # (R, T)
    low = np.where(active, np.maximum(lower, np.asarray(inputs.min_agents)[:, None]), lower)
    cap = np.where(active, np.maximum(2 * upper + 2, low), low)
    comps = []
    for skills, teams in inputs.components():
        if teams.size == 0:
            continue
        sub = inputs.subset(skills, teams)
        bumps = []
        for i, r in enumerate(teams):
            bump = np.zeros((teams.size, inputs.n_intervals), np.int64)
            bump[i] = active[r]
            bumps.append(bump)
        comp = _Component(
            inputs=sub,
            teams=teams,
            lower=low[teams],
            upper=cap[teams],
            pooled=None if pooled_total is None else pooled_total[teams].max(axis=0),
            codes=_period_codes(sub, [scopes[s] for s in skills]),
            current=low[teams].copy(),
            bumps=bumps,
            tol=_TOLERANCE * _scale(sub),
            cost=cost[teams],
        )
        interval_scope = np.array([scopes[s] == SCOPES[0] for s in skills])
        comp.floors = _load_floors(sub, interval_scope)
        comp.n_targets = int(np.unique(comp.codes).size * 3)
        first = _solve(comp, comp.cost)
        if first is not None:
            comp.current = first
        comps.append(comp)
    return comps


def staff_teams(
    inputs: TeamsInput,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    replications: int = 20,
    seed: int = 0,
    scope: str | Sequence[str] = SCOPES[0],
    pooled_total: np.ndarray | None = None,
    cost: np.ndarray | None = None,
    at_close: str = "drain",
    max_iterations: int = 12,
    max_repairs: int = 60,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
) -> TeamsStaffing:
    """Agents per team and interval: the fewest agent-hours meeting every skill's targets.

    Parameters
    ----------
    inputs : TeamsInput
        Skills and teams (``agents`` ignored); ``min_agents`` per team applies where any
        of its skills has volume. A skill in no team is not staffed here (it is staffed
        alone, as today).
    lower, upper : numpy.ndarray
        (R, T) agents per team and interval [-]: the search never goes below ``lower``
        and starts there; ``upper`` (e.g. each skill staffed alone, split over its teams)
        caps the programme at 2·upper + 2.
    replications : int, default 20
        Replications of every simulation [-] (common random numbers).
    seed : int, default 0
        Root seed, as :func:`staffing.simulation.teams.run_teams`.
    scope : str or sequence of str, default "interval"
        ``interval``, ``day`` or ``week``: the period of each skill's targets.
    pooled_total : numpy.ndarray, optional
        (R, T): for each team, a lower bound on the total agents of its component at t
        (the pooled bound); the programme keeps Σ_r y >= it.
    cost : numpy.ndarray, optional
        (R,) cost of one agent-interval of each team (e.g. 1 / (1 − shrinkage)); default 1.
    at_close : {"drain", "hold"}, default "drain"
        The closing rule of the simulation.
    max_iterations, max_repairs : int
        Cutting-plane rounds, then repair rounds, at most [-].
    client, scheduler, workers
        Where the simulations run, as for :func:`staffing.simulation.teams.run_teams`.

    Returns
    -------
    TeamsStaffing

    Raises
    ------
    ValueError
        Bounds of the wrong shape, an unknown scope, fewer than 2 replications, a negative
        seed or an unknown ``at_close``.
    """
    check_options(replications, seed, "exponential", 1.0, "least_loaded", at_close)
    shape = (inputs.n_teams, inputs.n_intervals)
    lower = np.asarray(lower, np.int64)
    upper = np.asarray(upper, np.int64)
    for name, value in (("lower", lower), ("upper", upper), ("pooled_total", pooled_total)):
        if value is not None and np.shape(value) != shape:
            raise ValueError(f"{name} must have shape (teams, intervals) = {shape}")
    scopes = _scopes(inputs, scope)
    team_cost = np.ones(inputs.n_teams) if cost is None else np.asarray(cost, float)
    comps = _components(inputs, lower, upper, pooled_total, team_cost, scopes)
    dask_client, to_close, _ = connect(client, scheduler, workers)
    options = {
        "replications": int(replications),
        "seed": int(seed),
        "at_close": at_close,
        "client": dask_client,
        "max_iterations": int(max_iterations),
        "max_repairs": int(max_repairs),
    }
    try:
        simulations = _search(comps, options)
        agents = np.zeros(shape, np.int64)
        for comp in comps:
            agents[comp.teams] = comp.current
        run = run_teams(
            inputs.with_agents(agents), replications, seed, at_close=at_close, client=dask_client
        )
    finally:
        for item in to_close or ():
            item.close()
    return TeamsStaffing(
        agents=agents,
        met=all(c.done for c in comps),
        run=run,
        replications=int(replications),
        seed=int(seed),
        scope=scopes,
        iterations=max((c.iterations for c in comps), default=0),
        simulations=simulations,
        proven=all(c.proven for c in comps),
    )
