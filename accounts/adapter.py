"""django-allauth hooks: no open sign-up; all mail through core.mail."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest

from core.mail import send_rendered_mail
from core.models import Association


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Members are invited by staff; nobody signs up on their own.
        return False

    def format_email_subject(self, subject: str) -> str:
        return f"[{Association.get().short_name}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = None
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = str(content)
        send_rendered_mail(subject=str(message.subject), to=list(message.to), text=str(message.body), html=html)


class MfaAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return str(Association.get().short_name)
