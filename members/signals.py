"""Keep the search index in step with members, whichever path changed them (pages, import, admin)."""

from typing import Any

from allauth.account.signals import email_changed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core import search

from .models import Member, Visibility

KIND = "member"


def index_member(member: Member) -> None:
    if member.status != Member.Status.ACTIVE or member.erased_at:
        search.remove(KIND, member.pk)
        return
    # The bio is searchable only when every member may read it: a hit must not reveal hidden text.
    bio = member.bio if member.bio_visibility == Visibility.MEMBERS else ""
    search.index(KIND, member.pk, title=member.full_name, text=bio)


@receiver(post_save, sender=Member)
def member_saved(sender: Any, instance: Member, **kwargs: Any) -> None:
    index_member(instance)


@receiver(post_delete, sender=Member)
def member_deleted(sender: Any, instance: Member, **kwargs: Any) -> None:
    search.remove(KIND, instance.pk)


@receiver(email_changed)
def follow_login_address(
    sender: Any, request: Any, user: Any, from_email_address: Any, to_email_address: Any, **kwargs: Any
) -> None:
    """A member who changes their login address (and confirmed it) is reached at the new one."""
    Member.objects.filter(user=user).update(email=to_email_address.email.lower())
