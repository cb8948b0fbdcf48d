from typing import Any

from django.http import HttpRequest

from .models import Association
from .navigation import items_for


def site(request: HttpRequest) -> dict[str, Any]:
    """The association's settings and the navigation the user may see, for every template."""
    user = getattr(request, "user", None)
    return {
        "association": Association.get(),
        "navigation": items_for(user, request.path) if user is not None else [],
    }
