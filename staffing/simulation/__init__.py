"""Discrete-event simulation of a plan: does it deliver its service level, day by day?

- :func:`simulate` (also :meth:`staffing.plan.Plan.simulate`) and
  :class:`SimulationResult`: the pipeline, from a plan to tables of promised against
  simulated figures, in-process or on Dask.
- :mod:`staffing.simulation.kernel`: the event loops (numba when installed), numpy in and out.

The simulated system and its rules are described in ``docs/simulation.md``.
"""

from __future__ import annotations

from staffing.simulation.run import SimulationResult, simulate

__all__ = ["SimulationResult", "simulate"]
