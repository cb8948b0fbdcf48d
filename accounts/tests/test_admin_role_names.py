"""The back office names roles by their translated names, never by the groups' slugs: the list of
roles, its filter and search, the role filters of users and invitations and the choice of roles on
a user's page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from core.roles import Role, role_label
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db


def logged_in() -> Client:
    client = Client()
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    return client


def filter_choices(response: object) -> list[str]:
    specs = response.context["cl"].filter_specs  # type: ignore[attr-defined]
    role_filter = next(spec for spec in specs if getattr(spec, "parameter_name", "") == "role")
    return [str(label) for _value, label in role_filter.lookup_choices]


def test_the_list_of_roles_shows_and_filters_by_translated_names() -> None:
    client = logged_in()
    response = client.get(reverse("admin:auth_group_changelist"))
    page = response.content.decode()
    assert "Organisator bijeenkomsten" in page and "Contactpersoon griffie" in page
    assert ">event_organiser<" not in page and ">griffie_contact<" not in page
    assert "Organisator bijeenkomsten" in filter_choices(response)
    assert "event_organiser" not in filter_choices(response)
    found = client.get(reverse("admin:auth_group_changelist"), {"q": "griffie"}).context["cl"].result_list
    assert [group.name for group in found] == [Role.GRIFFIE_CONTACT]
    chosen = client.get(reverse("admin:auth_group_changelist"), {"role": Role.EDITOR}).context["cl"].result_list
    assert [group.name for group in chosen] == [Role.EDITOR]


def test_users_and_invitations_are_filtered_by_translated_role_names() -> None:
    client = logged_in()
    editor = make_role_user(Role.EDITOR)
    users = client.get(reverse("admin:accounts_user_changelist"))
    assert "Vertrouwenspersoon" in filter_choices(users) and "counsellor" not in filter_choices(users)
    only_editors = client.get(reverse("admin:accounts_user_changelist"), {"role": Role.EDITOR}).context["cl"]
    assert list(only_editors.result_list) == [editor]
    invitations = client.get(reverse("admin:accounts_invitation_changelist"))
    assert "Lid" in filter_choices(invitations)


def test_the_choice_of_roles_on_a_users_page_shows_translated_names() -> None:
    client = logged_in()
    member = make_role_user(Role.MEMBER)
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    editor = Group.objects.get(name=Role.EDITOR)
    assert f'<option value="{editor.pk}">{role_label(Role.EDITOR)}</option>' in page
    assert f'<option value="{editor.pk}">editor</option>' not in page
