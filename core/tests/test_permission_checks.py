"""One test for each permission check of core that the authorization matrix alone does not catch
(issue 18, point 7; see tests/mutation/permission_mutants.py). Each names the check it guards.
Zero-argument tests (no fixtures), so that the mutation script also runs them in process; they look
only at the objects they create."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core.models import Association
from core.navigation import items_for
from core.roles import Role
from tests.factories import MunicipalityFactory, make_role_user

pytestmark = pytest.mark.django_db


def test_a_body_page_lists_its_councillors_only_to_whoever_may_use_the_directory() -> None:
    """views.body_detail: `members.view_directory` decides the list of mandates (a griffie contact
    reads the body's page, not who sits in it)."""
    url = reverse("core:body_detail", kwargs={"code": MunicipalityFactory().code})
    for role, listed in ((Role.GRIFFIE_CONTACT, False), (Role.MEMBER, True)):
        client = Client()
        client.force_login(make_role_user(role))
        response = client.get(url)
        assert response.status_code == 200 and (response.context["mandates"] is not None) is listed


def test_no_logo_is_not_found() -> None:
    """views.association_logo: without a logo the address is a 404, not an empty file."""
    association = Association.objects.get_or_create(pk=1)[0]
    association.logo = ""
    association.save()
    cache.delete(Association.CACHE_KEY)
    assert Client().get(reverse("association_logo")).status_code == 404


def test_the_home_link_is_in_the_navigation_of_signed_in_users_only() -> None:
    """core.view_home: the navigation's home item."""
    home = reverse("core:home")
    assert home not in [item["url"] for item in items_for(AnonymousUser(), "/")]
    assert home in [item["url"] for item in items_for(make_role_user(Role.MEMBER), "/")]


def test_view_on_site_leads_only_to_what_the_back_office_itself_shows() -> None:
    """admin_site.view_on_site: an unknown content type, a model without a back-office page and an
    object the page does not show (a strictly confidential case) are a 404, never a redirect."""
    from django.contrib import admin
    from django.contrib.contenttypes.models import ContentType

    from desk import services as desk_services
    from desk.models import Case, Confidentiality, Kind

    strict = desk_services.open_case(
        requester=make_role_user(Role.MEMBER).member,
        kind=Kind.INTEGRITY_OWN,
        subject="Nevenfunctie",
        description="Mijn eigen dilemma",
        confidentiality=Confidentiality.STRICT,
    )
    unregistered = next(ct for ct in ContentType.objects.order_by("pk") if ct.model_class() not in admin.site._registry)
    client = Client()
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    for content_type_id, object_id in (
        (ContentType.objects.order_by("-pk").first().pk + 1000, 1),
        (unregistered.pk, 1),
        (ContentType.objects.get_for_model(Case).pk, strict.pk),
    ):
        response = client.get(reverse("admin:view_on_site", args=[content_type_id, object_id]))
        assert response.status_code == 404 and strict.reference not in response.get("Location", "")


def test_the_home_page_shows_each_role_only_its_own_blocks() -> None:
    """members.home.unread_messages (`members.use_messages`), members.home.mandates_to_check
    (`members.review_mandates`) and accounts.home.pending_invitations (`accounts.manage_invitations`):
    the home page's blocks for messages, mandates to check and pending invitations appear for the
    roles that may use them only."""
    from core.home import blocks_for

    def keys(role: str) -> set[str]:
        blocks = blocks_for(make_role_user(role))
        return {block.key for kind in blocks.values() for block in kind}

    adviser, member, administrator = keys(Role.ADVISER), keys(Role.MEMBER), keys(Role.ADMINISTRATOR)
    assert not {"messages", "mandate_reviews", "invitations"} & adviser
    assert "messages" in member and not {"mandate_reviews", "invitations"} & member
    assert {"mandate_reviews", "invitations"} <= administrator
