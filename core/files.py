"""Serving uploaded files. Nothing under MEDIA_ROOT is served directly: every file goes through a
view that has checked permission, and then through `serve_file` or `serve_bytes`.

The type a file is sent with comes from its content (core.uploads), never from its stored name:
only images and PDFs are shown in the browser, everything else is a download of a known
non-executable type or `application/octet-stream`. So a stored file can never be sent as HTML, SVG
or JavaScript, even if it was stored under such a name. Browsers may not second-guess the type
(nosniff), and the file's own Content-Security-Policy lets it run nothing.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

from . import uploads

# Shown in the browser; anything else is sent as a download.
INLINE_TYPES = frozenset({uploads.PNG, uploads.JPEG, uploads.WEBP, uploads.GIF, uploads.PDF})
# Downloaded with their own type (none of them runs in a browser); anything else as octet-stream.
DOWNLOAD_TYPES = INLINE_TYPES | {uploads.DOCX, uploads.XLSX, uploads.TEXT}

# An image opened on its own runs nothing and is framed by nobody. Chromium shows no PDF in a
# sandboxed document, so a PDF gets the same policy without `sandbox`; its viewer is a plugin
# (object-src) of the PDF's own origin.
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
PDF_POLICY = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
DOWNLOAD_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def _secure(response: HttpResponse | FileResponse, content_type: str, *, inline: bool) -> None:
    response["X-Content-Type-Options"] = "nosniff"
    if not inline:
        response["Content-Security-Policy"] = DOWNLOAD_POLICY
    elif content_type == uploads.PDF:
        response["Content-Security-Policy"] = PDF_POLICY
    else:
        response["Content-Security-Policy"] = IMAGE_POLICY


def _kind(head: bytes, name: str) -> str:
    kind = uploads.sniff(head)
    if kind == uploads.ZIP:
        # Telling DOCX from XLSX needs the whole zip; the stored name is trusted only to choose
        # between these two harmless types.
        lower = name.lower()
        return uploads.DOCX if lower.endswith(".docx") else uploads.XLSX if lower.endswith(".xlsx") else ""
    if kind is None:
        return uploads.TEXT if name.lower().endswith(".txt") and uploads.is_text(head) else ""
    return kind


def serve_file(
    file: FieldFile,
    *,
    cache_seconds: int = 0,
    public: bool = False,
    as_attachment: bool = False,
    filename: str | None = None,
) -> FileResponse:
    """A stored file: an image or PDF in the browser (unless `as_attachment`), anything else as a
    download; the type from the content, the download name's extension to match."""
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    head = handle.read(uploads.HEAD_BYTES)
    handle.seek(0)
    name = filename or (file.name or "").rsplit("/", 1)[-1]
    kind = _kind(head, file.name or "")
    inline = kind in INLINE_TYPES and not as_attachment
    content_type = kind if kind in DOWNLOAD_TYPES else uploads.OCTET_STREAM
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not inline,
        filename=uploads.safe_name(name, content_type),
    )
    _secure(response, content_type, inline=inline)
    visibility = "public" if public else "private"
    response["Cache-Control"] = f"{visibility}, max-age={cache_seconds}" if cache_seconds else "private, no-store"
    return response


def serve_bytes(data: bytes, *, filename: str, inline: bool = False, opaque: bool = False) -> HttpResponse:
    """File content held in memory (decrypted attachments, generated PDFs), with the same rules
    as `serve_file`; never cached. `opaque` sends every file as application/octet-stream (the
    name still gets the extension of what it is), so that nothing but the download reveals it."""
    kind = _kind(data[: uploads.HEAD_BYTES], filename)
    if kind == uploads.TEXT and not uploads.is_text(data):
        kind = ""
    inline = inline and kind in INLINE_TYPES and not opaque
    content_type = kind if kind in DOWNLOAD_TYPES and not opaque else uploads.OCTET_STREAM
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    name = uploads.safe_name(filename, kind if kind in DOWNLOAD_TYPES else uploads.OCTET_STREAM)
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    _secure(response, content_type, inline=inline)
    response["Cache-Control"] = "private, no-store"
    return response
