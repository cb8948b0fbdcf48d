"""One test for each permission check of the members app that the authorization matrix alone does
not catch (issue 18, point 7; see tests/mutation/permission_mutants.py). Each names the check it
guards. Zero-argument tests (no fixtures), so that the mutation script also runs them in process;
they look only at the objects they create."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from core.models import OutgoingMail
from core.roles import Role
from members import services
from members.models import Block, Member, Message
from tests.factories import MemberFactory, enable_totp, make_role_user

pytestmark = pytest.mark.django_db


def test_a_message_is_refused_to_oneself_to_a_lapsed_member_and_to_whoever_blocked_the_sender() -> None:
    """services.send_message: the reason of `can_message` refuses the message (nothing stored, no mail)."""
    sender, recipient = MemberFactory(), MemberFactory(notify_messages=True)
    lapsed = MemberFactory(status=Member.Status.LAPSED)
    blocking = MemberFactory(notify_messages=True)
    Block.objects.create(blocker=blocking, blocked=sender)
    mails = OutgoingMail.objects.count()
    for refused in (sender, lapsed, blocking):
        with pytest.raises(PermissionDenied):
            services.send_message(sender=sender, recipient=refused, body="Hallo", reveal_sender_email=False)
    assert not Message.objects.filter(sender=sender).exists()
    assert OutgoingMail.objects.count() == mails  # no e-mail queued
    message = services.send_message(sender=sender, recipient=recipient, body="Hallo", reveal_sender_email=False)
    assert list(Message.objects.filter(sender=sender)) == [message]
    assert OutgoingMail.objects.count() == mails + 1


def test_only_the_recipient_reports_a_message() -> None:
    """services.report_message: someone else than the recipient (the sender, a third member) is refused."""
    sender, recipient, third = MemberFactory(), MemberFactory(), MemberFactory()
    message = Message.objects.create(sender=sender, recipient=recipient, body="Dreigend")
    for reporter in (sender, third):
        with pytest.raises(PermissionDenied):
            services.report_message(message=message, reporter=reporter, reason="Ongepast")
        stored = Message.objects.get(pk=message.pk)
        assert stored.reported_at is None and stored.report_reason == ""
    services.report_message(message=message, reporter=recipient, reason="Ongepast")
    stored = Message.objects.get(pk=message.pk)
    assert stored.reported_at is not None and stored.report_reason == "Ongepast"


def test_the_branch_page_offers_management_to_the_branch_s_own_officials_only() -> None:
    """views.branch_detail: `members.manage_branch` (an official of another branch is offered nothing)."""
    official, other_official = make_role_user(Role.BRANCH_OFFICIAL), make_role_user(Role.BRANCH_OFFICIAL)
    branch = official.member.branch_functions.get().branch
    url = reverse("members:branch_detail", kwargs={"slug": branch.slug})
    client = Client()
    for user, may in ((other_official, False), (make_role_user(Role.MEMBER), False), (official, True)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response.context["can_manage"] is may


def test_a_member_page_offers_writing_only_to_whoever_may_use_the_messages() -> None:
    """views.member_detail: `members.use_messages` (a member record without the member role is not enough)."""
    other = make_role_user(Role.MEMBER).member
    former = make_role_user(Role.MEMBER)
    former.groups.set([Group.objects.get_or_create(name=Role.EDITOR)[0]])  # member role taken away, record kept
    enable_totp(former)  # (an editor signs in with a second factor)
    url = reverse("members:member_detail", kwargs={"pk": other.pk})
    client = Client()
    for user, may in ((former, False), (make_role_user(Role.MEMBER), True)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response.context["can_message"] is may


def test_a_refused_sender_is_refused_before_the_message_is_read() -> None:
    """views.thread: `can_message`'s reason refuses the POST (403), also when the form is empty."""
    sender, blocking = make_role_user(Role.MEMBER), make_role_user(Role.MEMBER).member
    Block.objects.create(blocker=blocking, blocked=sender.member)
    url = reverse("members:thread", kwargs={"pk": blocking.pk})
    client = Client()
    client.force_login(sender)
    for body in ("", "Hallo"):
        assert client.post(url, {"body": body}).status_code == 403
    assert not Message.objects.filter(sender=sender.member).exists()
