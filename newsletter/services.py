"""Writes for news, publications, editions and subscriptions. Sending itself is in sending.py."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import search, uploads
from core.mail import absolute_url, send_rendered_mail, send_templated_mail
from core.tasks import enqueue
from library.extract import ExtractionError, extract
from members.models import Member, Topic

from . import sending
from .models import Delivery, Edition, EditionItem, NewsItem, Publication, Subscriber, Visibility

CONFIRM_SALT = "newsletter.confirm"
CONFIRM_DAYS = 7
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def _unique_slug(model: Any, title: str, pk: int | None = None) -> str:
    base = slugify(title)[:200] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exclude(pk=pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- news ---------------------------------------------------------------------------------------------


def save_news_item(
    *,
    item: NewsItem | None = None,
    title: str,
    summary: str,
    body: str,
    topics: Sequence[Topic] = (),
    visibility: str = Visibility.PUBLIC,
    image: File | None = None,
    image_alt: str = "",
    publish: bool = False,
    author: Any = None,
) -> NewsItem:
    if image is not None and not image_alt.strip():
        raise ValidationError({"image_alt": [_("Describe the image for people who cannot see it.")]})
    image_type = ""
    if image is not None:
        try:
            image_type = uploads.check_image(image, accept=(uploads.JPEG, uploads.PNG))
        except ValidationError as error:
            raise ValidationError({"image": error.messages}) from error
    with transaction.atomic():
        item = item or NewsItem(author=author)
        item.title, item.summary, item.body = title.strip(), summary.strip(), body.strip()
        item.visibility = visibility
        item.image_alt = image_alt.strip()
        item.slug = item.slug or _unique_slug(NewsItem, item.title)
        if image is not None:
            item.image.save(uploads.safe_name(image.name or "", image_type, default="afbeelding"), image, save=False)
        if publish and item.published_at is None:
            item.published_at = timezone.now()
        item.save()
        item.topics.set(topics)
    return item


# --- publications ---------------------------------------------------------------------------------------


def save_publication(
    *,
    publication: Publication | None = None,
    title: str,
    summary: str,
    authors: str,
    date: datetime.date,
    topics: Sequence[Topic] = (),
    visibility: str = Visibility.PUBLIC,
    file: File | None = None,
    publish: bool = False,
) -> Publication:
    """A research report with its PDF; the text is extracted and indexed for search."""
    if publication is None and file is None:
        raise ValidationError({"file": [_("Add the PDF of the publication.")]})
    extracted = None
    if file is not None:
        try:
            extracted = extract(file)
        except ExtractionError as error:
            raise ValidationError({"file": [str(error)]}) from error
        if extracted.content_type != "application/pdf":
            raise ValidationError({"file": [_("A publication is a PDF.")]})
    with transaction.atomic():
        publication = publication or Publication()
        publication.title, publication.summary, publication.authors = title.strip(), summary.strip(), authors.strip()
        publication.date, publication.visibility = date, visibility
        publication.slug = publication.slug or _unique_slug(Publication, publication.title)
        if file is not None and extracted is not None:
            name = uploads.safe_name(file.name or "", uploads.PDF, default="publicatie")
            publication.file.save(name, file, save=False)
            publication.text, publication.text_note = extracted.text, extracted.note
        if publish and publication.published_at is None:
            publication.published_at = timezone.now()
        publication.save()
        publication.topics.set(topics)
        index_publication(publication)
    return publication


def index_publication(publication: Publication) -> None:
    if publication.published_at is None:
        search.remove("publication", publication.pk)
        return
    search.index(
        "publication",
        publication.pk,
        title=publication.title,
        text="\n".join([publication.summary, publication.authors, publication.text]),
    )


# --- editions ---------------------------------------------------------------------------------------------


def next_slot(now: datetime.datetime | None = None) -> datetime.datetime:
    """The weekly default slot (NEWSLETTER_SLOT: weekday 0-6 and time, Amsterdam time) after `now`."""
    weekday, hour, minute = getattr(settings, "NEWSLETTER_SLOT", (3, 10, 0))
    local = timezone.localtime(now or timezone.now(), AMSTERDAM)
    days = (weekday - local.weekday()) % 7
    slot = (local + datetime.timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    if slot <= local:
        slot += datetime.timedelta(days=7)
    return slot


def create_edition(*, subject: str, created_by: Any) -> Edition:
    with transaction.atomic():
        number = (Edition.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
        return Edition.objects.create(number=number, subject=subject.strip(), created_by=created_by)


def _locked_draft(edition: Edition) -> Edition:
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    if locked.status != Edition.Status.DRAFT:
        raise ValidationError(_("This edition is no longer a draft; it cannot be changed."))
    return locked


def update_edition(*, edition: Edition, subject: str, introduction: str, public: bool) -> Edition:
    with transaction.atomic():
        edition = _locked_draft(edition)
        edition.subject, edition.introduction, edition.public = subject.strip(), introduction.strip(), public
        edition.save()
    return edition


ITEM_FIELDS = {"news": "news_item", "publication": "publication", "document": "document", "event": "event"}


def add_item(*, edition: Edition, kind: str, target: Any) -> EditionItem:
    if kind not in ITEM_FIELDS or target is None:
        raise ValidationError(_("Choose something to add."))
    if not _is_public(kind, target):
        raise ValidationError(_("Only public content can go into the newsletter: it also goes to non-members."))
    with transaction.atomic():
        edition = _locked_draft(edition)
        field = ITEM_FIELDS[kind]
        existing = edition.items.filter(**{field: target}).first()
        if existing is not None:
            return existing
        position = (edition.items.aggregate(p=Max("position"))["p"] or 0) + 1
        return EditionItem.objects.create(edition=edition, position=position, **{field: target})


def _is_public(kind: str, target: Any) -> bool:
    if kind in ("news", "publication"):
        return bool(target.visibility == Visibility.PUBLIC and target.published_at is not None)
    if kind == "document":
        return bool(target.visibility == "public" and target.status == "published")
    return bool(target.status == "published" and target.audience != "invited")


def move_item(*, edition: Edition, item_id: int, direction: int) -> None:
    with transaction.atomic():
        edition = _locked_draft(edition)
        items = list(edition.items.order_by("position", "pk"))
        index = next((i for i, item in enumerate(items) if item.pk == item_id), None)
        if index is None:
            return
        other = index + direction
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
        for position, item in enumerate(items, start=1):
            if item.position != position:
                EditionItem.objects.filter(pk=item.pk).update(position=position)


def remove_item(*, edition: Edition, item_id: int) -> None:
    with transaction.atomic():
        edition = _locked_draft(edition)
        edition.items.filter(pk=item_id).delete()


@dataclass
class Suggestions:
    news: list[NewsItem]
    publications: list[Publication]
    documents: list[Any]
    events: list[Any]

    def __bool__(self) -> bool:
        return bool(self.news or self.publications or self.documents or self.events)


def suggestions(edition: Edition) -> Suggestions:
    """What is new since the last sent edition (or the last 30 days) and not in this one yet:
    public news and publications, documents shared in the library, upcoming events."""
    from events.models import Event
    from library.models import Document

    last = Edition.objects.filter(status=Edition.Status.SENT).exclude(pk=edition.pk).aggregate(at=Max("sent_at"))["at"]
    since = last or timezone.now() - datetime.timedelta(days=30)
    chosen = edition.items.all()
    news = (
        NewsItem.objects.published()
        .filter(visibility=Visibility.PUBLIC, published_at__gt=since)
        .exclude(pk__in=chosen.filter(news_item__isnull=False).values("news_item"))
    )
    publications = (
        Publication.objects.published()
        .filter(visibility=Visibility.PUBLIC, published_at__gt=since)
        .exclude(pk__in=chosen.filter(publication__isnull=False).values("publication"))
    )
    documents = (
        Document.objects.published()
        .filter(visibility="public", shared_at__gt=since, source__in=["editor", "upload"])
        .exclude(pk__in=chosen.filter(document__isnull=False).values("document"))
        .select_related("body")
        .order_by("-shared_at")
    )
    events = (
        Event.objects.filter(status="published", starts_at__gt=timezone.now())
        .exclude(audience="invited")
        .exclude(pk__in=chosen.filter(event__isnull=False).values("event"))
        .order_by("starts_at")
    )
    return Suggestions(list(news[:10]), list(publications[:10]), list(documents[:10]), list(events[:6]))


def send_test(*, edition: Edition, to: str) -> None:
    """The edition as every recipient gets it, to one address now (marked as a test)."""
    rendered = sending.render(edition)
    token = sending.recipient_token(to)
    send_rendered_mail(
        subject="[TEST] " + rendered.subject,
        to=[to],
        text=rendered.text.replace(sending.PLACEHOLDER, token),
        html=rendered.html.replace(sending.PLACEHOLDER, token),
    )


def schedule(*, edition: Edition, when: datetime.datetime | None) -> Edition:
    """Schedule a draft for `when` (None: now). Only a draft can be scheduled, under a row lock, so
    a double click or a second editor cannot send it twice."""
    from .tasks import start_edition

    now = timezone.now()
    when = when or now
    if when < now - datetime.timedelta(minutes=1):
        raise ValidationError(_("Choose a moment in the future."))
    with transaction.atomic():
        edition = _locked_draft(edition)
        if not edition.items.exists():
            raise ValidationError(_("Add at least one item before you send the edition."))
        edition.status = Edition.Status.SCHEDULED
        edition.scheduled_for = when
        edition.save(update_fields=["status", "scheduled_for", "updated_at"])
        edition_id = edition.pk
        due = None if when <= now + datetime.timedelta(seconds=5) else when
        transaction.on_commit(lambda: enqueue(start_edition, edition_id, run_after=due))
    return edition


def unschedule(*, edition: Edition) -> Edition:
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        if edition.status != Edition.Status.SCHEDULED:
            raise ValidationError(_("Only a scheduled edition that has not started can be stopped."))
        edition.status = Edition.Status.DRAFT
        edition.scheduled_for = None
        edition.save(update_fields=["status", "scheduled_for", "updated_at"])
    return edition


# --- subscriptions -----------------------------------------------------------------------------------------


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps({"id": subscriber.pk, "email": subscriber.email}, salt=CONFIRM_SALT, compress=True)


def subscribe(*, email: str, name: str = "") -> Subscriber | None:
    """Start a subscription with double opt-in: a pending subscriber and a confirmation e-mail.
    Says nothing about whether the address was known (the caller shows the same page)."""
    email = email.strip().lower()
    member = Member.objects.filter(email__iexact=email, status=Member.Status.ACTIVE).first()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is not None and subscriber.status == Subscriber.Status.ACTIVE:
            return subscriber
        if subscriber is None:
            subscriber = Subscriber.objects.create(email=email, name=name.strip()[:200], member=member)
        else:
            subscriber.status = Subscriber.Status.PENDING
            subscriber.name = name.strip()[:200] or subscriber.name
            subscriber.created_at = timezone.now()
            subscriber.save()
        url = absolute_url(reverse("newsletter:confirm", kwargs={"token": confirm_token(subscriber)}))
        send_templated_mail("newsletter/email/confirm", [email], {"subscriber": subscriber, "confirm_url": url})
    return subscriber


def confirm(*, token: str) -> Subscriber | None:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=datetime.timedelta(days=CONFIRM_DAYS))
    except signing.BadSignature:
        return None
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=data["id"], email=data["email"]).first()
        if subscriber is None:
            return None
        if subscriber.status != Subscriber.Status.ACTIVE:
            subscriber.status = Subscriber.Status.ACTIVE
            subscriber.confirmed_at = timezone.now()
            subscriber.unsubscribed_at = None
            subscriber.save()
    return subscriber


def unsubscribe(*, email: str) -> None:
    """Stop the newsletter for `email` (member or subscriber), without any confirmation."""
    email = email.strip().lower()
    member = Member.objects.filter(email__iexact=email).first()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            subscriber = Subscriber(email=email, member=member)
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save()
        # Deliveries of an edition being sent that have not gone out yet are dropped.
        Delivery.objects.filter(email=email, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SUPPRESSED, last_error="unsubscribed"
        )


def resubscribe(*, email: str) -> Subscriber:
    """A member who had opted out, or a confirmed subscriber who left, comes back (from the
    preference page, reached with a signed link: no second confirmation needed)."""
    email = email.strip().lower()
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(email=email)
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.unsubscribed_at = None
        subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        subscriber.save()
    return subscriber


def is_receiving(email: str) -> bool:
    """Whether `email` gets the newsletter: members unless they opted out, others once confirmed."""
    email = email.strip().lower()
    subscriber = Subscriber.objects.filter(email=email).first()
    if subscriber is not None and subscriber.status != Subscriber.Status.PENDING:
        return subscriber.status == Subscriber.Status.ACTIVE
    return Member.objects.filter(email__iexact=email, status=Member.Status.ACTIVE).exists()


# --- housekeeping ---------------------------------------------------------------------------------------------


def housekeeping(now: datetime.datetime | None = None) -> dict[str, int]:
    """Purge unconfirmed subscriptions after a week; start editions that are due (in case their
    task was lost); resume sends whose workers died."""
    from .tasks import deliver_edition, start_edition

    now = now or timezone.now()
    purged, _detail = Subscriber.objects.filter(
        status=Subscriber.Status.PENDING,
        member__isnull=True,
        created_at__lt=now - datetime.timedelta(days=CONFIRM_DAYS),
    ).delete()
    started = 0
    for edition_id in Edition.objects.filter(status=Edition.Status.SCHEDULED, scheduled_for__lte=now).values_list(
        "pk", flat=True
    ):
        start_edition.enqueue(edition_id)
        started += 1
    resumed = 0
    for edition_id in Edition.objects.filter(status=Edition.Status.SENDING).values_list("pk", flat=True):
        due = sending.work_remains(edition_id)
        if due is not None and due <= now:
            deliver_edition.enqueue(edition_id)
            resumed += 1
        elif due is None:
            sending.finish(edition_id)
    return {"purged": purged, "started": started, "resumed": resumed}
