"""Settings for benchmarks: production behaviour (DEBUG off, templates cached) on a local server
without TLS, plus a bare view to measure the framework's own cost."""

from raadhuis.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "bench-only-key-" + "x" * 40
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
RAADHUIS_ALLOW_DERIVED_KEY = True
