import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image, PngImagePlugin

from core import crypto
from core.roles import Role
from desk import selectors, services
from desk.models import (
    Case,
    CaseAccess,
    CaseAttachment,
    CaseMessage,
    Confidentiality,
    Helper,
    Kind,
    Organisation,
    Status,
)
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db
SECRET = "Mijn buurman bedreigt mij via Facebook"


@pytest.fixture
def requester():  # type: ignore[no-untyped-def]
    return make_role_user(Role.MEMBER, email="raadslid@example.org")


def open_case(requester, **kwargs):  # type: ignore[no-untyped-def]
    defaults = {"kind": Kind.POLITICAL, "subject": "Vraag over de begroting", "description": SECRET}
    return services.open_case(requester=requester.member, **{**defaults, **kwargs})


def test_raw_sql_shows_no_case_text(requester) -> None:  # type: ignore[no-untyped-def]
    case = open_case(requester)
    adviser = make_role_user(Role.ADVISER)
    services.add_message(case=case, author=adviser, body="Antwoord met gevoelige details over Jansen")
    services.refer(
        case=case,
        organisation=Organisation.objects.create(name="Politie", kind="police"),
        note="Aangifte bij wijkagent Pietersen",
        by=adviser,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject, description FROM desk_case")
        raw_case = " ".join(cursor.fetchone())
        cursor.execute("SELECT body FROM desk_casemessage")
        raw_message = cursor.fetchone()[0]
        cursor.execute("SELECT note FROM desk_referral")
        raw_note = cursor.fetchone()[0]
    assert "begroting" not in raw_case and "Facebook" not in raw_case and raw_case.startswith("enc1:")
    assert "Jansen" not in raw_message and "Pietersen" not in raw_note
    assert Case.objects.get().description == SECRET  # and it reads back


def test_attachments_are_encrypted_and_checked(requester) -> None:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "schermafdruk-met-bedreiging")
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG", pnginfo=info)
    png = buffer.getvalue()
    case = open_case(requester, files=[SimpleUploadedFile("screenshot.png", png, content_type="image/png")])
    stored = CaseAttachment.objects.get(case=case)
    assert b"bedreiging" not in bytes(stored.content)
    assert stored.content_type == "image/png" and stored.size == len(png)
    with pytest.raises(ValidationError, match="PDF"):
        open_case(requester, files=[SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="image/png")])


def test_every_content_view_is_logged_and_the_requester_sees_the_log(client, requester) -> None:  # type: ignore[no-untyped-def]
    case = open_case(
        requester, files=[SimpleUploadedFile("brief.pdf", b"%PDF-1.4 brief", content_type="application/pdf")]
    )
    adviser = make_role_user(Role.ADVISER, name="Anne Adviseur")
    client.force_login(adviser)
    client.get(case.get_absolute_url())
    attachment = CaseAttachment.objects.get()
    download = client.get(reverse("desk:attachment", kwargs={"reference": case.reference, "pk": attachment.pk}))
    assert download.content == b"%PDF-1.4 brief"
    assert download["Content-Type"] == "application/octet-stream"
    assert list(CaseAccess.objects.filter(user=adviser).values_list("what", flat=True).order_by("at")) == [
        "case",
        f"attachment {attachment.pk}",
    ]
    client.force_login(requester)
    log = client.get(reverse("desk:access_log", kwargs={"reference": case.reference})).content.decode()
    assert "Anne Adviseur" in log


@pytest.mark.parametrize(
    ("level", "readers"),
    [
        (Confidentiality.NORMAL, {"requester", "adviser", "assigned", "counsellor_on_case"}),
        (Confidentiality.CONFIDENTIAL, {"requester", "assigned", "counsellor_on_case"}),
        (Confidentiality.STRICT, {"requester", "assigned"}),
    ],
)
def test_confidentiality_decides_who_reads_not_rank(client, requester, level, readers) -> None:  # type: ignore[no-untyped-def]
    people = {
        "requester": requester,
        "adviser": make_role_user(Role.ADVISER),
        "assigned": make_role_user(Role.COUNSELLOR),
        "counsellor_on_case": make_role_user(Role.COUNSELLOR),
        "other_counsellor": make_role_user(Role.COUNSELLOR),
        "administrator": make_role_user(Role.ADMINISTRATOR),
        "superuser": make_role_user(Role.ADMINISTRATOR, is_superuser=True),
        "other_member": make_role_user(Role.MEMBER),
    }
    case = open_case(requester, confidentiality=level)
    services.assign(case=case, user=people["assigned"])
    if level != Confidentiality.STRICT:
        services.add_counsellor(case=case, user=people["counsellor_on_case"])
    seen = set()
    for name, user in people.items():
        client.force_login(user)
        response = client.get(case.get_absolute_url())
        if response.status_code == 200:
            assert SECRET in response.content.decode()
            seen.add(name)
        else:
            assert response.status_code == 404
    assert seen == readers
    # The back office shows metadata only, to anyone; a strictly confidential case not at all.
    client.force_login(people["superuser"])
    admin_page = client.get(f"/admin/desk/case/{case.pk}/change/", follow=True).content.decode()
    assert SECRET not in admin_page and "begroting" not in admin_page
    assert (case.reference in admin_page) == (level != Confidentiality.STRICT)


def test_strict_cases_go_to_a_counsellor_only(requester) -> None:  # type: ignore[no-untyped-def]
    case = open_case(requester, confidentiality=Confidentiality.STRICT)
    with pytest.raises(ValidationError, match="vertrouwenspersoon"):
        services.assign(case=case, user=make_role_user(Role.ADVISER))
    with pytest.raises(ValidationError):
        services.add_counsellor(case=case, user=make_role_user(Role.COUNSELLOR))


def test_threat_alerts_the_advisers_on_duty_and_becomes_overdue(requester, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    on_duty = make_role_user(Role.COUNSELLOR, email="dienst@example.org")
    Helper.objects.create(user=on_duty, kind="counsellor", on_duty=True)
    make_role_user(Role.ADVISER, email="adviseur@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(requester, kind=Kind.THREAT_DIGITAL)
    urgent = [m for m in mail.outbox if "DRINGEND" in m.subject]
    assert sorted(m.to[0] for m in urgent) == ["adviseur@example.org", "dienst@example.org"]
    assert all(SECRET not in m.body and "Facebook" not in m.body for m in mail.outbox)
    assert case.due_by - case.created_at == datetime.timedelta(hours=4)
    assert not selectors.overdue(on_duty).exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=5)):
        assert list(selectors.overdue(on_duty)) == [case]
        services.add_message(case=case, author=on_duty, body="Ik bel je binnen een kwartier.")
        assert not selectors.overdue(on_duty).exists()
    case.refresh_from_db()
    assert case.first_response_at is not None and case.status == Status.IN_PROGRESS


def test_emails_say_there_is_news_never_what(requester, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    case = open_case(requester)
    adviser = make_role_user(Role.ADVISER)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_message(case=case, author=adviser, body="Vertrouwelijk advies over wethouder De Boer")
    assert [m.to for m in mail.outbox] == [["raadslid@example.org"]]
    assert "De Boer" not in mail.outbox[0].body and case.reference in mail.outbox[0].body


def test_retention_purges_content_of_old_closed_cases_and_keeps_statistics(requester) -> None:  # type: ignore[no-untyped-def]
    case = open_case(requester)
    services.add_message(case=case, author=make_role_user(Role.ADVISER), body="Advies")
    services.close(case=case, outcome="Opgelost")
    recent = open_case(requester)
    services.close(case=recent, outcome="Ook opgelost")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=731)):
        assert services.purge_expired() == 2
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        assert services.purge_expired() == 0
    case.refresh_from_db()
    assert case.subject == case.description == case.outcome == "" and case.requester is None
    assert not CaseMessage.objects.filter(case=case).exists()
    assert case.kind == Kind.POLITICAL and case.created_at  # anonymous figures remain


def test_requester_deletes_a_closed_case_at_once_and_an_open_one_on_closing(client, requester) -> None:  # type: ignore[no-untyped-def]
    closed = open_case(requester)
    services.close(case=closed, outcome="Klaar")
    client.force_login(requester)
    client.post(reverse("desk:delete_request", kwargs={"reference": closed.reference}))
    closed.refresh_from_db()
    assert closed.purged_at and closed.description == ""
    still_open = open_case(requester)
    client.post(reverse("desk:delete_request", kwargs={"reference": still_open.reference}))
    still_open.refresh_from_db()
    assert still_open.deletion_requested_at and not still_open.purged_at
    services.close(case=still_open, outcome="Klaar")
    still_open.refresh_from_db()
    assert still_open.purged_at


def test_statistics_suppress_small_cells(requester) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        open_case(requester, kind=Kind.COACHING)
    open_case(requester, kind=Kind.MEDIATION)
    stats = dict(services.statistics_overview()["by_kind"])
    assert stats[Kind.COACHING] == 5
    assert stats[Kind.MEDIATION] is None


def test_key_rotation_re_encrypts_everything(requester, settings) -> None:  # type: ignore[no-untyped-def]
    old, new = crypto.generate_key(), crypto.generate_key()
    settings.RAADHUIS_ENCRYPTION_KEYS = [old]
    crypto.reset_keys()
    try:
        case = open_case(requester, files=[SimpleUploadedFile("a.txt", b"tekst", content_type="text/plain")])
        settings.RAADHUIS_ENCRYPTION_KEYS = [new, old]
        crypto.reset_keys()
        call_command("rotate_encryption_keys", verbosity=0)
        settings.RAADHUIS_ENCRYPTION_KEYS = [new]
        crypto.reset_keys()
        case = Case.objects.get(pk=case.pk)
        assert case.description == SECRET
        assert crypto.decrypt_bytes(bytes(CaseAttachment.objects.get().content)) == b"tekst"
    finally:
        crypto.reset_keys()


def test_suggestions_prefer_matching_kind_and_region(requester) -> None:  # type: ignore[no-untyped-def]
    case = open_case(requester, kind=Kind.MEDIATION)
    general = Helper.objects.create(user=make_role_user(Role.COUNSELLOR, name="Algemeen"), kind="coach")
    mediator = Helper.objects.create(
        user=make_role_user(Role.COUNSELLOR, name="Bemiddelaar"), kind="mediator", case_kinds=[Kind.MEDIATION]
    )
    Helper.objects.create(
        user=make_role_user(Role.COUNSELLOR, name="Afwezig"),
        kind="mediator",
        case_kinds=[Kind.MEDIATION],
        available=False,
    )
    assert services.suggest_helpers(case) == [mediator, general]


def test_reported_threat_shows_the_safety_checklist(client, requester) -> None:  # type: ignore[no-untyped-def]
    client.force_login(requester)
    response = client.post(
        reverse("desk:report"), {"kind": Kind.DOXXING, "description": "Mijn adres staat op een forum."}
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("desk:safety", kwargs={"reference": case.reference})
    page = client.get(response["Location"]).content.decode()
    assert "112" in page and "aangifte" in page.lower()
    assert case.confidentiality == Confidentiality.CONFIDENTIAL


@override_settings(RAADHUIS_THREAT_RESPONSE_HOURS=1)
def test_response_time_is_configurable(requester) -> None:  # type: ignore[no-untyped-def]
    case = open_case(requester, kind=Kind.THREAT_PHYSICAL)
    assert case.due_by - case.created_at == datetime.timedelta(hours=1)


def test_the_desk_pages_write_dates_in_full_in_the_readers_language(client, requester) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)):
        open_case(requester)
    client.force_login(requester)
    html = client.get(reverse("desk:home")).content.decode()
    assert "1 december 2026" in html and "1 Dec" not in html and "1 dec 2026" not in html
    client.cookies["django_language"] = "en"
    assert "1 December 2026" in client.get(reverse("desk:home")).content.decode()
