from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = _("Advice and support")

    def ready(self) -> None:
        from core.home import MEMBER, WORK, register

        from . import home

        register(home.own_cases, order=60, kind=MEMBER)
        register(home.cases_to_triage, order=100, kind=WORK)
        register(home.cases_assigned, order=110, kind=WORK)
