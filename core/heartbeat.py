"""The task worker's heartbeat: a thread in each worker process writes a row (core.WorkerHeartbeat)
every WORKER_HEARTBEAT_INTERVAL seconds; /healthz reads the newest one.

django-tasks' database worker records nothing while it waits for work, so an idle but healthy
worker and a dead one look the same in its tables. The thread shows that the process is alive and
reaches the database; it keeps beating while a long task runs, which is what we want (a worker
sending a large newsletter is busy, not down).
"""

from __future__ import annotations

import datetime
import logging
import math
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Max
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Rows of workers that stopped are kept for a while (they show when a worker was last seen), then
# removed by the live workers.
FORGET_AFTER = datetime.timedelta(days=7)


def beat(*, worker_id: str, queues: str, started_at: datetime.datetime) -> None:
    """Record that worker `worker_id` is alive now."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "queues": queues[:255],
            "started_at": started_at,
            "last_seen": now,
        },
    )
    WorkerHeartbeat.objects.filter(last_seen__lt=now - FORGET_AFTER).delete()


def worker_status() -> str | None:
    """The worker check: "ok", or "error: <reason>" when no worker has beaten within
    WORKER_HEARTBEAT_MAX_AGE seconds; None when no worker is needed (tasks run in the web process,
    as in the tests, or the check is switched off with WORKER_HEARTBEAT_MAX_AGE=0). One indexed
    query."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    max_age = settings.WORKER_HEARTBEAT_MAX_AGE
    if not max_age or not isinstance(task_backends["default"], DatabaseBackend):
        return None
    latest = WorkerHeartbeat.objects.aggregate(latest=Max("last_seen"))["latest"]
    if latest is None:
        return "error: no task worker has ever reported (start manage.py run_worker)"
    age = (timezone.now() - latest).total_seconds()
    if age > max_age:
        return f"error: last worker heartbeat {math.ceil(age)} s ago (limit {max_age} s)"
    return "ok"


class HeartbeatThread(threading.Thread):
    """Beats at once, then every `interval` seconds until stop(). A failed beat (database away)
    is logged and retried at the next interval; it never stops the worker."""

    def __init__(self, *, worker_id: str, queues: str, interval: float) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.queues = queues
        self.interval = interval
        self.started_at = timezone.now()
        self._stopped = threading.Event()
        self.first_beat = threading.Event()  # set once the first beat was written (or failed)

    def run(self) -> None:
        try:
            while True:
                try:
                    close_old_connections()
                    beat(worker_id=self.worker_id, queues=self.queues, started_at=self.started_at)
                except Exception:  # a heartbeat failure must not end the worker
                    logger.warning("Worker heartbeat could not be written", exc_info=True)
                self.first_beat.set()
                if self._stopped.wait(self.interval):
                    break
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop beating and forget this worker, so /healthz does not count a worker that ended."""
        self._stopped.set()
        self.join(timeout=10)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:  # the database may be what made the worker stop
            logger.warning("Worker heartbeat could not be removed", exc_info=True)
