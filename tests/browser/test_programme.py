"""The development programme in the browser, as in the issue's "done when"."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.roles import Role
from programme.models import (
    Application,
    BudgetRequest,
    Entitlement,
    GoodPractice,
    LearningGroup,
    ProgrammeContact,
    Track,
)
from tests.factories import MandateFactory, MunicipalityFactory, ProvinceFactory, make_role_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_registration_guidance_entitlements_and_budget(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    drenthe = ProvinceFactory(code="PV22", name="Drenthe")
    wolden = MunicipalityFactory(code="GM1690", name="De Wolden", province=drenthe)
    MunicipalityFactory(code="GM0106", name="Assen", province=drenthe)
    GoodPractice.objects.create(
        municipality=wolden, theme="training", title="Budget per raadslid", arrangement="Iedereen € 1.500."
    )

    # A griffier signs the municipality up (no account), twice.
    page.goto("/ontwikkeltraject/aanmelden/")
    a11y.check("programme-apply")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    a11y.check("programme-apply-errors")
    for name in ("Greet Griffier", "Rik Raadslid"):
        page.goto("/ontwikkeltraject/aanmelden/")
        page.get_by_label("Gemeente").fill("de wolden")
        page.get_by_label("Je naam").fill(name)
        page.get_by_label("Je functie").select_option("griffier")
        page.get_by_label("E-mailadres").fill(f"{name.split()[0].lower()}@dewolden.example")
        page.get_by_label("Opleiding en een persoonlijk opleidingsbudget").select_option("candidate")
        page.get_by_label("Beschrijf kort hoe het nu geregeld is").fill("Weinig raadsleden gebruiken hun budget.")
        page.get_by_role("button", name="Aanmelden").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor je aanmelding")
    expect(page.get_by_text("Je gemeente was al aangemeld voor", exact=False)).to_be_visible()
    a11y.check("programme-applied")
    page.get_by_role("link", name="Intussen: bekijk goede voorbeelden van andere gemeenten").click()
    a11y.check("programme-practices")
    page.get_by_role("link", name="Budget per raadslid").click()
    a11y.check("programme-practice")

    # The officer accepts and plans.
    officer = make_role_user(Role.PROGRAMME_OFFICER)
    login_as(officer)
    page.goto("/beheer/ontwikkeltraject/")
    a11y.check("programme-dashboard")
    page.get_by_role("link", name="Aanmeldingen", exact=True).click()
    a11y.check("programme-applications")
    page.get_by_role("link", name="De Wolden").first.click()
    expect(page.get_by_text("Andere aanmeldingen van deze gemeente voor hetzelfde thema")).to_be_visible()
    a11y.check("programme-application")
    page.get_by_label("Accepteren").check()
    page.get_by_role("button", name="Opslaan en de contactpersoon informeren").click()
    page.get_by_role("link", name="Opleiding en een persoonlijk opleidingsbudget").click()
    page.get_by_label("Datum").first.fill("2026-12-03")
    page.get_by_label("Deelnemers (één per regel: naam en functie)").fill(
        "Burgemeester Bos\nGriffier Greet\nRaadslid Rik"
    )
    page.get_by_role("button", name="Opslaan").first.click()
    page.locator("#id_title").fill("Verordening aangepast")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_text("Doel: Verordening aangepast")).to_be_visible()
    a11y.check("programme-track")
    group = LearningGroup.objects.create(name="Leergroep Opleiding Noord", theme="training")
    group.municipalities.add(wolden)
    page.goto("/beheer/ontwikkeltraject/leergroepen/")
    a11y.check("programme-learning-groups")
    page.get_by_role("link", name="Leergroep Opleiding Noord").click()
    a11y.check("programme-learning-group")
    page.goto("/beheer/ontwikkeltraject/trajecten/")
    a11y.check("programme-tracks")
    assert Track.objects.get().status == "active"

    # The griffie contact enters the entitlements.
    griffie = make_role_user(Role.GRIFFIE_CONTACT)
    ProgrammeContact.objects.create(user=griffie, municipality=wolden)
    login_as(griffie)
    year = timezone.localdate().year
    page.goto(f"/ontwikkeltraject/rechten/GM1690/{year}/")
    a11y.check("programme-entitlements")
    page.get_by_label("Persoonlijk opleidingsbudget per raadslid").fill("1500")
    page.get_by_label("Zetels in de raad").fill("19")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De rechten zijn opgeslagen.")).to_be_visible()
    assert Entitlement.objects.get().training_budget_cents == 150000

    # A councillor of De Wolden asks; the griffie approves; the balance updates.
    councillor = make_role_user(Role.MEMBER)
    MandateFactory(member=councillor.member, body=wolden, start_date=timezone.localdate().replace(month=1, day=1))
    login_as(councillor)
    page.goto("/mijn-rechten/")
    expect(page.get_by_text("€ 1.500,00").first).to_be_visible()
    a11y.check("programme-my-entitlements")
    page.get_by_label("Bedrag in euro").fill("395")
    page.get_by_label("Waarvoor (cursus, training, boek)").fill("Leergang Begroting lezen")
    page.get_by_role("button", name="Aanvraag versturen").click()
    expect(page.get_by_text("Je aanvraag is naar de griffie gestuurd.")).to_be_visible()
    login_as(griffie)
    page.goto("/ontwikkeltraject/budgetaanvragen/")
    a11y.check("programme-budget-requests")
    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.get_by_text("Het besluit is opgeslagen", exact=False)).to_be_visible()
    assert BudgetRequest.objects.get().status == "approved"
    login_as(councillor)
    page.goto("/mijn-rechten/")
    expect(page.get_by_text("€ 1.105,00")).to_be_visible()
    page.goto("/ontwikkeltraject/vergelijking/")
    expect(page.locator(".bar-list progress").first).to_be_visible()
    a11y.check("programme-comparison")
    assert Application.objects.count() == 2
