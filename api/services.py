"""Writes about API tokens: create, revoke, and check a presented token (which records its use)."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import hash_token
from core.permissions import can

from .models import NAME_MAX_LENGTH, ApiToken

TOKEN_PREFIX = "rh_"  # noqa: S105  (a fixed prefix that marks raadhuis tokens, not a secret)
# Characters of the token kept in clear text to recognise it in lists ("rh_" and 7 more).
SHOWN_CHARACTERS = 10
MAX_ACTIVE_TOKENS = 20
EXPIRY_CHOICES_DAYS = (30, 90, 365)
# last_used_at is written at most once per this interval, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class TokenRefused(Exception):
    """A presented token may not be used; `code` is stable for programs, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@transaction.atomic
def create_token(*, user: Any, name: str, expires_in_days: int | None) -> tuple[ApiToken, str]:
    """Create a token for `user` and return it with the secret, which is never stored (only its
    SHA-256) and cannot be shown again. Refuses (ValidationError, nothing written) an empty name,
    an unknown validity, a user who may not hold tokens and more than MAX_ACTIVE_TOKENS usable ones."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("The name is too long.")})
    if expires_in_days is not None and expires_in_days not in EXPIRY_CHOICES_DAYS:
        raise ValidationError({"expires_in_days": _("Choose one of the validity periods.")})
    if not can(user, "api.manage_tokens"):
        raise ValidationError(_("Your account cannot hold API tokens."))
    # Lock the owner's row so that two simultaneous requests cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.usable().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You have %(n)s active tokens, the maximum. Revoke one you no longer use first.")
            % {"n": MAX_ACTIVE_TOKENS}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:SHOWN_CHARACTERS],
        secret_hash=hash_token(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return token, secret


@transaction.atomic
def revoke_token(*, token: ApiToken) -> ApiToken:
    """Revoke the token at once: the next request with it is refused. Revoking twice keeps the
    first moment."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


def authenticate(secret: str) -> ApiToken:
    """The usable token with this secret, its owner loaded (with their member record). Raises
    TokenRefused for an unknown, revoked or expired token and for an owner who may no longer hold
    tokens (deactivated, or no longer an association member). Records the use (at most once a
    minute, so reading the API does not write on every request)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        raise TokenRefused("token_invalid", _("The API token is not valid."))
    token = ApiToken.objects.select_related("user", "user__member").filter(secret_hash=hash_token(secret)).first()
    if token is None:
        raise TokenRefused("token_invalid", _("The API token is not valid."))
    if token.is_revoked:
        raise TokenRefused("token_revoked", _("This API token has been revoked."))
    if token.is_expired:
        raise TokenRefused("token_expired", _("This API token has expired."))
    if not token.user.is_active or not can(token.user, "api.manage_tokens"):
        raise TokenRefused("token_owner_inactive", _("The owner of this API token can no longer use the API."))
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
