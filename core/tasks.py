"""Background work of the core app, run by the django-tasks database worker (manage.py db_worker)."""

import datetime
from typing import Any

from django_tasks import task

from . import mail


@task()
def deliver_mail(mail_id: int) -> None:
    """Send the stored mail `mail_id` (core.models.OutgoingMail) through the configured e-mail
    backend. The task's arguments hold this id only, never the text. An SMTP error fails the task
    so that it is visible in the task results."""
    mail.deliver_outgoing(mail_id)


def enqueue(task_: Any, *args: Any, run_after: datetime.datetime | None = None) -> None:
    """Enqueue `task_`, deferred to `run_after` when the backend can defer (the database backend
    can). A backend that cannot (the in-process one in tests) skips deferred work: the
    housekeeping commands pick it up when it is due."""
    if run_after is None:
        task_.enqueue(*args)
    elif task_.get_backend().supports_defer:
        task_.using(run_after=run_after).enqueue(*args)
