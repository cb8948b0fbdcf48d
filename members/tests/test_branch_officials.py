"""Branch officials are appointed in the back office, never to the acting administrator's own
account or to a staff account (members.services.check_appointment; docs/SECURITY.md, "No role can
widen its own access through a field it may write"). The attacks themselves, with a probe of the
applications they would open, are in tests/test_no_self_widening.py."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from core.roles import Role
from members.models import BranchOfficial
from tests.factories import BranchFactory, BranchOfficialFactory, MemberFactory, UserFactory, make_role_user

pytestmark = pytest.mark.django_db


def administrator_with_member() -> Any:
    user = make_role_user(Role.ADMINISTRATOR)
    MemberFactory(user=user, email=user.email)
    return user


def appoint(client: Client, member: Any, branch: Any, **extra: str) -> Any:
    data = {
        "member": member.pk,
        "branch": branch.pk,
        "function": "secretary",
        "start_date": "2026-01-01",
        "end_date": "",
    } | extra
    return client.post(reverse("admin:members_branchofficial_add"), data)


def refusals(user: Any) -> list[dict[str, Any]]:
    return [entry.additional_data for entry in LogEntry.objects.get_for_object(user) if entry.additional_data]


def test_an_administrator_cannot_appoint_themselves_and_the_refusal_is_logged() -> None:
    admin = administrator_with_member()
    branch = BranchFactory()
    client = Client()
    client.force_login(admin)
    response = appoint(client, admin.member, branch)
    assert response.status_code == 200
    assert "Je kunt jezelf niet benoemen tot bestuurder van een afdeling" in response.content.decode()
    assert not BranchOfficial.objects.exists()
    assert refusals(admin) == [
        {
            "refused": "appointment of a branch official",
            "reason": "own account",
            "member": admin.member.pk,
            "branch": branch.pk,
            "function": "secretary",
        }
    ]


@pytest.mark.parametrize("kind", [Role.ADMINISTRATOR, Role.EDITOR, "superuser flag"])
def test_a_staff_account_cannot_be_appointed(kind: str) -> None:
    admin = make_role_user(Role.ADMINISTRATOR)
    superuser = kind == "superuser flag"
    other = UserFactory(roles=[Role.MEMBER], is_superuser=True) if superuser else make_role_user(kind)
    member = MemberFactory(user=other, email=other.email, given_name="Sanne", infix="", family_name="Bos")
    client = Client()
    client.force_login(admin)
    response = appoint(client, member, BranchFactory())
    assert response.status_code == 200
    assert "Sanne Bos heeft een account met een medewerkersrol" in response.content.decode()
    assert not BranchOfficial.objects.exists()
    assert [r["reason"] for r in refusals(admin)] == ["staff account"]


def test_a_member_is_appointed_and_the_appointment_is_in_the_audit_log() -> None:
    admin = make_role_user(Role.ADMINISTRATOR)
    member_user = make_role_user(Role.MEMBER)
    branch = BranchFactory()
    client = Client()
    client.force_login(admin)
    assert appoint(client, member_user.member, branch).status_code == 302
    official = BranchOfficial.objects.get()
    assert (official.member, official.branch, official.function) == (member_user.member, branch, "secretary")
    entry = LogEntry.objects.get_for_object(official).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == admin
    assert refusals(admin) == []


def test_through_the_branch_page_the_same_check_holds() -> None:
    admin = administrator_with_member()
    branch = BranchFactory()
    data = {
        "name": branch.name,
        "slug": branch.slug,
        "kind": branch.kind,
        "province": "",
        "email": "",
        "officials-TOTAL_FORMS": 1,
        "officials-INITIAL_FORMS": 0,
        "officials-MIN_NUM_FORMS": 0,
        "officials-MAX_NUM_FORMS": 1000,
        "officials-0-id": "",
        "officials-0-branch": branch.pk,
        "officials-0-member": admin.member.pk,
        "officials-0-function": "chair",
        "officials-0-start_date": "2026-01-01",
        "officials-0-end_date": "",
    }
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("admin:members_branch_change", args=[branch.pk]), data)
    assert response.status_code == 200
    assert "Je kunt jezelf niet benoemen" in response.content.decode()
    assert not BranchOfficial.objects.exists()
    # A plain member in the same row is appointed.
    data["officials-0-member"] = make_role_user(Role.MEMBER).member.pk
    assert client.post(reverse("admin:members_branch_change", args=[branch.pk]), data).status_code == 302
    assert BranchOfficial.objects.get().function == "chair"


def test_an_administrator_may_end_an_appointment_of_their_own_but_not_extend_it() -> None:
    """An official who became an administrator keeps the appointment they had; ending it narrows
    their access and is allowed, a later end is not."""
    admin = administrator_with_member()
    official = BranchOfficialFactory(member=admin.member, end_date=datetime.date(2027, 1, 1))
    url = reverse("admin:members_branchofficial_change", args=[official.pk])
    data = {
        "member": admin.member.pk,
        "branch": official.branch_id,
        "function": official.function,
        "start_date": official.start_date.isoformat(),
    }
    client = Client()
    client.force_login(admin)
    assert client.post(url, data | {"end_date": "2028-01-01"}).status_code == 200
    assert client.post(url, data | {"end_date": ""}).status_code == 200
    official.refresh_from_db()
    assert official.end_date == datetime.date(2027, 1, 1)
    assert client.post(url, data | {"end_date": "2026-06-30"}).status_code == 302
    official.refresh_from_db()
    assert official.end_date == datetime.date(2026, 6, 30)


def test_deleting_an_appointment_goes_through_the_service() -> None:
    admin = make_role_user(Role.ADMINISTRATOR)
    official = BranchOfficialFactory()
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("admin:members_branchofficial_delete", args=[official.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not BranchOfficial.objects.exists()
