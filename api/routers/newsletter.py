"""News, research publications and the archive of the newsletter: published public ones for
everybody, members-only ones with the token of an association member (the site's rules)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema

from core import search
from core.permissions import can
from newsletter import rendering
from newsletter.models import Edition, EditionItem, NewsItem, Publication

from ..auth import optional_token
from ..common import OPTIONAL_AUTH, page, site_url, topics, viewer_of
from ..errors import ERROR_STATUSES, ErrorOut
from ..schemas import (
    NO_NUL,
    EditionDetailOut,
    EditionPage,
    NewsDetailOut,
    NewsPage,
    PageParams,
    PublicationOut,
    PublicationPage,
)

router = Router(tags=["news and publications"], auth=optional_token)

SLUG = r"^[-a-zA-Z0-9_]+$"
MAX_NUMBER = 2**31 - 1


class NewsFilters(Schema):
    topic: str = Field("", max_length=50, pattern=NO_NUL, description="Topic code (slug).")


class PublicationFilters(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL, description="Search words in title, summary and text.")
    topic: str = Field("", max_length=50, pattern=NO_NUL, description="Topic code (slug).")
    year: int | None = Field(None, ge=1800, le=2200)


def _news(item: NewsItem) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "topics": topics(item.topics.all()),
        "visibility": item.visibility,
        "published_at": item.published_at,
        "url": site_url(item.get_absolute_url()),
    }


def _publication(publication: Publication) -> dict[str, Any]:
    return {
        "slug": publication.slug,
        "title": publication.title,
        "summary": publication.summary,
        "authors": publication.authors,
        "date": publication.date,
        "topics": topics(publication.topics.all()),
        "visibility": publication.visibility,
        "published_at": publication.published_at,
        "url": site_url(publication.get_absolute_url()),
        "pdf_url": site_url(reverse("newsletter:publication_file", kwargs={"slug": publication.slug})),
    }


def _edition(edition: Edition) -> dict[str, Any]:
    return {
        "number": edition.number,
        "subject": edition.subject,
        "sent_at": edition.sent_at,
        "public": edition.public,
        "url": site_url(edition.get_absolute_url()),
    }


def _slice(queryset: QuerySet[Any], paging: PageParams) -> tuple[int, list[Any]]:
    count = queryset.count()
    return count, list(queryset[paging.offset : paging.offset + paging.limit]) if count > paging.offset else []


@router.get(
    "/news",
    response={200: NewsPage, ERROR_STATUSES: ErrorOut},
    url_name="news",
    summary="News items",
    openapi_extra=OPTIONAL_AUTH,
)
def news(request: HttpRequest, filters: Query[NewsFilters], paging: Query[PageParams]) -> Any:
    """Published news, newest first."""
    items = NewsItem.objects.visible_to(viewer_of(request).user).prefetch_related("topics")
    if filters.topic:
        items = items.filter(topics__slug=filters.topic)
    count, rows = _slice(items, paging)
    return page(count, paging, [_news(item) for item in rows])


@router.get(
    "/news/{slug}",
    response={200: NewsDetailOut, ERROR_STATUSES: ErrorOut},
    url_name="news_item",
    summary="One news item",
    openapi_extra=OPTIONAL_AUTH,
)
def news_item(request: HttpRequest, slug: str = Path(..., max_length=220, pattern=SLUG)) -> Any:
    item = NewsItem.objects.published().filter(slug=slug).prefetch_related("topics").first()
    if item is None or not can(viewer_of(request).user, "newsletter.view_item", item):
        raise Http404
    return {**_news(item), "body": item.body}


@router.get(
    "/publications",
    response={200: PublicationPage, ERROR_STATUSES: ErrorOut},
    url_name="publications",
    summary="Research publications",
    openapi_extra=OPTIONAL_AUTH,
)
def publications(request: HttpRequest, filters: Query[PublicationFilters], paging: Query[PageParams]) -> Any:
    """Newest first, or best match first when `q` is given."""
    items: QuerySet[Publication] = Publication.objects.visible_to(viewer_of(request).user).prefetch_related("topics")
    if filters.topic:
        items = items.filter(topics__slug=filters.topic)
    if filters.year:
        items = items.filter(date__year=filters.year)
    if filters.q.strip():
        items = search.filter_ranked(items, "publication", filters.q.strip())
    count, rows = _slice(items, paging)
    return page(count, paging, [_publication(p) for p in rows])


@router.get(
    "/publications/{slug}",
    response={200: PublicationOut, ERROR_STATUSES: ErrorOut},
    url_name="publication",
    summary="One publication",
    openapi_extra=OPTIONAL_AUTH,
)
def publication(request: HttpRequest, slug: str = Path(..., max_length=220, pattern=SLUG)) -> Any:
    item = Publication.objects.published().filter(slug=slug).prefetch_related("topics").first()
    if item is None or not can(viewer_of(request).user, "newsletter.view_item", item):
        raise Http404
    return _publication(item)


@router.get(
    "/editions",
    response={200: EditionPage, ERROR_STATUSES: ErrorOut},
    url_name="editions",
    summary="The newsletter archive",
    openapi_extra=OPTIONAL_AUTH,
)
def editions(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """Sent editions, newest first: public ones for everybody, all with a member's token."""
    sent = Edition.objects.filter(status=Edition.Status.SENT)
    if not can(viewer_of(request).user, "newsletter.view_edition", Edition(status=Edition.Status.SENT, public=False)):
        sent = sent.filter(public=True)
    count, rows = _slice(sent.order_by("-number"), paging)
    return page(count, paging, [_edition(e) for e in rows])


def _entry_kind(item: EditionItem) -> str:
    if item.news_item_id:
        return "news"
    if item.publication_id:
        return "publication"
    return "document" if item.document_id else "event"


@router.get(
    "/editions/{number}",
    response={200: EditionDetailOut, ERROR_STATUSES: ErrorOut},
    url_name="edition",
    summary="One edition with its entries",
    openapi_extra=OPTIONAL_AUTH,
)
def edition(request: HttpRequest, number: int = Path(..., ge=1, le=MAX_NUMBER)) -> Any:
    """A sent edition the viewer may read (404 otherwise)."""
    found = Edition.objects.filter(number=number, status=Edition.Status.SENT).first()
    if found is None or not can(viewer_of(request).user, "newsletter.view_edition", found):
        raise Http404
    items = list(found.items.select_related("news_item", "publication", "document__body", "event"))
    entries = []
    for item in items:
        entry = rendering.entry(item)
        entries.append(
            {
                "kind": _entry_kind(item),
                "label": str(entry.label),
                "title": entry.title,
                "summary": entry.summary,
                "url": entry.url,
            }
        )
    return {**_edition(found), "introduction": found.introduction, "entries": entries}
