"""Reads about API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ApiToken


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (revoked and expired ones too, as a history)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def own_token(user: Any, pk: int) -> ApiToken | None:
    """The user's own token that can still be revoked, or None (someone else's, unknown or
    revoked already): callers answer 404 so that other people's tokens are not even confirmed."""
    if not user.is_authenticated:
        return None
    return ApiToken.objects.filter(user=user, pk=pk, revoked_at__isnull=True).first()
