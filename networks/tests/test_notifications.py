"""E-mails from networks: every post, mentions, daily and weekly digests, unanswered questions,
reports; one-click unsubscribe; the task queue holds ids only."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from networks import services
from networks.models import Membership, Notify
from tests.factories import make_role_user

from .factories import ask, closed_network, member, tier_network, topic_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def wonen():  # type: ignore[no-untyped-def]
    return topic_network()


def to(address: str) -> list:  # type: ignore[type-arg]
    return [m for m in mail.outbox if m.to == [address]]


def test_members_who_want_every_post_get_it_with_a_one_click_unsubscribe(
    client, wonen, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    ria, sem, els = member("Ria", "Hoekstra"), member("Sem", "Dijkstra"), member("Els", "Jong")
    for user, notify in ((sem, Notify.IMMEDIATE), (els, Notify.WEEKLY)):
        services.join(network=wonen, user=user)
        services.set_notify(network=wonen, user=user, notify=notify)
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(wonen, ria, body="Wie kent een goede motie?")
    assert not to(ria.email) and not to(els.email)
    (message,) = to(sem.email)
    assert "Ria Hoekstra stelde een vraag in Wonen" in message.body
    assert "Wie kent een goede motie?" in message.body
    assert thread.get_absolute_url() in message.body
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The mail program's one-click POST: no login, no CSRF token; the signed token is the authorisation.
    client_without_csrf = client.__class__(enforce_csrf_checks=True)
    response = client_without_csrf.post(url.replace("http://127.0.0.1:8000", ""), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204
    assert Membership.objects.get(network=wonen, user=sem).notify == Notify.NONE
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(thread=thread, author=ria, body="Aanvulling")
    assert not to(sem.email)


def test_a_forged_unsubscribe_token_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(reverse("networks:unsubscribe", kwargs={"token": "vervalst"})).status_code == 404
    assert client.post(reverse("networks:unsubscribe", kwargs={"token": "vervalst"})).status_code == 404


def test_a_weekly_digest_reaches_a_member_once_with_what_is_new(wonen) -> None:  # type: ignore[no-untyped-def]
    start = timezone.now()
    ria, sem, els = member("Ria", "Hoekstra"), member("Sem", "Dijkstra"), member("Els", "Jong")
    services.join(network=wonen, user=els)
    services.set_notify(network=wonen, user=els, notify=Notify.WEEKLY)
    with time_machine.travel(start + datetime.timedelta(days=1)):
        thread = ask(wonen, ria, title="Kinderopvang: wie heeft een motie?")
        services.join(network=wonen, user=sem)
        services.reply(thread=thread, author=sem, body="Wij in Assen.")
        ask(wonen, els, title="Mijn eigen vraag")
    with time_machine.travel(start + datetime.timedelta(days=3)):
        assert services.send_due_digests() == 0
    mail.outbox.clear()
    with time_machine.travel(start + datetime.timedelta(days=7)):
        call_command("networks_housekeeping", "--now", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("networks_housekeeping", "--now", stdout=open("/dev/null", "w"))  # noqa: SIM115
    (digest,) = to(els.email)
    assert digest.subject.endswith("Wonen: nieuw deze week")
    assert "Kinderopvang: wie heeft een motie?" in digest.body and "1 nieuwe reactie" in digest.body
    assert "Mijn eigen vraag" not in digest.body  # not one's own posts
    assert "List-Unsubscribe" in digest.extra_headers
    # Members with "every post" or "weekly" who joined later get only what came after.
    assert not [m for m in to(ria.email) if "overzicht" in m.subject]


def test_a_digest_without_news_sends_nothing_but_moves_on(wonen) -> None:  # type: ignore[no-untyped-def]
    els = member("Els", "Jong")
    services.join(network=wonen, user=els)
    services.set_notify(network=wonen, user=els, notify=Notify.DAILY)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        assert services.send_due_digests() == 1
    assert not mail.outbox
    assert services.due_digests().count() == 0


def test_an_unanswered_question_goes_to_members_with_that_expertise_and_the_advisers_once(
    wonen, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    ria = member("Ria", "Hoekstra", topics=("wonen",))
    kenner = member("Kees", "Kenner", topics=("wonen",))
    other = member("Otto", "Ander", topics=("zorg",))
    lapsed = member("Lia", "Weg", topics=("wonen",))
    lapsed.member.status = "lapsed"
    lapsed.member.save()
    adviser = make_role_user(Role.ADVISER)
    answered = ask(wonen, ria, title="Beantwoord")
    services.join(network=wonen, user=kenner)
    services.reply(thread=answered, author=kenner, body="Antwoord")
    waiting = ask(wonen, ria, title="Nog zonder antwoord")
    mail.outbox.clear()
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.send_unanswered_alerts() == 0
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=3, minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.send_unanswered_alerts() == 1
        assert services.send_unanswered_alerts() == 0
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([kenner.email, adviser.email])
    assert all("Nog zonder antwoord" in m.body and waiting.get_absolute_url() in m.body for m in mail.outbox)
    assert other.email not in recipients and ria.email not in recipients and lapsed.email not in recipients


def test_in_a_closed_network_only_members_of_it_with_the_expertise_are_told(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from members.models import Topic

    course = closed_network()
    ria = member("Ria", "Hoekstra")
    inside = member("Ina", "Binnen", topics=("zorg",))
    outside = member("Olaf", "Buiten", topics=("zorg",))
    services.invite_members(network=course, users=[ria, inside], invited_by=ria)
    for invitation in course.invitations.all():
        services.answer_invitation(invitation=invitation, accept=True)
    services.start_thread(
        network=course, author=ria, kind="question", title="Zorg?", body="x", topic=Topic.objects.get(slug="zorg")
    )
    mail.outbox.clear()
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=4)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.send_unanswered_alerts()
    recipients = [m.to[0] for m in mail.outbox]
    assert inside.email in recipients and outside.email not in recipients


def test_reports_tell_the_moderators_that_there_is_one_not_what_it_says(
    wonen, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    ria, sem = member("Ria", "Hoekstra"), member("Sem", "Dijkstra")
    moderator = make_role_user(Role.ADVISER)
    administrator = make_role_user(Role.ADMINISTRATOR)
    thread = ask(wonen, ria, body="Vervelende tekst")
    post = thread.posts.get()
    mail.outbox.clear()
    # Without moderators, the administrators are told.
    with django_capture_on_commit_callbacks(execute=True):
        services.report_post(post=post, reporter=sem, reason="Intimiderend, zie regel 7")
        services.report_post(post=post, reporter=sem, reason="Nog een keer")
    (message,) = mail.outbox
    assert message.to == [administrator.email]
    assert "Vervelende tekst" not in message.body and "Intimiderend" not in message.body
    assert reverse("networks:moderate", kwargs={"slug": wonen.slug}) in message.body
    services.appoint_moderator(network=wonen, email=moderator.email, appointed_by=administrator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_post(post=post, reporter=make_role_user(Role.MEMBER), reason="Ook gemeld")
    assert [m.to for m in mail.outbox] == [[moderator.email]]


def test_tasks_carry_ids_and_the_worker_renders_the_mail(wonen, settings) -> None:  # type: ignore[no-untyped-def]
    """With the database backend, the queue holds only ids: no post text, title or address."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from networks import tasks

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    }
    ria, sem = member("Ria", "Hoekstra"), member("Sem", "Dijkstra")
    services.join(network=wonen, user=sem)
    services.set_notify(network=wonen, user=sem, notify=Notify.IMMEDIATE)
    with transaction.atomic():
        thread = ask(wonen, ria, title="Geheime titel", body="Geheime tekst voor @Sem Dijkstra")
    services.notify_post(thread.posts.get().pk)
    rows = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert {path for path, _args in rows} >= {"networks.tasks.send_post_mail"}
    for _path, args in rows:
        assert "Geheime" not in str(args) and "@" not in str(args)
    # The worker runs each task: it renders and sends.
    for result in DBTaskResult.objects.filter(task_path="networks.tasks.send_post_mail"):
        kwargs = result.args_kwargs
        tasks.send_post_mail.call(*kwargs["args"], **kwargs["kwargs"])
    assert [m.to for m in mail.outbox] == [[sem.email]]
    assert "Geheime tekst voor @Sem Dijkstra" in mail.outbox[0].body


def test_e_mails_go_only_to_those_who_can_still_read(wonen, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    councillors = tier_network()
    ria, sem = member("Ria", "Hoekstra"), member("Sem", "Dijkstra")
    services.set_notify(network=councillors, user=sem, notify=Notify.IMMEDIATE)
    thread = ask(councillors, ria)
    sem.groups.clear()
    mail.outbox.clear()
    assert services.send_post_mail(thread.posts.get().pk, sem.pk, "post") is False
    assert not mail.outbox
