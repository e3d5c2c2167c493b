"""A starter planning config and sample NHT history, shipped with the package.

``staffing init DIR`` copies them into ``DIR`` (``plan.yaml`` and ``data/nht_history.csv``)
so that a planner who installed the package with pip can run ``staffing plan DIR/plan.yaml``
at once. They are the repository's ``config/example.yaml`` and ``config/data/`` sample
(a test keeps them identical).
"""
