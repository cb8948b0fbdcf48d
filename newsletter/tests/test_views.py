"""News, publications, the archive, subscriptions and composing an edition, as people use them."""

from __future__ import annotations

import datetime

import pytest
import weasyprint
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from newsletter import sending, services
from newsletter.models import Edition, NewsItem, Publication, Subscriber
from tests.factories import DocumentFactory, MemberFactory, make_role_user

pytestmark = pytest.mark.django_db


def pdf(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("rapport.pdf", weasyprint.HTML(string=f"<p>{text}</p>").write_pdf())


@pytest.fixture
def editor(client):  # type: ignore[no-untyped-def]
    user = make_role_user(Role.EDITOR, email="redactie@example.org")
    client.force_login(user)
    return user


def test_news_item_is_written_published_and_sanitised(client, editor):
    response = client.post(
        reverse("newsletter:news_create"),
        {
            "title": "Meer geld voor fractieondersteuning",
            "summary": "Het kabinet verhoogt de bijdrage.",
            "body": "Goed **nieuws**.\n\n<script>alert(1)</script>",
            "visibility": "public",
            "publish": "on",
        },
    )
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert item.published_at is not None and item.slug == "meer-geld-voor-fractieondersteuning"
    client.logout()
    page = client.get(item.get_absolute_url()).content.decode()
    assert "<strong>nieuws</strong>" in page and "<script>alert(1)</script>" not in page
    assert "Meer geld voor fractieondersteuning" in client.get(reverse("newsletter:news_list")).content.decode()


def test_members_only_news_is_hidden_from_the_public(client):
    item = services.save_news_item(title="Intern", summary="x", body="y", visibility="members", publish=True)
    assert client.get(item.get_absolute_url()).status_code == 302  # to the login page
    client.force_login(make_role_user(Role.GRIFFIE_CONTACT))
    assert client.get(item.get_absolute_url()).status_code == 404
    client.force_login(make_role_user(Role.MEMBER))
    assert client.get(item.get_absolute_url()).status_code == 200


def test_publication_with_pdf_is_searchable_and_filtered(client, editor):
    response = client.post(
        reverse("newsletter:publication_create"),
        {
            "title": "Raadswerk onder druk",
            "summary": "Onderzoek naar de werkdruk van raadsleden.",
            "authors": "A. de Boer, K. Yilmaz",
            "date": "2026-10-01",
            "visibility": "public",
            "publish": "on",
            "file": pdf("Raadsleden besteden gemiddeld zestien uur per week aan hun werkzaamheden."),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    publication = Publication.objects.get()
    assert "zestien uur" in publication.text
    found = client.get(reverse("newsletter:publications"), {"q": "werkzaamheid"})
    assert [p.pk for p in found.context["page"].object_list] == [publication.pk]
    assert list(client.get(reverse("newsletter:publications"), {"year": "2019"}).context["page"].object_list) == []
    download = client.get(reverse("newsletter:publication_file", args=[publication.slug]))
    assert download["Content-Disposition"].startswith("attachment")


def test_a_publication_must_be_a_readable_pdf(client, editor):
    data = {"title": "X", "summary": "Y", "authors": "Z", "date": "2026-10-01", "visibility": "public"}
    response = client.post(
        reverse("newsletter:publication_create"), {**data, "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 kapot")}
    )
    assert response.status_code == 200 and Publication.objects.count() == 0


def test_double_opt_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("newsletter:subscribe"), {"email": "Lezer@Example.org", "name": "Lezer"})
    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "pending" and subscriber.email == "lezer@example.org"
    assert "lezer@example.org" not in {r.email for r in sending.recipients()}
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/nieuwsbrief/bevestigen/" in line).strip()
    path = link[link.index("/nieuwsbrief/") :]
    assert client.get(path).status_code == 200  # a page with a button; a link scanner confirms nothing
    assert Subscriber.objects.get().status == "pending"
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get().status == "active"
    assert "lezer@example.org" in {r.email for r in sending.recipients()}


def test_confirmation_links_expire_after_a_week(client):
    subscriber = Subscriber.objects.create(email="laat@example.org")
    token = services.confirm_token(subscriber)
    import time_machine

    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        assert client.post(reverse("newsletter:confirm", args=[token])).status_code == 400
    assert Subscriber.objects.get().status == "pending"


def test_honeypot_and_rate_limit(client):
    response = client.post(reverse("newsletter:subscribe"), {"email": "robot@example.org", "website": "spam"})
    assert response.status_code == 200 and Subscriber.objects.count() == 0
    for _ in range(4):
        client.post(reverse("newsletter:subscribe"), {"email": "x@example.org"})
    assert client.post(reverse("newsletter:subscribe"), {"email": "y@example.org"}).status_code == 429


def test_unconfirmed_subscriptions_are_purged_after_a_week():
    old = Subscriber.objects.create(email="oud@example.org")
    Subscriber.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    Subscriber.objects.create(email="nieuw@example.org")
    assert services.housekeeping()["purged"] == 1
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["nieuw@example.org"]


def test_one_click_unsubscribe_without_login_or_csrf(client):
    MemberFactory(email="lid@example.org")
    token = sending.recipient_token("lid@example.org")
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(reverse("newsletter:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204
    assert "lid@example.org" not in {r.email for r in sending.recipients()}
    # The preference page brings a member back.
    client.post(reverse("newsletter:preferences", args=[token]), {"receive": "yes"})
    assert "lid@example.org" in {r.email for r in sending.recipients()}
    assert client.get(reverse("newsletter:unsubscribe", args=["vervalst"])).status_code == 404


def test_member_opts_out_from_the_archive_page(client):
    user = make_role_user(Role.MEMBER, email="lid@example.org")
    client.force_login(user)
    assert client.get(reverse("newsletter:archive")).context["receiving"] is True
    client.post(reverse("newsletter:my_subscription"), {"receive": "no"})
    assert client.get(reverse("newsletter:archive")).context["receiving"] is False
    assert "lid@example.org" not in {r.email for r in sending.recipients()}


def test_my_subscription_opened_directly_leads_to_the_switch_and_changes_nothing(client):
    user = make_role_user(Role.MEMBER, email="lid@example.org")
    for logged_in in (False, True):
        if logged_in:
            client.force_login(user)
        response = client.get(reverse("newsletter:my_subscription"))
        assert response.status_code == 302
        assert response["Location"] == reverse("newsletter:archive") + "#abonnement"
    page = client.get(response["Location"]).content.decode()
    assert 'id="abonnement"' in page and "Stop receiving it" not in page and "Niet meer ontvangen" in page
    assert "lid@example.org" in {r.email for r in sending.recipients()}


def test_compose_from_suggestions_preview_test_send_and_schedule(client, editor, django_capture_on_commit_callbacks):
    news = services.save_news_item(title="Nieuwe handreiking integriteit", summary="Lees hem.", body="x", publish=True)
    hidden = services.save_news_item(
        title="Alleen voor leden", summary="x", body="x", visibility="members", publish=True
    )
    document = DocumentFactory(title="Motie laadpalen", visibility="public")
    client.post(reverse("newsletter:edition_create"), {"subject": "Week 48"})
    edition = Edition.objects.get()
    page = client.get(reverse("newsletter:compose", args=[edition.pk]))
    suggestions = page.context["suggestions"]
    assert news in suggestions.news and hidden not in suggestions.news and document in suggestions.documents
    client.post(reverse("newsletter:compose", args=[edition.pk]), {"action": "add", "kind": "news", "target": news.pk})
    client.post(
        reverse("newsletter:compose", args=[edition.pk]), {"action": "add", "kind": "document", "target": document.pk}
    )
    refused = client.post(
        reverse("newsletter:compose", args=[edition.pk]),
        {"action": "add", "kind": "news", "target": hidden.pk},
        follow=True,
    )
    assert "Alleen openbare inhoud" in refused.content.decode() or "Only public content" in refused.content.decode()
    items = list(edition.items.all())
    client.post(reverse("newsletter:compose", args=[edition.pk]), {"action": "up", "item": items[1].pk})
    assert [i.target for i in edition.items.all()] == [document, news]
    client.post(
        reverse("newsletter:compose", args=[edition.pk]),
        {"action": "save", "subject": "Week 48: integriteit", "introduction": "Beste lezer,", "public": "on"},
    )
    preview = client.get(reverse("newsletter:preview", args=[edition.pk]))
    assert "Nieuwe handreiking integriteit" in preview.content.decode()
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:send_test", args=[edition.pk]))
    assert mail.outbox[-1].to == ["redactie@example.org"] and mail.outbox[-1].subject.startswith("[TEST]")
    when = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("newsletter:schedule", args=[edition.pk]), {"when": when})
    edition.refresh_from_db()
    assert edition.status == "scheduled"
    # A second click (or a second editor) cannot send it again.
    again = client.post(reverse("newsletter:schedule", args=[edition.pk]), {"now": "1"}, follow=True)
    assert Edition.objects.get().status == "scheduled" and again.status_code == 200
    client.post(reverse("newsletter:unschedule", args=[edition.pk]))
    assert Edition.objects.get().status == "draft"


def test_send_now_delivers_and_the_archive_shows_it(client, editor, django_capture_on_commit_callbacks):
    MemberFactory(email="lid@example.org")
    edition = services.create_edition(subject="Week 49", created_by=editor)
    services.add_item(
        edition=edition,
        kind="news",
        target=services.save_news_item(title="Nieuws", summary="x", body="y", publish=True),
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:schedule", args=[edition.pk]), {"now": "1"})
    edition.refresh_from_db()
    assert edition.status == "sent"
    assert [m.to for m in mail.outbox if "Week 49" in m.subject] == [["lid@example.org"]]
    progress = client.get(reverse("newsletter:progress", args=[edition.pk]))
    assert progress.context["progress"]["sent"] == 1
    client.logout()
    assert "Week 49" in client.get(reverse("newsletter:archive")).content.decode()
    assert client.get(edition.get_absolute_url()).status_code == 200


def test_suggestions_leave_out_only_what_is_chosen(editor):
    first = services.save_news_item(title="Een", summary="x", body="y", publish=True)
    second = services.save_news_item(title="Twee", summary="x", body="y", publish=True)
    edition = services.create_edition(subject="Week", created_by=editor)
    services.add_item(edition=edition, kind="news", target=first)
    report = Publication.objects.create(
        title="Rapport",
        slug="rapport",
        summary="x",
        authors="A",
        date=timezone.localdate(),
        published_at=timezone.now(),
    )
    suggestions = services.suggestions(edition)
    # (A NOT IN over the items' empty publication column would have hidden every publication.)
    assert suggestions.news == [second] and suggestions.publications == [report]
