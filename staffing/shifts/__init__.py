"""Shift scheduling: from a plan's requirement to shifts, and any schedule's gaps.

- :mod:`staffing.shifts.solver`: the pure maths, the exact MILP (HiGHS through
  ``scipy.optimize.milp``): input checks and the answer, over its steps
  :mod:`~staffing.shifts.patterns` (coverage matrices), :mod:`~staffing.shifts.blocks`
  (independent blocks, each distinct one once), :mod:`~staffing.shifts.lp_first` (LP
  first, rounding to a proven bound) and :mod:`~staffing.shifts.branch_and_bound`.
- :mod:`staffing.shifts.roster`: a given schedule (``scheduled:``) read and put on the
  plan's interval grid.
- :mod:`staffing.shifts.schedule`: the pipeline, ``schedule(plan)`` -> ``Schedule`` (also
  exported as ``staffing.schedule`` and ``staffing.Schedule``), over
  :mod:`~staffing.shifts.optimise` (a group's templates to patterns, solved, as shifts),
  :mod:`~staffing.shifts.service` (the achieved service through the queueing engine) and
  :mod:`~staffing.shifts.rollups` (daily and weekly sums, the uncovered rows).

The model, and how shrinkage and scheduled breaks combine, is in ``docs/shifts.md``. This
package file imports nothing: the schedule imports the plan, which imports the config. The
``shifts:`` templates and ``scheduled:`` file of the planning config are config models, in
:mod:`staffing.config.shifts`.
"""
