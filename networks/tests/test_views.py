"""The pages of networks: flows through the views, clear errors for bad input, a constant number of
queries per page, and the expert who sees one network and nothing else."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Invitation
from core.roles import Role
from networks import services
from networks.models import Membership, Network, Post, Thread
from tests.factories import DocumentFactory, EventFactory, make_role_user

from .factories import ask, closed_network, member, pdf_upload, tier_network, topic_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def wonen():  # type: ignore[no-untyped-def]
    return topic_network()


def grow(network: Network, thread: Thread, n: int) -> None:
    """n more people, each with a reply (mentioning someone, linking a document, with a file) and a
    thread of their own."""
    document = DocumentFactory(title="Motie")
    for i in range(n):
        user = member(f"Lid{i}", f"Achternaam{i}")
        services.join(network=network, user=user)
        post = services.reply(
            thread=thread,
            author=user,
            body=f"Reactie {i} voor @Ria Hoekstra, zie /bibliotheek/{document.pk}/",
            quote=thread.posts.first(),
            files=[pdf_upload()],
        ).post
        services.report_post(post=post, reporter=thread.author, reason="Melding")
        ask(network, user, title=f"Vraag {i}")


def count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_pages_take_a_fixed_number_of_queries(client, wonen) -> None:  # type: ignore[no-untyped-def]
    ria = member("Ria", "Hoekstra")
    thread = ask(wonen, ria)
    tier_network()
    services.appoint_moderator(network=wonen, email=ria.email, appointed_by=make_role_user(Role.ADMINISTRATOR))
    grow(wonen, thread, 2)
    client.force_login(ria)
    urls = [
        reverse("networks:overview"),
        wonen.get_absolute_url(),
        thread.get_absolute_url(),
        reverse("networks:moderate", kwargs={"slug": wonen.slug}),
    ]
    client.get(urls[0])  # the association's settings are cached from now on
    few = {url: count(client, url) for url in urls}
    grow(wonen, thread, 6)
    many = {url: count(client, url) for url in urls}
    assert many == few
    assert max(many.values()) <= 25, many


def test_administrator_pages_take_a_fixed_number_of_queries(client, wonen) -> None:  # type: ignore[no-untyped-def]
    administrator = make_role_user(Role.ADMINISTRATOR)
    client.force_login(administrator)
    client.get(reverse("networks:manage"))
    few = count(client, reverse("networks:manage"))
    for slug in ("zorg", "jeugd", "klimaat"):
        topic_network(slug, slug.capitalize())
    assert count(client, reverse("networks:manage")) == few <= 20


def test_joining_asking_replying_and_marking_through_the_pages(client, wonen) -> None:  # type: ignore[no-untyped-def]
    ria, sem = member("Ria", "Hoekstra"), member("Sem", "Dijkstra")
    client.force_login(ria)
    new = reverse("networks:new_thread", kwargs={"slug": wonen.slug})
    assert client.get(new).status_code == 403  # join first
    response = client.post(reverse("networks:membership", kwargs={"slug": wonen.slug}), {"action": "join"})
    assert response.status_code == 302
    response = client.post(new, {"kind": "question", "title": "", "body": ""})
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.content.decode()
    assert not Thread.objects.exists()
    response = client.post(
        new,
        {
            "kind": "question",
            "title": "Wie heeft een motie over kinderopvang?",
            "body": "Graag ervaringen, @Niemand Bekend.",
            "files": [pdf_upload("plan.pdf")],
        },
    )
    thread = Thread.objects.get()
    assert response["Location"] == thread.get_absolute_url()
    assert "Niemand in dit netwerk heet @Niemand Bekend" in client.get(thread.get_absolute_url()).content.decode()
    client.force_login(sem)
    client.post(reverse("networks:membership", kwargs={"slug": wonen.slug}), {"action": "join"})
    web_page = SimpleUploadedFile("plan.pdf", b"<html>x</html>", content_type="application/pdf")
    response = client.post(thread.get_absolute_url(), {"body": "Zie bijlage", "files": [web_page]})
    assert response.status_code == 200 and "geen bestand van een toegestaan type" in response.content.decode()
    response = client.post(thread.get_absolute_url(), {"body": "Wij deden het zo.", "quote": thread.posts.get().pk})
    reply = Post.objects.get(opening=False)
    assert response["Location"].endswith(f"#bericht-{reply.pk}")
    assert reply.quote == thread.posts.get(opening=True)
    # Only the asker sees the button and may mark.
    mark = reverse("networks:mark_helpful", kwargs={"slug": wonen.slug, "pk": thread.pk})
    assert client.post(mark, {"post": reply.pk}).status_code == 403
    client.force_login(ria)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Markeer als nuttig antwoord" in html
    client.post(mark, {"post": reply.pk})
    thread.refresh_from_db()
    assert thread.solution == reply
    html = client.get(f"{wonen.get_absolute_url()}?toon=open").content.decode()
    assert "Geen open vragen." in html


def test_the_quote_link_prefills_the_reply(client, wonen) -> None:  # type: ignore[no-untyped-def]
    ria = member("Ria", "Hoekstra")
    thread = ask(wonen, ria, body="Een lange vraag over kinderopvang.")
    client.force_login(ria)
    html = client.get(f"{thread.get_absolute_url()}?citeer={thread.posts.get().pk}").content.decode()
    assert "Je citeert Ria Hoekstra:" in html and "Een lange vraag over kinderopvang." in html
    assert f'name="quote" value="{thread.posts.get().pk}"' in html


def test_notifications_leave_and_tier_networks(client, wonen) -> None:  # type: ignore[no-untyped-def]
    councillors = tier_network()
    ria = member("Ria", "Hoekstra")
    client.force_login(ria)
    membership_url = reverse("networks:membership", kwargs={"slug": councillors.slug})
    client.post(membership_url, {"action": "notify", "notify": "daily"})
    assert Membership.objects.get(network=councillors, user=ria).notify == "daily"
    client.post(membership_url, {"action": "notify", "notify": "elk uur"})
    assert Membership.objects.get(network=councillors, user=ria).notify == "daily"
    assert client.post(membership_url, {"action": "leave"}).status_code == 403
    services.join(network=wonen, user=ria)
    client.post(reverse("networks:membership", kwargs={"slug": wonen.slug}), {"action": "leave"})
    assert not Membership.objects.filter(network=wonen, user=ria).exists()


def test_attachments_are_served_to_readers_as_downloads(client, wonen) -> None:  # type: ignore[no-untyped-def]
    ria = member("Ria", "Hoekstra")
    thread = ask(wonen, ria, files=[pdf_upload("notitie.pdf")])
    attachment = thread.posts.get().attachments.get()
    url = reverse("networks:attachment", kwargs={"pk": attachment.pk})
    client.force_login(member("Sem", "Dijkstra"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response).startswith(b"%PDF-")
    client.force_login(make_role_user(Role.EDITOR))
    assert client.get(url).status_code == 404


def test_moderators_invite_a_course_and_members_answer(client) -> None:  # type: ignore[no-untyped-def]
    from events import services as event_services

    course = closed_network()
    ria, sem = member("Ria", "Hoekstra"), member("Sem", "Dijkstra")
    leergang = EventFactory(title="Leergang Raadswerk", kind="course")
    event_services.register(event=leergang, member=sem.member)
    moderator = make_role_user(Role.ADVISER)
    services.appoint_moderator(network=course, email=moderator.email, appointed_by=make_role_user(Role.ADMINISTRATOR))
    client.force_login(moderator)
    moderate = reverse("networks:moderate", kwargs={"slug": course.slug})
    response = client.post(moderate, {"action": "invite_members", "emails": "", "event": ""})
    assert "Geef e-mailadressen of kies een leergang." in response.content.decode()
    response = client.post(moderate, {"action": "invite_members", "emails": ria.email, "event": leergang.pk})
    assert response.status_code == 302
    assert course.invitations.count() == 2
    client.force_login(sem)
    overview = client.get(reverse("networks:overview")).content.decode()
    assert "Sluit je aan bij Leergang Lokaal Bestuur 2026" in overview
    invitation = course.invitations.get(user=sem)
    client.post(reverse("networks:answer_invitation", kwargs={"pk": invitation.pk}), {"answer": "accept"})
    assert Membership.objects.filter(network=course, user=sem, source="invited").exists()
    client.force_login(ria)
    invitation = course.invitations.get(user=ria)
    client.post(reverse("networks:answer_invitation", kwargs={"pk": invitation.pk}), {"answer": "decline"})
    assert not Membership.objects.filter(network=course, user=ria).exists()
    assert client.get(course.get_absolute_url()).status_code == 404


def test_an_expert_is_invited_accepts_and_sees_only_their_network(
    client, wonen, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    course = closed_network()
    moderator = make_role_user(Role.ADVISER)
    services.appoint_moderator(network=course, email=moderator.email, appointed_by=make_role_user(Role.ADMINISTRATOR))
    client.force_login(moderator)
    moderate = reverse("networks:moderate", kwargs={"slug": course.slug})
    response = client.post(
        moderate, {"action": "invite_expert", "name": "Dr. Eva Smit", "email": moderator.email, "expertise": "recht"}
    )
    assert "Er bestaat al een account met dit e-mailadres." in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            moderate,
            {"action": "invite_expert", "name": "Dr. Eva Smit", "email": "eva@example.org", "expertise": "recht"},
        )
    (message,) = mail.outbox
    assert "als deskundige" in message.subject and course.name in message.body
    token = re.search(r"/uitnodiging/([^/]+)/", message.body).group(1)  # type: ignore[union-attr]
    assert Invitation.objects.get(email="eva@example.org").token_hash != token  # only the hash is kept
    client.logout()
    response = client.post(
        reverse("accounts:accept_invitation", kwargs={"token": token}),
        {"password1": "een-sterk-wachtwoord-9", "password2": "een-sterk-wachtwoord-9"},
    )
    assert response.status_code == 302
    eva = Invitation.objects.get(email="eva@example.org").user
    assert Membership.objects.get(user=eva).network == course
    client.force_login(eva)
    # Home, the directory, the library, other networks: never; the expert lands in their network.
    for url in ("/", "/leden/", "/bibliotheek/", "/profiel/", "/hulp/", reverse("networks:overview")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == course.get_absolute_url(), url
    assert client.get(wonen.get_absolute_url()).status_code == 404
    html = client.get(course.get_absolute_url()).content.decode()
    assert "Je doet mee als deskundige" in html
    assert 'href="/leden/"' not in html and 'href="/bibliotheek/"' not in html
    # Their posts carry their expertise; members' names are not links for them.
    ria = member("Ria", "Hoekstra")
    services.invite_members(network=course, users=[ria], invited_by=moderator)
    services.answer_invitation(invitation=course.invitations.get(user=ria), accept=True)
    thread = ask(course, ria, kind="discussion", title="Over de Omgevingswet")
    client.post(thread.get_absolute_url(), {"body": "Vanuit de wet gezien..."})
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Deskundige: recht" in html
    assert ria.member.get_absolute_url() not in html
    # Removing the expert closes the account.
    client.force_login(moderator)
    expert_row = course.experts.get()
    client.post(moderate, {"action": "remove_expert", "expert": expert_row.pk})
    eva.refresh_from_db()
    assert not eva.is_active and not Membership.objects.filter(user=eva).exists()


def test_administrators_make_networks_and_appoint_moderators(client) -> None:  # type: ignore[no-untyped-def]
    from members.models import Topic

    administrator = make_role_user(Role.ADMINISTRATOR)
    ria = member("Ria", "Hoekstra")
    client.force_login(administrator)
    manage = reverse("networks:manage")
    response = client.post(manage, {"kind": "topic", "name": "", "description": ""})
    assert "Kies het onderwerp." in response.content.decode()
    zorg = Topic.objects.get_or_create(slug="zorg", defaults={"name": "Zorg"})[0]
    response = client.post(manage, {"kind": "topic", "topic": zorg.pk, "name": "", "description": "Over zorg"})
    network = Network.objects.get(topic=zorg)
    assert network.name == "Zorg" and response["Location"] == reverse("networks:settings", kwargs={"slug": "zorg"})
    response = client.post(manage, {"kind": "topic", "topic": zorg.pk})
    assert "Voor dit onderwerp is al een netwerk." in response.content.decode()
    client.post(manage, {"kind": "tier", "tier_group": "councillors"})
    assert Network.objects.get(tier_group="councillors").memberships.filter(user=ria).exists()
    client.post(manage, {"kind": "closed", "name": "Gedragscode"})
    assert Network.objects.filter(slug="gedragscode-netwerk").exists()
    settings_url = reverse("networks:settings", kwargs={"slug": "zorg"})
    response = client.post(settings_url, {"action": "add_moderator", "email": "niemand@example.org"})
    assert "kan netwerken modereren" in response.content.decode()
    client.post(settings_url, {"action": "add_moderator", "email": ria.email})
    moderator = network.moderators.get()
    assert moderator.user == ria
    client.post(settings_url, {"action": "remove_moderator", "moderator": moderator.pk})
    assert not network.moderators.exists()
