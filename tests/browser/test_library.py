"""The library in the browser, as in the issue's "done when": share by typing and by uploading,
find with another word form, narrow by facet, open a similar document, reuse as DOCX, get an alert."""

import datetime
import io

import pytest
import weasyprint
from django.core import mail
from django.utils import timezone
from docx import Document as WordDocument
from playwright.sync_api import Page, expect

from core.roles import Role
from library import engine, services
from library.models import Document, SavedSearch
from members.models import Topic
from tests.factories import DocumentFactory, MandateFactory, MunicipalityFactory, ProvinceFactory, make_role_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_share_find_reuse_and_alert(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    # (Transactional tests flush the tables, also the topics a data migration made.)
    Topic.objects.get_or_create(slug="wonen", defaults={"name": "Wonen"})
    overijssel = ProvinceFactory(code="PV23", name="Overijssel")
    drenthe = ProvinceFactory(code="PV22", name="Drenthe")
    zwolle = MunicipalityFactory(code="GM0193", name="Zwolle", province=overijssel)
    assen = MunicipalityFactory(code="GM0106", name="Assen", province=drenthe)
    sharer = make_role_user(Role.MEMBER, email="marieke@example.org")
    MandateFactory(member=sharer.member, body=zwolle)
    colleague = make_role_user(Role.MEMBER, email="assen@example.org")
    MandateFactory(member=colleague.member, body=assen)
    # Something already in the library that is alike, and something that is not.
    related = DocumentFactory(
        title="Motie Starterswoningen in het centrum",
        body=assen,
        text="Starters wachten jaren op een woning. In het centrum worden vooral dure appartementen gebouwd. "
        "Spreek bij nieuwbouw een vast percentage starterswoningen af.",
        visibility="members",
    )
    DocumentFactory(title="Motie Zwembad open houden", body=assen, text="Het zwembad blijft open.")
    engine.index_documents(Document.objects.all())

    # The colleague saves a search first, so that an alert can follow.
    login_as(colleague)
    page.goto("/bibliotheek/?q=starterswoning")
    a11y.check("library-search-before")
    page.get_by_text("Deze zoekopdracht bewaren en een e-mail krijgen over nieuwe documenten").click()
    page.get_by_label("Mail mij nieuwe resultaten").select_option("daily")
    page.get_by_role("button", name="Zoekopdracht bewaren").click()
    expect(page.get_by_text("Zoekopdracht bewaard")).to_be_visible()
    a11y.check()

    # The member in Zwolle types a motion in the structured editor.
    login_as(sharer)
    page.goto("/bibliotheek/")
    a11y.check()
    page.get_by_role("link", name="Een document delen").click()
    a11y.check("library-share-editor")
    page.get_by_label("Titel").fill("Motie Betaalbare starterswoningen in de binnenstad")
    expect(page.get_by_label("Raad")).to_have_value("Zwolle")  # from the mandate
    page.get_by_label("Datum vergadering").fill("2026-03-12")
    page.get_by_label("constaterende dat 1").fill("starters in Zwolle zeven jaar op een woning wachten;")
    page.get_by_role("button", name="Veld toevoegen: constaterende dat").click()
    page.get_by_label("constaterende dat 2").fill("in de binnenstad vooral dure appartementen worden gebouwd;")
    page.get_by_label("overwegende dat 1").fill("jonge inwoners de stad levendig houden;")
    page.get_by_label("verzoekt / draagt het college op 1").fill(
        "ten minste 30 procent starterswoningen af te spreken;"
    )
    page.get_by_label("Indienende en mede-indienende partijen").fill("GroenLinks-PvdA, ChristenUnie")
    page.get_by_label("Uitkomst").select_option("adopted")
    page.get_by_label("Wonen").check()
    a11y.check("library-share-editor-filled")
    page.get_by_role("button", name="Delen met collega's").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Motie Betaalbare starterswoningen in de binnenstad")
    expect(page.get_by_text("constaterende dat:")).to_be_visible()
    expect(page.get_by_text("en gaat over tot de orde van de dag.")).to_be_visible()
    a11y.check("library-document")

    # Switching the kind shows its own parts (without a round trip).
    page.goto("/bibliotheek/delen/")
    page.get_by_label("Soort document").select_option("questions")
    expect(page.get_by_label("Vraag 1")).to_be_visible()
    expect(page.get_by_label("constaterende dat 1")).to_be_hidden()

    # ... and uploads a PDF of written questions.
    page.get_by_role("link", name="Upload een PDF- of Word-bestand").click()
    a11y.check("library-share-upload")
    pdf = weasyprint.HTML(
        string="<h1>Schriftelijke vragen</h1><p>Hoeveel starterswoningen zijn er in 2025 opgeleverd?</p>"
    ).write_pdf()
    page.get_by_label("Soort document").select_option("questions")
    page.get_by_label("Titel").fill("Vragen over opgeleverde starterswoningen")
    page.get_by_label("Bestand (PDF of Word)").set_input_files(
        files=[{"name": "vragen.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.get_by_role("button", name="Delen met collega's").click()
    expect(page.get_by_role("link", name="Oorspronkelijk bestand")).to_be_visible()
    a11y.check()
    page.goto("/bibliotheek/mijn/")
    a11y.check("library-mine")

    # The alert goes out (the hourly job), with the new documents.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1))
        assert services.send_alerts(frequency="daily") == 1
    alert = mail.outbox[-1]
    assert alert.to == ["assen@example.org"]
    assert "Motie Betaalbare starterswoningen in de binnenstad" in alert.body
    assert "Vragen over opgeleverde starterswoningen" in alert.body

    # The colleague in Drenthe finds both with another word form, narrows down, opens a similar one.
    login_as(colleague)
    page.goto("/bibliotheek/")
    a11y.check()
    page.get_by_label("Zoekwoorden").fill("starterswoning")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("3 documenten")).to_be_visible()
    a11y.check("library-search")
    page.locator(".facet").filter(has_text="Soort").get_by_role("link", name="Schriftelijke vragen").click()
    expect(page.locator(".result-count")).to_contain_text("1 document ")
    expect(page.locator(".result__title")).to_have_text("Vragen over opgeleverde starterswoningen")
    a11y.check("library-search-facet")
    page.get_by_role("link", name="Schriftelijke vragen").first.click()  # remove the filter again
    a11y.check()
    page.get_by_role("link", name="Motie Betaalbare starterswoningen in de binnenstad").click()
    a11y.check()
    similar = page.locator(".similar")
    expect(similar.get_by_role("link", name=related.title)).to_be_visible()
    similar.get_by_role("link", name=related.title).click()
    a11y.check()
    page.go_back()

    # ... and reuses it for Assen as a DOCX for the griffie.
    page.get_by_role("link", name="Hergebruiken voor mijn raad").click()
    expect(page.get_by_label("Voor welke raad?")).to_have_value("Assen")
    a11y.check("library-reuse")
    page.get_by_role("button", name="Maak mijn concept").click()
    expect(page.get_by_text("Een concept voor je eigen raad staat klaar")).to_be_visible()
    expect(page.get_by_label("constaterende dat 2")).to_have_value(
        "in de binnenstad vooral dure appartementen worden gebouwd;"
    )
    a11y.check("library-edit-draft")
    page.get_by_label("Datum vergadering").fill("2026-04-02")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.get_by_text("Concept: alleen jij ziet het")).to_be_visible()
    a11y.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Als Word-document (.docx)").click()
    content = download.value.path().read_bytes()
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(content)).paragraphs)
    assert "gemeenteraad van Assen" in text and "ten minste 30 procent starterswoningen af te spreken;" in text
    assert download.value.suggested_filename.endswith(".docx")

    # One click from the alert stops it.
    saved = SavedSearch.objects.get()
    page.goto(f"/bibliotheek/afmelden/{saved.token}/")
    a11y.check("library-unsubscribe")
    page.get_by_role("button", name="Stoppen met deze e-mails").click()
    expect(page.get_by_text("Je krijgt geen e-mails meer over")).to_be_visible()
    a11y.check()


def test_editor_imports_a_csv_after_a_dry_run_and_deletes_a_document(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    MunicipalityFactory(code="GM0193", name="Zwolle")
    login_as(make_role_user(Role.EDITOR))
    page.goto("/beheer/bibliotheek/import/")
    a11y.check("library-import")
    csv_content = (
        b"title;council;date;result\nMotie Laadpalen;Zwolle;2024-02-01;aangenomen\nFout;Atlantis;2024-01-01;\n"
    )
    page.get_by_label("CSV-bestand").set_input_files(
        files=[{"name": "moties.csv", "mimeType": "text/csv", "buffer": csv_content}]
    )
    page.get_by_role("button", name="Controleer het bestand").click()
    expect(page.get_by_text("1 regel heeft een probleem")).to_be_visible()
    expect(page.get_by_text("onbekende organisatie 'Atlantis'")).to_be_visible()
    a11y.check("library-import-errors")
    page.goto("/beheer/bibliotheek/import/")
    page.get_by_label("CSV-bestand").set_input_files(
        files=[{"name": "moties.csv", "mimeType": "text/csv", "buffer": csv_content.split(b"Fout")[0]}]
    )
    page.get_by_role("button", name="Controleer het bestand").click()
    a11y.check("library-import-review")
    page.get_by_role("button", name="Nu importeren").click()
    expect(page.get_by_text("Geïmporteerd: 1 nieuw")).to_be_visible()
    a11y.check()
    document = Document.objects.get()
    page.goto(document.get_absolute_url())
    a11y.check()
    page.get_by_role("link", name="Verwijderen").click()
    a11y.check("library-delete")
    page.get_by_role("button", name="Verwijderen").click()
    a11y.check()
    assert not Document.objects.exists()


def test_empty_library_invites_sharing(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(make_role_user(Role.MEMBER))
    page.goto("/bibliotheek/")
    expect(page.get_by_text("Er zijn nog geen documenten gedeeld.")).to_be_visible()
    a11y.check("library-empty")


def test_a_large_result_counts_exactly_and_ranks_every_match(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    # Every match is ranked: the oldest document, which matches best, comes first among 121.
    zwolle = MunicipalityFactory(code="GM0193", name="Zwolle", province=ProvinceFactory(code="PV23"))
    assen = MunicipalityFactory(code="GM0106", name="Assen", province=ProvinceFactory(code="PV22"))
    start = datetime.date(2024, 1, 1)
    documents = [
        DocumentFactory(
            title=f"Motie fietsroutes naar school {i}",
            body=zwolle if i % 3 else assen,
            meeting_date=start + datetime.timedelta(days=7 * i),
            outcome="adopted" if i % 2 else "rejected",
        )
        for i in range(120)
    ]
    oldest = DocumentFactory(title="Fietsroutes", body=zwolle, meeting_date=datetime.date(2011, 3, 1))
    engine.index_documents([*documents, oldest])
    login_as(make_role_user(Role.MEMBER))
    page.goto("/bibliotheek/?q=fietsroutes")
    expect(page.get_by_role("status").filter(has_text="121 documenten")).to_be_visible()
    expect(page.get_by_text("Veel documenten passen")).to_have_count(0)
    expect(page.locator("main h3 a, main h2 a").filter(has_text="Fietsroutes").first).to_have_text("Fietsroutes")
    a11y.check("library-search-large")
    # A filter narrows it down.
    page.get_by_role("link", name="Assen").first.click()
    expect(page.get_by_role("status").filter(has_text="40 documenten")).to_be_visible()
    a11y.check()
