"""Benchmark: sending a newsletter edition to 20,000 members against a raw smtplib loop.

The app path is the real one: `newsletter.sending.start` (one Delivery record per recipient) and
`newsletter.sending.deliver` (claims batches, renders each recipient's message, sends it, marks
the record sent). The baseline, in the same run, is a bare smtplib loop sending messages of the
same MIME structure and size (built per recipient with email.mime) over the same number of connections. Both
go to an aiosmtpd sink in its own process that counts messages, recipients and connections; every
run must deliver exactly one message per recipient. Target: app / raw >= 0.5.

    python bench/newsletter.py [--quick] [--write]      # --quick: 2,000 recipients
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import platform
import smtplib
import socket
import sys
import threading
import time
from email.charset import Charset
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_NEWSLETTER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/raadhuis_bench_newsletter"
)

RECIPIENTS, QUICK_RECIPIENTS = 20_000, 2_000
TARGET = 0.5
SENDER = "Centrum voor Lokaal Bestuur <nieuwsbrief@bench.example>"
CRLF = compat32.clone(linesep="\r\n")  # as on the wire (smtplib sends bytes unchanged)

NEWS = [
    (
        "Nieuwe Omgevingswet: wat verandert er voor de raad?",
        "De Omgevingswet geeft de raad andere instrumenten. Wij zetten de belangrijkste op een rij.",
    ),
    (
        "Gemeentefonds 2027: de septembercirculaire in vijf punten",
        "Wat de circulaire betekent voor de begroting van uw gemeente, met rekenvoorbeelden.",
    ),
    (
        "Raadsleden over werkdruk: 'Ik lees 's nachts de stukken'",
        "Uit onze enquete onder 1.200 raadsleden blijkt dat de werkdruk opnieuw is gestegen.",
    ),
    (
        "Leergang Raadslid in de praktijk: inschrijving geopend",
        "Zes avonden over begroten, controleren en samenwerken, in Utrecht en online.",
    ),
]


# --- the SMTP sink (its own process) -----------------------------------------------------------------


def run_sink(port: int, control: Any) -> None:
    """An aiosmtpd server on 127.0.0.1:`port` that only counts: messages, bytes, messages per
    recipient and connections. Commands over the `control` pipe: "reset", "stats", "stop"."""
    from collections import Counter

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class Counting:
        def __init__(self) -> None:
            self.lock = threading.Lock()
            self.reset()

        def reset(self) -> None:
            with self.lock:
                self.messages = self.size = self.connections = 0
                self.per_recipient: Counter[str] = Counter()

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            with self.lock:
                self.messages += 1
                self.size += len(envelope.content)
                for address in envelope.rcpt_tos:
                    self.per_recipient[address.lower()] += 1
            return "250 Message accepted"

        def stats(self) -> dict[str, int]:
            with self.lock:
                return {
                    "messages": self.messages,
                    "recipients": len(self.per_recipient),
                    "duplicates": sum(n - 1 for n in self.per_recipient.values()),
                    "connections": self.connections,
                    "bytes": self.size,
                }

    handler = Counting()

    class CountingSMTP(SMTP):
        def connection_made(self, transport):  # type: ignore[no-untyped-def]
            with handler.lock:
                handler.connections += 1
            super().connection_made(transport)

    class CountingController(Controller):
        def factory(self):  # type: ignore[no-untyped-def]
            return CountingSMTP(self.handler, **self.SMTP_kwargs)

    controller = CountingController(handler, hostname="127.0.0.1", port=port)
    controller.start()
    control.send("ready")
    while True:
        command = control.recv()
        if command == "stop":
            break
        if command == "reset":
            handler.reset()
            control.send(None)
        elif command == "stats":
            control.send(handler.stats())
    controller.stop()


class Sink:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.control, child = multiprocessing.get_context("spawn").Pipe()
        self.process = multiprocessing.get_context("spawn").Process(target=run_sink, args=(self.port, child))
        self.process.start()
        if not self.control.poll(30) or self.control.recv() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def reset(self) -> None:
        self.control.send("reset")
        self.control.recv()

    def stats(self) -> dict[str, int]:
        self.control.send("stats")
        return dict(self.control.recv())

    def stop(self) -> None:
        self.control.send("stop")
        self.process.join(10)


# --- data -------------------------------------------------------------------------------------------------


def prepare(recipients: int, sink_port: int) -> list[str]:
    """A fresh database with `recipients` active members; returns their addresses."""
    from bench.common import recreate_database

    recreate_database(os.environ["DATABASE_URL"])
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{sink_port}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from members.models import Member

    Member.objects.bulk_create(
        [
            Member(
                given_name="Lid",
                family_name=f"Nummer{n}",
                sort_name=f"nummer{n:05d}",
                email=f"lid{n:05d}@bench.example",
            )
            for n in range(recipients)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have done by now
    return [f"lid{n:05d}@bench.example" for n in range(recipients)]


def scheduled_edition(number: int) -> int:
    """An edition with four news items, scheduled for now (its start task stays in the queue:
    the benchmark calls `sending.start` itself)."""
    from newsletter import services

    edition = services.create_edition(subject=f"Week {number}", created_by=None)
    services.update_edition(
        edition=edition,
        subject=f"Week {number}",
        introduction="Deze week: de Omgevingswet, het gemeentefonds en de werkdruk van raadsleden.",
        public=True,
    )
    for n, (title, summary) in enumerate(NEWS):
        body = "\n\n".join([summary] + [f"Alinea {p} over {title.lower()}." * 6 for p in range(4)])
        item = services.save_news_item(title=f"{title} ({number}.{n})", summary=summary, body=body, publish=True)
        services.add_item(edition=edition, kind="news", target=item)
    services.schedule(edition=edition, when=None)
    return edition.pk


def vacuum_deliveries() -> None:
    """Between two sends, as autovacuum would have done between two weekly editions."""
    from django.db import connection

    from newsletter.models import Delivery

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Delivery._meta.db_table}")


# --- the app path -----------------------------------------------------------------------------------------


def app_worker(edition_id: int, name: str, go: Any, results: Any) -> None:
    from newsletter import sending

    go.wait()
    results.put(sending.deliver(edition_id, worker=name))


def app_send(edition_id: int, workers: int) -> tuple[float, float, dict[str, int]]:
    """`sending.start` then `sending.deliver` in `workers` workers (each its own process and SMTP
    connection when more than one). Returns (seconds in all, seconds in start, counts)."""
    from django.db import connections

    from newsletter import sending

    if workers == 1:
        began = time.perf_counter()
        sending.start(edition_id)
        started = time.perf_counter()
        counts = sending.deliver(edition_id, worker="bench-1")
        return time.perf_counter() - began, started - began, counts
    connections.close_all()  # the forked workers open their own
    context = multiprocessing.get_context("fork")
    go, results = context.Event(), context.Queue()
    processes = [
        context.Process(target=app_worker, args=(edition_id, f"bench-{n + 1}", go, results)) for n in range(workers)
    ]
    for p in processes:
        p.start()
    began = time.perf_counter()
    sending.start(edition_id)
    started = time.perf_counter()
    go.set()
    per_worker = [results.get() for _ in processes]
    elapsed = time.perf_counter() - began
    for p in processes:
        p.join()
    counts = {key: sum(c[key] for c in per_worker) for key in per_worker[0]}
    return elapsed, started - began, counts


# --- the baseline -----------------------------------------------------------------------------------------


UTF8_8BIT = Charset("utf-8")
UTF8_8BIT.body_encoding = None  # 8bit, as Django sends it (quoted-printable only for lines > 998)


def mime_text(content: str, subtype: str) -> MIMEText:
    long_lines = any(len(line) > 998 for line in content.splitlines())
    return MIMEText(content, subtype, Charset("utf-8") if long_lines else UTF8_8BIT)


def raw_message(address: str, subject: str, text: str, html: str, unsubscribe: str, n: int) -> bytes:
    """The app's message structure (multipart/alternative, text and HTML, the same headers), built
    per recipient with the standard library's email.mime (the classes Django's mail wraps)."""
    message = MIMEMultipart("alternative")
    message["Subject"] = subject
    message["From"] = SENDER
    message["To"] = address
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="bench.example")
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Id"] = "Lokaal Bestuur <nieuwsbrief.127.0.0.1>"
    message["X-Raadhuis-Delivery"] = f"0-{n}"
    message.attach(mime_text(text, "plain"))
    message.attach(mime_text(html, "html"))
    return message.as_bytes(policy=CRLF)


def raw_connection(port: int, addresses: list[str], content: tuple[str, str, str, str]) -> None:
    subject, text, html, unsubscribe = content
    smtp = smtplib.SMTP("127.0.0.1", port)
    try:
        for n, address in enumerate(addresses):
            smtp.sendmail(SENDER, [address], raw_message(address, subject, text, html, unsubscribe, n))
    finally:
        smtp.quit()


def floor_send(port: int, addresses: list[str], content: tuple[str, str, str, str]) -> float:
    """One pre-built message sent to every address over one connection: what the sink and the
    loopback allow, with no work per message in the sender (for information)."""
    data = raw_message(addresses[0], *content, 0)
    smtp = smtplib.SMTP("127.0.0.1", port)
    began = time.perf_counter()
    try:
        for address in addresses:
            smtp.sendmail(SENDER, [address], data)
    finally:
        smtp.quit()
    return time.perf_counter() - began


def raw_worker(port: int, addresses: list[str], content: tuple[str, str, str, str], go: Any, done: Any) -> None:
    go.wait()
    raw_connection(port, addresses, content)
    done.put(len(addresses))


def raw_send(port: int, addresses: list[str], content: tuple[str, str, str, str], connections: int) -> float:
    if connections == 1:
        began = time.perf_counter()
        raw_connection(port, addresses, content)
        return time.perf_counter() - began
    context = multiprocessing.get_context("fork")
    go, done = context.Event(), context.Queue()
    processes = [
        context.Process(target=raw_worker, args=(port, addresses[n::connections], content, go, done))
        for n in range(connections)
    ]
    for p in processes:
        p.start()
    began = time.perf_counter()
    go.set()
    for _ in processes:
        done.get()
    elapsed = time.perf_counter() - began
    for p in processes:
        p.join()
    return elapsed


def baseline_content(edition_id: int, address: str) -> tuple[str, str, str, str]:
    """The edition as the app renders it, with a real token in place (computed once, so the
    messages have the app's size but the loop does no per-recipient work beyond the MIME)."""
    from django.urls import reverse

    from core.mail import absolute_url
    from newsletter import sending
    from newsletter.models import Edition

    rendered = sending.render(Edition.objects.get(pk=edition_id))
    token = sending.recipient_token(address)
    unsubscribe = absolute_url(reverse("newsletter:unsubscribe", kwargs={"token": token}))
    return (
        rendered.subject,
        rendered.text.replace(sending.PLACEHOLDER, token),
        rendered.html.replace(sending.PLACEHOLDER, token),
        unsubscribe,
    )


# --- main -------------------------------------------------------------------------------------------------


def check(stats: dict[str, int], expected: int) -> list[str]:
    problems = []
    if stats["messages"] != expected:
        problems.append(f"{stats['messages']} messages received, expected {expected}")
    if stats["recipients"] != expected:
        problems.append(f"{stats['recipients']} distinct recipients, expected {expected}")
    if stats["duplicates"]:
        problems.append(f"{stats['duplicates']} duplicates")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RECIPIENTS:,} recipients instead of 20,000")
    parser.add_argument("--write", action="store_true", help="Append the result to docs/PERFORMANCE.md")
    args = parser.parse_args()
    total = QUICK_RECIPIENTS if args.quick else RECIPIENTS
    load = os.getloadavg()[0]  # other work on the machine skews both paths, the app's more (it has more to do)

    sink = Sink()
    try:
        print(f"Preparing {total} members on PostgreSQL; SMTP sink on port {sink.port}...", flush=True)
        addresses = prepare(total, sink.port)
        editions = [scheduled_edition(48), scheduled_edition(49)]
        content = baseline_content(editions[0], addresses[0])
        from newsletter.models import Delivery

        raw_connection(sink.port, addresses[:20], content)  # warm-up (the app's templates and URLs are warm)
        lines: list[str] = []
        problems: list[str] = []

        def say(line: str) -> None:
            lines.append(line)
            print(line, flush=True)

        say(f"recipients: {total}; every run checked at the sink (and the app's in its delivery records)")
        for workers, edition_id in zip((1, 2), editions, strict=True):
            if workers == 2:
                vacuum_deliveries()
            sink.reset()
            raw_seconds = raw_send(sink.port, addresses, content, workers)
            raw_stats = sink.stats()
            problems += [f"raw x{workers}: {p}" for p in check(raw_stats, total)]

            sink.reset()
            app_seconds, start_seconds, counts = app_send(edition_id, workers)
            app_stats = sink.stats()
            problems += [f"app x{workers}: {p}" for p in check(app_stats, total)]
            sent = Delivery.objects.filter(edition_id=edition_id, status=Delivery.Status.SENT).count()
            if sent != total or counts["sent"] != total:
                problems.append(f"app x{workers}: {sent} deliveries marked sent ({counts}), expected {total}")

            raw_rate, app_rate = total / raw_seconds, total / app_seconds
            ratio = app_rate / raw_rate
            label = f"{workers} worker{'s' if workers > 1 else ' '}:"
            say(
                f"{label} raw smtplib {raw_rate:6.0f} msg/s  ({raw_seconds:6.2f} s; "
                f"{raw_stats['connections']} SMTP connection(s), {raw_stats['bytes'] / total / 1024:.1f} KiB/msg)"
            )
            say(
                f"{' ' * len(label)} app send    {app_rate:6.0f} msg/s  ({app_seconds:6.2f} s = start "
                f"{start_seconds:.2f} s + deliver {app_seconds - start_seconds:.2f} s; "
                f"{app_stats['connections']} SMTP connection(s), {app_stats['bytes'] / total / 1024:.1f} KiB/msg)"
            )
            say(
                f"{' ' * len(label)} ratio app/raw {ratio:.2f} (target >= {TARGET:.2f}) "
                + ("OK" if ratio >= TARGET else "BELOW TARGET")
            )
        sink.reset()
        floor_seconds = floor_send(sink.port, addresses, content)
        problems += [f"pre-built: {p}" for p in check(sink.stats(), total)]
        say(
            f"for information: one pre-built message over 1 connection (sink + loopback limit): "
            f"{total / floor_seconds:.0f} msg/s"
        )
        say(
            "received: every run exactly one message per recipient, no duplicates"
            if not problems
            else "PROBLEMS: " + "; ".join(problems)
        )
    finally:
        sink.stop()
    if args.write:
        machine = (
            f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
            f"load average {load:.1f} at the start)"
        )
        entry = (
            f"\n### Newsletter send vs. raw smtplib — {datetime.date.today().isoformat()}\n\n"
            f"Machine: {machine}. PostgreSQL, {total} active members, an edition of {len(NEWS)} news items; "
            "aiosmtpd sink in its own process; app = `sending.start` + `sending.deliver` (1 worker in "
            "process, 2 workers as processes), raw = smtplib + email.mime over as many connections.\n\n```\n"
            + "\n".join(lines)
            + "\n```\n"
        )
        with open(ROOT / "docs" / "PERFORMANCE.md", "a", encoding="utf-8") as handle:
            handle.write(entry)
    # Exit 1 when a run failed its checks or a ratio is below the target (make bench reports it at the end).
    sys.exit(1 if problems or any(line.endswith("BELOW TARGET") for line in lines) else 0)


if __name__ == "__main__":
    main()
