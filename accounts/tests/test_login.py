import pytest
from django.urls import reverse

from core.roles import Role
from tests.factories import PASSWORD, make_role_user, totp_code

pytestmark = pytest.mark.django_db


def test_member_logs_in_with_email_and_password(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER, email="raadslid@example.org")
    response = client.post(reverse("account_login"), {"login": "Raadslid@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).context["user"] == user


def test_staff_login_asks_for_the_one_time_code(client) -> None:  # type: ignore[no-untyped-def]
    make_role_user(Role.ADVISER, email="adviseur@example.org")
    response = client.post(reverse("account_login"), {"login": "adviseur@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert not wrong.context["user"].is_authenticated
    ok = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert ok.status_code == 302
    assert client.get(reverse("core:home")).context["user"].email == "adviseur@example.org"


def test_wrong_password_and_unknown_address_get_the_same_message(client) -> None:  # type: ignore[no-untyped-def]
    make_role_user(Role.MEMBER, email="bestaat@example.org")
    known = client.post(reverse("account_login"), {"login": "bestaat@example.org", "password": "fout-wachtwoord"})
    unknown = client.post(
        reverse("account_login"), {"login": "bestaat-niet@example.org", "password": "fout-wachtwoord"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert known.context["form"].non_field_errors()


def test_password_reset_does_not_reveal_whether_an_address_exists(client) -> None:  # type: ignore[no-untyped-def]
    make_role_user(Role.MEMBER, email="bestaat@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "bestaat@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "bestaat-niet@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_repeated_failed_logins_are_rate_limited(client) -> None:  # type: ignore[no-untyped-def]
    make_role_user(Role.MEMBER, email="doelwit@example.org")
    responses = [
        client.post(reverse("account_login"), {"login": "doelwit@example.org", "password": f"gok-{n}"})
        for n in range(6)
    ]
    too_many = "Te veel inlogpogingen"
    assert all(too_many not in r.content.decode() for r in responses[:5])
    assert too_many in responses[5].content.decode()
    # Even the right password is refused while the limit holds.
    blocked = client.post(reverse("account_login"), {"login": "doelwit@example.org", "password": PASSWORD})
    assert too_many in blocked.content.decode()
    assert not blocked.wsgi_request.user.is_authenticated
    # The same happens for an address without an account: the limit reveals nothing.
    for n in range(6):
        unknown = client.post(reverse("account_login"), {"login": "niemand@example.org", "password": f"gok-{n}"})
    assert too_many in unknown.content.decode()


def test_nobody_can_sign_up(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("account_signup"),
        {"email": "zomaar@example.org", "password1": "abcdefgh-12345", "password2": "abcdefgh-12345"},
    )
    assert response.status_code == 200
    assert "signup_closed" in response.templates[0].name or "gesloten" in response.content.decode().lower()
    from accounts.models import User

    assert not User.objects.filter(email="zomaar@example.org").exists()
