"""The library: motions, amendments, written questions and other council documents that members
share, write, import and reuse."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import hash_token
from core.fields import EncryptedTextField
from core.models import Body
from members.models import Member, Topic


class Kind(models.TextChoices):
    MOTION = "motion", _("Motion")
    AMENDMENT = "amendment", _("Amendment")
    QUESTIONS = "questions", _("Written questions")
    INITIATIVE = "initiative", _("Initiative proposal")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    HELD_OVER = "held_over", _("Held over")
    UNKNOWN = "unknown", _("Unknown")


class DocumentQuerySet(models.QuerySet["Document"]):
    def published(self) -> DocumentQuerySet:
        return self.filter(status=Document.Status.PUBLISHED)

    def visible_to(self, user: object) -> DocumentQuerySet:
        """Public documents for everybody; members-only ones for association members and staff;
        a user's own drafts for them."""
        from core.roles import MEMBER_ROLES, STAFF_ROLES, roles_of

        published = self.published()
        if roles_of(user) & (MEMBER_ROLES | STAFF_ROLES):
            return published
        return published.filter(visibility=Document.Visibility.PUBLIC)


class Document(models.Model):
    class Visibility(models.TextChoices):
        MEMBERS = "members", _("Members only")
        PUBLIC = "public", _("Public")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Shared")

    class Source(models.TextChoices):
        EDITOR = "editor", _("Written in the editor")
        UPLOAD = "upload", _("Uploaded file")
        IMPORT = "import", _("Imported")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MOTION, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.ForeignKey(Body, verbose_name=_("council"), on_delete=models.PROTECT, related_name="documents")
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True, db_index=True)
    agenda_item = models.CharField(_("agenda item or subject"), max_length=300, blank=True)
    submitters = models.ManyToManyField(
        Member, verbose_name=_("submitters on the platform"), blank=True, related_name="documents"
    )
    submitter_names = models.CharField(
        _("other submitters"),
        max_length=500,
        blank=True,
        help_text=_("Names with party, e.g. 'J. Jansen (PvdA)', comma separated."),
    )
    parties = models.CharField(
        _("submitting and co-signing parties"), max_length=500, blank=True, help_text=_("Comma separated.")
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.UNKNOWN, db_index=True
    )
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="documents")
    visibility = models.CharField(
        _("who may read it"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.EDITOR)
    source_id = models.CharField(_("source identifier"), max_length=200, null=True, blank=True, unique=True)
    # The imported record's fingerprint (library.importing): an unchanged record is skipped on the
    # next import; indexed, so that a re-import recognises unchanged lines without parsing them.
    source_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    # The structured parts of the editor (see library.structure) and the plain text that is
    # indexed and shown: written, extracted from the uploaded file or imported.
    parts = models.JSONField(_("structured parts"), default=dict, blank=True)
    text = models.TextField(_("text"), blank=True)
    text_note = models.CharField(_("note about the text"), max_length=300, blank=True)
    file = models.FileField(_("original file"), upload_to="library/%Y/", blank=True)
    answers_to = models.ForeignKey(
        "self",
        verbose_name=_("answer to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
        help_text=_("For the executive's answer: the written questions it answers."),
    )
    amends = models.ForeignKey(
        "self",
        verbose_name=_("amends"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="amendments",
        help_text=_("For an amendment: the proposal in the library that it changes."),
    )
    # Imported links by source identifier, resolved when the target is (or becomes) imported.
    amends_source = models.CharField(max_length=200, blank=True, editable=False)
    answers_source = models.CharField(max_length=200, blank=True, editable=False)
    reused_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reuses")
    shared_by = models.ForeignKey(
        Member,
        verbose_name=_("shared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shared_documents",
    )
    shared_at = models.DateTimeField(_("shared"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-meeting_date", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:document", kwargs={"pk": self.pk})

    @property
    def party_list(self) -> list[str]:
        return [p.strip() for p in self.parties.split(",") if p.strip()]


class Attachment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="library/attachments/%Y/")
    name = models.CharField(_("name"), max_length=200)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


def _token() -> str:
    return secrets.token_urlsafe(24)


class SavedSearch(models.Model):
    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("name"), max_length=200)
    query_string = models.CharField(_("search"), max_length=1000)
    frequency = models.CharField(
        _("e-mail me new matches"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    # The unsubscribe link in every alert: found by a hash of its token; the token itself is kept
    # encrypted, for the next alert's link. A dump shows neither.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token = EncryptedTextField(default=_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # What the last alert e-mail found (its time, how many, the first documents' ids): shown on
    # the member's home page, so the home page never runs a search.
    last_hits_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_hit_count = models.PositiveIntegerField(default=0, editable=False)
    last_hit_ids = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.token_hash:
            self.token_hash = hash_token(self.token)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("library:search") + "?" + self.query_string


class ImportRun(models.Model):
    """A CSV import checked in a dry run (like members' imports)."""

    file_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rows = models.JSONField(default=list)
    imported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("document import")
        verbose_name_plural = _("document imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.get("errors"))


class SearchChange(models.Model):
    """The search index's change log: one row per document whose searchable state may have changed
    (shared, edited, published, hidden, deleted), written in the same transaction as the change.
    The id is the sequence; the index stores the last sequence it applied (its cursor), so the
    single writer (the background worker) and a rebuild can always catch up with the database,
    the source of truth. See library.search_index."""

    class Op(models.TextChoices):
        INDEX = "index", "index"
        REMOVE = "remove", "remove"

    id = models.BigAutoField(primary_key=True)
    document_id = models.BigIntegerField()
    op = models.CharField(max_length=6, choices=Op.choices)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.id} {self.op} {self.document_id}"


class SyncSource(models.Model):
    """A source whose changes the library follows (library.sync, manage.py sync_library): an Open
    Raadsinformatie Elasticsearch index (or a directory of its responses) or an OpenBesluitvorming
    export. The cursor is the position in the source's changes up to which everything has been
    written; it is saved in the same transaction as the records of each page, so an interrupted run
    resumes where the last committed page ended."""

    class Kind(models.TextChoices):
        ORI = "ori", _("Open Raadsinformatie (Elasticsearch)")
        OPENBESLUITVORMING = "openbesluitvorming", _("OpenBesluitvorming (export)")

    class Status(models.TextChoices):
        NEVER = "", _("Not run yet")
        OK = "ok", _("Up to date")
        PARTIAL = "partial", _("Stopped before the end (resumes at the next run)")
        FAILED = "failed", _("Failed")

    name = models.SlugField(_("name"), max_length=100, unique=True, help_text=_("Used on the command line."))
    kind = models.CharField(_("format"), max_length=20, choices=Kind.choices)
    location = models.CharField(
        _("address or path"),
        max_length=500,
        help_text=_(
            "ORI: the _search address of an index, e.g. "
            "https://api.openraadsinformatie.nl/v1/elastic/ori_zwolle_*/_search, or a directory of saved responses. "
            "OpenBesluitvorming: the site, e.g. https://openbesluitvorming.nl."
        ),
    )
    source_key = models.CharField(
        _("source key"), max_length=100, blank=True, help_text=_("OpenBesluitvorming: the source key, e.g. zwolle.")
    )
    body = models.ForeignKey(
        Body,
        verbose_name=_("council"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The council of records that do not name their organisation."),
    )
    active = models.BooleanField(_("synchronised on schedule"), default=True)
    cursor = models.JSONField(_("position"), default=dict, blank=True)
    # Since the source was added, updated with the cursor (so they count every change once).
    totals = models.JSONField(_("totals"), default=dict, blank=True, editable=False)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True, editable=False)
    last_status = models.CharField(
        _("last result"), max_length=10, choices=Status.choices, default=Status.NEVER, blank=True, editable=False
    )
    last_counts = models.JSONField(_("counts of the last run"), default=dict, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("synchronised source")
        verbose_name_plural = _("synchronised sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """What a run would stop on, said when the source is entered (the back office)."""
        from django.core.exceptions import ValidationError

        remote = self.location.startswith(("http://", "https://"))
        errors = {}
        if self.kind == self.Kind.OPENBESLUITVORMING:
            if not remote:
                errors["location"] = _("OpenBesluitvorming is read over HTTP(S): give the site's address.")
            if not self.source_key:
                errors["source_key"] = _("Give the source key (the list is at /api/sources).")
        elif self.kind == self.Kind.ORI and not remote and not self.location.startswith("/"):
            errors["location"] = _("Give an http(s) address or the full path of a directory.")
        if errors:
            raise ValidationError(errors)


class Withdrawal(models.Model):
    """A document the source withdrew: removed from the library and from search, recorded here with
    why, so that its address answers "withdrawn" (410) instead of "not found"."""

    sync_source = models.ForeignKey(
        SyncSource, verbose_name=_("source"), null=True, on_delete=models.SET_NULL, related_name="withdrawals"
    )
    source_id = models.CharField(_("source identifier"), max_length=200, db_index=True)
    document_pk = models.BigIntegerField(_("former document number"), db_index=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.ForeignKey(Body, verbose_name=_("council"), null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    position = models.CharField(_("position in the feed"), max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), default=timezone.now)

    class Meta:
        verbose_name = _("withdrawn document")
        verbose_name_plural = _("withdrawn documents")
        ordering = ["-withdrawn_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class SynonymGroup(models.Model):
    """Words and phrases that mean the same in council language ("OV" and "openbaar vervoer";
    "statushouders" and "vergunninghouders"), maintained in the back office. A search for one also
    finds the others, ranked below the words as typed (library.synonyms, applied when the query is
    built: a change needs no reindex)."""

    terms = models.TextField(
        _("terms"),
        help_text=_("One word or phrase per line (at least two). A search for any of them also finds the others."),
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["terms"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self) -> str:
        return " = ".join(self.term_list())

    def term_list(self) -> list[str]:
        """The terms as entered, one per line (commas also separate), without repeats."""
        seen: dict[str, str] = {}
        for line in self.terms.replace(",", "\n").splitlines():
            term = " ".join(line.split())
            if term and term.lower() not in seen:
                seen[term.lower()] = term
        return list(seen.values())

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from core.search import words

        terms = self.term_list()
        if any(not words(term) for term in terms):
            raise ValidationError({"terms": _("Every term needs at least one letter or digit.")})
        if len({tuple(words(term)) for term in terms}) < 2:
            raise ValidationError({"terms": _("Give at least two different words or phrases.")})
        if any(len(term) > 100 for term in terms):
            raise ValidationError({"terms": _("A term is at most 100 characters.")})
