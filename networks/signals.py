"""Keep tier networks in step with mandates and membership, whichever path changed them (profile,
mandate review, import, back office), link an expert's account when they accept, and take deleted
posts out of the search index."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.signals import invitation_accepted
from members.models import Mandate, Member

from . import search_index, services
from .models import Post, SearchChange


def _sync(member: Member | None) -> None:
    if member is not None and member.pk is not None:
        services.sync_member(member)


@receiver(post_save, sender=Mandate)
def mandate_saved(sender: Any, instance: Mandate, **kwargs: Any) -> None:
    _sync(Member.objects.filter(pk=instance.member_id).first())


@receiver(post_delete, sender=Mandate)
def mandate_deleted(sender: Any, instance: Mandate, **kwargs: Any) -> None:
    _sync(Member.objects.filter(pk=instance.member_id).first())


@receiver(post_save, sender=Member)
def member_saved(sender: Any, instance: Member, **kwargs: Any) -> None:
    # Status, erasure and the link to an account decide membership too.
    _sync(instance)


@receiver(invitation_accepted)
def expert_accepted(sender: Any, invitation: Any, user: Any, **kwargs: Any) -> None:
    services.expert_accepted(invitation=invitation, user=user)


@receiver(post_delete, sender=Post)
def post_deleted(sender: Any, instance: Post, **kwargs: Any) -> None:
    """Whatever deletes a post (a network or conversation deleted with it), the search index follows."""
    search_index.record_changes([instance.pk], SearchChange.Op.REMOVE)
