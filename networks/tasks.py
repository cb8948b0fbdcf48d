"""Background work of networks. Every task carries ids only; the worker reads the post and renders
the e-mail itself (networks.services), so no text written by members is stored in the queue."""

from django_tasks import task

from . import services


@task()
def notify_post(post_id: int) -> int:
    """Fan out the e-mails about a new post (one task per recipient)."""
    return services.notify_post(post_id)


@task()
def send_post_mail(post_id: int, user_id: int, reason: str) -> bool:
    return services.send_post_mail(post_id, user_id, reason)


@task()
def send_report_mail(report_id: int, user_id: int) -> bool:
    return services.send_report_mail(report_id, user_id)


@task()
def send_invitation_mail(invitation_id: int) -> bool:
    return services.send_invitation_mail(invitation_id)


@task()
def send_alert_mail(thread_id: int, user_id: int) -> bool:
    return services.send_alert_mail(thread_id, user_id)


@task()
def send_digest(membership_id: int) -> bool:
    return services.send_digest(membership_id)


@task()
def housekeeping() -> dict:  # type: ignore[type-arg]
    """Hourly (manage.py networks_housekeeping): tier networks in line with the mandates,
    unanswered questions brought to attention, due digests queued."""
    return services.housekeeping()


@task()
def apply_search_changes() -> int:
    """Bring the networks' search index up to date with the database (its change log). The worker
    is the index's single writer. Returns the number of changes applied."""
    from . import search_index

    return search_index.apply_changes()
