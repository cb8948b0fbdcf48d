"""The desk in the browser: a threatened councillor reports from a phone; an adviser picks it up."""

import re

import pytest
from playwright.sync_api import Page, expect

from core.roles import Role
from desk import services
from desk.models import Case, Helper, IntervisionSignup, Kind
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_threat_report_from_a_phone_and_the_adviser_replies(page: Page, a11y, login_as, browser, live_server) -> None:  # type: ignore[no-untyped-def]
    member = make_role_user(Role.MEMBER, name="Raadslid Rosa")
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(member)
    page.goto("/hulp/")
    a11y.check("desk-home")
    page.get_by_role("link", name="Bedreiging melden").click()
    a11y.check("desk-report")
    page.get_by_label("Bedreiging of haat online").check()
    page.get_by_label(re.compile("Beschrijf wat er gebeurde")).fill(
        "Sinds gisteren krijg ik dreigende berichten via Instagram."
    )
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat nu te doen")
    a11y.check("desk-safety")
    page.get_by_role("link", name="Naar mijn melding").click()
    a11y.check("desk-case-requester")
    case = Case.objects.get()

    adviser = make_role_user(Role.ADVISER, name="Adviseur Arend")
    counsellor = make_role_user(Role.COUNSELLOR, name="Vertrouwenspersoon Vera")
    Helper.objects.create(user=counsellor, kind="counsellor", case_kinds=[Kind.THREAT_DIGITAL])
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    staff_page = context.new_page()
    from django.test import Client

    client = Client()
    client.force_login(adviser)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    staff_page.goto("/hulp/beheer/")
    staff_page.get_by_role("link", name=f"triage {case.reference}").click()
    expect(
        staff_page.get_by_text("De vertrouwelijkheid van deze zaak laat niet toe dat je de inhoud leest.")
    ).to_be_visible()
    staff_page.get_by_label("Adviseur of vertrouwenspersoon").select_option(label="Adviseur Arend")
    staff_page.get_by_role("button", name="Toewijzen").click()
    staff_page.get_by_role("link", name="Zaak openen").click()
    expect(staff_page.get_by_text("dreigende berichten via Instagram")).to_be_visible()
    staff_page.get_by_role("textbox", name="Bericht").fill("Ik bel je vandaag nog. Bewaar de berichten.")
    staff_page.get_by_role("button", name="Versturen").click()
    staff_page.goto(f"/hulp/beheer/zaken/{case.reference}/")
    staff_page.get_by_role("button", name="Aan de zaak toevoegen").click()
    context.close()

    page.reload()
    expect(page.get_by_text("Ik bel je vandaag nog.")).to_be_visible()
    a11y.check()
    page.get_by_role("link", name="Wie las dit").click()
    expect(page.get_by_text("Adviseur Arend").first).to_be_visible()
    a11y.check("desk-access-log")
    page.goto(f"/hulp/zaken/{case.reference}/verwijderen/")
    a11y.check("desk-delete")
    page.goto("/hulp/intervisie/")
    a11y.check("desk-intervision")
    page.goto("/hulp/vraag/")
    a11y.check("desk-ask")
    assert case.counsellors.filter(pk=counsellor.pk).exists()


def test_desk_pages_for_staff(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    member = make_role_user(Role.MEMBER)
    for kind in [Kind.COACHING] * 5 + [Kind.MEDIATION, Kind.THREAT_PHYSICAL]:
        services.open_case(requester=member.member, kind=kind, subject="Vraag", description="Tekst")
    IntervisionSignup.objects.create(member=member.member, tier="municipal")
    adviser = make_role_user(Role.ADVISER)
    Helper.objects.create(user=adviser, kind="coach")
    login_as(adviser)
    for path, name in [
        ("/hulp/beheer/", "desk-queue"),
        ("/hulp/beheer/te-laat/", "desk-overdue"),
        ("/hulp/beheer/statistiek/", "desk-statistics"),
        ("/hulp/verwijzingen/", "desk-organisations"),
        ("/hulp/hulpverleners/", "desk-helpers"),
        ("/hulp/beheer/intervisie/", "desk-intervision-groups"),
    ]:
        page.goto(path)
        a11y.check(name)
    page.goto("/hulp/beheer/statistiek/")
    expect(page.locator(".bar-list progress").first).to_be_visible()
    case = Case.objects.filter(kind=Kind.MEDIATION).get()
    page.goto(f"/hulp/beheer/zaken/{case.reference}/")
    a11y.check("desk-manage")


def test_requester_chooses_who_reads_their_case(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    member = make_role_user(Role.MEMBER, name="Raadslid Rosa")
    counsellor = make_role_user(Role.COUNSELLOR, name="Vertrouwenspersoon Vera")
    make_role_user(Role.ADVISER, name="Adviseur Arend")
    case = services.open_case(
        requester=member.member,
        kind=Kind.INTEGRITY_OWN,
        subject="Nevenfunctie",
        description="Mag ik deze nevenfunctie aannemen?",
        confidentiality="strict",
    )
    services.assign(case=case, user=counsellor)
    login_as(member)
    page.goto(case.get_absolute_url())
    a11y.check()
    page.get_by_role("link", name="wie mag het lezen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wie mag mijn zaak lezen")
    a11y.check("desk-confidentiality")
    page.locator("#level-confidential").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Bevestig dat je begrijpt wie je zaak dan kan lezen.")).to_be_visible()
    a11y.check()
    page.locator("#level-confidential").check()
    page.get_by_label(re.compile("Ik begrijp wie mijn zaak dan kan lezen")).check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De vertrouwelijkheid van je zaak is gewijzigd.")).to_be_visible()
    expect(page.get_by_role("heading", name="Wijzigingen van vertrouwelijkheid")).to_be_visible()
    a11y.check("desk-confidentiality-changed")
    case.refresh_from_db()
    assert case.confidentiality == "confidential"
