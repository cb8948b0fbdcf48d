"""Benchmark: 500 concurrent registrations (several processes) for an event with 100 seats.

Asserts the outcome (100 confirmed, 400 waitlisted in signup order, no errors) and prints the
registration rate; target >= 150 registrations/second on PostgreSQL. The baseline in the same run:
the floor for the same work in bare SQL (psycopg), from as many processes started together, for a
second event with 100 seats and the same 500 members: per registration the row lock on the event,
the count of seats taken and waiting, the insert of the registration, commit, and the insert of
its e-mail task row (as the app queues it after commit). Printed beside the target: app rate /
floor rate, i.e. how much of what PostgreSQL allows on this machine at this moment the app reaches.

    python bench/registration.py [--processes 8] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_REG_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/raadhuis_bench_reg"
)
os.environ.setdefault("EMAIL_URL", "consolemail://")

PEOPLE, SEATS = 500, 100
TARGET = 150


def create_event(slug: str) -> int:
    from django.utils import timezone

    from events.models import Event, Session

    now = timezone.now()
    event = Event.objects.create(
        title="Leergang Raadslid in de praktijk",
        slug=slug,
        summary="Benchmark",
        status="published",
        capacity=SEATS,
        registration_opens=now - datetime.timedelta(days=1),
        registration_closes=now + datetime.timedelta(days=10),
        cancellation_deadline=now + datetime.timedelta(days=9),
        asks_needs=False,
    )
    Session.objects.create(
        event=event,
        starts_at=now + datetime.timedelta(days=12),
        ends_at=now + datetime.timedelta(days=12, hours=3),
        location_name="Utrecht",
        address="Stadhuisbrug 1",
    )
    return int(event.pk)


def setup() -> tuple[int, int, list[int]]:
    """A fresh database with two events of SEATS seats (one for the app, one for the floor) and
    PEOPLE members."""
    from bench.common import recreate_database

    recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from members.models import Member

    event_id, floor_event_id = create_event("leergang"), create_event("leergang-sql")
    members = Member.objects.bulk_create(
        [
            Member(
                given_name="Lid", family_name=f"Nummer{n}", sort_name=f"nummer{n:04d}", email=f"lid{n}@bench.example"
            )
            for n in range(PEOPLE)
        ]
    )
    return event_id, floor_event_id, [m.pk for m in members]


def worker(event_id: int, member_ids: list[int], go: Any, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import django

    django.setup()
    from django.test.utils import override_settings

    from events import services
    from events.models import Event
    from members.models import Member

    errors = 0
    # As in production: e-mails are queued for the worker (one row each), not rendered here.
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    ):
        event = Event.objects.get(pk=event_id)
        members = list(Member.objects.filter(pk__in=member_ids))
        queue.put("ready")
        go.wait()
        for member in members:
            try:
                services.register(event=event, member=member)
            except Exception:  # noqa: BLE001
                errors += 1
    queue.put(errors)


FLOOR_LOCK = (
    "SELECT id, status, capacity, registration_opens, registration_closes FROM events_event WHERE id = %s FOR UPDATE"
)
FLOOR_COUNT = """SELECT count(*) FILTER (WHERE status IN ('confirmed', 'offered')),
       count(*) FILTER (WHERE status = 'waitlisted'),
       count(*) FILTER (WHERE member_id = %s AND status NOT IN ('cancelled', 'expired'))
  FROM events_registration WHERE event_id = %s"""
FLOOR_INSERT = """INSERT INTO events_registration (event_id, member_id, guest_name, guest_email, status, signed_up_at,
  needs, on_participant_list, token, token_hash, invoice_number, reminded_sessions)
  VALUES (%s, %s, '', '', %s, now(), '', false, %s, %s, '', '[]') RETURNING id"""
FLOOR_TASK = """INSERT INTO django_tasks_database_dbtaskresult (id, status, args_kwargs, priority, task_path,
  queue_name, backend_name, run_after, enqueued_at, exception_class_path, traceback, worker_ids)
  VALUES (%s, 'READY', %s, 0, 'events.tasks.send_registration_mail', 'default', 'default', now(), now(),
  '', '', '[]')"""


def floor_worker(url: str, event_id: int, member_ids: list[int], go: Any, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """The same registrations in bare SQL: lock, count, insert, commit; then the e-mail task row."""
    import hashlib
    import json
    import secrets
    import uuid

    import psycopg

    errors = 0
    with psycopg.connect(url) as conn:
        queue.put("ready")
        go.wait()
        for member_id in member_ids:
            try:
                with conn.transaction():
                    conn.execute(FLOOR_LOCK, (event_id,)).fetchone()
                    taken, waiting, mine = conn.execute(FLOOR_COUNT, (member_id, event_id)).fetchone()  # type: ignore[misc]
                    if mine:
                        raise RuntimeError("already registered")
                    status = "confirmed" if taken < SEATS and not waiting else "waitlisted"
                    token = secrets.token_urlsafe(24)
                    row = conn.execute(
                        FLOOR_INSERT,
                        (event_id, member_id, status, token, hashlib.sha256(token.encode()).hexdigest()),
                    ).fetchone()
                kind = status
                with conn.transaction():
                    conn.execute(FLOOR_TASK, (uuid.uuid4(), json.dumps({"args": [row[0], kind, None], "kwargs": {}})))  # type: ignore[index]
            except Exception:  # noqa: BLE001
                errors += 1
    queue.put(errors)


def run_processes(target: Any, args: tuple[Any, ...], chunks: list[list[int]]) -> tuple[float, int]:
    """Start one process per chunk and let them begin together once all are ready (connected,
    their rows loaded); the seconds from then until the last one is done, and the errors they report."""
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    go = context.Event()
    processes = [context.Process(target=target, args=(*args, chunk, go, queue)) for chunk in chunks]
    for p in processes:
        p.start()
    for _ in processes:
        assert queue.get(timeout=300) == "ready"
    began = time.perf_counter()
    go.set()
    errors = sum(queue.get() for _ in processes)
    elapsed = time.perf_counter() - began
    for p in processes:
        p.join()
    return elapsed, errors


def outcome(event_id: int) -> tuple[int, int, int, bool]:
    """Registrations, confirmed, waitlisted, and whether the waitlist kept signup order."""
    from events.models import Registration

    rows = list(
        Registration.objects.filter(event_id=event_id).order_by("signed_up_at", "pk").values_list("status", flat=True)
    )
    confirmed, waiting = rows.count("confirmed"), rows.count("waitlisted")
    return len(rows), confirmed, waiting, rows == ["confirmed"] * confirmed + ["waitlisted"] * waiting


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    event_id, floor_event_id, member_ids = setup()
    from django.db import connections

    connections.close_all()
    chunks = [member_ids[i :: args.processes] for i in range(args.processes)]
    load_before = os.getloadavg()
    elapsed, errors = run_processes(worker, (event_id,), chunks)
    floor_elapsed, floor_errors = run_processes(floor_worker, (os.environ["DATABASE_URL"], floor_event_id), chunks)
    load_after = os.getloadavg()

    total, confirmed, waiting, in_order = outcome(event_id)
    floor_total, floor_confirmed, floor_waiting, floor_in_order = outcome(floor_event_id)
    rate, floor_rate = total / elapsed, floor_total / floor_elapsed
    lines = [
        f"registrations (app): {total} in {elapsed:.2f} s with {args.processes} processes = {rate:.0f}/s"
        f" (target >= {TARGET}/s) {'OK' if rate >= TARGET else 'BELOW TARGET'}",
        f"  confirmed {confirmed} (expected {SEATS}), waitlisted {waiting} (expected {PEOPLE - SEATS}), "
        f"signup order kept: {in_order}, errors {errors}",
        f"floor (bare SQL, same work): {floor_total} in {floor_elapsed:.2f} s = {floor_rate:.0f}/s; "
        f"confirmed {floor_confirmed}, waitlisted {floor_waiting}, signup order kept: {floor_in_order}, "
        f"errors {floor_errors}",
        f"app / floor: {rate / floor_rate:.2f} (for information: the share of the machine's floor the app reaches)",
        f"load average (1 min) before/after: {load_before[0]:.1f} / {load_after[0]:.1f} on {os.cpu_count()} CPUs",
    ]
    print("\n".join(lines))
    ok = confirmed == SEATS and waiting == PEOPLE - SEATS and in_order and errors == 0
    ok = ok and floor_confirmed == SEATS and floor_waiting == PEOPLE - SEATS and floor_in_order and not floor_errors
    if args.write:
        machine = f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})"
        with open(ROOT / "docs" / "PERFORMANCE.md", "a", encoding="utf-8") as handle:
            handle.write(
                f"\n### Concurrent registrations — {datetime.date.today().isoformat()}\n\n"
                f"Machine: {machine}. PostgreSQL; "
                f"{PEOPLE} members registering at once for {SEATS} seats from {args.processes} processes "
                "(service calls; each confirmation e-mail queued for the worker), against the same work in bare "
                "SQL from as many processes.\n\n```\n" + "\n".join(lines) + "\n```\n"
            )
    # Exit 1 when the outcome is wrong or the rate is below the target (make bench reports it at the end).
    sys.exit(0 if ok and rate >= TARGET else 1)


if __name__ == "__main__":
    main()
