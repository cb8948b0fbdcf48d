"""Background work for events, each scheduled for the moment it is due (run_after)."""

from django_tasks import task

from . import services
from .models import Session


@task()
def expire_offer(registration_id: int) -> bool:
    return services.expire_offer(registration_id)


@task()
def send_session_reminders(session_id: int, revision: int) -> int:
    session = Session.objects.select_related("event").filter(pk=session_id).first()
    if session is None:
        return 0
    return services.send_reminders(session=session, revision=revision)


@task()
def housekeeping() -> dict[str, int]:
    return services.housekeeping()


@task()
def send_registration_mail(registration_id: int, kind: str, session_id: int | None = None) -> None:
    services.render_and_send(registration_id, kind, session_id)
