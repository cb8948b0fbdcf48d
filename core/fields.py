"""Model fields that keep their content encrypted in the database (see core.crypto)."""

from __future__ import annotations

from typing import Any

from django.db import models

from .crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text field stored encrypted (Fernet): a database dump or a raw SQL read shows no text.
    It cannot be searched or filtered on, by design."""

    description = "Text, encrypted at rest"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt_text(value) if isinstance(value, str) else value

    def to_python(self, value: Any) -> Any:
        return decrypt_text(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt_text(value) if isinstance(value, str) else value


def encrypted_fields(model: type[models.Model]) -> list[str]:
    """The names of `model`'s encrypted text fields: what the back office defers, what key
    rotation re-encrypts."""
    return [field.name for field in model._meta.local_fields if isinstance(field, EncryptedTextField)]
