"""One test for each permission check of the newsletter that the authorization matrix alone does not
catch (issue 18, point 7; see tests/mutation/permission_mutants.py). Each names the check it guards.
Zero-argument tests (no fixtures), so that the mutation script also runs them in process; they look
only at the objects they create."""

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from newsletter.models import Edition
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db


def test_the_archive_lists_members_only_editions_to_readers_only() -> None:
    """views.archive: `newsletter.view_edition` of a members-only edition decides what is listed."""
    number = (Edition.objects.aggregate(n=Max("number"))["n"] or 0) + 1000  # the newest: on the first page
    members_only = Edition.objects.create(
        number=number, subject="Alleen voor leden", status=Edition.Status.SENT, public=False, sent_at=timezone.now()
    )
    for user, listed in ((None, False), (make_role_user(Role.MEMBER), True)):
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(reverse("newsletter:archive"))
        assert response.status_code == 200
        assert (members_only in response.context["page"].object_list) is listed


def test_a_link_with_a_false_token_is_not_found_and_changes_nothing() -> None:
    """views.unsubscribe and preferences: a token that names no address is a 404 (GET and POST)."""
    client = Client()
    for name in ("newsletter:unsubscribe", "newsletter:preferences"):
        url = reverse(name, kwargs={"token": "vals-token"})
        assert client.get(url).status_code == 404
        assert client.post(url, {"receive": "no"}).status_code == 404
