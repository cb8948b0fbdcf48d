"""The API's documentation page (/api/docs): django-ninja's Swagger UI inside the site's own page
(base template: language, landmarks, heading, navigation), with settings and a stylesheet that make
Swagger UI meet WCAG 2.1 AA (static/css/api-docs.css; no inline styles or scripts, the CSP holds)."""

from __future__ import annotations

from ninja.openapi.docs import Swagger

# Without deep links Swagger UI does not put a link inside each operation's expand button (axe:
# nested-interactive); the document is short enough to find an operation without them.
SETTINGS = {
    "deepLinking": False,
    "displayRequestDuration": True,
    # The highlighter colours code with style="" attributes in colours below 4.5:1 contrast.
    "syntaxHighlight": {"activated": False},
}


class AccessibleSwagger(Swagger):
    template = "api/docs.html"


def docs() -> AccessibleSwagger:
    return AccessibleSwagger(settings=SETTINGS)
