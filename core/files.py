"""Serving uploaded files. Nothing under MEDIA_ROOT is served directly: every file goes through a
view that has checked permission, with a safe content type and no sniffing."""

from __future__ import annotations

import mimetypes

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# Types we serve inline; anything else is sent as a download.
INLINE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf"}


def serve_file(file: FieldFile, *, cache_seconds: int = 0, public: bool = False) -> FileResponse:
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    content_type = mimetypes.guess_type(file.name or "")[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        content_type=content_type if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=(file.name or "file").rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    visibility = "public" if public else "private"
    response["Cache-Control"] = f"{visibility}, max-age={cache_seconds}" if cache_seconds else "private, no-store"
    return response
