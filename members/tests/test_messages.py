import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

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
    assert Message.objects.get(body="Vraag").read_at is not None


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
