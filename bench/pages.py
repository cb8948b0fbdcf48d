"""Benchmark: requests per second of the member directory against a bare Django view.

With 5,000 members and 12,000 mandates on PostgreSQL, one gunicorn process serves both pages; a
load generator on loopback (keep-alive connections, fixed duration) measures each in turn. The
ratio directory / bare view is what matters (target >= 0.4): it does not depend on the machine.

    make bench                                # or: python bench/pages.py [--seconds 10] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/raadhuis_bench"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)

MEMBERS, MANDATES = 5_000, 12_000


def prepare_database() -> str:
    """Create the benchmark database afresh and fill it; return a logged-in session id."""
    from bench.common import add_members, recreate_database

    recreate_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("load_bodies", verbosity=0)
    from accounts.models import User
    from core import search
    from members.models import Member

    rng = random.Random(5000)
    words = [
        "wonen",
        "zorg",
        "jeugd",
        "klimaat",
        "energie",
        "verkeer",
        "veiligheid",
        "onderwijs",
        "financien",
        "cultuur",
        "sport",
        "water",
    ]
    members = add_members(MEMBERS, MANDATES, rng, words=words, email="lid{n}@bench.example")
    for member in members:
        search.index("member", member.pk, title=f"{member.given_name} {member.family_name}", text=member.bio)
    user = User.objects.create_user("lezer@bench.example", "bench-wachtwoord-123", name="Lezer")
    user.groups.add(Group.objects.get(name="member"))
    Member.objects.create(given_name="Lezer", family_name="Bench", email=user.email, user=user)
    from django.db import connection

    with connection.cursor() as cursor:
        # As autovacuum would have done on a production database by now.
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def load(port: int, path: str, cookie: str, seconds: float, connections: int) -> tuple[float, list[float], int]:
    """Requests per second and latencies for `path` (with "{n}" replaced by a request counter),
    from `connections` keep-alive clients."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    counter = iter(range(10**9))

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            conn.request("GET", path.replace("{n}", str(next(counter))), headers={"Cookie": f"sessionid={cookie}"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failed += 1
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - began), latencies, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--write", action="store_true", help="Append the result to docs/PERFORMANCE.md")
    args = parser.parse_args()

    print(f"Preparing {MEMBERS} members and {MANDATES} mandates on PostgreSQL...", flush=True)
    cookie = prepare_database()
    port = 8765
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi_app:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "1",
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ},
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        directory = "/leden/?tier=municipal"
        # Warm up both paths (template caches, connections).
        load(port, "/bench/plain", cookie, 1, 1)
        load(port, directory, cookie, 1, 1)
        plain_rps, plain_lat, plain_err = load(port, "/bench/plain", cookie, args.seconds, args.connections)
        dir_rps, dir_lat, dir_err = load(port, directory, cookie, args.seconds, args.connections)
        # Every request another page and query: the directory as rendered without its cache.
        cold_rps, cold_lat, cold_err = load(
            port, "/leden/?tier=municipal&q=achternaam{n}", cookie, args.seconds, args.connections
        )
    finally:
        server.terminate()
        server.wait(10)

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[18] * 1000

    ratio = dir_rps / plain_rps
    lines = [
        f"bare view:        {plain_rps:8.1f} req/s  p95 {p95(plain_lat):6.1f} ms  errors {plain_err}",
        f"directory page:   {dir_rps:8.1f} req/s  p95 {p95(dir_lat):6.1f} ms  errors {dir_err}",
        f"ratio directory/bare: {ratio:.2f} (target >= 0.40) {'OK' if ratio >= 0.4 else 'BELOW TARGET'}",
        f"directory, uncached (a new search every request): {cold_rps:.1f} req/s  p95 {p95(cold_lat):.1f} ms"
        f"  errors {cold_err}  (ratio {cold_rps / plain_rps:.2f}, for information)",
    ]
    print("\n".join(lines))
    if args.write:
        machine = f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})"
        entry = (
            f"\n### Directory vs. bare view — {datetime.date.today().isoformat()}\n\n"
            f"Machine: {machine}. PostgreSQL, {MEMBERS} members, {MANDATES} mandates; one gunicorn sync process; "
            f"{args.connections} keep-alive connections for {args.seconds:.0f} s per page.\n\n```\n"
            + "\n".join(lines)
            + "\n```\n"
        )
        with open(ROOT / "docs" / "PERFORMANCE.md", "a", encoding="utf-8") as handle:
            handle.write(entry)
    if dir_err or plain_err or cold_err:
        sys.exit(1)


if __name__ == "__main__":
    main()
