"""The production settings with the benchmarks' bare view added (`/bench/plain`): what bench/load.py
serves, so that its baseline goes through the same gunicorn processes and the same middleware as
the pages it measures."""

from raadhuis.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
