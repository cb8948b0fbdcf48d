"""The "My data" page: the data export (members.services.personal_data, whose keys and ISO dates
are the machine-readable JSON download) shown to a person, with translated labels, display values
and local dates instead of raw keys such as "name" or "create"."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from core.roles import Role

from .models import Mandate, Member

PROFILE_FIELDS = [
    "given_name",
    "infix",
    "family_name",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "bio",
    "photo",
    "topics",
    "status",
    "member_since",
    "member_until",
    "branch",
    "email_visibility",
    "phone_visibility",
    "address_visibility",
    "photo_visibility",
    "bio_visibility",
    "notify_messages",
    "notify_association_news",
]


# Fields the platform keeps for itself; a change to them says nothing to the member.
BOOKKEEPING = frozenset({"id", "sort_name", "created_at", "updated_at"})


def _label(name: str) -> str:
    return capfirst(str(Member._meta.get_field(name).verbose_name))


def _field_label(name: str) -> str:
    try:
        field = Member._meta.get_field(name)
    except FieldDoesNotExist:  # a field of an older version of the model
        return name
    return capfirst(str(getattr(field, "verbose_name", name)))


def _when(value: str | None) -> str:
    """An ISO date or timestamp from the export, as the reader's language writes it."""
    if not value:
        return ""
    day = parse_date(value) if len(value) == 10 else None
    if day is not None:
        return date_format(day, "j F Y")
    moment = parse_datetime(value)
    return date_format(localtime(moment), "j F Y, H:i") if moment else value


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def readable(member: Member, data: dict[str, Any]) -> dict[str, Any]:
    profile = data["member"]
    privacy = profile["privacy"]
    values: dict[str, str] = {
        **{name: profile[name] or "" for name in ("given_name", "infix", "family_name", "email", "phone")},
        **{name: profile[name] or "" for name in ("street", "postcode", "city", "bio", "branch")},
        "photo": _yes_no(bool(profile["photo"])),
        "topics": ", ".join(profile["topics"]),
        "status": str(Member.Status(profile["status"]).label),
        "member_since": _when(profile["member_since"]),
        "member_until": _when(profile["member_until"]),
        "notify_messages": _yes_no(profile["notifications"]["messages"]),
        "notify_association_news": _yes_no(profile["notifications"]["association_news"]),
    }
    for key, value in privacy.items():
        field = Member._meta.get_field(f"{key}_visibility")
        values[f"{key}_visibility"] = str(dict(field.choices or []).get(value, value))  # type: ignore[attr-defined]
    rows = [(_label(name), values[name]) for name in PROFILE_FIELDS]

    account_rows = []
    if "account" in data:
        account = data["account"]
        account_rows = [
            (_("E-mail address"), account["email"]),
            (_("Name"), account["name"]),
            (_("Roles"), ", ".join(str(Role(role).label) for role in account["roles"] if role in Role.values)),
            (_("Account since"), _when(account["joined"])),
            (_("Last login"), _when(account["last_login"])),
            (_("API tokens"), str(len(account["api_tokens"]))),
        ]

    roles = dict(Mandate._meta.get_field("role").choices or [])  # type: ignore[attr-defined]
    mandates = [
        {
            "role": roles.get(m["role"], m["role"]),
            "body": m["body"],
            "start": _when(m["start"]),
            "end": _when(m["end"]),
        }
        for m in data["mandates"]
    ]

    actions = {
        LogEntry.Action.CREATE: _("created"),
        LogEntry.Action.UPDATE: _("changed"),
        LogEntry.Action.DELETE: _("deleted"),
        LogEntry.Action.ACCESS: _("viewed"),
    }
    history = []
    for entry in LogEntry.objects.get_for_object(member).order_by("timestamp"):
        changed = [_field_label(name) for name in (entry.changes_dict or {}) if name not in BOOKKEEPING]
        history.append(
            {
                "at": date_format(localtime(entry.timestamp), "j F Y, H:i"),
                "action": actions.get(entry.action, str(entry.get_action_display())),
                "fields": ", ".join(changed) if entry.action == LogEntry.Action.UPDATE else "",
            }
        )

    private = {"email": _label("email"), "phone": _label("phone"), "address": _("Postal address")}
    private |= {"photo": _label("photo"), "bio": _label("bio")}
    staff_views = [
        {
            "at": _when(view["at"]),
            "viewer": view["viewer"] or "—",
            "fields": ", ".join(private.get(name, name) for name in (view["fields"] or "").split(",") if name),
        }
        for view in data["views_of_private_fields_by_staff"]
    ]

    return {
        "profile": rows,
        "account": account_rows,
        "mandates": mandates,
        "history": history,
        "staff_views": staff_views,
    }
