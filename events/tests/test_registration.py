import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services
from events.models import Event, Registration
from tests.factories import EventFactory, MandateFactory, MemberFactory, MunicipalityFactory, WaterBoardFactory

pytestmark = pytest.mark.django_db
S = Registration.Status


def members(n: int) -> list:  # type: ignore[type-arg]
    return [MemberFactory() for _ in range(n)]


def test_seats_then_waitlist_in_signup_order(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(capacity=2)
    people = members(4)
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [services.register(event=event, member=m).status for m in people]
    assert statuses == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    subjects = [m.subject for m in mail.outbox]
    assert (
        sum("aangemeld" in s.lower() for s in subjects) == 2 and sum("wachtlijst" in s.lower() for s in subjects) == 2
    )
    with pytest.raises(services.RegistrationError, match="al aangemeld"):
        services.register(event=event, member=people[0])


def test_a_freed_seat_is_offered_to_the_first_waiting_and_held(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(capacity=1, offer_hold_hours=48)
    first, second, third = members(3)
    holder = services.register(event=event, member=first)
    services.register(event=event, member=second)
    services.register(event=event, member=third)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registration=holder)
    offer = Registration.objects.get(member=second)
    assert offer.status == S.OFFERED
    assert offer.offer_expires_at - offer.offered_at == datetime.timedelta(hours=48)
    assert [m.to for m in mail.outbox if "vrij" in m.subject.lower()] == [[second.email]]
    assert Registration.objects.get(member=third).status == S.WAITLISTED
    services.accept_offer(registration=offer)
    assert Registration.objects.get(member=second).status == S.CONFIRMED
    assert event.registrations.holding_seat().count() == 1


def test_an_unanswered_offer_passes_to_the_next() -> None:
    event = EventFactory(capacity=1, offer_hold_hours=48)
    first, second, third = members(3)
    holder = services.register(event=event, member=first)
    services.register(event=event, member=second)
    services.register(event=event, member=third)
    services.cancel(registration=holder)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=49)):
        assert services.housekeeping()["offers_expired"] == 1
        assert Registration.objects.get(member=second).status == S.EXPIRED
        assert Registration.objects.get(member=third).status == S.OFFERED
        with pytest.raises(services.RegistrationError):
            services.accept_offer(registration=Registration.objects.get(member=second))


def test_capacity_cannot_drop_below_seats_taken_and_a_raise_offers_seats() -> None:
    event = EventFactory(capacity=2)
    people = members(3)
    for m in people:
        services.register(event=event, member=m)
    with pytest.raises(ValidationError, match="2 plaatsen zijn bezet"):
        services.set_capacity(event=event, capacity=1)
    event.refresh_from_db()
    assert event.capacity == 2
    services.set_capacity(event=event, capacity=3)
    assert Registration.objects.get(member=people[2]).status == S.OFFERED


def test_newcomers_do_not_jump_the_waitlist() -> None:
    event = EventFactory(capacity=1)
    first, second, third = members(3)
    holder = services.register(event=event, member=first)
    services.register(event=event, member=second)
    services.cancel(registration=holder)  # the seat is now offered to `second`
    assert services.register(event=event, member=third).status == S.WAITLISTED


def test_cancellation_deadline_applies_to_participants_not_organisers() -> None:
    event = EventFactory(cancellation_deadline=timezone.now() - datetime.timedelta(hours=1))
    registration = services.register(event=event, member=MemberFactory())
    with pytest.raises(services.RegistrationError, match="termijn"):
        services.cancel(registration=registration)
    services.cancel(registration=registration, by_organiser=True)
    assert Registration.objects.get(pk=registration.pk).status == S.CANCELLED


def test_registration_window_and_cancelled_events() -> None:
    closed = EventFactory(registration_closes=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(services.RegistrationError, match="gesloten"):
        services.register(event=closed, member=MemberFactory())
    event = EventFactory()
    services.cancel_event(event=event)
    with pytest.raises(services.RegistrationError, match="geannuleerd"):
        services.register(event=event, member=MemberFactory())


def test_cancelling_an_event_tells_everyone(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(capacity=1)
    people = members(3)
    for m in people:
        services.register(event=event, member=m)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event=event)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all("Geannuleerd" in m.subject for m in mail.outbox)


def test_audience_is_enforced() -> None:
    water_board = WaterBoardFactory()
    event = EventFactory(audience=Event.Audience.TIERS, audience_tiers=["water_board"])
    councillor = MandateFactory(body=MunicipalityFactory()).member
    waterschapper = MandateFactory(body=water_board, role="water_board_member").member
    with pytest.raises(services.RegistrationError, match="waterschap"):
        services.register(event=event, member=councillor)
    assert services.register(event=event, member=waterschapper).status == S.CONFIRMED
    invited_only = EventFactory(audience=Event.Audience.INVITED)
    guest = MemberFactory()
    with pytest.raises(services.RegistrationError, match="uitnodiging"):
        services.register(event=invited_only, member=guest)
    invited_only.invitees.add(guest)
    services.register(event=invited_only, member=guest)


def test_guest_confirms_by_email_and_gets_a_seat_then(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    members_only = EventFactory()
    with pytest.raises(services.RegistrationError):
        services.register_guest(event=members_only, name="Gast", email="gast@example.org")
    event = EventFactory(audience=Event.Audience.PUBLIC, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        guest = services.register_guest(event=event, name="Gerda Gast", email="Gast@Example.org")
    assert guest.status == S.UNCONFIRMED and event.registrations.holding_seat().count() == 0
    assert f"/inschrijving/{guest.token}/bevestigen/" in mail.outbox[0].body
    confirmed = services.confirm_guest(token=guest.token)
    assert confirmed.status == S.CONFIRMED
    with pytest.raises(services.RegistrationError, match="al aangemeld"):
        services.register_guest(event=event, name="Nog eens", email="gast@example.org")


def test_organiser_adds_moves_and_removes_participants() -> None:
    event = EventFactory(capacity=1)
    other_date = EventFactory(capacity=5)
    member, late = members(2)
    added = services.add_participant(event=event, member=member)
    assert added.status == S.CONFIRMED
    with pytest.raises(services.RegistrationError, match="vol"):
        services.add_participant(event=event, member=late)
    moved = services.move_participant(registration=added, to_event=other_date)
    assert moved.event == other_date and moved.status == S.CONFIRMED
    assert Registration.objects.get(pk=added.pk).status == S.CANCELLED


def test_paid_registrations_get_consecutive_invoice_numbers() -> None:
    event = EventFactory(price_cents=14950, capacity=3)
    numbers = [services.register(event=event, member=m).invoice_number for m in members(2)]
    year = timezone.localdate().year
    assert numbers == [f"{year}-00001", f"{year}-00002"]
    assert services.register(event=EventFactory(), member=MemberFactory()).invoice_number == ""


def test_needs_are_deleted_thirty_days_after_the_event() -> None:
    event = EventFactory()
    registration = services.register(event=event, member=MemberFactory(), needs="Vegetarisch, rolstoeltoegankelijk")
    services.housekeeping(now=event.ends_at + datetime.timedelta(days=29))
    assert Registration.objects.get(pk=registration.pk).needs
    services.housekeeping(now=event.ends_at + datetime.timedelta(days=31))
    assert Registration.objects.get(pk=registration.pk).needs == ""


def test_reminders_go_once_per_session_and_again_when_it_moves(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory()
    services.register(event=event, member=MemberFactory(email="deelnemer@example.org"))
    session = event.sessions.get()
    mail.outbox.clear()
    soon = session.starts_at - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.housekeeping(now=soon)["reminders"] == 1
        assert services.housekeeping(now=soon)["reminders"] == 0
    assert len(mail.outbox) == 1 and "Herinnering" in mail.outbox[0].subject
    session.starts_at += datetime.timedelta(hours=2)
    session.ends_at += datetime.timedelta(hours=2)
    services.save_session(session=session)
    assert session.revision == 1
    assert services.housekeeping(now=soon)["reminders"] == 1
