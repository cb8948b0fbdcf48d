"""Platform roles. A role is a Group with the role's slug as its name (data), combined with
object-level rules (the `rules` package) in each app's rules.py.

Membership of a group is the only source of a role: there is no superuser shortcut anywhere in
our own permission checks (see core.permissions.can).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    BRANCH_OFFICIAL = "branch_official", _("Branch official")
    ADVISER = "adviser", _("Adviser")
    COUNSELLOR = "counsellor", _("Confidential counsellor")
    EDITOR = "editor", _("Editor")
    EVENT_ORGANISER = "event_organiser", _("Event organiser")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    GRIFFIE_CONTACT = "griffie_contact", _("Clerk's office contact")
    ADMINISTRATOR = "administrator", _("Administrator")
    # An expert from outside (deskundige) invited into one network: sees that network and nothing
    # else of the platform (networks.middleware.ExpertConfinementMiddleware).
    EXPERT = "expert", _("Expert")


# Roles that work for the association: they see other people's data and must use MFA.
STAFF_ROLES: frozenset[str] = frozenset(
    {
        Role.ADVISER,
        Role.COUNSELLOR,
        Role.EDITOR,
        Role.EVENT_ORGANISER,
        Role.PROGRAMME_OFFICER,
        Role.ADMINISTRATOR,
    }
)

# Roles that must sign in with a second factor: staff, and the roles that read other people's
# personal data or decide money (branch officials run selection procedures and read CVs; griffie
# contacts decide budget requests). Members on a selection committee must too, on the
# committee's pages (accounts.middleware.MfaRequiredMiddleware): that is a seat, not a role.
MFA_ROLES: frozenset[str] = STAFF_ROLES | {Role.BRANCH_OFFICIAL, Role.GRIFFIE_CONTACT}

# Roles that open the desk's case content: advisers read normal cases and route every case,
# counsellors read strictly confidential ones. No role gives them on the site or in the back office,
# not even the administrator: an administrator could otherwise give them to a second account of
# their own (or two administrators to each other) and read what no administrator may read. They are
# given and taken on the server (`manage.py invite_user --role`, `manage.py set_desk_roles`), see
# docs/SECURITY.md, "No role can widen its own access through a field it may write".
DESK_ROLES: frozenset[str] = frozenset({Role.ADVISER, Role.COUNSELLOR})

# Roles of people in the association itself (as opposed to staff and external contacts).
MEMBER_ROLES: frozenset[str] = frozenset({Role.MEMBER, Role.BRANCH_OFFICIAL})


def role_label(name: str) -> str:
    """The translated name of a role (a group's name is the role's slug); a group that is no role
    keeps its own name."""
    return str(Role(name).label) if name in Role.values else name


def roles_of(user: User | AnonymousUser | Any) -> frozenset[str]:
    """The role slugs of a user; cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_raadhuis_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, "_raadhuis_roles", cached)  # noqa: B010  (cache on the request's user object)
    return cached


def forget_roles(user: Any) -> None:
    """Drop the cached roles after the user's groups changed."""
    if hasattr(user, "_raadhuis_roles"):
        del user._raadhuis_roles


def has_role(role: str) -> rules.Predicate:
    return rules.Predicate(lambda user: role in roles_of(user), name=f"has_role:{role}")


is_member = has_role(Role.MEMBER)
is_branch_official = has_role(Role.BRANCH_OFFICIAL)
is_adviser = has_role(Role.ADVISER)
is_counsellor = has_role(Role.COUNSELLOR)
is_editor = has_role(Role.EDITOR)
is_event_organiser = has_role(Role.EVENT_ORGANISER)
is_programme_officer = has_role(Role.PROGRAMME_OFFICER)
is_griffie_contact = has_role(Role.GRIFFIE_CONTACT)
is_administrator = has_role(Role.ADMINISTRATOR)
is_expert = has_role(Role.EXPERT)


@rules.predicate
def is_staff_member(user: Any) -> bool:
    return bool(roles_of(user) & STAFF_ROLES)


@rules.predicate
def is_association_member(user: Any) -> bool:
    return bool(roles_of(user) & MEMBER_ROLES)


@rules.predicate
def has_any_role(user: Any) -> bool:
    return bool(roles_of(user))
