"""Bounces and complaints: record them, suppress addresses that must get no more mail, lift a
suppression.

`record_bounce` is the one place that decides when an address is suppressed; the provider webhooks
(newsletter/signals.py), the bounce-mailbox command (process_bounces) and the sender
(newsletter/sending.py) all report through it. `bounces_in_message` reads a bounce message (a
delivery status notification or an MTA's plain-text bounce) for the command.
"""

from __future__ import annotations

import datetime
import email.policy
import html
import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Bounce, Suppression

# Soft bounces suppress an address once they fell on this many different days within the window.
# Days, not bounces: a provider reports every retry of one message (and re-sends webhooks it is
# unsure about), so one full mailbox on one send would otherwise count three times at once.
SOFT_BOUNCE_LIMIT = 3
SOFT_BOUNCE_WINDOW = datetime.timedelta(days=30)

_REASON_FOR_KIND = {
    Bounce.Kind.HARD: Suppression.Reason.HARD_BOUNCE,
    Bounce.Kind.COMPLAINT: Suppression.Reason.COMPLAINT,
}


def normalise_email(email: str) -> str:
    """The address in the form bounces and suppressions are stored in: the bare address
    (without a display name or angle brackets), lower-cased. Raises ValueError when there is none."""
    _name, address = parseaddr(email.strip())
    address = (address or email).strip().strip("<>").strip().lower()
    local, _at, domain = address.rpartition("@")
    if not local or not domain or any(c.isspace() for c in address):
        raise ValueError(f"not an e-mail address: {email!r}")
    return address


def record_bounce(
    *,
    email: str,
    kind: str,
    detail: str = "",
    source: str = "",
    when: datetime.datetime | None = None,
) -> Suppression | None:
    """Store a bounce or complaint for `email` and suppress the address when it must be.

    A hard bounce or a complaint suppresses at once; soft bounces suppress once they fell on
    SOFT_BOUNCE_LIMIT different days within SOFT_BOUNCE_WINDOW before `when`. Suppressing is
    idempotent: an address that is already suppressed keeps its first reason, detail and date.
    Returns the address's suppression when it is suppressed after this call (new or existing),
    otherwise None. Raises ValueError for an unknown kind or something that is not an address.

    Two soft bounces stored at the same moment in concurrent transactions may both miss the limit;
    the next soft bounce of that address then suppresses it.
    """
    if kind not in Bounce.Kind.values:
        raise ValueError(f"unknown bounce kind: {kind!r}")
    address = normalise_email(email)
    when = when or timezone.now()
    detail = detail.strip()[:500]
    with transaction.atomic():
        Bounce.objects.create(email=address, kind=kind, detail=detail, source=source[:50], received_at=when)
        reason = _REASON_FOR_KIND.get(Bounce.Kind(kind))
        if reason is None and _soft_bounce_days(address, until=when) >= SOFT_BOUNCE_LIMIT:
            reason = Suppression.Reason.SOFT_BOUNCES
        if reason is None:
            return Suppression.objects.filter(email=address).first()
        suppression, _created = Suppression.objects.get_or_create(
            email=address, defaults={"reason": reason, "detail": detail}
        )
    return suppression


def _soft_bounce_days(address: str, *, until: datetime.datetime) -> int:
    received = Bounce.objects.filter(
        email=address,
        kind=Bounce.Kind.SOFT,
        received_at__gt=until - SOFT_BOUNCE_WINDOW,
        received_at__lte=until,
    ).values_list("received_at", flat=True)
    return len({timezone.localdate(moment) for moment in received})


def is_suppressed(email: str) -> bool:
    """Whether `email` (in any letter case) gets no more newsletters."""
    try:
        address = normalise_email(email)
    except ValueError:
        return False
    return Suppression.objects.filter(email=address).exists()


def lift(email: str) -> bool:
    """Lift the suppression of `email` (staff decided the address works again). The bounce history
    stays. Returns whether there was a suppression to lift."""
    try:
        address = normalise_email(email)
    except ValueError:
        return False
    deleted, _per_model = Suppression.objects.filter(email=address).delete()
    return deleted > 0


# --- reading bounce messages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportedBounce:
    """One recipient a bounce message reports on."""

    email: str
    kind: str  # Bounce.Kind
    detail: str


_DSN_TYPES = {"message/delivery-status", "message/global-delivery-status"}
_ENHANCED_STATUS = re.compile(r"^\s*([245])\.\d{1,3}\.\d{1,3}\b")
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
# "550 5.1.1 ...", "550-5.7.1 ...", "452 4.2.2 ...", or an enhanced status code alone.
_SMTP_REPLY = re.compile(r"(?<![\w.])([45])[0-5]\d(?=[ -]|$)")
_SMTP_STATUS = re.compile(r"(?<![\w.])([45])\.\d{1,3}\.\d{1,3}(?![\w.])")
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (?:status notification|fail|has failed|problem|incomplete|delayed)|"
    r"mail delivery (?:fail|subsystem)|returned mail|failure notice|could not be delivered|"
    r"non[- ]?remis|onbestelbaar|niet (?:afgeleverd|bezorgd)|unzustellbar|nicht zugestellt",
    re.IGNORECASE,
)
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon")
_PERMANENT_WORDS = re.compile(
    r"permanent|user unknown|unknown user|no such (?:user|mailbox|recipient)|does not exist|"
    r"doesn't exist|address rejected|mailbox unavailable|account (?:is )?disabled|bestaat niet",
    re.IGNORECASE,
)
_TEMPORARY_WORDS = re.compile(
    r"temporar|delayed|will (?:be )?retr|still trying|not yet been delivered|mailbox (?:is )?full|over quota",
    re.IGNORECASE,
)
# Lines in a returned message that carry addresses which are not recipients.
_HEADER_LINE = re.compile(
    r"^\s*(?:message-id|in-reply-to|references|received|return-path|from|sender|reply-to)\s*:", re.I
)
# How many lines above an SMTP reply the address it is about may stand (Exim puts the host and
# the stage of the conversation in between).
_ADDRESS_LINES_ABOVE = 4


def bounces_in_message(message: Message) -> list[ReportedBounce]:
    """The recipients a bounce message reports as failed (hard) or delayed (soft).

    A delivery status notification (RFC 3464, multipart/report) is read from its per-recipient
    fields: Original-Recipient (what we sent to) or else Final-Recipient, Action (failed or
    delayed; "delivered", "relayed" and "expanded" are no bounces) and Status (5.x.x hard, 4.x.x
    soft). Other messages from a mailer daemon, or with a bounce's subject, are searched for an
    SMTP reply ("550 5.1.1 <user@example.org>: Recipient address rejected") and the address it is
    about. Returns an empty list for anything else (an out-of-office reply, a human's mail)."""
    report = _find_part(message, _DSN_TYPES)
    if report is not None:
        return _from_delivery_status(report)
    if _looks_like_bounce(message):
        return _from_text(message)
    return []


def _find_part(message: Message, content_types: set[str]) -> Message | None:
    """The first part of one of `content_types`, not looking inside returned messages."""
    if message.get_content_type() in content_types:
        return message
    if not message.is_multipart() or message.get_content_maintype() == "message":
        return None
    for part in _subparts(message):
        found = _find_part(part, content_types)
        if found is not None:
            return found
    return None


def _dsn_fields(part: Message) -> list[Message]:
    """The field groups of a delivery-status part: per message first, then one per recipient."""
    payload = part.get_payload()
    if isinstance(payload, list) and len(payload) > 1:
        return [block for block in payload if isinstance(block, Message)]
    # message/global-delivery-status (and odd encodings) arrive as one block of text.
    if isinstance(payload, list):
        text = payload[0].as_string() if payload and isinstance(payload[0], Message) else ""
    else:
        raw = part.get_payload(decode=True)
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload)
    parser = HeaderParser(policy=email.policy.default)
    return [parser.parsestr(block.strip() + "\n") for block in re.split(r"\r?\n\s*\r?\n", text) if block.strip()]


def _from_delivery_status(part: Message) -> list[ReportedBounce]:
    found = []
    for fields in _dsn_fields(part):
        recipient = _dsn_address(fields.get("Original-Recipient")) or _dsn_address(fields.get("Final-Recipient"))
        if not recipient:
            continue
        action = str(fields.get("Action", "")).strip().lower()
        status = str(fields.get("Status", "")).strip()
        status_class = _ENHANCED_STATUS.match(status)
        if action == "delayed":
            kind = Bounce.Kind.SOFT
        elif action == "failed":
            kind = Bounce.Kind.SOFT if status_class and status_class.group(1) == "4" else Bounce.Kind.HARD
        else:
            continue
        diagnostic = " ".join(str(fields.get("Diagnostic-Code", "")).split())
        detail = "; ".join(part for part in (f"{action} {status}".strip(), diagnostic) if part)
        found.append(ReportedBounce(email=recipient, kind=kind, detail=detail))
    return found


def _dsn_address(value: object) -> str:
    """The address of "rfc822; user@example.org" (or another address type), or ""."""
    if not value:
        return ""
    text = " ".join(str(value).split())
    _type, _semicolon, address = text.rpartition(";")
    try:
        return normalise_email(address)
    except ValueError:
        return ""


def _looks_like_bounce(message: Message) -> bool:
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    if sender.partition("@")[0] in _DAEMONS:
        return True
    if str(message.get("Return-Path", "")).strip() == "<>":
        return True
    return bool(_BOUNCE_SUBJECT.search(str(message.get("Subject", ""))))


def _from_text(message: Message) -> list[ReportedBounce]:
    lines = _text_of(message).splitlines()
    ignored = _not_recipients(message)
    kinds: dict[str, tuple[str, str]] = {}  # address -> (kind, the line that says so)
    for number, line in enumerate(lines):
        kind = _smtp_kind(line)
        if kind is None:
            continue
        window = [*lines[max(0, number - _ADDRESS_LINES_ABOVE) : number], line]
        addresses = [a for text in window for a in _addresses(text, ignored)]
        if addresses:
            # The address nearest to the reply is the one it is about.
            _note(kinds, addresses[-1], kind, line)
    if not kinds:
        # No reply next to an address: one address (preferably from the returned message's To)
        # with a reply or clear words anywhere in the text.
        recipients = _returned_recipients(message) or sorted({a for text in lines for a in _addresses(text, ignored)})
        text = "\n".join(lines)
        kind = next((k for k in map(_smtp_kind, lines) if k), None) or _kind_from_words(text)
        if kind is not None and len(recipients) == 1:
            detail = next((line for line in lines if _smtp_kind(line)), "") or text[:200]
            _note(kinds, recipients[0], kind, detail)
    return [ReportedBounce(email=a, kind=k, detail=" ".join(d.split())) for a, (k, d) in kinds.items()]


def _note(kinds: dict[str, tuple[str, str]], address: str, kind: str, detail: str) -> None:
    # A permanent failure outweighs a temporary one reported in the same message.
    if address not in kinds or kinds[address][0] == Bounce.Kind.SOFT:
        kinds[address] = (kind, detail)


def _smtp_kind(line: str) -> str | None:
    if _HEADER_LINE.match(line):
        return None
    match = _SMTP_REPLY.search(line) or _SMTP_STATUS.search(line)
    if match is None:
        return None
    return Bounce.Kind.HARD if match.group(1) == "5" else Bounce.Kind.SOFT


def _kind_from_words(text: str) -> str | None:
    if _PERMANENT_WORDS.search(text):
        return Bounce.Kind.HARD
    if _TEMPORARY_WORDS.search(text):
        return Bounce.Kind.SOFT
    return None


def _addresses(line: str, ignored: set[str]) -> list[str]:
    if _HEADER_LINE.match(line):
        return []
    found = []
    for candidate in _ADDRESS.findall(line):
        address = candidate.strip(".").lower()
        if address not in ignored and address.partition("@")[0] not in _DAEMONS:
            found.append(address)
    return found


def _not_recipients(message: Message) -> set[str]:
    """Addresses in a bounce that are not the recipient: ours and the reporting system's."""
    values = [str(message.get(name, "")) for name in ("From", "To", "Sender", "Reply-To", "Return-Path")]
    values += [settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL]
    return {address.lower() for _name, address in getaddresses(values) if address}


def _returned_recipients(message: Message) -> list[str]:
    """The To addresses of the returned original message, when the bounce includes it."""
    original = _find_part(message, {"message/rfc822", "text/rfc822-headers"})
    if original is None:
        return []
    if original.get_content_type() == "message/rfc822":
        payload = original.get_payload()
        headers = payload[0] if isinstance(payload, list) and payload and isinstance(payload[0], Message) else None
    else:
        raw = original.get_payload(decode=True)
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
        headers = HeaderParser(policy=email.policy.default).parsestr(text)
    if headers is None:
        return []
    return sorted({address.lower() for _name, address in getaddresses([str(headers.get("To", ""))]) if address})


def _text_of(message: Message) -> str:
    """The human-readable text of a bounce, without the returned original message."""
    texts = []
    for part in _parts(message):
        if part.get_content_type() not in ("text/plain", "text/html"):
            continue
        raw = part.get_payload(decode=True)
        if not isinstance(raw, bytes):
            continue
        try:
            text = raw.decode(part.get_content_charset() or "utf-8", "replace")
        except LookupError:  # a charset Python does not know
            text = raw.decode("utf-8", "replace")
        if part.get_content_type() == "text/html":
            text = re.sub(r"<br\s*/?>|</p>|</div>|</tr>", "\n", text, flags=re.IGNORECASE)
            text = html.unescape(re.sub(r"<[^>]+>", " ", text))
        texts.append(text)
    return "\n".join(texts)


def _parts(message: Message) -> list[Message]:
    if message.get_content_maintype() == "message":
        return []  # a returned message: its text is not the report
    if not message.is_multipart():
        return [message]
    return [leaf for part in _subparts(message) for leaf in _parts(part)]


def _subparts(message: Message) -> list[Message]:
    payload = message.get_payload()
    return [part for part in payload if isinstance(part, Message)] if isinstance(payload, list) else []
