"""The main journey: invitation -> password -> MFA for a staff user -> log in -> home -> language."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts import services
from accounts.models import User
from core.roles import Role
from tests.factories import totp_code

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Raadhuis-journey-2026"


def test_invited_staff_member_sets_password_and_mfa_then_logs_in(page: Page, a11y, live_server) -> None:  # type: ignore[no-untyped-def]
    _invitation, token = services.invite(
        email="adviseur.nieuw@example.org", name="Anouk Adviseur", roles=[Role.ADVISER], invited_by=None
    )

    # 1. The invitation link: choose a password.
    page.goto(f"/uitnodiging/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitnodiging accepteren")
    a11y.check("invitation-accept")
    page.get_by_label("Kies een wachtwoord").fill("kort")
    page.get_by_label("Herhaal het wachtwoord").fill("kort")
    page.get_by_role("button", name="Maak mijn account aan").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    a11y.check("invitation-accept-errors")
    page.get_by_label("Kies een wachtwoord").fill(PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Maak mijn account aan").click()

    # 2. A staff role: MFA must be set up first (after confirming the password once more).
    expect(page).to_have_url(re.compile(r"/account/reauthenticate/"))
    a11y.check("reauthenticate")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Bevestig|Confirm")).click()
    expect(page).to_have_url(re.compile(r"/account/2fa/totp/activate/"))
    a11y.check("mfa-activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code uit je authenticatie-app").fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("Activeer|Activate")).click()
    expect(page.get_by_text(re.compile("herstelcodes", re.IGNORECASE)).first).to_be_visible()
    a11y.check("mfa-recovery-codes")

    # 3. Log out and log in again: password, then a one-time code.
    page.goto("/")
    a11y.check()
    page.get_by_role("button", name="Uitloggen").click()
    a11y.check()
    page.goto("/account/login/")
    a11y.check("login")
    page.get_by_label("E-mail").fill("adviseur.nieuw@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/account/2fa/authenticate/"))
    a11y.check("mfa-authenticate")
    page.get_by_label(re.compile("Code")).fill(totp_code(secret, offset=1))
    page.get_by_role("button", name=re.compile("Inloggen|Sign In")).click()

    # 4. Home, then switch to English.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Anouk Adviseur")
    # What waits for an adviser: the desk's new cases (the home page shows the work of one's roles).
    expect(page.get_by_role("heading", level=2, name="Wat op je wacht")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="Zaken om te beoordelen")).to_be_visible()
    a11y.check("home-staff")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Anouk Adviseur")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=3, name="Cases to triage")).to_be_visible()
    a11y.check("home-english")
    assert User.objects.get(email="adviseur.nieuw@example.org").is_staff_member
