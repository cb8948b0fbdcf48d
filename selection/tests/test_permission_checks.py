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
