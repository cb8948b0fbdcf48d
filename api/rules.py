"""Who may hold API tokens. Association members create and revoke their own tokens; a token
reads the API as its owner (see api/auth.py), so a person whose membership ends loses the API
with it."""

from typing import Any

import rules

from core.roles import is_association_member


@rules.predicate
def owns_token(user: Any, token: Any) -> bool:
    return token is not None and user.is_authenticated and token.user_id == user.pk


rules.add_rule("api.manage_tokens", is_association_member)
rules.add_rule("api.revoke_token", is_association_member & owns_token)
