"""Pages on a phone (390 px wide): nothing scrolls sideways, the navigation is one menu button, and
wide content (tables, charts) stays inside its own box. Runs on the demo data, so the pages hold
what a newcomer sees: long titles, long e-mail addresses, many rows.

The list below holds every page that once scrolled sideways at 390 px (issue 20); add a page here
when you fix its phone layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# (demo account or None for an anonymous visitor, page)
PHONE_PAGES = [
    (None, "/"),
    (None, "/nieuws/"),
    (None, "/publicaties/"),
    (None, "/kandidaat-worden/"),
    ("lid", "/nieuws/"),
    ("lid", "/bijeenkomsten/"),
    ("lid", "/hulp/"),
    ("lid", "/profiel/gegevens/"),
    ("beheerder", "/beheer/nieuwsbrief/abonnees/"),
    ("beheerder", "/beheer/leden/uitnodigen/"),
    ("beheerder", "/beheer/netwerken/"),
    ("beheerder", "/beheer/uitnodigingen/"),
    ("programma", "/ontwikkeltraject/vergelijking/"),
    ("lid", "/mijn-rechten/"),
    ("griffie", "/ontwikkeltraject/budgetaanvragen/"),
    ("commissie", "/selectie/"),
]


@pytest.fixture
def demo() -> None:
    if not Path(settings.RAADHUIS_DATA_DIR).is_dir():
        pytest.fail(f"reference data not found at {settings.RAADHUIS_DATA_DIR}")
    call_command("load_bodies", verbosity=0)
    call_command("load_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def _as(page: Page, login_as, account: str | None) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    if account:
        login_as(User.objects.get(email=f"{account}@demo.example"))


def test_on_the_demo_data_pages_fit_a_phone_with_one_menu_and_wide_content_in_its_box(  # type: ignore[no-untyped-def]
    page: Page, a11y, login_as, demo
) -> None:
    """One test, because loading the demo takes half a minute."""
    pages_fit_a_phone_and_pass_axe(page, a11y, login_as)
    navigation_is_one_menu_button_on_a_phone(page, a11y, login_as)
    wide_tables_scroll_inside_their_box_with_a_shadow_as_cue(page, a11y, login_as)
    comparison_amounts_stay_inside_their_cards(page, a11y, login_as)


def pages_fit_a_phone_and_pass_axe(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    too_wide = {}
    for account, path in PHONE_PAGES:
        _as(page, login_as, account)
        response = page.goto(path)
        assert response is not None and response.status == 200, (account, path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[f"{account or 'anonymous'} {path}"] = width
        a11y.check(f"phone-{account or 'anonymous'}-{path.strip('/').replace('/', '-') or 'home'}")
    assert not too_wide, f"Pages that scroll sideways at 390 px: {too_wide}"


def navigation_is_one_menu_button_on_a_phone(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    _as(page, login_as, "beheerder")
    page.set_viewport_size(PHONE)
    page.goto("/nieuws/")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    menu = nav.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Bibliotheek")).to_be_hidden()
    header_height = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
    assert header_height < 140, f"the header takes {header_height}px of a phone screen"
    a11y.check()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Bibliotheek")).to_be_visible()
    a11y.check("phone-menu-open")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    # On a wide screen there is no button: the links are the navigation.
    page.set_viewport_size(DESKTOP)
    expect(menu).to_be_hidden()
    expect(nav.get_by_role("link", name="Bibliotheek")).to_be_visible()


def test_navigation_works_without_javascript(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    """Without JavaScript there is no menu button: the links show (and wrap), nothing scrolls sideways."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto("/")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    expect(nav.get_by_role("link", name="Nieuws")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def wide_tables_scroll_inside_their_box_with_a_shadow_as_cue(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    _as(page, login_as, "beheerder")
    page.set_viewport_size(PHONE)
    page.goto("/beheer/netwerken/")
    box = page.locator(".table-wrap").first
    sizes = box.evaluate("el => [el.scrollWidth, el.clientWidth, getComputedStyle(el).backgroundImage]")
    assert sizes[0] > sizes[1], "the table is wider than its box on a phone and scrolls inside it"
    assert "radial-gradient" in sizes[2], "the box shows a shadow where more columns wait"
    expect(box).to_have_attribute("tabindex", "0")  # keyboard users can scroll it too
    page.set_viewport_size(DESKTOP)
    expect(box).not_to_have_attribute("tabindex", "0")  # not a tab stop when nothing scrolls
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    a11y.check()


def comparison_amounts_stay_inside_their_cards(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    _as(page, login_as, "programma")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto("/ontwikkeltraject/vergelijking/")
        overflow = page.evaluate(
            """() => [...document.querySelectorAll('.bar-list dd > span')].map(span => {
                 const card = span.closest('.panel').getBoundingClientRect();
                 const text = span.getBoundingClientRect();
                 return [span.textContent, span.scrollWidth - span.clientWidth, Math.round(text.right - card.right)];
               }).filter(([, clipped, outside]) => clipped > 0 || outside > 0)"""
        )
        assert page.locator(".bar-list dd > span").count() > 10
        assert not overflow, f"amounts running out of their card at {viewport['width']} px: {overflow}"
        a11y.check()
