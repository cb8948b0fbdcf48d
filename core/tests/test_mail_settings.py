"""Mail through a provider's API (django-anymail), configured from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from core import mail

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({"backend": settings.EMAIL_BACKEND, "anymail": settings.ANYMAIL}))
"""


def mail_settings(**env: str) -> dict[str, object]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("ANYMAIL_", "EMAIL_"))}
    environment.update({"DJANGO_SETTINGS_MODULE": "raadhuis.settings.development", **env})
    result = subprocess.run(
        [sys.executable, "-c", SNIPPET], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_smtp_from_email_url_by_default() -> None:
    found = mail_settings(EMAIL_URL="smtp+tls://user:secret@smtp.example.net:587")
    assert found["backend"] == "django.core.mail.backends.smtp.EmailBackend"


def test_a_provider_api_backend_and_its_settings_come_from_the_environment() -> None:
    found = mail_settings(
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        ANYMAIL_POSTMARK_SERVER_TOKEN="server-token",
        ANYMAIL_WEBHOOK_SECRET="hook:geheim",
        ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY="signing-key",
    )
    assert found["backend"] == "anymail.backends.postmark.EmailBackend"
    assert found["anymail"] == {
        "WEBHOOK_SECRET": ["hook:geheim"],
        "MAILGUN_WEBHOOK_SIGNING_KEY": "signing-key",
        "POSTMARK_SERVER_TOKEN": "server-token",
    }


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="anymail.backends.test.EmailBackend", ANYMAIL={"WEBHOOK_SECRET": ["a:b"]})
def test_mail_goes_out_through_an_anymail_backend() -> None:
    from django.core import mail as django_mail

    mail.deliver_now(subject="Hallo", to=["lid@example.org"], text="Tekst", html="<p>Tekst</p>", reply_to=[])
    sent = django_mail.outbox[-1]
    assert sent.to == ["lid@example.org"]
    assert sent.anymail_test_params["subject"] == "Hallo"  # type: ignore[attr-defined]
    assert sent.anymail_status.status == {"sent"}  # type: ignore[attr-defined]
