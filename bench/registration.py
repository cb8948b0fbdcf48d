"""Benchmark: 500 concurrent registrations (several processes) for an event with 100 seats.

Asserts the outcome (100 confirmed, 400 waitlisted in signup order, no errors) and prints the
registration rate; target >= 150 registrations/second on PostgreSQL.

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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_REG_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/raadhuis_bench_reg"
)
os.environ.setdefault("EMAIL_URL", "consolemail://")

PEOPLE, SEATS = 500, 100


def setup() -> tuple[int, list[int]]:
    from bench.common import recreate_database

    recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from events.models import Event, Session
    from members.models import Member

    now = timezone.now()
    event = Event.objects.create(
        title="Leergang Raadslid in de praktijk",
        slug="leergang",
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
    members = Member.objects.bulk_create(
        [
            Member(
                given_name="Lid", family_name=f"Nummer{n}", sort_name=f"nummer{n:04d}", email=f"lid{n}@bench.example"
            )
            for n in range(PEOPLE)
        ]
    )
    return event.pk, [m.pk for m in members]


def worker(event_id: int, member_ids: list[int], start_at: float, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
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
        while time.time() < start_at:
            time.sleep(0.001)
        for member in members:
            try:
                services.register(event=event, member=member)
            except Exception:  # noqa: BLE001
                errors += 1
    queue.put(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    event_id, member_ids = setup()
    from django.db import connections

    connections.close_all()
    chunks = [member_ids[i :: args.processes] for i in range(args.processes)]
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 2
    processes = [context.Process(target=worker, args=(event_id, chunk, start_at, queue)) for chunk in chunks]
    for p in processes:
        p.start()
    errors = sum(queue.get() for _ in processes)
    for p in processes:
        p.join()
    elapsed = time.time() - start_at

    from events.models import Registration

    rows = list(
        Registration.objects.filter(event_id=event_id).order_by("signed_up_at", "pk").values_list("status", flat=True)
    )
    confirmed, waiting = rows.count("confirmed"), rows.count("waitlisted")
    in_order = rows == ["confirmed"] * confirmed + ["waitlisted"] * waiting
    rate = len(rows) / elapsed
    lines = [
        f"registrations: {len(rows)} in {elapsed:.2f} s with {args.processes} processes"
        f" = {rate:.0f}/s (target >= 150/s)",
        f"confirmed {confirmed} (expected {SEATS}), waitlisted {waiting} (expected {PEOPLE - SEATS}), "
        f"signup order kept: {in_order}, errors {errors}",
    ]
    print("\n".join(lines))
    ok = confirmed == SEATS and waiting == PEOPLE - SEATS and in_order and errors == 0
    if args.write:
        machine = f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})"
        with open(ROOT / "docs" / "PERFORMANCE.md", "a", encoding="utf-8") as handle:
            handle.write(
                f"\n### Concurrent registrations — {datetime.date.today().isoformat()}\n\n"
                f"Machine: {machine}. PostgreSQL; "
                f"{PEOPLE} members registering at once for {SEATS} seats from {args.processes} processes "
                "(service calls; each confirmation e-mail queued for the worker).\n\n```\n"
                + "\n".join(lines)
                + "\n```\n"
            )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
