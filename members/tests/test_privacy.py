import pytest

from core.roles import Role
from members.privacy import may_see
from tests.factories import MemberFactory, make_role_user

pytestmark = pytest.mark.django_db


def test_defaults_protect_the_person() -> None:
    member = MemberFactory()
    colleague = make_role_user(Role.MEMBER)
    adviser = make_role_user(Role.ADVISER)
    griffie = make_role_user(Role.GRIFFIE_CONTACT)
    assert not may_see(colleague, member, "email")
    assert not may_see(colleague, member, "phone")
    assert not may_see(colleague, member, "address")
    assert may_see(colleague, member, "photo") and may_see(colleague, member, "bio")
    assert may_see(adviser, member, "email") and may_see(adviser, member, "address")
    assert not may_see(griffie, member, "photo")


def test_nobody_means_nobody_but_the_member() -> None:
    owner = make_role_user(Role.MEMBER)
    member = owner.member
    member.phone_visibility = "nobody"
    member.save()
    assert may_see(owner, member, "phone")
    assert not may_see(make_role_user(Role.ADMINISTRATOR), member, "phone")


def test_address_can_never_be_shown_to_members() -> None:
    from django.db import IntegrityError, transaction

    member = MemberFactory()
    member.address_visibility = "members"
    with pytest.raises(IntegrityError), transaction.atomic():
        member.save()


def test_member_page_shows_only_what_the_member_allows(client) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(
        email="zichtbaar@example.org", phone="06-99998888", email_visibility="members", phone_visibility="staff"
    )
    client.force_login(make_role_user(Role.MEMBER))
    html = client.get(member.get_absolute_url()).content.decode()
    assert "zichtbaar@example.org" in html
    assert "06-99998888" not in html
    assert "Kerkstraat" not in html
