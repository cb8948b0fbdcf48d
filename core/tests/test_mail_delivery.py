"""Mail goes through the task worker to a real SMTP server."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import override_settings

from accounts import services
from core.roles import Role


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.mark.django_db(transaction=True)
def test_invitation_is_delivered_over_smtp_by_the_worker(smtp_server) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    ):
        from django_tasks_db.models import DBTaskResult

        services.invite(email="nieuw@example.org", name="Nieuw Lid", roles=[Role.MEMBER], invited_by=None)
        # Queued, not yet sent: sending is the worker's job.
        assert DBTaskResult.objects.count() == 1
        assert inbox.messages == []
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "nieuw@example.org"
    assert message["Subject"].startswith("[CLB]")
    assert message.is_multipart()
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }
    assert "/uitnodiging/" in parts["text/plain"]
    assert "/uitnodiging/" in parts["text/html"]
