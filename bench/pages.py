"""Benchmark: requests per second of the member directory against a bare Django view, with the
production cache (Redis) and the filters varied on every request.

With 5,000 members and 12,000 mandates on PostgreSQL, one gunicorn process serves both pages, with
a Redis server of its own as the cache (CACHE_URL, as in production: the directory's result pages,
the rate limits and the association's settings live there). A load generator on loopback (several
keep-alive connections, fixed duration, seeded) sends a realistic mix of directory requests drawn
from the data: no filter, or one or two of tier, topic, province, role, municipality and a family
name, on page 1 mostly and sometimes 2-5. The baseline, in the same run: the bare view
(`/bench/plain`, through the full middleware stack) under the same generator (same URLs, same
connections). The ratio directory / bare view is the result (target >= 0.4): it does not depend on
the machine. The cache starts empty; the hit rate of the directory's result cache is printed (the
result pages Redis holds at the end against the requests made). For information: the directory
when every request is a new search (the cache never helps).

    make bench                                # or: python bench/pages.py [--seconds 10] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/raadhuis_bench"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)

MEMBERS, MANDATES = 5_000, 12_000
TARGET = 0.4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_database() -> tuple[str, dict[str, list[str]]]:
    """Create the benchmark database afresh and fill it; return a logged-in session id and the
    values the load generator draws its filters from."""
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
    from core.models import Body, Tier
    from members.models import Mandate, MandateRole, Member, Topic

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
    # What people filter on: the values that exist in the data.
    choices = {
        "tier": [Tier.MUNICIPAL.value, Tier.PROVINCIAL.value, Tier.WATER_BOARD.value],
        "topic": list(Topic.objects.values_list("slug", flat=True)),
        "province": list(Body.objects.filter(tier=Tier.PROVINCIAL).values_list("code", flat=True)),
        "role": [r.value for r in MandateRole if Mandate.objects.filter(role=r).exists()],
        "body": sorted(set(Mandate.objects.filter(body__tier=Tier.MUNICIPAL).values_list("body__name", flat=True))),
        "q": sorted({m.family_name for m in members}),
    }
    return client.cookies["sessionid"].value, choices


class Filters:
    """A seeded, realistic mix of directory requests: 15% the directory without a filter, else one
    filter (70%) or two; page 1 three times in four, else 2 (15%) or 3-5."""

    WEIGHTS = {"tier": 3, "topic": 3, "q": 3, "province": 2, "body": 2, "role": 1}

    def __init__(self, choices: dict[str, list[str]], seed: int) -> None:
        self.rng = random.Random(seed)
        self.choices = choices
        self.kinds = [k for k in self.WEIGHTS if choices[k]]
        self.weights = [self.WEIGHTS[k] for k in self.kinds]

    def next_query(self) -> str:
        rng = self.rng
        params: dict[str, str] = {}
        if rng.random() >= 0.15:
            wanted = 1 if rng.random() < 0.7 else 2
            while len(params) < wanted:
                kind = rng.choices(self.kinds, self.weights)[0]
                params[kind] = rng.choice(self.choices[kind])
        roll = rng.random()
        if roll >= 0.75:
            params["page"] = "2" if roll < 0.9 else str(rng.randint(3, 5))
        return urlencode(sorted(params.items()))


def load(
    port: int, path: str, cookie: str, seconds: float, connections: int, choices: dict[str, list[str]] | None, seed: int
) -> tuple[float, list[float], int, list[str]]:
    """Requests per second, latencies, errors and the query strings sent, for `path` (with "{n}"
    replaced by a request counter) from `connections` keep-alive clients; with `choices`, each
    request carries the next query string of a seeded Filters generator per connection."""
    latencies: list[float] = []
    queries: list[str] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    counter = iter(range(10**9))

    def worker(n: int) -> None:
        generator = Filters(choices, seed * 100 + n) if choices else None
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, sent, failed = [], [], 0
        while time.perf_counter() < stop:
            url = path.replace("{n}", str(next(counter)))
            if generator:
                query = generator.next_query()
                sent.append(query)
                url += ("&" if "?" in url else "?") + query if query else ""
            started = time.perf_counter()
            conn.request("GET", url, headers={"Cookie": f"sessionid={cookie}"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failed += 1
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            queries.extend(sent)
            errors[0] += failed

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - began), latencies, errors[0], queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--write", action="store_true", help="Append the result to docs/PERFORMANCE.md")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("redis-server is needed (the production cache)")

    print(f"Preparing {MEMBERS} members and {MANDATES} mandates on PostgreSQL...", flush=True)
    cookie, choices = prepare_database()
    import redis

    port, redis_port = free_port(), free_port()
    cache_server = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
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
        env={**os.environ, "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0"},
    )
    run = {"seconds": args.seconds, "connections": args.connections}
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/bench/plain")
                break
            except OSError:
                time.sleep(0.2)
        cache = redis.Redis(port=redis_port)
        load_before = os.getloadavg()
        # Warm up both paths (templates, connections), then start with an empty cache.
        load(port, "/bench/plain", cookie, 1, 1, choices, seed=1)
        load(port, "/leden/", cookie, 1, 1, choices, seed=2)
        cache.flushdb()
        plain_rps, plain_lat, plain_err, _ = load(port, "/bench/plain", cookie, **run, choices=choices, seed=3)
        cache.flushdb()
        stats_before = cache.info("stats")
        dir_rps, dir_lat, dir_err, queries = load(port, "/leden/", cookie, **run, choices=choices, seed=3)
        stats_after = cache.info("stats")
        stored = sum(1 for _ in cache.scan_iter("*members:directory:*", count=1000))
        # Every request another search: the directory as rendered without its cache.
        cold_rps, cold_lat, cold_err, _ = load(
            port, "/leden/?tier=municipal&q=achternaam{n}", cookie, **run, choices=None, seed=0
        )
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(10)
        cache_server.terminate()
        cache_server.wait(10)

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[18] * 1000

    ratio = dir_rps / plain_rps
    distinct = len(set(queries))
    # The keys of the result pages, the filter choices and the generation number.
    result_pages = stored - 2
    hits = stats_after["keyspace_hits"] - stats_before["keyspace_hits"]
    misses = stats_after["keyspace_misses"] - stats_before["keyspace_misses"]
    lines = [
        f"bare view:        {plain_rps:8.1f} req/s  p95 {p95(plain_lat):6.1f} ms  errors {plain_err}",
        f"directory page:   {dir_rps:8.1f} req/s  p95 {p95(dir_lat):6.1f} ms  errors {dir_err}",
        f"ratio directory/bare: {ratio:.2f} (target >= {TARGET:.2f}) {'OK' if ratio >= TARGET else 'BELOW TARGET'}",
        f"directory requests {len(queries)}, distinct filter/page combinations {distinct}: result cache hit rate "
        f"{1 - result_pages / len(queries):.0%} (Redis held {result_pages} result pages at the end; "
        f"{1 - distinct / len(queries):.0%} of the requests repeated an earlier combination); "
        f"all Redis reads: {hits} hits, {misses} misses",
        f"directory, uncached (a new search every request): {cold_rps:.1f} req/s  p95 {p95(cold_lat):.1f} ms"
        f"  errors {cold_err}  (ratio {cold_rps / plain_rps:.2f}, for information)",
        f"load average (1 min) before/after: {load_before[0]:.1f} / {load_after[0]:.1f} on {os.cpu_count()} CPUs",
    ]
    print("\n".join(lines))
    if args.write:
        machine = f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})"
        entry = (
            f"\n### Directory vs. bare view, Redis cache, varied filters — {datetime.date.today().isoformat()}\n\n"
            f"Machine: {machine}. PostgreSQL, {MEMBERS} members, {MANDATES} mandates; one gunicorn sync process, "
            f"Redis cache; {args.connections} keep-alive connections for {args.seconds:.0f} s per page, "
            "filters varied per request.\n\n```\n" + "\n".join(lines) + "\n```\n"
        )
        with open(ROOT / "docs" / "PERFORMANCE.md", "a", encoding="utf-8") as handle:
            handle.write(entry)
    # Exit 1 on errors or when the ratio is below the target (make bench reports it at the end).
    if dir_err or plain_err or cold_err or ratio < TARGET:
        sys.exit(1)


if __name__ == "__main__":
    main()
