"""The engine on Dask: where its tasks run, what it starts, and that it closes what it made.

Rules protected (:func:`staffing.simulation.engine.run`, :func:`staffing.simulation.simulate`
docstrings): with ``client`` the tasks run on that client; with ``scheduler`` the engine
connects a client of its own to that address; with ``workers`` it starts "a local Dask
cluster of this many single-threaded worker processes on 127.0.0.1"; whatever runs them,
the tables are those of a run in process (batches are fixed) and ``progress`` is called
as ``(tasks done, tasks)`` after each task; what the engine made it closes after the run;
``executor`` says where the tasks ran.

The suite's other Dask tests start clusters of processes (10-16 s each) and are left out
of the mutation job; these use clusters inside the test process (``processes=False``,
under a second). For ``workers`` the cluster the engine asks for is recorded and one
inside the process is started in its place.
"""

from __future__ import annotations

import pandas as pd
import pytest

from staffing.simulation import engine
from tests.simulation.test_engine_by_hand import hourly

distributed = pytest.importorskip("distributed")

REPS = 12  # two tasks per skill: replications 0-9 and 10-11


def skills():
    """Two skills of one day: four tasks."""
    return [hourly(3, 1), hourly(5, 1, method="erlang_c", patience_s=None)]


def same_tables(done: engine.EngineRun, here: engine.EngineRun) -> None:
    pd.testing.assert_frame_equal(done.intervals, here.intervals)
    pd.testing.assert_frame_equal(done.daily, here.daily)
    pd.testing.assert_frame_equal(done.weekly, here.weekly)
    assert done.horizon == here.horizon
    assert (done.tasks, done.contacts) == (here.tasks, here.contacts)


@pytest.fixture
def in_process():
    """The run in this process, the reference for every Dask run."""
    return engine.run(skills(), replications=REPS, seed=4)


@pytest.fixture
def made(monkeypatch):
    """Every client and cluster the engine makes, recorded (the cluster asked for is
    started inside this process)."""
    record: dict = {"clients": [], "clusters": [], "asked": []}
    real_cluster = distributed.LocalCluster

    class RecordedClient(distributed.Client):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.address_connected = self.scheduler.address
            record["clients"].append(self)

    def local_cluster(**kwargs):
        record["asked"].append(kwargs)
        cluster = real_cluster(
            n_workers=kwargs["n_workers"],
            threads_per_worker=1,
            processes=False,
            dashboard_address=":0",
        )
        record["clusters"].append(cluster)
        return cluster

    monkeypatch.setattr(distributed, "Client", RecordedClient)
    monkeypatch.setattr(distributed, "LocalCluster", local_cluster)
    return record


def test_a_client_given_runs_every_task_and_gives_the_tables_of_a_run_in_process(in_process):
    """Rule: with ``client`` the tasks run on it (the engine neither makes nor closes a
    client); tables and facts as in process; progress (done, total) after each of the four
    tasks; executor names the client's scheduler."""
    client = distributed.Client(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0"
    )
    calls = []
    address = client.scheduler.address
    try:
        done = engine.run(
            skills(), replications=REPS, seed=4, client=client, progress=lambda *a: calls.append(a)
        )
        assert client.status == "running"  # the caller's client is left open
    finally:
        client.close()
    same_tables(done, in_process)
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert done.executor == f"Dask client {address}"


def test_a_scheduler_address_gets_a_client_of_its_own_closed_after_the_run(made, in_process):
    """Rule: ``scheduler`` connects a new client to that address, runs the tasks on it and
    closes it; executor names the address."""
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    asked = list(made["asked"])  # the test's own cluster
    try:
        done = engine.run(skills(), replications=REPS, seed=4, scheduler=cluster.scheduler_address)
    finally:
        cluster.close()
    same_tables(done, in_process)
    assert done.executor == f"Dask scheduler {cluster.scheduler_address}"
    assert len(made["clients"]) == 1
    assert made["clients"][0].status == "closed"
    assert made["clients"][0].address_connected == cluster.scheduler_address
    assert made["asked"] == asked  # the engine started no cluster


def test_workers_start_a_local_cluster_of_single_threaded_processes_on_localhost(made, in_process):
    """Rule: ``workers=n`` starts a LocalCluster of n single-threaded worker processes on
    127.0.0.1 without a dashboard, runs the tasks there, and closes the client and the
    cluster; executor says how many workers."""
    done = engine.run(skills(), replications=REPS, seed=4, workers=2)
    same_tables(done, in_process)
    assert made["asked"] == [
        {
            "n_workers": 2,
            "threads_per_worker": 1,
            "host": "127.0.0.1",
            "processes": True,
            "dashboard_address": None,
        }
    ]
    assert done.executor == "Dask LocalCluster, 2 worker(s)"
    (client,) = made["clients"]
    (cluster,) = made["clusters"]
    assert client.status == "closed"
    assert cluster.status.name == "closed"
    assert client.address_connected == cluster.scheduler_address


def test_connect_passes_each_way_to_run_on(made):
    """Rule: :func:`staffing.simulation.engine.connect` (the teams engine's way to Dask) is
    the engine's own choice: in process without anything, a client as given, a scheduler
    address, or a local cluster of ``workers``, each named in the description."""
    assert engine.connect(None, None, None) == (None, None, "in-process")
    client = distributed.Client(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0"
    )
    try:
        given, to_close, text = engine.connect(client, None, None)
        assert (given, to_close, text) == (
            client,
            None,
            f"Dask client {client.scheduler.address}",
        )
        address = client.scheduler.address
        other, to_close, text = engine.connect(None, address, None)
        assert text == f"Dask scheduler {address}"
        assert to_close == [other] and other.scheduler.address == address
        other.close()
    finally:
        client.close()
    made_client, to_close, text = engine.connect(None, None, 1)
    assert text == "Dask LocalCluster, 1 worker(s)"
    assert to_close == [made_client, made["clusters"][0]]
    assert made["asked"][0]["n_workers"] == 1
    for item in to_close:
        item.close()
    with pytest.raises(ValueError, match=r"got client and scheduler$"):
        engine.connect(object(), "tcp://127.0.0.1:1", None)
