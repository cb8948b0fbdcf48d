"""One test for each permission check of networks' services that the authorization matrix alone
does not catch (issue 18, point 7: removing any single check makes a test fail; see
tests/mutation/permission_mutants.py). The services are called directly, as someone who may not,
and each test asserts the refusal, that nothing was written, and the allowed case.

The tests take no fixtures (the mutation script also runs them in process, beside the
authorization matrix's world): they make their own networks and people, and look only at those."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from core.roles import Role
from library.models import Document
from members.models import Member
from networks import services
from networks.models import LinkedDocument, Membership, Network, Notify, Post, Report, Thread
from networks.selectors import access
from tests.factories import DocumentFactory, make_role_user

from .factories import ask, closed_network, expert, member, tier_network, topic_network

pytestmark = pytest.mark.django_db


def _get(user: Any, url: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url)


def _topic_network(slug: str) -> Network:
    """A topic network of its own (the world of the matrix has "wonen" already)."""
    return topic_network(f"permissie-{slug}", f"Permissie {slug}")


def _councillors() -> Network:
    return Network.objects.filter(tier_group=Network.TierGroup.COUNCILLORS).first() or tier_network()


def _thread(network: Network, author: object) -> Thread:
    return ask(network, author, title="Wie weet hoe dit werkt?", body="Een vraag aan het netwerk.")


def test_only_an_active_member_joins_and_only_a_topic_network() -> None:
    """services.join: `networks.join` (an active association member, a topic network)."""
    network = _topic_network("toetreden")
    course = closed_network("Leergang permissies toetreden")
    adviser = make_role_user(Role.ADVISER)
    lapsed = member("Lars", "Verlopen")
    Member.objects.filter(pk=lapsed.member.pk).update(status=Member.Status.LAPSED)
    lapsed.refresh_from_db()
    ria = member("Ria", "Toetreder")
    for user, target in ((adviser, network), (lapsed, network), (ria, course)):
        with pytest.raises(PermissionDenied):
            services.join(network=target, user=user)
    assert (
        not Membership.objects.filter(user__in=[adviser, lapsed, ria]).exclude(network__kind=Network.Kind.TIER).exists()
    )
    membership = services.join(network=network, user=ria)
    assert membership.source == Membership.Source.JOINED
    assert services.join(network=network, user=ria) == membership  # twice: the same membership


def test_nobody_leaves_a_tier_network_or_an_experts_network_by_choice() -> None:
    """services.leave: `networks.leave` (topic and closed networks only; not an expert's)."""
    councillors = _councillors()
    sem = member("Sem", "Raadslid")
    assert Membership.objects.filter(network=councillors, user=sem).exists()
    course = closed_network("Leergang permissies vertrekken")
    eva = expert(course, email="deskundige.vertrek@example.org")
    for network, user in ((councillors, sem), (course, eva)):
        with pytest.raises(PermissionDenied):
            services.leave(network=network, user=user)
        assert Membership.objects.filter(network=network, user=user).exists()
    network = _topic_network("vertrekken")
    services.join(network=network, user=sem)
    services.leave(network=network, user=sem)
    assert not Membership.objects.filter(network=network, user=sem).exists()


def test_only_someone_in_the_network_chooses_its_e_mails() -> None:
    """services.set_notify: without a membership, no choice of e-mails (and no membership made)."""
    network = _topic_network("meldingen")
    ria = member("Ria", "Meldingen")
    with pytest.raises(PermissionDenied):
        services.set_notify(network=network, user=ria, notify=Notify.DAILY)
    assert not Membership.objects.filter(network=network, user=ria).exists()
    services.join(network=network, user=ria)
    assert services.set_notify(network=network, user=ria, notify=Notify.DAILY).notify == Notify.DAILY
    # Lapsed: the membership row is still there, the network is no longer theirs to read.
    Member.objects.filter(pk=ria.member.pk).update(status=Member.Status.LAPSED)
    ria = type(ria).objects.get(pk=ria.pk)  # a new request: nothing cached on the user object
    with pytest.raises(PermissionDenied):
        services.set_notify(network=network, user=ria, notify=Notify.WEEKLY)
    assert Membership.objects.get(network=network, user=ria).notify == Notify.DAILY


def test_a_member_who_left_meanwhile_chooses_no_e_mails() -> None:
    """services.set_notify: the membership is read again under a lock. A member whose access was
    decided in this request (cached on the user object) and who left in another request before the
    choice was written is refused, and no membership comes back."""
    network = _topic_network("meldingen-vertrokken")
    ria = member("Ria", "Vertrokken")
    services.join(network=network, user=ria)
    assert access(ria, network).membership is not None  # decided, and cached
    Membership.objects.filter(network=network, user=ria).delete()  # the other request's leave
    with pytest.raises(PermissionDenied):
        services.set_notify(network=network, user=ria, notify=Notify.WEEKLY)
    assert not Membership.objects.filter(network=network, user=ria).exists()


def test_a_post_links_only_the_library_documents_its_author_may_read() -> None:
    """services._write_post: `library.view_document` decides which linked documents get a card."""
    network = _topic_network("bibliotheek")
    ria = member("Ria", "Bibliotheek")
    published = DocumentFactory(title="Motie gedeeld")
    draft = DocumentFactory(title="Concept van een ander", status=Document.Status.DRAFT)
    thread = ask(network, ria, body=f"Zie /bibliotheek/{published.pk}/ en /bibliotheek/{draft.pk}/ hierover.")
    post = thread.posts.get(opening=True)
    assert list(LinkedDocument.objects.filter(post=post).values_list("document_id", flat=True)) == [published.pk]


def test_only_who_may_post_starts_a_conversation() -> None:
    """services.start_thread: `access(...).post` (a member who has not joined, an expert elsewhere)."""
    network = _topic_network("beginnen")
    ria = member("Ria", "Beginner")
    eva = expert(closed_network("Leergang permissies beginnen"), email="deskundige.beginnen@example.org")
    for user in (ria, eva):
        with pytest.raises(PermissionDenied):
            services.start_thread(network=network, author=user, kind="question", title="Vraag", body="Tekst")
    assert not Thread.objects.filter(network=network).exists()
    services.join(network=network, user=ria)
    services.start_thread(network=network, author=ria, kind="question", title="Vraag", body="Tekst")
    assert Thread.objects.filter(network=network, author=ria).count() == 1


def test_only_who_may_post_replies_and_nobody_to_a_hidden_conversation() -> None:
    """services.reply: `access(...).post`, and a conversation a moderator hid takes no replies."""
    network = _topic_network("reageren")
    ria, sem = member("Ria", "Vrager"), member("Sem", "Reageerder")
    thread = _thread(network, ria)
    with pytest.raises(PermissionDenied):
        services.reply(thread=thread, author=sem, body="Mag ik ook iets zeggen?")
    assert not Post.objects.filter(thread=thread, author=sem).exists()
    services.join(network=network, user=sem)
    services.reply(thread=thread, author=sem, body="Nu wel.")
    assert Post.objects.filter(thread=thread, author=sem).count() == 1
    services.hide_post(post=thread.posts.get(opening=True), moderator=make_role_user(Role.ADMINISTRATOR))
    for author in (sem, ria):
        with pytest.raises(PermissionDenied):
            services.reply(thread=thread, author=author, body="Nog een reactie.")
    assert Post.objects.filter(thread=thread).count() == 2


def test_only_the_asker_marks_the_helpful_answer() -> None:
    """services.mark_helpful: `networks.mark_helpful` (the asker, who reads the network)."""
    network = _topic_network("nuttig")
    ria, sem = member("Ria", "Vrager"), member("Sem", "Helper")
    thread = _thread(network, ria)
    services.join(network=network, user=sem)
    answer = services.reply(thread=thread, author=sem, body="Zo doe je dat.").post
    for user in (sem, make_role_user(Role.ADMINISTRATOR)):
        with pytest.raises(PermissionDenied):
            services.mark_helpful(thread=thread, post=answer, user=user)
    assert Thread.objects.get(pk=thread.pk).solution_id is None
    services.mark_helpful(thread=thread, post=answer, user=ria)
    assert Thread.objects.get(pk=thread.pk).solution_id == answer.pk


def test_nobody_reports_their_own_post_or_one_they_cannot_read() -> None:
    """services.report_post: `networks.report_post` (a visible post of someone else, in a network
    the reporter reads)."""
    network = _topic_network("melden")
    ria, sem = member("Ria", "Schrijver"), member("Sem", "Melder")
    post = _thread(network, ria).posts.get(opening=True)
    course = closed_network("Leergang permissies melden")
    eva = expert(course, email="deskundige.melden@example.org")
    course_post = services.start_thread(
        network=course, author=eva, kind="discussion", title="Onder ons", body="Alleen voor de leergang."
    ).post
    for target, user in ((post, ria), (course_post, sem)):
        with pytest.raises(PermissionDenied):
            services.report_post(post=target, reporter=user, reason="Op de persoon")
    assert not Report.objects.filter(post__in=[post, course_post]).exists()
    services.report_post(post=post, reporter=sem, reason="Op de persoon")
    assert Report.objects.filter(post=post, reporter=sem, handled_at__isnull=True).count() == 1


def test_only_a_moderator_hides_shows_again_and_keeps_a_post() -> None:
    """services.hide_post, unhide_post and keep_post: `access(...).moderate`; someone who merely
    posts in the network (an adviser, a member in it) changes nothing."""
    network = _topic_network("modereren")
    ria, sem = member("Ria", "Schrijver"), member("Sem", "Melder")
    post = _thread(network, ria).posts.get(opening=True)
    services.join(network=network, user=sem)
    services.report_post(post=post, reporter=sem, reason="Op de persoon")
    moderator = member("Mo", "Derator", mandate=False)
    services.appoint_moderator(network=network, email=moderator.email, appointed_by=None)

    def state() -> tuple[object, ...]:
        fresh = Post.objects.select_related("thread").get(pk=post.pk)
        return fresh.hidden_at, fresh.thread.hidden_at, post.reports.filter(handled_at__isnull=True).count()

    before = state()
    for user in (sem, ria, make_role_user(Role.ADVISER)):
        for action in (services.hide_post, services.unhide_post, services.keep_post):
            with pytest.raises(PermissionDenied):
                action(post=post, moderator=user)
            assert state() == before
    assert services.keep_post(post=post, moderator=moderator) == 1
    services.hide_post(post=post, moderator=moderator)
    assert Post.objects.get(pk=post.pk).hidden_at is not None
    services.unhide_post(post=post, moderator=moderator)
    assert Post.objects.get(pk=post.pk).hidden_at is None


# --- what the pages offer (the matrix asserts statuses; these assert what a page lets one do) ---------------


def test_the_overview_offers_managing_networks_to_administrators_only() -> None:
    """views.overview: `networks.manage` decides the link to make networks and appoint moderators."""
    url = reverse("networks:overview")
    assert _get(member("Ria", "Overzicht"), url).context["can_manage"] is False
    assert _get(make_role_user(Role.ADVISER), url).context["can_manage"] is False
    assert _get(make_role_user(Role.ADMINISTRATOR), url).context["can_manage"] is True


def test_an_expert_whose_network_is_gone_finds_no_network() -> None:
    """views.overview: an expert is sent to their one network; when it was deleted (the back
    office), there is nothing to send them to: 404, and no other network instead."""
    course = closed_network("Leergang permissies opgeheven")
    eva = expert(course, email="deskundige.opgeheven@example.org")
    assert _get(eva, reverse("networks:overview"))["Location"] == course.get_absolute_url()
    course.delete()
    assert _get(eva, reverse("networks:overview")).status_code == 404


def test_the_network_page_offers_joining_and_leaving_only_to_who_may() -> None:
    """views.network_view: `networks.join` and `networks.leave` decide the buttons."""
    network = _topic_network("knoppen")
    councillors = _councillors()
    ria = member("Ria", "Knoppen")

    def offered(target: Network) -> tuple[bool, bool]:
        context = _get(ria, target.get_absolute_url()).context
        return context["can_join"], context["can_leave"]

    assert offered(network) == (True, False)
    assert offered(councillors) == (False, False)  # in it through the mandate, not by choice
    services.join(network=network, user=ria)
    assert offered(network) == (False, True)
    context = _get(make_role_user(Role.ADVISER), network.get_absolute_url()).context
    assert (context["can_join"], context["can_leave"]) == (False, False)


def test_the_thread_page_offers_joining_only_to_who_may() -> None:
    """views.thread_view: `networks.join` decides the invitation to join on a conversation."""
    network = _topic_network("gesprek")
    thread = _thread(network, member("Ria", "Vrager"))
    sem = member("Sem", "Lezer")
    assert _get(sem, thread.get_absolute_url()).context["can_join"] is True
    assert _get(make_role_user(Role.ADVISER), thread.get_absolute_url()).context["can_join"] is False
    services.join(network=network, user=sem)
    assert _get(sem, thread.get_absolute_url()).context["can_join"] is False


def test_a_conversation_links_to_member_pages_only_for_who_sees_the_directory() -> None:
    """views.post_rows: `members.view_directory` decides the links to the authors' member pages
    (an expert reads the network, not the association's directory)."""
    course = closed_network("Leergang permissies ledenlijst")
    eva = expert(course, email="deskundige.ledenlijst@example.org")
    ria = member("Ria", "Cursist")
    services.invite_members(network=course, users=[ria], invited_by=None)
    services.answer_invitation(invitation=course.invitations.get(user=ria), accept=True)
    thread = services.start_thread(
        network=course, author=ria, kind="question", title="Wie helpt?", body="Een vraag aan de leergang."
    ).post.thread
    page = ria.member.get_absolute_url()
    assert _get(ria, thread.get_absolute_url()).context["opening"]["author"]["url"] == page
    response = _get(eva, thread.get_absolute_url())
    assert response.context["opening"]["author"]["url"] is None
    assert page not in response.content.decode()


def test_a_conversation_shows_only_the_library_documents_its_reader_may_see() -> None:
    """views.post_rows: `library.view_document` decides which linked documents a reader sees (a
    draft its author linked is theirs alone)."""
    network = _topic_network("concept")
    ria = member("Ria", "Deler")
    draft = DocumentFactory(title="Mijn concept", status=Document.Status.DRAFT, shared_by=ria.member)
    published = DocumentFactory(title="Gedeelde motie")
    thread = ask(network, ria, body=f"Zie /bibliotheek/{draft.pk}/ en /bibliotheek/{published.pk}/ hierover.")

    def shown(user: object) -> list[int]:
        opening = _get(user, thread.get_absolute_url()).context["opening"]
        return sorted(card["document"].pk for card in opening["documents"])

    assert shown(ria) == sorted([draft.pk, published.pk])
    assert shown(member("Sem", "Lezer")) == [published.pk]
