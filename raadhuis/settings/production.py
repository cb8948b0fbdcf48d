"""Production: fails closed. No DEBUG, no default secret, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

if env.bool("DEBUG", default=False):
    raise ImproperlyConfigured("DEBUG must not be enabled with production settings.")
DEBUG = False

SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")
RAADHUIS_ENCRYPTION_KEYS = env.list("RAADHUIS_ENCRYPTION_KEYS", default=[])
if not RAADHUIS_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("Set RAADHUIS_ENCRYPTION_KEYS (manage.py generate_encryption_key prints one).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma separated host names).")
# Login and API rate limits, the association's settings and the directory's pages live in the cache:
# a cache of one process (memory, or none at all) would let every process count its own attempts.
PER_PROCESS_CACHES = {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}
if CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:  # noqa: F405
    raise ImproperlyConfigured(
        "Set CACHE_URL to a cache that all processes share (redis://host:6379/1): with a per-process "
        "memory cache the login and API rate limits count per process."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"https://{h}" for h in ALLOWED_HOSTS])

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,  # noqa: F405  (local disk or S3-compatible, see base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
