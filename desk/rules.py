"""Who may read a case. Confidentiality decides; no role, not even administrator or superuser,
overrides it:

- normal: the requester, every adviser, the assigned person and the counsellors on the case;
- confidential: the requester, the assigned adviser and the counsellors on the case;
- strictly confidential: the requester and the assigned counsellor only.

Metadata (reference, kind, level, dates) is visible to the desk (advisers and counsellors) for
triage; content never without the rule above.
"""

from typing import Any

import rules

from core.roles import Role, is_adviser, is_association_member, is_counsellor, roles_of


@rules.predicate
def is_requester(user: Any, case: Any) -> bool:
    member = getattr(user, "member", None) if user.is_authenticated else None
    return case is not None and member is not None and case.requester_id == member.pk


@rules.predicate
def may_read_content(user: Any, case: Any) -> bool:
    if case is None or not user.is_authenticated:
        return False
    if is_requester(user, case):
        return True
    roles = roles_of(user)
    assigned = case.assigned_to_id == user.pk
    on_case = case.counsellors.filter(pk=user.pk).exists()
    if case.confidentiality == "normal":
        return Role.ADVISER in roles or assigned or on_case
    if case.confidentiality == "confidential":
        return assigned or on_case
    return assigned and Role.COUNSELLOR in roles


is_desk = is_adviser | is_counsellor

rules.add_rule("desk.ask", is_association_member)
rules.add_rule("desk.read_case", may_read_content)
rules.add_rule("desk.write_case", may_read_content)
rules.add_rule("desk.manage_case", may_read_content & is_desk)
rules.add_rule("desk.view_queue", is_desk)
rules.add_rule("desk.assign", is_adviser)
rules.add_rule("desk.view_statistics", is_desk)
rules.add_rule("desk.manage_directory", is_desk)
rules.add_rule("desk.intervision_signup", is_association_member)
