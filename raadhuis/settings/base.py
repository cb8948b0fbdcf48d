"""Settings shared by every environment; everything that differs comes from the environment.

Environment variables (all optional in development, see production.py for what production requires):
DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, EMAIL_URL, DEFAULT_FROM_EMAIL, CACHE_URL, DEBUG,
RAADHUIS_DATA_DIR (reference data, default ../shared/data), MEDIA_ROOT, RAADHUIS_BASE_URL,
DATABASE_POOLED, DATABASE_REPLICA_URLS, DATABASE_REPLICA_MAX_LAG, DATABASE_REPLICA_PIN_SECONDS.
"""

import os
from email.utils import getaddresses
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# `load_demo` creates accounts with known passwords: only where DEBUG is on or this says so (the demo).
DEMO_DATA_ALLOWED = False
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])

# Reference data (municipalities, provinces, water boards) is read from outside the repository.
RAADHUIS_DATA_DIR = Path(env.str("RAADHUIS_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data")))
# Absolute address of the site, for links in e-mails sent by the background worker.
RAADHUIS_BASE_URL = env.str("RAADHUIS_BASE_URL", default="http://127.0.0.1:8000")
RAADHUIS_INVITATION_VALID_DAYS = env.int("RAADHUIS_INVITATION_VALID_DAYS", default=14)
# Fernet keys for data encrypted at rest (advice cases); the first encrypts, all decrypt.
RAADHUIS_ENCRYPTION_KEYS: list[str] = env.list("RAADHUIS_ENCRYPTION_KEYS", default=[])
# Advice desk: hours before an unanswered threat report counts as overdue; years content is kept.
RAADHUIS_THREAT_RESPONSE_HOURS = env.int("RAADHUIS_THREAT_RESPONSE_HOURS", default=4)
RAADHUIS_CASE_RETENTION_DAYS = env.int("RAADHUIS_CASE_RETENTION_DAYS", default=730)
# Candidate selection: months the data of applicants who were not placed is kept after a procedure
# ended, the days before its deletion they are told, and the largest CV accepted.
RAADHUIS_SELECTION_RETENTION_MONTHS = env.int("RAADHUIS_SELECTION_RETENTION_MONTHS", default=6)
RAADHUIS_SELECTION_NOTICE_DAYS = env.int("RAADHUIS_SELECTION_NOTICE_DAYS", default=30)
SELECTION_MAX_CV_BYTES = env.int("SELECTION_MAX_CV_MB", default=10) * 1024 * 1024

INSTALLED_APPS = [
    "core.admin_config.RaadhuisAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "core",
    "accounts",
    "members",
    "events",
    "desk",
    "programme",
    "library",
    "newsletter",
    "selection",
    "networks",
    "ninja",
    "api",
    "demo",
]

MIDDLEWARE = [
    "core.logs.RequestIdMiddleware",
    "core.middleware.QueryStringMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.replicas.ReplicaMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SearchIndexUnavailableMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    "networks.middleware.ExpertConfinementMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "raadhuis.urls"
WSGI_APPLICATION = "raadhuis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "core.forms.FormRenderer"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'raadhuis.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web process and the task worker share the file
    # without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode (DATABASE_POOLED=true) a server connection serves a client
    # for one transaction only: no server-side cursors (iterator() then fetches in chunks client-side).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_POOLED", default=False)
# Streaming read replicas (PostgreSQL only): stale-tolerant reads go there, see core/replicas.py.
DATABASE_REPLICAS: list[str] = []
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    for number, url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
        alias = f"replica_{number}"
        DATABASES[alias] = env.db_url_config(url)
        DATABASES[alias].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
        DATABASES[alias]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
        DATABASES[alias]["CONN_HEALTH_CHECKS"] = True
        DATABASES[alias]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"]
        DATABASE_REPLICAS.append(alias)
DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
# Seconds a replica may be behind before it is skipped; how often that is checked per process; how
# long a visitor reads from the primary after writing.
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=10.0)
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=3.0)
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=15)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://raadhuis")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Permissions come only from rules (core.permissions.can); there is no per-user
    # permission table and no superuser shortcut in our own checks.
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"

# django-allauth: e-mail login, no open sign-up (members are invited), MFA.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_RATE_LIMITS = {
    # Failed logins: per IP and per account key; further attempts get a 429 page.
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
MFA_ADAPTER = "accounts.adapter.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic writes here; WhiteNoise serves it from every web process.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Uploaded files live on the local disk (MEDIA_ROOT) unless MEDIA_STORAGE=s3 or
# AWS_STORAGE_BUCKET_NAME is set: then in an S3-compatible bucket (django-storages; needs boto3),
# private (no ACL is sent, so the bucket's default applies), never overwritten. Either way they are
# served only through the views that check permission (core/files.py), never by URL.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="s3" if env.str("AWS_STORAGE_BUCKET_NAME", default="") else "local")
if MEDIA_STORAGE == "s3":
    if not env.str("AWS_STORAGE_BUCKET_NAME", default=""):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    MEDIA_STORAGE_BACKEND: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            # Another provider than AWS (MinIO, Ceph, Hetzner, Scaleway...): its address.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            # A folder in the bucket, so one bucket can hold several installations.
            "location": env.str("AWS_LOCATION", default=""),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            # The keys come from AWS_S3_ACCESS_KEY_ID/AWS_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID/
            # AWS_SECRET_ACCESS_KEY, or boto3's own sources) in the environment.
        },
    }
elif MEDIA_STORAGE == "local":
    MEDIA_STORAGE_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured('MEDIA_STORAGE must be "local" or "s3".')
STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
# Uploaded motions, amendments and questions (PDF, DOCX): larger files are refused.
LIBRARY_MAX_UPLOAD_BYTES = env.int("LIBRARY_MAX_UPLOAD_MB", default=20) * 1024 * 1024

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Sending through a mail provider's HTTP API instead of SMTP (django-anymail):
# EMAIL_BACKEND=anymail.backends.<provider>.EmailBackend, with the provider's settings as
# ANYMAIL_<SETTING> (below), e.g. ANYMAIL_POSTMARK_SERVER_TOKEN or ANYMAIL_MAILGUN_API_KEY.
if env.str("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND = env.str("EMAIL_BACKEND")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Centrum voor Lokaal Bestuur <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Bounces and complaints reported by the mail provider's webhook (django-anymail), mounted at
# /anymail/ (newsletter/webhook_urls.py). ANYMAIL_WEBHOOK_SECRET is "user:password" (several,
# comma separated, while rotating) and goes into the URL given to the provider:
# https://user:password@host/anymail/postmark/tracking/. Without it the webhooks fail closed: the
# secret is then random, so every request is refused. Providers that sign their webhooks also
# need their own key from ANYMAIL_<SETTING> (ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, ...); until it is
# set, that provider's webhook answers 404.
import secrets  # noqa: E402  (kept with the setting it is for)

ANYMAIL_WEBHOOK_SECRETS: list[str] = env.list("ANYMAIL_WEBHOOK_SECRET", default=[])
if any(":" not in secret for secret in ANYMAIL_WEBHOOK_SECRETS):
    raise ImproperlyConfigured('ANYMAIL_WEBHOOK_SECRET must be "user:password".')
ANYMAIL: dict[str, object] = {
    "WEBHOOK_SECRET": ANYMAIL_WEBHOOK_SECRETS or [f"unset:{secrets.token_urlsafe(32)}"],
}
for _setting in (
    "MAILGUN_WEBHOOK_SIGNING_KEY",
    "MAILERSEND_SIGNING_SECRET",
    "MAILTRAP_TRACKING_SECRET",
    "MANDRILL_WEBHOOK_KEY",
    "POSTAL_WEBHOOK_KEY",
    "RESEND_SIGNING_SECRET",
    "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY",
    "UNISENDER_GO_API_KEY",
):
    if env.str(f"ANYMAIL_{_setting}", default=""):
        ANYMAIL[_setting] = env.str(f"ANYMAIL_{_setting}")
# Any other ANYMAIL_<SETTING> in the environment (the sending provider's API key, sender domain...).
for _name, _value in sorted(os.environ.items()):
    if _name.startswith("ANYMAIL_") and _name != "ANYMAIL_WEBHOOK_SECRET" and _value:
        ANYMAIL.setdefault(_name.removeprefix("ANYMAIL_"), _value)

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Task workers (manage.py run_worker) write a heartbeat every WORKER_HEARTBEAT_INTERVAL seconds;
# /healthz fails when the newest is older than WORKER_HEARTBEAT_MAX_AGE (0 switches the check off).
WORKER_HEARTBEAT_INTERVAL = env.int("WORKER_HEARTBEAT_INTERVAL", default=30)
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=120)
if WORKER_HEARTBEAT_MAX_AGE and WORKER_HEARTBEAT_INTERVAL >= WORKER_HEARTBEAT_MAX_AGE:
    raise ImproperlyConfigured("WORKER_HEARTBEAT_INTERVAL must be shorter than WORKER_HEARTBEAT_MAX_AGE.")

# The JSON API (api/): requests per period ("60/m", "1000/h") per client address without a token
# and per token with one (clients counted by core.clients.client_address).
API_RATE_LIMITS = {
    "anonymous": env.str("API_RATE_LIMIT_ANONYMOUS", default="60/m"),
    "token": env.str("API_RATE_LIMIT_TOKEN", default="600/m"),
}
# Proxies in front of the web processes (1 behind nginx): their X-Forwarded-For tells the client's
# address for every rate limit (core.clients, the API, allauth's login limits); 0 = REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("API_NUM_PROXIES", default=0))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, fonts and frames only from our own origin,
# never inline (JavaScript lives in static/js, colours in /thema.css). Images also as data: URLs
# (the QR code of the two-factor set-up). Views that need something else say so with django-csp's
# decorators (the newsletter preview); uploaded files carry their own policy (core/files.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (core.middleware): no powerful browser feature, except passkeys and security
# keys (WebAuthn, for two-factor authentication) on our own origin.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Logs go to the console (stderr; journald or the container runtime collects them): plain text, or
# with LOG_FORMAT=json one JSON object per line (core/logs.py), each with the request id.
# Errors (a 500, a failed background task) are e-mailed to ADMINS ("Name <address>,Other <address>")
# when it is set; see docs/OPERATIONS.md for plugging in an error tracking service instead.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured('LOG_FORMAT must be "plain" or "json".')
ADMINS = getaddresses(env.list("ADMINS", default=[]))
EMAIL_SUBJECT_PREFIX = env.str("EMAIL_SUBJECT_PREFIX", default="[raadhuis] ")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.logs.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Errors in requests (django.request) and failed tasks (django_tasks) reach ADMINS too.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django_tasks": {"handlers": ["mail_admins"]},
        # Requests for a host we do not serve are scanners, not errors: logged, not mailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
    },
}

# One 30-second step of clock drift either way between phone and server is accepted.
MFA_TOTP_TOLERANCE = 1

# The library's search index (tantivy, see library.search_index): a directory the web processes
# read and the background worker (the single writer) writes. Rebuild: manage.py search_index --rebuild.
LIBRARY_SEARCH_INDEX_DIR = env.str("LIBRARY_SEARCH_INDEX_DIR", default=str(BASE_DIR / "var" / "search-index"))
# Apply the index's change log at once in the process that changes a document (tests, benches)
# instead of in the background worker after the commit.
LIBRARY_SEARCH_APPLY_INLINE = env.bool("LIBRARY_SEARCH_APPLY_INLINE", default=False)
# The networks' search index (networks.search_index), kept like the library's (and applied inline
# with the same setting). It holds the stemmed words of posts that are encrypted in the database:
# keep it on the same protected storage. Rebuild: manage.py networks_search_index --rebuild.
NETWORKS_SEARCH_INDEX_DIR = env.str("NETWORKS_SEARCH_INDEX_DIR", default=str(BASE_DIR / "var" / "network-search-index"))
