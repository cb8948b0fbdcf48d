"""Who may do what in the development programme. A clerk's office contact (griffie) acts only for
the municipalities they are a contact of."""

from typing import Any

import rules

from core.roles import is_administrator, is_association_member, is_griffie_contact, is_programme_officer, roles_of


def contact_municipalities(user: Any) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_programme_municipalities", None)
    if cached is None:
        cached = frozenset(user.programme_contacts.values_list("municipality_id", flat=True))
        user._programme_municipalities = cached
    return cached


@rules.predicate
def is_contact_for(user: Any, obj: Any) -> bool:
    """obj: a Body (municipality) or anything with a municipality (track, request...)."""
    if obj is None or not is_griffie_contact(user):
        return False
    municipality_id = getattr(obj, "municipality_id", None) or getattr(obj, "pk", None)
    return municipality_id in contact_municipalities(user)


@rules.predicate
def is_contact_in_group(user: Any, group: Any) -> bool:
    if group is None or not is_griffie_contact(user):
        return False
    return group.municipalities.filter(pk__in=contact_municipalities(user)).exists()


@rules.predicate
def has_any_role(user: Any) -> bool:
    return bool(roles_of(user))


is_officer = is_programme_officer | is_administrator

rules.add_rule("programme.apply", rules.always_allow)
rules.add_rule("programme.view_practices", rules.always_allow)
rules.add_rule("programme.officer", is_officer)
rules.add_rule("programme.view_track", is_officer | is_contact_for)
rules.add_rule("programme.view_learning_group", is_officer | is_contact_in_group)
rules.add_rule("programme.edit_entitlements", is_officer | is_contact_for)
rules.add_rule("programme.decide_budget", is_administrator | is_contact_for)
rules.add_rule("programme.view_budget_requests", is_administrator | is_griffie_contact)
rules.add_rule("programme.my_entitlements", is_association_member)
rules.add_rule("programme.view_comparison", has_any_role)
