"""Cache of the member directory's result pages.

The directory looks the same to every association member (privacy depends only on whether the
viewer is staff), so a rendered result page is cached per filter combination, page and viewer
class. Every change to members, mandates, topics, branches or bodies bumps a generation number
that is part of every key, so a change shows at once (with a shared cache such as Redis; with a
per-process memory cache a page can be at most TTL seconds old in another process).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

GENERATION_KEY = "members:directory:generation"
TTL = 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = 1
        cache.add(GENERATION_KEY, value, None)
    return int(value)


def bump(*args: Any, **kwargs: Any) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def key(*parts: Any) -> str:
    # The date is in the key because "current mandate" depends on it; the language because
    # role names are translated.
    raw = "|".join(str(p) for p in (generation(), timezone.localdate(), get_language(), *parts))
    return "members:directory:" + hashlib.sha256(raw.encode()).hexdigest()


def get(*parts: Any) -> Any:
    return cache.get(key(*parts))


def put(value: Any, *parts: Any) -> None:
    cache.set(key(*parts), value, TTL)


def connect() -> None:
    from core.models import Body

    from .models import Branch, BranchOfficial, Mandate, Member, Topic

    for model in (Member, Mandate, Topic, Branch, BranchOfficial, Body):
        post_save.connect(bump, sender=model, dispatch_uid=f"directory-cache-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"directory-cache-delete-{model.__name__}")
    m2m_changed.connect(bump, sender=Member.topics.through, dispatch_uid="directory-cache-topics")
