"""One test for each permission check of the selection pages that the authorization matrix alone
does not catch (issue 18, point 7; see tests/mutation/permission_mutants.py). No fixtures: the
permission-mutant script runs these in process too."""

import pytest
from django.test import Client
from django.urls import reverse

from selection.tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def _page(user, url: str) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_only_who_may_open_a_procedure_is_offered_the_button() -> None:
    """views.procedures: `selection.open_procedure` decides the "Procedure openen" button."""
    world = make_procedure()
    create = reverse("selection:procedure_create")
    assert f'href="{create}"' in _page(world.secretary, reverse("selection:procedures"))
    assert f'href="{create}"' not in _page(world.member, reverse("selection:procedures"))


def test_only_who_manages_a_procedure_is_offered_its_set_up() -> None:
    """views.procedure: `selection.manage_procedure` decides the links to set up, criteria,
    committee and status e-mails on the dashboard; a committee member reads it without them."""
    world = make_procedure()
    committee = reverse("selection:committee", args=[world.procedure.pk])
    assert f'href="{committee}"' in _page(world.secretary, world.procedure.get_absolute_url())
    assert f'href="{committee}"' not in _page(world.member, world.procedure.get_absolute_url())


def test_an_application_page_offers_each_reader_only_what_they_may_do() -> None:
    """views.application: `selection.score`, `.declare_conflict`, `.interview`, `.decide_status`
    and `.manage_procedure` (a conflict's reason) decide what the page offers. The invited adviser
    reads the application and is offered none of it; the secretary decides and reads the reason."""
    from selection import services

    world = make_procedure()
    application = world.apply(given_name="Jildou", family_name="Permissie", email="jildou.permissie@example.org")
    services.declare_conflict(application=application, user=world.conflicted, reason="Mijn buurvrouw")
    url = application.get_absolute_url()
    score = reverse("selection:score", args=[world.procedure.pk, application.pk])
    conflict = reverse("selection:conflict", args=[world.procedure.pk, application.pk])
    interview = reverse("selection:interview_add", args=[world.procedure.pk, application.pk])
    status = reverse("selection:application_status", args=[world.procedure.pk, application.pk])
    adviser = _page(world.adviser, url)
    for offered in (score, conflict, interview, status):
        assert f'"{offered}"' not in adviser
    assert "Mijn buurvrouw" not in adviser
    secretary = _page(world.secretary, url)
    assert f'"{status}"' in secretary and f'"{interview}"' in secretary and "Mijn buurvrouw" in secretary
    member = _page(world.member, url)
    assert f'"{score}"' in member and f'"{conflict}"' in member and "Mijn buurvrouw" not in member


def test_only_a_committee_member_declares_a_conflict() -> None:
    """services.declare_conflict: only a seat on the committee can declare one; the adviser and
    the secretary, who read the applications, cannot (and nothing is written)."""
    from django.core.exceptions import PermissionDenied

    from selection import services
    from selection.models import ConflictDeclaration

    world = make_procedure()
    application = world.apply(given_name="Sietske", family_name="Permissie", email="sietske.permissie@example.org")
    for user in (world.adviser, world.secretary):
        with pytest.raises(PermissionDenied):
            services.declare_conflict(application=application, user=user, reason="Mijn zus")
    assert not ConflictDeclaration.objects.filter(application=application).exists()
    services.declare_conflict(application=application, user=world.member, reason="Mijn zus")
    assert ConflictDeclaration.objects.filter(application=application).count() == 1
