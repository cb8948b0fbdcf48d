"""Sending an edition so that it holds under faults.

1. `start(edition_id)` (due time reached): under a row lock on the edition, one `Delivery` per
   recipient is created (a unique constraint per edition and address) and the edition moves to
   "sending". A second start, a double click or a second editor finds the edition no longer
   scheduled and does nothing.
2. `deliver(edition_id)` runs in one or more workers. It claims a batch of deliveries
   (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers never claim the same record; SQLite has
   one writer) by setting them to "sending" with a lease, sends them over one SMTP connection and
   marks each one "sent" right after the server accepted it. Transient failures (4xx, lost
   connection) go back to "pending" with a backoff; permanent ones (5xx) are "failed".
3. A worker killed in the middle leaves its claimed records "sending"; when their lease has
   expired they are claimed again. So after a restart every recipient is still reached, and the
   only duplicates are the messages the server had accepted but the dead worker had not yet
   marked: at most one per killed worker. Each `deliver` first queues a watchdog `deliver` for
   after the lease, so a send resumes even if no other task would have run. (A crash of the
   database server itself can also lose the marks of its last fraction of a second: the
   workers' commits do not wait for the disk, see `_commits_not_waiting_for_disk`.)
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from core.mail import absolute_url
from members.models import Member

from .models import Delivery, Edition, Subscriber, Suppression

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = [60, 300, 900, 3600]
PARALLEL_WORKERS = 2
UNSUBSCRIBE_SALT = "newsletter.recipient"
PLACEHOLDER = "__RECIPIENT_TOKEN__"


def lease_seconds() -> int:
    return int(getattr(settings, "NEWSLETTER_LEASE_SECONDS", 300))


# --- recipients and tokens ---------------------------------------------------------------------------


def recipient_token(email: str) -> str:
    """A signed, per-recipient token for the unsubscribe and preference links (no database lookup
    needed to trust it; it does not expire, because old newsletters keep their links)."""
    return signing.dumps(email.lower(), salt=UNSUBSCRIBE_SALT, compress=True)


def email_from_token(token: str) -> str | None:
    try:
        return str(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except signing.BadSignature:
        return None


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    member_id: int | None


def recipients() -> list[Recipient]:
    """Active members (unless they opted out) and confirmed subscribers, each address once."""
    opted_out = {
        e.lower()
        for e in Subscriber.objects.filter(status=Subscriber.Status.UNSUBSCRIBED).values_list("email", flat=True)
    }
    opted_out_members = set(
        Subscriber.objects.filter(status=Subscriber.Status.UNSUBSCRIBED, member__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    found: dict[str, Recipient] = {}
    members = (
        Member.objects.filter(status=Member.Status.ACTIVE)
        .exclude(email="")
        .values_list("pk", "email", "given_name", "infix", "family_name")
    )
    for pk, email, given, infix, family in members:
        address = email.strip().lower()
        if pk in opted_out_members or address in opted_out or address in found:
            continue
        found[address] = Recipient(address, " ".join(p for p in (given, infix, family) if p), pk)
    for email, name in Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).values_list("email", "name"):
        address = email.strip().lower()
        if address not in found:
            found[address] = Recipient(address, name, None)
    return list(found.values())


# --- start --------------------------------------------------------------------------------------------


def start(edition_id: int, *, now: datetime.datetime | None = None) -> int:
    """Create the deliveries of a due, scheduled edition and hand it to the workers. Returns the
    number of deliveries created (0 when the edition was not due or not scheduled)."""
    from .tasks import deliver_edition

    now = now or timezone.now()
    with transaction.atomic():
        edition = Edition.objects.select_for_update().filter(pk=edition_id).first()
        if edition is None or edition.status != Edition.Status.SCHEDULED:
            return 0
        if edition.scheduled_for and edition.scheduled_for > now + datetime.timedelta(seconds=5):
            return 0
        suppressed = {e.lower() for e in Suppression.objects.values_list("email", flat=True)}
        rows = [
            Delivery(
                edition=edition,
                email=r.email,
                name=r.name[:200],
                member_id=r.member_id,
                status=Delivery.Status.SUPPRESSED if r.email in suppressed else Delivery.Status.PENDING,
                next_attempt_at=now,
            )
            for r in recipients()
        ]
        Delivery.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        edition.status = Edition.Status.SENDING
        edition.started_at = now
        edition.save(update_fields=["status", "started_at", "updated_at"])
        for _ in range(PARALLEL_WORKERS):
            transaction.on_commit(lambda: deliver_edition.enqueue(edition_id))
    return len(rows)


# --- claiming ------------------------------------------------------------------------------------------


def claim(
    edition_id: int, worker: str, *, now: datetime.datetime | None = None, size: int = BATCH_SIZE
) -> list[Delivery]:
    """Take up to `size` deliveries that are due (pending) or whose lease expired (a dead
    worker's), in one statement."""
    now = now or timezone.now()
    expired = now - datetime.timedelta(seconds=lease_seconds())
    lock = "FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    table = Delivery._meta.db_table
    sql = (
        f"UPDATE {table} SET status = 'sending', claimed_by = %s, claimed_at = %s, attempts = attempts + 1 "  # noqa: S608
        f"WHERE id IN (SELECT id FROM {table} WHERE edition_id = %s AND "
        "((status = 'pending' AND next_attempt_at <= %s) OR (status = 'sending' AND claimed_at < %s)) "
        f"ORDER BY id LIMIT %s {lock}) RETURNING id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [worker, now, edition_id, now, expired, size])
        ids = [row[0] for row in cursor.fetchall()]
    return list(Delivery.objects.filter(pk__in=ids).order_by("pk"))


# --- rendering -------------------------------------------------------------------------------------------


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def render(edition: Edition) -> Rendered:
    """The edition's e-mail with PLACEHOLDER where each recipient's token goes."""
    from .rendering import render_edition_mail

    return render_edition_mail(edition, token=PLACEHOLDER)


def message_for(
    rendered: Rendered, delivery: Delivery, edition: Edition, mail_connection: Any
) -> EmailMultiAlternatives:
    token = recipient_token(delivery.email)
    unsubscribe = absolute_url(reverse("newsletter:unsubscribe", kwargs={"token": token}))
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text.replace(PLACEHOLDER, token),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.email],
        connection=mail_connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Lokaal Bestuur <nieuwsbrief.{urlsplit(settings.RAADHUIS_BASE_URL).hostname or 'localhost'}>",
            "X-Raadhuis-Delivery": f"{edition.pk}-{delivery.pk}",
        },
    )
    message.attach_alternative(rendered.html.replace(PLACEHOLDER, token), "text/html")
    return message


# --- delivering ------------------------------------------------------------------------------------------


def _permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def _mark(delivery: Delivery, worker: str, **fields: Any) -> int:
    """Update a delivery only while this worker still holds it (a lease taken over is not ours).

    One plain UPDATE (values prepared by the model's fields, as the ORM would): it runs for every
    message, and QuerySet.update() cost three times the statement itself."""
    model_fields = {field.name: field for field in Delivery._meta.concrete_fields}
    assignments = ", ".join(f"{model_fields[name].column} = %s" for name in fields)
    values = [model_fields[name].get_db_prep_save(value, connection) for name, value in fields.items()]
    sql = f"UPDATE {Delivery._meta.db_table} SET {assignments} WHERE id = %s AND claimed_by = %s AND status = %s"  # noqa: S608 (column names from the model)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, delivery.pk, worker, Delivery.Status.SENDING.value])
        return int(cursor.rowcount)


def deliver(edition_id: int, *, worker: str | None = None, stop_after: int | None = None) -> dict[str, int]:
    """Send claimed batches until nothing is due. Returns counts of what this call did."""
    from .bounces import record_bounce

    worker = worker or uuid.uuid4().hex[:16]
    edition = Edition.objects.filter(pk=edition_id).first()
    counts = {"sent": 0, "failed": 0, "retry": 0, "suppressed": 0}
    if edition is None or edition.status != Edition.Status.SENDING:
        return counts
    rendered = render(edition)
    mail_connection = get_connection(fail_silently=False)
    suppressed = {e.lower() for e in Suppression.objects.values_list("email", flat=True)}
    with _commits_not_waiting_for_disk():
        try:
            while stop_after is None or sum(counts.values()) < stop_after:
                batch = claim(edition_id, worker)
                if not batch:
                    break
                for delivery in batch:
                    if delivery.email.lower() in suppressed:
                        _mark(delivery, worker, status=Delivery.Status.SUPPRESSED)
                        counts["suppressed"] += 1
                        continue
                    try:
                        # Opened here (again after a failure closed it), not by send_messages: that
                        # would open and close a connection for every message.
                        mail_connection.open()
                        mail_connection.send_messages([message_for(rendered, delivery, edition, mail_connection)])
                    except (smtplib.SMTPException, OSError) as error:
                        _close_quietly(mail_connection)
                        detail = f"{type(error).__name__}: {error}"[:500]
                        if _permanent(error) or delivery.attempts >= MAX_ATTEMPTS:
                            _mark(delivery, worker, status=Delivery.Status.FAILED, last_error=detail)
                            counts["failed"] += 1
                            if _permanent(error):
                                record_bounce(email=delivery.email, kind="hard", detail=detail, source="smtp")
                        else:
                            wait = BACKOFF_SECONDS[min(delivery.attempts - 1, len(BACKOFF_SECONDS) - 1)]
                            _mark(
                                delivery,
                                worker,
                                status=Delivery.Status.PENDING,
                                last_error=detail,
                                next_attempt_at=timezone.now() + datetime.timedelta(seconds=wait),
                            )
                            counts["retry"] += 1
                        continue
                    # Accepted by the server: recorded at once, so a crash loses at most this one mark.
                    _mark(delivery, worker, status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
                    counts["sent"] += 1
        finally:
            _close_quietly(mail_connection)
    finish(edition_id)
    return counts


@contextmanager
def _commits_not_waiting_for_disk() -> Iterator[None]:
    """PostgreSQL: this connection's commits return before they are flushed to disk
    (synchronous_commit off) while a worker sends; the setting is restored afterwards.

    A worker marks every message sent in its own commit; waiting for the disk each time halved
    the sending rate, and more on a busy server. The commits still reach the server at once
    (visible to every other worker), so a killed worker loses nothing more than before. Only
    when the database server itself crashes can the marks of its last moment (at most three
    times wal_writer_delay, 0.6 s by default) be lost: those recipients get the message again
    when their lease has expired. A crash never loses a recipient."""
    if connection.vendor != "postgresql" or connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        # Behind PgBouncer in transaction mode (DATABASE_POOLED) a session setting would stay on a
        # server connection that other clients then get: commits wait for the disk there.
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        before = cursor.fetchone()[0]
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('synchronous_commit', %s, false)", [before])
        except DatabaseError:  # in an aborted transaction: its rollback undoes the SET anyway
            logger.info("restoring synchronous_commit failed", exc_info=True)


def _close_quietly(mail_connection: Any) -> None:
    try:
        mail_connection.close()
    except (smtplib.SMTPException, OSError):
        logger.info("closing the SMTP connection failed", exc_info=True)


def progress(edition: Edition) -> dict[str, int]:
    counts = dict(edition.deliveries.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    result = {status: counts.get(status, 0) for status in Delivery.Status.values}
    result["total"] = sum(counts.values())
    result["remaining"] = result["pending"] + result["sending"]
    return result


def finish(edition_id: int) -> bool:
    """Mark the edition sent when no delivery is waiting or in flight."""
    with transaction.atomic():
        edition = Edition.objects.select_for_update().filter(pk=edition_id, status=Edition.Status.SENDING).first()
        if edition is None:
            return False
        busy = edition.deliveries.filter(Q(status=Delivery.Status.PENDING) | Q(status=Delivery.Status.SENDING)).exists()
        if busy:
            return False
        edition.status = Edition.Status.SENT
        edition.sent_at = timezone.now()
        edition.save(update_fields=["status", "sent_at", "updated_at"])
    return True


def work_remains(edition_id: int) -> datetime.datetime | None:
    """When the next piece of work of this edition is due (None: nothing left)."""
    busy = Delivery.objects.filter(edition_id=edition_id, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
    pending = (
        busy.filter(status=Delivery.Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    claimed = (
        busy.filter(status=Delivery.Status.SENDING).order_by("claimed_at").values_list("claimed_at", flat=True).first()
    )
    candidates = [pending] if pending else []
    if claimed:
        candidates.append(claimed + datetime.timedelta(seconds=lease_seconds()))
    return min(candidates) if candidates else None
