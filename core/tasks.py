"""Background work of the core app, run by the django-tasks database worker (manage.py db_worker)."""

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
