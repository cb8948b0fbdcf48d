"""One test for each permission check of the library that the authorization matrix alone does not
catch (issue 18, point 7; see tests/mutation/permission_mutants.py). Each names the check it guards.
Zero-argument tests (no fixtures), so that the mutation script also runs them in process; they look
only at the objects they create."""

import pytest
from django.test import Client
from django.urls import reverse

from core.roles import Role
from tests.factories import DocumentFactory, make_role_user

pytestmark = pytest.mark.django_db


def _client(user=None):  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_search_page_offers_saving_and_sharing_to_members_only() -> None:
    """views.search_view: `library.save_search` decides the save form, `library.share` the share link."""
    for user, may in ((None, False), (make_role_user(Role.EDITOR), False), (make_role_user(Role.MEMBER), True)):
        response = _client(user).get(reverse("library:search"))
        assert response.status_code == 200
        assert (response.context["save_form"] is not None) is may and response.context["can_share"] is may


def test_a_document_page_offers_editing_to_its_sharer_and_reuse_to_members() -> None:
    """views.document_view: `library.edit_document` (the sharer, not another member) decides the edit
    link; `library.reuse` (a member, not staff) the reuse link."""
    sharer = make_role_user(Role.MEMBER)
    document = DocumentFactory(shared_by=sharer.member, visibility="public")
    url = reverse("library:document", kwargs={"pk": document.pk})
    for user, edit, reuse in (
        (None, False, False),
        (make_role_user(Role.ADVISER), False, False),
        (make_role_user(Role.MEMBER), False, True),
        (sharer, True, True),
    ):
        response = _client(user).get(url)
        assert response.status_code == 200
        assert response.context["can_edit"] is edit and response.context["can_reuse"] is reuse


def test_an_unknown_document_and_an_unknown_unsubscribe_link_are_not_found() -> None:
    """views._shown_document and unsubscribe_view: nothing behind the number or the token is a 404."""
    missing = DocumentFactory()
    pk = missing.pk
    missing.delete()
    client = _client(make_role_user(Role.MEMBER))
    assert client.get(reverse("library:document", kwargs={"pk": pk})).status_code == 404
    assert client.get(reverse("library:unsubscribe", kwargs={"token": "geen-bestaand-token"})).status_code == 404
    assert client.post(reverse("library:unsubscribe", kwargs={"token": "geen-bestaand-token"})).status_code == 404
