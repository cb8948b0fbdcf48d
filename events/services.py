"""Writes about events: registration, waitlist and seat offers, cancellation, attendance.

Every change to who holds a seat takes the event's row lock first (`_lock`): on PostgreSQL a
SELECT ... FOR UPDATE on the event row, on SQLite the database write lock of the immediate
transaction. Under that lock the number of seat holders is counted and changed, so the number of
confirmed registrations (plus open offers) never exceeds the capacity, however many people
register at the same moment.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.forms import BaseInlineFormSet, ModelForm
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import hash_token
from core.mail import absolute_url, send_templated_mail
from core.models import Tier
from core.permissions import can
from members.models import Mandate, Member

from .models import Attendance, CalendarFeed, Evaluation, Event, InvoiceSequence, Registration, Session

S = Registration.Status
NEEDS_KEPT_DAYS = 30
REMINDER_BEFORE = datetime.timedelta(days=2)


class RegistrationError(Exception):
    """The registration cannot be made or changed; the message says why (translated)."""


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


# --- who may register ------------------------------------------------------------------------------


def eligibility_problem(event: Event, member: Member) -> str | None:
    """None when `member` belongs to the event's audience, else the reason (translated)."""
    if member.status != Member.Status.ACTIVE or member.erased_at:
        return _("Only active members can register.")
    audience = event.audience
    if audience in (Event.Audience.MEMBERS, Event.Audience.PUBLIC):
        return None
    current = Mandate.objects.current().filter(member=member)
    if audience == Event.Audience.TIERS and not current.filter(body__tier__in=event.audience_tiers).exists():
        tiers = ", ".join(str(Tier(t).label).lower() for t in event.audience_tiers if t in Tier.values)
        return _("This event is for members with a mandate in a %(tiers)s.") % {"tiers": tiers}
    if audience == Event.Audience.ROLES and not current.filter(role__in=event.audience_roles).exists():
        return _("This event is for members with a particular role, which you do not hold now.")
    if audience == Event.Audience.BRANCH and member.branch_id != event.audience_branch_id:
        return _("This event is for the members of %(branch)s.") % {"branch": event.audience_branch}
    if audience == Event.Audience.INVITED and not event.invitees.filter(pk=member.pk).exists():
        return _("This event is by invitation only.")
    return None


def _check_open(event: Event) -> None:
    if event.status == Event.Status.CANCELLED:
        raise RegistrationError(_("This event has been cancelled."))
    if event.status != Event.Status.PUBLISHED:
        raise RegistrationError(_("This event is not open for registration."))
    now = timezone.now()
    if now < event.registration_opens:
        raise RegistrationError(
            _("Registration opens on %(date)s.")
            % {"date": timezone.localtime(event.registration_opens).strftime("%d-%m-%Y %H:%M")}
        )
    if now > event.registration_closes:
        raise RegistrationError(_("Registration has closed."))


# --- registering ----------------------------------------------------------------------------------


def _seats_free(event: Event) -> int:
    return event.capacity - event.registrations.holding_seat().count()


def _next_invoice_number() -> str:
    year = timezone.localdate().year
    sequence, _created = InvoiceSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{year}-{sequence.last:05d}"


def _confirm(registration: Registration) -> None:
    registration.status = S.CONFIRMED
    if registration.event.is_paid and not registration.invoice_number:
        registration.invoice_number = _next_invoice_number()


@transaction.atomic
def register(*, event: Event, member: Member, needs: str = "", on_participant_list: bool = False) -> Registration:
    """Register `member`: confirmed when a seat is free (and nobody is waiting), else waitlisted.
    Never more seat holders than seats, also under concurrent calls (event row lock)."""
    event = _lock(event)
    _check_open(event)
    problem = eligibility_problem(event, member)
    if problem:
        raise RegistrationError(problem)
    # One query for the three facts the decision needs (under the lock).
    counts = event.registrations.aggregate(
        taken=Count("pk", filter=Q(status__in=[S.CONFIRMED, S.OFFERED])),
        waiting=Count("pk", filter=Q(status=S.WAITLISTED)),
        mine=Count("pk", filter=Q(member=member) & ~Q(status__in=[S.CANCELLED, S.EXPIRED])),
    )
    if counts["mine"]:
        raise RegistrationError(_("You are already registered for this event."))
    registration = Registration(
        event=event,
        member=member,
        needs=needs.strip() if event.asks_needs else "",
        on_participant_list=on_participant_list,
        signed_up_at=timezone.now(),
    )
    if counts["taken"] < event.capacity and not counts["waiting"]:
        _confirm(registration)
    else:
        registration.status = S.WAITLISTED
    registration.save()
    _mail(registration, "confirmed" if registration.status == S.CONFIRMED else "waitlisted")
    return registration


@transaction.atomic
def register_guest(*, event: Event, name: str, email: str) -> Registration:
    """A guest of a public event: unconfirmed until they follow the link in the e-mail; the seat
    is assigned at that moment."""
    event = _lock(event)
    if event.audience != Event.Audience.PUBLIC:
        raise RegistrationError(_("Guests can register only for public events."))
    _check_open(event)
    email = email.strip().lower()
    if event.registrations.active().filter(Q(guest_email__iexact=email) | Q(member__email__iexact=email)).exists():
        raise RegistrationError(_("This e-mail address is already registered for this event."))
    registration = Registration.objects.create(
        event=event, guest_name=name.strip(), guest_email=email, status=S.UNCONFIRMED
    )
    _mail(registration, "guest_confirm")
    return registration


def registration_for_token(token: str) -> Registration | None:
    """The registration of a private link: found by the hash of the token it carries."""
    if not token or len(token) > 100:
        return None
    return Registration.objects.select_related("event", "member").filter(token_hash=hash_token(token)).first()


@transaction.atomic
def confirm_guest(*, token: str) -> Registration:
    registration = registration_for_token(token)
    if registration is not None and not registration.is_guest:
        registration = None
    if registration is None:
        raise RegistrationError(_("This confirmation link is not valid."))
    event = _lock(registration.event)
    registration.refresh_from_db()
    if registration.status != S.UNCONFIRMED:
        return registration
    _check_open(event)
    registration.signed_up_at = timezone.now()
    waiting = event.registrations.filter(status=S.WAITLISTED).exists()
    if _seats_free(event) > 0 and not waiting:
        _confirm(registration)
    else:
        registration.status = S.WAITLISTED
    registration.save()
    _mail(registration, "confirmed" if registration.status == S.CONFIRMED else "waitlisted")
    return registration


def _fill_seats(event: Event) -> list[Registration]:
    """Offer every free seat to the next on the waitlist, strictly in signup order. Call with the
    event locked."""
    free = _seats_free(event)
    if free <= 0:
        return []
    offered = list(event.registrations.filter(status=S.WAITLISTED).order_by("signed_up_at", "pk")[:free])
    now = timezone.now()
    for registration in offered:
        registration.status = S.OFFERED
        registration.offered_at = now
        registration.offer_expires_at = now + datetime.timedelta(hours=event.offer_hold_hours)
        registration.save(update_fields=["status", "offered_at", "offer_expires_at"])
        _mail(registration, "offer")
        _schedule_offer_expiry(registration)
    return offered


def _schedule_offer_expiry(registration: Registration) -> None:
    from .tasks import expire_offer

    run_after = registration.offer_expires_at
    transaction.on_commit(lambda: _enqueue(expire_offer, registration.pk, run_after=run_after))


def _enqueue(task: Any, *args: Any, run_after: datetime.datetime | None = None) -> None:
    """Enqueue, deferred when the backend supports it (the database backend does); a backend that
    cannot defer (the in-process one in tests) leaves the work to `housekeeping`."""
    if run_after is not None:
        try:
            task.using(run_after=run_after).enqueue(*args)
        except Exception:  # noqa: BLE001  (e.g. InvalidTaskError: backend does not support run_after)
            return
    else:
        task.enqueue(*args)


@transaction.atomic
def accept_offer(*, registration: Registration) -> Registration:
    """Take the offered seat, if the offer still stands."""
    event = _lock(registration.event)
    registration.refresh_from_db()
    if registration.status == S.CONFIRMED:
        return registration
    if registration.status != S.OFFERED:
        raise RegistrationError(_("There is no seat on offer for you."))
    if registration.offer_expires_at and registration.offer_expires_at < timezone.now():
        _expire(registration, event)
        raise RegistrationError(_("The offer has expired; the seat has gone to the next person waiting."))
    registration.event = event
    _confirm(registration)
    registration.save(update_fields=["status", "invoice_number"])
    _mail(registration, "confirmed")
    return registration


def _expire(registration: Registration, event: Event) -> None:
    registration.status = S.EXPIRED
    registration.save(update_fields=["status"])
    _mail(registration, "offer_expired")
    _fill_seats(event)


@transaction.atomic
def expire_offer(registration_id: int) -> bool:
    """Pass an unanswered offer on to the next person waiting. Idempotent."""
    registration = Registration.objects.filter(pk=registration_id).first()
    if registration is None:
        return False
    event = _lock(registration.event)
    registration.refresh_from_db()
    if (
        registration.status != S.OFFERED
        or not registration.offer_expires_at
        or registration.offer_expires_at > timezone.now()
    ):
        return False
    _expire(registration, event)
    return True


@transaction.atomic
def cancel(*, registration: Registration, by_organiser: bool = False) -> Registration:
    """Cancel a registration (the participant until the deadline, an organiser always); a freed
    seat goes to the first person waiting."""
    event = _lock(registration.event)
    registration.refresh_from_db()
    if registration.status in (S.CANCELLED, S.EXPIRED):
        return registration
    if not by_organiser and timezone.now() > event.cancellation_deadline and registration.status == S.CONFIRMED:
        raise RegistrationError(_("The cancellation deadline has passed; contact the organisers."))
    held_seat = registration.status in (S.CONFIRMED, S.OFFERED)
    registration.status = S.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    _mail(registration, "removed" if by_organiser else "cancelled")
    if held_seat:
        _fill_seats(event)
    return registration


@transaction.atomic
def set_capacity(*, event: Event, capacity: int) -> Event:
    """Change the number of seats: never below the number of seats already taken; extra seats go
    to the waitlist at once."""
    event = _lock(event)
    taken = event.registrations.holding_seat().count()
    if capacity < 1:
        raise ValidationError(_("An event needs at least one seat."))
    if capacity < taken:
        raise ValidationError(
            _("%(taken)d seats are taken (confirmed or offered); the capacity cannot be lower.") % {"taken": taken}
        )
    event.capacity = capacity
    event.save(update_fields=["capacity"])
    _fill_seats(event)
    return event


@transaction.atomic
def add_participant(*, event: Event, member: Member) -> Registration:
    """An organiser adds a member: confirmed if a seat is free (regardless of audience and
    registration period), refused when full."""
    event = _lock(event)
    if event.registrations.active().filter(member=member).exists():
        raise RegistrationError(_("%(name)s is already registered.") % {"name": member.full_name})
    if _seats_free(event) <= 0:
        raise RegistrationError(_("The event is full; raise the number of seats first."))
    registration = Registration(event=event, member=member, signed_up_at=timezone.now())
    _confirm(registration)
    registration.save()
    _mail(registration, "confirmed")
    return registration


@transaction.atomic
def move_participant(*, registration: Registration, to_event: Event) -> Registration:
    """Move a participant to another event (e.g. another date of the same training)."""
    if to_event.pk == registration.event_id:
        raise RegistrationError(_("Choose another event."))
    first, second = sorted([registration.event_id, to_event.pk])
    Event.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk").count()
    if registration.member is None:
        raise RegistrationError(_("Guests cannot be moved; register them again."))
    member = registration.member
    moved = add_participant(event=to_event, member=member)
    cancel(registration=registration, by_organiser=True)
    return moved


@transaction.atomic
def cancel_event(*, event: Event) -> Event:
    """Cancel the event and tell everyone who registered, waited or was offered a seat."""
    event = _lock(event)
    if event.status == Event.Status.CANCELLED:
        return event
    event.status = Event.Status.CANCELLED
    event.cancelled_at = timezone.now()
    event.save(update_fields=["status", "cancelled_at"])
    for registration in event.registrations.active().select_related("member"):
        _mail(registration, "event_cancelled")
    return event


# --- sessions, reminders, housekeeping --------------------------------------------------------------


@transaction.atomic
def save_session(*, session: Session) -> Session:
    """Save a session; a changed time raises its revision (calendar feeds update the appointment)
    and schedules the reminder again."""
    if session.pk:
        old = Session.objects.get(pk=session.pk)
        if (old.starts_at, old.ends_at) != (session.starts_at, session.ends_at):
            session.revision = old.revision + 1
    session.full_clean()
    session.save()
    session.event.refresh_schedule()
    from .tasks import send_session_reminders

    run_after = session.starts_at - REMINDER_BEFORE
    if run_after > timezone.now():
        pk, revision = session.pk, session.revision
        transaction.on_commit(lambda: _enqueue(send_session_reminders, pk, revision, run_after=run_after))
    return session


@transaction.atomic
def save_event(*, form: ModelForm[Any], sessions: BaseInlineFormSet[Any, Any, Any], by: Any) -> Event:
    """Create or change an event with its sessions from the organiser's (valid) forms: a new event
    needs `events.create_event` and gets `by` as its organiser; a change needs `events.manage_event`
    on the event. The number of seats changes through `set_capacity` (it checks the seats taken);
    sessions are saved through `save_session` (reminders) and removed when ticked for deletion."""
    event = form.instance
    is_new = event.pk is None
    if not can(by, "events.create_event" if is_new else "events.manage_event", None if is_new else event):
        raise PermissionDenied(_("You may not change this event."))
    old_capacity = None if is_new else Event.objects.values_list("capacity", flat=True).get(pk=event.pk)
    new_capacity = form.cleaned_data["capacity"]
    saved = form.save(commit=False)
    if old_capacity is not None:
        saved.capacity = old_capacity  # changed below through set_capacity, which checks seats taken
    saved.save()
    form.save_m2m()
    if is_new:
        saved.organisers.add(by)
    elif new_capacity != old_capacity:
        set_capacity(event=saved, capacity=new_capacity)
    sessions.instance = saved
    deleted = sessions.deleted_forms if sessions.can_delete else []
    for session_form in sessions.forms:
        if not session_form.has_changed() and not session_form.instance.pk:
            continue
        if session_form in deleted:
            if session_form.instance.pk:
                session_form.instance.delete()
            continue
        session = session_form.save(commit=False)
        session.event = saved
        save_session(session=session)
    saved.refresh_schedule()
    return saved


def send_reminders(*, session: Session, revision: int | None = None) -> int:
    """Remind confirmed participants of a session (once per session and time). Returns how many."""
    if revision is not None and revision != session.revision:
        return 0
    if session.starts_at < timezone.now() or session.event.status != Event.Status.PUBLISHED:
        return 0
    marker = f"{session.pk}:{session.revision}"
    sent = 0
    for registration in session.event.registrations.filter(status=S.CONFIRMED).select_related("member"):
        with transaction.atomic():
            locked = Registration.objects.select_for_update().get(pk=registration.pk)
            if marker in locked.reminded_sessions:
                continue
            locked.reminded_sessions = [*locked.reminded_sessions, marker]
            locked.save(update_fields=["reminded_sessions"])
            _mail(locked, "reminder", session=session)
            sent += 1
    return sent


def housekeeping(now: datetime.datetime | None = None) -> dict[str, int]:
    """Everything that is due: expired offers passed on, reminders sent, needs deleted 30 days
    after the event, unconfirmed guests removed after a week. Safe to run as often as wanted."""
    now = now or timezone.now()
    counts = {"offers_expired": 0, "reminders": 0, "needs_deleted": 0, "guests_removed": 0}
    for registration_id in Registration.objects.filter(status=S.OFFERED, offer_expires_at__lt=now).values_list(
        "pk", flat=True
    ):
        counts["offers_expired"] += int(expire_offer(registration_id))
    for session in Session.objects.filter(starts_at__gt=now, starts_at__lte=now + REMINDER_BEFORE).select_related(
        "event"
    ):
        counts["reminders"] += send_reminders(session=session)
    counts["needs_deleted"] = (
        Registration.objects.filter(event__ends_at__lt=now - datetime.timedelta(days=NEEDS_KEPT_DAYS))
        .exclude(needs="")
        .update(needs="")
    )
    counts["guests_removed"], _detail = Registration.objects.filter(
        status=S.UNCONFIRMED, signed_up_at__lt=now - datetime.timedelta(days=7)
    ).delete()
    return counts


# --- attendance, evaluation, certificates ---------------------------------------------------------------


@transaction.atomic
def mark_attendance(*, registration: Registration, session: Session, present: bool, marked_by: Any) -> Attendance:
    if registration.event_id != session.event_id or registration.status != S.CONFIRMED:
        raise ValidationError(_("Only confirmed participants of this event can be marked."))
    attendance, _created = Attendance.objects.update_or_create(
        registration=registration,
        session=session,
        defaults={"present": present, "marked_by": marked_by, "marked_at": timezone.now()},
    )
    return attendance


def attended_share(registration: Registration) -> float:
    total = registration.event.sessions.count()
    if not total:
        return 0.0
    present = registration.attendance.filter(present=True).count()
    return present / total


def certificate_available(registration: Registration) -> bool:
    event = registration.event
    return (
        registration.status == S.CONFIRMED
        and event.is_past
        and event.status == Event.Status.PUBLISHED
        and attended_share(registration) * 100 >= event.certificate_share
    )


@transaction.atomic
def evaluate(*, registration: Registration, overall: int, content: int, organisation: int, comment: str) -> Evaluation:
    if registration.status != S.CONFIRMED or not registration.event.is_past:
        raise ValidationError(_("You can evaluate an event after you took part in it."))
    evaluation, _created = Evaluation.objects.update_or_create(
        registration=registration,
        defaults={"overall": overall, "content": content, "organisation": organisation, "comment": comment.strip()},
    )
    return evaluation


# --- mail -----------------------------------------------------------------------------------------------


def _mail(registration: Registration, kind: str, session: Session | None = None) -> None:
    """E-mail the participant: after the transaction commits, the worker renders and sends it (no
    rendering inside the event lock, nothing sent for a change that was rolled back)."""
    from .tasks import send_registration_mail

    registration_id, session_id = registration.pk, session.pk if session else None
    transaction.on_commit(lambda: send_registration_mail.enqueue(registration_id, kind, session_id))


def render_and_send(registration_id: int, kind: str, session_id: int | None = None) -> None:
    registration = Registration.objects.select_related("event", "member").filter(pk=registration_id).first()
    if registration is None:
        return
    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "event_url": absolute_url(event.get_absolute_url()),
        "sessions": list(event.sessions.all()),
        "session": Session.objects.filter(pk=session_id).first() if session_id else None,
        "confirm_url": absolute_url(reverse("events:guest_confirm", kwargs={"token": registration.token})),
        "registration_url": absolute_url(reverse("events:registration", kwargs={"token": registration.token})),
    }
    send_templated_mail(f"events/email/{kind}", [registration.email], context)


# --- calendar feed ---------------------------------------------------------------------------------------


@transaction.atomic
def new_calendar_link(*, member: Member, by: Any) -> str:
    """Make the member's calendar feed address (the old one, if any, stops working) and return its
    token. Only a hash is kept: the address can be shown now and never again."""
    if not can(by, "events.use_calendar") or getattr(by, "member", None) != member:
        raise PermissionDenied(_("You can make a calendar address for yourself only."))
    token = secrets.token_urlsafe(24)
    CalendarFeed.objects.update_or_create(
        member=member, defaults={"token_hash": hash_token(token), "created_at": timezone.now()}
    )
    return token


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 100:
        return None
    return CalendarFeed.objects.select_related("member").filter(token_hash=hash_token(token)).first()


def participants(event: Event) -> Iterable[Registration]:
    return event.registrations.active().select_related("member").order_by("status", "signed_up_at")
