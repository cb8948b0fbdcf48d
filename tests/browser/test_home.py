"""The signed-in home page of every role on the demo data: what is new for a member, what waits for
each staff role; at 1280 px and at 390 px (nothing scrolls sideways), with axe on each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# demo account: a block heading that must be on their home page
ROLES = {
    "lid": "Ongelezen berichten",
    "afdeling": "Selectieprocedures",
    "commissie": "Aanmeldingen om te beoordelen",
    "adviseur": "Zaken om te beoordelen",
    "vertrouwenspersoon": "Zaken die aan jou zijn toegewezen",
    "redacteur": "Volgende editie en concepten",
    "organisator": "Je komende bijeenkomsten",
    "programma": "Aanmeldingen om te beantwoorden",
    "griffie": "Je gemeente in het ontwikkeltraject",
    "beheerder": "Openstaande uitnodigingen",
}


@pytest.fixture
def demo() -> None:
    if not Path(settings.RAADHUIS_DATA_DIR).is_dir():
        pytest.fail(f"reference data not found at {settings.RAADHUIS_DATA_DIR}")
    call_command("load_bodies", verbosity=0)
    call_command("load_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def _as(page: Page, login_as, account: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    login_as(User.objects.get(email=f"{account}@demo.example"))


def test_every_role_has_a_home_page_that_fits_a_phone_and_passes_axe(page: Page, a11y, login_as, demo) -> None:  # type: ignore[no-untyped-def]
    """One test, because loading the demo takes half a minute."""
    member_finds_what_is_new_and_follows_it(page, a11y, login_as)
    too_wide = {}
    for account, heading in ROLES.items():
        _as(page, login_as, account)
        page.set_viewport_size(DESKTOP)
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
        expect(page.get_by_role("heading", level=3, name=heading)).to_be_visible()
        a11y.check(f"home-{account}")
        page.set_viewport_size(PHONE)
        page.reload()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[account] = width
        a11y.check()
    assert not too_wide, f"Home pages that scroll sideways at 390 px: {too_wide}"


def member_finds_what_is_new_and_follows_it(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    _as(page, login_as, "lid")
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    new = page.get_by_role("region", name="Nieuw voor jou")
    for heading in [
        "Ongelezen berichten",
        "Mijn inschrijvingen",
        "Nieuw in je netwerken",
        "Nieuw in de bibliotheek voor jou",
        "Je bewaarde zoekopdrachten",
        "Mijn vragen aan de desk",
        "De laatste nieuwsbrief",
    ]:
        expect(new.get_by_role("heading", level=3, name=heading)).to_be_visible()
    # The member is staff nowhere: nothing "waits" for them.
    expect(page.get_by_role("heading", level=2, name="Wat op je wacht")).to_have_count(0)
    a11y.check("home-member")
    # Each block leads to its whole list.
    page.get_by_role("region", name="Mijn inschrijvingen").get_by_role("link", name="Al mijn inschrijvingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn agenda")
    a11y.check()
    page.go_back()
    page.get_by_role("region", name="Je bewaarde zoekopdrachten").get_by_role(
        "link", name="Armoede en schulden"
    ).click()
    expect(page).to_have_url(re.compile(r"/bibliotheek/\?q=armoede"))
    a11y.check()
