"""Who may see and do what with members. Field-level privacy lives in members.privacy."""

from typing import Any

import rules

from core.roles import is_administrator, is_association_member, is_staff_member, roles_of


@rules.predicate
def is_self(user: Any, member: Any) -> bool:
    return member is not None and user.is_authenticated and member.user_id == user.pk


@rules.predicate
def is_active_member(user: Any, member: Any) -> bool:
    return member is not None and member.status == "active"


@rules.predicate
def is_official_of_branch(user: Any, branch: Any) -> bool:
    """The user holds a current function in this branch (object-level role scope)."""
    if branch is None or not roles_of(user):
        return False
    from .selectors import branches_run_by

    return branch.pk in branches_run_by(user)


rules.add_rule("members.view_member", is_self | is_staff_member | (is_association_member & is_active_member))
rules.add_rule("members.view_directory", is_staff_member | is_association_member)
rules.add_rule("members.view_photo", is_staff_member | is_association_member)
rules.add_rule("members.manage_branch", is_administrator | is_official_of_branch)
