#!/usr/bin/env python
"""Django's command-line utility for raadhuis."""

import os
import sys


def main() -> None:
    # Development settings by default; production sets DJANGO_SETTINGS_MODULE explicitly
    # (the WSGI/ASGI entry points default to production, so a server never runs on dev settings).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raadhuis.settings.development")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
