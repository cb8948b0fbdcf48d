import re

import pytest
from django.core import mail
from django.urls import reverse

from core.roles import Role
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db


def test_member_resets_a_forgotten_password_by_email(client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER, email="vergeetachtig@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "vergeetachtig@example.org"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[CLB]")
    link = re.search(r"https?://[^\s]+/account/password/reset/key/[^\s]+", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else "/" + path,
        {"password1": "nieuw-sterk-wachtwoord-5", "password2": "nieuw-sterk-wachtwoord-5"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("nieuw-sterk-wachtwoord-5")
