"""Who reads, posts in and moderates which network; tier networks follow the mandates."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from core.permissions import can
from core.roles import Role
from members import services as member_services
from members.models import Mandate, Member
from networks import services
from networks.models import Membership, Network
from networks.selectors import access, forget_access, networks_for
from tests.factories import MandateFactory, MunicipalityFactory, ProvinceFactory, WaterBoardFactory, make_role_user

from .factories import closed_network, expert, member, tier_network, topic_network

pytestmark = pytest.mark.django_db


def in_network(user, network) -> bool:  # type: ignore[no-untyped-def]
    return Membership.objects.filter(network=network, user=user).exists()


def test_tier_networks_are_filled_from_current_mandates() -> None:
    councillor = member("Ria", "Hoekstra")
    alderman = member("Sem", "Dijkstra", role="alderman")
    statenlid = member("Els", "Jong", role="provincial_councillor", body=ProvinceFactory())
    waterschapper = member("Piet", "Klaas", role="water_board_member", body=WaterBoardFactory())
    networks = {g: tier_network(g) for g in Network.TierGroup.values}
    assert set(networks["councillors"].memberships.values_list("user_id", flat=True)) == {councillor.pk}
    assert set(networks["executives"].memberships.values_list("user_id", flat=True)) == {alderman.pk}
    assert set(networks["provincial_councillors"].memberships.values_list("user_id", flat=True)) == {statenlid.pk}
    assert set(networks["water_board"].memberships.values_list("user_id", flat=True)) == {waterschapper.pk}
    assert Membership.objects.filter(source="automatic", notify="weekly").count() == 4


def test_tier_membership_follows_mandate_changes() -> None:
    councillors = tier_network()
    executives = tier_network(Network.TierGroup.EXECUTIVES)
    ria = member("Ria", "Hoekstra", mandate=False)
    record = ria.member
    # A mandate the member proposes counts only after staff approved it.
    proposed = member_services.propose_mandate(
        member=record,
        submitted_by=ria,
        body=MunicipalityFactory(),
        role="alderman",
        start_date=datetime.date(2024, 1, 1),
    )
    assert not in_network(ria, executives)
    member_services.review_mandate(mandate=proposed, reviewer=make_role_user(Role.ADMINISTRATOR), approve=True)
    assert in_network(ria, executives)
    # Ending the mandate takes the member out.
    member_services.change_own_mandate(
        mandate=proposed, changed_by=ria, end_date=timezone.localdate() - datetime.timedelta(days=1), portfolios=""
    )
    assert not in_network(ria, executives)
    # A new councillor mandate puts them in; deleting it takes them out again.
    mandate = MandateFactory(member=record)
    assert in_network(ria, councillors)
    mandate.delete()
    assert not in_network(ria, councillors)


def test_lapsed_members_leave_tier_networks_and_a_mandate_that_ends_by_date_is_synced_daily() -> None:
    councillors = tier_network()
    ria = member("Ria", "Hoekstra")
    sem = member("Sem", "Dijkstra")
    Mandate.objects.filter(member=sem.member).update(end_date=timezone.localdate() + datetime.timedelta(days=1))
    ria.member.status = Member.Status.LAPSED
    ria.member.save()
    assert not in_network(ria, councillors)
    assert in_network(sem, councillors)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        assert services.sync_all_tier_networks() == {councillors.slug: (0, 1)}
        assert services.sync_all_tier_networks() == {councillors.slug: (0, 0)}
    assert not in_network(sem, councillors)


def test_a_member_who_gets_an_account_later_joins_their_tier_network() -> None:
    councillors = tier_network()
    record = MandateFactory().member
    assert not councillors.memberships.exists()
    user = make_role_user(Role.EDITOR)
    record.user = user
    record.save()
    assert councillors.memberships.filter(user=user).exists()


def test_who_reads_posts_and_moderates() -> None:
    wonen = topic_network()
    councillors = tier_network()
    course = closed_network()
    ria = member("Ria", "Hoekstra")  # a councillor: in the tier network
    sem = member("Sem", "Dijkstra", role="alderman")
    adviser, administrator = make_role_user(Role.ADVISER), make_role_user(Role.ADMINISTRATOR)
    editor, griffie = make_role_user(Role.EDITOR), make_role_user(Role.GRIFFIE_CONTACT)
    guest = expert(course)

    def flags(user, network) -> tuple[bool, bool, bool]:  # type: ignore[no-untyped-def]
        forget_access(user)
        result = access(user, network)
        return result.read, result.post, result.moderate

    # Topic network: every member reads, posts after joining.
    assert flags(ria, wonen) == (True, False, False)
    services.join(network=wonen, user=ria)
    assert flags(ria, wonen) == (True, True, False)
    # Tier network: only those with the mandate.
    assert flags(ria, councillors) == (True, True, False)
    assert flags(sem, councillors) == (False, False, False)
    # Closed network: nobody but the invited (and the expert).
    assert flags(ria, course) == (False, False, False)
    assert flags(guest, course) == (True, True, False)
    assert flags(guest, wonen) == (False, False, False)
    # Advisers read and post everywhere; administrators read and moderate; other staff nothing.
    for network in (wonen, councillors, course):
        assert flags(adviser, network) == (True, True, False)
        assert flags(administrator, network) == (True, False, True)
        assert flags(editor, network) == (False, False, False)
        assert flags(griffie, network) == (False, False, False)
    # A moderator (staff or member) reads, posts and moderates their network.
    services.appoint_moderator(network=course, email=editor.email, appointed_by=administrator)
    assert flags(editor, course) == (True, True, True)
    assert flags(editor, wonen) == (False, False, False)
    assert can(editor, "networks.view_networks")
    assert [n.slug for n in networks_for(editor)] == [course.slug]


def test_a_lapsed_member_reads_nothing_even_with_a_membership() -> None:
    wonen = topic_network()
    ria = member()
    services.join(network=wonen, user=ria)
    Member.objects.filter(pk=ria.member.pk).update(status=Member.Status.LAPSED)
    ria.refresh_from_db()
    assert not access(ria, wonen).read
    assert not can(ria, "networks.view_networks")


def test_join_leave_and_invitations() -> None:
    wonen, councillors, course = topic_network(), tier_network(), closed_network()
    ria = member()
    assert can(ria, "networks.join", wonen) and not can(ria, "networks.join", councillors)
    assert not can(ria, "networks.join", course)
    services.join(network=wonen, user=ria)
    assert not can(ria, "networks.join", wonen) and can(ria, "networks.leave", wonen)
    # A tier network follows the mandates: it cannot be left.
    assert not can(ria, "networks.leave", councillors)
    services.leave(network=wonen, user=ria)
    assert not in_network(ria, wonen)
    # Closed networks: only by invitation; who is already in or invited is skipped.
    moderator = make_role_user(Role.ADVISER)
    assert services.invite_members(network=course, users=[ria, ria], invited_by=moderator) == 1
    assert services.invite_members(network=course, users=[ria], invited_by=moderator) == 0
    invitation = ria.network_invitations.get()
    assert can(ria, "networks.answer_invitation", invitation)
    services.answer_invitation(invitation=invitation, accept=True)
    assert in_network(ria, course)
    invitation.refresh_from_db()
    assert not can(ria, "networks.answer_invitation", invitation)


def test_only_staff_or_members_who_read_the_network_become_moderators() -> None:
    wonen, course = topic_network(), closed_network()
    administrator = make_role_user(Role.ADMINISTRATOR)
    ria = member()
    guest = expert(course)
    services.appoint_moderator(network=wonen, email=ria.email, appointed_by=administrator)
    for email in (guest.email, "niemand@example.org", ria.email):
        with pytest.raises(Exception):  # noqa: B017 - ValidationError with a field message
            services.appoint_moderator(network=course, email=email, appointed_by=administrator)
    assert list(course.moderators.all()) == []
