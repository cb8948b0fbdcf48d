"""Writes in the library: sharing, changing and deleting documents, reuse as a draft, saved
searches and their e-mail alerts. Every write indexes what it changed in the same transaction."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Min
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import hash_token
from core import uploads
from core.mail import absolute_url, send_templated_mail, unsubscribe_headers
from core.models import Body
from core.permissions import can
from members.models import Mandate, Member, Topic

from . import engine, importing, search_index, structure
from .extract import ExtractionError, extract
from .models import Attachment, Document, Kind, Outcome, SavedSearch

logger = logging.getLogger(__name__)

ALERT_PERIOD = {
    SavedSearch.Frequency.DAILY: datetime.timedelta(days=1),
    SavedSearch.Frequency.WEEKLY: datetime.timedelta(days=7),
}
ALERT_MAX_DOCUMENTS = 20
SEARCH_PARAMETERS = ("q", *engine.FACETS, "sort")


@dataclass
class DocumentData:
    """What a member fills in for a document (the form's cleaned data)."""

    kind: str
    title: str
    body: Body
    meeting_date: datetime.date | None = None
    agenda_item: str = ""
    submitters: Sequence[Member] = ()
    submitter_names: str = ""
    parties: str = ""
    outcome: str = Outcome.UNKNOWN
    votes_for: int | None = None
    votes_against: int | None = None
    topics: Sequence[Topic] = ()
    visibility: str = Document.Visibility.MEMBERS
    parts: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    answers_to: Document | None = None
    amends: Document | None = None


def _validate(data: DocumentData) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors.setdefault("title", []).append(_("Give the document a title."))
    for name in ("votes_for", "votes_against"):
        value = getattr(data, name)
        if value is not None and value < 0:
            errors.setdefault(name, []).append(_("A number of votes cannot be negative."))
    if data.answers_to is not None and data.answers_to.kind != Kind.QUESTIONS:
        errors.setdefault("answers_to", []).append(_("An answer belongs to written questions."))
    if errors:
        raise ValidationError(errors)


def _apply(document: Document, data: DocumentData) -> None:
    document.kind = data.kind
    document.title = data.title.strip()[:300]
    document.body = data.body
    document.meeting_date = data.meeting_date
    document.agenda_item = data.agenda_item.strip()
    document.submitter_names = data.submitter_names.strip()
    document.parties = ", ".join(engine.parties_of(data.parties))
    document.outcome = data.outcome
    document.votes_for = data.votes_for
    document.votes_against = data.votes_against
    document.visibility = data.visibility
    document.parts = structure.clean_parts(data.kind, data.parts)
    document.answers_to = data.answers_to
    document.amends = data.amends


def _extract_or_refuse(upload: UploadedFile, field_name: str) -> Any:
    try:
        return extract(upload)
    except ExtractionError as error:
        raise ValidationError({field_name: [str(error)]}) from error


class _SavedFiles:
    """Files written to storage during a write: deleted again when the write fails, so that a
    refused or failed share leaves nothing behind."""

    def __init__(self) -> None:
        self.files: list[Any] = []

    def __enter__(self) -> _SavedFiles:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is not None:
            for stored in self.files:
                stored.storage.delete(stored.name)


def _store_upload(document: Document, upload: UploadedFile, saved: _SavedFiles) -> None:
    extracted = _extract_or_refuse(upload, "file")
    name = uploads.safe_name(upload.name or "", extracted.content_type, default="document")
    document.file.save(name, upload, save=False)
    saved.files.append(document.file)
    document.text = extracted.text
    document.text_note = extracted.note
    document.source = Document.Source.UPLOAD


def _store_attachments(document: Document, attachments: Sequence[UploadedFile], saved: _SavedFiles) -> None:
    for upload in attachments:
        extracted = _extract_or_refuse(upload, "attachments")
        attachment = Attachment(document=document, name=(upload.name or _("attachment"))[:200], text=extracted.text)
        attachment.file.save(
            uploads.safe_name(upload.name or "", extracted.content_type, default="bijlage"), upload, save=False
        )
        saved.files.append(attachment.file)
        attachment.save()


def _has_content(document: Document) -> bool:
    return bool(document.file or document.text.strip() or structure.has_structure(document.kind, document.parts))


def share_document(
    *,
    member: Member,
    data: DocumentData,
    upload: UploadedFile | None = None,
    attachments: Sequence[UploadedFile] = (),
    draft: bool = False,
) -> Document:
    """Add a document written in the editor (parts and/or text) or uploaded as PDF/DOCX. All or
    nothing: a refused file or invalid field leaves no document and no stored file."""
    _validate(data)
    # Files are checked before anything is written.
    with _SavedFiles() as saved, transaction.atomic():
        document = Document(shared_by=member, status=Document.Status.DRAFT if draft else Document.Status.PUBLISHED)
        _apply(document, data)
        document.text = data.text.strip()
        if upload is not None:
            _store_upload(document, upload, saved)
        if not _has_content(document):
            raise ValidationError(
                _("Write the text of the document in the editor, or upload it as a PDF or Word file.")
            )
        document.shared_at = timezone.now()
        document.save()
        document.submitters.set(data.submitters)
        document.topics.set(data.topics)
        _store_attachments(document, attachments, saved)
        engine.index_documents([_for_indexing(document.pk)])
    return document


def update_document(
    *,
    document: Document,
    data: DocumentData,
    upload: UploadedFile | None = None,
    attachments: Sequence[UploadedFile] = (),
    remove_attachments: Sequence[int] = (),
) -> Document:
    _validate(data)
    old_file = document.file.name if upload is not None and document.file else None
    removed: list[Attachment] = []
    with _SavedFiles() as saved, transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        _apply(document, data)
        if upload is not None:
            _store_upload(document, upload, saved)
        elif document.source != Document.Source.UPLOAD:
            document.text = data.text.strip()
        if not _has_content(document):
            raise ValidationError(
                _("Write the text of the document in the editor, or upload it as a PDF or Word file.")
            )
        document.save()
        document.submitters.set(data.submitters)
        document.topics.set(data.topics)
        removed = list(document.attachments.filter(pk__in=list(remove_attachments)))
        Attachment.objects.filter(pk__in=[a.pk for a in removed]).delete()
        _store_attachments(document, attachments, saved)
        engine.index_documents([_for_indexing(document.pk)])
        transaction.on_commit(lambda: _delete_files([old_file] if old_file else [], [a.file.name for a in removed]))
    return document


def _delete_files(*groups: list[str | None]) -> None:
    from django.core.files.storage import default_storage

    for name in (n for group in groups for n in group if n):
        default_storage.delete(name)


def publish(*, document: Document) -> Document:
    """Share a draft (for instance a reused motion) with the other members."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status == Document.Status.PUBLISHED:
            return document
        document.status = Document.Status.PUBLISHED
        document.shared_at = timezone.now()
        document.save(update_fields=["status", "shared_at", "updated_at"])
        engine.index_documents([_for_indexing(document.pk)])
    return document


def delete_document(*, document: Document) -> None:
    files = [document.file.name] if document.file else []
    files += [a.file.name for a in document.attachments.all()]
    with transaction.atomic():
        engine.remove_documents([document.pk])
        document.delete()
        transaction.on_commit(lambda: _delete_files(files))


def _for_indexing(pk: int) -> Document:
    return engine.ready_for_indexing([pk]).get()


def home_body(member: Member) -> Body | None:
    """The council of the member's current mandate (the first one when there are several)."""
    mandate = Mandate.objects.current().filter(member=member).select_related("body").order_by("start_date").first()
    return mandate.body if mandate else None


def reuse(*, document: Document, member: Member, body: Body | None = None) -> Document:
    """Copy `document` into a new draft of `member` for their own council: body from the
    mandate, the member as submitter, no date or outcome yet."""
    body = body or home_body(member)
    if body is None:
        raise ValidationError(_("Choose the council you want to submit this document to."))
    with transaction.atomic():
        draft = Document.objects.create(
            kind=document.kind,
            title=document.title,
            body=body,
            agenda_item=document.agenda_item,
            parts=document.parts,
            text=document.text if not structure.has_structure(document.kind, document.parts) else "",
            status=Document.Status.DRAFT,
            visibility=Document.Visibility.MEMBERS,
            source=Document.Source.EDITOR,
            reused_from=document,
            shared_by=member,
        )
        draft.submitters.set([member])
        draft.topics.set(document.topics.all())
    return draft


# --- saved searches and alerts -------------------------------------------------------------------------


def normalise_query_string(params: QueryDict | dict[str, str]) -> str:
    """Only the parameters that define a search, in a fixed order (the page number is not)."""
    values = [(name, str(params.get(name, "")).strip()[:300]) for name in SEARCH_PARAMETERS]
    return urlencode([(k, v) for k, v in values if v])


def save_search(*, member: Member, name: str, params: QueryDict | dict[str, str], frequency: str) -> SavedSearch:
    query_string = normalise_query_string(params)
    if not query_string:
        raise ValidationError(_("Search for something first, then save the search."))
    if frequency not in SavedSearch.Frequency.values:
        raise ValidationError(_("Choose how often you want an e-mail."))
    name = " ".join(name.split())[:200] or str(params.get("q", "")).strip()[:200] or _("My search")
    saved, _created = SavedSearch.objects.update_or_create(
        member=member,
        query_string=query_string,
        defaults={"name": name, "frequency": frequency, "active": True, "last_sent_at": timezone.now()},
    )
    return saved


def delete_saved_search(*, saved: SavedSearch, by: Any) -> None:
    """Delete a saved search (and with it its alerts): the member's own (`library.manage_saved_search`)."""
    if not can(by, "library.manage_saved_search", saved):
        raise PermissionDenied(_("You can delete your own saved searches only."))
    saved.delete()


def saved_search_for_token(token: str) -> SavedSearch | None:
    """The saved search of an unsubscribe link: found by the hash of the token it carries."""
    if not token or len(token) > 100:
        return None
    return SavedSearch.objects.select_related("member").filter(token_hash=hash_token(token)).first()


def unsubscribe(*, token: str) -> SavedSearch | None:
    saved = saved_search_for_token(token)
    if saved is not None and saved.active:
        saved.active = False
        saved.save(update_fields=["active"])
    return saved


def new_matches(saved: SavedSearch, since: datetime.datetime, until: datetime.datetime | None = None) -> engine.Results:
    params = QueryDict(saved.query_string)
    filters = engine.Filters.from_params(params)
    filters = engine.Filters(**{**filters.active(), "shared_after": since, "shared_until": until})
    # The e-mail says how many new documents there are (a large import can make thousands): every
    # search counts all its matches.
    return engine.search(params.get("q", ""), filters, public_only=False, sort="date", per_page=ALERT_MAX_DOCUMENTS)


def index_pending() -> int:
    """Bring the search index up to date: apply the change log (an import that was interrupted,
    or whose documents the worker has not indexed yet). The index's one writer does it, under its
    lock; a document that cannot be indexed is logged and the others go on. Returns the number of
    change-log entries applied."""
    return search_index.apply_changes()


def send_alerts(*, frequency: str, now: datetime.datetime | None = None) -> int:
    """E-mail every active saved search of `frequency` that is due and has new matches since the
    last e-mail. Returns the number of e-mails sent."""
    now = now or timezone.now()
    period = ALERT_PERIOD[SavedSearch.Frequency(frequency)]
    due = SavedSearch.objects.filter(frequency=frequency, active=True, member__user__is_active=True).select_related(
        "member__user"
    )
    # Documents shared but not yet indexed (an import the worker is still indexing) cannot be
    # found yet: the alerts cover up to just before the first of them, the next alert the rest.
    # (One that could not be indexed for a day, logged by index_pending, holds nothing up.)
    waiting = (
        importing.pending_documents()
        .filter(shared_at__gt=now - datetime.timedelta(days=1))
        .aggregate(first=Min("shared_at"))["first"]
    )
    until = min(now, waiting - datetime.timedelta(microseconds=1)) if waiting else now
    sent = 0
    for saved in due:
        since = saved.last_sent_at or saved.created_at
        if since > now - period + datetime.timedelta(minutes=30) or since >= until:
            continue
        results = new_matches(saved, since, until)
        if results.total:
            _send_alert(saved, results)
            sent += 1
            record_hits(saved=saved, results=results, at=until)
        SavedSearch.objects.filter(pk=saved.pk).update(last_sent_at=until)
    return sent


def record_hits(*, saved: SavedSearch, results: engine.Results, at: datetime.datetime) -> None:
    """Keep what an alert found (when, how many, the first documents' ids) on the saved search, for
    the member's home page, which shows it without searching. Results without matches leave the
    last hits as they were."""
    if not results.total:
        return
    SavedSearch.objects.filter(pk=saved.pk).update(
        last_hits_at=at, last_hit_count=results.total, last_hit_ids=[hit.document_id for hit in results.hits]
    )


def _send_alert(saved: SavedSearch, results: engine.Results) -> None:
    documents = Document.objects.select_related("body").in_bulk([h.document_id for h in results.hits])
    ordered = [documents[h.document_id] for h in results.hits if h.document_id in documents]
    unsubscribe_url = absolute_url(reverse("library:unsubscribe", kwargs={"token": saved.token}))
    send_templated_mail(
        "library/email/alert",
        [saved.member.user.email if saved.member.user else saved.member.email],
        {
            "saved": saved,
            "documents": [(d, absolute_url(d.get_absolute_url())) for d in ordered],
            "total": results.total,
            "search_url": absolute_url(saved.get_absolute_url()),
            "unsubscribe_url": unsubscribe_url,
        },
        headers=unsubscribe_headers(unsubscribe_url),
    )
