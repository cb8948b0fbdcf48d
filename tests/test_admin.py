"""The back office: every model searchable and filterable, administrators only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.admin import AdminPermissionMixin


def test_every_model_admin_has_search_and_filters() -> None:
    lacking = [
        f"{model._meta.label}"
        for model, model_admin in admin.site._registry.items()
        if not model_admin.search_fields or not model_admin.list_filter
    ]
    assert not lacking, f"Admin without search_fields or list_filter: {lacking}"


def test_every_model_admin_checks_permission_through_core_permissions() -> None:
    unguarded = [m._meta.label for m, ma in admin.site._registry.items() if not isinstance(ma, AdminPermissionMixin)]
    assert not unguarded, f"Admin not guarded by AdminPermissionMixin: {unguarded}"


@pytest.mark.django_db
def test_every_changelist_renders_with_search_and_filter(client, administrator) -> None:  # type: ignore[no-untyped-def]
    client.force_login(administrator)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url, {"q": "zwolle"}).status_code == 200, url


@pytest.mark.django_db
def test_superuser_flag_alone_grants_no_back_office(client) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    user = UserFactory(is_superuser=True)
    client.force_login(user)
    assert client.get("/admin/").status_code == 403


@pytest.mark.django_db
def test_back_office_sections_and_columns_have_distinct_translated_names(client, administrator) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import MemberFactory

    MemberFactory(given_name="Anna", family_name="Visser")
    client.force_login(administrator)
    index = client.get(reverse("admin:index"))
    sections = [app["name"] for app in index.context["app_list"]]
    assert len(sections) == len(set(sections)), f"two sections with the same name: {sections}"
    assert "Gebruikers en uitnodigingen" in sections
    members = client.get(reverse("admin:members_member_changelist")).content.decode()
    assert "full name" not in members.lower() and "Anna Visser" in members
    headers = client.get(reverse("admin:members_member_changelist")).context["cl"].list_display
    assert "full_name" not in headers
    assert "column-name" in members and ">Naam</a>" in members, members[members.find("<thead") :][:1500]


def test_nothing_of_the_selection_is_in_the_back_office() -> None:
    registered = [model._meta.label for model in admin.site._registry if model._meta.app_label == "selection"]
    assert registered == []


@pytest.mark.django_db
def test_selection_addresses_in_the_back_office_do_not_exist(client, administrator) -> None:  # type: ignore[no-untyped-def]
    client.force_login(administrator)
    for url in ["/admin/selection/", "/admin/selection/application/", "/admin/selection/selectionprocedure/"]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_an_administrator_cannot_give_themselves_a_role_in_the_back_office(client, administrator) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group

    from core.roles import Role, forget_roles
    from tests.factories import make_role_user

    counsellor = Group.objects.get(name=Role.COUNSELLOR)
    client.force_login(administrator)
    url = reverse("admin:accounts_user_change", args=[administrator.pk])
    form = {"email": administrator.email, "name": administrator.name, "is_active": "on"}
    response = client.post(url, {**form, "groups": [counsellor.pk, *administrator.groups.values_list("pk", flat=True)]})
    assert response.status_code == 302
    forget_roles(administrator)
    administrator.refresh_from_db()
    assert Role.COUNSELLOR not in administrator.roles
    # Nor to another administrator (two administrators together): the back office does not offer
    # the desk's roles at all (core.roles.DESK_ROLES; given on the server with set_desk_roles).
    colleague = make_role_user(Role.ADMINISTRATOR, email="collega@example.org")
    response = client.post(
        reverse("admin:accounts_user_change", args=[colleague.pk]),
        {"email": colleague.email, "name": colleague.name, "is_active": "on", "groups": [counsellor.pk]},
    )
    assert response.status_code == 200 and "groups" in response.context["adminform"].form.errors
    forget_roles(colleague)
    assert Role.COUNSELLOR not in colleague.roles and Role.ADMINISTRATOR in colleague.roles
