"""Sending an edition: recipients, one delivery each, claims, retries, failures, leases."""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from newsletter import sending, services
from newsletter.models import Delivery, Edition, NewsItem, Subscriber, Suppression
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def news(title: str = "Raadsleden krijgen meer ondersteuning") -> NewsItem:
    return services.save_news_item(title=title, summary="Kort nieuws.", body="Tekst.", publish=True)


def ready_edition(subject: str = "Week 48") -> Edition:
    edition = services.create_edition(subject=subject, created_by=None)
    services.add_item(edition=edition, kind="news", target=news())
    return edition


def people(n: int) -> list[str]:
    return [MemberFactory(email=f"lid{i}@example.org").email for i in range(n)]


def test_recipients_are_members_and_confirmed_subscribers_once():
    MemberFactory(email="Lid@Example.org")
    MemberFactory(email="weg@example.org")
    MemberFactory(email="oud@example.org", status="lapsed")
    Subscriber.objects.create(email="weg@example.org", status="unsubscribed")
    Subscriber.objects.create(email="lezer@example.org", status="active")
    Subscriber.objects.create(email="twijfel@example.org", status="pending")
    Subscriber.objects.create(email="lid@example.org", status="active")
    assert sorted(r.email for r in sending.recipients()) == ["lezer@example.org", "lid@example.org"]


def test_an_edition_can_be_scheduled_once():
    edition = ready_edition()
    services.schedule(edition=edition, when=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.schedule(edition=edition, when=None)
    empty = services.create_edition(subject="Leeg", created_by=None)
    with pytest.raises(ValidationError):
        services.schedule(edition=empty, when=None)


def test_start_creates_one_delivery_per_recipient_and_only_once(django_capture_on_commit_callbacks):
    people(3)
    Suppression.objects.create(email="lid1@example.org", reason="hard_bounce")
    edition = ready_edition()
    Edition.objects.filter(pk=edition.pk).update(status="scheduled", scheduled_for=timezone.now())
    with django_capture_on_commit_callbacks(execute=False):
        assert sending.start(edition.pk) == 3
        assert sending.start(edition.pk) == 0
    statuses = dict(Delivery.objects.values_list("email", "status"))
    assert statuses == {"lid0@example.org": "pending", "lid1@example.org": "suppressed", "lid2@example.org": "pending"}


def test_a_scheduled_edition_waits_for_its_moment(django_capture_on_commit_callbacks):
    people(1)
    edition = ready_edition()
    later = timezone.now() + datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=False):
        services.schedule(edition=edition, when=later)
        assert sending.start(edition.pk) == 0
        assert sending.start(edition.pk, now=later) == 1


def send_all(edition: Edition, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False):
        services.schedule(edition=edition, when=None)
        sending.start(edition.pk)
    sending.deliver(edition.pk)


def test_delivery_over_smtp_reaches_everyone_once_with_unsubscribe_headers(
    smtp_sink, django_capture_on_commit_callbacks
):
    addresses = people(5)
    edition = ready_edition()
    send_all(edition, django_capture_on_commit_callbacks)
    assert smtp_sink.counts() == dict.fromkeys(addresses, 1)
    edition.refresh_from_db()
    assert edition.status == "sent" and edition.sent_at is not None
    message = smtp_sink.messages[0]
    token = sending.recipient_token(message["To"])
    assert message["List-Unsubscribe"].endswith(f"/nieuwsbrief/afmelden/{token}/>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()}
    assert "Raadsleden krijgen meer ondersteuning" in parts["text/plain"]
    assert f"/nieuwsbrief/afmelden/{token}/" in parts["text/html"]
    # Privacy: no images or other resources loaded from elsewhere, no tracking pixels.
    assert "<img" not in parts["text/html"] and "src=" not in parts["text/html"]
    tokens = {m["List-Unsubscribe"] for m in smtp_sink.messages}
    assert len(tokens) == 5
    assert len(smtp_sink.peers) == 1  # one SMTP connection for the whole batch


def test_marks_do_not_wait_for_the_disk_and_the_setting_is_restored(
    smtp_sink, django_capture_on_commit_callbacks, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting")
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        pytest.skip("behind a transaction pooler the setting is left alone (the next test)")
    addresses = people(3)

    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return str(cursor.fetchone()[0])

    seen = []
    mark = sending._mark

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(synchronous_commit())
        return mark(*args, **kwargs)

    monkeypatch.setattr(sending, "_mark", watched)
    send_all(ready_edition(), django_capture_on_commit_callbacks)
    assert smtp_sink.counts() == dict.fromkeys(addresses, 1)
    assert seen == ["off"] * 3
    assert synchronous_commit() == "on"


def test_behind_a_transaction_pooler_no_session_setting_is_changed(
    smtp_sink, django_capture_on_commit_callbacks, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting")
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)  # DATABASE_POOLED
    addresses = people(2)
    seen = []
    mark = sending._mark

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(str(cursor.fetchone()[0]))
        return mark(*args, **kwargs)

    monkeypatch.setattr(sending, "_mark", watched)
    send_all(ready_edition(), django_capture_on_commit_callbacks)
    assert smtp_sink.counts() == dict.fromkeys(addresses, 1)
    assert seen == ["on"] * 2


def test_transient_failure_is_retried_after_a_backoff(smtp_sink, django_capture_on_commit_callbacks):
    people(2)
    smtp_sink.refuse["lid0@example.org"] = ["451 4.3.0 Try again later"]
    edition = ready_edition()
    send_all(edition, django_capture_on_commit_callbacks)
    waiting = Delivery.objects.get(email="lid0@example.org")
    assert waiting.status == "pending" and waiting.attempts == 1 and "451" in waiting.last_error
    assert waiting.next_attempt_at > timezone.now()
    assert Edition.objects.get(pk=edition.pk).status == "sending"
    with time_machine.travel(waiting.next_attempt_at + datetime.timedelta(seconds=1)):
        sending.deliver(edition.pk)
    assert Delivery.objects.get(email="lid0@example.org").status == "sent"
    assert smtp_sink.counts() == {"lid0@example.org": 1, "lid1@example.org": 1}
    assert Edition.objects.get(pk=edition.pk).status == "sent"


def test_permanent_failure_is_recorded_and_suppresses_the_address(smtp_sink, django_capture_on_commit_callbacks):
    people(2)
    smtp_sink.refuse["lid1@example.org"] = ["550 5.1.1 User unknown"]
    edition = ready_edition()
    send_all(edition, django_capture_on_commit_callbacks)
    failed = Delivery.objects.get(email="lid1@example.org")
    assert failed.status == "failed" and "550" in failed.last_error
    assert Suppression.objects.filter(email="lid1@example.org").exists()
    assert Edition.objects.get(pk=edition.pk).status == "sent"


def test_a_dead_workers_claim_is_taken_over_after_the_lease(django_capture_on_commit_callbacks, settings):
    settings.NEWSLETTER_LEASE_SECONDS = 60
    people(3)
    edition = ready_edition()
    with django_capture_on_commit_callbacks(execute=False):
        services.schedule(edition=edition, when=None)
        sending.start(edition.pk)
    claimed = sending.claim(edition.pk, "dood")  # the worker dies before sending anything
    assert len(claimed) == 3
    assert sending.claim(edition.pk, "levend") == []
    later = timezone.now() + datetime.timedelta(seconds=61)
    assert len(sending.claim(edition.pk, "levend", now=later)) == 3
    # The dead worker cannot mark what is no longer its own.
    assert sending._mark(claimed[0], "dood", status="sent") == 0


def test_unsubscribing_during_a_send_drops_the_pending_delivery(django_capture_on_commit_callbacks):
    people(2)
    edition = ready_edition()
    with django_capture_on_commit_callbacks(execute=False):
        services.schedule(edition=edition, when=None)
        sending.start(edition.pk)
    services.unsubscribe(email="lid0@example.org")
    assert Delivery.objects.get(email="lid0@example.org").status == "suppressed"


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_message(smtp_sink, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one shared in-memory file)")
    # Tasks are queued in the database (not run in this process): the threads below are the workers.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    smtp_sink.delay = 0.003
    addresses = people(120)
    edition = ready_edition()
    services.schedule(edition=edition, when=timezone.now() + datetime.timedelta(days=1))
    Edition.objects.filter(pk=edition.pk).update(scheduled_for=timezone.now())
    sending.start(edition.pk)

    def work(name: str) -> None:
        from django.db import connections

        try:
            sending.deliver(edition.pk, worker=name)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert smtp_sink.counts() == dict.fromkeys(addresses, 1)
    assert set(Delivery.objects.values_list("claimed_by", flat=True)) >= {"w0", "w1"}
