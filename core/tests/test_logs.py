"""Structured logs (LOG_FORMAT=json), the request id, and errors mailed to ADMINS."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from core.logs import JsonFormatter, RequestIdFilter, RequestIdMiddleware
from core.models import OutgoingMail

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = """
import logging, django
django.setup()
from django.conf import settings
log = logging.getLogger("raadhuis.test")
log.warning("hallo %s", "wereld", extra={"member_id": 7})
try:
    1 / 0
except ZeroDivisionError:
    log.exception("mislukt")
print(repr(settings.ADMINS))
"""


def run_snippet(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "ADMINS"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "raadhuis.settings.test", **env})
    return subprocess.run(
        [sys.executable, "-c", SNIPPET], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_log_format_json_writes_one_json_object_per_line() -> None:
    result = run_snippet(LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(records) == 2
    first, second = records
    assert first["level"] == "WARNING"
    assert first["logger"] == "raadhuis.test"
    assert first["message"] == "hallo wereld"
    assert first["member_id"] == 7
    assert first["timestamp"].endswith("+00:00")
    assert "request_id" not in first  # not in a request
    assert second["level"] == "ERROR"
    assert second["message"] == "mislukt"
    assert second["exc_info"].startswith("Traceback (most recent call last):")
    assert "ZeroDivisionError: division by zero" in second["exc_info"]


def test_plain_log_format_is_the_default() -> None:
    result = run_snippet()
    assert result.returncode == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.endswith("WARNING raadhuis.test hallo wereld")
    with pytest.raises(json.JSONDecodeError):
        json.loads(first)


def test_unknown_log_format_is_refused() -> None:
    result = run_snippet(LOG_FORMAT="xml")
    assert result.returncode != 0
    assert 'LOG_FORMAT must be "plain" or "json"' in result.stderr


def test_admins_are_read_from_the_environment() -> None:
    result = run_snippet(ADMINS="Beheer <beheer@example.org>,ops@example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[('Beheer', 'beheer@example.org'), ('', 'ops@example.org')]"


def _record_through(middleware: RequestIdMiddleware, request: HttpRequest) -> tuple[HttpResponse, dict[str, object]]:
    captured: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("raadhuis.test.request")
    logger.addHandler(handler)
    try:
        response = middleware(request)
    finally:
        logger.removeHandler(handler)
    assert len(captured) == 1
    return response, json.loads(JsonFormatter().format(captured[0]))


def test_every_log_record_in_a_request_carries_the_request_id() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        logging.getLogger("raadhuis.test.request").warning("in de view")
        return HttpResponse("ok")

    middleware = RequestIdMiddleware(view)
    response, entry = _record_through(middleware, RequestFactory().get("/"))
    assert len(response["X-Request-ID"]) == 32
    assert entry["request_id"] == response["X-Request-ID"]

    # A sane id from the proxy is kept (one id across proxy and application logs)...
    response, entry = _record_through(middleware, RequestFactory().get("/", HTTP_X_REQUEST_ID="abc-123"))
    assert response["X-Request-ID"] == entry["request_id"] == "abc-123"
    # ...anything else is replaced, so a client cannot write into the logs.
    response, entry = _record_through(middleware, RequestFactory().get("/", HTTP_X_REQUEST_ID='x" "y\n'))
    assert response["X-Request-ID"] == entry["request_id"]
    assert len(entry["request_id"]) == 32  # type: ignore[arg-type]


@pytest.mark.django_db
def test_responses_carry_a_request_id(client) -> None:  # type: ignore[no-untyped-def]
    assert len(client.get("/healthz")["X-Request-ID"]) == 32


@pytest.mark.django_db
@override_settings(ADMINS=[("Beheer", "beheer@example.org")])
def test_a_server_error_is_mailed_to_the_admins() -> None:
    from django.test import Client

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("core.views.Association.get", lambda: 1 / 0)
        response = Client(raise_request_exception=False).get("/thema.css")
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["beheer@example.org"]
    assert mail.outbox[0].subject.startswith("[raadhuis] ERROR")
    assert "ZeroDivisionError" in mail.outbox[0].body


def queued_mail() -> OutgoingMail:
    payload = {"subject": "Hallo", "to": ["lid@example.org"], "text": "x", "html": None, "reply_to": [], "headers": {}}
    return OutgoingMail.objects.create(payload=json.dumps(payload))


@pytest.mark.django_db
@override_settings(ADMINS=[("Beheer", "beheer@example.org")])
def test_a_failed_background_task_is_mailed_to_the_admins() -> None:
    from core.tasks import deliver_mail

    def refuse(**kwargs: object) -> None:
        raise ConnectionRefusedError("smtp down")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("core.tasks.mail.deliver_now", refuse)
        result = deliver_mail.enqueue(queued_mail().pk)
    assert result.status == "FAILED"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["beheer@example.org"]
    assert "core.tasks.deliver_mail" in mail.outbox[0].subject
    assert "ConnectionRefusedError\nsmtp down" in mail.outbox[0].body
