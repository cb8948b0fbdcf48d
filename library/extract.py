"""Text extraction from uploaded council documents (PDF and DOCX), so they can be found by their
content while the original file is kept for download.

`extract()` never raises anything but `ExtractionError` for whatever bytes it is given: files are
uploaded by members, and a malformed or hostile file must end in a clear message, not a 500.
Resource use is bounded: the upload size is capped, DOCX files are checked against zip bombs
before anything is unpacked, PDF processing stops after `MAX_PDF_PAGES` pages, pypdf applies its
own limits to decompressed streams, and the text is cut off at `MAX_TEXT_CHARS`.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from lxml import etree

from core import uploads

logger = logging.getLogger(__name__)

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MAX_PDF_PAGES = 1000
MAX_TEXT_CHARS = 2_000_000
# Zip-bomb limits, checked against the sizes the zip declares. zipfile never inflates a member
# beyond its declared size (it stops and fails the CRC check), so the declared sizes are a bound.
MAX_DOCX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_DOCX_DOCUMENT_XML_BYTES = 50 * 1024 * 1024

DOCX_DOCUMENT_PART = "word/document.xml"

# A PDF header may be preceded by some junk; readers accept it within the first 1024 bytes.
_ZIP_MAGIC = b"PK\x03\x04"
# Password-protected Word files are not zips but OLE compound files holding an "EncryptedPackage"
# stream; so are legacy .doc files, which have no such stream.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


class ExtractionError(Exception):
    """The file is refused; str(error) / error.message is a clear translated message for the user.

    `code` says why, for callers and logs: "too_large", "unsupported_type", "encrypted", "damaged".
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Extracted:
    text: str  # plain text, whitespace normalised, paragraphs separated by a blank line; may be ""
    note: str  # "" normally; a translated note for the user when no text could be extracted
    content_type: str  # PDF_CONTENT_TYPE or DOCX_CONTENT_TYPE
    pages: int | None  # PDF page count; None for DOCX


def extract(upload: File, *, max_bytes: int | None = None) -> Extracted:
    """The text of an uploaded PDF or DOCX, with the type detected from the content (never from
    the file name). Raises `ExtractionError` (and nothing else) when the file is refused: too
    large, not a PDF/DOCX, protected with a password, or unreadable. A file without any text (a
    scan) is accepted with `note` set. The upload is left rewound at position 0."""
    limit = settings.LIBRARY_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    try:
        data = uploads.read_limited(upload, limit)
    except ValidationError as error:
        raise _too_large(limit) from error

    # Zip first: a DOCX may hold an embedded PDF, stored uncompressed near its start.
    if data.startswith(_ZIP_MAGIC):
        text, pages = _extract_docx(data, name=upload.name), None
        content_type = DOCX_CONTENT_TYPE
    elif uploads.sniff(data[: uploads.HEAD_BYTES]) == uploads.PDF:
        text, pages = _extract_pdf(data, name=upload.name)
        content_type = PDF_CONTENT_TYPE
    elif data.startswith(_OLE_MAGIC) and _OLE_ENCRYPTED_PACKAGE in data:
        raise ExtractionError(
            _("This Word document is protected with a password. Remove the protection and upload it again."),
            code="encrypted",
        )
    else:
        raise _unsupported()

    note = ""
    if not text:
        note = _(
            "No text could be extracted from this file (is it a scan?). "
            "It is kept for download, but cannot be found by its content."
        )
    return Extracted(text=text, note=note, content_type=content_type, pages=pages)


# --- errors ---


def _too_large(limit: int) -> ExtractionError:
    megabytes = limit / (1024 * 1024)
    shown = number_format(megabytes, decimal_pos=0 if megabytes == int(megabytes) else 1)
    return ExtractionError(
        _(
            "This file is larger than %(size)s MB. Make it smaller (for example by compressing the "
            "images) or split it, and upload it again."
        )
        % {"size": shown},
        code="too_large",
    )


def _unsupported() -> ExtractionError:
    return ExtractionError(_("Upload a PDF or Word document (.docx)."), code="unsupported_type")


def _damaged() -> ExtractionError:
    return ExtractionError(
        _(
            "This file could not be read; it may be damaged. Open it on your computer, save or "
            "export it again as PDF or Word document (.docx), and upload it again."
        ),
        code="damaged",
    )


# --- PDF ---


def _extract_pdf(data: bytes, *, name: str | None) -> tuple[str, int]:
    # pypdf is imported here so that importing this module (e.g. from a form) stays cheap.
    import pypdf

    # Malformed PDFs make pypdf raise all kinds of exceptions (PdfReadError, KeyError, ValueError,
    # TypeError, RecursionError, zlib.error, ...), at opening time and while extracting, hence
    # the broad except clauses.
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as error:
        raise _pdf_damaged(name) from error

    if encrypted:
        # Many PDFs have only an owner password ("no printing/copying"), which the empty user
        # password opens; those are fine to index.
        try:
            opened = reader.decrypt("") != pypdf.PasswordType.NOT_DECRYPTED
        except Exception:  # unsupported or broken encryption: we cannot open it either
            logger.info("Cannot decrypt PDF %r", name, exc_info=True)
            opened = False
        if not opened:
            raise ExtractionError(
                _("This PDF is protected with a password. Remove the protection and upload it again."),
                code="encrypted",
            )

    try:
        page_count = len(reader.pages)
        chunks: list[str] = []
        total = 0
        for index in range(min(page_count, MAX_PDF_PAGES)):
            page_text = reader.pages[index].extract_text() or ""
            chunks.append(page_text)
            total += len(page_text)
            if total > MAX_TEXT_CHARS:
                break
    except Exception as error:
        raise _pdf_damaged(name) from error

    # Pages are separate paragraphs; hyphenation is repaired within each page.
    pages_text = (normalise(chunk, dehyphenate=True) for chunk in chunks)
    return _cap("\n\n".join(text for text in pages_text if text)), page_count


def _pdf_damaged(name: str | None) -> ExtractionError:
    logger.info("Cannot read PDF %r", name, exc_info=True)
    return _damaged()


# --- DOCX ---

_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # "Strict Open XML"
)
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _w(local: str) -> frozenset[str]:
    return frozenset(f"{{{namespace}}}{local}" for namespace in _W_NAMESPACES)


_W_BODY = _w("body")
_W_P = _w("p")
# Text-bearing elements inside runs. Deleted text (w:delText) and field codes (w:instrText) are
# different elements and so are left out, as they should be.
_W_TEXT = _w("t")
_W_BREAK = _w("br") | _w("cr")
_W_TAB = _w("tab") | _w("ptab")
_W_HYPHEN = _w("noBreakHyphen")


def _docx_parser() -> etree.XMLParser:
    # No entity expansion, DTDs or network: document.xml is untrusted input.
    return etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True
    )


def _extract_docx(data: bytes, *, name: str | None) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            document = next((m for m in members if m.filename == DOCX_DOCUMENT_PART), None)
            if document is None:
                raise _unsupported()
            if (
                sum(member.file_size for member in members) > MAX_DOCX_UNPACKED_BYTES
                or document.file_size > MAX_DOCX_DOCUMENT_XML_BYTES
            ):
                raise ExtractionError(
                    _(
                        "This Word document is too large to process. Remove large images or split "
                        "it, and upload it again."
                    ),
                    code="too_large",
                )
            xml = archive.read(document)
        root = etree.fromstring(xml, _docx_parser())
        paragraphs = _docx_paragraphs(root)
    except ExtractionError:
        raise
    # zipfile raises BadZipFile, but also NotImplementedError (compression method), RuntimeError
    # (encrypted member), EOFError, ...; lxml raises XMLSyntaxError. All mean: damaged.
    except Exception as error:
        logger.info("Cannot read DOCX %r", name, exc_info=True)
        raise _damaged() from error
    return _cap(normalise("\n\n".join(paragraphs)))


def _docx_paragraphs(root: etree._Element) -> list[str]:
    """The text of every paragraph in the body in document order, including those in tables
    (cell by cell), content controls and text boxes. Numbered list items keep their text (the
    number itself is computed by Word and not part of it)."""
    body = next((element for element in root.iter(*_W_BODY)), None)
    if body is None:
        return []
    # The fallback of a markup-compatibility block repeats the preferred content (e.g. a text
    # box) for old readers; leave it out so that text is not found twice.
    for fallback in list(body.iter(_MC_FALLBACK)):
        fallback.getparent().remove(fallback)
    # Giving each piece of text to its nearest paragraph keeps a paragraph holding a text box
    # from swallowing the text box's paragraphs. lxml's iter() is not recursive, so deeply nested
    # (hostile) XML cannot exhaust the stack.
    texts: dict[etree._Element, list[str]] = {paragraph: [] for paragraph in body.iter(*_W_P)}
    for node in body.iter(*_W_TEXT, *_W_BREAK, *_W_TAB, *_W_HYPHEN):
        paragraph = next(node.iterancestors(*_W_P), None)
        if paragraph is None:
            continue
        if node.tag in _W_TEXT:
            texts[paragraph].append(node.text or "")
        elif node.tag in _W_BREAK:
            texts[paragraph].append("\n")
        elif node.tag in _W_TAB:
            texts[paragraph].append(" ")
        else:
            texts[paragraph].append("-")
    return ["".join(parts) for parts in texts.values() if parts]


# --- text ---

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x85\u2028]")
_PARAGRAPH_BREAKS = re.compile(r"[\x0c\u2029]")
# Control characters (except tab and newline), lone surrogates, non-characters, and invisible
# characters that break words for search: soft hyphen, zero-width (non-)joiners/space, BOM.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff\u00ad\u200b-\u200d\u2060\ufeff]"
)
_SPACES = re.compile(r"[^\S\n]+")
_SPACES_AROUND_NEWLINE = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{2,}")
# A letter, a hyphen at the end of a line, and a letter on the next line.
_LINE_END_HYPHEN = re.compile(r"([^\W\d_])[-\u2010]\n([^\W\d_])")


def normalise(text: str, *, dehyphenate: bool = False) -> str:
    """Plain text with single spaces, single newlines within a paragraph and a blank line between
    paragraphs; without control characters. With `dehyphenate` (for PDF text, where words are
    split over lines), "woning-\\nbouw" becomes "woningbouw", but "Noord-\\nHolland" keeps its
    hyphen: before a capital it is part of the word."""
    text = unicodedata.normalize("NFC", text).translate(_LIGATURES)
    text = _PARAGRAPH_BREAKS.sub("\n\n", _LINE_BREAKS.sub("\n", text))
    text = _INVISIBLE.sub("", text)
    text = _SPACES_AROUND_NEWLINE.sub("\n", _SPACES.sub(" ", text))
    if dehyphenate:
        text = _LINE_END_HYPHEN.sub(_join_hyphenated, text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _join_hyphenated(match: re.Match[str]) -> str:
    before, after = match.group(1), match.group(2)
    return f"{before}{after}" if after.islower() else f"{before}-{after}"


def _cap(text: str) -> str:
    """At most MAX_TEXT_CHARS characters, cut at a space when there is one near the end."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    text = text[:MAX_TEXT_CHARS]
    space = text.rfind(" ", MAX_TEXT_CHARS - 1000)
    return (text[:space] if space > 0 else text).rstrip()
