"""A member record is linked to an existing account on the server only (`manage.py
link_member_account`), never in the back office (docs/SECURITY.md)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from core.roles import Role
from members.models import Member
from tests.factories import MemberFactory, make_role_user

pytestmark = pytest.mark.django_db


def test_an_account_is_linked_and_unlinked_on_the_server_and_it_is_in_the_audit_log() -> None:
    editor = make_role_user(Role.EDITOR)
    record = MemberFactory(email=editor.email)
    call_command("link_member_account", str(record.pk), editor.email.upper())
    assert Member.objects.get(pk=record.pk).user == editor
    assert LogEntry.objects.get_for_object(record).filter(changes__icontains="user").exists()
    call_command("link_member_account", str(record.pk), "--unlink")
    assert Member.objects.get(pk=record.pk).user is None


def test_a_record_of_someone_else_or_an_account_with_a_record_is_refused() -> None:
    member_user = make_role_user(Role.MEMBER)  # has a record of their own
    editor = make_role_user(Role.EDITOR)
    with pytest.raises(CommandError, match="ontkoppel dat eerst"):
        call_command("link_member_account", str(member_user.member.pk), editor.email)
    assert Member.objects.get(pk=member_user.member.pk).user == member_user
    spare = MemberFactory()
    with pytest.raises(CommandError, match="al aan een ander lid gekoppeld"):
        call_command("link_member_account", str(spare.pk), member_user.email)
    assert Member.objects.get(pk=spare.pk).user is None
    with pytest.raises(CommandError, match="No account"):
        call_command("link_member_account", str(spare.pk), "niemand@example.org")
