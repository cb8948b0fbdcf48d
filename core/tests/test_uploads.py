"""Files that come in are recognised by their content and limited in size (core.uploads); stored
files are never served with a type a browser would run (core.files)."""

from __future__ import annotations

import io
import zipfile

import pytest
import weasyprint
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from docx import Document as WordDocument
from PIL import Image

from core import uploads
from core.files import serve_bytes, serve_file
from core.models import Association

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, kind)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return weasyprint.HTML(string="<p>Motie</p>").write_pdf()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    document = WordDocument()
    document.add_paragraph("Schriftelijke vragen")
    document.save(buffer)
    return buffer.getvalue()


def test_types_come_from_the_content_not_the_name() -> None:
    assert uploads.content_type_of(image_bytes("PNG")) == uploads.PNG
    assert uploads.content_type_of(image_bytes("JPEG")) == uploads.JPEG
    assert uploads.content_type_of(image_bytes("WEBP")) == uploads.WEBP
    assert uploads.content_type_of(pdf_bytes()) == uploads.PDF
    assert uploads.content_type_of(docx_bytes()) == uploads.DOCX
    assert uploads.content_type_of(b"Gewoon een notitie.\n") == uploads.TEXT
    # Markup is not text: a browser could be made to run it.
    assert uploads.content_type_of(HTML) is None
    assert uploads.content_type_of(SVG) is None
    assert uploads.content_type_of(b"\x89PNG\r\n\x1a\n<html>not really a png") is None
    assert uploads.content_type_of(b"PK\x03\x04 a broken zip") is None
    assert uploads.content_type_of(b"MZ\x90\x00\x03\x00") is None
    # A PDF may start after some junk, but a web page that mentions the header is no PDF.
    assert uploads.content_type_of(b"\r\n" + pdf_bytes()) == uploads.PDF
    assert uploads.content_type_of(b"<html><!--%PDF-1.7--><script>alert(1)</script></html>") is None


def test_check_refuses_a_web_page_named_like_an_image_or_pdf() -> None:
    for name in ("foto.png", "brief.pdf", "stuk.docx"):
        with pytest.raises(ValidationError) as caught:
            uploads.check(
                SimpleUploadedFile(name, HTML), accept={uploads.PNG, uploads.PDF, uploads.DOCX}, max_bytes=10**6
            )
        assert caught.value.code == "wrong_type"
        assert name in caught.value.messages[0]


def test_check_image_accepts_only_the_named_formats() -> None:
    assert uploads.check_image(SimpleUploadedFile("x.jpg", image_bytes("JPEG"))) == uploads.JPEG
    with pytest.raises(ValidationError, match="PNG, JPEG, WebP"):
        uploads.check_image(SimpleUploadedFile("x.gif", image_bytes("GIF")))
    with pytest.raises(ValidationError):
        uploads.check_image(SimpleUploadedFile("x.png", b""))


def test_size_limit_does_not_trust_the_declared_size() -> None:
    upload = SimpleUploadedFile("groot.png", image_bytes("PNG", (400, 400)))
    with pytest.raises(ValidationError) as caught:
        uploads.check_image(upload, max_bytes=100)
    assert caught.value.code == "too_large"
    upload.size = 10  # a lie
    with pytest.raises(ValidationError) as caught:
        uploads.check_image(upload, max_bytes=100)
    assert caught.value.code == "too_large"
    assert upload.tell() == 0


def test_image_with_too_many_pixels_is_refused() -> None:
    huge = image_bytes("PNG", (8000, 6000))  # 48 megapixels, a few hundred kB compressed
    assert len(huge) < uploads.MAX_IMAGE_BYTES
    with pytest.raises(ValidationError):
        uploads.check_image(SimpleUploadedFile("huge.png", huge))


def test_zip_bomb_is_not_an_office_file() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"0" * (uploads.MAX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < 1_000_000
    assert uploads.zip_kind(buffer.getvalue()) is None


def test_safe_name_gets_the_extension_of_the_content() -> None:
    assert uploads.safe_name("motie.html", uploads.PDF) == "motie.pdf"
    assert uploads.safe_name("../../etc/pass wd", uploads.TEXT) == "pass wd.txt"
    assert uploads.safe_name('a"b;c.png', uploads.PNG) == "abc.png"
    assert uploads.safe_name("", uploads.JPEG, default="foto") == "foto.jpg"
    assert uploads.safe_name("x.exe", uploads.OCTET_STREAM) == "x.bin"


@pytest.mark.django_db
def test_a_stored_web_page_is_never_served_as_html() -> None:
    association = Association.get()
    for name, content in (("logo.html", HTML), ("logo.svg", SVG), ("logo.png", HTML)):
        stored = default_storage.save(f"test/{name}", ContentFile(content))
        response = serve_file(FieldFile(association, Association._meta.get_field("logo"), stored))
        assert response["Content-Type"] == "application/octet-stream", name
        assert response["Content-Disposition"].startswith("attachment;"), name
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert ".html" not in response["Content-Disposition"] and ".svg" not in response["Content-Disposition"]


@pytest.mark.django_db
def test_images_and_pdfs_are_shown_with_the_type_of_their_content() -> None:
    association = Association.get()
    field = Association._meta.get_field("logo")
    png = FieldFile(association, field, default_storage.save("test/logo.pdf", ContentFile(image_bytes("PNG"))))
    response = serve_file(png)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="logo.png"'
    assert "sandbox" in response["Content-Security-Policy"] and "script" not in response["Content-Security-Policy"]
    pdf = FieldFile(association, field, default_storage.save("test/rapport.html", ContentFile(pdf_bytes())))
    response = serve_file(pdf)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="rapport.pdf"'
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    download = serve_file(pdf, as_attachment=True, filename="Rapport 2026.pdf")
    assert download["Content-Disposition"] == 'attachment; filename="Rapport 2026.pdf"'


def test_serve_bytes_keeps_text_as_text_and_the_rest_opaque() -> None:
    text = serve_bytes(b"Een notitie", filename="notitie.txt")
    assert text["Content-Type"] == "text/plain" and text["Content-Disposition"].startswith("attachment;")
    page = serve_bytes(HTML, filename="notitie.txt")
    assert page["Content-Type"] == "application/octet-stream"
    assert page["Content-Disposition"] == 'attachment; filename="notitie.bin"'
    opaque = serve_bytes(pdf_bytes(), filename="brief.pdf", opaque=True)
    assert opaque["Content-Type"] == "application/octet-stream"
    assert opaque["Content-Disposition"] == 'attachment; filename="brief.pdf"'
    assert opaque["Cache-Control"] == "private, no-store" and opaque["X-Content-Type-Options"] == "nosniff"
