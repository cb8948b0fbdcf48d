"""One test for each permission check of the events that the authorization matrix alone does not
catch (issue 18, point 7; see tests/mutation/permission_mutants.py). Each names the check it guards.
Zero-argument tests (no fixtures), so that the mutation script also runs them in process; they look
only at the objects they create."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from core.roles import Role
from events import services
from events.models import CalendarFeed, Registration
from tests.factories import EventFactory, UserFactory, make_role_user

pytestmark = pytest.mark.django_db


def test_a_calendar_address_is_made_by_an_association_member_for_themselves_only() -> None:
    """services.new_calendar_link: `events.use_calendar` and "one's own member record"."""
    member_user, other_user = make_role_user(Role.MEMBER), make_role_user(Role.MEMBER)
    former = make_role_user(Role.MEMBER)
    former.groups.set([Group.objects.get_or_create(name=Role.EDITOR)[0]])  # member role taken away, record kept
    for by, member in ((other_user, member_user.member), (former, former.member)):
        with pytest.raises(PermissionDenied):
            services.new_calendar_link(member=member, by=by)
        assert not CalendarFeed.objects.filter(member=member).exists()
    token = services.new_calendar_link(member=member_user.member, by=member_user)
    assert services.calendar_feed_for_token(token) == CalendarFeed.objects.get(member=member_user.member)


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_event_list_offers_making_an_event_to_organisers_only() -> None:
    """views.event_list: `events.create_event` decides the link to make an event."""
    for role, may in ((Role.MEMBER, False), (Role.EVENT_ORGANISER, True)):
        response = _client(make_role_user(role)).get(reverse("events:list"))
        assert response.status_code == 200 and response.context["can_create"] is may


def test_the_online_link_and_the_management_are_for_the_event_s_own_organisers() -> None:
    """views.event_detail and event_ics: `events.manage_event` shows the online link (page and .ics)
    and the management to the event's organisers only, not to other organisers or members."""
    own = make_role_user(Role.EVENT_ORGANISER)
    event = EventFactory()
    event.organisers.add(own)
    event.sessions.update(online_url="https://vergader.example.org/geheim-123")
    for user, may in (
        (make_role_user(Role.MEMBER), False),
        (make_role_user(Role.EVENT_ORGANISER), False),
        (own, True),
    ):
        client = _client(user)
        response = client.get(reverse("events:detail", kwargs={"slug": event.slug}))
        assert response.status_code == 200
        assert response.context["show_links"] is may and response.context["can_manage"] is may
        ics = client.get(reverse("events:ics", kwargs={"slug": event.slug}))
        assert ics.status_code == 200 and (b"geheim-123" in ics.content) is may


def test_the_calendar_needs_a_member_record() -> None:
    """views.calendar: the member role without a member record is refused (403), no address made."""
    response = _client(UserFactory(roles=[Role.MEMBER])).post(reverse("events:calendar"))
    assert response.status_code == 403


def test_no_invoice_without_an_invoice_number_and_no_certificate_before_the_event() -> None:
    """views.invoice and certificate: the private link alone does not make a document that does not exist."""
    registration = services.register(event=EventFactory(), member=make_role_user(Role.MEMBER).member)
    assert registration.status == Registration.Status.CONFIRMED and not registration.invoice_number
    client = Client()
    for name in ("events:invoice", "events:certificate"):
        assert client.get(reverse(name, kwargs={"token": registration.token})).status_code == 404


def test_an_organiser_s_list_holds_their_own_events_and_an_administrator_s_all() -> None:
    """views.manage_list: `core.use_admin` decides whether the list holds other organisers' events."""
    own = make_role_user(Role.EVENT_ORGANISER)
    mine, others = EventFactory(), EventFactory()
    mine.organisers.add(own)
    for user, sees_others in ((own, False), (make_role_user(Role.ADMINISTRATOR), True)):
        listed = _client(user).get(reverse("events:manage_list")).context["page"].paginator.object_list
        assert listed.filter(pk=mine.pk).exists() is (user == own or sees_others)
        assert listed.filter(pk=others.pk).exists() is sees_others


def test_an_organiser_moves_a_participant_only_to_an_event_they_manage() -> None:
    """views._manage_action: `events.manage_event` of the target event (403, the registration stays)."""
    own = make_role_user(Role.EVENT_ORGANISER)
    event, target, foreign = EventFactory(), EventFactory(), EventFactory()
    event.organisers.add(own)
    target.organisers.add(own)
    registration = services.register(event=event, member=make_role_user(Role.MEMBER).member)
    client = _client(own)
    url = reverse("events:manage", kwargs={"slug": event.slug})
    move = {"action": "move", "registration": registration.pk}
    assert client.post(url, {**move, "to_event": foreign.pk}).status_code == 403
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED
    assert not foreign.registrations.exists()
    assert client.post(url, {**move, "to_event": target.pk}).status_code == 302
    assert target.registrations.get().member == registration.member
