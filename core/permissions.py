"""The one place that answers "may this user do this (to this object)?".

Views, templates ({% can %}), the admin and the API all call `can`. Rules are declared per app in
rules.py with `rules.add_rule` under names like "core.view_body". We deliberately do not use
`user.has_perm`: Django lets superusers pass every check there, and raadhuis has data (advice
cases) that no superuser may read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import rules
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse


def can(user: Any, permission: str, obj: Any = None) -> bool:
    """True when `user` may do `permission` (to `obj`). Unknown permissions are denied."""
    if not rules.rule_exists(permission):
        raise LookupError(f"Unknown permission {permission!r}: declare it in an app's rules.py")
    return bool(rules.test_rule(permission, user, obj))


def require(
    permission: str, get_object: Callable[..., Any] | None = None, *, hide: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: anonymous users go to the login page, others without permission get 403
    (or 404 with `hide=True`, where even the existence of the object is private).

    `get_object(request, **kwargs)` loads the object the permission is about (and raises
    Http404 when it does not exist); the view then receives it as `obj`. An anonymous user is sent
    to the login page rather than told that an object does not exist.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                obj = get_object(request, **kwargs) if get_object else None
            except Http404:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise
            if not can(request.user, permission, obj):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if hide:
                    raise Http404
                raise PermissionDenied
            if get_object:
                kwargs["obj"] = obj
            return view(request, *args, **kwargs)

        wrapper.permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator
