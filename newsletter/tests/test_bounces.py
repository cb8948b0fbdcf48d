"""Bounces and complaints: the suppression rules, the provider webhooks (django-anymail) and the
bounce-mailbox command."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import io
import json
import mailbox
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from pathlib import Path

import pytest
from anymail.signals import AnymailTrackingEvent
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletter.bounces import is_suppressed, lift, record_bounce
from newsletter.models import Bounce, Suppression
from newsletter.signals import bounce_kind

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailWarning"),
]

NOW = timezone.now()
SECRET = "raadhuis:webhook-wachtwoord"
MAILGUN_KEY = "mailgun-signing-key"


def days_ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


# --- the rules ---------------------------------------------------------------------------------------------


def test_hard_bounce_suppresses_the_address_in_lower_case() -> None:
    suppression = record_bounce(email=" Jan de Vries <Jan@Example.ORG>", kind="hard", detail="550 5.1.1", source="x")

    assert suppression is not None
    assert suppression.email == "jan@example.org"
    assert suppression.reason == Suppression.Reason.HARD_BOUNCE
    assert suppression.detail == "550 5.1.1"
    bounce = Bounce.objects.get()
    assert (bounce.email, bounce.kind, bounce.source) == ("jan@example.org", "hard", "x")
    assert is_suppressed("JAN@example.org")


def test_complaint_suppresses_the_address() -> None:
    suppression = record_bounce(email="piet@example.org", kind="complaint", source="Postmark")

    assert suppression is not None
    assert suppression.reason == Suppression.Reason.COMPLAINT


def test_soft_bounces_on_three_days_within_thirty_days_suppress() -> None:
    assert record_bounce(email="a@example.org", kind="soft", when=days_ago(20)) is None
    assert record_bounce(email="a@example.org", kind="soft", when=days_ago(10)) is None
    assert not is_suppressed("a@example.org")

    suppression = record_bounce(email="a@example.org", kind="soft", when=NOW)

    assert suppression is not None
    assert suppression.reason == Suppression.Reason.SOFT_BOUNCES


def test_three_soft_bounces_spread_over_sixty_days_do_not_suppress() -> None:
    for days in (55, 28, 0):
        assert record_bounce(email="a@example.org", kind="soft", when=days_ago(days)) is None

    assert Bounce.objects.filter(email="a@example.org").count() == 3
    assert not is_suppressed("a@example.org")


def test_soft_bounces_count_once_per_day() -> None:
    """A provider reports every retry of one message: three on one day are one failing send."""
    for hours in (3, 2, 1):
        assert record_bounce(email="a@example.org", kind="soft", when=NOW - datetime.timedelta(hours=hours)) is None
    # (Near midnight the three may fall on two days; still under the limit.)
    assert not is_suppressed("a@example.org")


def test_suppression_is_idempotent_and_keeps_its_first_reason() -> None:
    first = record_bounce(email="a@example.org", kind="hard", detail="550 user unknown")
    again = record_bounce(email="A@example.org", kind="complaint", detail="abuse")
    soft = record_bounce(email="a@example.org", kind="soft")

    assert first is not None and again is not None and soft is not None
    assert again.pk == first.pk == soft.pk
    suppression = Suppression.objects.get()
    assert (suppression.reason, suppression.detail) == (Suppression.Reason.HARD_BOUNCE, "550 user unknown")
    assert Bounce.objects.count() == 3


def test_lifting_deletes_the_suppression_and_keeps_the_history() -> None:
    record_bounce(email="a@example.org", kind="hard")

    assert lift("A@Example.org") is True

    assert not is_suppressed("a@example.org")
    assert Suppression.objects.count() == 0
    assert Bounce.objects.filter(email="a@example.org").count() == 1
    assert lift("a@example.org") is False


def test_record_bounce_refuses_unknown_kinds_and_non_addresses() -> None:
    with pytest.raises(ValueError, match="kind"):
        record_bounce(email="a@example.org", kind="bounced")
    with pytest.raises(ValueError, match="address"):
        record_bounce(email="not an address", kind="hard")
    assert Bounce.objects.count() == 0


# --- provider events ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ({"event_type": "bounced"}, "hard"),
        ({"event_type": "bounced", "mta_response": "smtp; 550 5.1.1 user unknown"}, "hard"),
        ({"event_type": "bounced", "mta_response": "452 4.2.2 Mailbox full"}, "soft"),
        ({"event_type": "bounced", "mta_response": "4.4.7 Delivery time expired"}, "soft"),
        ({"event_type": "bounced", "esp_event": {"RecordType": "Bounce", "Type": "SoftBounce"}}, "soft"),
        ({"event_type": "bounced", "esp_event": {"event": "bounce", "type": "blocked"}}, "soft"),
        ({"event_type": "bounced", "esp_event": {"bounce": {"bounceType": "Transient"}}}, "soft"),
        ({"event_type": "bounced", "esp_event": {"bounce": {"bounceType": "Permanent"}}}, "hard"),
        ({"event_type": "deferred"}, "soft"),
        ({"event_type": "complained"}, "complaint"),
        ({"event_type": "rejected", "reject_reason": "invalid"}, "hard"),
        ({"event_type": "rejected", "reject_reason": "bounced"}, "hard"),
        ({"event_type": "rejected", "reject_reason": "other"}, None),
        ({"event_type": "rejected", "reject_reason": "unsubscribed"}, None),
        ({"event_type": "delivered"}, None),
        ({"event_type": "opened"}, None),
    ],
)
def test_provider_events_map_to_bounce_kinds(event: dict, kind: str | None) -> None:
    assert bounce_kind(AnymailTrackingEvent(recipient="a@example.org", **event)) == kind


# --- the webhooks, end to end ------------------------------------------------------------------------------


def basic_auth(credentials: str = SECRET) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


@pytest.fixture
def webhook_settings(settings):  # type: ignore[no-untyped-def]
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    return settings


def postmark_bounce(email: str = "jan@example.org", bounce_type: str = "HardBounce") -> dict:
    """A bounce webhook as Postmark posts it (their documentation's example)."""
    return {
        "RecordType": "Bounce",
        "MessageStream": "broadcast",
        "ID": 4323372036854775807,
        "Type": bounce_type,
        "TypeCode": 1 if bounce_type == "HardBounce" else 4096,
        "Name": "Hard bounce",
        "Tag": "nieuwsbrief",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "nieuwsbrief@raadhuis.example",
        "BouncedAt": "2025-11-05T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Lokaal Bestuur 12",
    }


def mailgun_event(event_data: dict, key: str = MAILGUN_KEY) -> dict:
    """A Mailgun webhook body, signed with `key` as Mailgun signs it."""
    timestamp, token = "1730822034", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"signature": {"timestamp": timestamp, "token": token, "signature": signature}, "event-data": event_data}


def mailgun_failure(email: str, severity: str, code: int, message: str) -> dict:
    return {
        "event": "failed",
        "id": "G9Bn5sl1TC6nu79C8C0bwg",
        "timestamp": 1730822034.375624,
        "log-level": "error" if severity == "permanent" else "warn",
        "severity": severity,
        "reason": "bounce" if severity == "permanent" else "generic",
        "recipient": email,
        "recipient-domain": email.partition("@")[2],
        "delivery-status": {"attempt-no": 1, "code": code, "message": message, "description": ""},
        "message": {
            "headers": {
                "to": email,
                "message-id": "20251105.1@raadhuis.example",
                "from": "nieuwsbrief@raadhuis.example",
                "subject": "Lokaal Bestuur 12",
            },
            "attachments": [],
            "size": 4111,
        },
        "flags": {"is-routed": False, "is-authenticated": True, "is-system-test": False, "is-test-mode": False},
        "tags": [],
        "user-variables": {},
    }


def post_json(client: Client, name: str, body: object, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(reverse(f"anymail:{name}"), json.dumps(body), content_type="application/json", **extra)


def test_postmark_hard_bounce_suppresses_the_address(webhook_settings) -> None:  # type: ignore[no-untyped-def]
    # A provider has no CSRF token: the webhook must be exempt.
    client = Client(enforce_csrf_checks=True)

    response = post_json(client, "postmark_tracking_webhook", postmark_bounce("Jan@Example.org"), **basic_auth())

    assert response.status_code == 200
    bounce = Bounce.objects.get()
    assert (bounce.email, bounce.kind, bounce.source) == ("jan@example.org", "hard", "Postmark")
    assert "550 5.1.1" in bounce.detail
    assert Suppression.objects.get().reason == Suppression.Reason.HARD_BOUNCE


def test_postmark_soft_bounce_and_complaint(webhook_settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    soft = postmark_bounce("piet@example.org", bounce_type="SoftBounce")
    complaint = {**postmark_bounce("klaas@example.org"), "RecordType": "SpamComplaint", "Type": "SpamComplaint"}

    assert post_json(client, "postmark_tracking_webhook", soft, **basic_auth()).status_code == 200
    assert post_json(client, "postmark_tracking_webhook", complaint, **basic_auth()).status_code == 200

    assert Bounce.objects.get(email="piet@example.org").kind == "soft"
    assert not is_suppressed("piet@example.org")
    assert Suppression.objects.get(email="klaas@example.org").reason == Suppression.Reason.COMPLAINT


def test_postmark_delivery_is_ignored(webhook_settings) -> None:  # type: ignore[no-untyped-def]
    delivery = {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "broadcast",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Recipient": "jan@example.org",
        "Tag": "nieuwsbrief",
        "DeliveredAt": "2025-11-05T16:33:54.9070259Z",
        "Details": "Test delivery webhook details",
        "Metadata": {},
    }

    assert post_json(Client(), "postmark_tracking_webhook", delivery, **basic_auth()).status_code == 200

    assert Bounce.objects.count() == 0


def test_mailgun_permanent_failure_suppresses_and_temporary_one_counts_as_soft(webhook_settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    permanent = mailgun_event(mailgun_failure("jan@example.org", "permanent", 550, "5.1.1 No such user"))
    temporary = mailgun_event(mailgun_failure("piet@example.org", "temporary", 452, "4.2.2 Mailbox full"))

    assert post_json(client, "mailgun_tracking_webhook", permanent, **basic_auth()).status_code == 200
    assert post_json(client, "mailgun_tracking_webhook", temporary, **basic_auth()).status_code == 200

    assert Bounce.objects.get(email="jan@example.org").source == "Mailgun"
    assert Suppression.objects.get().email == "jan@example.org"
    assert Bounce.objects.get(email="piet@example.org").kind == "soft"


def test_sendgrid_bounce_is_recorded(webhook_settings) -> None:  # type: ignore[no-untyped-def]
    events = [
        {
            "email": "jan@example.org",
            "timestamp": 1730822034,
            "event": "bounce",
            "type": "bounce",
            "status": "5.1.1",
            "reason": "550 5.1.1 The email account that you tried to reach does not exist.",
            "sg_event_id": "ZGVmZXJyZWQtMC0xMDI2",
            "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        },
        {
            "email": "piet@example.org",
            "timestamp": 1730822034,
            "event": "open",
            "sg_event_id": "b3BlbmVkLTAtMTAyNg",
            "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        },
    ]

    assert post_json(Client(), "sendgrid_tracking_webhook", events, **basic_auth()).status_code == 200

    assert list(Bounce.objects.values_list("email", "kind", "source")) == [("jan@example.org", "hard", "SendGrid")]


@pytest.mark.parametrize("credentials", [None, "raadhuis:geraden", "iemand:anders"])
def test_webhook_without_the_secret_is_refused_and_stores_nothing(webhook_settings, credentials) -> None:  # type: ignore[no-untyped-def]
    extra = basic_auth(credentials) if credentials else {}

    postmark = post_json(Client(), "postmark_tracking_webhook", postmark_bounce(), **extra)
    mailgun = post_json(
        Client(), "mailgun_tracking_webhook", mailgun_event(mailgun_failure("a@b.nl", "permanent", 550, "x")), **extra
    )

    assert postmark.status_code == 400
    assert mailgun.status_code == 400
    assert Bounce.objects.count() == 0
    assert Suppression.objects.count() == 0


def test_mailgun_webhook_with_a_forged_signature_is_refused(webhook_settings) -> None:  # type: ignore[no-untyped-def]
    forged = mailgun_event(mailgun_failure("jan@example.org", "permanent", 550, "x"), key="guessed")

    response = post_json(Client(), "mailgun_tracking_webhook", forged, **basic_auth())

    assert response.status_code == 400
    assert Bounce.objects.count() == 0


def test_malformed_bodies_get_a_4xx_not_a_500(webhook_settings) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    for name in ("postmark_tracking_webhook", "mailgun_tracking_webhook", "sendgrid_tracking_webhook"):
        for body in (b"", b"[]", b"\xff\xfe", b"{}"):
            response = client.post(reverse(f"anymail:{name}"), body, content_type="application/json")
            assert response.status_code == 400, (name, body)


def test_provider_without_its_key_is_off(webhook_settings) -> None:  # type: ignore[no-untyped-def]
    webhook_settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    body = mailgun_event(mailgun_failure("jan@example.org", "permanent", 550, "x"))

    response = post_json(Client(raise_request_exception=False), "mailgun_tracking_webhook", body, **basic_auth())

    assert response.status_code == 404
    assert Bounce.objects.count() == 0


def test_without_any_webhook_secret_every_webhook_is_off(settings) -> None:  # type: ignore[no-untyped-def]
    """Anymail itself would accept anybody's events then (with a warning)."""
    settings.ANYMAIL = {}

    response = post_json(Client(raise_request_exception=False), "postmark_tracking_webhook", postmark_bounce())

    assert response.status_code == 404
    assert Bounce.objects.count() == 0


def test_default_settings_have_an_unguessable_webhook_secret() -> None:
    from django.conf import settings

    secrets = settings.ANYMAIL["WEBHOOK_SECRET"]
    assert secrets and all(":" in s and len(s) > 30 for s in secrets)
    response = post_json(Client(), "postmark_tracking_webhook", postmark_bounce(), **basic_auth())
    assert response.status_code == 400


def test_the_matrix_entries_cover_every_anymail_url() -> None:
    from anymail import urls as anymail_urls

    from newsletter.tests.anymail_matrix import STATUSES, anymail_cases
    from tests.test_authorization_matrix import Case, expect, fixed

    cases = anymail_cases(Case, fixed, expect)

    assert set(STATUSES) == {pattern.name for pattern in anymail_urls.urlpatterns}
    assert set(cases) == {f"anymail:{name}" for name in STATUSES}
    client = Client(raise_request_exception=False)
    for key, entries in cases.items():
        for entry in entries:
            response = getattr(client, entry.method)(entry.url(None, "anonymous"), entry.data)
            assert response.status_code == entry.expected["anonymous"], (key, entry.label)


# --- bounce messages ---------------------------------------------------------------------------------------


def original_message(to: str = "jan@example.org") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Centrum voor Lokaal Bestuur <nieuwsbrief@raadhuis.example>"
    message["To"] = to
    message["Subject"] = "Lokaal Bestuur 12"
    message["X-Raadhuis-Delivery"] = "12-345"
    message.set_content("Het nieuws van deze week. Vragen? Mail redactie@raadhuis.example.")
    return message


def dsn(
    recipients: list[tuple[str, str, str]] | None = None,
    *,
    original_recipient: str | None = None,
) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix sends it: a multipart/report with a
    human-readable part, the message/delivery-status part and the returned message.
    `recipients` are (address, action, status)."""
    recipients = recipients or [("jan@example.org", "failed", "5.1.1")]
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.example.net (Mail Delivery System)"
    report["To"] = "bounces@raadhuis.example"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Date"] = format_datetime(NOW)
    report.attach(MIMEText("This is the mail system at host mx.example.net.\n\nI'm sorry to have to inform you..."))
    status = MIMEBase("message", "delivery-status")
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; mx.example.net"
    per_message["Arrival-Date"] = format_datetime(NOW)
    blocks = [per_message]
    for address, action, code in recipients:
        block = Message()
        block["Final-Recipient"] = f"rfc822; {address}"
        if original_recipient:
            block["Original-Recipient"] = f"rfc822;{original_recipient}"
        block["Action"] = action
        block["Status"] = code
        reply = "550 5.1.1 User unknown" if code.startswith("5") else "452 4.2.2 Mailbox full"
        block["Diagnostic-Code"] = f"smtp; {reply}"
        blocks.append(block)
    status.set_payload(blocks)
    report.attach(status)
    report.attach(MIMEMessage(original_message(recipients[0][0])))
    return report.as_bytes()


POSTFIX_TEXT_BOUNCE = b"""\
From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
To: bounces@raadhuis.example
Subject: Undelivered Mail Returned to Sender
Date: Wed, 05 Nov 2025 10:00:00 +0100
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<piet@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1
    <piet@example.org>: Recipient address rejected: User unknown (in reply to
    RCPT TO command)

--- Original message ---
From: nieuwsbrief@raadhuis.example
To: piet@example.org
Message-ID: <20251105.1@raadhuis.example>

Vragen? Mail redactie@raadhuis.example.
"""

EXIM_TEXT_BOUNCE = b"""\
From: Mail Delivery System <Mailer-Daemon@mx.example.net>
To: bounces@raadhuis.example
Subject: Mail delivery failed: returning message to sender
Content-Type: text/plain; charset=utf-8

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  klaas@example.org
    host mx.example.org [192.0.2.1]
    SMTP error from remote mail server after end of data:
    550-5.7.1 The user or domain that you are sending to (or from) has a
    550 5.7.1 policy that prohibits the mail that you sent.
"""

SOFT_TEXT_BOUNCE = b"""\
From: postmaster@example.org
To: bounces@raadhuis.example
Subject: Delivery Status Notification (Delay)
Content-Type: text/plain

Delivery to the following recipient has been delayed:

     marie@example.org

Message will be retried for 2 more day(s)

Technical details of temporary failure:
452 4.2.2 The email account that you tried to reach is over quota.
"""

NOT_A_BOUNCE = b"""\
From: Jan de Vries <jan@example.org>
To: redactie@raadhuis.example
Subject: Re: Lokaal Bestuur 12
Content-Type: text/plain

Dank voor de nieuwsbrief! Over punt 550 van de begroting: mail piet@example.org maar.
"""

OUT_OF_OFFICE = b"""\
From: Marie <marie@example.org>
To: nieuwsbrief@raadhuis.example
Subject: Afwezig: Lokaal Bestuur 12
Auto-Submitted: auto-replied
Content-Type: text/plain

Ik ben tot 1 december afwezig.
"""


def run(*args: str, stdin: bytes | None = None) -> str:
    out = io.StringIO()
    extra = {"stdin": io.BytesIO(stdin)} if stdin is not None else {}
    call_command("process_bounces", *args, stdout=out, **extra)
    return out.getvalue()


def test_dsn_in_an_eml_file_suppresses_a_hard_bounce(tmp_path: Path) -> None:
    path = tmp_path / "bounce.eml"
    path.write_bytes(dsn())

    output = run(str(path))

    bounce = Bounce.objects.get()
    assert (bounce.email, bounce.kind, bounce.source) == ("jan@example.org", "hard", "dsn")
    assert "5.1.1" in bounce.detail
    assert Suppression.objects.get().reason == Suppression.Reason.HARD_BOUNCE
    assert "processed 1, hard 1, soft 0, ignored 0, suppressed 1" in output


def test_dsn_prefers_the_original_recipient(tmp_path: Path) -> None:
    path = tmp_path / "bounce.eml"
    path.write_bytes(
        dsn([("jan.devries@mailhost.example.org", "failed", "5.1.1")], original_recipient="Jan@Example.org")
    )

    run(str(path))

    assert Bounce.objects.get().email == "jan@example.org"


def test_dsns_in_an_mbox_with_a_message_that_is_no_bounce(tmp_path: Path) -> None:
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(path)
    box.add(dsn([("jan@example.org", "failed", "5.1.1"), ("piet@example.org", "delayed", "4.4.1")]))
    box.add(NOT_A_BOUNCE)
    box.add(dsn([("klaas@example.org", "failed", "4.4.7")]))
    box.close()

    output = run(str(path))

    kinds = dict(Bounce.objects.values_list("email", "kind"))
    assert kinds == {"jan@example.org": "hard", "piet@example.org": "soft", "klaas@example.org": "soft"}
    assert list(Suppression.objects.values_list("email", flat=True)) == ["jan@example.org"]
    assert "processed 3, hard 1, soft 2, ignored 1, suppressed 1" in output
    assert "ignored" in output and "Re: Lokaal Bestuur 12" in output


def test_maildir_with_delete_removes_only_the_recorded_bounces(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(dsn())
    box.add(POSTFIX_TEXT_BOUNCE)
    kept = box.add(OUT_OF_OFFICE)

    output = run(str(tmp_path / "Maildir"), "--delete")

    assert set(Suppression.objects.values_list("email", flat=True)) == {"jan@example.org", "piet@example.org"}
    assert "processed 3, hard 2, soft 0, ignored 1, suppressed 2" in output
    assert list(box.keys()) == [kept]


def test_maildir_without_delete_keeps_every_message(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(dsn())

    run(str(tmp_path / "Maildir"))

    assert len(box) == 1
    assert Bounce.objects.count() == 1


def test_delayed_dsn_is_a_soft_bounce(tmp_path: Path) -> None:
    path = tmp_path / "delay.eml"
    path.write_bytes(dsn([("marie@example.org", "delayed", "4.4.1")]))

    output = run(str(path))

    assert Bounce.objects.get().kind == "soft"
    assert not is_suppressed("marie@example.org")
    assert "processed 1, hard 0, soft 1, ignored 0, suppressed 0" in output


def test_dsn_for_a_delivered_message_is_no_bounce(tmp_path: Path) -> None:
    path = tmp_path / "delivered.eml"
    path.write_bytes(dsn([("jan@example.org", "delivered", "2.0.0")]))

    output = run(str(path))

    assert Bounce.objects.count() == 0
    assert "ignored 1" in output


@pytest.mark.parametrize(
    ("message", "email", "kind"),
    [
        (POSTFIX_TEXT_BOUNCE, "piet@example.org", "hard"),
        (EXIM_TEXT_BOUNCE, "klaas@example.org", "hard"),
        (SOFT_TEXT_BOUNCE, "marie@example.org", "soft"),
    ],
)
def test_plain_text_bounces_from_an_mta(message: bytes, email: str, kind: str) -> None:
    run("-", stdin=message)

    assert list(Bounce.objects.values_list("email", "kind", "source")) == [(email, kind, "dsn")]
    assert is_suppressed(email) is (kind == "hard")


def test_messages_that_are_not_bounces_are_reported_and_ignored() -> None:
    for message in (NOT_A_BOUNCE, OUT_OF_OFFICE):
        output = run("-", stdin=message)
        assert "processed 1, hard 0, soft 0, ignored 1, suppressed 0" in output
        assert "not a bounce" in output
    assert Bounce.objects.count() == 0


def test_stdin_with_a_from_line_as_an_mta_pipes_it() -> None:
    output = run("-", stdin=b"From MAILER-DAEMON Wed Nov  5 10:00:00 2025\n" + dsn())

    assert "processed 1, hard 1" in output
    assert is_suppressed("jan@example.org")


def test_a_dsn_processed_twice_suppresses_once(tmp_path: Path) -> None:
    path = tmp_path / "bounce.eml"
    path.write_bytes(dsn())

    run(str(path))
    output = run(str(path))

    assert Suppression.objects.count() == 1
    assert "suppressed 0" in output


def test_delete_needs_a_maildir(tmp_path: Path) -> None:
    path = tmp_path / "bounce.eml"
    path.write_bytes(dsn())

    with pytest.raises(CommandError, match="Maildir"):
        run(str(path), "--delete")
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.eml"))
