import csv
import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Invitation
from accounts.services import invite
from core.exports import neutralise
from core.roles import Role
from members import invitations
from members.models import InvitationRun
from tests.factories import MandateFactory, MemberFactory, make_role_user

pytestmark = pytest.mark.django_db


def test_bulk_invitations_report_progress_and_failures(client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    admin = make_role_user(Role.ADMINISTRATOR)
    fresh = [MemberFactory() for _ in range(3)]
    already = MemberFactory(email="al-uitgenodigd@example.org")
    invite(email=already.email, name="x", roles=[Role.MEMBER], invited_by=None)
    candidates = set(invitations.members_to_invite())
    assert set(fresh) <= candidates and already not in candidates
    client.force_login(admin)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:invite_bulk"), {"members": [m.pk for m in fresh] + [already.pk]})
    run = InvitationRun.objects.get()
    assert response["Location"] == reverse("members:invite_run", kwargs={"pk": run.pk})
    assert run.member_ids == sorted(m.pk for m in fresh)  # the already-invited member was not eligible
    assert run.finished_at and run.sent == 3 and run.failures == []
    assert len(mail.outbox) == 3
    assert Invitation.objects.filter(member__in=fresh).count() == 3
    progress = client.get(response["Location"], headers={"HX-Request": "true"})
    assert "3 van 3 verwerkt: 3 verstuurd, 0 mislukt" in progress.content.decode()


def test_a_failing_member_is_reported_and_the_rest_still_sent() -> None:
    ok = MemberFactory()
    taken = MemberFactory(email="bezet@example.org")
    run = InvitationRun.objects.create(member_ids=[ok.pk, taken.pk, 999999])
    invite(email="bezet@example.org", name="x", roles=[Role.MEMBER], invited_by=None)
    invitations.process_run(run.pk)
    run.refresh_from_db()
    assert run.done == 3 and run.sent == 1
    assert [f["member"] for f in run.failures] == [taken.full_name, "999999"]
    assert "openstaande uitnodiging" in run.failures[0]["error"] or "open" in run.failures[0]["error"]


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+31", "-1", "@SUM(A1)", "\tx"])
def test_formula_like_cells_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("Jansen") == "Jansen"


def test_staff_export_as_csv_and_xlsx_is_safe(client) -> None:  # type: ignore[no-untyped-def]
    evil = MemberFactory(given_name="=cmd|' /C calc'!A0", family_name="Jansen")
    MandateFactory(member=evil)
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    response = client.get(reverse("members:export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    evil_row = next(r for r in rows if "Jansen" in r)
    assert evil_row[0] == "'=cmd|' /C calc'!A0"
    xlsx = client.get(reverse("members:export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=cmd|' /C calc'!A0" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
