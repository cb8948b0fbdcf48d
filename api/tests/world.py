"""Example data for the API tests and the schemathesis run: something visible and something hidden
of every kind, members with different privacy choices, and tokens in every state."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accounts.models import User
from api import services as token_services
from api.models import ApiToken
from core.roles import Role
from events import services as event_services
from events.models import Event
from library import engine
from library.models import Document
from members.models import Member, Topic
from newsletter import services as news_services
from newsletter.models import Edition, Publication
from tests.factories import (
    BranchFactory,
    DocumentFactory,
    EventFactory,
    MandateFactory,
    MemberFactory,
    MunicipalityFactory,
    ProvinceFactory,
    WaterBoardFactory,
    make_role_user,
)


@dataclass
class World:
    member_user: User
    token: str
    other: Member
    open_member: Member
    body: Any
    province: Any
    documents: dict[str, Document] = field(default_factory=dict)
    publications: dict[str, Publication] = field(default_factory=dict)
    news: dict[str, Any] = field(default_factory=dict)
    editions: dict[str, Edition] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    topic: Topic | None = None


def publication(title: str, *, visibility: str = "public", published: bool = True, **kwargs: Any) -> Publication:
    topics = kwargs.pop("topics", [])
    item = Publication.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        summary=kwargs.pop("summary", "Samenvatting."),
        authors="Onderzoeksbureau",
        date=kwargs.pop("date", datetime.date(2025, 3, 1)),
        visibility=visibility,
        published_at=timezone.now() - datetime.timedelta(hours=1) if published else None,
        **kwargs,
    )
    item.topics.set(topics)
    news_services.index_publication(item)
    return item


def document(**kwargs: Any) -> Document:
    topics = kwargs.pop("topics", [])
    doc = DocumentFactory(**kwargs)
    doc.topics.set(topics)
    engine.index_documents([doc])
    return doc


def build_world() -> World:
    province = ProvinceFactory(code="PV23", name="Overijssel")
    body = MunicipalityFactory(code="GM0193", name="Zwolle", province=province)
    MunicipalityFactory(code="GM0148", name="Dalfsen", province=province)
    WaterBoardFactory(code="WS0155", name="Drents Overijsselse Delta")
    topic = Topic.objects.get_or_create(slug="wonen", defaults={"name": "Wonen"})[0]

    member_user = make_role_user(Role.MEMBER)
    MandateFactory(member=member_user.member, body=body)
    _secret = token_services.create_token(user=member_user, name="Test", expires_in_days=None)[1]

    branch = BranchFactory(name="Afdeling Zwolle", slug="zwolle")
    # Shows nothing private to members: e-mail to staff, phone to nobody, bio to staff.
    other = MemberFactory(
        given_name="Greet",
        family_name="Geheim",
        email="greet@example.org",
        phone="06-99990000",
        bio="Alleen voor staf.",
        email_visibility="staff",
        phone_visibility="nobody",
        bio_visibility="staff",
        branch=branch,
    )
    MandateFactory(member=other, body=body, role="alderman")
    # Shows e-mail, phone and bio to all members.
    open_member = MemberFactory(
        given_name="Otto",
        family_name="Open",
        email="otto@example.org",
        phone="06-12345678",
        bio="Raadslid voor wonen.",
        email_visibility="members",
        phone_visibility="members",
        bio_visibility="members",
    )
    open_member.topics.add(topic)
    MandateFactory(member=open_member, body=body)
    MemberFactory(given_name="Lars", family_name="Lapsed", status=Member.Status.LAPSED)

    world = World(member_user, _secret, other, open_member, body, province, topic=topic)
    world.documents = {
        "public": document(
            title="Motie betaalbare woningen",
            body=body,
            visibility="public",
            text="Bouw meer woningen.",
            topics=[topic],
        ),
        "public_2023": document(
            kind="amendment",
            title="Amendement fietspaden",
            body=body,
            visibility="public",
            meeting_date=datetime.date(2023, 2, 1),
        ),
        "members": document(title="Motie woningen voor leden", body=body, visibility="members", text="Woningen."),
        "draft": document(title="Concept woningen", body=body, visibility="public", status="draft"),
    }
    world.publications = {
        "public": publication("Onderzoek wonen", summary="Over woningnood.", topics=[topic]),
        "members": publication("Intern onderzoek", visibility="members"),
        "unpublished": publication("Nog niet klaar", published=False),
    }
    world.news = {
        "public": news_services.save_news_item(title="Openbaar nieuws", summary="Kort.", body="Tekst.", publish=True),
        "members": news_services.save_news_item(
            title="Ledennieuws", summary="Kort.", body="Tekst.", visibility="members", publish=True
        ),
        "draft": news_services.save_news_item(title="Conceptnieuws", summary="Kort.", body="Tekst."),
    }
    world.news["public"].topics.add(topic)
    world.editions = {
        "public": Edition.objects.create(number=1, subject="Week 1", status="sent", sent_at=timezone.now()),
        "members": Edition.objects.create(
            number=2, subject="Week 2", status="sent", sent_at=timezone.now(), public=False
        ),
        "draft": news_services.create_edition(subject="Week 3", created_by=None),
    }
    news_services.add_item(edition=world.editions["draft"], kind="news", target=world.news["public"])
    world.editions["public"].items.create(position=1, news_item=world.news["public"])
    world.editions["public"].items.create(position=2, document=world.documents["public"])
    world.events = {
        "public": EventFactory(slug="open-avond", title="Open avond", audience="public", region=province),
        "members": EventFactory(slug="ledenavond", title="Ledenavond", audience="members", kind="course"),
        "invited": EventFactory(slug="besloten", title="Besloten", audience="invited"),
        "invited_me": EventFactory(slug="uitgenodigd", title="Uitgenodigd", audience="invited"),
        "draft": EventFactory(slug="concept", title="Concept", audience="public", status="draft"),
    }
    world.events["public"].topics.add(topic)
    world.events["invited_me"].invitees.add(member_user.member)
    event_services.register(event=world.events["members"], member=member_user.member)
    event_services.register(event=world.events["public"], member=other)
    return world


def token_for(user: User, **kwargs: Any) -> tuple[ApiToken, str]:
    return token_services.create_token(user=user, name=kwargs.pop("name", "Extra"), expires_in_days=None, **kwargs)
