"""A raw dump of the database (every column of every table, as the database returns it) shows no
member message text, no report reason and no second factor (TOTP secret or recovery-code seed).
Runs on SQLite and PostgreSQL alike (`DATABASE_URL`)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from core import crypto
from core.roles import Role
from core.tests.test_mail_secrets import raw_dump
from members import services as member_services
from tests.factories import TOTP_SECRET, make_role_user

pytestmark = pytest.mark.django_db

MESSAGE = "Wethouder Zonneveld dreigt mijn adres online te zetten"
REASON = "Bedreiging van mijn gezin"


def test_a_raw_dump_holds_no_message_text_and_no_second_factor(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    sender = make_role_user(Role.MEMBER, email="afzender@example.org")
    recipient = make_role_user(Role.MEMBER, email="ontvanger@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the notification mail is sent and gone
        message = member_services.send_message(
            sender=sender.member, recipient=recipient.member, body=MESSAGE, reveal_sender_email=False
        )
        member_services.report_message(message=message, reporter=recipient.member, reason=REASON)
    counsellor = make_role_user(Role.COUNSELLOR)  # TOTP with TOTP_SECRET
    RecoveryCodes.activate(counsellor)  # the codes are derived from the seed: the seed is the secret
    seed = crypto.decrypt_text(Authenticator.objects.get(user=counsellor, type="recovery_codes").data["seed"])

    dump = raw_dump()
    for secret in [MESSAGE, "Zonneveld", REASON, TOTP_SECRET, seed]:
        assert secret not in dump, secret
    # The dump did read those rows (the test is not vacuous): the ciphertexts are in it.
    assert "enc1:" in raw_dump(["members_message"]) and "enc1:" in raw_dump(["mfa_authenticator"])
