"""Writes in the back office go through services too (issue 18), and none widens access.

Two checks, the sibling of tests/test_views_write_through_services.py:

1. No back-office module (`*/admin.py`, `core/admin_site.py`, `core/admin_config.py`) saves,
   deletes, creates or updates a model itself or calls a private service function (the same AST
   scan as the views'): an overridden `save_model`, `delete_model`, `delete_queryset`,
   `save_formset` or action calls a service.
2. Django's admin writes a form's fields without our code (`ModelAdmin.save_model`). So the scan
   walks every form the back office offers an administrator (add and change pages, and their
   inline rows) and finds each field there that decides access: a relation to an account, a role,
   a member record or a branch, and the other fields named in ACCESS_FIELDS. Each must be written
   through a service that checks it (THROUGH_SERVICE: the admin's `save_model`/`save_formset` calls
   it), or be listed in WIDENS_NOTHING with the reason; the fields of READ_ONLY must not be on any
   form at all (docs/SECURITY.md, "No role can widen its own access through a field it may write").
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory

from core.roles import Role
from tests.factories import make_role_user
from tests.test_views_write_through_services import writes_in

ROOT = Path(settings.BASE_DIR)

# (module, function, call) -> why back-office code may write itself. Keep this empty if you can.
ALLOWED_WRITES: dict[tuple[str, str, str], str] = {}

# Models a relation to which decides who someone is or what they may do.
IDENTITY_MODELS = {"accounts.user", "auth.group", "members.member", "members.branch"}
# Other fields that decide access.
ACCESS_FIELDS = {
    ("auth.group", "name"),
    ("auth.group", "permissions"),
    ("accounts.user", "email"),
    ("accounts.user", "is_active"),
    ("accounts.user", "is_superuser"),
    ("account.emailaddress", "email"),
    ("account.emailaddress", "verified"),
    ("account.emailaddress", "primary"),
    ("accounts.invitation", "email"),
    ("mfa.authenticator", "data"),
    ("members.member", "email"),
    ("members.member", "status"),
    ("members.branchofficial", "function"),
    ("members.branchofficial", "start_date"),
    ("members.branchofficial", "end_date"),
    ("desk.case", "confidentiality"),
    ("library.document", "visibility"),
    ("library.document", "status"),
    ("events.event", "audience"),
    ("events.event", "audience_roles"),
    ("events.event", "status"),
    ("newsletter.newsitem", "visibility"),
    ("newsletter.publication", "visibility"),
    ("programme.programmecontact", "municipality"),
}

# Written only through the service named (called by the model's admin in save_model, or by the
# parent's admin in save_formset for an inline row), which checks the permission and the rule.
THROUGH_SERVICE: dict[tuple[str, str], str] = {
    ("members.branchofficial", name): "save_official"
    for name in ("member", "branch", "function", "start_date", "end_date")
}

# Not on any back-office form (read-only, excluded, or the page cannot add or change).
READ_ONLY = {
    ("auth.group", "name"),  # a role is a group named by its slug: renaming one moves the role
    ("auth.group", "permissions"),
    ("accounts.user", "email"),  # the owner's sign-in address: set here, a password reset takes the account
    ("accounts.user", "is_superuser"),
    ("account.emailaddress", "email"),
    ("account.emailaddress", "user"),
    ("account.emailaddress", "verified"),
    ("account.emailaddress", "primary"),
    ("accounts.invitation", "email"),  # whom a (resent) invitation goes to
    ("accounts.invitation", "member"),  # which record the account made with it gets
    ("mfa.authenticator", "data"),
    ("mfa.authenticator", "user"),
    ("members.member", "user"),  # the account gets the record's cases, messages, applications, seats
    ("desk.case", "confidentiality"),
    ("desk.case", "assigned_to"),
    ("desk.case", "counsellors"),
    ("desk.case", "requester"),
    ("library.document", "visibility"),
    ("library.document", "status"),
}

ADMINS_MANAGE_EVENTS = "administrators manage every event already (events.manage_event)"
MANDATES = "mandates put a member in tier networks, which administrators read already"
BOOKKEEPING = "who did something, kept for the record; it grants nothing"
PROGRAMME = "a griffie contact reads and writes what administrators already may (programme.officer)"
NEWS = "administrators read and edit every news item and publication already (newsletter.manage)"

WIDENS_NOTHING: dict[tuple[str, str], str] = {
    ("accounts.user", "groups"): (
        "the desk's roles are not offered and are kept as they were (accounts.admin.keep_desk_roles), an "
        "administrator's own roles are read-only (UserAdmin.get_readonly_fields); the other roles give "
        "nothing an administrator lacks, or nothing without a record guarded here (an appointment)"
    ),
    ("accounts.user", "is_active"): (
        "an administrator's own is read-only; activating another account gives its owner back their own "
        "access, the administrator nothing"
    ),
    ("accounts.invitation", "roles"): "as a user's roles: the desk's are not offered and kept as they were",
    ("members.member", "branch"): "a branch's rights come from an appointment (BranchOfficial), not from membership",
    ("members.member", "status"): "active or lapsed changes what others see of the member, not what staff see",
    ("members.member", "email"): (
        "the record's contact address; signing in uses the account's own (read-only). An invitation goes to "
        "it only for a record without an account, which the administrator could equally appoint "
        "(docs/SECURITY.md, Known limits)"
    ),
    ("members.mandate", "member"): MANDATES,
    ("members.mandate", "submitted_by"): BOOKKEEPING,
    ("members.mandate", "reviewed_by"): BOOKKEEPING,
    ("members.faction", "chair"): "names the faction's chair on its page; grants nothing",
    ("events.event", "organisers"): ADMINS_MANAGE_EVENTS,
    ("events.event", "invitees"): ADMINS_MANAGE_EVENTS,
    ("events.event", "audience"): ADMINS_MANAGE_EVENTS,
    ("events.event", "audience_branch"): ADMINS_MANAGE_EVENTS,
    ("events.event", "audience_roles"): ADMINS_MANAGE_EVENTS,
    ("events.event", "status"): ADMINS_MANAGE_EVENTS,
    ("desk.helper", "user"): (
        "a helper record lets the desk add the account to a case (desk.services.add_counsellor, by someone "
        "who reads the case); it opens nothing by itself"
    ),
    ("desk.intervisionsignup", "member"): "a sign-up for an intervision group; it opens nothing",
    ("desk.intervisiongroup", "facilitator"): "names who leads the group; it opens nothing",
    ("programme.track", "officer"): "whom a track's news is mailed to; " + PROGRAMME,
    ("programme.programmecontact", "user"): PROGRAMME,
    ("programme.programmecontact", "municipality"): PROGRAMME,
    ("programme.entitlement", "updated_by"): BOOKKEEPING,
    ("newsletter.newsitem", "author"): NEWS,
    ("newsletter.newsitem", "visibility"): NEWS,
    ("newsletter.publication", "visibility"): NEWS,
    ("newsletter.subscriber", "member"): "whom a newsletter is mailed to; it opens nothing",
}


def admin_modules() -> list[Path]:
    found = [*ROOT.glob("*/admin.py"), ROOT / "core" / "admin_site.py", ROOT / "core" / "admin_config.py"]
    return sorted(p for p in found if p.exists() and ".venv" not in p.parts)


def test_no_back_office_code_writes_a_model_itself_or_calls_a_private_service_function() -> None:
    modules = admin_modules()
    assert len(modules) >= 8
    offences = []
    for path in modules:
        module = str(path.relative_to(ROOT))
        for function, call, line in writes_in(path.read_text()):
            if (module, function, call) not in ALLOWED_WRITES:
                offences.append(f"{module}:{line} {function}: {call}(…)")
    assert not offences, "Call the app's service (permission checked there) instead:\n" + "\n".join(offences)


def _label(model: Any) -> str:
    return str(model._meta.label_lower)


def editable_fields(request: Any) -> Iterator[tuple[str, str, Any]]:
    """(model label, field, the admin whose save writes it) for every field on a back-office form
    an administrator can submit: add and change pages, and their inline rows (the row's link to the
    parent included)."""
    for model, model_admin in admin.site._registry.items():
        names: set[str] = set()
        if model_admin.has_add_permission(request):
            names |= set(model_admin.get_form(request, None, change=False).base_fields)
        if model_admin.has_change_permission(request):
            names |= set(model_admin.get_form(request, model(), change=True).base_fields)
        for name in names:
            yield _label(model), name, model_admin
        if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
            continue
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            if not (inline.has_add_permission(request, None) or inline.has_change_permission(request)):
                continue
            formset = inline.get_formset(request, None)
            for name in {*formset.form.base_fields, formset.fk.name}:
                yield _label(inline.model), name, (model_admin, inline)


def decides_access(label: str, name: str) -> bool:
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        field = apps.get_model(label)._meta.get_field(name)
    except FieldDoesNotExist:  # a form's own field, not written to the model as such
        return (label, name) in ACCESS_FIELDS
    related = getattr(field, "related_model", None)
    return (label, name) in ACCESS_FIELDS or (related is not None and _label(related) in IDENTITY_MODELS)


def _writes_through(owner: Any, service: str) -> bool:
    """Whether the admin that saves this field calls `service`: the model's admin in save_model, or
    for an inline row the parent's admin in save_formset (defined in our code, not Django's)."""
    method = type(owner[0]).save_formset if isinstance(owner, tuple) else type(owner).save_model
    if method.__module__.startswith("django."):
        return False
    return f"services.{service}(" in inspect.getsource(method)


@pytest.fixture
def request_as_administrator(db: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = make_role_user(Role.ADMINISTRATOR)
    return request


def test_every_back_office_field_that_decides_access_is_guarded(request_as_administrator: Any) -> None:
    found = list(editable_fields(request_as_administrator))
    assert len({label for label, _name, _owner in found}) >= 20  # the walk does reach the forms
    problems = []
    for label, name, owner in sorted(found, key=lambda f: (f[0], f[1])):
        key = (label, name)
        if key in READ_ONLY:
            problems.append(f"{label}.{name} is on a back-office form but must be read-only")
        elif key in THROUGH_SERVICE:
            if not _writes_through(owner, THROUGH_SERVICE[key]):
                problems.append(f"{label}.{name} must be saved through services.{THROUGH_SERVICE[key]}")
        elif decides_access(label, name) and key not in WIDENS_NOTHING:
            problems.append(f"{label}.{name} decides access: write it through a service or give the reason")
    assert not problems, "\n".join(sorted(set(problems)))


def test_every_listed_field_is_still_on_a_form(request_as_administrator: Any) -> None:
    """An entry whose field left the back office's forms is removed, so the lists never grow stale;
    and the READ_ONLY fields exist (a typo would make the check above vacuous)."""
    from django.apps import apps

    on_forms = {(label, name) for label, name, _owner in editable_fields(request_as_administrator)}
    assert set(WIDENS_NOTHING) <= on_forms, set(WIDENS_NOTHING) - on_forms
    assert set(THROUGH_SERVICE) <= on_forms, set(THROUGH_SERVICE) - on_forms
    for label, name in READ_ONLY | ACCESS_FIELDS:
        apps.get_model(label)._meta.get_field(name)


def test_the_walk_finds_what_decides_access_in_a_form() -> None:
    """The check itself: a relation to an account or a role counts, a title does not, and an admin
    without our save_model does not count as writing through a service."""
    assert decides_access("desk.helper", "user")
    assert decides_access("accounts.user", "groups")
    assert decides_access("accounts.user", "email")
    assert not decides_access("events.event", "title")
    assert not _writes_through(admin.site._registry[apps_model("desk.helper")], "save_official")
    assert _writes_through(admin.site._registry[apps_model("members.branchofficial")], "save_official")


def apps_model(label: str) -> Any:
    from django.apps import apps

    return apps.get_model(label)
