"""The workbook's sheets, one module per family; :mod:`staffing.outputs.workbook` orders them.

- :mod:`~staffing.outputs.sheets.plan`: the Summary (table, warnings, chart), one grid sheet
  per skill, the Intervals table;
- :mod:`~staffing.outputs.sheets.weekly`: the Weekly roll-ups;
- :mod:`~staffing.outputs.sheets.simulation`: the Simulation sheet(s) and the Summary's
  simulated columns;
- :mod:`~staffing.outputs.sheets.shifts`: the Shifts sheet of a schedule;
- :mod:`~staffing.outputs.sheets.coverage`: the Coverage sheet per skill group;
- :mod:`~staffing.outputs.sheets.assumptions`: the Assumptions sheet.

Every module writes with the cells toolkit (:mod:`staffing.outputs.cells`).
"""
