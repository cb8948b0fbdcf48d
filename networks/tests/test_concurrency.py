"""Digests and unanswered-question alerts go once, also when several workers run them at the same
moment (PostgreSQL row locks)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import close_old_connections, connection
from django.utils import timezone

from networks import services
from networks.models import Notify

from .factories import ask, member, topic_network


def run_at_once(work: Callable[[], Any], times: int = 4) -> list[Any]:
    barrier = threading.Barrier(times)
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(work())
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_a_digest_goes_once_when_workers_race() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one shared in-memory file)")
    wonen = topic_network()
    ria, els = member("Ria", "Hoekstra"), member("Els", "Jong")
    services.join(network=wonen, user=els)
    membership = services.set_notify(network=wonen, user=els, notify=Notify.DAILY)
    later = timezone.now() + datetime.timedelta(hours=1)
    with time_machine.travel(later):
        ask(wonen, ria)
    mail.outbox.clear()
    with time_machine.travel(later + datetime.timedelta(days=1)):
        results = run_at_once(lambda: services.send_digest(membership.pk))
    assert sorted(results) == [False, False, False, True]
    assert [m.to for m in mail.outbox] == [[els.email]]


@pytest.mark.django_db(transaction=True)
def test_an_unanswered_question_is_brought_to_attention_once_when_workers_race() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one shared in-memory file)")
    wonen = topic_network()
    ria = member("Ria", "Hoekstra")
    member("Kees", "Kenner", topics=("wonen",))
    ask(wonen, ria)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        results = run_at_once(services.send_unanswered_alerts)
    assert sum(results) == 1
