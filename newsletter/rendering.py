"""The e-mail of an edition: responsive HTML (tables and inline styles, as mail programs need) and
a plain-text part. No external images and no trackers: the links go to the site, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.mail import absolute_url
from core.models import Association
from core.richtext import render as richtext

from .models import Edition, EditionItem


@dataclass
class Entry:
    label: str
    title: str
    summary: str
    url: str
    meta: str


def entry(item: EditionItem) -> Entry:
    if item.news_item is not None:
        news = item.news_item
        return Entry(_("News"), news.title, news.summary, absolute_url(news.get_absolute_url()), "")
    if item.publication is not None:
        publication = item.publication
        meta = f"{publication.authors} · {publication.date:%d-%m-%Y}"
        return Entry(
            _("Research"), publication.title, publication.summary, absolute_url(publication.get_absolute_url()), meta
        )
    if item.document is not None:
        document = item.document
        meta = document.body.name + (f" · {document.get_outcome_display()}" if document.outcome != "unknown" else "")
        return Entry(document.get_kind_display(), document.title, "", absolute_url(document.get_absolute_url()), meta)
    event = item.event
    assert event is not None
    from django.utils import formats, timezone

    when = formats.date_format(timezone.localtime(event.starts_at), "l j F Y, H:i") if event.starts_at else ""
    return Entry(_("Event"), event.title, event.summary, absolute_url(event.get_absolute_url()), when)


def entries(edition: Edition) -> list[Entry]:
    items = edition.items.select_related("news_item", "publication", "document__body", "event")
    return [entry(item) for item in items]


def render_edition_mail(edition: Edition, *, token: str) -> Any:
    """(subject, text, html) of the edition, with `token` in the unsubscribe and preference links."""
    from .sending import Rendered

    association = Association.get()
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "edition": edition,
            "association": association,
            "entries": entries(edition),
            "introduction_html": richtext(edition.introduction) if edition.introduction else "",
            "web_url": absolute_url(edition.get_absolute_url()),
            "archive_url": absolute_url(reverse("newsletter:archive")),
            "unsubscribe_url": absolute_url(reverse("newsletter:unsubscribe", kwargs={"token": token})),
            "preferences_url": absolute_url(reverse("newsletter:preferences", kwargs={"token": token})),
        }
        subject = f"{association.newsletter_name} {edition.number}: {edition.subject}"
        text = render_to_string("newsletter/email/edition.txt", context)
        html = render_to_string("newsletter/email/edition.html", context)
    return Rendered(subject=subject, text=text, html=html)
