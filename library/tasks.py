"""Background work of the library."""

from django_tasks import task

from . import services


@task()
def send_search_alerts() -> dict[str, int]:
    """E-mail the saved searches that are due (run hourly; each search is e-mailed at most once
    per day or week, and only when there are new matches). Imported documents that are not yet
    indexed are indexed first, so that an alert never misses them."""
    services.index_pending()
    return {frequency: services.send_alerts(frequency=frequency) for frequency in ("daily", "weekly")}


@task()
def index_pending() -> int:
    """Index the shared documents that have no search index row yet: what an import wrote (see
    library.importing.Importer). Returns how many were indexed."""
    return services.index_pending()
