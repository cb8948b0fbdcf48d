"""A raw dump of the database (every column of every table, as the database returns it) shows no
member message text, no report reason, no second factor (TOTP secret or recovery-code seed) and no
token of a link that grants access (invitation, API token, applicant's status link, registration,
calendar feed, unsubscribe from a saved search).
Runs on SQLite and PostgreSQL alike (`DATABASE_URL`)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from accounts import services as account_services
from api import services as api_services
from core import crypto
from core.roles import Role
from core.tests.test_mail_secrets import raw_dump
from events import services as event_services
from events.models import Event
from library import services as library_services
from members import services as member_services
from selection.tests.factories import make_procedure
from tests.factories import TOTP_SECRET, EventFactory, make_role_user

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


def test_a_raw_dump_holds_no_token_of_a_link_that_grants_access(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    member = make_role_user(Role.MEMBER)
    with django_capture_on_commit_callbacks(execute=True):  # the confirmations are sent and gone
        registration = event_services.register(event=EventFactory(), member=member.member)
        guest = event_services.register_guest(
            event=EventFactory(audience=Event.Audience.PUBLIC), name="Gast", email="gast@example.org"
        )
        application = make_procedure().apply()  # the applicant's status link
    feed_token = event_services.new_calendar_link(member=member.member, by=member)
    saved = library_services.save_search(member=member.member, name="Wonen", params={"q": "wonen"}, frequency="daily")
    _invitation, invitation_token = account_services.invite(
        email="nieuw@example.org", name="Nieuw", roles=[Role.MEMBER], invited_by=None, send=False
    )
    _api_token, secret = api_services.create_token(user=member, name="Mijn app", expires_in_days=30)

    tokens = [registration.token, guest.token, application.token, feed_token, saved.token, invitation_token, secret]
    assert all(len(token) >= 24 for token in tokens)
    dump = raw_dump()
    for token in tokens:
        assert token not in dump, token
    # Each link still works: the hash of the token it carries finds its row.
    assert event_services.registration_for_token(guest.token) == guest
    assert event_services.calendar_feed_for_token(feed_token).member == member.member  # type: ignore[union-attr]
    assert library_services.saved_search_for_token(saved.token) == saved
