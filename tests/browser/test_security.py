"""The Content-Security-Policy holds in a real browser: the main pages load and work (htmx
included) without a single violation, although the policy allows no inline script or style.

Every browser test fails on a violation (tests/browser/conftest.py); this one walks the pages the
policy matters most for, and checks after each that the browser blocked nothing.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.roles import Role
from library import engine
from library.models import Document
from newsletter.models import Edition
from newsletter.services import save_news_item
from tests.factories import (
    PASSWORD,
    DocumentFactory,
    EventFactory,
    MandateFactory,
    MemberFactory,
    MunicipalityFactory,
    ProvinceFactory,
    make_role_user,
)

pytestmark = pytest.mark.django_db(transaction=True)


def no_violations(page: Page) -> None:
    # Reports arrive asynchronously from the browser: let the page settle first.
    page.wait_for_load_state("networkidle")
    assert page.security_reports == [], page.security_reports  # type: ignore[attr-defined]


def test_main_pages_work_under_the_policy(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    overijssel = ProvinceFactory(code="PV23", name="Overijssel")
    zwolle = MunicipalityFactory(code="GM0193", name="Zwolle", province=overijssel)
    MandateFactory(member=MemberFactory(given_name="Eline", family_name="Brinkman"), body=zwolle)
    MandateFactory(member=MemberFactory(given_name="Daan", family_name="Postma"), body=zwolle)
    document = DocumentFactory(
        title="Motie Starterswoningen", body=zwolle, text="Starters wachten jaren op een woning.", visibility="members"
    )
    engine.index_documents(Document.objects.all())
    event = EventFactory(title="Netwerkavond Overijssel")
    Edition.objects.create(
        number=12, subject="Week 12: de begroting", status=Edition.Status.SENT, sent_at=timezone.now(), public=True
    )

    # Anonymous: the landing page and the login page.
    page.goto("/")
    a11y.check()
    no_violations(page)
    page.goto("/account/login/")
    a11y.check()
    no_violations(page)

    member = make_role_user(Role.MEMBER)
    MandateFactory(member=member.member, body=zwolle)
    login_as(member)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    a11y.check()
    no_violations(page)

    # The directory filters with htmx: the results change without a new page load.
    page.goto("/leden/")
    a11y.check()
    page.evaluate("() => { window.stillTheSamePage = true; }")
    page.get_by_label("Naam of woorden uit de introductie").fill("Brinkman")
    expect(page).to_have_url(re.compile(r"/leden/\?.*q=Brinkman"))
    expect(page.locator("#results").get_by_text("Eline Brinkman")).to_be_visible()
    expect(page.locator("#results").get_by_text("Daan Postma")).to_have_count(0)
    assert page.evaluate("() => window.stillTheSamePage === true"), "htmx did not swap: the page was reloaded"
    a11y.check()
    no_violations(page)

    page.goto("/bibliotheek/?q=starterswoning")
    page.get_by_role("link", name="Motie Starterswoningen").click()
    expect(page).to_have_url(re.compile(f"/bibliotheek/{document.pk}/"))
    a11y.check()
    no_violations(page)
    page.goto("/bibliotheek/?q=starterswoning")
    a11y.check()
    no_violations(page)

    page.goto("/bijeenkomsten/")
    a11y.check()
    no_violations(page)
    page.get_by_role("link", name="Netwerkavond Overijssel").click()
    expect(page).to_have_url(re.compile(f"/bijeenkomsten/{event.slug}/"))
    a11y.check()
    no_violations(page)

    page.goto("/nieuwsbrief/")
    a11y.check()
    page.get_by_role("link", name=re.compile("Week 12")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Week 12: de begroting")
    a11y.check()
    no_violations(page)


def test_editor_preview_is_framed_and_styled_under_its_own_policy(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    editor = make_role_user(Role.EDITOR)
    item = save_news_item(title="Meer steun voor raadsleden", summary="Kort nieuws.", body="Tekst.", publish=True)
    edition = Edition.objects.create(number=13, subject="Week 13: steun", created_by=editor)
    edition.items.create(news_item=item, position=1)
    login_as(editor)
    page.goto(f"/beheer/nieuwsbrief/{edition.pk}/")
    a11y.check()
    preview = page.frame_locator("iframe.preview-frame")
    expect(preview.get_by_role("heading", name="Meer steun voor raadsleden")).to_be_visible()
    # The e-mail's inline styles apply inside the frame (they are allowed there, and only there).
    background = preview.locator("table").first.evaluate("table => getComputedStyle(table).backgroundColor")
    assert background == "rgb(244, 245, 247)"
    no_violations(page)


def test_back_office_and_two_factor_set_up_under_the_policy(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(make_role_user(Role.ADMINISTRATOR))
    page.goto("/admin/")
    a11y.check()
    no_violations(page)
    page.goto("/admin/members/member/")
    a11y.check()
    no_violations(page)

    # A staff member without a second factor is sent to the set-up; its QR code is a data: image.
    login_as(make_role_user(Role.ADVISER, with_mfa=False))
    page.goto("/")
    # Setting up a factor asks for the password once more (the test logged in without it).
    expect(page).to_have_url(re.compile(r"/account/reauthenticate/"))
    a11y.check()
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Bevestigen").click()
    expect(page).to_have_url(re.compile(r"/account/2fa/totp/activate/"))
    a11y.check()
    qr = page.locator("img[src^='data:']").first
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    no_violations(page)
