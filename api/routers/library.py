"""The library: shared documents (motions, amendments, written questions...). Public documents for
everybody; members-only ones with the token of an association member. The list is the site's own
search (library.engine), so ranking, filters and visibility are exactly the site's."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from core.models import Body
from core.permissions import can
from library import engine, spelling, structure
from library.models import Document, Withdrawal
from library.rules import reads_members_only

from ..auth import optional_token
from ..common import OPTIONAL_AUTH, body_ref, page, site_url, topics, viewer_of
from ..errors import ERROR_STATUSES, ApiError, ErrorOut
from ..schemas import MAX_ID, NO_NUL, DocumentDetailOut, DocumentKind, DocumentPage, PageParams, TierValue

router = Router(tags=["library"], auth=optional_token)


class DocumentFilters(Schema):
    q: str = Field(
        "",
        max_length=300,
        pattern=NO_NUL,
        description="Search words, ranked: documents with more of them come first (see `partial`). "
        '"Phrases", +required words, -exclusions and OR work as on the site.',
    )
    kind: DocumentKind | None = None
    tier: TierValue | None = None
    body: str = Field("", max_length=8, pattern=NO_NUL, description="Code of the council's body, e.g. GM0193.")
    year: int | None = Field(None, ge=1800, le=2200)


def _document(document: Document) -> dict[str, Any]:
    submitters = [m.full_name for m in document.submitters.all()]
    if document.submitter_names:
        submitters += [n.strip() for n in document.submitter_names.split(",") if n.strip()]
    return {
        "id": document.pk,
        "kind": document.kind,
        "title": document.title,
        "body": body_ref(document.body),
        "meeting_date": document.meeting_date,
        "agenda_item": document.agenda_item,
        "outcome": document.outcome,
        "parties": document.party_list,
        "submitters": submitters,
        "topics": topics(document.topics.all()),
        "visibility": document.visibility,
        "shared_at": document.shared_at,
        "url": site_url(document.get_absolute_url()),
    }


@router.get(
    "/documents",
    response={200: DocumentPage, ERROR_STATUSES: ErrorOut},
    url_name="documents",
    summary="Search or list documents",
    openapi_extra=OPTIONAL_AUTH,
)
def documents(request: HttpRequest, filters: Query[DocumentFilters], paging: Query[PageParams]) -> Any:
    """Newest first, or best match first when `q` is given. Without a token: public documents only."""
    viewer = viewer_of(request)
    body_id = None
    if filters.body:
        body_id = Body.objects.filter(code=filters.body.strip().upper()).values_list("pk", flat=True).first()
        if body_id is None:
            return {**page(0, paging, []), "count_is_estimate": False, "pageable": 0}
    query = filters.q.strip()
    results = engine.search(
        query,
        engine.Filters(kind=filters.kind or "", tier=filters.tier or "", body=body_id, year=filters.year),
        public_only=not reads_members_only.test(viewer.user),
        sort="relevance" if query else "date",
        per_page=paging.limit,
        offset=paging.offset,
    )
    if results.error:
        raise ApiError(400, "invalid_query", results.error)
    found = (
        Document.objects.filter(pk__in=[hit.document_id for hit in results.hits])
        .select_related("body")
        .prefetch_related("topics", "submitters")
        .in_bulk()
    )
    rows = [_document(found[hit.document_id]) for hit in results.hits if hit.document_id in found]
    partial = None
    if results.partial:
        partial = {
            "words": results.words,
            "at_least": results.matched,
            "with_all_words": results.complete,
            "relaxed": results.relaxed,
            "message": engine.partial_notice(results),
        }
    suggestion = spelling.suggest(query, results)
    return {
        **page(results.total, paging, rows),
        "count_is_estimate": False,
        "pageable": results.total,
        "partial": partial,
        "suggestion": suggestion
        and {
            "q": suggestion.query,
            "corrections": [{"typed": c.typed, "suggested": c.suggested} for c in suggestion.corrections],
        },
    }


@router.get(
    "/documents/{document_id}",
    response={200: DocumentDetailOut, ERROR_STATUSES | {410}: ErrorOut},
    url_name="document",
    summary="One document",
    openapi_extra=OPTIONAL_AUTH,
)
def document(request: HttpRequest, document_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    """A shared document the viewer may read (404 otherwise, also for members-only documents
    without a token: their existence is not confirmed). A document its source withdrew answers
    410 with code "withdrawn" and the reason (see docs/IMPORT_ORI.md)."""
    viewer = viewer_of(request)
    found = (
        Document.objects.filter(pk=document_id, status=Document.Status.PUBLISHED)
        .select_related("body")
        .prefetch_related("topics", "submitters")
        .first()
    )
    if found is None:
        withdrawal = Withdrawal.objects.filter(document_pk=document_id).first()
        if withdrawal is not None:
            raise ApiError(
                410,
                "withdrawn",
                _("Withdrawn by its source on %(date)s: %(reason)s")
                % {"date": withdrawal.withdrawn_at.date().isoformat(), "reason": withdrawal.reason},
            )
    if found is None or not can(viewer.user, "library.view_document", found):
        raise Http404(_("Not found."))
    return {
        **_document(found),
        "votes_for": found.votes_for,
        "votes_against": found.votes_against,
        "sections": [
            {"heading": str(s.heading), "items": list(s.items)}
            for s in structure.sections(found.kind, found.parts or {})
        ],
        "text": found.text,
        "source_url": found.source_url,
    }
