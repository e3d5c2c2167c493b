"""A starter planning config and sample NHT history, shipped with the package.

``staffing init DIR`` copies them into ``DIR`` (``plan.yaml`` and ``data/nht_history.csv``)
so that a planner who installed the package with pip can run ``staffing plan DIR/plan.yaml``
at once. They are the repository's ``config/example.yaml`` and ``config/data/`` sample,
the config with its own words: its comments name the folder ``init`` writes and its
commands, its plan is ``my-plan`` and its outputs go to ``out/`` in that folder (a test keeps
every other key identical to the example's, and the sample identical).
"""
