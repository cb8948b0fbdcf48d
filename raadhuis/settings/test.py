"""Settings for the test suite: fast hashing, tasks run in-process, mail kept in memory."""

import os

import environ

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
SECRET_KEY = "test-only-key-raadhuis"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run at once in the test process; tests of the worker itself use the database backend.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files straight from the app directories, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tests use a key derived from SECRET_KEY (production requires RAADHUIS_ENCRYPTION_KEYS).
RAADHUIS_ALLOW_DERIVED_KEY = True

# Read replicas are off for the suite (TestCase transactions are invisible to a replica); the replica
# tests (core/tests/test_replicas.py) switch DATABASE_REPLICAS on against the streaming replica that
# .ci/replica starts, given as TEST_DATABASE_REPLICA_URL. As a test mirror it gets no test database
# of its own: the replica already receives the primary's through replication.
DATABASE_REPLICAS = []
for _alias in [name for name in DATABASES if name.startswith("replica_")]:
    del DATABASES[_alias]
if os.environ.get("TEST_DATABASE_REPLICA_URL") and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["replica_1"] = environ.Env.db_url_config(os.environ["TEST_DATABASE_REPLICA_URL"])
    DATABASES["replica_1"]["OPTIONS"] = {"connect_timeout": 2}
    DATABASES["replica_1"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica_1"]["TEST"] = {"MIRROR": "default"}
LIBRARY_SEARCH_INDEX_DIR = None  # in memory, a new one per test (conftest)
LIBRARY_SEARCH_APPLY_INLINE = True
NETWORKS_SEARCH_INDEX_DIR = None  # in memory, a new one per test (conftest)
