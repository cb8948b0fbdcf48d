"""Development and demo: safe defaults, listens on localhost only."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# Only ever used on a developer's machine; production refuses to start without its own key.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-raadhuis-never-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True

# The default SQLite file and uploads live in var/ (ignored by git).
(BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405

# Static files straight from the app directories, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
