"""ASGI entry point. Defaults to production settings: a server never runs on dev defaults."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raadhuis.settings.production")

application = get_asgi_application()
