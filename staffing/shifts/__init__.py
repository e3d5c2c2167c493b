"""Shift scheduling: from a plan's requirement to shifts, and any schedule's gaps.

- :mod:`staffing.shifts.solver`: the pure maths: pattern coverage matrices and the exact
  MILP (HiGHS through ``scipy.optimize.milp``).
- :mod:`staffing.shifts.roster`: a given schedule (``scheduled:``) read and put on the
  plan's interval grid.
- :mod:`staffing.shifts.schedule`: the pipeline, ``schedule(plan)`` -> ``Schedule`` (also
  exported as ``staffing.schedule`` and ``staffing.Schedule``).

The model, and how shrinkage and scheduled breaks combine, is in ``docs/shifts.md``. This
package file imports nothing: the schedule imports the plan, which imports the config. The
``shifts:`` templates and ``scheduled:`` file of the planning config are config models, in
:mod:`staffing.config.shifts`.
"""
