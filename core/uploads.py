"""Checks for files that come in, and the names and types they are served under.

A file's type is decided by its content (its first bytes, then a real parse), never by its name or
by what the browser claims: a web page renamed `photo.png` is refused. Every check also has a size
limit, read without trusting the declared size. Serving (core/files.py) uses the same recognition,
so a stored file is never sent with a type a browser would execute (HTML, SVG, JavaScript).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
GIF = "image/gif"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"
ZIP = "application/zip"
OCTET_STREAM = "application/octet-stream"

IMAGE_TYPES = frozenset({PNG, JPEG, WEBP})
EXTENSIONS = {
    PNG: ".png",
    JPEG: ".jpg",
    WEBP: ".webp",
    GIF: ".gif",
    PDF: ".pdf",
    DOCX: ".docx",
    XLSX: ".xlsx",
    TEXT: ".txt",
}
# What the formats are called in messages.
FORMAT_NAMES = {
    PNG: "PNG",
    JPEG: "JPEG",
    WEBP: "WebP",
    GIF: "GIF",
    PDF: "PDF",
    DOCX: "Word (.docx)",
    XLSX: "Excel (.xlsx)",
    TEXT: ".txt",
}

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
# A zip (DOCX, XLSX) may not unpack to more than this: zip bombs are refused before parsing.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
HEAD_BYTES = 2048


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes; None when it is none of the types we accept.
    A zip is reported as ZIP: whether it is a DOCX or XLSX needs `zip_kind`."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    # The PDF header may follow some bytes of junk (ISO 32000: within the first 1024 bytes), but
    # never markup: a web page with "%PDF-" in a comment is not a PDF.
    start = head.find(b"%PDF-", 0, 1024)
    if start >= 0 and b"<" not in head[:start]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    return None


def zip_kind(data: bytes) -> str | None:
    """DOCX or XLSX when `data` is an Office Open XML package of that kind that does not unpack
    to more than MAX_UNPACKED_BYTES; None otherwise (also for any damaged zip)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
                return None
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def read_limited(upload: IO[bytes] | Any, max_bytes: int) -> bytes:
    """At most `max_bytes` of the upload, or ValidationError when it is larger. The declared
    size is not trusted: one byte more is read to know. The upload is left at position 0."""
    declared = getattr(upload, "size", None)
    if declared is not None and declared > max_bytes:
        raise too_large(upload, max_bytes)
    upload.seek(0)
    try:
        data = upload.read(max_bytes + 1)
    finally:
        upload.seek(0)
    if len(data) > max_bytes:
        raise too_large(upload, max_bytes)
    return bytes(data)


def too_large(upload: Any, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("%(name)s is larger than %(size)s MB; choose a smaller file.")
        % {"name": _display_name(upload), "size": _megabytes(max_bytes)},
        code="too_large",
    )


def _display_name(upload: Any) -> str:
    name = str(getattr(upload, "name", "") or "")
    return name.rsplit("/", 1)[-1] or _("The file")


def _megabytes(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    return f"{megabytes:g}" if megabytes >= 1 else f"{megabytes:.1f}"


def _wrong_type(upload: Any, accepted: Iterable[str]) -> ValidationError:
    names = ", ".join(FORMAT_NAMES.get(kind, kind) for kind in sorted(accepted, key=list(FORMAT_NAMES).index))
    return ValidationError(
        _("%(name)s is not a file of an accepted type (%(types)s).") % {"name": _display_name(upload), "types": names},
        code="wrong_type",
    )


def is_text(data: bytes) -> bool:
    """Plain text: UTF-8 (or Windows-1252, what Excel on Windows writes) without NUL bytes, and
    not markup (HTML, SVG, XML), which a browser could be tricked into running."""
    if b"\x00" in data or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _valid_image(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return False
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        return False
    return True


def content_type_of(data: bytes) -> str | None:
    """The type of a whole file, checked as deeply as cheaply possible: images are parsed by
    Pillow, zips must be DOCX or XLSX. None when the content is none of the types we know."""
    kind = sniff(data[:HEAD_BYTES])
    if kind == ZIP:
        return zip_kind(data)
    if kind in (PNG, JPEG, WEBP, GIF):
        return kind if _valid_image(data) else None
    if kind is None and is_text(data):
        return TEXT
    return kind


def check(upload: Any, *, accept: Iterable[str], max_bytes: int) -> str:
    """The content type of `upload` when it is one of `accept` and at most `max_bytes` large;
    a translated ValidationError otherwise. The upload is left at position 0."""
    accepted = frozenset(accept)
    data = read_limited(upload, max_bytes)
    if not data:
        raise ValidationError(_("%(name)s is empty.") % {"name": _display_name(upload)}, code="empty")
    kind = content_type_of(data)
    if kind not in accepted:
        raise _wrong_type(upload, accepted)
    return kind


def check_image(upload: Any, *, max_bytes: int = MAX_IMAGE_BYTES, accept: Iterable[str] = IMAGE_TYPES) -> str:
    """An image (PNG, JPEG or WebP by default) that Pillow can read, of at most `max_bytes`."""
    return check(upload, accept=accept, max_bytes=max_bytes)


def safe_name(name: str, content_type: str, *, default: str = "bestand") -> str:
    """A file name without a path, with the extension that belongs to `content_type` (so that a
    PDF named `x.html` is stored and downloaded as `x.pdf`), without characters that need quoting
    in a Content-Disposition header."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = "".join(c for c in stem if c.isalnum() or c in "._- ").strip(" .")[:100] or default
    return stem + EXTENSIONS.get(content_type, ".bin")


@dataclass(frozen=True)
class UploadValidator:
    """A form field validator: only `accept` types of at most `max_bytes`. A file that is
    already stored (not a new upload) is left alone."""

    accept: frozenset[str]
    max_bytes: int

    def __call__(self, value: Any) -> None:
        if not value or isinstance(value, FieldFile):
            return
        check(value, accept=self.accept, max_bytes=self.max_bytes)


IMAGE_UPLOAD = UploadValidator(IMAGE_TYPES, MAX_IMAGE_BYTES)
DOCUMENT_UPLOAD = UploadValidator(frozenset({PDF, DOCX}), 20 * 1024 * 1024)
