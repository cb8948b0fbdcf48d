import pytest
from django.urls import reverse

from core.roles import MFA_ROLES, STAFF_ROLES, Role
from selection import services
from selection.tests.factories import make_procedure
from tests.factories import PASSWORD, enable_totp, make_role_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", sorted(MFA_ROLES))
def test_staff_and_roles_with_personal_data_or_money_without_mfa_are_sent_to_set_it_up(client, role: str) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(role, with_mfa=False)
    login = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert login.status_code == 302
    for url in [reverse("core:home"), reverse("core:body_list"), reverse("account_email"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # allauth asks for the password once more before a second factor can be added.
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 302 and setup["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticated = client.post(setup["Location"], {"password": PASSWORD})
    assert reauthenticated.status_code == 302
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    enable_totp(user)
    assert client.get(reverse("core:home")).status_code == 200


def test_the_roles_that_read_personal_data_or_decide_money_need_mfa() -> None:
    assert {Role.BRANCH_OFFICIAL, Role.GRIFFIE_CONTACT} | STAFF_ROLES == MFA_ROLES


@pytest.mark.parametrize("role", [Role.MEMBER, Role.EXPERT])
def test_members_and_experts_may_work_without_mfa(client, role: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(role))
    assert client.get(reverse("account_email")).status_code == 200


def test_a_committee_seat_needs_mfa_on_the_committee_pages_only(client) -> None:  # type: ignore[no-untyped-def]
    world = make_procedure()
    seat = make_role_user(Role.MEMBER)
    services.add_committee_member(procedure=world.procedure, member=seat.member)
    application = world.apply()
    world.procedure.refresh_from_db()
    client.force_login(seat)
    committee_pages = [
        reverse("selection:procedures"),
        reverse("selection:procedure", kwargs={"pk": world.procedure.pk}),
        reverse("selection:application", kwargs={"pk": world.procedure.pk, "application": application.pk}),
        reverse("selection:cv", kwargs={"pk": world.procedure.pk, "application": application.pk}),
    ]
    for url in committee_pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # As a member they still use the rest of the platform, and the applicant's pages.
    assert client.get(reverse("account_email")).status_code == 200
    assert client.get(reverse("selection:calls")).status_code == 200
    enable_totp(seat)
    assert client.get(committee_pages[1]).status_code == 200
    assert client.get(committee_pages[2]).status_code == 200


def test_a_member_without_a_seat_is_not_asked_for_mfa_on_selection_pages(client) -> None:  # type: ignore[no-untyped-def]
    world = make_procedure()
    client.force_login(make_role_user(Role.MEMBER))
    assert client.get(reverse("selection:procedure", kwargs={"pk": world.procedure.pk})).status_code == 404


def test_staff_may_log_out_and_switch_language_before_mfa(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.EDITOR, with_mfa=False))
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200  # now anonymous: the landing page
