from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        from core.home import MEMBER, register

        from . import home, synonyms  # noqa: F401 (synonyms: its signals)

        register(home.new_documents, order=40, kind=MEMBER)
        register(home.saved_search_hits, order=50, kind=MEMBER)

        from core.search_index import rebuild_after_migrate

        from . import search_index

        # An upgrade whose index has other fields rebuilds it at migrate (docs/OPERATIONS.md).
        post_migrate.connect(
            rebuild_after_migrate(search_index.INDEX, "library"), sender=self, weak=False, dispatch_uid="library-index"
        )
