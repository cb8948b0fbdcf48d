"""Capacity is a hard limit under concurrent registrations (PostgreSQL row lock)."""

import threading

import pytest
from django.db import close_old_connections, connection

from events import services
from events.models import Registration
from tests.factories import EventFactory, MemberFactory

S = Registration.Status


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_oversell() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one shared in-memory file)")
    event = EventFactory(capacity=10)
    people = [MemberFactory() for _ in range(40)]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def register(member) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            services.register(event=event, member=member)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=register, args=(m,)) for m in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    registrations = list(Registration.objects.filter(event=event).order_by("signed_up_at", "pk"))
    assert len(registrations) == 40
    assert sum(r.status == S.CONFIRMED for r in registrations) == 10
    assert sum(r.status == S.WAITLISTED for r in registrations) == 30
    # Whoever got a seat signed up before everyone on the waitlist.
    statuses = [r.status for r in registrations]
    assert statuses == [S.CONFIRMED] * 10 + [S.WAITLISTED] * 30
