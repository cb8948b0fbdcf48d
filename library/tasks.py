"""Background work of the library."""

from django_tasks import task

from . import services


@task()
def send_search_alerts() -> dict[str, int]:
    """E-mail the saved searches that are due (run hourly; each search is e-mailed at most once
    per day or week, and only when there are new matches)."""
    return {frequency: services.send_alerts(frequency=frequency) for frequency in ("daily", "weekly")}
