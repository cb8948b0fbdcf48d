"""What the API returns. Every field is listed here; nothing is serialised from a model wholesale,
so a new model field never leaks into the API by accident."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from django.db.models import TextChoices
from ninja import Field, Schema

from core.models import Tier
from events.models import Event, Registration
from library.models import Document, Kind, Outcome
from members.models import MandateRole
from newsletter.models import Visibility as ContentVisibility


def choices(enum: type[TextChoices]) -> Any:
    """The values of a model's choices as a Literal: an inline enum in the OpenAPI document. (The
    choice classes themselves would become shared components by their class name, and several
    are called Kind, Status or Visibility.)"""
    return Literal[tuple(enum.values)]


if TYPE_CHECKING:
    TierValue: TypeAlias = str
    DocumentKind: TypeAlias = str
    OutcomeValue: TypeAlias = str
    DocumentVisibility: TypeAlias = str
    ContentVisibilityValue: TypeAlias = str
    EventKind: TypeAlias = str
    EventAudience: TypeAlias = str
    MandateRoleValue: TypeAlias = str
    RegistrationStatus: TypeAlias = str
else:
    TierValue = choices(Tier)
    DocumentKind = choices(Kind)
    OutcomeValue = choices(Outcome)
    DocumentVisibility = choices(Document.Visibility)
    ContentVisibilityValue = choices(ContentVisibility)
    EventKind = choices(Event.Kind)
    EventAudience = choices(Event.Audience)
    MandateRoleValue = choices(MandateRole)
    RegistrationStatus = choices(Registration.Status)

MAX_LIMIT = 100
MAX_OFFSET = 10_000
# Database ids are 64-bit; larger numbers in a path are refused before they reach the database.
MAX_ID = 2**63 - 1
# Text parameters may not contain NUL characters (PostgreSQL refuses them).
NO_NUL = r"^[^\x00]*$"


class PageParams(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"Results per page (at most {MAX_LIMIT}).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many results to skip.")


class PageOut(Schema):
    count: int = Field(..., description="The number of results over all pages.")
    limit: int
    offset: int


class BodyRef(Schema):
    code: str = Field(..., description="CBS/TOOI code, e.g. GM0363, PV27, WS0155.")
    name: str
    tier: TierValue


class TopicOut(Schema):
    slug: str
    name: str


# --- bodies -----------------------------------------------------------------------------------------


class BodyOut(BodyRef):
    official_name: str
    province: BodyRef | None
    population: int | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    successor: BodyRef | None


class BodyPage(PageOut):
    results: list[BodyOut]


# --- library ----------------------------------------------------------------------------------------


class SectionOut(Schema):
    heading: str
    items: list[str]


class DocumentOut(Schema):
    id: int
    kind: DocumentKind
    title: str
    body: BodyRef
    meeting_date: datetime.date | None
    agenda_item: str
    outcome: OutcomeValue
    parties: list[str]
    submitters: list[str] = Field(..., description="Names of the submitters.")
    topics: list[TopicOut]
    visibility: DocumentVisibility
    shared_at: datetime.datetime
    url: str = Field(..., description="The document on the site.")


class DocumentDetailOut(DocumentOut):
    votes_for: int | None
    votes_against: int | None
    sections: list[SectionOut] = Field(..., description="The structured parts (motion, amendment, questions).")
    text: str
    source_url: str


class PartialMatchOut(Schema):
    words: int = Field(..., description='The search\'s words (an OR group or a "phrase" counts as one).')
    at_least: int = Field(..., description="Every result holds at least this many of the words.")
    with_all_words: int = Field(..., description="How many results hold every word.")
    relaxed: bool = Field(
        ...,
        description="No document holds enough of the words together (all of one or two words, three quarters "
        "of more), so documents with fewer of them are included rather than nothing.",
    )
    message: str = Field(
        ...,
        description="The explanation the site shows, in the site's language (Dutch, or English with the "
        "language cookie).",
    )


class CorrectionOut(Schema):
    typed: str = Field(..., description="A word of `q` (folded: lower case, no accents).")
    suggested: str = Field(..., description="The better-known word in the library's vocabulary.")


class SuggestionOut(Schema):
    q: str = Field(..., description="The search with the corrected words: search again with this.")
    corrections: list[CorrectionOut]


class DocumentPage(PageOut):
    results: list[DocumentOut]
    suggestion: SuggestionOut | None = Field(
        None,
        description="A spelling suggestion from the library's own vocabulary (the site's \"Bedoelde je\"): "
        "set when a word of `q` is unknown, or the search found few documents and a much more frequent "
        "word is one or two letters away; null otherwise.",
    )
    partial: PartialMatchOut | None = Field(
        None,
        description="Set when some results hold only part of the search's words (a search is ranked over "
        "its words, not an AND of them); null when every result holds every word, or without `q`.",
    )
    # Kept for clients of the former engine, which estimated large results: every match is now
    # counted and ranked, so these two say nothing `count` does not (deprecated in the schema).
    count_is_estimate: bool = Field(
        False,
        description="Always false: `count` is exact for every search. Deprecated; kept for existing clients.",
        json_schema_extra={"deprecated": True},
    )
    pageable: int = Field(
        ...,
        description="Equal to `count`: every result can be paged through. Deprecated; kept for existing clients.",
        json_schema_extra={"deprecated": True},
    )


# --- news, publications, newsletter ---------------------------------------------------------------------


class NewsOut(Schema):
    slug: str
    title: str
    summary: str
    topics: list[TopicOut]
    visibility: ContentVisibilityValue
    published_at: datetime.datetime
    url: str


class NewsDetailOut(NewsOut):
    body: str = Field(..., description="The text, paragraphs separated by a blank line.")


class NewsPage(PageOut):
    results: list[NewsOut]


class PublicationOut(Schema):
    slug: str
    title: str
    summary: str
    authors: str
    date: datetime.date
    topics: list[TopicOut]
    visibility: ContentVisibilityValue
    published_at: datetime.datetime
    url: str
    pdf_url: str


class PublicationPage(PageOut):
    results: list[PublicationOut]


class EditionOut(Schema):
    number: int
    subject: str
    sent_at: datetime.datetime | None
    public: bool = Field(..., description="False: only members can read it in the archive.")
    url: str


class EditionEntryOut(Schema):
    kind: Literal["news", "publication", "document", "event"]
    label: str
    title: str
    summary: str
    url: str


class EditionDetailOut(EditionOut):
    introduction: str
    entries: list[EditionEntryOut]


class EditionPage(PageOut):
    results: list[EditionOut]


# --- events -----------------------------------------------------------------------------------------


class EventOut(Schema):
    slug: str
    title: str
    kind: EventKind
    summary: str
    status: Literal["published", "cancelled"]
    audience: EventAudience
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    online: bool
    region: BodyRef | None
    capacity: int
    seats_taken: int
    price_cents: int
    registration_opens: datetime.datetime
    registration_closes: datetime.datetime
    topics: list[TopicOut]
    url: str


class SessionOut(Schema):
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    location_name: str
    address: str
    online: bool = Field(..., description="The link is shown on the site to confirmed participants only.")


class EventDetailOut(EventOut):
    description: str
    sessions: list[SessionOut]


class EventPage(PageOut):
    results: list[EventOut]


# --- members ----------------------------------------------------------------------------------------


class BranchRef(Schema):
    slug: str
    name: str


class MandateOut(Schema):
    role: MandateRoleValue
    role_label: str
    body: BodyRef
    portfolios: str
    start_date: datetime.date
    end_date: datetime.date | None


class MemberOut(Schema):
    id: int
    name: str
    branch: BranchRef | None
    mandates: list[MandateOut] = Field(..., description="Current mandates.")
    topics: list[TopicOut]
    email: str | None = Field(..., description="Null when the member does not show it to members.")
    phone: str | None = Field(..., description="Null when the member does not show it to members (or has none).")
    bio: str | None = Field(..., description="Null when the member does not show it to members.")
    url: str


class MemberPage(PageOut):
    results: list[MemberOut]


class OwnMandateOut(MandateOut):
    review_status: str


class PrivacyOut(Schema):
    email: str
    phone: str
    address: str
    photo: str
    bio: str


class OwnMemberOut(Schema):
    id: int
    name: str
    given_name: str
    infix: str
    family_name: str
    email: str
    phone: str
    bio: str
    branch: BranchRef | None
    topics: list[TopicOut]
    mandates: list[OwnMandateOut] = Field(..., description="All your mandates, with their review status.")
    privacy: PrivacyOut = Field(..., description="Who sees each of your private fields.")
    url: str


class MeOut(Schema):
    email: str = Field(..., description="The e-mail address of your account.")
    name: str
    roles: list[str]
    member: OwnMemberOut | None
    token_name: str
    token_expires_at: datetime.datetime | None


class RegistrationEventOut(Schema):
    slug: str
    title: str
    starts_at: datetime.datetime | None
    url: str


class RegistrationOut(Schema):
    event: RegistrationEventOut
    status: RegistrationStatus
    signed_up_at: datetime.datetime
    offer_expires_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None


class RegistrationPage(PageOut):
    results: list[RegistrationOut]
