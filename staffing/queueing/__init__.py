"""Vectorised queueing models for contact-centre staffing.

The exact stationary queueing maths (Erlang B/C, Erlang A, chat), with the numerical
methods that keep it exact from one agent to tens of thousands, in small modules:
:mod:`~staffing.queueing.inputs` (checks, broadcasting, limits),
:mod:`~staffing.queueing.erlang` (Erlang B and C), :mod:`~staffing.queueing.numerics`
(sums over blocks of chain states), :mod:`~staffing.queueing.chain` (Erlang A and chat),
:mod:`~staffing.queueing.metrics` (:func:`evaluate`) and
:mod:`~staffing.queueing.search` (:func:`required_agents`). The public names are the ones
re-exported here.

Every function takes scalars, numpy arrays or pandas Series, broadcasts them
together and returns numpy arrays: a year of hourly intervals for hundreds of
skills is one call. Durations are in seconds (names end in ``_s``), ``volume``
is contacts arriving per interval of ``interval_s`` seconds.

Models (definitions: ``docs/models.md``):

``erlang_c``
    M/M/n, infinitely patient contacts. Real-valued agents are supported through
    the incomplete-gamma continuation of Erlang B.
``erlang_a``
    M/M/n+M (Palm): exponential patience with mean ``patience_s``.
``chat``
    n agents each holding up to k conversations at once; ``handle_time_s`` is a
    sequence ``[h_1 .. h_k]`` (last axis), h_j the mean handle time of one
    conversation while its agent holds j. Optional patience.

Numerical method
----------------
All models are birth-death chains. Their stationary distributions are summed
block by block in log space: a block of states whose death rates grow linearly
(``alpha + i*beta``) has a closed form in regularised incomplete gamma functions,
``sum_r y^r Gamma(c+1)/Gamma(c+1+r) = Gamma(c+1) e^y y^-c [P(c, y) - P(c+N, y)]``
with ``c = alpha/beta`` and ``y = lambda/beta``. Where that form would lose
precision (terms falling fast from the first, or rising fast to the last, or an
underflowing ``P``), the block is summed directly as a series, which then
converges geometrically. No factorials are formed, so 20,000 Erlangs work.
Service level uses the closed form of the answered-within-t probability of
Erlang A (sums of exponentials with rates in arithmetic progression are
order statistics, hence incomplete beta/gamma functions).

References
----------
.. [1] Gans, N., Koole, G., Mandelbaum, A. (2003). Telephone call centers:
   tutorial, review, and research prospects. MSOM 5(2), 79-141.
   https://doi.org/10.1287/msom.5.2.79.16071
.. [2] Mandelbaum, A., Zeltyn, S. (2007). Service engineering in action: the
   Palm/Erlang-A queue, with applications to call centers. In Advances in
   Services Innovations, Springer, 17-45.
.. [3] Garnett, O., Mandelbaum, A., Reiman, M. (2002). Designing a call center
   with impatient customers. MSOM 4(3), 208-227.
   https://doi.org/10.1287/msom.4.3.208.7753
.. [4] Jagerman, D. L. (1974). Some properties of the Erlang loss function.
   Bell System Technical Journal 53(3), 525-551 (continuation to real n).
.. [5] Tezcan, T., Zhang, J. (2014). Routing and staffing in customer service
   chat systems with impatient customers. Operations Research 62(4), 943-956.
   https://doi.org/10.1287/opre.2014.1284
"""

from __future__ import annotations

from staffing.queueing.erlang import erlang_b, erlang_c
from staffing.queueing.inputs import MAX_AGENTS as MAX_AGENTS
from staffing.queueing.inputs import MAX_LOAD_ERLANGS as MAX_LOAD_ERLANGS
from staffing.queueing.inputs import MODELS
from staffing.queueing.inputs import PATIENCE_LIMIT as PATIENCE_LIMIT
from staffing.queueing.metrics import QueueMetrics, evaluate
from staffing.queueing.search import required_agents

__all__ = [
    "MODELS",
    "QueueMetrics",
    "erlang_b",
    "erlang_c",
    "evaluate",
    "required_agents",
]
