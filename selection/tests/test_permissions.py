"""Who sees what: the committee, the branch's chair and secretary and the invited adviser see a
procedure's applications; a conflicted committee member is kept out of that applicant; nobody
else sees anything; applicants see only their own application."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.permissions import can
from core.roles import Role
from selection import services
from selection.models import ApplicationAccess
from selection.tests.factories import make_official, make_procedure, member_with_account
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    world = make_procedure()
    # Names no test factory makes up (a generated committee member "van der Brink" once matched "Brink").
    world.first = world.apply(given_name="Jildou", family_name="Brinkgreve-Tjalsma", email="anouk@example.org")
    world.second = world.apply(given_name="Tjeerd", family_name="Dekker", email="bram@example.org")
    services.declare_conflict(application=world.first, user=world.conflicted, reason="Mijn nicht")
    criterion = world.procedure.criteria.first()
    services.score(application=world.first, user=world.member, scores={criterion.pk: (5, "Uitstekend debat")})
    return world


def urls(world, application):  # type: ignore[no-untyped-def]
    kwargs = {"pk": world.procedure.pk, "application": application.pk}
    return [
        reverse("selection:application", kwargs=kwargs),
        reverse("selection:cv", kwargs=kwargs),
        reverse("selection:score", kwargs=kwargs),
    ]


def status_of(client, user, url):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(url).status_code


def test_the_committee_the_secretary_and_the_adviser_read_applications(client, world) -> None:  # type: ignore[no-untyped-def]
    application, cv, score = urls(world, world.first)
    for user in (world.secretary, world.chair, world.member, world.adviser):
        assert status_of(client, user, world.procedure.get_absolute_url()) == 200
        assert status_of(client, user, application) == 200
        assert status_of(client, user, cv) == 200
    assert status_of(client, world.member, score) == 200
    assert status_of(client, world.chair, score) == 200
    # The secretary and the adviser read, they do not score.
    assert status_of(client, world.secretary, score) == 404
    assert status_of(client, world.adviser, score) == 404


def test_a_conflicted_member_sees_the_name_and_nothing_else(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.conflicted)
    dashboard = client.get(world.procedure.get_absolute_url())
    assert dashboard.status_code == 200
    page = dashboard.content.decode()
    assert "Jildou Brinkgreve-Tjalsma" in page and world.first.get_absolute_url() not in page
    row = next(r for r in dashboard.context["rows"] if r.application == world.first)
    assert row.conflicted and row.weighted is None and row.score_count == 0
    for url in urls(world, world.first):
        assert client.get(url).status_code == 404
    assert client.post(urls(world, world.first)[2], {}).status_code == 404
    assert not ApplicationAccess.objects.filter(user=world.conflicted).exists()
    # The other applicant is theirs to read and score.
    for url in urls(world, world.second):
        assert client.get(url).status_code == 200


def test_the_conflict_wins_over_being_secretary(client, world) -> None:  # type: ignore[no-untyped-def]
    services.add_committee_member(procedure=world.procedure, member=world.secretary.member)
    services.declare_conflict(application=world.second, user=world.secretary, reason="Buurman")
    for url in urls(world, world.second):
        assert status_of(client, world.secretary, url) == 404
    assert not can(world.secretary, "selection.decide_status", world.second)


def test_nobody_else_sees_the_procedure(client, world) -> None:  # type: ignore[no-untyped-def]
    other = make_procedure(province_code="PV22", province_name="Drenthe")
    outsiders = [
        other.secretary,  # an official of another branch
        other.chair,  # the committee of another procedure
        make_official(world.branch, function="treasurer"),  # the branch's treasurer
        make_role_user(Role.MEMBER),
        make_role_user(Role.ADMINISTRATOR),
        make_role_user(Role.COUNSELLOR),
        make_role_user(Role.ADVISER),  # an adviser who was not invited
        make_role_user(Role.EDITOR),
    ]
    pages = [
        world.procedure.get_absolute_url(),
        reverse("selection:advice", kwargs={"pk": world.procedure.pk}),
        reverse("selection:committee", kwargs={"pk": world.procedure.pk}),
        *urls(world, world.first),
    ]
    for user in outsiders:
        for url in pages:
            assert status_of(client, user, url) == 404, (user, url)
    assert status_of(client, other.secretary, other.procedure.get_absolute_url()) == 200


def test_lists_show_only_ones_own_procedures(client, world) -> None:  # type: ignore[no-untyped-def]
    other = make_procedure(province_code="PV22", province_name="Drenthe")
    client.force_login(other.secretary)
    listed = list(client.get(reverse("selection:procedures")).context["procedures"])
    assert listed == [other.procedure]
    client.force_login(world.adviser)
    assert list(client.get(reverse("selection:procedures")).context["procedures"]) == [world.procedure]
    client.force_login(make_role_user(Role.MEMBER))
    assert client.get(reverse("selection:procedures")).status_code == 403


def test_applicants_see_only_their_own_application(client, world) -> None:  # type: ignore[no-untyped-def]
    member = member_with_account()
    mine = world.apply(member=member, email=member.email, given_name="Mila")
    client.force_login(member.user)
    listed = list(client.get(reverse("selection:my_applications")).context["applications"])
    assert listed == [mine]
    assert client.get(mine.get_status_url()).status_code == 200
    for url in urls(world, mine):
        assert client.get(url).status_code == 404
    assert client.get(world.procedure.get_absolute_url()).status_code == 404


def test_the_secret_link_opens_one_application_for_anyone_who_holds_it(client, world) -> None:  # type: ignore[no-untyped-def]
    page = client.get(world.first.get_status_url())
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    assert "Jildou Brinkgreve-Tjalsma" in page.content.decode() and "Tjeerd" not in page.content.decode()
    assert "Uitstekend debat" not in page.content.decode()  # scores are the committee's
    forged = reverse("selection:status", kwargs={"token": world.first.token[:-2] + "xx"})
    assert client.get(forged).status_code == 404
    client.post(world.first.get_status_url(), {"action": "withdraw"})
    world.first.refresh_from_db()
    world.second.refresh_from_db()
    assert world.first.status == "withdrawn" and world.second.status == "submitted"


def test_reads_are_logged_and_shown_to_the_applicant(client, world) -> None:  # type: ignore[no-untyped-def]
    application, cv, _score = urls(world, world.second)
    client.force_login(world.chair)
    client.get(application)
    download = client.get(cv)
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content.startswith(b"%PDF")
    assert list(ApplicationAccess.objects.filter(user=world.chair).values_list("what", flat=True).order_by("at")) == [
        "application",
        "cv",
    ]
    client.logout()
    page = client.get(world.second.get_status_url()).content.decode()
    assert escape(world.chair.name) in page and "je cv" in page


def test_the_navigation_shows_the_procedures_to_those_involved_without_a_query(client, world) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    newcomer = member_with_account()
    client.force_login(newcomer.user)
    home = reverse("core:home")
    assert "Selectieprocedures" not in client.get(home).content.decode()
    with CaptureQueriesContext(connection) as queries:
        client.get(home)
    assert not [q for q in queries.captured_queries if "selection_" in q["sql"] or "branchofficial" in q["sql"]]
    services.add_committee_member(procedure=world.procedure, member=newcomer)
    assert "Selectieprocedures" in client.get(home).content.decode()
    for user in (world.secretary, world.adviser):
        client.force_login(user)
        assert "Selectieprocedures" in client.get(home).content.decode()


def test_administrators_find_nothing_of_the_selection_in_the_back_office(client, world) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.contenttypes.models import ContentType

    from selection.models import Application

    administrator = make_role_user(Role.ADMINISTRATOR, is_superuser=True)
    client.force_login(administrator)
    for url in [
        "/admin/selection/",
        f"/admin/selection/application/{world.first.pk}/change/",
        "/admin/selection/applicationaccess/",
        f"/admin/selection/selectionprocedure/{world.procedure.pk}/change/",
        reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Application).pk, world.first.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert world.first.reference not in response.content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/selection/" not in index
    assert client.get(world.first.get_absolute_url()).status_code == 404
