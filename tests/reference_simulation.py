"""Discrete-event simulation of the Erlang A and chat queues, customer by customer.

Independent of staffing.queueing: each contact draws its own patience deadline at
arrival, waits in a first-come-first-served queue, and its wait is measured on the
clock. Conversations in service finish at the rates of the model definition
(docs/models.md, chat, even spread): with m in service spread evenly over n agents,
r agents hold q+1 and n-r hold q, and the total completion rate is
r (q+1)/h_{q+1} + (n-r) q/h_q (the definition's instant rebalancing; exponential
handle times make the identity of the finishing conversation irrelevant).
"""

from __future__ import annotations

import heapq
import math
import random

import numpy as np


def completion_rate(in_service: int, n: int, hs: list[float]) -> float:
    if in_service == 0:
        return 0.0
    q, r = divmod(in_service, n)
    rate = r * (q + 1) / hs[q] if r else 0.0
    if q:
        rate += (n - r) * q / hs[q - 1]
    return rate


def simulate(n, hs, lam, theta, t, arrivals=100_000, seed=1, batches=20):
    """Simulate ``arrivals`` contacts; return batch means and standard errors.

    Returns a dict of metric -> (mean, standard error) for service_level, p_abandon,
    p_wait and asa_s (mean wait of answered contacts).
    """
    rng = random.Random(seed)
    k = len(hs)
    slots = n * k
    now = 0.0
    next_arrival = rng.expovariate(lam)
    in_service = 0
    queue: list[int] = []  # FCFS of contact ids (lazy removal of abandoned)
    head = 0
    deadlines: list[tuple[float, int]] = []  # heap of (abandon time, id)
    arrived_at: list[float] = []
    outcome = np.full(arrivals, np.nan)  # wait of answered contacts; inf = abandoned
    waited = np.zeros(arrivals, dtype=bool)
    gone = set()
    count = 0
    while True:
        rate = completion_rate(in_service, n, hs)
        next_completion = now + rng.expovariate(rate) if rate > 0 else math.inf
        next_abandon = deadlines[0][0] if deadlines else math.inf
        if count >= arrivals and head >= len(queue) and in_service == 0:
            break
        arrival_time = next_arrival if count < arrivals else math.inf
        now = min(arrival_time, next_completion, next_abandon)
        if now == math.inf:
            break
        if now == arrival_time:
            cid = count
            count += 1
            arrived_at.append(now)
            if in_service < slots:
                in_service += 1
                outcome[cid] = 0.0
            else:
                waited[cid] = True
                queue.append(cid)
                if math.isfinite(theta):
                    heapq.heappush(deadlines, (now + rng.expovariate(1.0 / theta), cid))
            next_arrival = now + rng.expovariate(lam)
        elif now == next_completion:
            in_service -= 1
            while head < len(queue) and queue[head] in gone:
                head += 1
            if head < len(queue):
                cid = queue[head]
                head += 1
                gone.add(cid)
                outcome[cid] = now - arrived_at[cid]
                in_service += 1
        else:
            _, cid = heapq.heappop(deadlines)
            if cid not in gone:
                gone.add(cid)
                outcome[cid] = math.inf
        while deadlines and deadlines[0][1] in gone:
            heapq.heappop(deadlines)
    start = arrivals // 20  # warm-up
    keep = slice(start, arrivals)
    out = outcome[keep]
    groups = np.array_split(np.arange(out.size), batches)

    def stat(values_fn):
        means = np.array([values_fn(out[g], waited[keep][g]) for g in groups])
        return float(np.mean(means)), float(np.std(means, ddof=1) / math.sqrt(batches))

    answered = np.isfinite
    return {
        "service_level": stat(lambda o, w: np.mean(answered(o) & (o <= t))),
        "p_abandon": stat(lambda o, w: np.mean(np.isinf(o))),
        "p_wait": stat(lambda o, w: np.mean(w)),
        "asa_s": stat(lambda o, w: np.mean(o[answered(o)])),
    }
