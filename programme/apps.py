from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Development programme")

    def ready(self) -> None:
        from core.home import MEMBER, WORK, register

        from . import home

        register(home.my_entitlements, order=70, kind=MEMBER)
        register(home.municipality_state, order=500, kind=WORK)
        register(home.new_applications, order=550, kind=WORK)

        from django.db.models.signals import post_save

        from .models import GoodPractice
        from .services import index_practice

        post_save.connect(
            lambda sender, instance, **kw: index_practice(instance),
            sender=GoodPractice,
            weak=False,
            dispatch_uid="programme-index-practice",
        )
