import io
import os
import zipfile

import docx
import pypdf
import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from library.extract import (
    DOCX_CONTENT_TYPE,
    MAX_PDF_PAGES,
    PDF_CONTENT_TYPE,
    Extracted,
    ExtractionError,
    extract,
    normalise,
)


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    # The messages are asserted in their English source text.
    with translation.override("en"):
        yield


MOTION_HTML = """
<html lang="nl"><body>
  <h1>Motie energiearmoede</h1>
  <p>De raad van de gemeente Utrecht, in vergadering bijeen,</p>
  <p>Constaterende dat de energiearmoede toeneemt;</p>
  <p>Overwegende dat de financiële positie van huishoudens verslechtert;</p>
  <p style="page-break-before: always">Verzoekt het college de woningbouw te versnellen,</p>
  <p>en gaat over tot de orde van de dag.</p>
</body></html>
"""


def make_pdf(html: str = MOTION_HTML) -> bytes:
    return weasyprint.HTML(string=html).write_pdf()


def blank_pdf(pages: int = 1) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(*, user_password: str, owner_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf()))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(build=None) -> bytes:
    document = docx.Document()
    if build is None:
        document.add_heading("Schriftelijke vragen over energiearmoede", level=1)
        document.add_paragraph("Constaterende dat de energiearmoede toeneemt;")
        document.add_paragraph("Hoeveel huishoudens krijgen een energietoeslag?", style="List Number")
        document.add_paragraph("Wat is de financiële bijdrage van het Rijk?", style="List Number")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Wijk"
        table.cell(0, 1).text = "Huishoudens"
        table.cell(1, 0).text = "Kanaleneiland"
        table.cell(1, 1).text = "1234"
        document.add_paragraph("Namens de fractie, Jansen")
    else:
        build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "motie.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(content: bytes, name: str, **kwargs) -> ExtractionError:
    with pytest.raises(ExtractionError) as excinfo:
        extract(upload(content, name), **kwargs)
    return excinfo.value


# --- PDF ---


def test_text_pdf_yields_its_dutch_words_with_accents_and_page_count():
    result = extract(upload(make_pdf()))

    assert isinstance(result, Extracted)
    assert result.content_type == PDF_CONTENT_TYPE
    assert result.pages == 2
    assert result.note == ""
    assert "Constaterende dat de energiearmoede toeneemt" in result.text
    assert "financiële positie" in result.text
    assert "woningbouw" in result.text
    # Pages are separate paragraphs.
    assert "\n\nVerzoekt het college" in result.text


def test_pdf_text_has_normalised_whitespace():
    text = extract(upload(make_pdf())).text

    assert "  " not in text
    assert "\n\n\n" not in text
    assert text == text.strip()


def test_pdf_is_detected_by_content_not_by_name():
    result = extract(upload(make_pdf(), name="motie.docx"))

    assert result.content_type == PDF_CONTENT_TYPE
    assert "energiearmoede" in result.text


def test_pdf_split_word_at_line_end_is_joined():
    # A narrow column makes WeasyPrint break at the soft hyphen: "woning‐" ends a line, "bouw" starts the next.
    html = '<p style="width: 2.2cm; font-size: 12pt; hyphens: manual">woning&shy;bouw woning&shy;bouw</p>'
    raw = pypdf.PdfReader(io.BytesIO(make_pdf(html))).pages[0].extract_text()
    assert "woning\u2010\nbouw" in raw  # the premise: WeasyPrint hyphenates with U+2010 HYPHEN

    assert extract(upload(make_pdf(html))).text == "woningbouw\nwoningbouw"


def test_user_password_pdf_is_refused():
    error = refusal(encrypted_pdf(user_password="geheim", owner_password="ook-geheim"), "motie.pdf")

    assert error.code == "encrypted"
    assert str(error) == error.message
    assert "protected with a password" in str(error)


def test_owner_password_only_pdf_is_extracted():
    content = encrypted_pdf(user_password="", owner_password="eigenaar")
    assert pypdf.PdfReader(io.BytesIO(content)).is_encrypted  # the premise of this test

    result = extract(upload(content))

    assert "Constaterende dat de energiearmoede toeneemt" in result.text
    assert result.pages == 2


def test_blank_pdf_is_accepted_with_a_note():
    result = extract(upload(blank_pdf(pages=3), name="scan.pdf"))

    assert result.text == ""
    assert result.pages == 3
    assert result.content_type == PDF_CONTENT_TYPE
    assert "No text could be extracted" in result.note


def test_pdf_pages_beyond_the_cap_are_counted_but_not_read():
    result = extract(upload(blank_pdf(pages=MAX_PDF_PAGES + 5)))

    assert result.pages == MAX_PDF_PAGES + 5


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_truncated_pdf_is_refused_as_damaged(fraction):
    content = make_pdf()

    error = refusal(content[: int(len(content) * fraction)], "motie.pdf")

    assert error.code == "damaged"
    assert "could not be read" in str(error)


def test_random_bytes_named_pdf_are_refused():
    error = refusal(os.urandom(4096), "motie.pdf")

    assert error.code == "unsupported_type"
    assert str(error) == "Upload a PDF or Word document (.docx)."


def test_pdf_header_followed_by_garbage_is_refused_as_damaged():
    error = refusal(b"%PDF-1.7\n" + os.urandom(4096), "motie.pdf")

    assert error.code == "damaged"


def test_deeply_nested_pdf_object_is_refused_not_crashing():
    # An array nested far deeper than the recursion limit in the page's resources.
    content = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /Resources " + b"[" * 50_000 + b"]" * 50_000 + b" >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )

    with pytest.raises(ExtractionError):
        extract(upload(content))


# --- DOCX ---


def test_docx_yields_paragraphs_list_items_and_table_cells_in_order():
    result = extract(upload(make_docx(), name="vragen.docx"))

    assert result.content_type == DOCX_CONTENT_TYPE
    assert result.pages is None
    assert result.note == ""
    assert result.text.split("\n\n") == [
        "Schriftelijke vragen over energiearmoede",
        "Constaterende dat de energiearmoede toeneemt;",
        "Hoeveel huishoudens krijgen een energietoeslag?",
        "Wat is de financiële bijdrage van het Rijk?",
        "Wijk",
        "Huishoudens",
        "Kanaleneiland",
        "1234",
        "Namens de fractie, Jansen",
    ]


def test_docx_is_detected_by_content_not_by_name():
    result = extract(upload(make_docx(), name="vragen.pdf"))

    assert result.content_type == DOCX_CONTENT_TYPE


def test_docx_line_breaks_tabs_and_spaces_are_normalised():
    def build(document):
        paragraph = document.add_paragraph("Eerste   regel\t met tab")
        paragraph.add_run().add_break()
        paragraph.add_run("tweede regel ")
        document.add_paragraph("")
        document.add_paragraph("   ")
        document.add_paragraph("Laatste")

    text = extract(upload(make_docx(build), name="x.docx")).text

    assert text == "Eerste regel met tab\ntweede regel\n\nLaatste"


def test_empty_docx_is_accepted_with_a_note():
    result = extract(upload(make_docx(lambda document: None), name="leeg.docx"))

    assert result.text == ""
    assert "No text could be extracted" in result.note


def test_png_named_docx_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(200)

    error = refusal(png, "motie.docx")

    assert error.code == "unsupported_type"
    assert str(error) == "Upload a PDF or Word document (.docx)."


def test_legacy_doc_is_refused():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)

    assert refusal(ole, "motie.doc").code == "unsupported_type"


def test_password_protected_docx_is_refused_with_password_message():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512) + "EncryptedPackage".encode("utf-16-le") + bytes(512)

    error = refusal(ole, "motie.docx")

    assert error.code == "encrypted"
    assert "password" in str(error)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_zip_without_word_document_is_refused():
    content = zip_bytes({"readme.txt": b"Constaterende dat", "data/sheet.xml": b"<x/>"})

    assert refusal(content, "motie.docx").code == "unsupported_type"


def test_truncated_docx_is_refused_as_damaged():
    content = make_docx()

    error = refusal(content[: len(content) // 2], "motie.docx")

    assert error.code == "damaged"
    assert "could not be read" in str(error)


def test_docx_with_malformed_xml_is_refused_as_damaged():
    content = zip_bytes({"word/document.xml": b"<w:document><w:body><w:p>"})

    assert refusal(content, "motie.docx").code == "damaged"


def test_docx_with_entity_expansion_is_not_expanded():
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
        )
        + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )

    try:
        result = extract(upload(zip_bytes({"word/document.xml": lol}), name="lol.docx"))
    except ExtractionError:
        return
    assert len(result.text) < 1000


def test_docx_zip_bomb_is_refused_before_unpacking():
    # 101 MB of zeros compresses to about 100 kB.
    bomb = zip_bytes({"word/document.xml": b"<x/>", "word/media/image1.bin": bytes(101 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024

    error = refusal(bomb, "bom.docx")

    assert error.code == "too_large"


def test_docx_with_huge_document_xml_is_refused():
    bomb = zip_bytes({"word/document.xml": b" " * (51 * 1024 * 1024)})

    assert refusal(bomb, "bom.docx").code == "too_large"


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


def test_docx_text_box_is_found_once_and_deleted_text_and_field_codes_are_left_out():
    box = "<w:txbxContent><w:p><w:r><w:t>Tekst in kader</w:t></w:r></w:p></w:txbxContent>"
    xml = (
        f"<w:document {W} {MC}><w:body>"
        "<w:p><w:r><w:t>Voor</w:t></w:r>"
        f"<mc:AlternateContent><mc:Choice>{box}</mc:Choice><mc:Fallback>{box}</mc:Fallback></mc:AlternateContent>"
        "<w:r><w:t xml:space='preserve'> na</w:t></w:r></w:p>"
        "<w:p><w:del><w:r><w:delText>geschrapt</w:delText></w:r></w:del>"
        "<w:r><w:instrText>PAGE</w:instrText></w:r><w:ins><w:r><w:t>ingevoegd</w:t></w:r></w:ins></w:p>"
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>In inhoudsbesturingselement</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "</w:body></w:document>"
    )

    text = extract(upload(zip_bytes({"word/document.xml": xml.encode()}), name="x.docx")).text

    assert text.split("\n\n") == ["Voor na", "Tekst in kader", "ingevoegd", "In inhoudsbesturingselement"]


def test_long_text_is_truncated_at_the_cap(monkeypatch):
    monkeypatch.setattr("library.extract.MAX_TEXT_CHARS", 60)

    pdf_text = extract(upload(make_pdf())).text
    docx_text = extract(upload(make_docx(), name="x.docx")).text

    assert 0 < len(pdf_text) <= 60
    assert 0 < len(docx_text) <= 60
    assert pdf_text.startswith("Motie energiearmoede")


def test_only_the_first_pages_are_read_beyond_the_page_cap(monkeypatch):
    monkeypatch.setattr("library.extract.MAX_PDF_PAGES", 1)

    result = extract(upload(make_pdf()))

    assert result.pages == 2
    assert "energiearmoede" in result.text
    assert "Verzoekt" not in result.text


# --- size, position, robustness ---


def test_oversized_file_is_refused_with_the_limit_in_megabytes():
    content = make_pdf() + bytes(1024 * 1024)

    error = refusal(content, "motie.pdf", max_bytes=1024 * 1024)

    assert error.code == "too_large"
    assert str(error).startswith("This file is larger than 1 MB.")


def test_default_limit_comes_from_settings(settings):
    settings.LIBRARY_MAX_UPLOAD_BYTES = 10

    error = refusal(make_pdf(), "motie.pdf")

    assert error.code == "too_large"


def test_size_is_checked_on_the_bytes_even_if_size_attribute_lies():
    file = upload(make_pdf())
    file.size = 1

    with pytest.raises(ExtractionError) as excinfo:
        extract(file, max_bytes=1000)

    assert excinfo.value.code == "too_large"


def test_upload_is_rewound_after_extraction_and_after_refusal():
    good = upload(make_pdf())
    good.read(10)
    extract(good)
    assert good.tell() == 0

    bad = upload(b"not a document", name="x.pdf")
    with pytest.raises(ExtractionError):
        extract(bad)
    assert bad.tell() == 0


def test_empty_file_is_refused():
    assert refusal(b"", "leeg.pdf").code == "unsupported_type"


@pytest.mark.parametrize("seed", range(20))
def test_mangled_files_never_raise_anything_but_extraction_error(seed):
    import random

    rng = random.Random(seed)
    original = bytearray(make_pdf() if seed % 2 else make_docx())
    for _ in range(rng.randint(1, 30)):
        original[rng.randrange(len(original))] = rng.randrange(256)

    try:
        result = extract(upload(bytes(original), name="x"))
    except ExtractionError:
        return
    assert isinstance(result.text, str)


# --- normalisation ---


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("woning-\nbouw", "woningbouw"),
        ("woning- \n bouw", "woningbouw"),
        ("Noord-\nHolland", "Noord-Holland"),
        ("2023-\n2024", "2023-\n2024"),
        ("financie\u0308le", "financiële"),
        ("e\x00n\x07 \x1ftwee", "en twee"),
        ("een  \t\u00a0 twee", "een twee"),
        ("regel \r\n regel\r\n\r\n\n\nalinea", "regel\nregel\n\nalinea"),
        ("pagina\x0cvolgende", "pagina\n\nvolgende"),
        ("\ufb01nanciën", "financiën"),
        ("woning\u00adbouw", "woningbouw"),
        ("  \n\n ", ""),
    ],
)
def test_normalise_pdf_text(raw, expected):
    assert normalise(raw, dehyphenate=True) == expected


def test_normalise_keeps_hyphens_without_dehyphenate():
    assert normalise("woning-\nbouw") == "woning-\nbouw"
