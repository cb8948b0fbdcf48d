"""Who may read a case. Confidentiality decides; no role, not even administrator or superuser,
overrides it:

- normal: the requester, every adviser, the assigned person and the counsellors on the case;
- confidential: the requester, the assigned adviser and the counsellors on the case;
- strictly confidential: the requester and the assigned counsellor only.

Metadata (reference, level, status, dates) is visible to the desk (advisers and counsellors) for
triage; content never without the rule above. What a strictly confidential case is about (its
kind, and whether it is an overdue threat report) is content too: only its readers see it.

Who may change the level (`levels_for_requester`, `levels_at_triage`): a level only goes up
(fewer readers), except by the people it protects. The desk may raise it at triage; the requester
may set any level from their own case page; the assigned counsellor of a strictly confidential
case may lower it as far as the requester consented to.
"""

from __future__ import annotations

from typing import Any

import rules

from core.roles import Role, is_adviser, is_association_member, is_counsellor, roles_of


@rules.predicate
def is_requester(user: Any, case: Any) -> bool:
    member = getattr(user, "member", None) if user.is_authenticated else None
    return case is not None and member is not None and case.requester_id == member.pk


def counsellor_ids(case: Any) -> frozenset[int]:
    """The counsellors on the case, read once per case object (forget_counsellors after a change)."""
    cached: frozenset[int] | None = getattr(case, "_counsellor_ids", None)
    if cached is None:
        cached = frozenset(case.counsellors.values_list("pk", flat=True))
        case._counsellor_ids = cached
    return cached


def forget_counsellors(case: Any) -> None:
    if hasattr(case, "_counsellor_ids"):
        del case._counsellor_ids


def reads_at_level(user: Any, case: Any, level: str) -> bool:
    """Whether `user` may read `case` if its level were `level`: the one rule, also used to tell a
    requester who would read their case at another level."""
    if case is None or not user.is_authenticated:
        return False
    if is_requester(user, case):
        return True
    roles = roles_of(user)
    assigned = case.assigned_to_id == user.pk
    if level == "normal":
        return Role.ADVISER in roles or assigned or user.pk in counsellor_ids(case)
    if level == "confidential":
        return assigned or user.pk in counsellor_ids(case)
    return assigned and Role.COUNSELLOR in roles


@rules.predicate
def may_read_content(user: Any, case: Any) -> bool:
    return case is not None and reads_at_level(user, case, case.confidentiality)


@rules.predicate
def may_see_details(user: Any, case: Any) -> bool:
    """The kind (and whether it is a threat report) of a case: metadata for the desk, except for a
    strictly confidential case, where only its readers may know what it is about."""
    if case is None:
        return False
    return case.confidentiality != "strict" or may_read_content(user, case)


is_desk = is_adviser | is_counsellor

rules.add_rule("desk.ask", is_association_member)
rules.add_rule("desk.read_case", may_read_content)
rules.add_rule("desk.manage_case", may_read_content & is_desk)
rules.add_rule("desk.view_queue", is_desk)
rules.add_rule("desk.see_details", is_desk & may_see_details)
rules.add_rule("desk.triage", is_desk)
rules.add_rule("desk.set_kind", (is_adviser & may_see_details) | (is_desk & may_read_content))
rules.add_rule("desk.assign", is_adviser)
rules.add_rule("desk.view_statistics", is_desk)
rules.add_rule("desk.manage_directory", is_desk)
rules.add_rule("desk.intervision_signup", is_association_member)


def _ordered() -> list[str]:
    from .models import LEVEL_ORDER

    return [str(level) for level in LEVEL_ORDER]


def levels_for_requester(user: Any, case: Any) -> list[str]:
    """The levels the requester may choose on their own case page: any (it is their case)."""
    return _ordered() if is_requester(user, case) else [case.confidentiality]


def open_consent(case: Any, user: Any) -> Any:
    """The requester's unused consent for `user` (the assigned counsellor) to lower the level."""
    from .models import ConfidentialityConsent

    if not user.is_authenticated:
        return None
    return (
        ConfidentialityConsent.objects.filter(case=case, counsellor=user)
        .filter(used_at__isnull=True, withdrawn_at__isnull=True)
        .order_by("-given_at", "-pk")
        .first()
    )


def levels_at_triage(user: Any, case: Any) -> list[str]:
    """The levels the desk may choose on the triage page: the current one and higher ones (for
    advisers and counsellors); lower ones only for the assigned counsellor of a strictly
    confidential case, down to what the requester consented to."""
    ordered = _ordered()
    current = ordered.index(case.confidentiality)
    if not is_desk(user):
        return [case.confidentiality]
    allowed = ordered[current:]
    if (
        case.confidentiality == "strict"
        and case.assigned_to_id == user.pk
        and Role.COUNSELLOR in roles_of(user)
        and (consent := open_consent(case, user)) is not None
    ):
        allowed = ordered[ordered.index(consent.level) :]
    return allowed
