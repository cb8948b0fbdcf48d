"""A real SMTP server on loopback (aiosmtpd) for the delivery tests."""

from __future__ import annotations

import email
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class Sink:
    """Accepts mail, records it; `refuse[address]` is a list of SMTP replies to give (once each)
    before accepting; `delay` slows every message down (to kill a worker mid-send)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse: dict[str, list[str]] = {}
        self.delay = 0.0
        self.lock = threading.Lock()
        self.peers: set[tuple[str, int]] = set()  # one (address, port) per SMTP connection used

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        replies = self.refuse.get(address.lower())
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
            self.peers.add(tuple(session.peer[:2]))
        return "250 Message accepted"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(m["To"].lower() for m in self.messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_sink(settings) -> Iterator[Sink]:  # type: ignore[no-untyped-def]
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    sink.port = port  # type: ignore[attr-defined]
    try:
        yield sink
    finally:
        controller.stop()
