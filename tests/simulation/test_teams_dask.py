"""Where the teams engine and ``simulate`` run their tasks: a client, a scheduler, workers.

Rules protected (:func:`staffing.simulation.teams.run_teams`: "client, scheduler, workers:
where the tasks run, as for :func:`staffing.simulation.engine.run`"; the same parameters
of :func:`staffing.simulation.simulate`): with ``client`` every task runs on that client
and ``executor`` names its scheduler; with ``scheduler`` a client of the run's own
connects to that address; with ``workers`` a local cluster of that many workers is
started (that the tables are those of the run in process is tested in
``test_teams_promises.py`` and ``test_engine_dask.py``).

Clusters here run inside the test process (``processes=False``, under a second); for
``workers`` the cluster the engine asks for is recorded and one inside the process is
started in its place, as in ``test_engine_dask.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from staffing.simulation import simulate
from staffing.simulation.teams import run_teams
from tests.simulation.teams_cases import make_teams

distributed = pytest.importorskip("distributed")

REPS = 12  # two batches: replications 0-9 and 10-11
LOCAL_CLUSTER = distributed.LocalCluster  # before any test replaces it


def teams():
    """One team of one skill, three half hours: two tasks."""
    return make_teams(np.full((1, 3), 4.0), 300.0, [[True]], agents=np.full((1, 3), 2))


def in_process_cluster(**kwargs):
    return LOCAL_CLUSTER(
        n_workers=kwargs.get("n_workers", 1),
        threads_per_worker=1,
        processes=False,
        dashboard_address=":0",
    )


@pytest.fixture
def client():
    made = distributed.Client(in_process_cluster())
    yield made
    made.close()


def task_names(stream) -> list[str]:
    return sorted(str(task["key"]).split("-")[0] for task in stream.data)


def test_a_client_runs_every_teams_task(client):
    """Rule: with ``client``, both batches run on it and executor names its scheduler
    (the tables are those of the run in process: ``test_teams_promises.py``)."""
    with distributed.get_task_stream(client) as stream:
        done = run_teams(teams(), replications=REPS, seed=2, client=client)
    assert task_names(stream) == ["run_team_task"] * 2
    assert done.executor == f"Dask client {client.scheduler.address}"
    assert run_teams(teams(), replications=2, seed=2).executor == "in-process"


def test_a_scheduler_address_runs_the_teams_tasks_there(client):
    """Rule: with ``scheduler``, the run connects to that address and its tasks run on
    that scheduler's workers; executor names the address."""
    address = client.scheduler.address
    with distributed.get_task_stream(client) as stream:
        done = run_teams(teams(), replications=REPS, seed=2, scheduler=address)
    assert done.executor == f"Dask scheduler {address}"
    assert task_names(stream) == ["run_team_task"] * 2


def test_workers_start_a_local_cluster_for_the_teams_run(monkeypatch):
    """Rule: ``workers=n`` starts a LocalCluster of n workers for the run."""
    asked = []

    def record(**kwargs):
        asked.append(kwargs)
        return in_process_cluster(**kwargs)

    monkeypatch.setattr(distributed, "LocalCluster", record)
    done = run_teams(teams(), replications=REPS, seed=2, workers=1)
    assert done.executor == "Dask LocalCluster, 1 worker(s)"
    assert [a["n_workers"] for a in asked] == [1]


def test_simulate_runs_its_tasks_on_the_client_given(ramps_plan, client):
    """Rule (``simulate``: "client: run the tasks on this Dask client"): every task of the
    plan's run goes to the client and ``meta["executor"]`` names it."""
    with distributed.get_task_stream(client) as stream:
        done = simulate(ramps_plan, replications=2, seed=1, client=client)
    assert done.meta["executor"] == f"Dask client {client.scheduler.address}"
    assert len(stream.data) == done.meta["tasks"] > 0
