import datetime
import io

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, User
from core.roles import Role
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(**kwargs):  # type: ignore[no-untyped-def]
    defaults = {"email": "Nieuw.Lid@Example.org", "name": "Nieuw Lid", "roles": [Role.MEMBER], "invited_by": None}
    return services.invite(**{**defaults, **kwargs})


def test_invitation_sends_a_link_that_creates_an_account(client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite()
    assert invitation.email == "nieuw.lid@example.org"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nieuw.lid@example.org"]
    link = reverse("accounts:accept_invitation", kwargs={"token": token})
    assert link in message.body
    assert "uitgenodigd" in message.body.lower() or "nodigt" in message.body.lower()
    assert message.alternatives and link in message.alternatives[0][0]

    page = client.get(link)
    assert page.status_code == 200
    response = client.post(link, {"password1": "een-sterk-wachtwoord-9", "password2": "een-sterk-wachtwoord-9"})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    user = User.objects.get(email="nieuw.lid@example.org")
    assert user.check_password("een-sterk-wachtwoord-9")
    assert user.roles == {Role.MEMBER}
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("core:home")).context["user"] == user


def test_only_a_hash_of_the_token_is_stored() -> None:
    invitation, token = invite()
    assert token not in invitation.token_hash
    assert Invitation.objects.filter(token_hash=invitation.token_hash).count() == 1


def test_link_works_once(client) -> None:  # type: ignore[no-untyped-def]
    _invitation, token = invite()
    link = reverse("accounts:accept_invitation", kwargs={"token": token})
    client.post(link, {"password1": "een-sterk-wachtwoord-9", "password2": "een-sterk-wachtwoord-9"})
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "al gebruikt" in again.content.decode()
    assert User.objects.count() == 1
    with pytest.raises(services.InvitationError):
        services.accept_invitation(token=token, password="nog-een-wachtwoord-7")


def test_expired_link_shows_a_clear_page_and_creates_nothing(client) -> None:  # type: ignore[no-untyped-def]
    _invitation, token = invite()
    link = reverse("accounts:accept_invitation", kwargs={"token": token})
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=15)):
        page = client.get(link)
        assert page.status_code == 410
        assert "verlopen" in page.content.decode()
        posted = client.post(link, {"password1": "een-sterk-wachtwoord-9", "password2": "een-sterk-wachtwoord-9"})
        assert posted.status_code == 410
    assert not User.objects.exists()


def test_unknown_link_is_a_404_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("accounts:accept_invitation", kwargs={"token": "niet-bestaand"}))
    assert response.status_code == 404
    assert "niet geldig" in response.content.decode()


def test_weak_or_mismatched_password_is_refused_and_invitation_stays_usable(client) -> None:  # type: ignore[no-untyped-def]
    _invitation, token = invite()
    link = reverse("accounts:accept_invitation", kwargs={"token": token})
    weak = client.post(link, {"password1": "12345", "password2": "12345"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["password1"]
    mismatch = client.post(link, {"password1": "een-sterk-wachtwoord-9", "password2": "ander-wachtwoord-9"})
    assert "niet hetzelfde" in mismatch.content.decode()
    assert not User.objects.exists()
    assert client.get(link).status_code == 200


def test_resend_replaces_the_link(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    invitation, old_token = invite()
    with django_capture_on_commit_callbacks(execute=True):
        new_token = services.resend_invitation(invitation=invitation)
    assert new_token != old_token
    assert services.invitation_for_token(old_token) is None
    assert services.invitation_for_token(new_token) == invitation
    assert len(mail.outbox) == 1


def test_revoked_invitation_cannot_be_used(client) -> None:  # type: ignore[no-untyped-def]
    invitation, token = invite()
    services.revoke_invitation(invitation=invitation)
    response = client.get(reverse("accounts:accept_invitation", kwargs={"token": token}))
    assert response.status_code == 410
    assert "ingetrokken" in response.content.decode()


def test_existing_account_or_open_invitation_is_refused() -> None:
    UserFactory(email="bestaat@example.org")
    with pytest.raises(ValidationError) as error:
        invite(email="BESTAAT@example.org")
    assert "email" in error.value.error_dict
    invite(email="open@example.org")
    with pytest.raises(ValidationError):
        invite(email="open@example.org")
    with pytest.raises(ValidationError):
        invite(email="x@example.org", roles=["superheld"])
    assert Invitation.objects.count() == 1


def test_accepting_links_the_member_record() -> None:
    member = MemberFactory(email="raadslid@example.org")
    _invitation, token = invite(email="raadslid@example.org", member=member)
    user = services.accept_invitation(token=token, password="een-sterk-wachtwoord-9")
    member.refresh_from_db()
    assert member.user == user


def test_administrator_invites_through_the_page(client, administrator, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client.force_login(administrator)
    url = reverse("accounts:invitation_create")
    bad = client.post(url, {"name": "", "email": "geen-adres", "roles": []})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"name", "email", "roles"}
    assert not Invitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"name": "Jelle Postma", "email": "jelle@example.org", "roles": [Role.EDITOR]})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.created_by == administrator
    assert [g.name for g in invitation.roles.all()] == [Role.EDITOR]
    assert len(mail.outbox) == 1
    listing = client.get(reverse("accounts:invitation_list"), {"status": "pending"})
    assert "jelle@example.org" in listing.content.decode()
    duplicate = client.post(url, {"name": "Jelle", "email": "jelle@example.org", "roles": [Role.MEMBER]})
    assert duplicate.context["form"].errors["email"]


def test_the_desk_roles_are_not_given_on_the_site(client, administrator) -> None:  # type: ignore[no-untyped-def]
    """An administrator cannot invite an adviser or counsellor (a second account of their own would
    read advice cases): not on the page, not through the service; the server's command line can."""
    client.force_login(administrator)
    url = reverse("accounts:invitation_create")
    for role in (Role.ADVISER, Role.COUNSELLOR):
        response = client.post(url, {"name": "Tweede Ik", "email": "tweede@example.org", "roles": [role]})
        assert response.status_code == 200 and response.context["form"].errors["roles"]
        with pytest.raises(ValidationError):
            services.invite(email="tweede@example.org", name="x", roles=[role], invited_by=administrator)
    assert not Invitation.objects.exists()
    services.invite(email="tweede@example.org", name="x", roles=[Role.COUNSELLOR], invited_by=None, send=False)
    assert Invitation.objects.get().roles.get().name == Role.COUNSELLOR


def test_set_desk_roles_on_the_server(administrator) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("set_desk_roles", administrator.email, "--role", "counsellor", stdout=out)
    assert "counsellor" in out.getvalue()
    administrator.refresh_from_db()
    assert Role.COUNSELLOR in administrator.roles and Role.ADMINISTRATOR in administrator.roles
    call_command("set_desk_roles", administrator.email, stdout=io.StringIO())
    administrator = type(administrator).objects.get(pk=administrator.pk)
    assert Role.COUNSELLOR not in administrator.roles and Role.ADMINISTRATOR in administrator.roles
    with pytest.raises(CommandError):
        call_command("set_desk_roles", "niemand@example.org", "--role", "adviser")


def test_invitation_list_query_count_does_not_grow_with_rows(
    client, administrator, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for n in range(30):
        invite(email=f"persoon{n}@example.org", roles=[Role.MEMBER, Role.EDITOR])
    client.force_login(administrator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:invitation_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25
