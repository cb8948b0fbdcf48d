import pytest
from django.urls import reverse

from core.roles import Role
from tests.factories import MandateFactory, MemberFactory, MunicipalityFactory, ProvinceFactory, make_role_user

pytestmark = pytest.mark.django_db


def test_body_page_lists_current_mandates_of_active_members_only(client) -> None:  # type: ignore[no-untyped-def]
    zwolle = MunicipalityFactory(name="Zwolle")
    MandateFactory(body=zwolle, member=MemberFactory(given_name="Huidig", family_name="Raadslid"))
    MandateFactory(body=zwolle, member=MemberFactory(given_name="Oud", family_name="Raadslid"), end_date="2023-01-01")
    MandateFactory(body=zwolle, member=MemberFactory(given_name="Geen", family_name="Lid", status="former"))
    client.force_login(make_role_user(Role.MEMBER))
    html = client.get(reverse("core:body_detail", kwargs={"code": zwolle.code})).content.decode()
    assert "Huidig Raadslid" in html
    assert "Oud Raadslid" not in html
    assert "Geen Lid" not in html


def test_body_page_query_count_does_not_grow_with_mandates(client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    body = MunicipalityFactory()
    client.force_login(make_role_user(Role.MEMBER))
    url = reverse("core:body_detail", kwargs={"code": body.code})
    MandateFactory(body=body)
    client.get(url)  # warm the association cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(25):
        MandateFactory(body=body)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["mandates"]) == 26


def test_a_person_with_several_roles_appears_once_with_all_of_them(client) -> None:  # type: ignore[no-untyped-def]
    body = MunicipalityFactory()
    member = MemberFactory(given_name="Gijs", family_name="Haar", infix="van den")
    MandateFactory(body=body, member=member, role="councillor")
    MandateFactory(body=body, member=member, role="faction_chair")
    MandateFactory(body=body, role="alderman", portfolios="Wonen, Zorg")
    client.force_login(make_role_user(Role.MEMBER))
    people = client.get(reverse("core:body_detail", kwargs={"code": body.code})).context["mandates"]
    assert len(people) == 2
    assert people[0].portfolios == "Wonen, Zorg"  # the alderman comes first
    assert people[1].member == member
    assert people[1].roles == "Fractievoorzitter · Raadslid"


def test_griffie_contact_sees_the_body_but_not_our_members(client) -> None:  # type: ignore[no-untyped-def]
    body = MunicipalityFactory()
    MandateFactory(body=body, member=MemberFactory(given_name="Verborgen", family_name="Naam"))
    client.force_login(make_role_user(Role.GRIFFIE_CONTACT))
    response = client.get(reverse("core:body_detail", kwargs={"code": body.code}))
    assert response.status_code == 200
    assert "Verborgen Naam" not in response.content.decode()


def test_body_list_filters_and_searches_tolerantly(client) -> None:  # type: ignore[no-untyped-def]
    holland = ProvinceFactory(code="PV28", name="Zuid-Holland")
    MunicipalityFactory(code="GM0518", name="'s-Gravenhage", province=holland)
    MunicipalityFactory(code="GM0599", name="Rotterdam", province=holland)
    MunicipalityFactory(code="GM0193", name="Zwolle")
    client.force_login(make_role_user(Role.MEMBER))
    url = reverse("core:body_list")
    assert [b.code for b in client.get(url, {"q": "Den Haag"}).context["page"]] == ["GM0518"]
    assert [b.code for b in client.get(url, {"q": "gravenhage"}).context["page"]] == ["GM0518"]
    in_holland = client.get(url, {"province": "PV28", "tier": "municipal"}).context["page"]
    assert [b.code for b in in_holland] == ["GM0518", "GM0599"]
    htmx = client.get(url, {"q": "zwol"}, headers={"HX-Request": "true"})
    assert "<html" not in htmx.content.decode() and "Zwolle" in htmx.content.decode()
    assert client.get(url, {"q": "Atlantis"}).context["page"].paginator.count == 0


def test_body_list_query_count_is_constant_per_page(client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    province = ProvinceFactory()
    for _ in range(5):
        MunicipalityFactory(province=province)
    client.force_login(make_role_user(Role.MEMBER))
    url = reverse("core:body_list")
    client.get(url)  # warm the association cache
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(55):
        MunicipalityFactory(province=province)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 50
    assert len(few.captured_queries) <= 7


def test_pagination_links_keep_the_filters_and_have_one_question_mark(client) -> None:  # type: ignore[no-untyped-def]
    """{% querystring %} writes the "?" itself; a second one made "/bestuursorganen/??page=2" (the crawler)."""
    province = ProvinceFactory(code="PV23")
    for _ in range(51):
        MunicipalityFactory(province=province)
    client.force_login(make_role_user(Role.MEMBER))
    url = reverse("core:body_list")
    first = client.get(url, {"province": "PV23"}).content.decode()
    assert 'href="?province=PV23&amp;page=2" rel="next"' in first
    second = client.get(url, {"province": "PV23", "page": 2}).content.decode()
    assert 'href="?province=PV23&amp;page=1" rel="prev"' in second
    assert "??" not in first + second
