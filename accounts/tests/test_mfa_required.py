import pytest
from django.urls import reverse

from core.roles import STAFF_ROLES, Role
from tests.factories import PASSWORD, enable_totp, make_role_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_without_mfa_is_sent_to_set_it_up(client, role: str) -> None:  # type: ignore[no-untyped-def]
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


@pytest.mark.parametrize("role", [Role.MEMBER, Role.BRANCH_OFFICIAL, Role.GRIFFIE_CONTACT])
def test_non_staff_may_work_without_mfa(client, role: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(role))
    assert client.get(reverse("core:home")).status_code == 200


def test_staff_may_log_out_and_switch_language_before_mfa(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.EDITOR, with_mfa=False))
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200  # now anonymous: the landing page
