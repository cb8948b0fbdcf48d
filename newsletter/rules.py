"""Who may do what with news, publications and the newsletter. Editors and administrators write
and send; what is published is read by everybody (public) or by members and staff (members only)."""

from typing import Any

import rules

from core.roles import is_administrator, is_association_member, is_editor, is_staff_member

is_newsletter_editor = is_editor | is_administrator
reads_members_only = is_association_member | is_staff_member


@rules.predicate
def is_published_public(user: Any, obj: Any) -> bool:
    return obj is not None and obj.published_at is not None and obj.visibility == "public"


@rules.predicate
def is_published(user: Any, obj: Any) -> bool:
    return obj is not None and obj.published_at is not None


@rules.predicate
def is_archived_public(user: Any, edition: Any) -> bool:
    return edition is not None and edition.status == "sent" and edition.public


@rules.predicate
def is_archived(user: Any, edition: Any) -> bool:
    return edition is not None and edition.status == "sent"


rules.add_rule("newsletter.read", rules.always_allow)
rules.add_rule("newsletter.view_item", is_published_public | (is_published & reads_members_only) | is_newsletter_editor)
rules.add_rule(
    "newsletter.view_edition", is_archived_public | (is_archived & reads_members_only) | is_newsletter_editor
)
rules.add_rule("newsletter.subscribe", rules.always_allow)
rules.add_rule("newsletter.manage", is_newsletter_editor)
