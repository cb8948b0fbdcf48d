from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter and publications")

    def ready(self) -> None:
        from core.home import MEMBER, WORK, register

        from . import home

        register(home.latest_edition, order=80, kind=MEMBER)
        register(home.editor_work, order=300, kind=WORK)

        from . import signals  # noqa: F401  (bounce webhooks)
