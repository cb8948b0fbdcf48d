"""Security headers on every page, and templates that need no inline script or style (so the
Content-Security-Policy can forbid them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.middleware import permissions_policy
from core.roles import Role
from newsletter.models import Edition
from tests.factories import make_role_user

ROOT = Path(settings.BASE_DIR)


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]

    features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature
    assert features["publickey-credentials-get"] == "(self)"
    assert features["publickey-credentials-create"] == "(self)"

    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_error_pages_and_redirects_carry_the_policy_too(client) -> None:  # type: ignore[no-untyped-def]
    for response in (client.get("/bestaat-niet/"), client.get(reverse("members:directory"))):
        assert response.status_code in (302, 404)
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_newsletter_preview_has_its_own_narrow_policy(client) -> None:  # type: ignore[no-untyped-def]
    """The e-mail is styled inline (as e-mail must be): only this response allows inline styles,
    sandboxed, without any script, framed only by our own compose page."""
    edition = Edition.objects.create(subject="Week 40", number=40)
    client.force_login(make_role_user(Role.EDITOR))
    response = client.get(reverse("newsletter:preview", args=[edition.pk]))
    assert response.status_code == 200
    assert "<style>" in response.content.decode()
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert policy["sandbox"] == []
    assert policy["frame-ancestors"] == ["'self'"]
    assert "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_permissions_policy_format() -> None:
    header = permissions_policy({"camera": [], "publickey-credentials-get": ["self", "https://id.example.org"]})
    assert header == 'camera=(), publickey-credentials-get=(self "https://id.example.org")'


# E-mail bodies are styled inline (mail programs ignore style sheets) and PDF templates are
# rendered by WeasyPrint; neither is ever served as a page under the site's policy.
NOT_PAGES = re.compile(r"/(email|pdf)/|_pdf\.html$")
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "<style> element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def page_templates() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    return [
        path
        for folder in folders
        if ".venv" not in folder.parts and "node_modules" not in folder.parts
        for path in folder.rglob("*.html")
        if not NOT_PAGES.search(path.as_posix())
    ]


def test_page_templates_have_no_inline_script_or_style() -> None:
    templates = page_templates()
    assert len(templates) > 50
    found = [
        f"{path.relative_to(ROOT)}: {label}"
        for path in templates
        for pattern, label in INLINE
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert not found, "Move these to static/js or static/css (CSP without 'unsafe-inline'):\n" + "\n".join(found)
