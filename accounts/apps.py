from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # Not "Accounts": allauth's app (e-mail addresses) already has that name in the back office.
    verbose_name = _("Users and invitations")

    def ready(self) -> None:
        from core.home import WORK, register

        from . import home

        register(home.pending_invitations, order=900, kind=WORK)
