"""Who may see and do what with members. Field-level privacy lives in members.privacy."""

from typing import Any

import rules

from core.roles import is_administrator, is_association_member, is_staff_member, roles_of


@rules.predicate
def is_self(user: Any, member: Any) -> bool:
    return member is not None and user.is_authenticated and member.user_id == user.pk


@rules.predicate
def is_active_member(user: Any, member: Any) -> bool:
    return member is not None and member.status == "active" and not member.erased_at


@rules.predicate
def has_member_record(user: Any) -> bool:
    return user.is_authenticated and getattr(user, "member", None) is not None


@rules.predicate
def is_official_of_branch(user: Any, branch: Any) -> bool:
    """The user holds a current function in this branch (object-level role scope)."""
    if branch is None or not roles_of(user):
        return False
    from .selectors import branches_run_by

    return branch.pk in branches_run_by(user)


can_use_directory = is_staff_member | is_association_member

rules.add_rule("members.view_directory", can_use_directory)
rules.add_rule("members.view_member", is_self | is_staff_member | (is_association_member & is_active_member))
rules.add_rule("members.view_photo", can_use_directory)
rules.add_rule("members.view_branch", can_use_directory)
rules.add_rule("members.manage_branch", is_administrator | is_official_of_branch)
# Writing to members, editing a profile, asking for export or erasure: people with a member record.
rules.add_rule("members.use_messages", is_association_member & has_member_record)
rules.add_rule("members.edit_profile", has_member_record)
rules.add_rule("members.review_mandates", is_administrator)
rules.add_rule("members.import", is_administrator)
rules.add_rule("members.export", is_administrator)
rules.add_rule("members.invite", is_administrator)
# Appointing branch officials (back office); never to one's own or a staff account (members.services).
rules.add_rule("members.appoint_officials", is_administrator)
