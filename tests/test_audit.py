"""People, roles and mandates leave an audit trail (django-auditlog)."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group

from core.roles import Role
from tests.factories import MandateFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_role_changes_are_logged_with_the_actor(client, administrator) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(name="Piet Postma")
    client.force_login(administrator)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": user.email,
            "name": "Piet Postma",
            "is_active": "on",
            "groups": [Group.objects.get(name=Role.EDITOR).pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LogEntry.objects.get_for_object(user).filter(changes_text__icontains="groups").first() or (
        LogEntry.objects.get_for_object(user).exclude(changes__isnull=True).order_by("-timestamp").first()
    )
    assert entry is not None
    assert entry.actor == administrator
    assert "editor" in str(entry.changes)


def test_member_and_mandate_changes_are_logged() -> None:
    member = MemberFactory(family_name="Jansen")
    member.family_name = "Jansen-Visser"
    member.save()
    changes = LogEntry.objects.get_for_object(member).order_by("timestamp").last().changes_dict
    assert changes["family_name"] == ["Jansen", "Jansen-Visser"]
    mandate = MandateFactory(member=member)
    mandate.end_date = mandate.start_date.replace(year=mandate.start_date.year + 4)
    mandate.save()
    assert LogEntry.objects.get_for_object(mandate).count() == 2


def test_passwords_are_not_in_the_log() -> None:
    user = UserFactory()
    user.set_password("nieuw-geheim-wachtwoord")
    user.save()
    user.groups.set([Group.objects.get_or_create(name=Role.MEMBER)[0]])
    assert LogEntry.objects.get_for_object(user).exists()
    assert "nieuw-geheim" not in str(list(LogEntry.objects.values_list("changes", flat=True)))
