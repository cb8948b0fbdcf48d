from typing import Any

from django import template

from core.permissions import can as can_

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, permission: str, obj: Any = None) -> bool:
    """{% can "app.permission" obj as allowed %}: the same check as the views."""
    return can_(context["request"].user, permission, obj)


@register.filter
def role_label(slug: str) -> str:
    """The translated label of a role slug ("adviser" -> "Adviseur")."""
    from core.roles import Role

    return str(Role(slug).label) if slug in Role.values else slug


@register.filter
def euros(cents: int | None) -> str:
    """{{ amount_cents|euros }} -> "€ 1.250,00"; unknown amounts say so, they are never 0."""
    from django.utils.translation import gettext

    from core.text import format_euros

    return format_euros(cents, unknown=gettext("unknown"))
