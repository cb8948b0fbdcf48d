"""The one way raadhuis sends e-mail: render a template pair, enqueue, send in the worker.

`send_templated_mail` renders `<template>.txt` (required), `<template>.html` (optional) and
`<template>_subject.txt` in the recipient's language and enqueues the sending after the current
transaction commits, so that nothing is sent for work that was rolled back.

Nothing of a mail's content goes into the task table: the rendered mail is stored encrypted in an
`OutgoingMail` row (rolled back with the work that wrote it) and the task `deliver_mail` carries
only that row's id. The worker decrypts it, sends it and deletes the row (docs/SECURITY.md).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from .models import Association, OutgoingMail


def absolute_url(path: str) -> str:
    return settings.RAADHUIS_BASE_URL.rstrip("/") + path


def render_mail(template: str, context: dict[str, Any], language: str | None = None) -> tuple[str, str, str | None]:
    """(subject, text, html) of a mail template, in `language` (the site default when None)."""
    association = Association.get()
    context = {"association": association, "base_url": settings.RAADHUIS_BASE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        try:
            html: str | None = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = None
    subject = " ".join(subject.split())
    return f"[{association.short_name}] {subject}", text, html


def send_templated_mail(
    template: str,
    to: list[str],
    context: dict[str, Any],
    *,
    language: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    subject, text, html = render_mail(template, context, language)
    send_rendered_mail(subject=subject, to=to, text=text, html=html, reply_to=reply_to, headers=headers)


def send_rendered_mail(
    *,
    subject: str,
    to: list[str],
    text: str,
    html: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Enqueue an already rendered message; it is sent by the task worker after commit. The text
    is kept encrypted in an `OutgoingMail` row; the task carries its id only."""
    from .tasks import deliver_mail

    payload = {
        "subject": subject,
        "to": list(to),
        "text": text,
        "html": html,
        "reply_to": list(reply_to or []),
        "headers": dict(headers or {}),
    }
    outgoing = OutgoingMail.objects.create(payload=json.dumps(payload))
    transaction.on_commit(lambda: deliver_mail.enqueue(outgoing.pk))


def deliver_outgoing(mail_id: int) -> bool:
    """Send the stored mail `mail_id` and delete it; False when it is gone (already sent). An SMTP
    error propagates and leaves the row, so the failed task can be looked into and re-run."""
    outgoing = OutgoingMail.objects.filter(pk=mail_id).first()
    if outgoing is None:
        return False
    payload = json.loads(outgoing.payload)
    deliver_now(
        subject=payload["subject"],
        to=payload["to"],
        text=payload["text"],
        html=payload["html"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
    )
    outgoing.delete()
    return True


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail programs show an unsubscribe button that POSTs to `url`."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def deliver_now(
    *,
    subject: str,
    to: list[str],
    text: str,
    html: str | None,
    reply_to: list[str],
    headers: dict[str, str] | None = None,
) -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
        headers=headers or None,
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
