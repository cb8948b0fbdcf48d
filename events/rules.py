"""Who may see, organise and join events."""

from typing import Any

import rules

from core.roles import is_administrator, is_association_member, is_event_organiser, is_staff_member


@rules.predicate
def organises(user: Any, event: Any) -> bool:
    return event is not None and user.is_authenticated and event.organisers.filter(pk=user.pk).exists()


@rules.predicate
def is_published(user: Any, event: Any) -> bool:
    return event is not None and event.status in ("published", "cancelled")


@rules.predicate
def is_public(user: Any, event: Any) -> bool:
    return event is not None and event.audience == "public"


@rules.predicate
def is_invited_or_open(user: Any, event: Any) -> bool:
    if event is None:
        return False
    if event.audience != "invited":
        return True
    member = getattr(user, "member", None)
    return member is not None and event.invitees.filter(pk=member.pk).exists()


can_manage = is_administrator | (is_event_organiser & organises)

rules.add_rule("events.view_list", rules.always_allow)
rules.add_rule(
    "events.view_event",
    can_manage | (is_published & (is_public | ((is_association_member | is_staff_member) & is_invited_or_open))),
)
rules.add_rule("events.create_event", is_administrator | is_event_organiser)
rules.add_rule("events.manage_event", can_manage)
rules.add_rule("events.use_calendar", is_association_member)
