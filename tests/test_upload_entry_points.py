"""Every place a file comes in refuses a web page that is named like the file it should be
(`.pdf`, `.png`, `.docx`, `.xlsx`, `.csv`, `.txt`) with a clear message, and stores nothing; the
checks themselves are in core/tests/test_uploads.py, the threat model in docs/SECURITY.md."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from core.models import Association
from core.roles import Role
from desk.models import Case, CaseAttachment
from library.models import Document, ImportRun
from library.tests.test_views import motion_post
from members.models import ImportBatch, Member
from members.tests.test_profile import profile_data
from newsletter.models import NewsItem, Publication
from selection import services as selection_services
from selection.models import Application
from selection.tests.factories import applicant_data, make_procedure
from tests.factories import MandateFactory, MunicipalityFactory, ProvinceFactory, make_role_user

pytestmark = pytest.mark.django_db

PAGE = b"<!DOCTYPE html><html><body><script>fetch('/profiel/').then(r => r.text())</script></body></html>"


def web_page(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PAGE, content_type="application/pdf" if name.endswith(".pdf") else "image/png")


def image(kind: str, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{kind.lower()}")


def errors_of(response, field: str) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(e) for e in response.context["form"].errors.get(field, []))


def test_profile_photo(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    client.force_login(user)
    # A web page is no image at all; a GIF is an image, but not one of the accepted formats.
    for upload, message in ((web_page("foto.png"), "afbeelding"), (image("GIF", "foto.png"), "WebP")):
        response = client.post(reverse("members:profile"), {**profile_data(user.member), "photo": upload})
        assert response.status_code == 200
        assert message in errors_of(response, "photo")
    user.member.refresh_from_db()
    assert not user.member.photo
    response = client.post(reverse("members:profile"), {**profile_data(user.member), "photo": image("PNG", "foto.jpg")})
    assert response.status_code == 302
    user.member.refresh_from_db()
    assert user.member.photo.name.endswith(".png")


@pytest.mark.parametrize(
    ("model", "field"), [(Member, "photo"), (Association, "logo"), (NewsItem, "image")], ids=["photo", "logo", "news"]
)
def test_back_office_images(model, field) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/")
    request.user = make_role_user(Role.ADMINISTRATOR)
    form_field = admin.site._registry[model].get_form(request)().fields[field]
    for upload in (web_page("beeld.png"), image("GIF", "beeld.png")):
        with pytest.raises(ValidationError):
            form_field.clean(upload)
    assert form_field.clean(image("JPEG", "beeld.jpg"))


@pytest.fixture
def sharer(client):  # type: ignore[no-untyped-def]
    zwolle = MunicipalityFactory(name="Zwolle", code="GM0193", province=ProvinceFactory(name="Overijssel", code="PV23"))
    user = make_role_user(Role.MEMBER)
    MandateFactory(member=user.member, body=zwolle)
    client.force_login(user)
    return user


def test_library_upload(client, sharer) -> None:  # type: ignore[no-untyped-def]
    data = motion_post(considering=[], whereas=[], requests=[], file=web_page("motie.pdf"))
    response = client.post(reverse("library:share") + "?via=upload", data)
    assert response.status_code == 200
    assert "PDF" in errors_of(response, "file")
    assert Document.objects.count() == 0


def test_library_attachments(client, sharer) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("library:share"), {**motion_post(), "attachments": [web_page("bijlage.docx")]})
    assert response.status_code == 200
    assert "PDF" in errors_of(response, "attachments")
    assert Document.objects.count() == 0


def test_library_csv_import(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.EDITOR))
    for upload in (SimpleUploadedFile("moties.csv", PAGE), image("PNG", "moties.csv")):
        response = client.post(reverse("library:import_upload"), {"file": upload})
        assert response.status_code == 200
        assert "CSV" in " ".join(
            str(e)
            for e in response.context["form"].non_field_errors() + response.context["form"].errors.get("file", [])
        )
    assert ImportRun.objects.count() == 0


def test_member_import(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    for upload in (
        SimpleUploadedFile("leden.xlsx", PAGE),
        SimpleUploadedFile("leden.csv", PAGE),
        image("PNG", "leden.csv"),
    ):
        response = client.post(reverse("members:import_upload"), {"file": upload})
        assert response.status_code == 200, upload.name
        assert errors_of(response, "file"), upload.name
    assert ImportBatch.objects.count() == 0


@pytest.fixture
def editor(client):  # type: ignore[no-untyped-def]
    user = make_role_user(Role.EDITOR)
    client.force_login(user)
    return user


def test_news_image(client, editor) -> None:  # type: ignore[no-untyped-def]
    data = {"title": "Nieuws", "summary": "Kort.", "body": "Tekst.", "visibility": "public", "image_alt": "Een foto"}
    for upload in (web_page("foto.png"), image("GIF", "foto.png")):
        response = client.post(reverse("newsletter:news_create"), {**data, "image": upload})
        assert response.status_code == 200
        assert errors_of(response, "image")
    assert NewsItem.objects.count() == 0


def test_publication_pdf(client, editor) -> None:  # type: ignore[no-untyped-def]
    data = {
        "title": "Onderzoek",
        "summary": "Kort.",
        "authors": "A. de Boer",
        "date": "2026-10-01",
        "visibility": "public",
    }
    response = client.post(reverse("newsletter:publication_create"), {**data, "file": web_page("rapport.pdf")})
    assert response.status_code == 200
    assert "PDF" in errors_of(response, "file")
    assert Publication.objects.count() == 0


@pytest.mark.parametrize("name", ["brief.pdf", "foto.png", "notitie.txt"])
def test_desk_attachments(client, name) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.MEMBER))
    data = {"kind": "political", "confidentiality": "normal", "subject": "Vraag", "description": "Mijn vraag."}
    response = client.post(reverse("desk:ask"), {**data, "files": [web_page(name)]})
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert Case.objects.count() == 0 and CaseAttachment.objects.count() == 0
    # Plain text in a .txt file is welcome.
    response = client.post(
        reverse("desk:ask"), {**data, "files": [SimpleUploadedFile("notitie.txt", b"Wat er gebeurde.")]}
    )
    assert response.status_code == 302
    assert CaseAttachment.objects.get().content_type == "text/plain"


def test_selection_cv() -> None:
    world = make_procedure()
    with pytest.raises(ValidationError) as caught:
        selection_services.apply(procedure=world.procedure, data=applicant_data(), cv=web_page("cv.pdf"))
    assert "cv" in caught.value.message_dict
    assert Application.objects.count() == 0
