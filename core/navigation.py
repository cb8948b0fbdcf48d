"""The main navigation: each entry shows only when core.permissions.can allows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .permissions import can


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str
    # URL prefix that marks the entry as current.
    section: str


NAVIGATION = [
    NavItem(_("Home"), "core:home", "core.view_home", "/"),
    NavItem(_("Bodies"), "core:body_list", "core.view_body", "/bestuursorganen/"),
    NavItem(_("Invitations"), "accounts:invitation_list", "accounts.manage_invitations", "/beheer/uitnodigingen/"),
    NavItem(_("Back office"), "admin:index", "core.use_admin", "/admin/"),
]


def items_for(user: Any, path: str) -> list[dict[str, Any]]:
    items = []
    for item in NAVIGATION:
        if not can(user, item.permission):
            continue
        current = path == "/" if item.section == "/" else path.startswith(item.section)
        items.append({"label": item.label, "url": reverse(item.url_name), "current": current})
    return items
