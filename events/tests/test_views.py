import datetime
import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import hash_token
from core.roles import Role
from core.tests.test_mail_secrets import raw_dump
from events import documents, services
from events.models import Attendance, CalendarFeed, Evaluation, Event, Registration, Session
from tests.factories import EventFactory, MemberFactory, make_role_user

pytestmark = pytest.mark.django_db
S = Registration.Status


def test_anonymous_visitors_see_only_public_events(client) -> None:  # type: ignore[no-untyped-def]
    public = EventFactory(title="Open avond over woningbouw", audience=Event.Audience.PUBLIC)
    members_only = EventFactory(title="Ledenbijeenkomst jeugdzorg")
    page = client.get(reverse("events:list")).content.decode()
    assert public.title in page and members_only.title not in page
    assert client.get(members_only.get_absolute_url()).status_code == 302  # to the login page
    client.force_login(make_role_user(Role.MEMBER))
    assert members_only.title in client.get(reverse("events:list")).content.decode()


def test_invitation_only_events_are_hidden_from_others(client) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(title="Besloten intervisie", audience=Event.Audience.INVITED)
    member = make_role_user(Role.MEMBER)
    client.force_login(member)
    assert event.title not in client.get(reverse("events:list")).content.decode()
    assert client.get(event.get_absolute_url()).status_code == 404
    event.invitees.add(member.member)
    assert client.get(event.get_absolute_url()).status_code == 200


def test_member_registers_in_two_clicks(client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(capacity=1)
    user = make_role_user(Role.MEMBER)
    client.force_login(user)
    detail = client.get(event.get_absolute_url())
    assert reverse("events:register", kwargs={"slug": event.slug}) in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:register", kwargs={"slug": event.slug}), {"needs": "Glutenvrij"})
    assert response.status_code == 302
    registration = Registration.objects.get(member=user.member)
    assert registration.status == S.CONFIRMED and registration.needs == "Glutenvrij"
    assert mail.outbox[-1].to == [user.email]
    assert f"/inschrijving/{registration.token}/" in mail.outbox[-1].body


def test_registration_page_accepts_an_offer_and_cancels(client) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(capacity=1)
    first, second = MemberFactory(), MemberFactory()
    holder = services.register(event=event, member=first)
    waiting = services.register(event=event, member=second)
    client.post(reverse("events:registration", kwargs={"token": holder.token}), {"action": "cancel"})
    page = client.get(reverse("events:registration", kwargs={"token": waiting.token}))
    assert "Plaats accepteren" in page.content.decode()
    client.post(reverse("events:registration", kwargs={"token": waiting.token}), {"action": "accept"})
    assert Registration.objects.get(pk=waiting.pk).status == S.CONFIRMED
    assert client.get(reverse("events:registration", kwargs={"token": "onzin"})).status_code == 404


def test_guest_registers_and_confirms_with_a_button_not_a_bare_link(client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(audience=Event.Audience.PUBLIC)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("events:guest_register", kwargs={"slug": event.slug}),
            {"name": "Gijs Gast", "email": "gijs@example.org"},
        )
    registration = Registration.objects.get(guest_email="gijs@example.org")
    confirm = reverse("events:guest_confirm", kwargs={"token": registration.token})
    client.get(confirm)  # e.g. a mail scanner opening the link
    assert Registration.objects.get(pk=registration.pk).status == S.UNCONFIRMED
    client.post(confirm)
    assert Registration.objects.get(pk=registration.pk).status == S.CONFIRMED
    members_only = EventFactory()
    assert client.get(reverse("events:guest_register", kwargs={"slug": members_only.slug})).status_code == 404


def test_ical_shows_the_online_link_only_to_confirmed_participants(client) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(sessions=0)
    start = timezone.now() + datetime.timedelta(days=10)
    Session.objects.create(
        event=event,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        online_url="https://meet.example.org/geheim",
    )
    event.refresh_schedule()
    user = make_role_user(Role.MEMBER)
    client.force_login(user)
    url = reverse("events:ics", kwargs={"slug": event.slug})
    assert "meet.example.org" not in client.get(url).content.decode()
    services.register(event=event, member=user.member)
    body = client.get(url).content
    calendar = Calendar.from_ical(body)
    vevent = next(c for c in calendar.walk() if c.name == "VEVENT")
    assert "meet.example.org/geheim" in str(vevent["description"])
    assert vevent["dtstart"].dt == start.replace(microsecond=0) or abs(
        vevent["dtstart"].dt - start
    ) < datetime.timedelta(seconds=1)


def test_personal_feed_follows_moved_sessions_and_can_be_revoked(client) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory()
    user = make_role_user(Role.MEMBER)
    services.register(event=event, member=user.member)
    client.force_login(user)
    assert "/agenda/" not in client.get(reverse("events:calendar")).content.decode().replace(
        reverse("events:calendar"), ""
    )  # no address until the member makes one; looking at the page makes none
    assert not CalendarFeed.objects.exists()
    made = client.post(reverse("events:calendar"))
    assert made.status_code == 200 and "kunnen het later niet meer tonen" in made.content.decode()
    assert made["Cache-Control"] == "private, no-store"
    token = re.search(r'id="feed-url" type="text" readonly value="[^"]*/agenda/([^"/]+)\.ics"', made.content.decode())
    assert token is not None
    url = reverse("events:feed", kwargs={"token": token[1]})
    feed = CalendarFeed.objects.get(member=user.member)
    assert token[1] not in raw_dump(["events_calendarfeed"]) and feed.token_hash == hash_token(token[1])
    again = client.get(reverse("events:calendar")).content.decode()
    assert token[1] not in again and "kunnen het niet opnieuw tonen" in again  # shown once, never again
    first = Calendar.from_ical(client.get(url).content)
    assert [c["sequence"] for c in first.walk("VEVENT")] == [0]
    session = event.sessions.get()
    session.starts_at += datetime.timedelta(hours=1)
    session.ends_at += datetime.timedelta(hours=1)
    services.save_session(session=session)
    moved = Calendar.from_ical(client.get(url).content)
    assert [c["sequence"] for c in moved.walk("VEVENT")] == [1]
    client.post(reverse("events:calendar"))
    assert client.get(url).status_code == 404
    assert CalendarFeed.objects.get().token_hash != feed.token_hash


def test_calendar_page_costs_the_same_queries_with_more_registrations(client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    services.register(event=EventFactory(), member=user.member)
    client.force_login(user)
    client.post(reverse("events:calendar"))
    client.get(reverse("events:calendar"))  # warm the per-process caches (settings, navigation)
    with django_assert_num_queries(6) as first:  # session, user, roles, member, feed, registrations
        page = client.get(reverse("events:calendar"))
    assert page.status_code == 200
    for _ in range(3):
        services.register(event=EventFactory(), member=user.member)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(reverse("events:calendar")).content.decode().count('class="panel"><a href=') == 4


def test_calendar_address_is_made_for_oneself_only() -> None:
    own, other = make_role_user(Role.MEMBER), make_role_user(Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.new_calendar_link(member=other.member, by=own)
    assert not CalendarFeed.objects.exists()
    assert services.calendar_feed_for_token(services.new_calendar_link(member=own.member, by=own)).member == own.member
    assert services.calendar_feed_for_token("onzin") is None and services.calendar_feed_for_token("x" * 500) is None


def test_registration_links_are_found_by_their_hash_and_stored_encrypted() -> None:
    registration = services.register(event=EventFactory(), member=MemberFactory())
    dump = raw_dump(["events_registration"])
    assert registration.token not in dump and registration.token_hash in dump and "enc1:" in dump
    assert registration.token_hash == hash_token(registration.token)
    assert services.registration_for_token(registration.token) == registration
    assert services.registration_for_token(registration.token_hash) is None  # the hash is no link


def test_migration_hashes_the_links_already_sent_and_reverses(client) -> None:  # type: ignore[no-untyped-def]
    migration = importlib.import_module("events.migrations.0002_tokens_hashed")
    registration = services.register(event=EventFactory(), member=MemberFactory())
    with connection.cursor() as cursor:  # as it was stored before: the plain token, no hash
        cursor.execute(
            "UPDATE events_registration SET token = %s, token_hash = %s WHERE id = %s",
            ["oude-link-uit-een-mail", "", registration.pk],
        )
    migration.hash_registration_tokens(apps, SimpleNamespace(connection=connection))
    assert "oude-link-uit-een-mail" not in raw_dump(["events_registration"])
    page = client.get(reverse("events:registration", kwargs={"token": "oude-link-uit-een-mail"}))
    assert page.status_code == 200 and registration.event.title in page.content.decode()
    migration.decrypt_registration_tokens(apps, SimpleNamespace(connection=connection))
    assert "'oude-link-uit-een-mail'" in raw_dump(["events_registration"])


def test_paid_registration_gets_an_invoice_pdf(client) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(price_cents=9500)
    registration = services.register(event=event, member=MemberFactory())
    response = client.get(reverse("events:invoice", kwargs={"token": registration.token}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    free = services.register(event=EventFactory(), member=MemberFactory())
    assert client.get(reverse("events:invoice", kwargs={"token": free.token})).status_code == 404


def test_certificate_after_attending_enough_sessions_and_public_verification(client) -> None:  # type: ignore[no-untyped-def]
    organiser = make_role_user(Role.EVENT_ORGANISER)
    event = EventFactory(kind=Event.Kind.COURSE, sessions=3, certificate_share=60)
    registration = services.register(event=event, member=MemberFactory(given_name="Cora", family_name="Cursist"))
    sessions = list(event.sessions.all())
    for session in sessions[:2]:
        services.mark_attendance(registration=registration, session=session, present=True, marked_by=organiser)
    url = reverse("events:certificate", kwargs={"token": registration.token})
    assert client.get(url).status_code == 404  # not finished yet
    Session.objects.filter(event=event).update(
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=3) + datetime.timedelta(hours=2),
    )
    event.refresh_schedule()
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    verify = reverse(
        "events:certificate_verify", kwargs={"pk": registration.pk, "code": documents.certificate_code(registration)}
    )
    assert "Cora Cursist" in client.get(verify).content.decode()
    forged = reverse("events:certificate_verify", kwargs={"pk": registration.pk, "code": "0" * 16})
    assert client.get(forged).status_code == 404
    Attendance.objects.filter(registration=registration).first().delete()
    assert client.get(url).status_code == 404  # 1 of 3 is below 60%


def test_evaluation_and_results_chart(client) -> None:  # type: ignore[no-untyped-def]
    organiser = make_role_user(Role.EVENT_ORGANISER)
    event = EventFactory()
    event.organisers.add(organiser)
    registration = services.register(event=event, member=MemberFactory())
    url = reverse("events:evaluate", kwargs={"token": registration.token})
    assert client.get(url).status_code == 404  # before the event
    Session.objects.filter(event=event).update(
        starts_at=timezone.now() - datetime.timedelta(days=2),
        ends_at=timezone.now() - datetime.timedelta(days=2, hours=-2),
    )
    event.refresh_schedule()
    client.post(url, {"overall": "4", "content": "5", "organisation": "3", "comment": "Meer tijd voor vragen"})
    assert Evaluation.objects.get().overall == 4
    client.force_login(organiser)
    page = client.get(reverse("events:results", kwargs={"slug": event.slug})).content.decode()
    assert "<svg" in page and "Meer tijd voor vragen" in page and "gemiddeld 4,0" in page


def test_organiser_creates_a_course_with_sessions(client) -> None:  # type: ignore[no-untyped-def]
    organiser = make_role_user(Role.EVENT_ORGANISER)
    client.force_login(organiser)
    day = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    later = (timezone.localdate() + datetime.timedelta(days=37)).isoformat()
    data = {
        "title": "Leergang Begroting lezen",
        "slug": "",
        "kind": "course",
        "status": "published",
        "summary": "In drie avonden de begroting leren lezen.",
        "description": "Voor **nieuwe** raadsleden.",
        "audience": "members",
        "capacity": "20",
        "price": "0",
        "registration_opens": "2026-01-01T09:00",
        "registration_closes": f"{day}T12:00",
        "cancellation_deadline": f"{day}T12:00",
        "asks_needs": "on",
        "offer_hold_hours": "48",
        "certificate_share": "80",
        "sessions-TOTAL_FORMS": "2",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "1",
        "sessions-MAX_NUM_FORMS": "1000",
        "sessions-0-starts_at": f"{day}T19:30",
        "sessions-0-ends_at": f"{day}T22:00",
        "sessions-0-location_name": "Provinciehuis",
        "sessions-0-address": "Luttenbergstraat 2, Zwolle",
        "sessions-1-starts_at": f"{later}T19:30",
        "sessions-1-ends_at": f"{later}T22:00",
        "sessions-1-online_url": "https://meet.example.org/x",
    }
    response = client.post(reverse("events:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(slug="leergang-begroting-lezen")
    assert event.sessions.count() == 2 and event.organisers.filter(pk=organiser.pk).exists()
    assert "<strong>nieuwe</strong>" in event.description_html
    assert event.starts_at.date().isoformat() == day
    bad = client.post(reverse("events:create"), {**data, "slug": "ander", "sessions-0-ends_at": f"{day}T18:00"})
    assert bad.status_code == 200 and "moet na het begin" in bad.content.decode()


def test_lowering_capacity_below_taken_seats_is_refused_with_a_message(client) -> None:  # type: ignore[no-untyped-def]
    organiser = make_role_user(Role.EVENT_ORGANISER)
    event = EventFactory(capacity=3)
    event.organisers.add(organiser)
    for _ in range(2):
        services.register(event=event, member=MemberFactory())
    client.force_login(organiser)
    response = client.post(
        reverse("events:manage", kwargs={"slug": event.slug}), {"action": "capacity", "capacity": "1"}, follow=True
    )
    assert "2 plaatsen zijn bezet" in response.content.decode()
    assert Event.objects.get(pk=event.pk).capacity == 3


def test_check_in_list_toggles_attendance_with_htmx(client) -> None:  # type: ignore[no-untyped-def]
    organiser = make_role_user(Role.EVENT_ORGANISER)
    event = EventFactory()
    event.organisers.add(organiser)
    registration = services.register(event=event, member=MemberFactory(given_name="Ans", family_name="Aanwezig"))
    session = event.sessions.get()
    client.force_login(organiser)
    url = reverse("events:checkin", kwargs={"slug": event.slug, "pk": session.pk})
    assert "Ans Aanwezig" in client.get(url).content.decode()
    row = client.post(url, {"registration": registration.pk, "present": "1"}, headers={"HX-Request": "true"})
    assert "checkin-row--present" in row.content.decode() and "<html" not in row.content.decode()
    assert Attendance.objects.get().present


def test_participant_export_is_for_organisers(client) -> None:  # type: ignore[no-untyped-def]
    organiser = make_role_user(Role.EVENT_ORGANISER)
    event = EventFactory()
    event.organisers.add(organiser)
    services.register(
        event=event, member=MemberFactory(given_name="=Kwaad", family_name="Formule"), needs="Notenallergie"
    )
    client.force_login(organiser)
    content = client.get(reverse("events:export", kwargs={"slug": event.slug})).content.decode("utf-8-sig")
    assert "'=Kwaad Formule" in content and "Notenallergie" in content
    other_organiser = make_role_user(Role.EVENT_ORGANISER)
    client.force_login(other_organiser)
    assert client.get(reverse("events:export", kwargs={"slug": event.slug})).status_code == 403


def test_an_event_without_a_session_is_refused_with_a_sentence_about_sessions(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.EVENT_ORGANISER))
    day = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    data = {
        "title": "Zonder bijeenkomst",
        "slug": "",
        "kind": "network_meeting",
        "status": "published",
        "summary": "Geen sessie ingevuld.",
        "audience": "members",
        "capacity": "20",
        "price": "0",
        "registration_opens": "2026-01-01T09:00",
        "registration_closes": f"{day}T12:00",
        "cancellation_deadline": f"{day}T12:00",
        "offer_hold_hours": "48",
        "certificate_share": "80",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "1",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("events:create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Een bijeenkomst heeft minimaal één sessie nodig" in html
    assert "Verstuur minimaal" not in html
    assert not Event.objects.filter(title="Zonder bijeenkomst").exists()
