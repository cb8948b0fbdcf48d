import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from selection import services
from selection.models import Application, ApplicationAccess, CurriculumVitae, Interview, Score
from selection.tests.factories import make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished():  # type: ignore[no-untyped-def]
    """A procedure finished on 1 December 2026 (six months' retention: deletion on 1 June 2027),
    with a placed applicant, one not selected (scored, interviewed, read) and one who withdrew."""
    with time_machine.travel(datetime.datetime(2026, 11, 1, 10, tzinfo=datetime.UTC), tick=False):
        world = make_procedure()
        placed = world.apply(email="placed@example.org", given_name="Pien")
        left = world.apply(email="left@example.org", given_name="Luuk")
        gone = world.apply(email="gone@example.org", given_name="Gijs")
        services.withdraw(application=gone)
        criterion = world.procedure.criteria.first()
        services.score(application=left, user=world.member, scores={criterion.pk: (2, "Weinig ervaring")})
        services.schedule_interview(application=left, starts_at=timezone.now(), location="Zwolle", user=world.chair)
        services.log_access(application=left, user=world.chair, what="application")
        services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[(placed, "")])
        services.finalise_advice(procedure=world.procedure, user=world.chair)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC), tick=False):
        services.finish(procedure=world.procedure)
    world.procedure.refresh_from_db()
    world.placed, world.left, world.gone = placed, left, gone
    return world


def run_on(day: datetime.date, capsys):  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(3), tzinfo=datetime.UTC), tick=False):
        call_command("selection_retention")
    return capsys.readouterr().out


def test_nothing_happens_before_the_notice_period(finished, capsys) -> None:  # type: ignore[no-untyped-def]
    assert finished.procedure.deletion_date == datetime.date(2027, 6, 1)
    assert "notified: 0" in run_on(datetime.date(2027, 4, 30), capsys)
    assert Application.objects.count() == 3 and not Application.objects.filter(deletion_notice_at__isnull=False)


def test_applicants_not_placed_are_told_then_deleted_and_placed_ones_kept(finished, capsys, mailed) -> None:  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    with mailed():
        output = run_on(datetime.date(2027, 5, 2), capsys)
    assert "notified: 2" in output and "deleted: 0" in output
    assert sorted(m.to[0] for m in mail.outbox) == ["gone@example.org", "left@example.org"]
    notice = next(m for m in mail.outbox if m.to == ["left@example.org"])
    assert "1 juni 2027" in notice.body and finished.left.get_status_url() in notice.body
    # Told once only.
    mail.outbox.clear()
    with mailed():
        assert "notified: 0" in run_on(datetime.date(2027, 5, 20), capsys)
    assert not mail.outbox

    output = run_on(datetime.date(2027, 6, 1), capsys)
    assert "deleted: 2" in output
    assert list(Application.objects.values_list("email", flat=True)) == ["placed@example.org"]
    assert CurriculumVitae.objects.count() == 1 and CurriculumVitae.objects.get().application == finished.placed
    assert not Score.objects.exists() and not Interview.objects.exists() and not ApplicationAccess.objects.exists()


def test_a_late_notice_still_gives_the_full_notice_period(finished, capsys, mailed) -> None:  # type: ignore[no-untyped-def]
    """The command did not run for a while: the notice goes out on the deletion date itself, and the
    data is deleted a notice period later, not at once."""
    with mailed():
        output = run_on(datetime.date(2027, 6, 10), capsys)
    assert "notified: 2" in output and "deleted: 0" in output
    notice = next(m for m in mail.outbox if m.to == ["left@example.org"])
    assert "10 juli 2027" in notice.body
    assert "deleted: 0" in run_on(datetime.date(2027, 7, 9), capsys)
    assert "deleted: 2" in run_on(datetime.date(2027, 7, 10), capsys)
    assert Application.objects.count() == 1


def test_procedures_that_have_not_ended_keep_everything(capsys) -> None:  # type: ignore[no-untyped-def]
    world = make_procedure()
    world.apply()
    assert "notified: 0" in run_on(timezone.localdate() + datetime.timedelta(days=800), capsys)
    assert Application.objects.count() == 1
