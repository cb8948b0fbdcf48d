"""Second factors are secrets: TOTP secrets and recovery-code seeds are encrypted at rest with the
project's keys (accounts.adapter.MfaAdapter), rotated with them, and never shown in the back office."""

from __future__ import annotations

import importlib
import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from core import crypto
from core.roles import Role
from tests.factories import PASSWORD, TOTP_SECRET, enable_totp, make_role_user, totp_code

pytestmark = pytest.mark.django_db


def raw_data() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator ORDER BY id")
        return " ".join(str(row[0]) for row in cursor.fetchall())


def test_totp_secret_and_recovery_seed_are_stored_encrypted_and_still_work(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.ADVISER, with_mfa=False)
    enable_totp(user)
    codes = RecoveryCodes.activate(user)
    seed = crypto.decrypt_text(Authenticator.objects.get(type=Authenticator.Type.RECOVERY_CODES).data["seed"])
    raw = raw_data()
    assert TOTP_SECRET not in raw and seed not in raw
    assert raw.count("enc1:") == 2
    # Signing in with the code from the authenticator app still works, and so does a recovery code.
    login = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert login["Location"] == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code()}).status_code == 302
    assert client.get(reverse("account_email")).status_code == 200
    client.logout()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": codes.get_unused_codes()[0]}).status_code == 302
    assert client.get(reverse("account_email")).status_code == 200


def test_migration_encrypts_existing_second_factors_and_reverses() -> None:
    migration = importlib.import_module("accounts.migrations.0004_mfa_secrets_encrypted")
    user = make_role_user(Role.COUNSELLOR, with_mfa=False)
    # As allauth stored them before: in the clear.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "ab" * 40, "used_mask": 0}
    )
    key = Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "Sleutel", "credential": {"id": "x"}}
    )
    migration.encrypt(apps, None)
    raw = raw_data()
    assert TOTP_SECRET not in raw and "ab" * 40 not in raw and "Sleutel" in raw
    assert Authenticator.objects.get(pk=key.pk).data == {"name": "Sleutel", "credential": {"id": "x"}}
    assert Authenticator.objects.get(type=Authenticator.Type.TOTP).wrap().validate_code(totp_code())
    migration.encrypt(apps, None)  # twice does not encrypt twice
    assert crypto.decrypt_text(Authenticator.objects.get(type=Authenticator.Type.TOTP).data["secret"]) == TOTP_SECRET
    migration.decrypt(apps, None)
    assert Authenticator.objects.get(type=Authenticator.Type.TOTP).data == {"secret": TOTP_SECRET}
    assert Authenticator.objects.get(type=Authenticator.Type.RECOVERY_CODES).data["seed"] == "ab" * 40


def test_key_rotation_re_encrypts_second_factors(settings) -> None:  # type: ignore[no-untyped-def]
    old, new = crypto.generate_key(), crypto.generate_key()
    settings.RAADHUIS_ENCRYPTION_KEYS = [old]
    crypto.reset_keys()
    try:
        user = make_role_user(Role.ADVISER)  # TOTP, encrypted with the old key
        RecoveryCodes.activate(user)
        before = raw_data()
        settings.RAADHUIS_ENCRYPTION_KEYS = [new, old]
        crypto.reset_keys()
        out = io.StringIO()
        call_command("rotate_encryption_keys", stdout=out)
        assert "mfa_authenticator: 2 rows re-encrypted" in out.getvalue()
        settings.RAADHUIS_ENCRYPTION_KEYS = [new]  # the old key is gone
        crypto.reset_keys()
        assert raw_data() != before
        assert Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap().validate_code(totp_code())
        assert len(Authenticator.objects.get(type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()) > 0
    finally:
        crypto.reset_keys()


def test_back_office_never_shows_what_is_in_a_second_factor(client) -> None:  # type: ignore[no-untyped-def]
    administrator = make_role_user(Role.ADMINISTRATOR)
    adviser = make_role_user(Role.ADVISER)
    RecoveryCodes.activate(adviser)
    client.force_login(administrator)
    for authenticator in Authenticator.objects.filter(user=adviser):
        stored = authenticator.data.get("secret") or authenticator.data.get("seed")
        plain = crypto.decrypt_text(stored)
        pages = [
            reverse("admin:mfa_authenticator_changelist"),
            reverse("admin:mfa_authenticator_change", args=[authenticator.pk]),
            reverse("admin:mfa_authenticator_history", args=[authenticator.pk]),
            reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]),
        ]
        for url in pages:
            response = client.get(url)
            html = response.content.decode()
            assert response.status_code == 200, url
            assert plain not in html and stored not in html and "enc1:" not in html, url
        # Nothing to edit: a posted secret changes nothing.
        change = client.post(pages[1], {"data": '{"secret": "AAAA"}', "type": "totp"})
        assert change.status_code == 403
        authenticator.refresh_from_db()
        assert crypto.decrypt_text(authenticator.data.get("secret") or authenticator.data.get("seed")) == plain
