"""django-allauth hooks: no open sign-up; all mail through core.mail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest

from core.crypto import decrypt_text, encrypt_text
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

    # TOTP secrets and recovery-code seeds are encrypted with the project's keys (core.crypto),
    # like case content: a database dump holds nobody's second factor. `rotate_encryption_keys`
    # re-encrypts them; values stored before encryption (no prefix) are still read.
    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)


# The keys of Authenticator.data that allauth passes through encrypt() (a list for "migrated_codes").
SECRET_DATA_KEYS = ("secret", "seed", "migrated_codes")


def convert_authenticator_data(data: dict[str, Any], convert: Callable[[str], str]) -> dict[str, Any]:
    """`data` with every secret in it passed through `convert` (encrypt, decrypt or rotate)."""
    result = dict(data)
    for key in SECRET_DATA_KEYS:
        value = result.get(key)
        if isinstance(value, str):
            result[key] = convert(value)
        elif isinstance(value, list):
            result[key] = [convert(item) if isinstance(item, str) else item for item in value]
    return result
