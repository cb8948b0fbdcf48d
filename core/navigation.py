"""The main navigation and the management overview: each entry shows only when
core.permissions.can allows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .permissions import can
from .roles import Role, roles_of


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str
    # URL prefix that marks the entry as current.
    section: str
    description: str | Promise = ""


NAVIGATION = [
    NavItem(_("Home"), "core:home", "core.view_home", "/"),
    NavItem(_("Members"), "members:directory", "members.view_directory", "/leden/"),
    NavItem(_("Bodies"), "core:body_list", "core.view_body", "/bestuursorganen/"),
    NavItem(_("Library"), "library:search", "library.search", "/bibliotheek/"),
    NavItem(_("News"), "newsletter:news_list", "newsletter.read", "/nieuws/"),
    NavItem(_("Events"), "events:list", "events.view_list", "/bijeenkomsten/"),
    NavItem(_("Networks"), "networks:overview", "networks.view_networks", "/netwerken/"),
    NavItem(_("Messages"), "members:inbox", "members.use_messages", "/berichten/"),
    NavItem(_("Advice"), "desk:home", "desk.ask", "/hulp/"),
    NavItem(_("Selection procedures"), "selection:procedures", "selection.view_my_procedures", "/selectie/"),
    NavItem(_("My entitlements"), "programme:my_entitlements", "programme.my_entitlements", "/mijn-rechten/"),
    NavItem(
        _("Budget requests"),
        "programme:budget_requests",
        "programme.view_budget_requests",
        "/ontwikkeltraject/budgetaanvragen/",
    ),
]

# Tools for staff, gathered on /beheer/ (shown in the navigation when at least one is allowed).
MANAGEMENT = [
    NavItem(
        _("Invitations"),
        "accounts:invitation_list",
        "accounts.manage_invitations",
        "/beheer/uitnodigingen/",
        _("Invite a person, send an invitation again or withdraw it."),
    ),
    NavItem(
        _("Import members"),
        "members:import_upload",
        "members.import",
        "/beheer/leden/import/",
        _("Upload a member list (CSV or Excel), check it, then import it."),
    ),
    NavItem(
        _("Invite members in bulk"),
        "members:invite_bulk",
        "members.invite",
        "/beheer/leden/uitnodigen/",
        _("Send invitations to members who have no account yet."),
    ),
    NavItem(
        _("Mandates to check"),
        "members:mandate_reviews",
        "members.review_mandates",
        "/beheer/mandaten/",
        _("Mandates that members added or changed themselves."),
    ),
    NavItem(
        _("Export members"),
        "members:export",
        "members.export",
        "/beheer/leden/export/",
        _("The member directory as a spreadsheet (CSV)."),
    ),
    NavItem(
        _("Events and courses"),
        "events:manage_list",
        "events.create_event",
        "/beheer/bijeenkomsten/",
        _("Create events, manage participants and waitlists, take attendance."),
    ),
    NavItem(
        _("Advice desk"),
        "desk:queue",
        "desk.view_queue",
        "/hulp/beheer/",
        _("Cases, triage and assignment, overdue threat reports, statistics."),
    ),
    NavItem(
        _("Development programme"),
        "programme:dashboard",
        "programme.officer",
        "/beheer/ontwikkeltraject/",
        _("Applications of municipalities, tracks, learning groups and the dashboard."),
    ),
    NavItem(
        _("Newsletter"),
        "newsletter:manage",
        "newsletter.manage",
        "/beheer/nieuwsbrief/",
        _("Compose, test and send Lokaal Bestuur; subscribers and bounced addresses."),
    ),
    NavItem(
        _("News and publications"),
        "newsletter:news_manage",
        "newsletter.manage",
        "/beheer/nieuws/",
        _("Write news items and add research publications."),
    ),
    NavItem(
        _("Networks"),
        "networks:manage",
        "networks.manage",
        "/beheer/netwerken/",
        _("Create tier, topic and closed networks and appoint their moderators."),
    ),
    NavItem(
        _("Import documents"),
        "library:import_upload",
        "library.import",
        "/beheer/bibliotheek/",
        _("Add motions, amendments and questions from a CSV file, checked first."),
    ),
    NavItem(
        _("Back office"),
        "admin:index",
        "core.use_admin",
        "/admin/",
        _("All data, settings of the association, audit log."),
    ),
]


def management_for(user: Any) -> list[dict[str, Any]]:
    return [
        {"label": item.label, "url": reverse(item.url_name), "description": item.description}
        for item in MANAGEMENT
        if can(user, item.permission)
    ]


def items_for(user: Any, path: str) -> list[dict[str, Any]]:
    items = []
    # An expert (deskundige) sees their network and nothing else of the platform.
    confined = Role.EXPERT in roles_of(user)
    for item in NAVIGATION:
        if confined and not item.url_name.startswith("networks:"):
            continue
        if not can(user, item.permission):
            continue
        current = path == "/" if item.section == "/" else path.startswith(item.section)
        items.append({"label": item.label, "url": reverse(item.url_name), "current": current})
    if not confined and any(can(user, item.permission) for item in MANAGEMENT):
        items.append(
            {
                "label": _("Management"),
                "url": reverse("core:manage"),
                "current": path.startswith(("/beheer/", "/admin/")),
            }
        )
    return items
