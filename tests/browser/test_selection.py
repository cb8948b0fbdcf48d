"""Candidate selection in the browser, as in the issue's "done when": a branch secretary sets up a
procedure for the Provinciale Staten election in their province, three people apply (one member,
two outsiders), a conflicted committee member is kept out of one applicant, the committee scores
and ranks, the list exports as PDF, applicants get status e-mails, and nothing leaks to another
branch."""

import datetime
import io
import re
from pathlib import Path

import pypdf
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.roles import Role
from selection.models import INTEGRITY_QUESTIONS, Application, SelectionProcedure
from selection.tests.factories import docx_bytes, make_official, pdf_bytes
from tests.factories import BranchFactory, ProvinceFactory, enable_totp, make_role_user

pytestmark = pytest.mark.django_db(transaction=True)

PDF = {"name": "cv.pdf", "mimeType": "application/pdf"}
QUESTIONS = [str(question) for _key, question, _explain in INTEGRITY_QUESTIONS]


def fill_application(page: Page, *, given: str, family: str, email: str, cv: dict) -> None:  # type: ignore[type-arg]
    page.get_by_label("Voornaam").fill(given)
    page.get_by_label("Achternaam").fill(family)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Telefoon").fill("06-12345678")
    page.get_by_label("Straat en huisnummer").fill("Stationsweg 12")
    page.get_by_label("Postcode").fill("8011 CZ")
    page.get_by_label("Woonplaats").fill("Zwolle")
    page.get_by_label("Geboortedatum").fill("1988-06-01")
    page.get_by_label("Waarom wil je kandidaat worden?").fill(
        "Ik wil Overijssel bereikbaar houden, ook buiten de steden."
    )
    page.get_by_label("Mobiliteit").check()
    page.locator("#id_cv").set_input_files(cv)
    for question in QUESTIONS:
        answer = "Ja" if "VOG" in question else "Nee"
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_label(re.compile("Ik verklaar dat ik deze vragen")).check()
    page.get_by_label("Je volledige naam, als handtekening").fill(f"{given} {family}")


def test_selection_from_call_to_advised_list(page: Page, a11y, login_as, live_server) -> None:  # type: ignore[no-untyped-def]
    from members.models import Topic

    Topic.objects.get_or_create(slug="mobiliteit", defaults={"name": "Mobiliteit"})
    overijssel = ProvinceFactory(code="PV23", name="Overijssel")
    gewest = BranchFactory(name="Gewest Overijssel", slug="gewest-overijssel", kind="regional", province=overijssel)
    secretary = make_official(gewest, name="Sanne Secretaris")
    chair = make_role_user(Role.MEMBER, name="Carla Commissie", email="carla@example.org")
    scorer = make_role_user(Role.MEMBER, name="Mees Meelezer", email="mees@example.org")
    conflicted = make_role_user(Role.MEMBER, name="Kees Kennis", email="kees@example.org")
    applicant_member = make_role_user(Role.MEMBER, name="Marieke Lid", email="marieke@example.org")
    for seat in (chair, scorer, conflicted):  # a committee seat needs a second factor, set up beforehand
        enable_totp(seat)
    drenthe = ProvinceFactory(code="PV22", name="Drenthe")
    other_branch = BranchFactory(name="Gewest Drenthe", slug="gewest-drenthe", kind="regional", province=drenthe)
    other_secretary = make_official(other_branch, name="Otto Anders")
    today = timezone.localdate()

    # The secretary opens the procedure, appoints the committee and publishes the call.
    login_as(secretary)
    page.goto("/")
    a11y.check()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Selectieprocedures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn selectieprocedures")
    a11y.check("selection-procedures-empty")
    page.get_by_role("link", name="Procedure openen").click()
    a11y.check("selection-open")
    page.get_by_label("Titel").fill("Kandidaten Provinciale Staten Overijssel 2027")
    page.get_by_label("Verkiezing:", exact=True).select_option(label="Provinciale Statenverkiezingen")
    page.get_by_label("Bestuursorgaan").select_option(label="Overijssel (Provincie)")
    page.get_by_label("Verkiezingsdag").fill("2027-03-17")
    page.get_by_label("Profielschets").fill("We zoeken Statenleden die de regio kennen en durven te kiezen.")
    page.get_by_label("Oproep open vanaf").fill(today.isoformat())
    page.get_by_label("Aanmelden kan tot en met").fill((today + datetime.timedelta(days=21)).isoformat())
    page.get_by_label("Ledenvergadering:", exact=True).fill((today + datetime.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Procedure openen").click()
    expect(page.get_by_text("De procedure is geopend als concept")).to_be_visible()
    expect(page.get_by_text("Benoem de voorzitter van de selectiecommissie.")).to_be_visible()
    a11y.check("selection-dashboard-draft")
    procedure = SelectionProcedure.objects.get()
    page.get_by_role("link", name="Criteria").click()
    a11y.check("selection-criteria")
    page.get_by_role("button", name="Criteria opslaan").click()
    page.get_by_role("link", name="Commissie", exact=True).click()
    a11y.check("selection-committee-empty")
    for user, is_chair in ((chair, True), (scorer, False), (conflicted, False)):
        page.get_by_label("E-mailadres van het lid").fill(user.email)
        if is_chair:
            page.get_by_label("Voorzitter van de commissie").check()
        page.get_by_role("button", name="Aan de commissie toevoegen").click()
        expect(page.get_by_text(f"{user.member.full_name} zit in de commissie.")).to_be_visible()
    a11y.check("selection-committee")
    page.get_by_role("link", name=procedure.title).click()
    page.get_by_role("button", name="Oproep publiceren").click()
    expect(page.get_by_text("De oproep is gepubliceerd.")).to_be_visible()
    assert {m.to[0] for m in mail.outbox} >= {chair.email, scorer.email, conflicted.email}

    # Two outsiders apply without an account; the first one tries a file that is no CV first.
    page.context.clear_cookies()
    page.goto("/")
    a11y.check()
    # The front page lists the open call itself, and leads to all calls.
    expect(
        page.get_by_role("region", name="Kandidaat worden").get_by_role("link", name=procedure.title)
    ).to_be_visible()
    page.get_by_role("link", name="Alle oproepen voor kandidaten").click()
    a11y.check("selection-calls")
    page.get_by_role("link", name=procedure.title).click()
    expect(page.get_by_text("Motivatie en binding met de partij")).to_be_visible()
    a11y.check("selection-call")
    page.get_by_role("link", name="Aanmelden").click()
    a11y.check("selection-apply")
    fill_application(
        page,
        given="Anouk",
        family="Brink",
        email="anouk@example.org",
        cv={**PDF, "buffer": b"MZ\x90\x00 een programma"},
    )
    page.get_by_role("button", name="Aanmelding versturen").click()
    expect(page.get_by_text("Upload een PDF of Word-document (.docx).")).to_be_visible()
    a11y.check("selection-apply-errors")
    assert not Application.objects.exists()
    page.locator("#id_cv").set_input_files({**PDF, "buffer": pdf_bytes()})
    page.get_by_role("button", name="Aanmelding versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor je aanmelding")
    a11y.check("selection-applied")
    page.goto(procedure.get_call_url() + "aanmelden/")
    fill_application(
        page,
        given="Bram",
        family="Dekker",
        email="bram@example.org",
        cv={"name": "cv.docx", "mimeType": "application/octet-stream", "buffer": docx_bytes()},
    )
    page.get_by_role("button", name="Aanmelding versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor je aanmelding")

    # A member applies with their details filled in, and finds the application under their name.
    login_as(applicant_member)
    page.goto(procedure.get_call_url() + "aanmelden/")
    expect(page.get_by_label("E-mailadres")).to_have_value("marieke@example.org")
    fill_application(
        page, given="Marieke", family="Lid", email="marieke@example.org", cv={**PDF, "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="Aanmelding versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor je aanmelding")
    page.goto("/kandidaat-worden/mijn-aanmeldingen/")
    a11y.check("selection-my-applications")
    page.get_by_role("link", name=procedure.title).click()
    expect(page.locator("dd").get_by_text("Ingediend", exact=True)).to_be_visible()
    a11y.check("selection-status")
    anouk, bram, marieke = Application.objects.order_by("pk")
    confirmations = {m.to[0]: m for m in mail.outbox if "Je aanmelding voor" in m.subject}
    assert set(confirmations) == {"anouk@example.org", "bram@example.org", "marieke@example.org"}
    assert anouk.get_status_url() in confirmations["anouk@example.org"].body
    assert marieke.member == applicant_member.member and anouk.member is None

    # The conflicted committee member is kept out of Anouk's application.
    login_as(conflicted)
    page.goto(procedure.get_absolute_url())
    page.get_by_role("link", name="een belangenverstrengeling met Anouk Brink").click()
    a11y.check("selection-conflict")
    page.get_by_label("Wat is de belangenverstrengeling?").fill("Anouk is mijn nicht.")
    page.get_by_role("button", name="Belangenverstrengeling melden").click()
    expect(page.get_by_text("Je belangenverstrengeling is vastgelegd.")).to_be_visible()
    expect(page.get_by_role("link", name="Anouk Brink")).to_have_count(0)
    expect(page.get_by_text("(je belangenverstrengeling)")).to_be_visible()
    a11y.check("selection-dashboard-conflicted")
    response = page.goto(anouk.get_absolute_url())
    assert response is not None and response.status == 404
    a11y.check()

    # The committee scores; the chair reads an application, plans an interview and takes notes.
    def score_everyone(user, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
        login_as(user)
        for application in (anouk, bram, marieke):
            page.goto(procedure.get_absolute_url())
            page.get_by_role("link", name=f"scores geven aan {application.full_name}").click()
            # locator.all() does not wait: be on the score form before listing its groups.
            expect(page.get_by_role("button", name="Mijn scores opslaan")).to_be_visible()
            if page.url not in a11y.checked:
                a11y.check()
            for group in page.locator("form .scale fieldset").all():
                group.get_by_label(values[application.given_name], exact=True).check()
            page.get_by_role("button", name="Mijn scores opslaan").click()
            expect(page.get_by_text("Je scores zijn opgeslagen.")).to_be_visible()

    login_as(scorer)
    page.goto(procedure.get_absolute_url())
    page.get_by_role("link", name="scores geven aan Bram Dekker").click()
    a11y.check("selection-score")
    score_everyone(scorer, {"Anouk": "4", "Bram": "5", "Marieke": "3"})
    score_everyone(chair, {"Anouk": "5", "Bram": "4", "Marieke": "2"})
    page.goto(procedure.get_absolute_url())
    expect(page.get_by_text("5 van 5").first).to_be_visible()
    a11y.check("selection-dashboard")
    page.get_by_role("link", name="Bram Dekker", exact=True).click()
    expect(page.get_by_role("heading", name="Scores van de commissie")).to_be_visible()
    a11y.check("selection-application")
    page.get_by_label("Datum en tijd").fill("2026-12-15T19:30")
    page.get_by_label("Locatie").fill("Provinciehuis, Zwolle")
    page.get_by_role("button", name="Plannen").click()
    page.get_by_role("link", name=re.compile("15 december 2026, 19:30")).click()
    a11y.check("selection-interview")
    page.get_by_label("Aantekeningen van het gesprek").fill("Sterk op bereikbaarheid van het platteland.")
    page.get_by_label("Het gesprek heeft plaatsgevonden").check()
    page.get_by_role("button", name="Aantekeningen opslaan").click()
    expect(page.locator("dd").get_by_text("Gesprek gevoerd", exact=True)).to_be_visible()

    # The chair ranks Bram and Anouk, finalises, and exports the list as PDF.
    page.goto(procedure.get_absolute_url())
    page.get_by_role("link", name="Advies van de commissie").click()
    a11y.check("selection-advice-editor")
    page.get_by_label("Plaats van Bram Dekker").fill("1")
    page.get_by_label("Motivering voor Bram Dekker").fill("Ervaren en sterk in het debat.")
    page.get_by_label("Plaats van Anouk Brink").fill("2")
    page.get_by_label("Motivering voor Anouk Brink").fill("Brengt nieuwe energie en kennis van wonen.")
    page.get_by_role("button", name="Advies vaststellen").click()
    expect(page.get_by_text("Het advies is definitief.")).to_be_visible()
    a11y.check("selection-advice")
    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden als pdf").click()
    pdf = pypdf.PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert text.index("Bram Dekker") < text.index("Anouk Brink") and "Marieke" not in text
    assert dict(Application.objects.values_list("given_name", "status")) == {
        "Anouk": "placed",
        "Bram": "placed",
        "Marieke": "not_selected",
    }

    # The secretary sends the status e-mails.
    login_as(secretary)
    page.goto(procedure.get_absolute_url())
    page.get_by_role("link", name="Statusmails").click()
    a11y.check("selection-mails")
    mail.outbox.clear()
    page.get_by_role("button", name="“op de lijst geplaatst” versturen").click()
    expect(page.get_by_text("2 e-mails zijn verstuurd.")).to_be_visible()
    page.get_by_role("button", name="“niet geselecteerd” versturen").click()
    assert sorted(m.to[0] for m in mail.outbox) == ["anouk@example.org", "bram@example.org", "marieke@example.org"]
    rejection = next(m for m in mail.outbox if m.to == ["marieke@example.org"])
    assert "Beste Marieke Lid" in rejection.body and marieke.get_status_url() in rejection.body
    page.goto(marieke.get_status_url())
    expect(page.locator("dd").get_by_text("Niet geselecteerd", exact=True)).to_be_visible()
    expect(page.get_by_text("Nog niemand heeft het gelezen.")).to_be_visible()
    page.goto(bram.get_status_url())
    expect(page.get_by_role("cell", name="Carla Commissie").first).to_be_visible()  # who read it
    a11y.check("selection-status-read")

    # Nothing leaks to another branch.
    login_as(other_secretary)
    page.goto("/selectie/")
    expect(page.get_by_text(procedure.title)).to_have_count(0)
    a11y.check("selection-procedures-other-branch")
    for url in (procedure.get_absolute_url(), bram.get_absolute_url(), f"/selectie/{procedure.pk}/advies.pdf"):
        response = page.goto(url)
        assert response is not None and response.status == 404
        a11y.check()
