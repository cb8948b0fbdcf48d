"""Background work of the library."""

import logging

from django_tasks import task

from . import services

logger = logging.getLogger(__name__)


@task()
def send_search_alerts() -> dict[str, int]:
    """E-mail the saved searches that are due (run hourly; each search is e-mailed at most once
    per day or week, and only when there are new matches). Imported documents that are not yet
    indexed are indexed first, so that an alert never misses them."""
    try:
        services.index_pending()
    except Exception:  # the alerts still go out, up to the first document not yet indexed
        logger.exception("Indexing before the search alerts failed")
    return {frequency: services.send_alerts(frequency=frequency) for frequency in ("daily", "weekly")}


@task()
def index_pending() -> int:
    """Index the shared documents that have no search index row yet: what an import wrote (see
    library.importing.Importer). Returns how many were indexed."""
    return services.index_pending()


@task()
def apply_search_changes() -> int:
    """Bring the search index up to date with the database (the change log, from the index's
    cursor on). The worker is the index's single writer. Returns the number of changes applied."""
    from . import search_index

    return search_index.apply_changes()


@task()
def sync_sources(names: list[str] | None = None) -> dict[str, dict[str, object]]:
    """Follow the changes of the library's sources (all that are synchronised on schedule, or the
    named ones) from their stored positions: manage.py sync_library --all --queue, from cron. A
    source that fails is logged and recorded on the source; the others go on."""
    from . import sync
    from .models import SyncSource

    if names is None:
        sources = sync.due_sources()
    else:
        sources = list(SyncSource.objects.filter(name__in=names).select_related("body").order_by("name"))
    results: dict[str, dict[str, object]] = {}
    for source in sources:
        try:
            report = sync.run(source)
        except (sync.FeedError, sync.SyncConflict) as error:
            logger.error("Library source %s stopped: %s", source.name, error)
            results[source.name] = {"error": str(error)}
            continue
        results[source.name] = {**report.counts, "pages": report.pages, "complete": report.complete}
    return results
