"""Background work of the newsletter: starting a scheduled edition and delivering it."""

import datetime

from django.utils import timezone
from django_tasks import task

from core.tasks import enqueue

from . import sending, services


@task()
def start_edition(edition_id: int) -> int:
    return sending.start(edition_id)


@task()
def deliver_edition(edition_id: int) -> dict[str, int]:
    # A watchdog first: if this worker dies, the send resumes once the lease has expired.
    if sending.work_remains(edition_id) is not None:
        lease = datetime.timedelta(seconds=sending.lease_seconds() + 2)
        enqueue(deliver_edition, edition_id, run_after=timezone.now() + lease)
    counts = sending.deliver(edition_id)
    due = sending.work_remains(edition_id)
    if due is not None and due > timezone.now():  # retries after a backoff
        enqueue(deliver_edition, edition_id, run_after=due)
    return counts


@task()
def housekeeping() -> dict[str, int]:
    return services.housekeeping()
