"""The signed-in home page as a registry of blocks: each app contributes what is new for a person
(its own data, already filtered by what they may see), so the home page knows no app and a new app
adds a block without touching core.

An app registers its block functions in its AppConfig.ready:

    from core.home import register
    from . import home
    register(home.next_registrations, order=10)

A block function takes the signed-in user and returns a `Block`, or None when the block does not
apply to them (no member record, not their role). It must read with a fixed number of queries
(select_related / prefetch_related / annotations), whatever the amount of data: the home page's
query count is asserted per role. Its template receives `block` and renders the items and, when
there are none, the block's empty state; the link to the whole list is rendered by the home page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

# Who a block is for: "member" blocks answer "what is new for me", "staff" blocks "what waits for
# me" in one of the person's roles (the block's `role` names that role on the page).
MEMBER = "member"
WORK = "work"


@dataclass
class Block:
    key: str
    title: str | Promise
    template: str
    items: Sequence[Any] = ()
    # The link to the whole list.
    more_url: str = ""
    more_label: str | Promise = ""
    # Shown when there are no items, with an optional link onward (e.g. "see what is coming up").
    empty: str | Promise = ""
    empty_url: str = ""
    empty_link: str | Promise = ""
    # A number that needs attention (unread, waiting), shown next to the title when not zero.
    count: int = 0
    # For work blocks: the role label under which the block is shown.
    role: str | Promise = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.items and not self.extra.get("has_content")


BlockFunction = Callable[[Any], Block | None]


@dataclass(frozen=True)
class Registration:
    function: BlockFunction
    order: int
    kind: str


_REGISTRY: dict[str, Registration] = {}


def register(function: BlockFunction, *, order: int, kind: str = MEMBER) -> None:
    """Add a block to the home page. Registering the same function again replaces it (ready() may
    run more than once in tests)."""
    if kind not in (MEMBER, WORK):
        raise ValueError(f"Unknown block kind {kind!r}")
    name = f"{function.__module__}.{function.__qualname__}"
    _REGISTRY[name] = Registration(function=function, order=order, kind=kind)


def registered() -> list[Registration]:
    return sorted(_REGISTRY.values(), key=lambda r: (r.kind, r.order))


def blocks_for(user: Any) -> dict[str, list[Block]]:
    """The blocks that apply to `user`, in their order: {"member": [...], "work": [...]}. Among the
    member's blocks those with something in them come first (the empty ones are short lines at
    the end); work blocks keep their order, grouped by role."""
    result: dict[str, list[Block]] = {MEMBER: [], WORK: []}
    for registration in registered():
        block = registration.function(user)
        if block is not None:
            result[registration.kind].append(block)
    result[MEMBER].sort(key=lambda block: block.is_empty)
    return result


def member_of(user: Any) -> Any:
    """The user's member record when they are an association member (member or branch official)
    with a record: who gets the "what is new for me" blocks. Read once per request (Django keeps
    the related object on the user)."""
    from .roles import MEMBER_ROLES, roles_of

    if not (roles_of(user) & MEMBER_ROLES):
        return None
    return getattr(user, "member", None)
