"""Background work of the core app, run by the django-tasks database worker (manage.py db_worker)."""

import datetime
from typing import Any

from django_tasks import task

from . import mail


@task()
def deliver_mail(
    *,
    subject: str,
    to: list[str],
    text: str,
    html: str | None,
    reply_to: list[str],
    headers: dict[str, str] | None = None,
) -> None:
    """Send one message through the configured e-mail backend. An SMTP error fails the task so
    that it is visible in the task results."""
    mail.deliver_now(subject=subject, to=to, text=text, html=html, reply_to=reply_to, headers=headers)


def enqueue(task_: Any, *args: Any, run_after: datetime.datetime | None = None) -> None:
    """Enqueue `task_`, deferred to `run_after` when the backend can defer (the database backend
    can). A backend that cannot (the in-process one in tests) skips deferred work: the
    housekeeping commands pick it up when it is due."""
    if run_after is None:
        task_.enqueue(*args)
    elif task_.get_backend().supports_defer:
        task_.using(run_after=run_after).enqueue(*args)
