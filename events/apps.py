from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and courses")

    def ready(self) -> None:
        from core.home import MEMBER, WORK, register

        from . import home

        register(home.next_registrations, order=20, kind=MEMBER)
        register(home.organiser_events, order=200, kind=WORK)
