"""Members in the browser: find colleagues, message them, keep the profile; staff import and invite."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.roles import Role
from members.models import Message
from tests.factories import (
    BranchFactory,
    MandateFactory,
    MemberFactory,
    MunicipalityFactory,
    ProvinceFactory,
    make_role_user,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():  # type: ignore[no-untyped-def]
    from members.models import Topic

    overijssel = ProvinceFactory(code="PV23", name="Overijssel")
    zwolle = MunicipalityFactory(code="GM0193", name="Zwolle", province=overijssel)
    assen = MunicipalityFactory(code="GM0106", name="Assen")
    branch = BranchFactory(name="Afdeling Zwolle", slug="afdeling-zwolle")
    # Transactional tests flush the data that migrations created; the topic is made here.
    wonen, _ = Topic.objects.get_or_create(slug="wonen", defaults={"name": "Wonen"})
    ria = MemberFactory(given_name="Ria", family_name="Hoekstra", bio="Wonen en huurbeleid in Zwolle.", branch=branch)
    ria.topics.set([wonen])
    MandateFactory(member=ria, body=zwolle, role="alderman", portfolios="Wonen")
    MandateFactory(member=MemberFactory(given_name="Sem", family_name="Dijkstra", bio="Onderwijs."), body=assen)
    return {"zwolle": zwolle, "ria": ria, "branch": branch}


def test_member_finds_a_colleague_and_sends_a_message(page: Page, a11y, login_as, people) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    login_as(user)
    page.goto("/leden/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Leden")
    a11y.check("directory")
    page.get_by_label("Gemeente, provincie of waterschap").fill("zwolle")
    page.get_by_label("Onderwerp").select_option("wonen")
    expect(page.locator(".member-card")).to_have_count(1)
    expect(page.locator(".member-card")).to_contain_text("Ria Hoekstra")
    a11y.check("directory-filtered")
    page.get_by_label("Naam of woorden uit de introductie").fill("huurbeleid")
    expect(page.locator(".member-card")).to_have_count(1)
    page.get_by_role("link", name="Ria Hoekstra").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ria Hoekstra")
    a11y.check("member-page")
    page.get_by_role("link", name="Stuur een bericht").click()
    a11y.check("thread-empty")
    page.get_by_role("textbox", name="Bericht").fill("Hoi Ria, mag ik jullie huurmotie gebruiken?")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text("Je bericht is verstuurd.")).to_be_visible()
    a11y.check("thread")
    assert Message.objects.get().recipient == people["ria"]
    page.get_by_role("link", name="Berichten", exact=True).first.click()
    a11y.check("inbox")
    page.goto("/afdelingen/afdeling-zwolle/")
    a11y.check("branch")


def test_recipient_reads_reports_and_blocks(page: Page, a11y, login_as, people) -> None:  # type: ignore[no-untyped-def]
    from members import services

    user = make_role_user(Role.MEMBER)
    services.send_message(
        sender=people["ria"], recipient=user.member, body="Vervelende tekst", reveal_sender_email=False
    )
    login_as(user)
    page.goto("/berichten/")
    expect(page.get_by_text("1 nieuw")).to_be_visible()
    a11y.check()
    page.get_by_role("link", name="Ria Hoekstra").click()
    a11y.check()
    page.get_by_role("link", name="Meld misbruik").click()
    a11y.check("report")
    page.get_by_label("Wat is er mis met dit bericht?").fill("Dit is intimiderend.")
    page.get_by_role("button", name="Melden").click()
    expect(page.get_by_text("Gemeld bij de vereniging.")).to_be_visible()
    a11y.check()
    page.get_by_role("button", name="Blokkeer Ria Hoekstra").click()
    expect(page.get_by_text("Ria Hoekstra kan je geen berichten meer sturen.")).to_be_visible()
    a11y.check()


def test_member_keeps_profile_mandates_and_data(page: Page, a11y, login_as, people) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    login_as(user)
    page.goto("/profiel/")
    a11y.check("profile")
    page.get_by_label("Korte introductie").fill("Raadslid met oog voor de jeugd.")
    page.get_by_label("Wie ziet mijn telefoonnummer").select_option("members")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Je profiel is opgeslagen.")).to_be_visible()
    a11y.check()
    page.get_by_role("link", name="Mandaat toevoegen").click()
    a11y.check("mandate-propose")
    page.get_by_label("Bestuursorgaan").select_option(label="Zwolle")
    page.get_by_label("Rol").select_option("councillor")
    page.get_by_label("Begin").fill("2022-03-30")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Wacht op controle")).to_be_visible()
    a11y.check()
    page.get_by_role("link", name="Bekijk mijn gegevens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gegevens")
    a11y.check("data-export")
    page.goto("/profiel/verwijderen/")
    a11y.check("erasure-request")


def test_administrator_imports_checks_and_invites(page: Page, a11y, login_as, people, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    admin = make_role_user(Role.ADMINISTRATOR)
    login_as(admin)
    page.goto("/beheer/")
    a11y.check("manage")
    page.get_by_role("link", name="Leden importeren").click()
    a11y.check("import-upload")
    bad = tmp_path / "leden.csv"
    bad.write_text("voornaam;achternaam;e-mail;gemeente\nTom;Bakker;tom@example.org;Atlantis\n", encoding="utf-8")
    page.get_by_label("Ledenlijst (CSV of Excel)").set_input_files(str(bad))
    page.get_by_role("button", name="Controleer het bestand").click()
    expect(page.get_by_text("Onbekende gemeente, provincie of waterschap: 'Atlantis'.")).to_be_visible()
    a11y.check("import-errors")
    page.get_by_role("link", name="Leden importeren").first.click()
    good = tmp_path / "goed.csv"
    good.write_text(
        "voornaam;achternaam;e-mail;gemeente;rol\nTom;Bakker;tom@example.org;Zwolle;raadslid\n", encoding="utf-8"
    )
    page.get_by_label("Ledenlijst (CSV of Excel)").set_input_files(str(good))
    page.get_by_role("button", name="Controleer het bestand").click()
    a11y.check("import-check")
    page.get_by_role("button", name="1 regel importeren").click()
    expect(page.get_by_text(re.compile("Geïmporteerd: 1 nieuwe leden"))).to_be_visible()
    a11y.check()
    page.goto("/beheer/leden/uitnodigen/")
    a11y.check("invite-bulk")
    page.get_by_role("button", name="Verstuur de uitnodigingen").click()
    expect(page.get_by_text("Klaar.")).to_be_visible()
    a11y.check("invite-progress")
    page.goto("/beheer/mandaten/")
    a11y.check("mandate-reviews")
