"""TOTP secrets and recovery-code seeds encrypted at rest (accounts.adapter.MfaAdapter).

Existing authenticators are encrypted with the current key; the reverse migration decrypts them
again (it needs the same keys). Running it twice does not encrypt twice."""

from typing import Any

from django.db import migrations


def _convert(apps: Any, convert: Any) -> None:
    from accounts.adapter import convert_authenticator_data

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.exclude(type="webauthn"):
        data = convert_authenticator_data(authenticator.data, convert)
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def encrypt(apps: Any, schema_editor: Any) -> None:
    from core.crypto import rotate_text  # encrypts plain text, leaves encrypted text readable

    _convert(apps, rotate_text)


def decrypt(apps: Any, schema_editor: Any) -> None:
    from core.crypto import decrypt_text

    _convert(apps, decrypt_text)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_role_groups"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
