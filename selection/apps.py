from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionConfig(AppConfig):
    name = "selection"
    verbose_name = _("Candidate selection")

    def ready(self) -> None:
        from core.home import WORK, register

        from . import home

        register(home.procedures_run, order=400, kind=WORK)
        register(home.applications_to_assess, order=450, kind=WORK)

        from django.db.models.signals import post_delete, post_save

        from members.models import BranchOfficial

        from .models import CommitteeMember, SelectionProcedure
        from .selectors import bump_generation

        # Who works on selection procedures (the navigation entry) is cached: changes forget it.
        for model in (BranchOfficial, CommitteeMember, SelectionProcedure):
            for signal in (post_save, post_delete):
                signal.connect(
                    bump_generation, sender=model, weak=False, dispatch_uid=f"selection-work-{model.__name__}"
                )
