"""Questions, discussions and replies: mentions, quotes, library cards, attachments, the helpful
answer, and the limits on what comes in."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from core.roles import Role
from library.models import Document
from members.models import Block
from networks import services
from networks.models import Attachment, LinkedDocument, Mention, Post, Thread
from tests.factories import DocumentFactory, make_role_user

from .factories import ask, closed_network, member, pdf_upload, topic_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def wonen():  # type: ignore[no-untyped-def]
    return topic_network()


def test_a_member_joins_a_topic_network_and_asks_a_question(wonen) -> None:  # type: ignore[no-untyped-def]
    ria = member("Ria", "Hoekstra")
    with pytest.raises(PermissionDenied):
        services.start_thread(network=wonen, author=ria, kind="question", title="Vraag", body="Tekst")
    services.join(network=wonen, user=ria)
    written = services.start_thread(
        network=wonen, author=ria, kind="question", title="  Wie heeft   ervaring? ", body="Met kinderopvang."
    )
    thread = written.post.thread
    assert thread.title == "Wie heeft ervaring?"
    assert thread.topic == wonen.topic
    assert written.post.opening and thread.reply_count == 0
    assert thread.author_member == ria.member


def test_bad_input_gets_a_clear_error_and_changes_nothing(wonen) -> None:  # type: ignore[no-untyped-def]
    ria = member()
    services.join(network=wonen, user=ria)
    for kwargs, field in (
        ({"title": " ", "body": "x"}, "title"),
        ({"title": "x" * 201, "body": "x"}, "title"),
        ({"title": "Vraag", "body": "   "}, "body"),
        ({"title": "Vraag", "body": "x", "kind": "poll"}, "kind"),
    ):
        with pytest.raises(ValidationError) as error:
            services.start_thread(network=wonen, author=ria, **{"kind": "question", **kwargs})
        assert field in error.value.error_dict
    assert not Thread.objects.exists() and not Post.objects.exists()


def test_replies_count_quote_and_move_the_thread_up(wonen) -> None:  # type: ignore[no-untyped-def]
    ria, sem = member("Ria", "Hoekstra"), member("Sem", "Dijkstra")
    thread = ask(wonen, ria)
    services.join(network=wonen, user=sem)
    first = services.reply(thread=thread, author=sem, body="Wij deden dit in Assen.").post
    second = services.reply(thread=thread, author=ria, body="Dank!", quote=first).post
    thread.refresh_from_db()
    assert thread.reply_count == 2
    assert thread.last_post_at == second.created_at
    assert second.quote == first
    other = ask(wonen, sem, title="Andere vraag")
    with pytest.raises(ValidationError):
        services.reply(thread=other, author=ria, body="x", quote=first)


def test_mentions_become_tokens_and_notify_the_member(wonen, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    ria = member("Ria", "Hoekstra")
    jan = member("Jan", "Vries", infix="de")
    janneke = member("Jan", "Vriesland")
    services.join(network=wonen, user=ria)
    with django_capture_on_commit_callbacks(execute=True):
        written = services.start_thread(
            network=wonen,
            author=ria,
            kind="question",
            title="Kinderopvang",
            body="Hoi @Jan de Vries, en @jan vriesland. Mail me op ria@example.org. Ook @Onbekend Iemand?",
        )
    post = written.post
    assert post.body.startswith(f"Hoi @{{member:{jan.member.pk}}}, en @{{member:{janneke.member.pk}}}.")
    assert "ria@example.org" in post.body
    assert written.unresolved == ["@Onbekend Iemand"]
    assert set(Mention.objects.values_list("member_id", flat=True)) == {jan.member.pk, janneke.member.pk}
    mentioned = sorted(m.to[0] for m in mail.outbox)
    assert mentioned == sorted([jan.email, janneke.email])
    message = next(m for m in mail.outbox if m.to == [jan.email])
    assert "Ria Hoekstra" in message.subject and "@Jan de Vries" in message.body


def test_typed_tokens_mention_nobody(wonen) -> None:  # type: ignore[no-untyped-def]
    ria, jan = member("Ria", "Hoekstra"), member("Jan", "Bakker")
    services.join(network=wonen, user=ria)
    post = services.start_thread(
        network=wonen, author=ria, kind="question", title="x", body=f"Zie @{{member:{jan.member.pk}}}"
    ).post
    assert "@{member:" not in post.body
    assert not Mention.objects.exists()


def test_only_people_who_can_read_a_closed_network_can_be_mentioned(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    course = closed_network()
    ria, jan = member("Ria", "Hoekstra"), member("Jan", "Bakker")
    services.invite_members(network=course, users=[ria], invited_by=ria)
    services.answer_invitation(invitation=ria.network_invitations.get(), accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        written = services.start_thread(network=course, author=ria, kind="discussion", title="x", body="@Jan Bakker?")
    assert not Mention.objects.exists()
    assert written.unresolved
    assert jan.email not in [m.to[0] for m in mail.outbox]


def test_a_member_who_blocked_the_author_is_not_mailed_about_a_mention(
    wonen, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    ria, jan = member("Ria", "Hoekstra"), member("Jan", "Bakker")
    Block.objects.create(blocker=jan.member, blocked=ria.member)
    services.join(network=wonen, user=ria)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_thread(network=wonen, author=ria, kind="question", title="x", body="@Jan Bakker weet jij dit?")
    assert Mention.objects.count() == 1
    assert jan.email not in [m.to[0] for m in mail.outbox]


def test_library_links_become_cards_only_for_documents_the_author_may_read(wonen) -> None:  # type: ignore[no-untyped-def]
    ria = member()
    services.join(network=wonen, user=ria)
    shared = DocumentFactory(title="Motie betaalbare kinderopvang")
    draft = DocumentFactory(title="Concept", status=Document.Status.DRAFT)
    post = services.start_thread(
        network=wonen,
        author=ria,
        kind="question",
        title="x",
        body=f"Zie http://testserver/bibliotheek/{shared.pk}/ en /bibliotheek/{draft.pk}/ en /bibliotheek/999999/.",
    ).post
    assert list(LinkedDocument.objects.filter(post=post).values_list("document_id", flat=True)) == [shared.pk]


def test_attachments_are_checked_by_content_and_stored_encrypted(wonen) -> None:  # type: ignore[no-untyped-def]
    ria = member()
    services.join(network=wonen, user=ria)
    page = SimpleUploadedFile("notitie.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.start_thread(network=wonen, author=ria, kind="question", title="x", body="y", files=[page])
    assert "notitie.pdf" in " ".join(error.value.message_dict["files"])
    assert not Thread.objects.exists()
    with pytest.raises(ValidationError):
        services.start_thread(
            network=wonen, author=ria, kind="question", title="x", body="y", files=[pdf_upload() for _ in range(6)]
        )
    text_named_pdf = SimpleUploadedFile("lijst.pdf", b"gewoon tekst", content_type="text/plain")
    with pytest.raises(ValidationError):
        services.start_thread(network=wonen, author=ria, kind="question", title="x", body="y", files=[text_named_pdf])
    post = services.start_thread(
        network=wonen, author=ria, kind="question", title="x", body="y", files=[pdf_upload("../../notitie.html")]
    ).post
    attachment = Attachment.objects.get(post=post)
    assert attachment.filename == "notitie.pdf" and attachment.content_type == "application/pdf"
    assert bytes(attachment.content)[:5] != b"%PDF-"
    assert services.attachment_bytes(attachment).startswith(b"%PDF-")


def test_post_text_and_titles_are_encrypted_at_rest(wonen) -> None:  # type: ignore[no-untyped-def]
    ria = member()
    thread = ask(wonen, ria, title="Geheime titel over kinderopvang", body="Vertrouwelijke tekst over opvang")
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM networks_thread")
        (title,) = cursor.fetchone()
        cursor.execute("SELECT body FROM networks_post")
        (body,) = cursor.fetchone()
    assert "kinderopvang" not in title and title.startswith("enc1:")
    assert "opvang" not in body and body.startswith("enc1:")
    assert Thread.objects.get(pk=thread.pk).title == "Geheime titel over kinderopvang"


def test_only_the_asker_marks_the_helpful_answer(wonen) -> None:  # type: ignore[no-untyped-def]
    ria, sem = member("Ria", "Hoekstra"), member("Sem", "Dijkstra")
    thread = ask(wonen, ria)
    services.join(network=wonen, user=sem)
    answer = services.reply(thread=thread, author=sem, body="Zo deden wij het.").post
    with pytest.raises(PermissionDenied):
        services.mark_helpful(thread=thread, post=answer, user=sem)
    with pytest.raises(ValidationError):
        services.mark_helpful(thread=thread, post=thread.posts.get(opening=True), user=ria)
    services.mark_helpful(thread=thread, post=answer, user=ria)
    thread.refresh_from_db()
    assert thread.solution == answer
    services.mark_helpful(thread=thread, post=None, user=ria)
    thread.refresh_from_db()
    assert thread.solution is None


def test_a_discussion_has_no_helpful_answer(wonen) -> None:  # type: ignore[no-untyped-def]
    ria, sem = member("Ria", "Hoekstra"), member("Sem", "Dijkstra")
    thread = ask(wonen, ria, kind="discussion")
    services.join(network=wonen, user=sem)
    answer = services.reply(thread=thread, author=sem, body="Eens.").post
    with pytest.raises(PermissionDenied):
        services.mark_helpful(thread=thread, post=answer, user=ria)


def test_posting_is_limited_per_hour(wonen, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "POSTS_PER_HOUR", 2)
    ria = member()
    thread = ask(wonen, ria)
    services.reply(thread=thread, author=ria, body="Aanvulling")
    with pytest.raises(ValidationError):
        services.reply(thread=thread, author=ria, body="Nog een")
    assert Post.objects.count() == 2


def test_advisers_answer_in_every_network_other_staff_do_not(wonen) -> None:  # type: ignore[no-untyped-def]
    ria = member()
    thread = ask(wonen, ria)
    adviser = make_role_user(Role.ADVISER)
    post = services.reply(thread=thread, author=adviser, body="Vanuit de vereniging: kijk naar de modelmotie.").post
    assert post.author_kind == "adviser" and post.author_member is None
    with pytest.raises(PermissionDenied):
        services.reply(thread=thread, author=make_role_user(Role.EDITOR), body="x")


def test_the_page_shows_mentions_cards_and_quotes(client, wonen) -> None:  # type: ignore[no-untyped-def]
    ria, jan = member("Ria", "Hoekstra"), member("Jan", "Bakker")
    document = DocumentFactory(title="Motie betaalbare kinderopvang")
    thread = ask(wonen, ria, body=f"Vraag aan @Jan Bakker: zie /bibliotheek/{document.pk}/ <b>vet</b>")
    services.join(network=wonen, user=jan)
    first = thread.posts.get()
    services.reply(thread=thread, author=jan, body="Klopt, die heb ik geschreven.", quote=first)
    client.force_login(jan)
    response = client.get(thread.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{jan.member.get_absolute_url()}" class="mention">@Jan Bakker</a>' in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html and "<b>vet</b>" not in html
    assert "Motie betaalbare kinderopvang" in html and 'class="document-card"' in html
    assert "Ria Hoekstra schreef:" in html
    # Jan may report Ria's post, not his own reply.
    assert reverse("networks:report_post", args=[first.pk]) in html
    assert reverse("networks:report_post", args=[thread.posts.get(opening=False).pk]) not in html
