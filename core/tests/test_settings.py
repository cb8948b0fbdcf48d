"""Production settings fail closed; development defaults are safe."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x" * 20 + "-production-secret-" + "y" * 20


KEY = Fernet.generate_key().decode()
SHARED_CACHE = "redis://127.0.0.1:6379/1"  # settings only: nothing connects to it in these checks


def run_manage(*args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """manage.py with production settings; a variable given as None is left unset."""
    ignored = {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "CACHE_URL"}
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "raadhuis.settings.production",
            "RAADHUIS_ENCRYPTION_KEYS": KEY,
            "CACHE_URL": SHARED_CACHE,
            **env,
        }
    )
    environment = {k: v for k, v in environment.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key() -> None:
    result = run_manage("check", ALLOWED_HOSTS="raadhuis.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug() -> None:
    result = run_manage("check", SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="raadhuis.example.org", DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must not be enabled" in result.stderr


def test_production_refuses_missing_allowed_hosts() -> None:
    result = run_manage("check", SECRET_KEY=GOOD_SECRET)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_to_start_without_encryption_keys() -> None:
    result = run_manage(
        "check", SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="raadhuis.example.org", RAADHUIS_ENCRYPTION_KEYS=""
    )
    assert result.returncode != 0
    assert "RAADHUIS_ENCRYPTION_KEYS" in result.stderr


@pytest.mark.parametrize("cache_url", ["locmemcache://raadhuis", "dummycache://", None])
def test_production_refuses_a_cache_of_one_process(cache_url: str | None) -> None:
    """Rate limits (logins, API) are counted in the cache; a per-process cache would multiply them
    by the number of processes. Without CACHE_URL (None) the default is such a cache."""
    result = run_manage("check", SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="raadhuis.example.org", CACHE_URL=cache_url)
    assert result.returncode != 0
    assert "Set CACHE_URL to a cache that all processes share" in result.stderr


@pytest.mark.parametrize(
    "extra",
    [{}, {"BEHIND_TLS_PROXY": "true", "CACHE_URL": "rediscache://127.0.0.1:6379/2"}],
    ids=["plain", "behind-proxy"],
)
def test_check_deploy_is_clean_with_production_settings(extra: dict[str, str]) -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="raadhuis.example.org",
        **extra,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_sends_hsts_secure_cookies_and_a_strict_content_security_policy() -> None:
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'middleware': s.MIDDLEWARE, 'csp': s.CONTENT_SECURITY_POLICY, 'hsts': s.SECURE_HSTS_SECONDS,"
        "'cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY],"
        "'redirect': s.SECURE_SSL_REDIRECT, 'nosniff': s.SECURE_CONTENT_TYPE_NOSNIFF,"
        "'referrer': s.SECURE_REFERRER_POLICY, 'permissions': s.PERMISSIONS_POLICY}))"
    )
    result = run_manage(
        "shell", "--no-imports", "-c", script, SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="raadhuis.example.org"
    )
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout)
    assert "csp.middleware.CSPMiddleware" in production["middleware"]
    assert "core.middleware.PermissionsPolicyMiddleware" in production["middleware"]
    directives = production["csp"]["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in json.dumps(directives) and "'unsafe-eval'" not in json.dumps(directives)
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert production["hsts"] >= 31_536_000
    assert production["cookies"] == [True, True, True]
    assert production["redirect"] is True and production["nosniff"] is True
    assert production["referrer"] == "same-origin"
    assert production["permissions"]["camera"] == [] and production["permissions"]["publickey-credentials-get"] == [
        "self"
    ]


def test_development_settings_are_local_only() -> None:
    from django.conf import settings

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("ALLOWED_HOSTS", raising=False)
        import importlib

        import raadhuis.settings.development as development

        importlib.reload(development)
        assert development.ALLOWED_HOSTS == ["127.0.0.1", "localhost", "[::1]"]
    assert settings.TIME_ZONE == "Europe/Amsterdam"
    assert settings.LANGUAGE_CODE == "nl"
