"""Load test: logged-in members browsing the directory, the library search and the events while a
task worker sends a newsletter edition to every member, on a production-like server.

The server is what docs/OPERATIONS.md describes: production settings (plain HTTP on loopback, so
SECURE_SSL_REDIRECT=false), gunicorn with 2 sync worker processes, `manage.py run_worker` as the task
worker, PostgreSQL, Redis as the shared cache, collected static files, and an SMTP sink that counts
what arrives. The data: the demo set, plus --members members (with mandates and topics; they are
the newsletter's recipients too) and --documents library documents from bench/corpus.py, imported
through `import_ori`.

The load is closed-loop: N virtual members, each with its own session, request a page, wait for
the answer and request the next (no think time), each picking a page type at random: directory
(random filters, name searches and pages), library (the 30 queries of bench/corpus.py, with their
facets) or events (list or one event). Everything on loopback, bounded in time (--seconds):

1. ramp: the concurrency steps (--steps, default 2,4,8,16 users), 50% of the time together;
2. hold: the smallest step that reached 95% of the best error-free throughput, for 35%: its
   throughput is the sustained rate, reported with p50/p95 per page type and errors;
3. baseline: the same generator with the same number of users for the last 15%, every request to a
   bare Django view (`/bench/plain` with the same query string, through the same gunicorn processes
   and middleware; bench/production_settings.py adds it to the production settings), while the
   worker keeps sending. Each page type's p95 and rate are printed relative to it.

The newsletter edition is scheduled as the ramp starts; when it is sent before the load ends,
another one is scheduled, so the worker sends during the whole run. Reported: mails per second
during the load (deliveries marked sent, and messages the sink received).

    python bench/load.py [--seconds 60] [--reuse] [--write]

Needs PostgreSQL (BENCH_LOAD_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/raadhuis_bench_load;
dropped and recreated unless --reuse finds it prepared) and redis-server. Preparing takes a few
minutes; --reuse skips it when the database was prepared with the same sizes.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import platform
import random
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STATE = ROOT / "var" / "bench-load"
DATABASE_URL = os.environ.get("BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/raadhuis_bench_load")
SESSIONS = 64
WORDS = ["wonen", "zorg", "jeugd", "klimaat", "energie", "verkeer", "veiligheid", "onderwijs", "cultuur", "water"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(port: int, smtp_port: int, redis_port: int) -> dict[str, str]:
    """Production settings as an operator sets them (docs/OPERATIONS.md), for every process."""
    keys = STATE / "keys.json"
    if not keys.exists():
        from cryptography.fernet import Fernet

        keys.write_text(json.dumps({"secret": secrets.token_urlsafe(64), "encryption": Fernet.generate_key().decode()}))
    secret = json.loads(keys.read_text())
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "raadhuis.settings.production",
            "DATABASE_URL": DATABASE_URL,
            "SECRET_KEY": secret["secret"],
            "RAADHUIS_ENCRYPTION_KEYS": secret["encryption"],
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "RAADHUIS_BASE_URL": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "false",
            "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "MEDIA_ROOT": str(STATE / "media"),
            "STATIC_ROOT": str(STATE / "static"),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


# --- preparing the data --------------------------------------------------------------------------


def prepare(members: int, documents: int) -> dict[str, Any]:
    """A fresh database: bodies, the demo, `members` members with mandates and topics, `documents`
    library documents; SESSIONS logged-in member sessions. Returns what the load needs."""
    from bench.common import add_members, recreate_database

    recreate_database(DATABASE_URL, force=True)
    import django

    django.setup()
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_bodies", verbosity=0)
    call_command("load_demo", force=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"  bodies and demo: {time.perf_counter() - began:.0f} s", flush=True)

    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from accounts.models import User
    from core.models import Body, Tier
    from events.models import Event
    from members.models import Member

    # The demo's own mail (registrations and the like) is not part of this benchmark.
    DBTaskResult.objects.all().delete()
    rng = random.Random(20261130)
    began = time.perf_counter()
    add_members(members, int(members * 2.4), rng, words=WORDS, email="lid{n:05d}@load.example")
    call_command("reindex_members", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(
        f"  {members:,} members, {int(members * 2.4):,} mandates, indexed: {time.perf_counter() - began:.0f} s",
        flush=True,
    )

    began = time.perf_counter()
    from bench import corpus

    bodies = [(b.code, b.name) for b in Body.objects.filter(tier__in=[Tier.MUNICIPAL, Tier.PROVINCIAL])]
    records = STATE / "records.jsonl"
    with records.open("w", encoding="utf-8") as handle:
        for record in corpus.records(documents, seed=1, bodies=bodies):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    # Indexed before the load starts (import_ori leaves it to the worker otherwise).
    call_command("import_ori", str(records), "--index-now", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    records.unlink()
    print(f"  {documents:,} library documents imported: {time.perf_counter() - began:.0f} s", flush=True)

    member_group = Group.objects.get(name="member")
    sessions = []
    for n in range(SESSIONS):
        user = User.objects.create_user(f"lezer{n}@load.example", f"load-wachtwoord-{n}-x", name=f"Lezer {n}")
        user.groups.add(member_group)
        Member.objects.create(given_name="Lezer", family_name=f"Load {n}", email=user.email, user=user)
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "allauth.account.auth_backends.AuthenticationBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have done by now
    family_names = sorted({f"Achternaam{rng.randint(1, 3000)}" for _ in range(200)})
    return {
        "members": members,
        "documents": documents,
        "sessions": sessions,
        "events": list(Event.objects.filter(status="published").values_list("slug", flat=True)),
        "names": family_names,
        "recipients": Member.objects.filter(status=Member.Status.ACTIVE).count(),
    }


# --- the SMTP sink -------------------------------------------------------------------------------


def run_sink(port: int, received: Any, ready: Any) -> None:
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            with received.get_lock():
                received.value += 1
            return "250 Message accepted"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    threading.Event().wait()


# --- the load ------------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    seconds: float
    ok: bool


@dataclass
class Phase:
    users: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def rate(self) -> float:
        return sum(1 for s in self.samples if s.ok) / self.seconds

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


class Browser:
    """What a member does: a page type at random, with random but realistic parameters."""

    MIX = [("directory", 0.35), ("library", 0.35), ("events", 0.30)]

    def __init__(self, data: dict[str, Any], seed: int) -> None:
        from bench.corpus import QUERIES

        self.rng = random.Random(seed)
        self.data = data
        self.queries = QUERIES

    def next_path(self) -> tuple[str, str]:
        from urllib.parse import urlencode

        rng = self.rng
        kind = rng.choices([k for k, _ in self.MIX], [w for _, w in self.MIX])[0]
        if kind == "directory":
            params: dict[str, str] = {}
            roll = rng.random()
            if roll < 0.4:
                params["tier"] = rng.choice(["municipal", "provincial", "water_board"])
            elif roll < 0.7:
                params["q"] = rng.choice(self.data["names"])
            elif roll < 0.85:
                params["topic"] = rng.choice(["wonen", "zorg", "klimaat", "financien", "veiligheid"])
            if rng.random() < 0.3:
                params["page"] = str(rng.randint(2, 5))
            return kind, "/leden/" + ("?" + urlencode(params) if params else "")
        if kind == "library":
            query, facets = rng.choice(self.queries)
            params = {"q": query, **facets}
            if rng.random() < 0.15:
                params["page"] = "2"
            return kind, "/bibliotheek/?" + urlencode(params)
        if rng.random() < 0.5 or not self.data["events"]:
            return kind, "/bijeenkomsten/"
        return kind, f"/bijeenkomsten/{rng.choice(self.data['events'])}/"


def run_phase(port: int, data: dict[str, Any], users: int, seconds: float, seed: int, bare: bool = False) -> Phase:
    """`users` members in a closed loop for `seconds`; with `bare`, each request goes to the bare
    view instead, with the query string the page would have had."""
    phase = Phase(users=users, seconds=seconds)
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def user(n: int) -> None:
        browser = Browser(data, seed * 1000 + n)
        cookie = f"sessionid={data['sessions'][n % len(data['sessions'])]}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[Sample] = []
        errors: dict[str, int] = defaultdict(int)
        while time.perf_counter() < stop:
            kind, path = browser.next_path()
            if bare:
                path = "/bench/plain?" + path.partition("?")[2]
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                body = response.read()
                location = response.getheader("Location") or ""
                if not bare and response.status == 302 and location.startswith("/bibliotheek/"):
                    # Past the last page of results: the search sends the browser to the last one.
                    conn.request("GET", location, headers={"Cookie": cookie})
                    response = conn.getresponse()
                    body = response.read()
                ok = response.status == 200 and (body == b"ok" if bare else b"</html>" in body)
                if not ok:
                    errors[f"{kind} HTTP {response.status}"] += 1
            except (OSError, http.client.HTTPException) as error:
                ok = False
                errors[f"{kind} {type(error).__name__}"] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(Sample(kind, time.perf_counter() - started, ok))
        conn.close()
        with lock:
            phase.samples.extend(mine)
            for key, count in errors.items():
                phase.errors[key] += count

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    return phase


class Newsletter:
    """Schedules an edition at once (the worker starts and sends it) and another whenever the
    previous one is sent, until stopped; counts the deliveries marked sent meanwhile."""

    def __init__(self) -> None:
        from newsletter.models import Delivery

        self.sent_before = Delivery.objects.filter(status=Delivery.Status.SENT).count()
        self.editions: list[int] = []
        self.finished: list[float] = []
        self.began = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def schedule(self) -> None:
        from newsletter import services
        from newsletter.models import NewsItem

        number = len(self.editions) + 1
        edition = services.create_edition(subject=f"Loadtest {number}", created_by=None)
        services.update_edition(
            edition=edition, subject=f"Loadtest {number}", introduction="Het nieuws van deze week.", public=True
        )
        public = NewsItem.objects.filter(visibility="public", published_at__isnull=False)
        for item in public.order_by("-published_at")[:4]:
            services.add_item(edition=edition, kind="news", target=item)
        services.schedule(edition=edition, when=None)
        self.editions.append(edition.pk)

    def _run(self) -> None:
        from django.db import connection

        from newsletter.models import Edition

        while not self._stop.wait(1):
            status = Edition.objects.filter(pk=self.editions[-1]).values_list("status", flat=True).first()
            if status == Edition.Status.SENT:
                self.finished.append(time.perf_counter() - self.began)
                self.schedule()
        connection.close()

    def start(self) -> None:
        self.schedule()
        self._thread.start()

    def stop(self) -> int:
        from newsletter.models import Delivery

        self._stop.set()
        self._thread.join(10)
        return Delivery.objects.filter(status=Delivery.Status.SENT).count() - self.sent_before


# --- main ----------------------------------------------------------------------------------------


def wait_for(port: int, path: str, seconds: float) -> int:
    deadline = time.time() + seconds
    status = 0
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            status = conn.getresponse().status
            if status == 200:
                return status
        except OSError:
            pass
        time.sleep(0.5)
    return status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load (ramp + hold)")
    parser.add_argument("--steps", default="2,4,8,16", help="concurrent members per ramp step")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=5_000)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--task-workers", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep a database prepared with the same sizes")
    parser.add_argument("--write", action="store_true", help="append the result to docs/PERFORMANCE.md")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    if shutil.which("redis-server") is None:
        sys.exit("redis-server is needed (the shared cache of the production setup)")

    STATE.mkdir(parents=True, exist_ok=True)
    port, smtp_port, redis_port = free_port(), free_port(), free_port()
    env = environment(port, smtp_port, redis_port)
    os.environ.update(env)
    processes: list[subprocess.Popen[bytes]] = []
    logs = []

    def start(name: str, command: list[str], settings: str | None = None) -> None:
        log = (STATE / f"{name}.log").open("wb")
        logs.append(log)
        environ = {**env, "DJANGO_SETTINGS_MODULE": settings} if settings else env
        processes.append(subprocess.Popen(command, cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT))

    start(
        "redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    )
    received = multiprocessing.get_context("spawn").Value("i", 0)
    ready = multiprocessing.get_context("spawn").Event()
    sink = multiprocessing.get_context("spawn").Process(target=run_sink, args=(smtp_port, received, ready), daemon=True)
    sink.start()
    ready.wait(30)
    try:
        state_file = STATE / "state.json"
        data = json.loads(state_file.read_text()) if args.reuse and state_file.exists() else None
        if data and (data["members"], data["documents"]) != (args.members, args.documents):
            data = None
        if data is None:
            print(f"Preparing {DATABASE_URL.rsplit('/', 1)[1]} ...", flush=True)
            data = prepare(args.members, args.documents)
            state_file.write_text(json.dumps(data))
        else:
            import django

            django.setup()
            print("Reusing the prepared database", flush=True)

        start(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "raadhuis.wsgi",
                "--workers",
                str(args.web_workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--no-control-socket",
            ],
            settings="bench.production_settings",
        )
        for n in range(args.task_workers):
            start(f"worker-{n + 1}", [sys.executable, "manage.py", "run_worker", "--worker-id", f"load-{n + 1}"])
        if wait_for(port, "/healthz", 60) != 200:
            sys.exit("the server did not become healthy; see var/bench-load/*.log")

        # Warm up every page type (template caches, connections, the first directory pages).
        run_phase(port, data, 2, 3, seed=0)
        load_before = os.getloadavg()
        newsletter = Newsletter()
        received_before = received.value
        newsletter.start()
        began = time.perf_counter()
        ramp_seconds = args.seconds * 0.5 / len(steps)
        ramp = []
        for users in steps:
            phase = run_phase(port, data, users, ramp_seconds, seed=users)
            ramp.append(phase)
            times = [s.seconds for s in phase.samples]
            print(
                f"  {users:3d} users: {phase.rate:6.1f} req/s  p50 {percentile(times, 0.5):6.0f} ms"
                f"  p95 {percentile(times, 0.95):6.0f} ms  errors {phase.error_count} {dict(phase.errors) or ''}",
                flush=True,
            )
        clean = [p for p in ramp if p.error_count == 0]
        best = max((p.rate for p in clean), default=0.0)
        chosen = next((p.users for p in clean if p.rate >= 0.95 * best), steps[0])
        hold = run_phase(port, data, chosen, args.seconds * 0.35, seed=99)
        base = run_phase(port, data, chosen, args.seconds * 0.15, seed=99, bare=True)
        elapsed = time.perf_counter() - began
        sent = newsletter.stop()
        mails = received.value - received_before
        load_after = os.getloadavg()
        health = wait_for(port, "/healthz", 5)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        sink.terminate()
        for log in logs:
            log.close()

    lines = [
        f"ramp ({ramp_seconds:.0f} s per step; closed loop, no think time):",
        "  users    req/s   p50 ms   p95 ms   errors",
    ]
    for phase in ramp:
        times = [s.seconds for s in phase.samples]
        lines.append(
            f"  {phase.users:5d} {phase.rate:8.1f} {percentile(times, 0.5):8.0f} {percentile(times, 0.95):8.0f}"
            f" {phase.error_count:8d}" + (f"  {dict(phase.errors)}" if phase.errors else "")
        )
    base_times = [s.seconds for s in base.samples if s.ok]
    base_mean = sum(base_times) / len(base_times) if base_times else float("nan")
    base_p95 = percentile(base_times, 0.95)
    lines += [
        f"sustained: {hold.users} users, {hold.rate:.1f} req/s for {hold.seconds:.0f} s, {hold.error_count} errors"
        + (f" ({dict(hold.errors)})" if hold.error_count else ""),
        f"baseline, same run: the bare view with the same generator, {base.users} users, {base.rate:.1f} req/s for "
        f"{base.seconds:.0f} s, p50 {percentile(base_times, 0.5):.0f} ms, p95 {base_p95:.0f} ms, "
        f"{base.error_count} errors" + (f" ({dict(base.errors)})" if base.error_count else ""),
        "  (p95 × bare: the page's p95 over the bare view's; rate / bare: the rate this page alone would reach at",
        "  this concurrency, mean latency of the bare view over the page's; 'all': sustained req/s over bare req/s;",
        "  no target is set for these, they say what each page costs beyond the framework)",
        "  page        requests    req/s   p50 ms   p95 ms   errors  p95 × bare  rate / bare",
    ]
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in hold.samples:
        by_kind[sample.kind].append(sample)
    for kind in ("directory", "library", "events"):
        samples = by_kind[kind]
        times = [s.seconds for s in samples if s.ok]
        errors = sum(1 for s in samples if not s.ok)
        mean = sum(times) / len(times) if times else float("nan")
        lines.append(
            f"  {kind:10s} {len(samples):9d} {len(times) / hold.seconds:8.1f} {percentile(times, 0.5):8.0f}"
            f" {percentile(times, 0.95):8.0f} {errors:8d} {percentile(times, 0.95) / base_p95:10.1f}×"
            f" {base_mean / mean:11.2f}"
        )
    times = [s.seconds for s in hold.samples if s.ok]
    lines.append(
        f"  {'all':10s} {len(hold.samples):9d} {hold.rate:8.1f} {percentile(times, 0.5):8.0f}"
        f" {percentile(times, 0.95):8.0f} {hold.error_count:8d} {percentile(times, 0.95) / base_p95:10.1f}×"
        f" {hold.rate / base.rate:11.2f}"
    )
    finished = ", ".join(f"{t:.0f} s" for t in newsletter.finished) or "none"
    lines += [
        f"newsletter during the load ({elapsed:.0f} s): {sent:,} deliveries sent ({sent / elapsed:.0f}/s), "
        f"{mails:,} messages at the SMTP sink; {data['recipients']:,} recipients per edition, "
        f"editions sent after: {finished}",
        f"load average before/after: {load_before[0]:.1f} / {load_after[0]:.1f}; /healthz after the run: {health}",
    ]
    report = "\n".join(lines)
    print(report)

    machine = f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})"
    if args.write:
        entry = (
            f"\n### Mixed load with a newsletter send — {datetime.date.today().isoformat()}\n\n"
            f"Machine: {machine}, shared with other sessions running test suites (noisy: compare the load "
            f"average). PostgreSQL; {data['members']:,} + demo members, {data['documents']:,} + demo documents; "
            f"gunicorn {args.web_workers} sync workers, {args.task_workers} task worker(s), Redis cache; "
            "baseline: the bare view under the same generator in the same run; "
            f"{args.seconds:.0f} s.\n\n```\n{report}\n```\n"
        )
        with open(ROOT / "docs" / "PERFORMANCE.md", "a", encoding="utf-8") as handle:
            handle.write(entry)
    if hold.error_count or base.error_count or health != 200:
        sys.exit(1)


if __name__ == "__main__":
    main()
