"""Bounces and complaints reported by the mail provider's webhook (django-anymail), see
newsletter/webhook_urls.py. Connected in NewsletterConfig.ready()."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason, tracking
from django.dispatch import receiver

from .bounces import record_bounce
from .models import Bounce

logger = logging.getLogger(__name__)

# An SMTP reply or enhanced status code saying "try again later", as providers pass it on:
# "452 4.2.2 Mailbox full", "smtp; 421 ...", "4.4.7 Delivery time expired".
_TEMPORARY_SMTP = re.compile(r"^\s*(?:smtp\s*;\s*)?(?:4\d\d(?:[\s-]|$)|4\.\d{1,3}\.\d{1,3}\b)", re.IGNORECASE)

# Rejections (the provider did not even try) that are about the address; the others (our content,
# our sender domain, unsubscribes the provider keeps) are not bounces.
_ADDRESS_REJECTIONS = {RejectReason.INVALID, RejectReason.BOUNCED, RejectReason.BLOCKED}

# SparkPost bounce classes that mean the address does not exist; the others are full mailboxes,
# blocks by the receiver's reputation filters and other trouble that may pass.
_SPARKPOST_HARD_CLASSES = {"10", "30", "90"}


def bounce_kind(event: AnymailTrackingEvent) -> str | None:
    """The kind of bounce (Bounce.Kind) a provider event stands for, or None when it is none."""
    if event.event_type == EventType.COMPLAINED:
        return Bounce.Kind.COMPLAINT
    if event.event_type == EventType.DEFERRED:
        return Bounce.Kind.SOFT
    if event.event_type == EventType.BOUNCED:
        return Bounce.Kind.SOFT if _temporary(event) else Bounce.Kind.HARD
    if event.event_type == EventType.REJECTED and event.reject_reason in _ADDRESS_REJECTIONS:
        return Bounce.Kind.HARD
    return None


def _temporary(event: AnymailTrackingEvent) -> bool:
    """Whether the provider marks a bounce as temporary (a "soft bounce")."""
    if any(text and _TEMPORARY_SMTP.match(str(text)) for text in (event.mta_response, event.description)):
        return True
    raw = event.esp_event
    if not isinstance(raw, Mapping):
        return False
    if raw.get("Type") == "SoftBounce":  # Postmark
        return True
    if raw.get("event") == "soft_bounce":  # Brevo, Mandrill
        return True
    if raw.get("type") == "activity.soft_bounced":  # MailerSend
        return True
    if raw.get("event") == "bounce" and raw.get("hard_bounce") is False:  # Mailjet
        return True
    if raw.get("event") == "bounce" and raw.get("type") == "blocked":  # SendGrid: a block, not an address
        return True
    if _nested(raw, "bounce", "bounceType") in ("Transient", "Undetermined"):  # Amazon SES
        return True
    if _nested(raw, "data", "bounce", "type") in ("Transient", "Undetermined"):  # Resend
        return True
    bounce_class = _nested(raw, "msys", "message_event", "bounce_class")  # SparkPost
    return bounce_class is not None and str(bounce_class) not in _SPARKPOST_HARD_CLASSES


def _nested(data: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)  # type: ignore[assignment]
    return data


@receiver(tracking, dispatch_uid="newsletter.bounces.provider_event")
def record_provider_event(sender: object, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    """Record bounces and complaints from a provider webhook; every other event is ignored."""
    kind = bounce_kind(event)
    if kind is None:
        return
    if not event.recipient:
        logger.warning("%s %s event without a recipient ignored", esp_name, event.event_type)
        return
    detail = " — ".join(str(part) for part in (event.description, event.mta_response) if part)
    try:
        record_bounce(email=event.recipient, kind=kind, detail=detail, source=esp_name, when=event.timestamp)
    except ValueError:
        logger.warning("%s %s event for an invalid address ignored", esp_name, event.event_type)
