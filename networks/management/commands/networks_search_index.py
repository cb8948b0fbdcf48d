"""manage.py networks_search_index --catch-up | --rebuild: maintain the networks' search index by hand."""

from __future__ import annotations

from core.search_index import IndexCommand
from networks import search_index


class Command(IndexCommand):
    help = (
        "Bring the networks' search index up to date with the database: --catch-up applies the change "
        "log; --rebuild empties the index and indexes every visible question, discussion and reply."
    )
    index = search_index.INDEX
    rebuild_help = "Index every visible post again."
    rebuilt = "Rebuilt the networks' search index: {count} posts."
