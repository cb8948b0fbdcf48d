"""Read bounce messages (delivery status notifications and the usual plain-text bounces) and
record them: hard bounces, and soft bounces that keep coming, suppress the address.

    manage.py process_bounces /var/mail/bounces/          # a Maildir (--delete removes what was read)
    manage.py process_bounces bounces.mbox                # an mbox file
    manage.py process_bounces bounce.eml                  # one message
    manage.py process_bounces -                           # one message (or an mbox) on stdin

For an MTA, pipe the bounce address into it, e.g. in /etc/aliases:
    bounces: "|/srv/raadhuis/.venv/bin/python /srv/raadhuis/manage.py process_bounces -"
"""

from __future__ import annotations

import datetime
import email
import email.policy
import mailbox
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from newsletter.bounces import bounces_in_message, is_suppressed, record_bounce
from newsletter.models import Bounce

SOURCE = "dsn"


@dataclass
class Summary:
    processed: int = 0
    hard: int = 0
    soft: int = 0
    ignored: int = 0
    suppressed: set[str] = field(default_factory=set)


class Command(BaseCommand):
    help = "Record the bounces in a bounce message, an mbox file or a Maildir (or stdin: -)."
    # Tests (and callers embedding the command) may hand in a binary stream instead of sys.stdin.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a message file (.eml), an mbox file, a Maildir directory, or - for stdin")
        parser.add_argument(
            "--delete", action="store_true", help="remove the bounces that were recorded from the Maildir"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["path"]
        delete: bool = options["delete"]
        self.verbosity: int = options["verbosity"]
        summary = Summary()
        if path == "-":
            if delete:
                raise CommandError("--delete only works on a Maildir.")
            stdin: IO[bytes] = options.get("stdin") or sys.stdin.buffer
            for label, message in _messages_from_bytes(stdin.read()):
                self._process(label, message, summary)
        elif Path(path).is_dir():
            self._process_maildir(Path(path), summary, delete=delete)
        elif Path(path).is_file():
            if delete:
                raise CommandError("--delete only works on a Maildir.")
            for label, message in _messages_in_file(Path(path)):
                self._process(label, message, summary)
        else:
            raise CommandError(f"No such file or directory: {path}")
        self.stdout.write(
            f"processed {summary.processed}, hard {summary.hard}, soft {summary.soft}, "
            f"ignored {summary.ignored}, suppressed {len(summary.suppressed)}"
        )

    def _process_maildir(self, path: Path, summary: Summary, *, delete: bool) -> None:
        if not all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            raise CommandError(f"{path} is a directory but not a Maildir (no cur/, new/ and tmp/).")
        maildir = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(maildir.keys()):
            message = _parse(maildir.get_bytes(key))
            recorded = self._process(key, message, summary)
            if recorded and delete:
                maildir.discard(key)

    def _process(self, label: str, message: Message, summary: Summary) -> bool:
        """Record the bounces in one message; returns whether it was a bounce."""
        summary.processed += 1
        try:
            reported = bounces_in_message(message)
        except (LookupError, ValueError, TypeError, AttributeError) as error:
            # One broken message must not stop the rest of the mailbox (nor make the MTA retry).
            summary.ignored += 1
            self.stdout.write(f"ignored {label}: could not be read ({type(error).__name__}: {error})")
            return False
        if not reported:
            summary.ignored += 1
            self.stdout.write(
                f"ignored {label}: not a bounce (From: {message.get('From', '')!s}; "
                f"Subject: {message.get('Subject', '')!s})"
            )
            return False
        when = _date_of(message)
        for bounce in reported:
            was_suppressed = is_suppressed(bounce.email)
            suppression = record_bounce(
                email=bounce.email, kind=bounce.kind, detail=bounce.detail, source=SOURCE, when=when
            )
            if bounce.kind == Bounce.Kind.HARD:
                summary.hard += 1
            else:
                summary.soft += 1
            if suppression is not None and not was_suppressed:
                summary.suppressed.add(suppression.email)
            if self.verbosity >= 2:
                self.stdout.write(f"{label}: {bounce.kind} bounce for {bounce.email}: {bounce.detail}")
        return True


def _parse(data: bytes) -> Message:
    return email.message_from_bytes(data, policy=email.policy.default)


def _messages_in_file(path: Path) -> Iterator[tuple[str, Message]]:
    """The message in a file, or each message of an mbox file (it starts with a "From " line)."""
    with path.open("rb") as file:
        is_mbox = file.read(5) == b"From "
    if is_mbox:
        yield from _mbox_messages(path, name=str(path))
    else:
        yield str(path), _parse(path.read_bytes())


def _messages_from_bytes(data: bytes) -> Iterator[tuple[str, Message]]:
    """The message on stdin, or each message of an mbox there (as an MTA may prepend "From ")."""
    if not data.startswith(b"From "):
        yield "stdin", _parse(data)
        return
    # mailbox.mbox reads files only.
    with tempfile.TemporaryDirectory() as directory:
        mbox_path = Path(directory) / "stdin.mbox"
        mbox_path.write_bytes(data)
        yield from _mbox_messages(mbox_path, name="stdin")


def _mbox_messages(path: Path, *, name: str) -> Iterator[tuple[str, Message]]:
    mbox = mailbox.mbox(path, factory=None, create=False)
    try:
        for number, key in enumerate(mbox.keys(), start=1):
            yield f"{name}#{number}", _parse(mbox.get_bytes(key))
    finally:
        mbox.close()


def _date_of(message: Message) -> datetime.datetime:
    """When the bounce was sent (so reading an old mailbox counts soft bounces on their days)."""
    now = timezone.now()
    try:
        sent = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return now
    if sent is None or timezone.is_naive(sent) or sent > now:
        return now
    return sent
