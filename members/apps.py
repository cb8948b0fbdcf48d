from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from core.home import MEMBER, WORK, register

        from . import home

        register(home.unread_messages, order=10, kind=MEMBER)
        register(home.mandates_to_check, order=910, kind=WORK)
        register(home.reported_messages, order=920, kind=WORK)

        from . import cache, signals  # noqa: F401

        cache.connect()
