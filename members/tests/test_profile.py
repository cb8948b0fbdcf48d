import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from core.roles import Role
from members.models import Mandate
from tests.factories import MandateFactory, MunicipalityFactory, ProvinceFactory, make_role_user

pytestmark = pytest.mark.django_db


def profile_data(member, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "given_name": member.given_name,
        "infix": member.infix,
        "family_name": member.family_name,
        "phone": member.phone,
        "street": member.street,
        "postcode": member.postcode,
        "city": member.city,
        "bio": member.bio,
        "email_visibility": "members",
        "phone_visibility": "staff",
        "address_visibility": "nobody",
        "photo_visibility": "members",
        "bio_visibility": "members",
        "notify_messages": "on",
    }
    data.update(overrides)
    return data


def test_member_edits_details_privacy_and_notifications(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    member = user.member
    client.force_login(user)
    response = client.post(reverse("members:profile"), profile_data(member, bio="Nieuwe tekst.", topics=[1, 2]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.bio == "Nieuwe tekst."
    assert member.email_visibility == "members" and member.address_visibility == "nobody"
    assert member.notify_messages and not member.notify_association_news
    assert member.topics.count() == 2


def test_address_cannot_be_made_visible_to_members(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    client.force_login(user)
    response = client.post(reverse("members:profile"), profile_data(user.member, address_visibility="members"))
    assert response.status_code == 200
    assert response.context["form"].errors["address_visibility"]


def test_photo_upload_is_checked(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    client.force_login(user)
    not_an_image = SimpleUploadedFile("foto.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client.post(reverse("members:profile"), {**profile_data(user.member), "photo": not_an_image})
    assert response.context["form"].errors["photo"]
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(buffer, "PNG")
    image = SimpleUploadedFile("foto.png", buffer.getvalue(), content_type="image/png")
    assert client.post(reverse("members:profile"), {**profile_data(user.member), "photo": image}).status_code == 302
    user.member.refresh_from_db()
    assert user.member.photo


def test_a_new_mandate_waits_for_review_and_an_administrator_confirms_it(client) -> None:  # type: ignore[no-untyped-def]
    zwolle = MunicipalityFactory(name="Zwolle")
    user = make_role_user(Role.MEMBER)
    client.force_login(user)
    wrong = client.post(
        reverse("members:mandate_propose"),
        {"body": zwolle.pk, "role": "provincial_executive", "start_date": "2022-03-30"},
    )
    assert wrong.context["form"].errors["role"]
    response = client.post(
        reverse("members:mandate_propose"),
        {"body": zwolle.pk, "role": "alderman", "portfolios": "Wonen", "start_date": "2022-03-30"},
    )
    assert response.status_code == 302
    mandate = Mandate.objects.get(member=user.member)
    assert mandate.review_status == Mandate.Review.PENDING and mandate.submitted_by == user
    assert not Mandate.objects.current().filter(pk=mandate.pk).exists()

    admin = make_role_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    queue = client.get(reverse("members:mandate_reviews"))
    assert mandate in queue.context["page"].object_list
    client.post(reverse("members:mandate_review", kwargs={"pk": mandate.pk}), {"decision": "approve"})
    mandate.refresh_from_db()
    assert mandate.review_status == Mandate.Review.APPROVED and mandate.reviewed_by == admin
    assert Mandate.objects.current().filter(pk=mandate.pk).exists()


def test_member_ends_own_mandate_and_it_is_flagged(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    mandate = MandateFactory(member=user.member)
    client.force_login(user)
    too_early = client.post(reverse("members:mandate_change", kwargs={"pk": mandate.pk}), {"end_date": "2000-01-01"})
    assert too_early.context["form"].errors["end_date"]
    client.post(
        reverse("members:mandate_change", kwargs={"pk": mandate.pk}), {"end_date": "2026-03-18", "portfolios": ""}
    )
    mandate.refresh_from_db()
    assert str(mandate.end_date) == "2026-03-18"
    assert mandate.review_status == Mandate.Review.CHANGED


def test_member_cannot_change_someone_elses_mandate(client) -> None:  # type: ignore[no-untyped-def]
    other = MandateFactory()
    client.force_login(make_role_user(Role.MEMBER))
    assert client.get(reverse("members:mandate_change", kwargs={"pk": other.pk})).status_code == 404


def test_branch_page_lists_board_and_members(client) -> None:  # type: ignore[no-untyped-def]
    official = make_role_user(Role.BRANCH_OFFICIAL)
    function = official.member.branch_functions.get()
    branch = function.branch
    branch.province = ProvinceFactory(name="Drenthe")
    branch.save()
    official.member.branch = branch
    official.member.save()
    client.force_login(official)
    response = client.get(reverse("members:branch_detail", kwargs={"slug": branch.slug}))
    html = response.content.decode()
    assert escape(official.member.full_name) in html and "Secretaris" in html
    assert response.context["can_manage"]


def test_member_email_follows_a_changed_login_address() -> None:
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_changed

    user = make_role_user(Role.MEMBER, email="oud@example.org")
    old = EmailAddress.objects.get(user=user)
    new = EmailAddress.objects.create(user=user, email="nieuw@example.org", verified=True, primary=False)
    email_changed.send(sender=EmailAddress, request=None, user=user, from_email_address=old, to_email_address=new)
    user.member.refresh_from_db()
    assert user.member.email == "nieuw@example.org"
