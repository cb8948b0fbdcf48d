"""The demo (`make demo`): the development settings with DEBUG off.

A newcomer judges the product by the demo, so it shows what production shows: the site's own
404/403/500 pages in the visitor's language (Dutch or English), never Django's debug page with
the site's URL structure. Static files still come straight from the app directories: WhiteNoise
serves them through the finders (WHITENOISE_USE_FINDERS in development.py), without DEBUG and
without collectstatic. `DEBUG=true make demo` brings the debug pages back for a developer.
"""

from .development import *  # noqa: F403
from .development import env

DEBUG = env.bool("DEBUG", default=False)
# (the demo's accounts: `make demo` loads them with DEBUG off)
DEMO_DATA_ALLOWED = True
# The field encryption's key derived from the development SECRET_KEY, as with DEBUG on.
RAADHUIS_ALLOW_DERIVED_KEY = True
