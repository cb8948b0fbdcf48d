"""Who may do what in networks. Reading, posting and moderating one network is decided by
networks.selectors.access (data: memberships, moderators, the expert's one network); the rules
here name the actions. Networks are never public: every rule needs a logged-in account."""

from typing import Any

import rules

from core.roles import is_administrator, is_adviser, is_association_member, is_expert

from .models import Membership, Network, Thread
from .selectors import access, active_member, moderates_any


def _network_of(obj: Any) -> Network | None:
    if obj is None:
        return None
    if isinstance(obj, Network):
        return obj
    if isinstance(obj, Thread):
        return obj.network
    thread = getattr(obj, "thread", None)
    if thread is not None:
        return thread.network  # a post
    post = getattr(obj, "post", None)
    if post is not None:
        return post.thread.network  # an attachment
    return getattr(obj, "network", None)


@rules.predicate
def reads(user: Any, obj: Any) -> bool:
    return access(user, _network_of(obj)).read


@rules.predicate
def posts(user: Any, obj: Any) -> bool:
    return access(user, _network_of(obj)).post


@rules.predicate
def moderates(user: Any, obj: Any) -> bool:
    return access(user, _network_of(obj)).moderate


@rules.predicate
def has_membership(user: Any, network: Any) -> bool:
    return access(user, network).membership is not None


@rules.predicate
def is_open_topic_network(user: Any, network: Any) -> bool:
    return network is not None and network.kind == Network.Kind.TOPIC


@rules.predicate
def is_active_member(user: Any) -> bool:
    return active_member(user) is not None


@rules.predicate
def left_by_choice(user: Any, network: Any) -> bool:
    """Members leave topic and closed networks; a tier network follows the mandates, and an
    expert's membership is their whole account."""
    membership = access(user, network).membership
    return (
        network is not None
        and network.kind != Network.Kind.TIER
        and membership is not None
        and membership.source != Membership.Source.EXPERT
    )


@rules.predicate
def is_own_post(user: Any, post: Any) -> bool:
    return post is not None and user.is_authenticated and post.author_id == user.pk


@rules.predicate
def is_visible_post(user: Any, post: Any) -> bool:
    return post is not None and post.hidden_at is None and post.thread.hidden_at is None


@rules.predicate
def is_asker(user: Any, thread: Any) -> bool:
    return (
        thread is not None
        and thread.kind == Thread.Kind.QUESTION
        and user.is_authenticated
        and thread.author_id == user.pk
    )


@rules.predicate
def is_invitee(user: Any, invitation: Any) -> bool:
    return (
        invitation is not None
        and user.is_authenticated
        and invitation.user_id == user.pk
        and invitation.answered_at is None
    )


@rules.predicate
def is_closed_network(user: Any, network: Any) -> bool:
    return network is not None and network.kind == Network.Kind.CLOSED


@rules.predicate
def is_any_moderator(user: Any) -> bool:
    return moderates_any(user)


uses_networks = (is_association_member & is_active_member) | is_adviser | is_administrator | is_expert
rules.add_rule("networks.view_networks", uses_networks | is_any_moderator)
rules.add_rule("networks.read", reads)
rules.add_rule("networks.post", posts)
rules.add_rule("networks.join", is_association_member & is_active_member & is_open_topic_network & ~has_membership)
rules.add_rule("networks.leave", left_by_choice)
rules.add_rule("networks.set_notifications", reads & has_membership)
rules.add_rule("networks.moderate", moderates)
rules.add_rule("networks.invite_members", moderates & is_closed_network)
rules.add_rule("networks.answer_invitation", is_invitee)
# A post is read with its network; its files too, unless a moderator hid it (then only the
# moderators and its author still see it).
rules.add_rule("networks.view_post", reads & (is_visible_post | is_own_post | moderates))
rules.add_rule("networks.report_post", reads & is_visible_post & ~is_own_post)
rules.add_rule("networks.mark_helpful", is_asker & reads)
# Creating networks and appointing moderators: administrators.
rules.add_rule("networks.manage", is_administrator)
# The unsubscribe link in a notification works without logging in: its signed token is the authorisation.
rules.add_rule("networks.unsubscribe", rules.always_allow)
