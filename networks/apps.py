from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "networks"
    verbose_name = _("Networks")

    def ready(self) -> None:
        from core.home import MEMBER, WORK, register

        from . import home

        register(home.network_news, order=30, kind=MEMBER)
        register(home.reported_posts, order=930, kind=WORK)

        from . import signals  # noqa: F401
