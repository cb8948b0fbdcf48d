import datetime
import importlib
import io
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import crypto
from core.roles import Role
from members import services
from members.models import Block, Message
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():  # type: ignore[no-untyped-def]
    sender = make_role_user(Role.MEMBER, email="afzender@example.org")
    recipient = make_role_user(Role.MEMBER, email="ontvanger@example.org")
    return sender, recipient


def test_recipient_gets_the_text_and_a_reply_path_without_any_address_leaking(
    client, pair, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    sender, recipient = pair
    client.force_login(sender)
    url = reverse("members:thread", kwargs={"pk": recipient.member.pk})
    page = client.get(url)
    assert "ontvanger@example.org" not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "Hoe pakten jullie de woningbouwmotie aan?"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["ontvanger@example.org"]
    assert "Hoe pakten jullie de woningbouwmotie aan?" in email.body
    assert f"/berichten/met/{sender.member.pk}/" in email.body
    assert "afzender@example.org" not in email.body and "afzender@example.org" not in str(email.reply_to)
    assert email.reply_to == []
    # The sender's page never shows the recipient's address either.
    assert "ontvanger@example.org" not in client.get(url).content.decode()


def test_sender_may_choose_to_share_their_address(pair, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    sender, recipient = pair
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(
            sender=sender.member, recipient=recipient.member, body="Bel me gerust.", reveal_sender_email=True
        )
    assert mail.outbox[0].reply_to == ["afzender@example.org"]


def test_no_email_when_recipient_opted_out(pair, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    sender, recipient = pair
    recipient.member.notify_messages = False
    recipient.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(sender=sender.member, recipient=recipient.member, body="Hallo", reveal_sender_email=False)
    assert mail.outbox == []
    assert Message.objects.count() == 1


def test_both_see_the_thread_and_reading_marks_it_read(client, pair) -> None:  # type: ignore[no-untyped-def]
    sender, recipient = pair
    services.send_message(sender=sender.member, recipient=recipient.member, body="Vraag", reveal_sender_email=False)
    services.send_message(sender=recipient.member, recipient=sender.member, body="Antwoord", reveal_sender_email=False)
    client.force_login(recipient)
    inbox = client.get(reverse("members:inbox"))
    assert inbox.context["threads"][0].unread == 1
    thread = client.get(reverse("members:thread", kwargs={"pk": sender.member.pk}))
    assert [m.body for m in thread.context["conversation"]] == ["Vraag", "Antwoord"]
    assert Message.objects.get(sender=sender.member).read_at is not None


def test_rate_limit_of_twenty_a_day(pair) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    sender, recipient = pair
    Message.objects.bulk_create(
        [Message(sender=sender.member, recipient=recipient.member, body=str(n)) for n in range(20)]
    )
    with pytest.raises(ValidationError, match="24 uur"):
        services.send_message(sender=sender.member, recipient=recipient.member, body="21", reveal_sender_email=False)
    Message.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    services.send_message(
        sender=sender.member, recipient=recipient.member, body="volgende dag", reveal_sender_email=False
    )


def test_blocked_sender_cannot_write(client, pair) -> None:  # type: ignore[no-untyped-def]
    sender, recipient = pair
    client.force_login(recipient)
    client.post(reverse("members:block", kwargs={"pk": sender.member.pk}))
    assert Block.objects.filter(blocker=recipient.member, blocked=sender.member).exists()
    client.force_login(sender)
    url = reverse("members:thread", kwargs={"pk": recipient.member.pk})
    assert "ontvangt geen berichten van jou" in client.get(url).content.decode()
    assert client.post(url, {"body": "toch"}).status_code == 403
    assert not Message.objects.exists()
    client.force_login(recipient)
    client.post(reverse("members:block", kwargs={"pk": sender.member.pk}), {"action": "unblock"})
    assert not Block.objects.exists()


def test_recipient_reports_abuse_and_administrators_are_told(client, pair, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    sender, recipient = pair
    make_role_user(Role.ADMINISTRATOR, email="beheer@example.org")
    message = services.send_message(
        sender=sender.member, recipient=recipient.member, body="Scheldwoorden", reveal_sender_email=False
    )
    client.force_login(sender)
    assert client.get(reverse("members:report_message", kwargs={"pk": message.pk})).status_code == 404
    client.force_login(recipient)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:report_message", kwargs={"pk": message.pk}), {"reason": "Intimiderend"})
    message.refresh_from_db()
    assert message.reported_at and message.report_reason == "Intimiderend"
    alert = next(m for m in mail.outbox if m.to == ["beheer@example.org"])
    assert "Scheldwoorden" not in alert.body  # content stays on the platform


def test_cannot_message_yourself_or_a_former_member(client, pair) -> None:  # type: ignore[no-untyped-def]
    sender, recipient = pair
    client.force_login(sender)
    assert client.post(reverse("members:thread", kwargs={"pk": sender.member.pk}), {"body": "x"}).status_code == 403
    recipient.member.status = "former"
    recipient.member.save()
    assert client.get(reverse("members:thread", kwargs={"pk": recipient.member.pk})).status_code == 404


# --- encryption at rest and the back office --------------------------------------------------------


def _raw_message_columns() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, report_reason FROM members_message")
        return " ".join(" ".join(row) for row in cursor.fetchall())


def test_message_text_and_report_reason_are_encrypted_at_rest(pair) -> None:  # type: ignore[no-untyped-def]
    sender, recipient = pair
    message = services.send_message(
        sender=sender.member,
        recipient=recipient.member,
        body="Ik word bedreigd door een wethouder",
        reveal_sender_email=False,
    )
    services.report_message(message=message, reporter=recipient.member, reason="Dreigende taal over mijn kinderen")
    raw = _raw_message_columns()
    assert "bedreigd" not in raw and "kinderen" not in raw
    assert raw.count("enc1:") == 2
    message = Message.objects.get()
    assert message.body == "Ik word bedreigd door een wethouder"
    assert message.report_reason == "Dreigende taal over mijn kinderen"
    # The recipient still reads it on the site.
    client = Client()
    client.force_login(recipient)
    page = client.get(reverse("members:thread", kwargs={"pk": sender.member.pk}))
    assert "Ik word bedreigd door een wethouder" in page.content.decode()


def test_key_rotation_re_encrypts_messages(pair, settings) -> None:  # type: ignore[no-untyped-def]
    sender, recipient = pair
    old, new = crypto.generate_key(), crypto.generate_key()
    settings.RAADHUIS_ENCRYPTION_KEYS = [old]
    crypto.reset_keys()
    try:
        services.send_message(
            sender=sender.member, recipient=recipient.member, body="Vertrouwelijk", reveal_sender_email=False
        )
        before = _raw_message_columns()
        settings.RAADHUIS_ENCRYPTION_KEYS = [new, old]
        crypto.reset_keys()
        out = io.StringIO()
        call_command("rotate_encryption_keys", stdout=out)
        assert "members_message: 1 rows re-encrypted" in out.getvalue()
        settings.RAADHUIS_ENCRYPTION_KEYS = [new]
        crypto.reset_keys()
        assert _raw_message_columns() != before
        assert Message.objects.get().body == "Vertrouwelijk"
    finally:
        crypto.reset_keys()


def test_migration_encrypts_existing_messages_and_reverses(pair) -> None:  # type: ignore[no-untyped-def]
    migration = importlib.import_module("members.migrations.0004_messages_encrypted")
    sender, recipient = pair
    message = services.send_message(
        sender=sender.member, recipient=recipient.member, body="Oud bericht", reveal_sender_email=False
    )
    with connection.cursor() as cursor:  # as it was stored before the migration
        cursor.execute("UPDATE members_message SET body = %s WHERE id = %s", ["Oud bericht", message.pk])
    schema_editor = SimpleNamespace(connection=connection)
    migration.encrypt(None, schema_editor)
    assert "Oud bericht" not in _raw_message_columns()
    assert Message.objects.get().body == "Oud bericht"
    migration.encrypt(None, schema_editor)  # running twice does not encrypt twice
    assert Message.objects.get().body == "Oud bericht"
    migration.decrypt(None, schema_editor)
    assert _raw_message_columns().strip() == "Oud bericht"


def test_back_office_shows_reported_messages_only_and_logs_each_read(client, pair) -> None:  # type: ignore[no-untyped-def]
    sender, recipient = pair
    admin = make_role_user(Role.ADMINISTRATOR, email="beheer@example.org")
    private = services.send_message(
        sender=sender.member, recipient=recipient.member, body="Alleen voor jou", reveal_sender_email=False
    )
    reported = services.send_message(
        sender=sender.member, recipient=recipient.member, body="Scheldwoorden", reveal_sender_email=False
    )
    services.report_message(message=reported, reporter=recipient.member, reason="Intimiderend")
    client.force_login(admin)
    listing = client.get(reverse("admin:members_message_changelist")).content.decode()
    assert f"/admin/members/message/{reported.pk}/change/" in listing
    assert f"/admin/members/message/{private.pk}/change/" not in listing
    assert "Alleen voor jou" not in listing and "Scheldwoorden" not in listing
    for view in ("change", "history", "delete"):
        url = reverse(f"admin:members_message_{view}", args=[private.pk])
        response = client.get(url)
        assert response.status_code in (302, 404), view
        assert "Alleen voor jou" not in response.content.decode()
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()
    page = client.get(reverse("admin:members_message_change", args=[reported.pk]))
    assert page.status_code == 200 and "Scheldwoorden" in page.content.decode()
    read = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert read.actor == admin and read.object_pk == str(reported.pk)
    assert "Scheldwoorden" not in str(read.changes) and "Scheldwoorden" not in read.object_repr
    client.get(reverse("admin:members_message_change", args=[reported.pk]))
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 2
