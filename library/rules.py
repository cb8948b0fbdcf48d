"""Who may do what in the library. Shared documents are read by association members and staff;
public ones by everybody. A document is changed by the member who shared it, or by an editor or
administrator (moderation)."""

from typing import Any

import rules

from core.roles import is_administrator, is_association_member, is_editor, is_staff_member


def member_of(user: Any) -> Any:
    return getattr(user, "member", None) if user.is_authenticated else None


@rules.predicate
def is_sharer(user: Any, document: Any) -> bool:
    member = member_of(user)
    return document is not None and member is not None and document.shared_by_id == member.pk


@rules.predicate
def is_published(user: Any, document: Any) -> bool:
    return document is not None and document.status == "published"


@rules.predicate
def is_public(user: Any, document: Any) -> bool:
    return document is not None and document.visibility == "public"


@rules.predicate
def owns_saved_search(user: Any, saved: Any) -> bool:
    member = member_of(user)
    return saved is not None and member is not None and saved.member_id == member.pk


@rules.predicate
def has_member_record(user: Any) -> bool:
    return member_of(user) is not None


is_moderator = is_editor | is_administrator
reads_members_only = is_association_member | is_staff_member
can_view = (is_published & (is_public | reads_members_only)) | is_sharer | is_moderator

rules.add_rule("library.search", rules.always_allow)
rules.add_rule("library.view_document", can_view)
rules.add_rule("library.share", is_association_member & has_member_record)
rules.add_rule("library.edit_document", is_sharer | is_moderator)
rules.add_rule("library.reuse", can_view & is_association_member & has_member_record)
rules.add_rule("library.save_search", is_association_member & has_member_record)
rules.add_rule("library.manage_saved_search", owns_saved_search)
# The unsubscribe link in an alert works without logging in: its token is the authorisation.
rules.add_rule("library.unsubscribe", rules.always_allow)
rules.add_rule("library.import", is_moderator)
