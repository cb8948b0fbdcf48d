"""WSGI entry point. Defaults to production settings: a server never runs on dev defaults."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raadhuis.settings.production")

application = get_wsgi_application()
