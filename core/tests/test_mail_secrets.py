"""Nothing secret in the task table: mail tasks carry an id, the text waits encrypted in an
OutgoingMail row that the worker deletes after sending (docs/SECURITY.md, "Mail and the task table")."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts import services as account_services
from core.models import OutgoingMail
from core.roles import Role
from members import services as member_services
from tests.factories import make_role_user

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
MESSAGE_TEXT = "Bedreiging door wethouder Zonneveld, graag discreet"


def raw_dump(tables: list[str] | None = None) -> str:
    """Every column of every row of `tables` (default: every table of every model), as the
    database returns it: what a dump or a read-only SQL account sees."""
    names = tables or sorted({model._meta.db_table for model in apps.get_models()})
    parts = []
    with connection.cursor() as cursor:
        for table in names:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from the models)
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_queued_mail_leaves_no_link_or_text_in_the_database_and_still_arrives(client) -> None:  # type: ignore[no-untyped-def]
    _invitation, token = account_services.invite(
        email="nieuw@example.org", name="Nieuw Lid", roles=[Role.MEMBER], invited_by=None
    )
    make_role_user(Role.MEMBER, email="vergeetachtig@example.org")
    client.post(reverse("account_reset_password"), {"email": "vergeetachtig@example.org"})
    sender = make_role_user(Role.MEMBER, email="afzender@example.org")
    recipient = make_role_user(Role.MEMBER, email="ontvanger@example.org")
    member_services.send_message(
        sender=sender.member, recipient=recipient.member, body=MESSAGE_TEXT, reveal_sender_email=False
    )
    # Queued, not sent: three tasks, three encrypted mails, and none of their content readable.
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(task_path="core.tasks.deliver_mail").count() == 3
    assert OutgoingMail.objects.count() == 3
    for args in DBTaskResult.objects.values_list("args_kwargs", flat=True):
        assert args == {"args": [args["args"][0]], "kwargs": {}} and isinstance(args["args"][0], int)
    dump = raw_dump()
    assert token not in dump
    assert "/uitnodiging/" not in dump and "/password/reset/key/" not in dump
    queue = raw_dump([DBTaskResult._meta.db_table, OutgoingMail._meta.db_table])
    assert "Zonneveld" not in queue and "Nieuw Lid" not in queue and "example.org" not in queue

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert OutgoingMail.objects.count() == 0  # sent, so gone
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"nieuw@example.org", "vergeetachtig@example.org", "ontvanger@example.org"}
    invitation_link = re.search(r"https?://\S+/uitnodiging/\S+", by_address["nieuw@example.org"].body).group(0)
    assert token in invitation_link
    assert client.get("/" + invitation_link.split("://", 1)[1].split("/", 1)[1]).status_code == 200
    reset_link = re.search(r"https?://\S+/password/reset/key/\S+", by_address["vergeetachtig@example.org"].body)
    assert reset_link is not None
    assert client.get("/" + reset_link.group(0).split("://", 1)[1].split("/", 1)[1], follow=True).status_code == 200
    assert MESSAGE_TEXT in by_address["ontvanger@example.org"].body
    # Results of finished tasks hold no arguments worth reading either, and are pruned on schedule.
    assert raw_dump([DBTaskResult._meta.db_table]).count("nieuw@example.org") == 0


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_failed_send_keeps_the_mail_for_a_rerun_and_a_sent_one_is_not_sent_twice(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from core import mail as core_mail
    from core.tasks import deliver_mail

    account_services.invite(email="nieuw@example.org", name="Nieuw Lid", roles=[Role.MEMBER], invited_by=None)
    mail_id = OutgoingMail.objects.get().pk

    def refuse(**kwargs: object) -> None:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(core_mail, "deliver_now", refuse)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert DBTaskResult.objects.get().status == "FAILED"
    assert OutgoingMail.objects.filter(pk=mail_id).exists()
    monkeypatch.undo()
    assert core_mail.deliver_outgoing(mail_id) is True
    assert core_mail.deliver_outgoing(mail_id) is False
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nieuw@example.org"]
    del deliver_mail


@pytest.mark.django_db
def test_the_task_admin_shows_no_arguments(client) -> None:  # type: ignore[no-untyped-def]
    task = DBTaskResult.objects.create(
        task_path="core.tasks.deliver_mail",
        args_kwargs={"args": ["geheim-argument-123"], "kwargs": {}},
        queue_name="default",
        backend_name="database",
        exception_class_path="",
        traceback="",
    )
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    page = client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[task.pk]))
    assert page.status_code == 200
    assert "core.tasks.deliver_mail" in page.content.decode()
    assert "geheim-argument-123" not in page.content.decode()


@pytest.mark.django_db
def test_stored_mails_that_were_never_sent_are_pruned() -> None:
    import datetime

    from django.utils import timezone

    old = OutgoingMail.objects.create(payload="{}", created_at=timezone.now() - datetime.timedelta(days=15))
    recent = OutgoingMail.objects.create(payload="{}", created_at=timezone.now() - datetime.timedelta(days=13))
    call_command("prune_outgoing_mail", min_age_days=14)
    assert list(OutgoingMail.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not OutgoingMail.objects.filter(pk=old.pk).exists()
