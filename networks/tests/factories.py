"""Building blocks for network tests (also used by the authorization matrix and the browser tests):
members with mandates and topics, networks of each kind, questions and replies."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services as account_services
from accounts.models import User
from core.roles import Role
from members.models import Topic
from networks import services
from networks.models import Network, Thread
from tests.factories import MandateFactory, MunicipalityFactory, make_role_user


def topic(slug: str = "wonen", name: str = "Wonen") -> Topic:
    return Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def member(
    given: str = "Ria",
    family: str = "Hoekstra",
    *,
    role: str = "councillor",
    body: Any = None,
    topics: tuple[str, ...] = (),
    infix: str = "",
    mandate: bool = True,
) -> User:
    """An association member's account with a current mandate (a councillor by default)."""
    user = make_role_user(Role.MEMBER, name=f"{given} {family}")
    record = user.member
    record.given_name, record.infix, record.family_name = given, infix, family
    record.save()
    if topics:
        record.topics.set([topic(slug, slug.capitalize()) for slug in topics])
    if mandate:
        MandateFactory(member=record, body=body or MunicipalityFactory(), role=role)
    return user


def topic_network(slug: str = "wonen", name: str = "Wonen", **kwargs: Any) -> Network:
    return services.create_network(kind=Network.Kind.TOPIC, name="", topic=topic(slug, name), created_by=None, **kwargs)


def tier_network(group: str = Network.TierGroup.COUNCILLORS) -> Network:
    return services.create_network(kind=Network.Kind.TIER, name="", tier_group=group, created_by=None)


def closed_network(name: str = "Leergang Lokaal Bestuur 2026") -> Network:
    return services.create_network(kind=Network.Kind.CLOSED, name=name, created_by=None)


def ask(
    network: Network,
    user: User,
    title: str = "Wie heeft ervaring met een motie over betaalbare kinderopvang?",
    body: str = "Wij willen in de raad een motie indienen. Wie deed dit al?",
    kind: str = Thread.Kind.QUESTION,
    **kwargs: Any,
) -> Thread:
    if network.kind == Network.Kind.TOPIC:
        services.join(network=network, user=user)
    return services.start_thread(network=network, author=user, kind=kind, title=title, body=body, **kwargs).post.thread


def expert(network: Network, *, email: str = "deskundige@example.org", name: str = "Dr. Eva Smit") -> User:
    """An expert who accepted the invitation into `network`."""
    invited = services.invite_expert(
        network=network, email=email, name=name, expertise="hoogleraar bestuursrecht", invited_by=None
    )
    token = services.resend_expert_invitation(expert=invited)
    return account_services.accept_invitation(token=token, password="een-sterk-wachtwoord-9")


def pdf_upload(name: str = "notitie.pdf") -> SimpleUploadedFile:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")
