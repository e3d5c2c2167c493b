"""Data sources: everything that reads data from outside, DataFrames out.

- :mod:`staffing.sources.files`: the planner's files (NHT history CSV, volume forecast).
- :mod:`staffing.sources.store`: the local SQLite history store (UTC inside).
- :mod:`staffing.sources.liveperson`: LivePerson's NHT API, split by job
  (``credentials``, ``retry``, ``parse``, ``client``, ``sync``) with a fake server beside
  the client it imitates (``fake``).
- :mod:`staffing.sources.timestamps`: the one rule that turns an instant into UTC.

Sources import only the maths layer and the foundation (errors, vocabulary); see
``docs/architecture.md``.
"""
