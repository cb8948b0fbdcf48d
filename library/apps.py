from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        from core.home import MEMBER, register

        from . import home, synonyms  # noqa: F401 (synonyms: its signals)

        register(home.new_documents, order=40, kind=MEMBER)
        register(home.saved_search_hits, order=50, kind=MEMBER)
