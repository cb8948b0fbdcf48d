"""Read replicas against a real streaming replica (started by `.ci/replica start`, given as
TEST_DATABASE_REPLICA_URL): stale-tolerant pages read from it, writers read their own writes, a
lagging replica is skipped, and stopping it under load costs no request.

Transactional tests only: rows written inside a TestCase transaction never reach a replica. Run
serially (`-p no:xdist`): one test stops the replica that every other replica test reads from.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from core import replicas
from core.models import Body
from core.roles import Role
from tests.factories import MunicipalityFactory, make_role_user

REPLICA_URL = os.environ.get("TEST_DATABASE_REPLICA_URL", "")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not REPLICA_URL,
        reason="no streaming replica: run `.ci/replica start` and set "
        "TEST_DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/postgres (.ci/run does)",
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica_1"]),
]


def replica_admin() -> psycopg.Connection[Any]:
    real = connections.settings["replica_1"]
    return psycopg.connect(host=real["HOST"], port=real["PORT"], user=real["USER"], dbname="postgres", autocommit=True)


def on_replica(code: str) -> bool:
    return Body.objects.using("replica_1").filter(code=code).exists()


def wait_for_replica(code: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not on_replica(code):
        assert time.monotonic() < deadline, f"{code} did not reach the replica in {seconds} s"
        time.sleep(0.05)


@pytest.fixture
def replica(settings: Any) -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("replicas are PostgreSQL only")
    # As a test mirror the alias was pointed at the primary's test database on the primary; point it
    # back at the replica server, at the same (replicated) test database, in this and every thread.
    shared = connections.settings["replica_1"]
    real = replicas_url_settings()
    shared.update(HOST=real["HOST"], PORT=real["PORT"], USER=real["USER"], NAME=connection.settings_dict["NAME"])
    connections["replica_1"].close()
    connections["replica_1"].settings_dict = dict(shared)
    subprocess.run([ROOT / ".ci" / "replica", "start"], check=True, capture_output=True)
    settings.DATABASE_REPLICAS = ["replica_1"]
    settings.DATABASE_REPLICA_MAX_LAG = 60.0
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0.0
    replicas.forget_health()
    yield
    with replica_admin() as admin:
        admin.execute("SELECT pg_wal_replay_resume()")
    replicas.close_quietly("replica_1")
    replicas.forget_health()


def replicas_url_settings() -> dict[str, Any]:
    import environ

    return environ.Env.db_url_config(REPLICA_URL)


@pytest.fixture
def member_client() -> Client:
    client = Client()
    client.force_login(make_role_user(Role.MEMBER))
    return client


def body_page(client: Client, body: Body) -> int:
    return client.get(reverse("core:body_detail", kwargs={"code": body.code})).status_code


def test_replica_safe_pages_read_from_the_replica(replica: None, member_client: Client) -> None:
    seen = MunicipalityFactory()
    wait_for_replica(seen.code)
    with replica_admin() as admin:
        admin.execute("SELECT pg_wal_replay_pause()")
        new = MunicipalityFactory()  # on the primary only: the replica does not replay it
        time.sleep(0.2)
        assert not on_replica(new.code)
        assert body_page(member_client, seen) == 200
        # The page answered from the replica: the body that exists only on the primary is not found.
        assert body_page(member_client, new) == 404
        admin.execute("SELECT pg_wal_replay_resume()")
    wait_for_replica(new.code)
    assert body_page(member_client, new) == 200


def test_a_person_who_wrote_reads_from_the_primary(replica: None, member_client: Client) -> None:
    MunicipalityFactory()
    with replica_admin() as admin:
        admin.execute("SELECT pg_wal_replay_pause()")
        new = MunicipalityFactory()
        response = member_client.post(reverse("set_language"), {"language": "nl", "next": "/"})
        assert response.cookies[replicas.PIN_COOKIE]["max-age"] == 15
        # Pinned to the primary after the POST: the new body is there.
        assert body_page(member_client, new) == 200
        # Without the pin the same person reads the (paused) replica again.
        del member_client.cookies[replicas.PIN_COOKIE]
        assert body_page(member_client, new) == 404


def test_a_lagging_replica_is_skipped(replica: None, member_client: Client, settings: Any) -> None:
    settings.DATABASE_REPLICA_MAX_LAG = 1.0
    first = MunicipalityFactory()
    wait_for_replica(first.code)
    with replica_admin() as admin:
        admin.execute("SELECT pg_wal_replay_pause()")
        new = MunicipalityFactory()
        time.sleep(1.5)
        assert replicas.replica_lag_seconds("replica_1") > 1.0
        # The replica is more than a second behind: the page answers from the primary.
        assert body_page(member_client, new) == 200
        admin.execute("SELECT pg_wal_replay_resume()")
    wait_for_replica(new.code)
    replicas.forget_health()
    assert replicas.replica_lag_seconds("replica_1") == 0.0
    assert replicas.healthy_replica() == "replica_1"


def test_stopping_the_replica_under_load_costs_no_request(replica: None, member_client: Client, settings: Any) -> None:
    settings.DATABASE_REPLICA_CHECK_SECONDS = 3.0  # as in production: failures inside the window too
    body = MunicipalityFactory()
    wait_for_replica(body.code)
    session = member_client.cookies["sessionid"].value
    statuses: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def load() -> None:
        client = Client()
        client.cookies["sessionid"] = session
        try:
            while not stop.is_set():
                statuses.append(body_page(client, body))
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        before = len(statuses)
        subprocess.run([ROOT / ".ci" / "replica", "stop"], check=True, capture_output=True)
        time.sleep(2.0)
        during = len(statuses) - before
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        subprocess.run([ROOT / ".ci" / "replica", "start"], check=True, capture_output=True)
    assert not errors
    assert before > 0 and during > 0
    assert set(statuses) == {200}, f"{len([s for s in statuses if s != 200])} of {len(statuses)} failed"


def test_a_replica_failing_inside_a_request_is_answered_from_the_primary(
    replica: None, member_client: Client, settings: Any
) -> None:
    body = MunicipalityFactory()
    wait_for_replica(body.code)
    settings.DATABASE_REPLICA_CHECK_SECONDS = 60.0
    assert replicas.healthy_replica() == "replica_1"  # checked healthy, and believed so for a minute
    subprocess.run([ROOT / ".ci" / "replica", "stop"], check=True, capture_output=True)
    try:
        assert body_page(member_client, body) == 200
        assert replicas.healthy_replica() == ""  # the failure marked it down at once
    finally:
        subprocess.run([ROOT / ".ci" / "replica", "start"], check=True, capture_output=True)


def test_writes_and_unlisted_pages_stay_on_the_primary(replica: None) -> None:
    router = replicas.ReplicaRouter()
    assert router.db_for_write(Body) == "default"
    assert router.db_for_read(Body) is None  # outside a replica-safe request
    assert router.allow_migrate("replica_1", "core") is False
