"""Daily (or weekly) targets at the fewest agent-hours: marginal analysis over intervals.

A planner is judged on the day's service level, volume-weighted over all its arrivals,
not on every interval separately. :func:`fewest_hours` staffs a group of intervals (a
day or a week of one skill) so that the group meets its targets,

- service level: Σ v_t·SL_t(n_t) ≥ target · Σ v_t,
- abandonment:  Σ v_t·P_ab,t(n_t) ≤ max_abandon · Σ v_t,
- ASA:          Σ W_t(n_t) ≤ asa · Σ A_t(n_t), with A_t = v_t·(1 − P_ab,t) answered and
  W_t = A_t·ASA_t their summed wait,

at the least cost Σ c_t·n_t, where c_t is the cost of one agent in interval t (hours, or
FTE-hours = hours / (1 − shrinkage)), starting from per-interval floors the caller gives
(``min_agents``, a per-interval service-level floor, the occupancy cap, stability).

Method (Koole & van der Sluis 2003, marginal analysis): repeatedly add the agent with the
largest gain in the target's sum per unit of cost until the group meets it. Each target
is a separable sum Σ f_t(n_t) over the intervals. When every f_t is concave in n_t over the
range searched (Erlang C's service level is, for n above the offered load in the cases
call centres meet, see ``docs/models.md``), the gains of an interval shrink with each
agent, and the greedy choice is optimal: it is the classic result for maximising a
separable concave function under one linear (cost) budget with integer steps, as the
greedy order takes the increments in decreasing order of gain per cost and no other set
of increments of the same cost has a larger sum. The tests check it against brute force.

Vectorised: the gains f_t(n_t + j + 1) − f_t(n_t + j) for j < J are computed for every
interval at once with :func:`staffing.queueing.evaluate` (one call on a (rows, J) grid),
sorted per group by gain per cost, and the smallest prefix meeting each group's deficit is
taken, which is exactly the greedy sequence. Where a gain sequence is not decreasing
(outside the concave range) its ratios are clipped to their running minimum, so every
interval's increments stay in order; the answer still meets the targets but is then not
proven minimal. Groups whose inputs are identical (an hour-of-week forecast repeats every
week) are solved once.

References: Koole, G., van der Sluis, E. (2003). Optimal shift scheduling with a global
service level constraint. IIE Transactions 35(11), 1049-1055.
doi:10.1080/07408170304394
"""

from __future__ import annotations

import numpy as np

from staffing import queueing
from staffing.vocabulary import ERLANG_C

__all__ = ["fewest_hours", "group_metrics"]

#: Relative slack when a group's target is compared (floating-point sums).
_TOLERANCE = 1e-9
#: Largest number of agents above its floor one interval may get [-].
_MAX_SPAN = 1 << 16
#: Agents above the present ones whose gains are computed first (doubled where too few).
_FIRST_SPAN = 2
_TARGET_ORDER = ("service_level", "max_abandon", "asa_s")
#: Cells of the exchange pass's move grids built at once (groups x width x (width + 1)):
#: 2^20 cells are 8 MiB per float array (a year of days at once was 44 M cells, GBs).
EXCHANGE_CELLS = 1 << 20


def _evaluate(model, agents, volume, handle_time_s, interval_s, within, patience):
    """evaluate() on agents of shape (rows, J) (inputs per row)."""
    h = handle_time_s[:, None, :] if handle_time_s.ndim == 2 else handle_time_s[:, None]
    extra = {} if model == ERLANG_C else {"patience_s": patience[:, None]}
    return queueing.evaluate(
        model,
        agents,
        volume=volume[:, None],
        handle_time_s=h,
        interval_s=interval_s,
        answer_within_s=within[:, None],
        **extra,
    )


def _terms(metrics, volume: np.ndarray, target: str, level: np.ndarray) -> np.ndarray:
    """f_t(n): the per-interval term of a target, larger is better ((rows, J))."""
    v = volume[:, None]
    if target == "service_level":
        return v * np.asarray(metrics["service_level"], dtype=float)
    pab = np.asarray(metrics["p_abandon"], dtype=float)
    if target == "max_abandon":
        return -v * pab
    answered = v * (1.0 - pab)
    asa = np.asarray(metrics["asa_s"], dtype=float)
    wait = np.where(answered > 0, answered * np.where(np.isfinite(asa), asa, 1e300), 0.0)
    return -(wait - level[:, None] * answered)


def _need(target: str, level: np.ndarray, volume_sum: np.ndarray) -> np.ndarray:
    """Right-hand side of Σ f_t ≥ need per group."""
    if target == "service_level":
        return level * volume_sum
    if target == "max_abandon":
        return -level * volume_sum
    return np.zeros_like(volume_sum)


def group_metrics(
    model: str,
    agents: np.ndarray,
    *,
    volume: np.ndarray,
    handle_time_s: np.ndarray,
    interval_s: float,
    answer_within_s: np.ndarray,
    patience_s: np.ndarray,
    group: np.ndarray,
    n_groups: int,
) -> dict[str, np.ndarray]:
    """Volume-weighted service level, abandonment and ASA of each group of intervals.

    Parameters
    ----------
    model : {"erlang_c", "erlang_a", "chat"}
        Queueing model of :func:`staffing.queueing.evaluate`.
    agents, volume, answer_within_s, patience_s : ndarray
        Per interval (rows): agents [-], contacts [-], threshold [s], patience [s] (inf:
        none).
    handle_time_s : ndarray
        Per interval [s] (chat: (rows, k)).
    interval_s : float
        Interval length [s].
    group, n_groups : ndarray, int
        Group code of each row (0 .. n_groups − 1).

    Returns
    -------
    dict
        ``service_level`` [-], ``p_abandon`` [-], ``asa_s`` [s] per group (NaN where the
        group has no volume).
    """
    m = _evaluate(
        model,
        np.asarray(agents, dtype=float)[:, None],
        volume,
        handle_time_s,
        interval_s,
        answer_within_s,
        patience_s,
    )
    sl = np.asarray(m["service_level"], dtype=float)[:, 0]
    pab = np.asarray(m["p_abandon"], dtype=float)[:, 0]
    asa = np.asarray(m["asa_s"], dtype=float)[:, 0]
    answered = volume * (1 - pab)

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=x, minlength=n_groups)

    vol = total(volume)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "service_level": total(volume * sl) / vol,
            "p_abandon": total(volume * pab) / vol,
            "asa_s": total(np.where(answered > 0, answered * asa, 0.0)) / total(answered),
        }


def fewest_hours(
    model: str,
    floor: np.ndarray,
    *,
    volume: np.ndarray,
    handle_time_s: np.ndarray,
    interval_s: float,
    answer_within_s: np.ndarray,
    patience_s: np.ndarray,
    group: np.ndarray,
    cost: np.ndarray,
    service_level: np.ndarray | None = None,
    asa_s: np.ndarray | None = None,
    max_abandon: np.ndarray | None = None,
    max_rounds: int = 20,
) -> np.ndarray:
    """Fewest-cost agents per interval meeting each group's volume-weighted targets.

    Parameters
    ----------
    model : {"erlang_c", "erlang_a", "chat"}
        Queueing model of :func:`staffing.queueing.evaluate`.
    floor : ndarray
        Fewest agents of each interval (rows) [-], whole numbers; for a model without
        patience it must be stable (more agents than the offered load).
    volume : ndarray
        Contacts per interval [-], > 0.
    handle_time_s : ndarray
        Mean handle time per interval [s]; for chat (rows, k).
    interval_s : float
        Interval length [s].
    answer_within_s, patience_s : ndarray
        Threshold [s] and mean patience [s] (inf: none) per interval.
    group : ndarray of int
        Group (a day or week of one skill) of each interval, non-decreasing.
    cost : ndarray
        Cost of one agent in the interval, > 0 (hours, or FTE-hours).
    service_level, asa_s, max_abandon : ndarray, optional
        Targets per interval (the same in every row of a group; NaN: none): the group's
        volume-weighted share answered within the threshold [-], its mean wait of the
        answered [s], its share abandoning [-].
    max_rounds : int, default 20
        Passes over the targets (each pass meets one target of each group that misses one);
        a group still missing a target after them is refused.

    Returns
    -------
    ndarray
        Agents per interval (float, whole numbers), at least ``floor``.

    Raises
    ------
    ValueError
        ``group`` not non-decreasing, or a group that cannot meet its target even with
        2^16 agents above its floor in each interval.
    """
    floor = np.asarray(floor, dtype=float)
    rows = floor.size
    group = np.asarray(group, dtype=np.int64)
    if rows == 0:
        return floor.copy()
    if np.any(np.diff(group) < 0):
        raise ValueError("group must be non-decreasing (rows grouped by day or week)")
    volume = np.asarray(volume, dtype=float)
    h = np.asarray(handle_time_s, dtype=float)
    within = np.broadcast_to(np.asarray(answer_within_s, dtype=float), (rows,))
    patience = np.broadcast_to(np.asarray(patience_s, dtype=float), (rows,))
    cost = np.broadcast_to(np.asarray(cost, dtype=float), (rows,))
    nan = np.full(rows, np.nan)
    targets = {
        "service_level": nan if service_level is None else np.asarray(service_level, dtype=float),
        "max_abandon": nan if max_abandon is None else np.asarray(max_abandon, float),
        "asa_s": nan if asa_s is None else np.asarray(asa_s, dtype=float),
    }

    # Identical groups (same rows in the same order) are solved once.
    columns = [volume, h.reshape(rows, -1), within, patience, floor, cost, *targets.values()]
    matrix = np.ascontiguousarray(np.column_stack([np.reshape(c, (rows, -1)) for c in columns]))
    keys = matrix.view(np.dtype((np.void, matrix.dtype.itemsize * matrix.shape[1]))).ravel()
    _, row_code = np.unique(keys, return_inverse=True)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    bounds = np.r_[starts, rows]
    seen: dict[bytes, int] = {}
    representative = np.empty(starts.size, dtype=np.int64)
    codes = row_code.ravel().astype(np.int64)
    for index in range(starts.size):
        key = codes[bounds[index] : bounds[index + 1]].tobytes()
        representative[index] = seen.setdefault(key, index)
    unique_groups = np.flatnonzero(representative == np.arange(starts.size))
    lengths = np.diff(bounds)
    take = np.concatenate([np.arange(bounds[g], bounds[g + 1]) for g in unique_groups])
    local_group = np.repeat(np.arange(unique_groups.size), lengths[unique_groups])

    solved = _solve(
        model,
        floor[take],
        volume[take],
        h[take],
        interval_s,
        within[take],
        patience[take],
        local_group,
        unique_groups.size,
        cost[take],
        {k: v[take] for k, v in targets.items()},
        max_rounds,
    )

    # map back: the representative of every group, position by position
    position = np.empty(unique_groups.size, dtype=np.int64)
    position[:] = np.r_[0, np.cumsum(lengths[unique_groups])[:-1]]
    slot = np.empty(starts.size, dtype=np.int64)
    slot[unique_groups] = np.arange(unique_groups.size)
    source_start = position[slot[representative]]
    offset = np.arange(rows) - np.repeat(starts, lengths)
    return solved[np.repeat(source_start, lengths) + offset]


def _solve(
    model,
    floor,
    volume,
    h,
    interval_s,
    within,
    patience,
    group,
    n_groups,
    cost,
    targets,
    max_rounds,
):
    agents = floor.copy()
    first_row = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]
    level = {k: v[first_row] for k, v in targets.items()}
    volume_sum = np.bincount(group, weights=volume, minlength=n_groups)
    for _ in range(max_rounds + 1):  # a check after the last pass (its fill is unused)
        m = _evaluate(model, agents[:, None], volume, h, interval_s, within, patience)
        todo = np.zeros(n_groups, dtype=bool)
        assigned = np.full(n_groups, -1)
        for index, name in enumerate(_TARGET_ORDER):
            has = np.isfinite(level[name])
            if not has.any():
                continue
            lv = targets[name]
            total = np.bincount(
                group, weights=_terms(m, volume, name, lv)[:, 0], minlength=n_groups
            )
            need = _need(name, np.nan_to_num(level[name]), volume_sum)
            short = has & (total < need - _TOLERANCE * np.maximum(volume_sum, 1.0))
            assigned = np.where(short & (assigned < 0), index, assigned)
            todo |= short
        if not todo.any():
            return _exchange(
                model,
                agents,
                floor,
                volume,
                h,
                interval_s,
                within,
                patience,
                group,
                n_groups,
                cost,
                targets,
                level,
                volume_sum,
            )
        for index, name in enumerate(_TARGET_ORDER):
            mine = assigned[group] == index
            if mine.any():
                agents[mine] += _fill(
                    model,
                    agents[mine],
                    volume[mine],
                    h[mine],
                    interval_s,
                    within[mine],
                    patience[mine],
                    group[mine],
                    n_groups,
                    cost[mine],
                    name,
                    targets[name][mine],
                    _need(name, np.nan_to_num(level[name]), volume_sum),
                )
    raise ValueError(f"the daily targets are still missed after {max_rounds} passes")


def _fill(
    model,
    agents,
    volume,
    h,
    interval_s,
    within,
    patience,
    group,
    n_groups,
    cost,
    name,
    row_level,
    need,
):
    """Agents to add to each row: the greedy prefix meeting each group's need.

    The gains of the next ``span`` agents of every row are computed at once. A group none
    of whose rows used all ``span`` (and whose gains can meet its need) is settled: more
    columns would only add increments sorted after its prefix (a row's ratios are kept
    non-increasing), so its answer is final. Only the rows of the other groups are
    evaluated again, with twice the span.
    """
    added = np.zeros(agents.size)
    rows = np.arange(agents.size)  # the rows of the groups not settled yet
    span = _FIRST_SPAN
    while True:
        got, exhausted = _prefix(
            model,
            agents[rows],
            volume[rows],
            h[rows],
            interval_s,
            within[rows],
            patience[rows],
            group[rows],
            n_groups,
            cost[rows],
            name,
            row_level[rows],
            need,
            span,
        )
        open_rows = exhausted[group[rows]]
        added[rows[~open_rows]] = got[~open_rows]
        if not open_rows.any():
            return added
        if span >= _MAX_SPAN:
            raise ValueError(
                f"a group cannot meet its {name} target with {_MAX_SPAN} agents "
                "above its floor in each interval"
            )
        rows = rows[open_rows]
        span *= 2


def _prefix(
    model,
    agents,
    volume,
    h,
    interval_s,
    within,
    patience,
    group,
    n_groups,
    cost,
    name,
    row_level,
    need,
    span,
):
    """The greedy prefix of the next ``span`` agents of each row (whole groups of rows):
    agents added per row, and per group whether ``span`` was too short."""
    rows = agents.size
    grid = agents[:, None] + np.arange(span + 1, dtype=float)[None, :]
    m = _evaluate(model, grid, volume, h, interval_s, within, patience)
    f = _terms(m, volume, name, row_level)
    gain = np.maximum(np.diff(f, axis=1), 0.0)  # monotone targets; clip float noise
    ratio = np.minimum.accumulate(gain / cost[:, None], axis=1)
    deficit = need - np.bincount(group, weights=f[:, 0], minlength=n_groups)
    flat_group = np.repeat(group, span)
    flat_gain = gain.ravel()
    step = np.tile(np.arange(span), rows)
    order = np.lexsort((step, -ratio.ravel(), flat_group))
    g_sorted = flat_gain[order]
    grp_sorted = flat_group[order]
    cum = np.cumsum(g_sorted)
    starts = np.r_[0, np.flatnonzero(grp_sorted[1:] != grp_sorted[:-1]) + 1]
    before = np.repeat(np.r_[0.0, cum][starts], np.diff(np.r_[starts, cum.size]))
    within_group = cum - before  # cumulative gain in the group, this increment included
    chosen = (within_group - g_sorted) < deficit[grp_sorted]
    chosen &= deficit[grp_sorted] > 0
    picked = np.zeros(rows * span, dtype=bool)
    picked[order] = chosen
    added = picked.reshape(rows, span).sum(axis=1)
    available = np.bincount(group, weights=gain.sum(axis=1), minlength=n_groups)
    exhausted = np.zeros(n_groups, dtype=bool)
    exhausted[group[added == span]] = True
    exhausted |= available < deficit
    return added.astype(float), exhausted


def _exchange(
    model,
    agents,
    floor,
    volume,
    h,
    interval_s,
    within,
    patience,
    group,
    n_groups,
    cost,
    targets,
    level,
    volume_sum,
    max_moves=200,
):
    """Local search after the greedy: drop an agent, or move one to a cheaper interval.

    With unequal costs the greedy's last agent can overshoot; with several targets, met a
    pass each, an earlier pass's agents can be more than the later passes leave needed
    (at equal costs too); outside the concave range the greedy is not minimal. Each pass
    takes, in every group at once, the move (remove one agent from interval i, optionally
    add one in interval j) that saves the most cost and keeps every target of the group
    met. A group with no such move is done (the other groups' moves do not change it):
    later passes evaluate only the groups still moving.
    """
    active = [name for name in _TARGET_ORDER if np.isfinite(level[name]).any()]
    if not active:
        return agents
    smallest_saving = 1e-12 * np.nanmax(cost)
    tol = _TOLERANCE * np.maximum(volume_sum, 1.0)
    moving = np.arange(n_groups)  # the groups still moving
    for _ in range(max_moves):
        rows = np.flatnonzero(np.isin(group, moving, kind="table"))
        local = np.searchsorted(moving, group[rows])
        found = _best_moves(
            model,
            agents[rows],
            floor[rows],
            volume[rows],
            h[rows],
            interval_s,
            within[rows],
            patience[rows],
            local,
            moving.size,
            cost[rows],
            {name: targets[name][rows] for name in active},
            {name: level[name][moving] for name in active},
            volume_sum[moving],
            tol[moving],
            smallest_saving,
        )
        if found is None:
            return agents
        drop, add, movers = found
        agents[rows[drop]] -= 1
        agents[rows[add]] += 1
        moving = moving[movers]
    return agents


def _best_moves(
    model,
    agents,
    floor,
    volume,
    h,
    interval_s,
    within,
    patience,
    group,
    n_groups,
    cost,
    targets,
    level,
    volume_sum,
    tol,
    smallest_saving,
):
    """One pass of :func:`_exchange` over whole groups: the rows losing and gaining an
    agent and the groups that moved, or None when no group has a move that saves.

    The moves of a group are a (width, width + 1) grid (drop i, add j or nobody); the
    grids are built for :data:`EXCHANGE_CELLS` cells at a time (:func:`_chunk_best`), so
    a year of days needs tens of MB, not GB, and each group's answer is the same."""
    starts = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]
    lengths = np.diff(np.r_[starts, agents.size])
    width = int(lengths.max())
    slot = np.arange(agents.size) - np.repeat(starts, lengths)
    pad_cost = np.full((n_groups, width), np.nan)
    pad_cost[group, slot] = cost
    grid = agents[:, None] + np.array([-1.0, 0.0, 1.0])[None, :]
    m = _evaluate(model, np.maximum(grid, 0.0), volume, h, interval_s, within, patience)
    checks = []
    for name, row_level in targets.items():
        f = _terms(m, volume, name, row_level)
        has = np.isfinite(level[name])
        surplus = (
            np.bincount(group, weights=f[:, 1], minlength=n_groups)
            - _need(name, np.nan_to_num(level[name]), volume_sum)
            + tol
        )
        loss = np.full((n_groups, width), np.inf)
        loss[group, slot] = np.where(agents > floor, f[:, 1] - f[:, 0], np.inf)
        gain = np.zeros((n_groups, width + 1))  # last column: add nobody
        gain[group, slot] = f[:, 2] - f[:, 1]
        checks.append((surplus, loss, gain, has))
    best = np.empty(n_groups, dtype=np.int64)
    value = np.empty(n_groups)
    step = max(1, EXCHANGE_CELLS // (width * (width + 1)))
    for lo in range(0, n_groups, step):
        part = slice(lo, lo + step)
        best[part], value[part] = _chunk_best(
            pad_cost[part], [tuple(c[part] for c in check) for check in checks]
        )
    movers = np.flatnonzero(value > smallest_saving)
    if movers.size == 0:
        return None
    i, j = np.divmod(best[movers], width + 1)
    adds = j < width
    return starts[movers] + i, starts[movers[adds]] + j[adds], movers


def _chunk_best(pad_cost, checks):
    """Per group of a chunk: the flat index of its best move (i * (width + 1) + j) and the
    cost it saves (-inf: no move keeps its targets met)."""
    n_groups, width = pad_cost.shape
    ok = np.ones((n_groups, width, width + 1), dtype=bool)
    for surplus, loss, gain, has in checks:
        fits = surplus[:, None, None] - loss[:, :, None] + gain[:, None, :] >= 0
        ok &= fits | ~has[:, None, None]
    add_cost = np.concatenate([pad_cost, np.zeros((n_groups, 1))], axis=1)
    saving = pad_cost[:, :, None] - add_cost[:, None, :]
    same = np.eye(width, width + 1, dtype=bool)[None, :, :]
    saving = np.where(ok & ~same & np.isfinite(saving), saving, -np.inf)
    flat = saving.reshape(n_groups, -1)
    best = np.argmax(flat, axis=1)
    return best, flat[np.arange(n_groups), best]
