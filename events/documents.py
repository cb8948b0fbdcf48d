"""Documents made for participants: iCalendar files and feeds, PDF invoices and certificates,
and the QR code for check-in."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from icalendar import Calendar
from icalendar import Event as ICalEvent

from core.mail import absolute_url
from core.models import Association

from .models import Event, Registration, Session


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//raadhuis//bijeenkomsten//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _add_session(calendar: Calendar, session: Session, *, with_link: bool) -> None:
    event = session.event
    item = ICalEvent()
    host = settings.RAADHUIS_BASE_URL.split("//", 1)[-1].split("/", 1)[0]
    item.add("uid", f"session-{session.pk}@{host}")
    item.add("sequence", session.revision)
    item.add("dtstamp", timezone.now())
    item.add("dtstart", session.starts_at)
    item.add("dtend", session.ends_at)
    title = event.title if not session.title else f"{event.title}: {session.title}"
    item.add("summary", title)
    location = ", ".join(part for part in (session.location_name, session.address) if part)
    if with_link and session.online_url:
        location = location or session.online_url
        item.add("description", f"{event.summary}\n\n{session.online_url}")
    else:
        item.add("description", event.summary)
    if location:
        item.add("location", location)
    item.add("url", absolute_url(event.get_absolute_url()))
    if event.status == Event.Status.CANCELLED:
        item.add("status", "CANCELLED")
    calendar.add_component(item)


def event_ics(event: Event, *, with_link: bool) -> bytes:
    calendar = _calendar(event.title)
    for session in event.sessions.all():
        _add_session(calendar, session, with_link=with_link)
    return calendar.to_ical()


def feed_ics(registrations: Iterable[Registration], name: str) -> bytes:
    calendar = _calendar(name)
    for registration in registrations:
        for session in registration.event.sessions.all():
            _add_session(calendar, session, with_link=registration.status == Registration.Status.CONFIRMED)
    return calendar.to_ical()


def certificate_code(registration: Registration) -> str:
    return salted_hmac("raadhuis.certificate", str(registration.pk)).hexdigest()[:16]


def qr_svg_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _pdf(template: str, context: dict) -> bytes:  # type: ignore[type-arg]
    from weasyprint import HTML

    html = render_to_string(template, {"association": Association.get(), **context})
    return HTML(string=html, base_url=settings.RAADHUIS_BASE_URL).write_pdf()


def invoice_pdf(registration: Registration) -> bytes:
    return _pdf(
        "events/pdf/invoice.html",
        {"registration": registration, "event": registration.event, "today": timezone.localdate()},
    )


def certificate_pdf(registration: Registration, attended: int, total: int) -> bytes:
    verify = absolute_url(
        reverse("events:certificate_verify", kwargs={"pk": registration.pk, "code": certificate_code(registration)})
    )
    return _pdf(
        "events/pdf/certificate.html",
        {
            "registration": registration,
            "event": registration.event,
            "attended": attended,
            "total": total,
            "verify_url": verify,
            "qr": qr_svg_data_uri(verify),
        },
    )
