"""Making and revoking API tokens on the member's own page."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from api import services
from api.models import ApiToken
from core.roles import Role
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db

URL = "/profiel/api-tokens/"


@pytest.fixture
def member_client(member_user: Any) -> Client:
    client = Client()
    client.force_login(member_user)
    return client


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(member_client: Client, member_user: Any) -> None:
    response = member_client.post(URL, {"name": "Spreadsheet", "expires_in_days": "90"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["new_secret"]
    assert secret.startswith("rh_") and len(secret) > 40
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user=member_user)
    assert token.name == "Spreadsheet"
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.prefix, token.secret_hash, token.name}
    assert secret.startswith(token.prefix) and len(token.prefix) == 10
    expected = timezone.now() + datetime.timedelta(days=90)
    assert abs(token.expires_at - expected) < datetime.timedelta(minutes=1)
    # The list shows the token without its secret, from now on.
    page = member_client.get(URL).content.decode()
    assert "Spreadsheet" in page and token.prefix in page and secret not in page
    # And it works.
    me = Client().get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200


def test_a_token_without_an_end_date(member_client: Client, member_user: Any) -> None:
    member_client.post(URL, {"name": "Website", "expires_in_days": ""})
    assert ApiToken.objects.get(user=member_user).expires_at is None


def test_bad_input_gets_a_translated_error_and_makes_nothing(member_client: Client) -> None:
    response = member_client.post(URL, {"name": "   ", "expires_in_days": "90"})
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.content.decode()
    response = member_client.post(URL, {"name": "Raar", "expires_in_days": "7"})
    assert "geldige keuze" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert not response.context["new_secret"]


def test_the_service_refuses_an_empty_name_and_an_unknown_validity(member_user: Any) -> None:
    with pytest.raises(ValidationError, match=r"Geef het token een naam\."):
        services.create_token(user=member_user, name=" \t ", expires_in_days=None)
    with pytest.raises(ValidationError, match="geldigheidsduren"):
        services.create_token(user=member_user, name="Raar", expires_in_days=7)
    assert not ApiToken.objects.exists()


def test_the_number_of_active_tokens_is_limited(member_user: Any) -> None:
    for index in range(services.MAX_ACTIVE_TOKENS):
        services.create_token(user=member_user, name=f"T{index}", expires_in_days=None)
    with pytest.raises(ValidationError):
        services.create_token(user=member_user, name="Eén te veel", expires_in_days=None)
    services.revoke_token(token=ApiToken.objects.filter(user=member_user).first())
    services.create_token(user=member_user, name="Weer ruimte", expires_in_days=None)


def test_only_association_members_hold_tokens(role_user: Any) -> None:
    for role in (Role.GRIFFIE_CONTACT, Role.ADVISER):
        with pytest.raises(ValidationError):
            services.create_token(user=role_user(role), name="Nee", expires_in_days=None)
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_stops_the_token_at_once(member_client: Client, member_user: Any) -> None:
    token, secret = services.create_token(user=member_user, name="Oud", expires_in_days=None)
    url = f"{URL}{token.pk}/intrekken/"
    page = member_client.get(url)
    assert page.status_code == 200
    assert "Het token “Oud” intrekken?" in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking changes nothing
    response = member_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "Het token “Oud” is ingetrokken." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/me", headers={"Authorization": f"Bearer {secret}"}).json()["code"] == "token_revoked"
    # A revoked token cannot be revoked again, and the list shows it as revoked.
    assert member_client.get(url).status_code == 404
    assert "Ingetrokken op" in member_client.get(URL).content.decode()


def test_someone_elses_token_is_not_found(member_client: Client) -> None:
    other = make_role_user(Role.MEMBER)
    token, _secret = services.create_token(user=other, name="Van een ander", expires_in_days=None)
    url = f"{URL}{token.pk}/intrekken/"
    assert member_client.get(url).status_code == 404
    assert member_client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Van een ander" not in member_client.get(URL).content.decode()


def test_the_profile_page_links_to_the_tokens(member_client: Client) -> None:
    assert URL in member_client.get("/profiel/").content.decode()


def test_the_data_export_lists_the_tokens_without_their_secrets(member_client: Client, member_user: Any) -> None:
    token, secret = services.create_token(user=member_user, name="Spreadsheet", expires_in_days=30)
    response = member_client.get("/profiel/gegevens/", {"format": "json"})
    exported = response.json()["account"]["api_tokens"]
    assert [(t["name"], t["starts_with"]) for t in exported] == [("Spreadsheet", token.prefix)]
    assert exported[0]["expires"] is not None and exported[0]["revoked"] is None
    assert secret not in response.content.decode() and token.secret_hash not in response.content.decode()


def test_erasure_deletes_the_tokens(member_user: Any, administrator: Any) -> None:
    from members import services as member_services

    _token, secret = services.create_token(user=member_user, name="Weg", expires_in_days=None)
    request = member_services.request_erasure(member=member_user.member, reason="")
    member_services.erase_member(request=request, executed_by=administrator)
    assert not ApiToken.objects.filter(user=member_user).exists()
    assert Client().get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
