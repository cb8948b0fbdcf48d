"""WebAuthn works here: a staff member registers a security key (Chromium's virtual authenticator)
and logs in with it as the second factor."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from core.roles import Role
from tests.factories import PASSWORD, make_role_user, totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_member_adds_a_security_key_and_logs_in_with_it(page: Page, a11y) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.EDITOR, email="redacteur@example.org")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    page.goto("/account/login/")
    a11y.check()
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    a11y.check()
    page.get_by_label(re.compile("Code")).fill(totp_code())
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    a11y.check()

    # Adding a key asks for the password once more.
    page.goto("/account/2fa/webauthn/add/")
    expect(page).to_have_url(re.compile(r"/account/reauthenticate/"))
    a11y.check()
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Bevestig")).click()
    expect(page).to_have_url(re.compile(r"/account/2fa/webauthn/add/"))
    a11y.check("webauthn-add")
    page.get_by_label(re.compile("Naam|Name")).fill("Sleutelhanger")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/add/" not in url)
    a11y.check()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1

    page.get_by_role("button", name="Uitloggen").click()
    a11y.check()
    page.goto("/account/login/")
    a11y.check()
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    a11y.check("mfa-authenticate-with-key")
    page.locator("#mfa_webauthn_authenticate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    a11y.check()
