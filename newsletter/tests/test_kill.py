"""kill -9 a worker in the middle of sending an edition, start another: everybody still gets the
newsletter, and the only duplicates are the messages that were in flight (at most one per killed
worker: accepted by the SMTP server but not yet marked as sent)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from newsletter import services
from newsletter.models import Delivery, Edition
from tests.factories import MemberFactory

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 300


def start_worker(port: int, name: str) -> subprocess.Popen[bytes]:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsletter.tests.worker_settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "TEST_SMTP_PORT": str(port),
        "NEWSLETTER_LEASE_SECONDS": "3",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--worker-id",
            name,
            "-v",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_killed_worker_loses_nobody(smtp_sink, settings, capsys):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a database it can share with the test: PostgreSQL")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    smtp_sink.delay = 0.01  # 10 ms per message: time to kill the worker half way
    addresses = {MemberFactory(email=f"lid{i}@example.org").email for i in range(RECIPIENTS)}
    edition = services.create_edition(subject="Week 48", created_by=None)
    services.add_item(
        edition=edition,
        kind="news",
        target=services.save_news_item(title="Nieuws", summary="Kort.", body="Tekst.", publish=True),
    )
    services.schedule(edition=edition, when=None)

    first = start_worker(smtp_sink.port, "eerste")
    try:
        assert wait_for(lambda: len(smtp_sink.messages) >= RECIPIENTS // 3, 60), "the first worker sent nothing"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    received_at_kill = len(smtp_sink.messages)
    assert received_at_kill < RECIPIENTS, "the send finished before the kill: slow the sink down"

    second = start_worker(smtp_sink.port, "tweede")
    try:
        done = wait_for(lambda: Edition.objects.get(pk=edition.pk).status == "sent", 90)
        assert done, (second.stderr.read() if second.poll() is not None else b"").decode()[-2000:]
    finally:
        second.terminate()
        second.wait(10)
    counts = smtp_sink.counts()
    assert set(counts) == addresses  # nobody lost
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= 1, f"{duplicates} duplicates"
    assert Delivery.objects.filter(edition=edition).exclude(status="sent").count() == 0
    with capsys.disabled():
        print(f"\nkill test: {RECIPIENTS} recipients, killed after {received_at_kill}, duplicates: {duplicates}")
