"""Paging, the error format, rate limits and the number of queries per list."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api.ratelimit import Rate
from events import services as event_services
from events.models import Event
from members.models import Member
from newsletter import services as news_services
from newsletter.models import Edition
from tests.factories import EventFactory, MandateFactory, MemberFactory, MunicipalityFactory

from .world import World, document, publication, token_for

pytestmark = pytest.mark.django_db


def test_a_large_search_counts_every_match_and_pages_through_all_of_them(world: World, api) -> None:
    start = datetime.date(2025, 1, 1)
    for index in range(40):
        day = start + datetime.timedelta(days=index)
        document(title=f"Motie fietsroutes {index}", body=world.body, visibility="public", meeting_date=day)
    status, body = api.get("/documents", q="fietsroutes", limit=2)
    assert status == 200
    # The deprecated fields of the former engine: never an estimate, everything pageable.
    assert (body["count"], body["count_is_estimate"], body["pageable"]) == (40, False, 40)
    everything = [api.get("/documents", q="fietsroutes", limit=2, offset=o)[1] for o in range(0, 40, 2)]
    ids = [r["id"] for p in everything for r in p["results"]]
    assert len(ids) == len(set(ids)) == 40


def test_a_search_says_when_results_hold_only_part_of_the_words(world: World, api) -> None:
    document(title="Gratis zwemles voor kinderen in de zomer", body=world.body, visibility="public")
    document(title="Zwemles voor volwassenen", body=world.body, visibility="public")
    document(title="Kinderen en de zomervakantie in de zomer", body=world.body, visibility="public")
    status, body = api.get("/documents", q="zwemles kinderen zomer")
    # Fewer than RELAX_BELOW (10) documents hold two of the words: those with one follow.
    assert status == 200 and body["count"] == 3
    assert body["partial"] == {
        "words": 3,
        "at_least": 1,
        "with_all_words": 1,
        "relaxed": True,
        "message": "1 document bevat al je woorden; hieronder ook documenten met een deel ervan "
        "(minstens 1 van 3 woorden).",
    }
    api.client.cookies["django_language"] = "en"
    relaxed = api.get("/documents", q="volwassenen zomer")[1]
    assert relaxed["partial"] == {
        "words": 2,
        "at_least": 1,
        "with_all_words": 0,
        "relaxed": True,
        "message": "No document contains all your words; below are documents with some of them "
        "(at least 1 of 2 words).",
    }
    assert api.get("/documents", q='"gratis zwemles"')[1]["partial"] is None
    assert api.get("/documents")[1]["partial"] is None


def test_a_search_with_a_typo_gets_a_suggestion(world: World, api) -> None:
    for index in range(3):
        document(title=f"Motie fietsroutes naar school {index}", body=world.body, visibility="public")
    status, body = api.get("/documents", q="fietroutes school")
    assert status == 200
    assert body["suggestion"] == {
        "q": "fietsroutes school",
        "corrections": [{"typed": "fietroutes", "suggested": "fietsroutes"}],
    }
    assert api.get("/documents", q="fietsroutes school")[1]["suggestion"] is None
    assert api.get("/documents")[1]["suggestion"] is None


def test_limit_and_offset_page_through_every_list(world: World, api) -> None:
    for index in range(5):
        document(title=f"Motie {index}", body=world.body, visibility="public")
    status, first = api.get("/documents", limit=3)
    assert status == 200
    assert (first["count"], first["limit"], first["offset"], len(first["results"])) == (7, 3, 0, 3)
    second = api.get("/documents", limit=3, offset=3)[1]
    third = api.get("/documents", limit=3, offset=6)[1]
    ids = [r["id"] for page in (first, second, third) for r in page["results"]]
    assert len(ids) == len(set(ids)) == 7
    beyond = api.get("/documents", limit=3, offset=50)[1]
    assert (beyond["count"], beyond["results"]) == (7, [])
    assert (first["count_is_estimate"], first["pageable"]) == (False, 7)
    for path in ("/news", "/publications", "/editions", "/events", "/bodies"):
        everything = api.get(path, world.token, limit=100)[1]
        assert everything["count"] == len(everything["results"]) >= 1, path
        skipped = api.get(path, world.token, limit=100, offset=1)[1]
        assert skipped["results"] == everything["results"][1:], path


@pytest.mark.parametrize(
    "params",
    [{"limit": 101}, {"limit": 0}, {"offset": -1}, {"offset": 10_001}, {"limit": "veel"}, {"kind": "brief"}],
)
def test_bad_parameters_get_a_422_in_the_error_format(world: World, api, params: dict) -> None:
    status, body = api.get("/documents", **params)
    assert status == 422
    assert body["code"] == "invalid_parameters"
    assert body["detail"] == "Sommige parameters zijn niet geldig."
    assert body["errors"] and body["errors"][0]["loc"][-1] in params


def test_not_found_and_bad_paths_use_the_error_format(world: World, api) -> None:
    assert api.get("/documents/999999") == (404, {"detail": "Niet gevonden.", "code": "not_found"})
    assert api.get("/events/bestaat-niet")[1]["code"] == "not_found"
    assert api.get("/documents/0")[1]["code"] == "invalid_parameters"
    assert api.get("/documents/99999999999999999999")[0] == 422
    assert api.get("/bodies/GM%00")[0] in (404, 422)


def test_rate_limit_per_address_without_a_token(world: World, settings) -> None:
    settings.API_RATE_LIMITS = {"anonymous": "3/m", "token": "5/m"}
    client = Client()
    assert [client.get("/api/bodies").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/bodies")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another address has its own count; a token has its own limit.
    assert client.get("/api/bodies", REMOTE_ADDR="10.0.0.2").status_code == 200
    headers = {"Authorization": f"Bearer {world.token}"}
    assert [client.get("/api/bodies", headers=headers).status_code for _ in range(5)] == [200] * 5
    assert client.get("/api/me", headers=headers).status_code == 429
    _token, other = token_for(world.member_user, name="Tweede")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_bad_tokens_count_against_the_address(world: World, settings) -> None:
    settings.API_RATE_LIMITS = {"anonymous": "2/m", "token": "100/m"}
    client = Client()
    wrong = {"Authorization": "Bearer rh_geraden"}
    assert [client.get("/api/me", headers=wrong).status_code for _ in range(3)] == [401, 401, 429]


def test_forwarded_addresses_count_only_behind_trusted_proxies(world: World, settings) -> None:
    settings.API_RATE_LIMITS = {"anonymous": "1/m", "token": "100/m"}
    client = Client()
    assert client.get("/api/bodies", HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    # Without trusted proxies a client cannot pick a new address with the header.
    assert client.get("/api/bodies", HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/api/bodies", HTTP_X_FORWARDED_FOR="spoofed, 3.3.3.3").status_code == 200
    assert client.get("/api/bodies", HTTP_X_FORWARDED_FOR="other, 3.3.3.3").status_code == 429


def test_rates_are_parsed_strictly() -> None:
    assert Rate.parse("60/m") == Rate(60, 60)
    assert Rate.parse("1000/h") == Rate(1000, 3600)
    for bad in ("60", "0/m", "x/m", "60/w"):
        with pytest.raises(ValueError):
            Rate.parse(bad)


def _queries(client: Client, path: str, headers: dict) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"/api{path}", {"limit": 100}, headers=headers)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


def _more_of_everything(world: World, n: int) -> None:
    for index in range(n):
        doc = document(title=f"Motie extra {index} {n}", body=world.body, visibility="public", topics=[world.topic])
        doc.submitters.add(world.open_member)
        publication(f"Onderzoek {n} {index}", topics=[world.topic])
        event = EventFactory(audience="public", region=world.province)
        event.topics.add(world.topic)
        event_services.register(event=event, member=world.member_user.member)
        Edition.objects.create(number=100 * n + index, subject="Week", status="sent")
        member = MemberFactory()
        member.topics.add(world.topic)
        MandateFactory(member=member, body=MunicipalityFactory(province=world.province))
        news_services.save_news_item(title=f"Nieuws {n} {index}", summary="K.", body="T.", publish=True).topics.add(
            world.topic
        )
    assert Event.objects.count() > n and Member.objects.count() > n


@pytest.mark.parametrize(
    ("path", "bound"),
    [
        ("/documents", 10),  # the search: compounds, the count of matches, the statement
        ("/news", 6),
        ("/publications", 6),
        ("/editions", 6),
        ("/events", 7),
        ("/bodies", 6),
        ("/members", 9),
        ("/me/registrations", 6),
    ],
)
def test_a_list_takes_the_same_few_queries_however_long_it_is(world: World, path: str, bound: int) -> None:
    client = Client()
    headers = {"Authorization": f"Bearer {world.token}"}
    _more_of_everything(world, 2)
    client.get("/api/me", headers=headers)  # records the token's use, which is not written again this minute
    few = _queries(client, path, headers)
    _more_of_everything(world, 12)
    many = _queries(client, path, headers)
    assert few == many
    assert many <= bound, many
