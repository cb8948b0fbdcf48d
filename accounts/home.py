"""The accounts' block on the home page (core.home): for the administrator, the invitations that
nobody has accepted yet."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.home import Block
from core.permissions import can
from core.roles import Role

from .models import Invitation

LIMIT = 4


def pending_invitations(user: Any) -> Block | None:
    """Invitations still open (not accepted, revoked or expired), those expiring first on top (two
    queries)."""
    if not can(user, "accounts.manage_invitations"):
        return None
    pending = Invitation.objects.pending()
    return Block(
        key="invitations",
        title=_("Pending invitations"),
        template="accounts/home/invitations.html",
        items=list(pending.order_by("expires_at", "pk")[:LIMIT]),
        count=pending.count(),
        more_url=reverse("accounts:invitation_list") + "?status=pending",
        more_label=_("All pending invitations"),
        empty=_("No pending invitations."),
        role=Role.ADMINISTRATOR.label,
    )
