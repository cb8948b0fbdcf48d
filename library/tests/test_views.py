"""The library as members use it: share (editor and upload), find, reuse, save searches."""

from __future__ import annotations

import datetime
import importlib
import io
from types import SimpleNamespace

import pytest
import weasyprint
from django.apps import apps
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document as WordDocument
from pypdf import PdfWriter

from accounts.models import hash_token
from core.roles import Role
from core.tests.test_mail_secrets import raw_dump
from library import engine, services
from library.models import Document, SavedSearch, SearchChange
from members.models import Topic
from tests.factories import (
    DocumentFactory,
    MandateFactory,
    MemberFactory,
    MunicipalityFactory,
    ProvinceFactory,
    make_role_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zwolle():
    return MunicipalityFactory(name="Zwolle", code="GM0193", province=ProvinceFactory(name="Overijssel", code="PV23"))


@pytest.fixture
def assen():
    return MunicipalityFactory(name="Assen", code="GM0106", province=ProvinceFactory(name="Drenthe", code="PV22"))


@pytest.fixture
def sharer(client, zwolle):
    user = make_role_user(Role.MEMBER, email="sharer@example.org")
    MandateFactory(member=user.member, body=zwolle)
    client.force_login(user)
    return user


def motion_post(body_name: str = "Zwolle", **extra) -> dict:
    data = {
        "kind": "motion",
        "title": "Betaalbare starterswoningen",
        "body": body_name,
        "meeting_date": "2025-03-12",
        "agenda_item": "Woonvisie 2025-2030",
        "i_submitted": "on",
        "submitter_names": "",
        "parties": "GroenLinks-PvdA, ChristenUnie",
        "outcome": "adopted",
        "votes_for": "24",
        "votes_against": "13",
        "visibility": "members",
        "considering": ["starters in Zwolle gemiddeld zeven jaar op een woning wachten", ""],
        "whereas": ["betaalbare woningen jonge inwoners in de stad houden"],
        "request_verb": "requests",
        "requests": ["jaarlijks 300 starterswoningen te laten bouwen"],
        "text": "",
    }
    data.update(extra)
    return data


def pdf_bytes(text: str) -> bytes:
    return weasyprint.HTML(string=f"<h1>Motie</h1><p>{text}</p>").write_pdf()


def test_share_a_motion_in_the_structured_editor(client, sharer, zwolle):
    response = client.post(reverse("library:share"), motion_post())
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert document.parts["considering"] == ["starters in Zwolle gemiddeld zeven jaar op een woning wachten"]
    assert document.parts["requests"] == ["jaarlijks 300 starterswoningen te laten bouwen"]
    assert list(document.submitters.all()) == [sharer.member]
    assert document.shared_by == sharer.member and document.body == zwolle
    assert document.parties == "GroenLinks-PvdA, ChristenUnie"
    page = client.get(document.get_absolute_url())
    assert "constaterende dat" in page.content.decode()
    assert "en gaat over tot de orde van de dag." in page.content.decode()
    # Found with another word form.
    assert [h.document_id for h in engine.search("starterswoning", public_only=False).hits] == [document.pk]


def test_add_a_field_rerenders_without_saving(client, sharer):
    response = client.post(reverse("library:share"), {**motion_post(), "add": "considering"})
    assert response.status_code == 200
    assert Document.objects.count() == 0
    html = response.content.decode()
    assert html.count('name="considering"') == 3  # the typed one, the empty one, the added one
    assert "starters in Zwolle gemiddeld zeven jaar" in html


def test_share_needs_content_and_a_known_council(client, sharer):
    empty = motion_post(considering=[], whereas=[], requests=[])
    response = client.post(reverse("library:share"), empty)
    assert response.status_code == 200
    assert "Write the text of the document" in response.content.decode() or "Typ de tekst" in response.content.decode()
    response = client.post(reverse("library:share"), motion_post(body_name="Atlantis"))
    assert response.status_code == 200
    assert "Atlantis" in response.content.decode()
    assert Document.objects.count() == 0


def test_upload_a_pdf_extracts_and_indexes_the_text(client, sharer):
    upload = SimpleUploadedFile("motie.pdf", pdf_bytes("Constaterende dat de energiearmoede in Zwolle groeit."))
    data = motion_post(kind="other", title="Motie energiearmoede", considering=[], whereas=[], requests=[], file=upload)
    response = client.post(reverse("library:share") + "?via=upload", data)
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.source == Document.Source.UPLOAD
    assert "energiearmoede" in document.text
    assert document.file and default_storage.exists(document.file.name)
    assert [h.document_id for h in engine.search("energiearmoede", public_only=False).hits] == [document.pk]
    assert client.get(reverse("library:original", args=[document.pk]))["Content-Disposition"].startswith("attachment")


def test_scanned_pdf_is_kept_with_a_visible_note(client, sharer):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    data = motion_post(title="Gescande motie", file=SimpleUploadedFile("scan.pdf", buffer.getvalue()))
    response = client.post(reverse("library:share") + "?via=upload", data, follow=True)
    document = Document.objects.get()
    assert document.text == "" and document.text_note
    assert document.text_note in response.content.decode()


def test_encrypted_pdf_is_refused_and_nothing_is_saved(client, sharer):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="geheim", owner_password="geheim")
    buffer = io.BytesIO()
    writer.write(buffer)
    files_before = default_storage.listdir("library")[1] if default_storage.exists("library") else []
    data = motion_post(file=SimpleUploadedFile("beveiligd.pdf", buffer.getvalue()))
    response = client.post(reverse("library:share") + "?via=upload", data)
    assert response.status_code == 200
    assert "password" in response.content.decode() or "wachtwoord" in response.content.decode()
    assert Document.objects.count() == 0
    assert (default_storage.listdir("library")[1] if default_storage.exists("library") else []) == files_before


def test_upload_without_file_is_refused(client, sharer):
    response = client.post(reverse("library:share") + "?via=upload", motion_post())
    assert response.status_code == 200
    assert Document.objects.count() == 0


def test_search_page_shows_public_documents_to_everybody_and_the_rest_to_members(client, zwolle):
    public = DocumentFactory(title="Zonnepanelen op scholen", body=zwolle, visibility="public")
    members = DocumentFactory(title="Zonnepanelen op sporthallen", body=zwolle, visibility="members")
    engine.index_documents([public, members])
    anonymous = client.get(reverse("library:search"), {"q": "zonnepaneel"}).content.decode()
    # Titles come with the matching words marked.
    assert "<mark>Zonnepanelen</mark> op scholen" in anonymous and "op sporthallen" not in anonymous
    client.force_login(make_role_user(Role.MEMBER))
    member_page = client.get(reverse("library:search"), {"q": "zonnepaneel"}).content.decode()
    assert (
        "<mark>Zonnepanelen</mark> op scholen" in member_page
        and "<mark>Zonnepanelen</mark> op sporthallen" in member_page
    )


def test_search_page_facets_link_to_narrower_searches(client, zwolle, assen):
    client.force_login(make_role_user(Role.MEMBER))
    documents = [
        DocumentFactory(title="Woningen voor starters", body=zwolle, outcome="adopted"),
        DocumentFactory(title="Woningen voor ouderen", body=assen, outcome="rejected"),
    ]
    engine.index_documents(documents)
    response = client.get(reverse("library:search"), {"q": "woningen"})
    facet_links = next(f for f in response.context["facets"] if f["name"] == "body")["values"]
    assert {v["label"]: v["count"] for v in facet_links} == {"Zwolle": 1, "Assen": 1}
    narrowed = client.get(reverse("library:search") + next(v for v in facet_links if v["label"] == "Assen")["url"])
    assert [r["document"].pk for r in narrowed.context["rows"]] == [documents[1].pk]
    assert "Woningen voor starters" not in narrowed.content.decode()


def test_the_page_suggests_a_known_word_for_a_typo(client, zwolle):
    client.force_login(make_role_user(Role.MEMBER))
    engine.index_documents([DocumentFactory(title=f"Betaalbare woningen {i}", body=zwolle) for i in range(3)])
    dutch = client.get(reverse("library:search"), {"q": "wonignen", "kind": "motion", "page": "1"}).content.decode()
    # The typo still finds the documents through its near spelling, and the page names it.
    assert "3 documenten" in dutch
    assert (
        '<p class="search-suggestion" id="search-suggestion">Bedoelde je: '
        '<a href="?q=woningen&amp;kind=motion">woningen</a>?</p>'
    ) in dutch
    client.cookies["django_language"] = "en"
    english = client.get(reverse("library:search"), {"q": "wonignen"}).content.decode()
    assert 'Did you mean: <a href="?q=woningen">woningen</a>?' in english
    known = client.get(reverse("library:search"), {"q": "woningen"}).content.decode()
    assert "3 documents" in known and 'id="search-suggestion"' not in known


def test_the_page_explains_results_with_part_of_the_words_in_dutch_and_english(client, zwolle):
    client.force_login(make_role_user(Role.MEMBER))
    engine.index_documents(
        [
            DocumentFactory(title="Gratis zwemles voor kinderen", body=zwolle),
            DocumentFactory(title="Sportvelden in de wijk", body=zwolle),
        ]
    )
    dutch = client.get(reverse("library:search"), {"q": "zwemles sportvelden"}).content.decode()
    assert "2 documenten" in dutch
    assert (
        '<p class="helptext" id="search-partial">Geen document bevat al je woorden; hieronder documenten met '
        "een deel ervan (minstens 1 van 2 woorden).</p>"
    ) in dutch
    client.cookies["django_language"] = "en"
    english = client.get(reverse("library:search"), {"q": "zwemles sportvelden"}).content.decode()
    assert (
        "No document contains all your words; below are documents with some of them (at least 1 of 2 words)."
    ) in english
    # Every result holds every word: no explanation.
    whole = client.get(reverse("library:search"), {"q": "gratis zwemles"}).content.decode()
    assert "1 document" in whole and 'id="search-partial"' not in whole


def test_facet_headings_follow_the_chosen_language(client, zwolle):
    client.force_login(make_role_user(Role.MEMBER))
    engine.index_documents([DocumentFactory(title="Woningen voor starters", body=zwolle, outcome="adopted")])
    dutch = client.get(reverse("library:search"), {"q": "woningen"}).content.decode()
    assert ">Bestuurslaag</h3>" in dutch and ">Soort</h3>" in dutch
    client.cookies["django_language"] = "en"
    english = client.get(reverse("library:search"), {"q": "woningen"}).content.decode()
    assert ">Tier</h3>" in english and ">Kind</h3>" in english and ">Province</h3>" in english
    assert "Bestuurslaag" not in english and ">Soort<" not in english


def test_search_page_query_count_does_not_grow_with_results(client, zwolle):
    client.force_login(make_role_user(Role.MEMBER))
    topic = Topic.objects.get_or_create(name="Wonen", defaults={"slug": "wonen"})[0]

    def add(n: int) -> None:
        for i in range(n):
            document = DocumentFactory(title=f"Huurwoningen {i}", body=zwolle, parties="PvdA, CDA")
            document.topics.set([topic])
            engine.index_documents([document])

    add(2)
    # The association's settings and the synonym list are cached from now on.
    client.get(reverse("library:search"), {"q": "huurwoningen"})
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("library:search"), {"q": "huurwoningen"})
    add(15)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("library:search"), {"q": "huurwoningen"})
    assert len(many) == len(few)
    # Session, user, settings, the search (compounds, the count of matches, the statement), the
    # page's documents with their bodies, the facets' names...: a fixed number.
    assert len(many) <= 15


def test_a_large_result_has_an_exact_count_and_every_page_is_reachable(client, zwolle):
    client.force_login(make_role_user(Role.MEMBER))
    start = datetime.date(2025, 1, 1)
    documents = [
        DocumentFactory(title=f"Fietsroutes {i}", body=zwolle, meeting_date=start + datetime.timedelta(days=i))
        for i in range(45)
    ]
    engine.index_documents(documents)
    first = client.get(reverse("library:search"), {"q": "fietsroutes"})
    assert first.context["results"].total == 45 and first.context["results"].pages == 3
    page = first.content.decode()
    assert "45 documenten" in page and "Pagina 1 van 3" in page
    assert "Ongeveer" not in page and "≈" not in page
    shown = [r["document"].pk for r in first.context["rows"]]
    # Every page holds its own results, the last one too (no window of newest matches).
    for number in (2, 3):
        response = client.get(reverse("library:search"), {"q": "fietsroutes", "page": str(number)})
        assert response.status_code == 200
        shown += [r["document"].pk for r in response.context["rows"]]
    assert sorted(shown) == sorted(d.pk for d in documents)
    assert client.get(reverse("library:search"), {"q": "fietsroutes", "page": "4"}).status_code == 302


def test_page_beyond_the_last_redirects_and_bad_page_numbers_are_ignored(client, zwolle):
    engine.index_documents([DocumentFactory(title="Fietsroutes", body=zwolle, visibility="public")])
    assert client.get(reverse("library:search"), {"q": "fietsroutes", "page": "9"}).status_code == 302
    assert client.get(reverse("library:search"), {"q": "fietsroutes", "page": "x"}).status_code == 200


def test_document_page_shows_similar_documents(client, zwolle, assen):
    client.force_login(make_role_user(Role.MEMBER))
    base = DocumentFactory(title="Warmtenet in de wijk", body=zwolle, text="Warmtenet met restwarmte en aardwarmte.")
    close = DocumentFactory(title="Restwarmte benutten", body=assen, text="Aardwarmte en restwarmte via een warmtenet.")
    engine.index_documents([base, close])
    response = client.get(base.get_absolute_url())
    assert response.context["similar"] == [close]


def test_members_only_document_is_hidden_from_a_clerk_contact(client, zwolle):
    document = DocumentFactory(body=zwolle, visibility="members")
    client.force_login(make_role_user(Role.GRIFFIE_CONTACT))
    assert client.get(document.get_absolute_url()).status_code == 404


def test_reuse_makes_a_draft_for_my_council_and_downloads_docx(client, zwolle, assen):
    original = DocumentFactory(
        title="Motie betaalbare starterswoningen",
        body=zwolle,
        parts={"considering": ["starters lang wachten"], "requests": ["meer starterswoningen te bouwen"]},
    )
    engine.index_documents([original])
    colleague = make_role_user(Role.MEMBER, email="assen@example.org")
    MandateFactory(member=colleague.member, body=assen)
    client.force_login(colleague)
    form = client.get(reverse("library:reuse", args=[original.pk]))
    assert form.context["form"].initial["body"] == "Assen"
    response = client.post(reverse("library:reuse", args=[original.pk]), {"body": "Assen"})
    draft = Document.objects.get(reused_from=original)
    assert response["Location"] == reverse("library:edit", args=[draft.pk])
    assert draft.status == Document.Status.DRAFT and draft.body == assen
    assert list(draft.submitters.all()) == [colleague.member]
    # Drafts are not found by others.
    assert draft.pk not in [h.document_id for h in engine.search("starterswoningen", public_only=False).hits]
    download = client.get(reverse("library:download_docx", args=[draft.pk]))
    assert download.status_code == 200
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(download.content)).paragraphs)
    assert "gemeenteraad van Assen" in text and "meer starterswoningen te bouwen" in text
    assert client.get(reverse("library:download_pdf", args=[draft.pk])).content.startswith(b"%PDF")
    # Another member cannot see the draft.
    client.force_login(make_role_user(Role.MEMBER))
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_only_the_sharer_edits_and_deletes(client, sharer, zwolle):
    client.post(reverse("library:share"), motion_post())
    document = Document.objects.get()
    edited = client.post(
        reverse("library:edit", args=[document.pk]), motion_post(title="Starterswoningen nu", outcome="rejected")
    )
    assert edited.status_code == 302
    document.refresh_from_db()
    assert document.title == "Starterswoningen nu" and document.outcome == "rejected"
    assert [h.document_id for h in engine.search("starterswoningen nu", public_only=False).hits] == [document.pk]
    other = make_role_user(Role.MEMBER)
    client.force_login(other)
    assert client.get(reverse("library:edit", args=[document.pk])).status_code == 404
    assert client.post(reverse("library:delete", args=[document.pk])).status_code == 404
    client.force_login(sharer)
    assert client.post(reverse("library:delete", args=[document.pk])).status_code == 302
    assert not Document.objects.exists()
    assert engine.search("starterswoningen", public_only=False).total == 0


def test_saved_search_alert_arrives_and_one_click_unsubscribe(
    client, sharer, zwolle, django_capture_on_commit_callbacks
):
    response = client.post(
        reverse("library:save_search"), {"query_string": "q=armoede&kind=motion", "name": "", "frequency": "daily"}
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get()
    assert saved.name == "armoede" and saved.query_string == "q=armoede&kind=motion"
    # A matching document is shared (and one that does not match).
    DocumentFactory(title="Aanpak kinderarmoede", body=zwolle)
    DocumentFactory(title="Aanpak armoede", body=zwolle, kind="amendment")
    engine.index_documents(Document.objects.all())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency="daily", now=timezone.now() + datetime.timedelta(days=1)) == 1
    message = mail.outbox[-1]
    assert "Aanpak kinderarmoede" in message.body and "Aanpak armoede" not in message.body
    unsubscribe_url = reverse("library:unsubscribe", args=[saved.token])
    assert message.extra_headers["List-Unsubscribe"].endswith(unsubscribe_url + ">")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Nothing new: no second e-mail.
    assert services.send_alerts(frequency="daily", now=timezone.now() + datetime.timedelta(days=2, hours=1)) == 0
    # One click from the mail program (RFC 8058): no login, no CSRF token.
    client.logout()
    assert client.post(unsubscribe_url, {"List-Unsubscribe": "One-Click"}).status_code == 204
    saved.refresh_from_db()
    assert not saved.active
    # The link's token is in no column: a hash finds it, the token itself is encrypted.
    assert saved.token not in raw_dump(["library_savedsearch"]) and saved.token_hash == hash_token(saved.token)


def test_unsubscribe_links_already_sent_keep_working_after_the_migration(client):
    migration = importlib.import_module("library.migrations.0010_saved_search_token_hashed")
    saved = services.save_search(member=MemberFactory(), name="armoede", params={"q": "armoede"}, frequency="daily")
    with connection.cursor() as cursor:  # as it was stored before: the plain token, no hash
        cursor.execute(
            "UPDATE library_savedsearch SET token = %s, token_hash = %s WHERE id = %s",
            ["oude-afmeldlink", "", saved.pk],
        )
    migration.hash_tokens(apps, SimpleNamespace(connection=connection))
    assert "oude-afmeldlink" not in raw_dump(["library_savedsearch"])
    assert client.post(reverse("library:unsubscribe", args=["oude-afmeldlink"])).status_code == 200
    saved.refresh_from_db()
    assert not saved.active and saved.token == "oude-afmeldlink"
    migration.decrypt_tokens(apps, SimpleNamespace(connection=connection))
    assert "'oude-afmeldlink'" in raw_dump(["library_savedsearch"])


def test_unsubscribe_page_with_unknown_token_is_404(client):
    assert client.get(reverse("library:unsubscribe", args=["onbekend"])).status_code == 404


def test_saving_an_empty_search_is_refused(client, sharer):
    response = client.post(reverse("library:save_search"), {"query_string": "", "frequency": "weekly"}, follow=True)
    assert SavedSearch.objects.count() == 0
    assert response.status_code == 200


def test_csv_import_dry_run_then_import(client, zwolle):
    editor = make_role_user(Role.EDITOR)
    client.force_login(editor)
    csv_content = (
        b"id;kind;title;council;date;result;votes_for;votes_against;topics;text\n"
        b"z-1;motie;Motie laadpalen;Zwolle;2024-02-01;aangenomen;20;15;Mobiliteit;Meer laadpalen in de wijk.\n"
        b"z-2;amendement;Amendement begroting;GM0193;2024-11-07;verworpen;;;;Wijzig de begroting.\n"
    )
    response = client.post(reverse("library:import_upload"), {"file": SimpleUploadedFile("moties.csv", csv_content)})
    assert response.status_code == 302
    assert Document.objects.count() == 0  # a dry run first
    review = client.get(response["Location"])
    assert review.context["run"].error_count == 0
    client.post(response["Location"])
    assert Document.objects.count() == 2
    assert Document.objects.get(source_id="z-1").votes_for == 20
    # Importing the same file again changes nothing.
    again = client.post(reverse("library:import_upload"), {"file": SimpleUploadedFile("moties.csv", csv_content)})
    client.post(again["Location"])
    assert Document.objects.count() == 2


def test_csv_import_reports_bad_rows_and_imports_nothing(client, zwolle):
    client.force_login(make_role_user(Role.EDITOR))
    csv_content = b"title,council,date\nGoed,Zwolle,2024-01-01\nFout,Atlantis,2024-01-01\nDatum,Zwolle,2024-13-45\n"
    response = client.post(reverse("library:import_upload"), {"file": SimpleUploadedFile("m.csv", csv_content)})
    review = client.get(response["Location"])
    assert review.context["run"].error_count == 2
    client.post(response["Location"])
    assert Document.objects.count() == 0


def test_csv_without_required_columns_is_refused(client):
    client.force_login(make_role_user(Role.EDITOR))
    response = client.post(reverse("library:import_upload"), {"file": SimpleUploadedFile("m.csv", b"naam\nx\n")})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_alerts_command_sends_due_alerts(sharer, zwolle, django_capture_on_commit_callbacks):
    import time_machine
    from django.core.management import call_command

    services.save_search(member=sharer.member, name="Laadpalen", params={"q": "laadpalen"}, frequency="weekly")
    engine.index_documents([DocumentFactory(title="Laadpalen in de wijk", body=zwolle)])
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("library_alerts", "--now", stdout=out)
    assert "weekly: 0" in out.getvalue()  # not due yet: saved just now
    later = timezone.now() + datetime.timedelta(days=7, hours=1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        call_command("library_alerts", "--now", stdout=out)
    assert "weekly: 1" in out.getvalue()
    assert "Laadpalen in de wijk" in mail.outbox[-1].body


def test_an_alert_waits_for_documents_the_worker_has_not_indexed_yet(
    client, sharer, zwolle, django_capture_on_commit_callbacks
):
    client.post(reverse("library:save_search"), {"query_string": "q=armoede", "name": "", "frequency": "daily"})
    saved = SavedSearch.objects.get()
    start = timezone.now()
    indexed = DocumentFactory(title="Aanpak armoede", body=zwolle, shared_at=start + datetime.timedelta(hours=1))
    engine.index_documents([indexed])
    waiting = DocumentFactory(title="Armoede onder ouderen", body=zwolle, shared_at=start + datetime.timedelta(hours=2))
    SearchChange.objects.create(document_id=waiting.pk, op=SearchChange.Op.INDEX)  # not applied yet
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency="daily", now=start + datetime.timedelta(days=1)) == 1
    assert "Aanpak armoede" in mail.outbox[-1].body and "ouderen" not in mail.outbox[-1].body
    saved.refresh_from_db()
    assert saved.last_sent_at < waiting.shared_at  # the next alert starts before the waiting document
    services.index_pending()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency="daily", now=start + datetime.timedelta(days=2, hours=1)) == 1
    assert "Armoede onder ouderen" in mail.outbox[-1].body and "Aanpak armoede" not in mail.outbox[-1].body
