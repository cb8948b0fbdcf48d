from __future__ import annotations

import hashlib
import logging

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from members.selectors import mandates_in_body
from newsletter.forms import SubscribeForm

from . import selectors
from .files import serve_file
from .heartbeat import worker_status
from .home import blocks_for
from .models import HEX_COLOUR, Association, Body, Tier
from .navigation import management_for
from .permissions import can, require
from .selectors import body_list as select_bodies
from .selectors import provinces

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see what the platform is; signed-in users see what is new for them and
    what waits for them in their roles (core.home: the blocks the apps register)."""
    if not request.user.is_authenticated:
        return render(
            request,
            "core/landing.html",
            {"blocks": selectors.front_page(request.user), "subscribe_form": SubscribeForm(auto_id="subscribe_%s")},
        )
    return render(request, "core/home.html", {"blocks": blocks_for(request.user)})


def manage(request: HttpRequest) -> HttpResponse:
    """The tools for staff that this user may use."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    tools = management_for(request.user)
    if not tools:
        raise PermissionDenied
    return render(request, "core/manage.html", {"tools": tools})


@require("core.view_body")
def body_list(request: HttpRequest) -> HttpResponse:
    tier = request.GET.get("tier", "")
    if tier not in Tier.values:
        tier = ""
    province = request.GET.get("province", "")
    query = request.GET.get("q", "").strip()[:100]
    bodies = select_bodies(tier=tier or None, query=query, province=province or None)
    page = Paginator(bodies, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "tier": tier,
        "province": province,
        "query": query,
        "tiers": [(value, label) for value, label in Tier.choices if value != Tier.NATIONAL],
        "provinces": provinces(),
    }
    template = "core/_body_results.html" if request.headers.get("HX-Request") else "core/body_list.html"
    return render(request, template, context)


def _body(request: HttpRequest, code: str) -> Body:
    return get_object_or_404(Body.objects.select_related("province", "successor"), code=code.upper())


@require("core.view_body", get_object=_body)
def body_detail(request: HttpRequest, code: str, obj: Body) -> HttpResponse:
    body = obj
    context = {
        "body": body,
        "mandates": (
            mandates_in_body(body=body, viewer=request.user) if can(request.user, "members.view_directory") else None
        ),
        "municipalities": body.municipalities.current().order_by("search_name") if body.tier == Tier.PROVINCIAL else [],
        "water_boards": body.water_boards.order_by("search_name") if body.tier == Tier.PROVINCIAL else [],
        "main_provinces": body.provinces.order_by("search_name") if body.tier == Tier.WATER_BOARD else [],
        "predecessors": body.predecessors.order_by("search_name"),
    }
    return render(request, "core/body_detail.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For monitoring and load balancers: 200 when the database answers and a task worker has
    reported within WORKER_HEARTBEAT_MAX_AGE seconds, 503 with the reason otherwise.

    `?checks=database` checks only the database: for a load balancer deciding whether this web
    process can serve pages (a stopped worker should alert, not take every web process out)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001  (any failure means unhealthy)
        checks["database"] = f"error: {type(error).__name__}"
    if request.GET.get("checks") != "database":
        if checks["database"] != "ok":
            checks["worker"] = "error: unknown, the database is unavailable"
        elif (worker := worker_status()) is not None:
            checks["worker"] = worker
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
    if not healthy:
        # A failing check is monitoring's news, logged once here as a warning; not an error of
        # the application that Django would log (and mail to ADMINS) on every poll.
        logger.warning("Health check failed: %s", ", ".join(f"{k} {v}" for k, v in checks.items() if v != "ok"))
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@require_GET
@cache_control(max_age=300, public=True)
def theme_css(request: HttpRequest) -> HttpResponse:
    """The association's colours as CSS variables: a stylesheet, not inline styles (CSP)."""
    association = Association.get()
    colours = {
        # Re-checked here: a value written around the form validation must not break out of CSS.
        "primary": association.primary_colour if HEX_COLOUR.match(association.primary_colour) else "#1d4e89",
        "accent": association.accent_colour if HEX_COLOUR.match(association.accent_colour) else "#a4321c",
    }
    css = render_to_string("core/theme.css", {"colours": colours})
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = '"' + hashlib.sha256(css.encode()).hexdigest()[:16] + '"'
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    return HttpResponse(render_to_string("500.html"), status=500)


def association_logo(request: HttpRequest) -> HttpResponse:
    """The logo is public; other uploaded files are served only through views that check permission."""
    association = Association.get()
    if not association.logo:
        raise Http404
    return serve_file(association.logo, cache_seconds=3600, public=True)
