import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import Role
from members.models import Mandate, PrivateFieldView
from tests.factories import (
    BranchFactory,
    MandateFactory,
    MemberFactory,
    MunicipalityFactory,
    ProvinceFactory,
    WaterBoardFactory,
    make_role_user,
)

pytestmark = pytest.mark.django_db
URL = "/leden/"


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["member"].full_name for row in response.context["rows"]]


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    overijssel = ProvinceFactory(code="PV23", name="Overijssel")
    zwolle = MunicipalityFactory(code="GM0193", name="Zwolle", province=overijssel)
    assen = MunicipalityFactory(code="GM0106", name="Assen")
    dod = WaterBoardFactory(code="WS0664", name="Waterschap Drents Overijsselse Delta")
    branch = BranchFactory(name="Afdeling Zwolle", slug="afdeling-zwolle")
    anna = MemberFactory(given_name="Anna", infix="van der", family_name="Berg", bio="Wonen en jeugd.", branch=branch)
    anna.topics.set([])
    MandateFactory(member=anna, body=zwolle, role="councillor")
    bert = MemberFactory(given_name="Bert", family_name="Aalbers", bio="Klimaat en water.")
    MandateFactory(member=bert, body=dod, role="water_board_member")
    cees = MemberFactory(given_name="Cees", family_name="Zijlstra", bio="Financiën.")
    MandateFactory(member=cees, body=assen, role="alderman")
    MandateFactory(member=cees, body=zwolle, role="councillor", start_date="2018-03-29", end_date="2022-03-29")
    MemberFactory(given_name="Dirk", family_name="Oud", status="former")
    return {"zwolle": zwolle, "dod": dod, "overijssel": overijssel, "anna": anna, "bert": bert, "cees": cees}


def test_sorted_dutch_style_on_family_name_without_infix(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.MEMBER, name="Zelf"))
    response = client.get(URL)
    ordered = [n for n in names(response) if n in {"Bert Aalbers", "Anna van der Berg", "Cees Zijlstra"}]
    assert ordered == ["Bert Aalbers", "Anna van der Berg", "Cees Zijlstra"]
    assert "Dirk Oud" not in names(response)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tier": "water_board"}, ["Bert Aalbers"]),
        ({"body": "Zwolle"}, ["Anna van der Berg"]),  # Cees' mandate in Zwolle has ended
        ({"body": "GM0193"}, ["Anna van der Berg"]),
        ({"province": "PV23"}, ["Anna van der Berg", "Bert Aalbers"]),  # Zwolle, and a water board mainly in PV23
        ({"role": "alderman"}, ["Cees Zijlstra"]),
        ({"branch": "afdeling-zwolle"}, ["Anna van der Berg"]),
        ({"q": "klimaat"}, ["Bert Aalbers"]),
        ({"q": "berg"}, ["Anna van der Berg"]),
        ({"q": "financien"}, ["Cees Zijlstra"]),
        ({"tier": "municipal", "q": "wonen"}, ["Anna van der Berg"]),
        ({"body": "Atlantis"}, []),
    ],
)
def test_filters(client, world, params, expected) -> None:  # type: ignore[no-untyped-def]
    world["dod"].provinces.set([world["overijssel"]])
    client.force_login(make_role_user(Role.MEMBER))
    assert sorted(names(client.get(URL, params))) == sorted(expected)


def test_topic_filter(client, world) -> None:  # type: ignore[no-untyped-def]
    from members.models import Topic

    world["bert"].topics.set([Topic.objects.get(slug="water")])
    client.force_login(make_role_user(Role.MEMBER))
    assert names(client.get(URL, {"topic": "water"})) == ["Bert Aalbers"]


def test_unknown_body_name_is_explained(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.MEMBER))
    response = client.get(URL, {"body": "Atlantis"})
    assert "Er is geen gemeente, provincie of waterschap met de naam" in response.content.decode()


def test_pending_mandates_do_not_count(client, world) -> None:  # type: ignore[no-untyped-def]
    MandateFactory(member=world["bert"], body=world["zwolle"], role="mayor", review_status=Mandate.Review.PENDING)
    client.force_login(make_role_user(Role.MEMBER))
    assert names(client.get(URL, {"role": "mayor"})) == []


def test_results_show_only_what_each_member_allows(client) -> None:  # type: ignore[no-untyped-def]
    MemberFactory(
        given_name="Open",
        email="open@example.org",
        email_visibility="members",
        phone="06-1",
        phone_visibility="members",
    )
    MemberFactory(
        given_name="Dicht", email="dicht@example.org", email_visibility="staff", phone="06-2", phone_visibility="nobody"
    )
    client.force_login(make_role_user(Role.MEMBER))
    html = client.get(URL).content.decode()
    assert "open@example.org" in html and "06-1" in html
    assert "dicht@example.org" not in html and "06-2" not in html


def test_staff_views_of_private_fields_are_logged(client) -> None:  # type: ignore[no-untyped-def]
    hidden = MemberFactory(email="afgeschermd@example.org", email_visibility="staff")
    MemberFactory(email="open@example.org", email_visibility="members")
    adviser = make_role_user(Role.ADVISER)
    client.force_login(adviser)
    assert "afgeschermd@example.org" in client.get(URL).content.decode()
    client.get(hidden.get_absolute_url())
    views = PrivateFieldView.objects.filter(member=hidden, viewer=adviser)
    assert views.count() == 2
    assert set(views.values_list("fields", flat=True)) == {"email,phone,address"}
    # Members seeing what all members may see is not logged.
    client.force_login(make_role_user(Role.MEMBER))
    client.get(URL)
    assert PrivateFieldView.objects.exclude(viewer=adviser).count() == 0


def test_query_count_is_constant_in_page_size(client) -> None:  # type: ignore[no-untyped-def]
    body = MunicipalityFactory()
    client.force_login(make_role_user(Role.ADVISER))

    def add(n: int) -> None:
        for _ in range(n):
            member = MemberFactory(email_visibility="staff")
            MandateFactory(member=member, body=body)
            MandateFactory(member=member, body=body, role="committee_member")

    add(3)
    client.get(URL)
    cache.clear()  # measure the uncached page: the query pattern of a full render
    with CaptureQueriesContext(connection) as few:
        small = client.get(URL)
    add(30)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        full = client.get(URL)
    assert len(small.context["rows"]) < len(full.context["rows"]) == 24
    assert len(many.captured_queries) == len(few.captured_queries)


def test_htmx_request_gets_only_the_results(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.MEMBER))
    response = client.get(URL, {"q": "klimaat"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "Bert Aalbers" in html


def test_cached_page_is_fresh_after_a_change_and_staff_views_are_still_logged(client) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(given_name="Eerst", family_name="Anders", email_visibility="staff")
    adviser = make_role_user(Role.ADVISER)
    client.force_login(adviser)
    assert "Eerst Anders" in client.get(URL).content.decode()
    assert "Eerst Anders" in client.get(URL).content.decode()  # from the cache
    assert PrivateFieldView.objects.filter(member=member, viewer=adviser).count() == 2
    member.given_name = "Daarna"
    member.save()
    html = client.get(URL).content.decode()
    assert "Daarna Anders" in html and "Eerst Anders" not in html
    # Members get their own cached version, without the staff-only fields.
    client.force_login(make_role_user(Role.MEMBER))
    assert member.email not in client.get(URL).content.decode()


def test_own_private_fields_never_reach_the_shared_cached_page(client) -> None:  # type: ignore[no-untyped-def]
    me = make_role_user(Role.MEMBER)
    me.member.phone, me.member.phone_visibility = "06-55554444", "nobody"
    me.member.save()
    client.force_login(me)
    client.get(URL)  # renders and caches the page that contains my own card
    client.force_login(make_role_user(Role.MEMBER))
    assert "06-55554444" not in client.get(URL).content.decode()


def test_export_and_back_office_views_are_logged_too(client) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    admin = make_role_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    client.get("/beheer/leden/export/")
    client.get(f"/admin/members/member/{member.pk}/change/")
    assert list(PrivateFieldView.objects.filter(member=member).values_list("path", flat=True).order_by("pk")) == [
        "/beheer/leden/export/",
        f"/admin/members/member/{member.pk}/change/",
    ]
