"""manage.py search_index --catch-up | --rebuild: maintain the library's search index by hand."""

from __future__ import annotations

from core.search_index import IndexCommand
from library import search_index


class Command(IndexCommand):
    help = (
        "Bring the library's search index up to date with the database: --catch-up applies the change "
        "log from the index's cursor on; --rebuild empties the index and indexes every shared document."
    )
    index = search_index.INDEX
    rebuild_help = "Index every shared document again."
    rebuilt = "Rebuilt the search index: {count} documents."
