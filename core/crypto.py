"""Encryption at rest for the most sensitive data (advice cases).

Keys come from the environment: RAADHUIS_ENCRYPTION_KEYS, comma separated Fernet keys, the first
one used to encrypt, all of them tried to decrypt (so a new key can be put in front and the data
re-encrypted with `manage.py rotate_encryption_keys`, after which the old key is removed).
Development and tests derive a key from SECRET_KEY; production refuses to start without keys.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1:"


def generate_key() -> str:
    return Fernet.generate_key().decode()


@cache
def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "RAADHUIS_ENCRYPTION_KEYS", []) or [])
    if not keys:
        if not settings.DEBUG and not getattr(settings, "RAADHUIS_ALLOW_DERIVED_KEY", False):
            raise ImproperlyConfigured("Set RAADHUIS_ENCRYPTION_KEYS (manage.py generate_encryption_key).")
        digest = hashlib.sha256(("raadhuis-encryption:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def reset_keys() -> None:
    """Forget the cached keys (after the settings changed, e.g. in tests)."""
    _fernet.cache_clear()


def encrypt_text(value: str) -> str:
    if value is None or value == "":
        return value
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt_text(value: str) -> str:
    if not value or not value.startswith(PREFIX):
        return value
    try:
        return _fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured("Encrypted data cannot be read with the configured keys.") from error


def encrypt_bytes(value: bytes) -> bytes:
    return _fernet().encrypt(value)


def decrypt_bytes(value: bytes) -> bytes:
    return _fernet().decrypt(value)


def rotate_text(value: str) -> str:
    """Re-encrypt with the first (current) key; plaintext gets encrypted."""
    if not value:
        return value
    if not value.startswith(PREFIX):
        return encrypt_text(value)
    return PREFIX + _fernet().rotate(value[len(PREFIX) :].encode()).decode()


def rotate_bytes(value: bytes) -> bytes:
    return _fernet().rotate(value)
