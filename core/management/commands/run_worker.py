"""The task worker for production: django-tasks' `db_worker` plus a heartbeat for /healthz.

Takes every option of `db_worker` (--queue-name, --worker-id, --interval, --batch, ...)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core.heartbeat import HeartbeatThread


class Command(DbWorkerCommand):
    help = "Run a task worker (django-tasks' db_worker) that records a heartbeat, checked by /healthz."

    def handle(self, *args: Any, **options: Any) -> None:
        # `--worker-id` without a value gives None: the heartbeat and the worker need one id.
        options["worker_id"] = options["worker_id"] or get_random_string(32)
        reload = options["reload"] and not options["batch"]
        # With --reload the worker runs in a child process; only that one beats.
        runs_tasks = not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        heartbeat = None
        if runs_tasks:
            heartbeat = HeartbeatThread(
                worker_id=options["worker_id"],
                queues=options["queue_name"],
                interval=settings.WORKER_HEARTBEAT_INTERVAL,
            )
            heartbeat.start()
            # The worker is announced before it takes its first task (and the two never write at
            # the same moment at start-up; SQLite's shared test database has no busy wait).
            heartbeat.first_beat.wait(timeout=10)
        try:
            super().handle(*args, **options)
        finally:
            if heartbeat is not None:
                heartbeat.stop()
