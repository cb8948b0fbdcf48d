import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from core.roles import Role
from members import services
from members.models import ErasureRequest, Member, Message
from tests.factories import MandateFactory, make_role_user

pytestmark = pytest.mark.django_db


def test_member_downloads_all_their_data_as_json_and_html(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER, email="ik@example.org")
    MandateFactory(member=user.member)
    other = make_role_user(Role.MEMBER)
    services.send_message(sender=other.member, recipient=user.member, body="Hoi!", reveal_sender_email=False)
    client.force_login(user)
    response = client.get(reverse("members:data_export"), {"format": "json"})
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["member"]["email"] == "ik@example.org"
    assert data["account"]["roles"] == ["member"]
    assert len(data["mandates"]) == 1
    assert data["messages_received"][0]["text"] == "Hoi!"
    html = client.get(reverse("members:data_export"))
    assert "ik@example.org" in html.content.decode()


def test_my_data_page_shows_labels_and_dates_in_the_readers_language_not_raw_keys(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER, email="ik@example.org", name="Ik Zelf")
    MandateFactory(member=user.member, role="councillor")
    user.member.phone = "06-12345678"
    user.member.save()  # an update in the change history
    client.force_login(user)
    html = client.get(reverse("members:data_export")).content.decode()
    main = html.split('<main id="main"')[1]
    for raw in ("<dt>name</dt>", "<dt>given_name</dt>", "— create", "— update", "councillor,", "email_visibility"):
        assert raw not in main
    assert "<dt>Voornaam</dt>" in main and "<dt>Naam</dt>" in main and "<dt>Rollen</dt>" in main
    assert "Raadslid, " in main
    assert "— aangemaakt" in main and "— gewijzigd: Telefoon" in main
    assert "Alleen medewerkers van de vereniging" in main
    client.cookies["django_language"] = "en"
    english = client.get(reverse("members:data_export")).content.decode()
    assert "<dt>Given name</dt>" in english and "— created" in english


def test_erasure_anonymises_the_member_keeps_shared_content_and_the_audit_trail(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER, email="weg@example.org", name="Wim Weg")
    member = user.member
    member.given_name, member.family_name = "Wim", "Weg"
    member.save()
    other = make_role_user(Role.MEMBER)
    services.send_message(sender=member, recipient=other.member, body="Gedeelde kennis", reveal_sender_email=False)
    client.force_login(user)
    client.post(reverse("members:erasure_request"), {"reason": "Gestopt", "confirm": "on"})
    request = ErasureRequest.objects.get(member=member)

    admin = make_role_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    client.post(
        "/admin/members/erasurerequest/",
        {"action": "execute", "_selected_action": [request.pk]},
    )
    member.refresh_from_db()
    user.refresh_from_db()
    assert member.erased_at and member.status == Member.Status.FORMER
    assert "Weg" not in member.full_name and member.email.endswith("@invalid.example")
    assert member.phone == member.street == member.bio == ""
    assert member.user is None
    assert not user.is_active and not user.has_usable_password() and "weg@" not in user.email
    assert Message.objects.get().body == "Gedeelde kennis"  # kept for the recipient
    assert Message.objects.get().sender.full_name == "Oud lid"
    assert LogEntry.objects.get_for_object(member).exists()  # audit trail kept
    request.refresh_from_db()
    assert request.executed_by == admin
    # The erased member is gone from the directory and cannot log in.
    client.force_login(other)
    assert member.full_name not in client.get("/leden/").content.decode()
    assert not client.login(email="weg@example.org", password="een-goed-wachtwoord-42")


def test_erasure_form_needs_confirmation(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    client.force_login(user)
    response = client.post(reverse("members:erasure_request"), {"reason": ""})
    assert response.context["form"].errors["confirm"]
    assert not ErasureRequest.objects.exists()
