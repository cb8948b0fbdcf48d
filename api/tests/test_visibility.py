"""What the API shows with and without a token: the site's own rules, nothing more."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from core.mail import absolute_url
from core.roles import Role
from tests.factories import make_role_user

from .world import World, token_for

pytestmark = pytest.mark.django_db


def titles(body: dict) -> set[str]:
    return {row.get("title") or row.get("subject") for row in body["results"]}


def test_without_a_token_only_public_documents_are_listed_and_shown(world: World, api) -> None:
    status, body = api.get("/documents")
    assert status == 200
    assert titles(body) == {"Motie betaalbare woningen", "Amendement fietspaden"}
    assert body["count"] == 2
    assert api.get(f"/documents/{world.documents['public'].pk}")[0] == 200
    status, body = api.get(f"/documents/{world.documents['members'].pk}")
    assert (status, body["code"]) == (404, "not_found")
    assert api.get(f"/documents/{world.documents['draft'].pk}")[0] == 404


def test_a_members_token_adds_members_only_documents_but_never_drafts(world: World, api) -> None:
    status, body = api.get("/documents", world.token)
    assert status == 200
    assert titles(body) == {"Motie betaalbare woningen", "Amendement fietspaden", "Motie woningen voor leden"}
    status, detail = api.get(f"/documents/{world.documents['members'].pk}", world.token)
    assert status == 200
    assert detail["visibility"] == "members"
    assert detail["body"] == {"code": "GM0193", "name": "Zwolle", "tier": "municipal"}
    assert detail["url"] == absolute_url(world.documents["members"].get_absolute_url())
    assert api.get(f"/documents/{world.documents['draft'].pk}", world.token)[0] == 404


def test_the_document_search_is_the_sites_search(world: World, api) -> None:
    status, body = api.get("/documents", q="woning")
    assert status == 200
    assert titles(body) == {"Motie betaalbare woningen"}
    status, body = api.get("/documents", world.token, q="woningen")
    assert titles(body) == {"Motie betaalbare woningen", "Motie woningen voor leden"}
    status, body = api.get("/documents", q="de")
    assert (status, body["code"]) == (400, "invalid_query")
    assert body["detail"]


def test_document_filters(world: World, api) -> None:
    assert titles(api.get("/documents", kind="amendment")[1]) == {"Amendement fietspaden"}
    assert titles(api.get("/documents", year=2023)[1]) == {"Amendement fietspaden"}
    assert api.get("/documents", body="GM0193")[1]["count"] == 2
    assert api.get("/documents", body="gm0193")[1]["count"] == 2
    assert api.get("/documents", body="GM0148")[1]["count"] == 0
    assert api.get("/documents", body="GM9999")[1] == {
        "count": 0,
        "limit": 20,
        "offset": 0,
        "results": [],
        "count_is_estimate": False,
        "pageable": 0,
        "partial": None,
        "suggestion": None,
    }
    assert api.get("/documents", tier="provincial")[1]["count"] == 0


def test_publications_news_and_editions_follow_their_visibility(world: World, api) -> None:
    assert titles(api.get("/publications")[1]) == {"Onderzoek wonen"}
    assert titles(api.get("/publications", world.token)[1]) == {"Onderzoek wonen", "Intern onderzoek"}
    assert api.get("/publications/intern-onderzoek")[0] == 404
    assert api.get("/publications/intern-onderzoek", world.token)[0] == 200
    assert api.get("/publications/nog-niet-klaar", world.token)[0] == 404
    assert titles(api.get("/publications", q="woningnood")[1]) == {"Onderzoek wonen"}
    assert titles(api.get("/publications", topic="wonen")[1]) == {"Onderzoek wonen"}
    assert api.get("/publications", year=2024)[1]["count"] == 0

    assert titles(api.get("/news")[1]) == {"Openbaar nieuws"}
    assert titles(api.get("/news", world.token)[1]) == {"Openbaar nieuws", "Ledennieuws"}
    assert api.get("/news/ledennieuws")[0] == 404
    assert api.get("/news/conceptnieuws", world.token)[0] == 404
    assert api.get("/news/openbaar-nieuws")[1]["body"] == "Tekst."

    assert titles(api.get("/editions")[1]) == {"Week 1"}
    assert titles(api.get("/editions", world.token)[1]) == {"Week 1", "Week 2"}
    assert api.get("/editions/2")[0] == 404
    assert api.get("/editions/2", world.token)[0] == 200
    assert api.get("/editions/3", world.token)[0] == 404  # a draft
    status, edition = api.get("/editions/1")
    assert status == 200
    assert [(e["kind"], e["title"]) for e in edition["entries"]] == [
        ("news", "Openbaar nieuws"),
        ("document", "Motie betaalbare woningen"),
    ]


def test_events_as_the_sites_list_shows_them(world: World, api) -> None:
    assert titles(api.get("/events")[1]) == {"Open avond"}
    assert titles(api.get("/events", world.token)[1]) == {"Open avond", "Ledenavond", "Uitgenodigd"}
    assert api.get("/events/ledenavond")[0] == 404
    assert api.get("/events/besloten", world.token)[0] == 404  # invited, but not this member
    assert api.get("/events/concept", world.token)[0] == 404
    status, event = api.get("/events/ledenavond", world.token)
    assert status == 200
    assert event["seats_taken"] == 1
    assert event["sessions"][0]["location_name"] == "Stadhuis"
    assert titles(api.get("/events", world.token, kind="course")[1]) == {"Ledenavond"}
    assert titles(api.get("/events", region="PV23")[1]) == {"Open avond"}
    assert api.get("/events", past=True)[1]["count"] == 0
    month = world.events["public"].starts_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m")
    assert titles(api.get("/events", month=month)[1]) == {"Open avond"}


def test_drafts_stay_hidden_from_an_organiser_with_a_members_token(world: World, api) -> None:
    organiser = make_role_user(Role.EVENT_ORGANISER)
    organiser.groups.add(Group.objects.get(name=Role.MEMBER))
    world.events["draft"].organisers.add(organiser)
    _token, secret = token_for(organiser)
    assert "Concept" not in titles(api.get("/events", secret)[1])
    assert api.get("/events/concept", secret)[0] == 404


def test_bodies_are_public_reference_data(world: World, api) -> None:
    status, body = api.get("/bodies", tier="municipal")
    assert status == 200
    assert [b["code"] for b in body["results"]] == ["GM0148", "GM0193"]
    assert api.get("/bodies", name="zwol")[1]["results"][0]["code"] == "GM0193"
    assert api.get("/bodies", province="PV23", tier="municipal")[1]["count"] == 2
    status, zwolle = api.get("/bodies/gm0193")
    assert status == 200
    assert zwolle["province"] == {"code": "PV23", "name": "Overijssel", "tier": "provincial"}
    assert api.get("/bodies/GM9999")[0] == 404
    world.body.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    world.body.save()
    assert "GM0193" not in [b["code"] for b in api.get("/bodies", tier="municipal")[1]["results"]]
    assert api.get("/bodies/GM0193")[1]["valid_until"] == world.body.valid_until.isoformat()


def test_member_operations_need_a_token(world: World, api) -> None:
    for path in ("/members", f"/members/{world.open_member.pk}", "/me", "/me/registrations"):
        response = Client().get(f"/api{path}")
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_directory_never_reveals_a_field_its_owner_does_not_show_to_members(world: World, api) -> None:
    status, body = api.get("/members", world.token)
    assert status == 200
    rows = {row["name"]: row for row in body["results"]}
    assert "Lars Lapsed" not in rows  # not an active member
    hidden = rows["Greet Geheim"]
    assert (hidden["email"], hidden["phone"], hidden["bio"]) == (None, None, None)
    assert hidden["branch"] == {"slug": "zwolle", "name": "Afdeling Zwolle"}
    assert hidden["mandates"][0]["role"] == "alderman"
    shown = rows["Otto Open"]
    assert (shown["email"], shown["phone"], shown["bio"]) == ("otto@example.org", "06-12345678", "Raadslid voor wonen.")
    status, detail = api.get(f"/members/{world.other.pk}", world.token)
    assert status == 200
    assert "greet@example.org" not in str(detail) and "06-99990000" not in str(detail)
    assert "Alleen voor staf" not in str(detail)


def test_fields_shown_to_staff_only_stay_hidden_for_a_staff_token_too(world: World, api) -> None:
    adviser = make_role_user(Role.ADVISER)
    adviser.groups.add(Group.objects.get(name=Role.MEMBER))
    _token, secret = token_for(adviser)
    status, detail = api.get(f"/members/{world.other.pk}", secret)
    assert status == 200
    assert (detail["email"], detail["bio"]) == (None, None)


def test_directory_filters(world: World, api) -> None:
    def names(**params) -> set[str]:
        return {row["name"] for row in api.get("/members", world.token, **params)[1]["results"]}

    assert names(role="alderman") == {"Greet Geheim"}
    assert names(topic="wonen") == {"Otto Open"}
    assert names(branch="zwolle") == {"Greet Geheim"}
    assert "Otto Open" in names(body="GM0193")
    assert names(body="GM0148") == set()
    assert names(tier="water_board") == set()
    assert names(q="Otto") == {"Otto Open"}
    lapsed = world.other.__class__.objects.get(family_name="Lapsed")
    assert api.get(f"/members/{lapsed.pk}", world.token)[0] == 404


def test_me_shows_the_owners_own_profile_and_registrations(world: World, api) -> None:
    member = world.member_user.member
    member.phone_visibility = "nobody"
    member.save()
    status, me = api.get("/me", world.token)
    assert status == 200
    assert me["email"] == world.member_user.email
    assert me["roles"] == ["member"]
    assert me["token_name"] == "Test"
    assert me["member"]["phone"] == member.phone  # their own, although hidden from others
    assert me["member"]["privacy"]["phone"] == "nobody"
    assert me["member"]["mandates"][0]["body"]["code"] == "GM0193"
    status, registrations = api.get("/me/registrations", world.token)
    assert status == 200
    assert [(r["event"]["slug"], r["status"]) for r in registrations["results"]] == [("ledenavond", "confirmed")]


def test_a_logged_in_browser_without_a_token_reads_the_api_anonymously(world: World) -> None:
    client = Client()
    client.force_login(world.member_user)
    response = client.get("/api/documents")
    assert {r["title"] for r in response.json()["results"]} == {"Motie betaalbare woningen", "Amendement fietspaden"}
    assert client.get("/api/me").status_code == 401


def test_the_api_is_read_only_and_ignores_the_session_for_writes(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member_user)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/documents")
        assert response.status_code == 405, method
        response = getattr(client, method)("/api/me", headers={"Authorization": f"Bearer {world.token}"})
        assert response.status_code == 405, method


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"revoked_at": timezone.now()}, "token_revoked"),
        ({"expires_at": timezone.now() - datetime.timedelta(seconds=1)}, "token_expired"),
    ],
)
def test_revoked_and_expired_tokens_are_refused(world: World, api, change: dict, code: str) -> None:
    ApiToken.objects.filter(user=world.member_user).update(**change)
    for path in ("/documents", "/me"):
        status, body = api.get(path, world.token)
        assert (status, body["code"]) == (401, code), path
        assert body["detail"]


def test_unknown_and_malformed_tokens_are_refused_never_read_as_anonymous(world: World) -> None:
    client = Client()
    for header in ("Bearer rh_nietbestaand", "Bearer ", "Basic dXNlcjpwdw==", world.token, "Bearer x" * 30):
        response = client.get("/api/documents", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["code"] in ("token_invalid", "not_authenticated"), header


def test_a_token_stops_working_when_its_owner_is_deactivated_or_leaves(world: World, api) -> None:
    world.member_user.groups.clear()
    assert api.get("/me", world.token)[1]["code"] == "token_owner_inactive"
    world.member_user.groups.add(Group.objects.get(name=Role.MEMBER))
    assert api.get("/me", world.token)[0] == 200
    world.member_user.is_active = False
    world.member_user.save()
    assert api.get("/me", world.token)[0] == 401


def test_use_is_recorded_at_most_once_a_minute(world: World, api) -> None:
    token = ApiToken.objects.get(user=world.member_user)
    assert token.last_used_at is None
    api.get("/me", world.token)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/me", world.token)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    api.get("/me", world.token)
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(minutes=1)
