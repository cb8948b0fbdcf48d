"""Read replicas: which reads may go to a streaming replica, and which replica is fit to serve them.

Settings (see docs/OPERATIONS.md): DATABASE_REPLICA_URLS (comma-separated, none by default, ignored on
SQLite) become the aliases in settings.DATABASE_REPLICAS. Only reads that may be slightly stale go to
a replica: a safe request (GET, HEAD) to a view in REPLICA_VIEWS or to the API, from a visitor who has
not written anything in the last DATABASE_REPLICA_PIN_SECONDS (the pin cookie set after every other
request method: people read their own writes). Everything else, every write, every read inside a
transaction on the primary and every read after a write in the same request goes to the primary.

A replica is used only while it is healthy: reachable and not lagging more than
DATABASE_REPLICA_MAX_LAG seconds behind the primary (checked at most every
DATABASE_REPLICA_CHECK_SECONDS per process). When a replica fails during a request, the view is
answered again from the primary and the replica is skipped until the next check.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)

PRIMARY = "default"
PIN_COOKIE = "raadhuis_primary"

# Views whose GET answers may be a few seconds old: search, the directory and public pages. The API
# (namespace "api") is added by its namespace.
REPLICA_VIEWS = frozenset(
    {
        "core:home",
        "core:body_list",
        "core:body_detail",
        "library:search",
        "library:document",
        "members:directory",
        "members:member_detail",
        "members:branch_detail",
    }
)
REPLICA_NAMESPACES = frozenset({"api"})

# Apps whose rows decide who the visitor is and what runs: always read from the primary (a session
# written at login must be found on the next page, a task must never be taken twice).
PRIMARY_APPS = frozenset({"sessions", "accounts", "auth", "account", "mfa", "django_tasks_database"})

# The replica alias this request's reads may use ("" when none), and whether it wrote already.
_replica_for_request: ContextVar[str] = ContextVar("replica_for_request", default="")
_wrote: ContextVar[bool] = ContextVar("replica_wrote", default=False)

_health_lock = threading.Lock()
_health: dict[str, tuple[float, bool]] = {}  # alias -> (checked at, healthy)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def forget_health() -> None:
    """Forget every health check (tests, and after a configuration change)."""
    with _health_lock:
        _health.clear()


def mark_unhealthy(alias: str) -> None:
    with _health_lock:
        _health[alias] = (time.monotonic(), False)


def replica_lag_seconds(alias: str) -> float:
    """Seconds the replica is behind the primary: 0 when it has replayed everything the primary wrote.

    Raises DatabaseError when either server cannot be reached. The replay timestamp alone would
    report an idle cluster as lagging, so the age counts only while the replica's replayed position
    is behind the primary's current one.
    """
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        primary_lsn = cursor.fetchone()[0]
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()),"
            " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
            [primary_lsn],
        )
        in_recovery, behind_bytes, age = cursor.fetchone()
    if not in_recovery:
        raise DatabaseError(f"{alias} is not a replica (not in recovery)")
    if behind_bytes is None or behind_bytes <= 0:
        return 0.0
    return float(age or 0.0)


def is_healthy(alias: str) -> bool:
    now = time.monotonic()
    with _health_lock:
        checked = _health.get(alias)
    if checked and now - checked[0] < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return checked[1]
    try:
        lag = replica_lag_seconds(alias)
        healthy = lag <= settings.DATABASE_REPLICA_MAX_LAG
        if not healthy:
            logger.warning("replica %s skipped: %.1f s behind the primary", alias, lag)
    except DatabaseError as error:
        logger.warning("replica %s skipped: %s", alias, error)
        close_quietly(alias)
        healthy = False
    with _health_lock:
        _health[alias] = (time.monotonic(), healthy)
    return healthy


def close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        # A connection the server already dropped cannot be closed cleanly; it is gone either way.
        connections[alias].connection = None


def healthy_replica() -> str:
    """A healthy replica alias chosen at random, or "" when none is."""
    aliases = replica_aliases()
    random.shuffle(aliases)
    for alias in aliases:
        if is_healthy(alias):
            return alias
    return ""


def may_use_replica(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if pinned_until(request) > time.time():
        return False
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return match.view_name in REPLICA_VIEWS or bool(set(match.namespaces) & REPLICA_NAMESPACES)


def pinned_until(request: HttpRequest) -> float:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return 0.0


class ReplicaRouter:
    """Sends the reads a request marked replica-safe to its replica; everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = _replica_for_request.get()
        if not alias or _wrote.get() or model._meta.app_label in PRIMARY_APPS:
            return None
        if connections[PRIMARY].in_atomic_block:
            return None
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        if _replica_for_request.get():
            _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # A replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == PRIMARY


class ReplicaMiddleware:
    """Marks replica-safe requests, answers from the primary when a replica fails, pins writers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        replica_token = _replica_for_request.set("")
        wrote_token = _wrote.set(False)
        try:
            response = self.get_response(request)
        finally:
            _replica_for_request.reset(replica_token)
            _wrote.reset(wrote_token)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and replica_aliases():
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        if replica_aliases() and may_use_replica(request):
            _replica_for_request.set(healthy_replica())

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        alias = _replica_for_request.get()
        if not alias or not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("replica %s failed during %s, answered from the primary: %s", alias, request.path, exception)
        mark_unhealthy(alias)
        close_quietly(alias)
        _replica_for_request.set("")
        match = request.resolver_match
        assert match is not None  # only set in process_view, after resolving
        return match.func(request, *match.args, **match.kwargs)
