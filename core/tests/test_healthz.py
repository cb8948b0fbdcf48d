import datetime
import json
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError
from django.test import override_settings
from django.utils import timezone

from core.heartbeat import beat
from core.models import OutgoingMail, WorkerHeartbeat

PAYLOAD = {"subject": "Test", "to": ["a@example.org"], "text": "Hallo", "html": None, "reply_to": [], "headers": {}}

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db
def test_healthz_reports_database_ok(client) -> None:  # type: ignore[no-untyped-def]
    # The test settings run tasks in the web process: no worker is needed, none is checked.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_healthz_fails_when_database_is_down(client) -> None:  # type: ignore[no-untyped-def]
    with (
        override_settings(TASKS=DATABASE_TASKS),
        mock.patch("core.views.connection.cursor", side_effect=OperationalError("down")),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"
    assert response.json()["checks"]["worker"] == "error: unknown, the database is unavailable"


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_healthz_fails_when_no_worker_ever_reported(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {
            "database": "ok",
            "worker": "error: no task worker has ever reported (start manage.py run_worker)",
        },
    }


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS, WORKER_HEARTBEAT_MAX_AGE=120)
def test_healthz_is_ok_with_a_recent_heartbeat_and_fails_once_it_is_too_old(client) -> None:  # type: ignore[no-untyped-def]
    started = timezone.now()
    beat(worker_id="worker-a", queues="default", started_at=started)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "worker": "ok"}}

    WorkerHeartbeat.objects.update(last_seen=timezone.now() - datetime.timedelta(seconds=300))
    response = client.get("/healthz")
    assert response.status_code == 503
    reason = response.json()["checks"]["worker"]
    assert re.fullmatch(r"error: last worker heartbeat 30[01] s ago \(limit 120 s\)", reason), reason

    # One live worker is enough, whatever older rows say.
    beat(worker_id="worker-b", queues="default", started_at=started)
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_heartbeat_threshold_is_configurable(client) -> None:  # type: ignore[no-untyped-def]
    beat(worker_id="worker-a", queues="default", started_at=timezone.now())
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - datetime.timedelta(seconds=90))
    with override_settings(WORKER_HEARTBEAT_MAX_AGE=60):
        assert client.get("/healthz").status_code == 503
    with override_settings(WORKER_HEARTBEAT_MAX_AGE=600):
        assert client.get("/healthz").status_code == 200
    with override_settings(WORKER_HEARTBEAT_MAX_AGE=0):  # switched off
        assert client.get("/healthz").json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_healthz_for_load_balancers_checks_only_the_database(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz", {"checks": "database"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_healthz_is_one_cheap_query(client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    beat(worker_id="worker-a", queues="default", started_at=timezone.now())
    with django_assert_max_num_queries(2):  # SELECT 1 and the newest heartbeat
        assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_old_heartbeats_are_forgotten() -> None:
    beat(worker_id="gone", queues="default", started_at=timezone.now())
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - datetime.timedelta(days=8))
    beat(worker_id="alive", queues="default", started_at=timezone.now())
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_run_worker_records_a_heartbeat_and_runs_tasks(client) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    from core.tasks import deliver_mail

    assert client.get("/healthz").status_code == 503
    deliver_mail.enqueue(OutgoingMail.objects.create(payload=json.dumps(PAYLOAD)).pk)
    seen: list[dict[str, object]] = []
    real_beat = beat

    def recording_beat(**kwargs):  # type: ignore[no-untyped-def]
        real_beat(**kwargs)
        row = WorkerHeartbeat.objects.get(worker_id=kwargs["worker_id"])
        seen.append({"queues": row.queues, "pid": row.pid, "health": client.get("/healthz").json()})

    with mock.patch("core.heartbeat.beat", side_effect=recording_beat):
        call_command("run_worker", batch=True, no_startup_delay=True, worker_id="w-test", verbosity=0)

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert seen, "the worker wrote no heartbeat while it ran"
    assert seen[0]["queues"] == "default" and int(seen[0]["pid"]) > 0  # type: ignore[call-overload]
    assert seen[0]["health"] == {"status": "ok", "checks": {"database": "ok", "worker": "ok"}}
    # A worker that ended is forgotten at once: /healthz does not count it for the next minutes.
    assert not WorkerHeartbeat.objects.exists()
    assert client.get("/healthz").status_code == 503


@pytest.mark.django_db(transaction=True)
def test_heartbeat_thread_beats_repeatedly_and_survives_a_database_error() -> None:
    from core.heartbeat import HeartbeatThread

    calls: list[int] = []
    real_beat = beat

    def flaky_beat(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("connection lost")
        real_beat(**kwargs)

    with mock.patch("core.heartbeat.beat", side_effect=flaky_beat):
        thread = HeartbeatThread(worker_id="w-loop", queues="default", interval=0.05)
        thread.start()
        deadline = timezone.now() + datetime.timedelta(seconds=10)
        while len(calls) < 4 and timezone.now() < deadline:
            thread.join(0.05)
        assert WorkerHeartbeat.objects.filter(worker_id="w-loop").exists()
        thread.stop()
    assert len(calls) >= 4
    assert not thread.is_alive()
    assert not WorkerHeartbeat.objects.filter(worker_id="w-loop").exists()  # forgotten when stopped


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS, ADMINS=[("Beheer", "beheer@example.org")])
def test_a_failing_health_check_is_logged_as_a_warning_not_mailed(client, caplog) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    with caplog.at_level("WARNING"):
        for _ in range(3):  # a load balancer polls
            assert client.get("/healthz").status_code == 503
    assert mail.outbox == []
    warnings = [r for r in caplog.records if r.name == "core.views"]
    assert len(warnings) == 3
    assert warnings[0].levelname == "WARNING"
    assert warnings[0].getMessage() == (
        "Health check failed: worker error: no task worker has ever reported (start manage.py run_worker)"
    )
    assert not [r for r in caplog.records if r.name == "django.request"]
