from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "networks"
    verbose_name = _("Networks")

    def ready(self) -> None:
        from core.home import MEMBER, WORK, register

        from . import home

        register(home.network_news, order=30, kind=MEMBER)
        register(home.reported_posts, order=930, kind=WORK)

        from core.search_index import rebuild_after_migrate

        from . import (
            search_index,
            signals,  # noqa: F401
        )

        # An upgrade whose index has other fields rebuilds it at migrate (docs/OPERATIONS.md).
        post_migrate.connect(
            rebuild_after_migrate(search_index.INDEX, "networks"),
            sender=self,
            weak=False,
            dispatch_uid="networks-index",
        )
